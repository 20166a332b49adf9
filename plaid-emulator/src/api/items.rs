//! Items and Link (docs: `api-sandbox.txt`, `api-items.txt`, `api-accounts.txt`): a Sandbox
//! public token (`sandbox_items.rs`, or Link) names a new Item, exchanging it (once, within 30
//! minutes) gives the access token, and the Item answers `/item/get`, `/accounts/get` and
//! `/accounts/balance/get` until `/item/remove`.

use plaid_client::operations::{AccountsGet, ItemGet};
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::request::{decode, item_of, item_record};
use crate::api::Api;
use crate::model::clock;
use crate::model::digest::digest;
use crate::model::history::History;
use crate::model::items::{ItemState, PublicToken};
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;

/// How many accounts a new Item has (the spec's example accounts, renamed).
const ACCOUNTS: usize = 2;

/// A fresh public token for `item_id`, exchangeable once within 30 minutes.
pub(crate) fn issue_public_token(emu: &Api, state: &mut State, item_id: &str) -> String {
    let n = state.public_tokens.len().to_string();
    let seed = emu.model.seed.to_string();
    let public_token = format!("public-sandbox-{}", digest(&[&seed, "public", item_id, &n]));
    state.public_tokens.insert(
        public_token.clone(),
        PublicToken {
            item_id: item_id.to_string(),
            created: emu.model.now(),
            exchanged: false,
        },
    );
    public_token
}

/// A new Item with `transactions` transactions in its history; its id.
pub(crate) fn new_item(
    emu: &Api,
    state: &mut State,
    institution_id: String,
    products: Vec<String>,
    webhook: Option<String>,
    transactions: usize,
) -> String {
    let n = state.items_created;
    state.items_created += 1;
    let seed = emu.model.seed.to_string();
    let item_id = format!("item-{}", digest(&[&seed, "item", &n.to_string()]));
    let item = ItemState {
        cursor_prefix: digest(&[&seed, "cursor", &item_id]),
        accounts: accounts(&item_id),
        item_id: item_id.clone(),
        institution_id,
        products,
        webhook,
        removed: false,
        // Dated back from today on the emulator's clock (`model/history.rs`).
        history: History::new(transactions, clock::day_of(emu.model.now())),
        pass: None,
        login_since: emu.model.now(),
    };
    state.items.insert(item_id.clone(), item);
    item_id
}

/// The access token of `item_id`.
pub(crate) fn access_token(emu: &Api, item_id: &str) -> String {
    let seed = emu.model.seed.to_string();
    format!("access-sandbox-{}", digest(&[&seed, "access", item_id]))
}

/// `/item/public_token/exchange`: a public token is single-use and expires after 30 minutes
/// (`INVALID_PUBLIC_TOKEN`).
pub(crate) fn public_token_exchange(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let request: types::ItemPublicTokenExchangeRequest = decode(request)?;
    let mut state = emu.model.lock();
    let token = state
        .public_tokens
        .get_mut(&request.public_token)
        .filter(|t| t.live_at(emu.model.now()))
        .ok_or_else(PlaidError::invalid_public_token)?;
    token.exchanged = true;
    let item_id = token.item_id.clone();
    let access_token = access_token(emu, &item_id);
    state
        .access_tokens
        .insert(access_token.clone(), item_id.clone());
    let body = json!({"access_token": access_token, "item_id": item_id});
    Ok(body)
}

/// The `item` object of an answer, with the Item's error (docs, `api-items.txt`: "An Item
/// with a non-null error object will only be part of an API response when calling /item/get").
pub(crate) fn item_json(item: &ItemState, error: Option<&PlaidError>) -> Result<Value, PlaidError> {
    let mut value = example_value::<ItemGet>()?["item"].clone();
    value["item_id"] = json!(item.item_id);
    value["institution_id"] = json!(item.institution_id);
    value["webhook"] = json!(item.webhook);
    value["products"] = json!(item.products);
    value["billed_products"] = json!(item.products);
    value["error"] = error.map_or(Value::Null, PlaidError::object);
    Ok(value)
}

/// `/item/get`.
pub(crate) fn item_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::ItemGetRequest = decode(request)?;
    let state = emu.model.lock();
    let item = item_record(&state, request)?;
    let mut answer = example_value::<ItemGet>()?;
    answer["item"] = item_json(item, state.item_errors.get(&item.item_id))?;
    Ok(answer)
}

/// `/item/remove`: the access token stops working (`ITEM_NOT_FOUND`).
pub(crate) fn item_remove(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::ItemRemoveRequest = decode(request)?;
    let mut state = emu.model.lock();
    let id = item_record(&state, request)?.item_id.clone();
    if let Some(item) = state.items.get_mut(&id) {
        item.removed = true;
    }
    Ok(json!({}))
}

/// `/accounts/get` and `/accounts/balance/get`: the Item's accounts.
pub(crate) fn accounts_get(emu: &Api, request: &Value, balance: bool) -> Result<Value, PlaidError> {
    // Decoded into the generated request type first: a wrong field is `INVALID_FIELD`.
    if balance {
        let _: types::AccountsBalanceGetRequest = decode(request)?;
    } else {
        let _: types::AccountsGetRequest = decode(request)?;
    }
    // The lock is held for the copy only; the answer is typed and serialized without it.
    let answer = {
        let state = emu.model.lock();
        let item = item_of(&state, request)?;
        json!({"accounts": item.accounts, "item": item_json(item, None)?})
    };
    Ok(answer)
}

/// A new Item's accounts: the spec's example accounts with ids of the Item's own. (The
/// example is compiled in, and the flow tests check it has two accounts.)
fn accounts(item_id: &str) -> Vec<Value> {
    let example = example_value::<AccountsGet>().unwrap_or_default();
    let accounts = example["accounts"].as_array().cloned().unwrap_or_default();
    accounts
        .into_iter()
        .take(ACCOUNTS)
        .enumerate()
        .map(|(k, mut account)| {
            account["account_id"] = json!(format!("{item_id}-acc-{k}"));
            account
        })
        .collect()
}
