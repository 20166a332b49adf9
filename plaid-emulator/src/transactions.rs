//! Transactions with real cursor semantics (docs: `api-products-transactions.txt`): each Item
//! has a history derived from the seed (tens of transactions over four months across its
//! accounts, pending ones that later post with `pending_transaction_id`), and
//! `/transactions/sync` serves it in order from opaque cursors that are the Item's own.

use plaid_client::operations::TransactionsSync;
use serde_json::{json, Value};

use crate::examples::{example_value, typed};
use crate::plaid_error::PlaidError;
use crate::state::{digest, ItemState};

/// One entry of an Item's history.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// A transaction appears (`added`).
    Added(Value),
    /// A transaction changes (`modified`).
    Modified(Value),
    /// A transaction goes away (`removed`): its id and account.
    Removed {
        transaction_id: String,
        account_id: String,
    },
}

/// How many posted transactions a new Item has.
const POSTED: usize = 40;
/// How many of its newest transactions are pending at first, then post.
const PENDING: usize = 4;
/// `count`'s default and maximum (docs: `/transactions/sync`, `count`: default 100, max 500).
const DEFAULT_COUNT: usize = 100;
const MAX_COUNT: usize = 500;

/// A transaction of `accounts[k % len]`, the `k`th of the Item, from the spec's example.
fn transaction(template: &Value, item: &str, seed: &str, accounts: &[Value], k: usize) -> Value {
    let mut t = template.clone();
    let account = &accounts[k % accounts.len().max(1)];
    let cents = u64::from_str_radix(&digest(&[seed, item, &k.to_string()])[..6], 16).unwrap_or(0);
    let (month, day) = (1 + (k * 4 / POSTED.max(1)).min(3), 1 + (k * 7) % 28);
    let date = format!("2026-{month:02}-{day:02}");
    t["transaction_id"] = json!(format!("{item}-txn-{k}"));
    t["account_id"] = account["account_id"].clone();
    t["amount"] = json!((cents % 50_000) as f64 / 100.0 + 1.0);
    t["date"] = json!(date);
    t["authorized_date"] = json!(date);
    t["name"] = json!(format!("Merchant {}", cents % 97));
    t["merchant_name"] = json!(format!("Merchant {}", cents % 97));
    t["pending"] = json!(false);
    t["pending_transaction_id"] = Value::Null;
    t
}

/// The history of a new Item: posted transactions, pending ones, then those posting (a removal
/// of the pending transaction and the posted one naming it), then one correction.
pub(crate) fn history(
    item: &str,
    seed: u64,
    accounts: &[Value],
) -> Result<Vec<Change>, PlaidError> {
    let page = example_value::<TransactionsSync>()?;
    let template = page["added"][0].clone();
    let seed = seed.to_string();
    let mut log = Vec::new();
    for k in 0..POSTED + PENDING {
        let mut t = transaction(&template, item, &seed, accounts, k);
        if k >= POSTED {
            t["pending"] = json!(true);
        }
        log.push(Change::Added(t));
    }
    for k in POSTED..POSTED + PENDING {
        let pending = transaction(&template, item, &seed, accounts, k);
        let mut posted = transaction(&template, item, &seed, accounts, k + PENDING);
        posted["pending_transaction_id"] = pending["transaction_id"].clone();
        posted["amount"] = pending["amount"].clone();
        posted["account_id"] = pending["account_id"].clone();
        log.push(Change::Removed {
            transaction_id: string(&pending["transaction_id"]),
            account_id: string(&pending["account_id"]),
        });
        log.push(Change::Added(posted));
    }
    let mut corrected = transaction(&template, item, &seed, accounts, 0);
    corrected["name"] = json!("Merchant (corrected)");
    log.push(Change::Modified(corrected));
    Ok(log)
}

fn string(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The cursor after `position` entries of `item`'s history.
fn cursor(item: &ItemState, position: usize) -> String {
    format!("{}{position:06}", item.cursor_prefix)
}

/// The position a cursor stands for; another Item's cursor, or garbage, is `INVALID_FIELD`.
fn position(item: &ItemState, cursor: Option<&str>) -> Result<usize, PlaidError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(0);
    };
    cursor
        .strip_prefix(&item.cursor_prefix)
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= item.history.len())
        .ok_or_else(|| PlaidError::invalid_field("cursor is not a cursor of this Item"))
}

/// The `count` of a request: 1 to 500, default 100.
fn count(request: &Value) -> Result<usize, PlaidError> {
    match request.get("count").and_then(Value::as_u64) {
        None => Ok(DEFAULT_COUNT),
        Some(n) if (1..=MAX_COUNT as u64).contains(&n) => Ok(n as usize),
        Some(_) => Err(PlaidError::invalid_field("count must be between 1 and 500")),
    }
}

/// One `/transactions/sync` page of `item` for `request`.
pub(crate) fn sync_page(
    item: &ItemState,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let from = position(item, request.get("cursor").and_then(Value::as_str))?;
    let to = (from + count(request)?).min(item.history.len());
    let (mut added, mut modified, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for change in &item.history[from..to] {
        match change {
            Change::Added(t) => added.push(t.clone()),
            Change::Modified(t) => modified.push(t.clone()),
            Change::Removed {
                transaction_id,
                account_id,
            } => removed.push(json!({"transaction_id": transaction_id, "account_id": account_id})),
        }
    }
    let mut page = example_value::<TransactionsSync>()?;
    page["accounts"] = json!(item.accounts);
    page["added"] = json!(added);
    page["modified"] = json!(modified);
    page["removed"] = json!(removed);
    page["next_cursor"] = json!(cursor(item, to));
    page["has_more"] = json!(to < item.history.len());
    page["transactions_update_status"] = json!("HISTORICAL_UPDATE_COMPLETE");
    page["request_id"] = json!(request_id);
    typed::<TransactionsSync>(page)
}
