//! The Transactions calls beside `/transactions/sync`, agreeing with it (docs:
//! `api-products-transactions.txt`, `api-sandbox.txt`): `/transactions/get` pages with `count`
//! and `offset` over the transactions a complete sync leaves, newest first;
//! `/transactions/refresh` checks the Item and answers; `/sandbox/transactions/create` adds the
//! transactions it describes (dated today or up to 14 days before, on the emulator's clock) to
//! the Item's history, so the next sync returns them, and fires the Item's
//! `SYNC_UPDATES_AVAILABLE`.

use plaid_client::operations::TransactionsSync;
use plaid_client::types;
use serde_json::{json, Value};

use super::changes;
use super::examples::example_value;
use super::items::item_json;
use super::request::{decode, item_of};
use super::sandbox_transactions;
use crate::api::Api;
use crate::model::changes::Change;
use crate::model::clock::{day_of, parse_date};
use crate::model::history::{Custom, Maker};
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;

/// `count`'s default and maximum (docs: `/transactions/get`, `options.count`: default 100,
/// maximum 500).
const DEFAULT_COUNT: i64 = 100;
const MAX_COUNT: i64 = 500;
/// The most transactions one `/sandbox/transactions/create` adds (docs: up to 10).
const MAX_CREATED: usize = 10;
/// How many days before today a `/sandbox/transactions/create` date may be (the spec,
/// `CustomSandboxTransaction`: "must be the present date or a date up to 14 days in the past.
/// Future dates are not allowed").
const MAX_DAYS_BACK: u64 = 14;

/// `/transactions/get`.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let typed_request: types::TransactionsGetRequest = decode(request)?;
    let (count, offset, account_ids) = match &typed_request.options {
        Some(o) => (o.count, o.offset, o.account_ids.clone()),
        None => (DEFAULT_COUNT, 0, Vec::new()),
    };
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(PlaidError::invalid_field(
            "options.count must be from 1 to 500",
        ));
    }
    let offset = usize::try_from(offset)
        .map_err(|_| PlaidError::invalid_field("options.offset must not be negative"))?;
    let (start, end) = (
        typed_request.start_date.to_string(),
        typed_request.end_date.to_string(),
    );
    if start > end {
        return Err(PlaidError::invalid_field(
            "start_date must not be after end_date",
        ));
    }
    let (accounts, item, mut transactions) = {
        let state = emu.model.lock();
        let item = item_of(&state, request)?;
        let all = current_transactions(emu, item)?;
        (item.accounts.clone(), item_json(item, None)?, all)
    };
    transactions.retain(|t| {
        let date = t["date"].as_str().unwrap_or_default();
        let account = t["account_id"].as_str().unwrap_or_default();
        (start.as_str()..=end.as_str()).contains(&date)
            && (account_ids.is_empty() || account_ids.iter().any(|a| a == account))
    });
    // Newest first, as Plaid lists them.
    transactions.sort_by(|a, b| b["date"].as_str().cmp(&a["date"].as_str()));
    let total = transactions.len();
    let page: Vec<Value> = transactions
        .into_iter()
        .skip(offset)
        .take(count as usize)
        .collect();
    let body = json!({"accounts": accounts, "item": item, "total_transactions": total,
        "transactions": page});
    Ok(body)
}

/// The Item's current transactions, as the sync's `added`/`modified` entries show them.
fn current_transactions(emu: &Api, item: &ItemState) -> Result<Vec<Value>, PlaidError> {
    let template = example_value::<TransactionsSync>()?["added"][0].clone();
    let seed = emu.model.seed.to_string();
    let make = Maker {
        item_id: &item.item_id,
        seed: &seed,
        template: &template,
        accounts: &item.accounts,
        history: &item.history,
    };
    let current = item.history.current();
    Ok(current
        .into_iter()
        .map(|(k, amount)| make.transaction(k, false, amount))
        .collect())
}

/// `/transactions/refresh`: the Item must be usable; the emulator's data is always current, so
/// there is nothing new to announce, except for `user_transactions_dynamic`'s Items
/// (`sandbox_transactions.rs`).
pub(crate) fn refresh(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransactionsRefreshRequest = decode(request)?;
    let item_id = item_of(&emu.model.lock(), request)?.item_id.clone();
    // `user_transactions_dynamic`'s transactions move on a refresh.
    sandbox_transactions::refresh(emu, &item_id)?;
    Ok(json!({}))
}

/// `/sandbox/transactions/create`: the described transactions join the Item's history (at
/// most 10 per call), the next sync returns them in `added`, and the Item's webhook hears
/// `SYNC_UPDATES_AVAILABLE`.
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let typed_request: types::SandboxTransactionsCreateRequest = decode(request)?;
    if typed_request.transactions.is_empty() || typed_request.transactions.len() > MAX_CREATED {
        return Err(PlaidError::invalid_field(
            "transactions must hold 1 to 10 transactions",
        ));
    }
    let today = day_of(emu.model.now());
    for t in &typed_request.transactions {
        recent("date_posted", &t.date_posted.to_string(), today)?;
        recent("date_transacted", &t.date_transacted.to_string(), today)?;
    }
    let item_id = item_of(&emu.model.lock(), request)?.item_id.clone();
    let custom = typed_request
        .transactions
        .iter()
        .map(|t| Custom {
            // In whole cents, as Plaid keeps amounts.
            amount: (t.amount * 100.0).round() / 100.0,
            date: t.date_posted.to_string(),
            description: t.description.clone(),
        })
        .collect();
    changes::change(emu, &item_id, Change::AddCustom(custom))
        .map_err(|e| PlaidError::invalid_field(&e.to_string()))?;
    Ok(json!({}))
}

/// `date`, a `/sandbox/transactions/create` date, is `today` or up to [`MAX_DAYS_BACK`] days
/// before it on the emulator's clock; else `INVALID_FIELD`.
fn recent(field: &str, date: &str, today: u64) -> Result<(), PlaidError> {
    // A date before 1970 is as far in the past as any.
    let day = parse_date(date).unwrap_or(0);
    if day > today || day + MAX_DAYS_BACK < today {
        let why = format!(
            "transactions' {field} must be today or up to 14 days before it on the emulator's \
             clock, not {date}"
        );
        return Err(PlaidError::invalid_field(&why));
    }
    Ok(())
}
