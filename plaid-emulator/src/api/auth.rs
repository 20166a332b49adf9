//! `/auth/get` (docs, `api-products-auth.txt`): the Item's own accounts, as `/accounts/get`
//! answers them, with ACH numbers derived from the seed (the same seed, the same numbers;
//! `sandbox_auth.rs` makes them); `options.account_ids` selects some of them.

use plaid_client::operations::AuthGet;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::items::item_json;
use super::request::{decode, item_of, selected_accounts};
use super::sandbox_auth;
use crate::api::Api;
use crate::model::plaid_error::PlaidError;

/// `/auth/get`: `numbers.ach`, one per account; the other networks empty.
pub(crate) fn auth_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::AuthGetRequest = decode(request)?;
    let state = emu.model.lock();
    let item = item_of(&state, request)?;
    let accounts = selected_accounts(item, request)?;
    // Chosen numbers (a custom user's, Houndstooth Bank's) and micro-deposit states:
    // `sandbox_auth.rs`.
    let numbers = sandbox_auth::numbers(emu.model.seed, &state, item, &accounts)?;
    let mut answer = example_value::<AuthGet>()?;
    answer["accounts"] = json!(accounts);
    answer["numbers"] = numbers;
    answer["item"] = item_json(item, None)?;
    Ok(answer)
}
