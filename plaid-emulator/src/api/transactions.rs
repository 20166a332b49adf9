//! Transactions with real cursor semantics (docs: `api-products-transactions.txt`): each Item
//! has a history derived from the seed (`model/history.rs`: posted transactions over four
//! months across its accounts, pending ones that later post with `pending_transaction_id`, one
//! correction, then whatever the control API added, changed or removed), and
//! `/transactions/sync` serves it in order from opaque cursors that are the Item's own.
//! Histories follow the emulator's clock: [`catch_up_item`] posts what came due, when a
//! request touches the Item and when the clock is advanced (`item_clock.rs`).

use std::time::SystemTime;

use plaid_client::operations::TransactionsSync;
use serde_json::{json, Value};

use plaid_client::types;

use super::examples::example_value;
use super::request::{decode, item_of};
use crate::api::Api;
use crate::model::clock::day_of;
use crate::model::history::{Entry, History, Maker};
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;
use crate::webhooks::bodies;

/// `count`'s default and maximum (docs: `/transactions/sync`, `count`: default 100, max 500).
const DEFAULT_COUNT: usize = 100;
const MAX_COUNT: usize = 500;

/// The cursor after `position` entries of `item`'s history.
pub(crate) fn cursor(item: &ItemState, position: usize) -> String {
    format!("{}{position:06}", item.cursor_prefix)
}

/// The position a cursor stands for; another Item's cursor, or garbage, is `INVALID_FIELD`.
pub(crate) fn position(item: &ItemState, cursor: Option<&str>) -> Result<usize, PlaidError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(0);
    };
    cursor
        .strip_prefix(&item.cursor_prefix)
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= item.history.len())
        .ok_or_else(|| PlaidError::invalid_field("cursor is not a cursor of this Item"))
}

/// Which page of a pass (1 for the first) a request from `cursor` is: a pass goes on while
/// each request continues from the `next_cursor` of a page that had `has_more: true`.
pub(crate) fn pass_page(item: &ItemState, cursor: Option<&str>) -> u32 {
    match (position(item, cursor), item.pass) {
        (Ok(from), Some((at, page))) if from != 0 && from == at => page + 1,
        _ => 1,
    }
}

/// The `count` of a request: 1 to 500, default 100.
fn count(request: &Value) -> Result<usize, PlaidError> {
    match request.get("count").and_then(Value::as_u64) {
        None => Ok(DEFAULT_COUNT),
        Some(n) if (1..=MAX_COUNT as u64).contains(&n) => Ok(n as usize),
        Some(_) => Err(PlaidError::invalid_field("count must be between 1 and 500")),
    }
}

/// What one `/transactions/sync` page serves, copied out of the state so that the page is
/// built without holding the lock.
pub(crate) struct Page {
    item_id: String,
    accounts: Vec<Value>,
    history: History,
    from: usize,
    to: usize,
    next_cursor: String,
}

/// The page of `item` that `request` asks for; remembers where its pass stands.
pub(crate) fn take_page(item: &mut ItemState, request: &Value) -> Result<Page, PlaidError> {
    let cursor_in = request.get("cursor").and_then(Value::as_str);
    let from = position(item, cursor_in)?;
    let page_number = pass_page(item, cursor_in);
    let to = (from + count(request)?).min(item.history.len());
    item.pass = (to < item.history.len()).then_some((to, page_number));
    Ok(Page {
        item_id: item.item_id.clone(),
        accounts: item.accounts.clone(),
        history: item.history.clone(),
        from,
        to,
        next_cursor: cursor(item, to),
    })
}

/// The body of `page`.
pub(crate) fn page_body(page: &Page, seed: &str) -> Result<Value, PlaidError> {
    let mut body = example_value::<TransactionsSync>()?;
    let template = body["added"][0].clone();
    let make = Maker {
        item_id: &page.item_id,
        seed,
        template: &template,
        accounts: &page.accounts,
        history: &page.history,
    };
    let (mut added, mut modified, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for i in page.from..page.to {
        match page.history.entry(i) {
            Some(Entry::Added(k)) => added.push(make.transaction(k, false, None)),
            Some(Entry::Modified { k, amount }) => modified.push(make.transaction(k, true, amount)),
            Some(Entry::Removed(k)) => removed
                .push(json!({"transaction_id": make.id(k), "account_id": make.account_id(k)})),
            None => {}
        }
    }
    body["accounts"] = json!(page.accounts);
    body["added"] = json!(added);
    body["modified"] = json!(modified);
    body["removed"] = json!(removed);
    body["next_cursor"] = json!(page.next_cursor);
    body["has_more"] = json!(page.to < page.history.len());
    body["transactions_update_status"] = json!("HISTORICAL_UPDATE_COMPLETE");
    Ok(body)
}

/// `/transactions/sync`: the page the cursor asks for, from the Item's history.
pub(crate) fn sync(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransactionsSyncRequest = decode(request)?;
    let page = {
        let mut state = emu.model.lock();
        let id = item_of(&state, request)?.item_id.clone();
        let item = state
            .items
            .get_mut(&id)
            .ok_or_else(PlaidError::item_not_found)?;
        take_page(item, request)?
    };
    // Built, typed and serialized without the lock.
    page_body(&page, &emu.model.seed.to_string())
}

/// `item` brought up to `now` on the emulator's clock ([`History::catch_up`]): each pending
/// transaction whose posting day has come posts as Plaid posts one (docs,
/// `transactions-transactions-data.txt`: "the pending transaction's id in the removed field
/// ... and the new posted transaction in the added section", the posted one naming it in
/// `pending_transaction_id`). If any did, the Item's `SYNC_UPDATES_AVAILABLE` webhook
/// (`transactions-webhooks.txt`) to fire, as (URL, body).
pub(crate) fn catch_up_item(item: &mut ItemState, now: SystemTime) -> Option<(String, Vec<u8>)> {
    if item.removed || item.history.catch_up(day_of(now)) == 0 {
        return None;
    }
    let body = bodies::fired(item, "SYNC_UPDATES_AVAILABLE", None, None, now).ok()?;
    item.webhook.clone().map(|url| (url, body))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use serde_json::{json, Value};

    use crate::api::{dispatch, Api};
    use crate::model::clock::{parse_rfc3339, Clock, EmulatorClock};

    fn call(api: &Api, path: &str, body: Value) -> Value {
        let answer = dispatch::answer(api, "POST", path, &body, "request").unwrap();
        serde_json::from_slice(&answer.bytes).unwrap()
    }

    /// Time that passes without an advance (as on the system clock) posts what came due when
    /// a request next touches the Item, before it is answered.
    #[tokio::test]
    async fn a_request_catches_its_item_up_with_time_that_passed() {
        let start = parse_rfc3339("2024-03-10T00:00:00Z").unwrap();
        let clock = Arc::new(EmulatorClock::new(Clock::Manual(start)));
        let api = Api::new(7, clock.clone());
        let config = json!({"override_accounts": [{"type": "depository", "subtype": "checking",
            "transactions": [{"date_posted": "2024-03-11", "amount": 9.5, "description": "Hold"}]}]});
        let options = json!({"override_username": "user_custom",
            "override_password": config.to_string()});
        let create = json!({"institution_id": "ins_109508", "initial_products": ["transactions"],
            "options": options});
        let public = call(&api, "/sandbox/public_token/create", create)["public_token"].clone();
        let exchanged = call(
            &api,
            "/item/public_token/exchange",
            json!({"public_token": public}),
        );
        let token = exchanged["access_token"].clone();
        let first = call(&api, "/transactions/sync", json!({"access_token": token}));
        let pending = &first["added"][0];
        assert_eq!(pending["pending"], json!(true));

        clock.advance(Duration::from_secs(86_400)); // the clock moves; nothing caught up yet
        let cursor = first["next_cursor"].clone();
        let next = call(
            &api,
            "/transactions/sync",
            json!({"access_token": token, "cursor": cursor}),
        );
        assert_eq!(
            next["removed"][0]["transaction_id"],
            pending["transaction_id"]
        );
        let posted = &next["added"][0];
        assert_eq!(posted["pending_transaction_id"], pending["transaction_id"]);
        assert_eq!(
            (posted["pending"].clone(), posted["date"].clone()),
            (json!(false), json!("2024-03-11"))
        );
    }
}
