//! Processor tokens (docs: `api-sandbox.txt` `/sandbox/processor_token/create`,
//! `api-processors.txt`): `/sandbox/processor_token/create` links a new Item as the given test
//! user ("a valid processor_token for an arbitrary institution ID and test credentials. The
//! created processor_token corresponds to a new Sandbox Item"), and the token names that
//! Item's first account for `/processor/auth/get`, `/processor/balance/get`,
//! `/processor/account/get` and `/processor/identity/get`, which answer what the Item's own
//! endpoints answer for that one account. An unknown token is `INVALID_PROCESSOR_TOKEN`
//! (`errors-invalid-input.txt`), a removed Item `ITEM_NOT_FOUND`, an Item in an error state
//! that error.

use plaid_client::types;
use serde_json::{json, Value};

use super::identity::owner;
use super::request::decode;
use super::sandbox_auth::account_numbers;
use super::sandbox_items::{self, Via};
use crate::api::examples::example_value;
use crate::api::Api;
use crate::model::digest::digest;
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;
use crate::model::sandbox_items::ProcessorToken;
use crate::model::state::State;

/// The products a processor token's Item has: what processors read.
const PROCESSOR_PRODUCTS: [&str; 3] = ["auth", "balance", "identity"];

/// `INVALID_INPUT` / `INVALID_PROCESSOR_TOKEN` (docs, `errors-invalid-input.txt`).
fn invalid_processor_token() -> PlaidError {
    PlaidError::new(
        400,
        "INVALID_INPUT",
        "INVALID_PROCESSOR_TOKEN",
        "provided processor token is invalid",
    )
}

/// `/sandbox/processor_token/create`: a new Item at `institution_id` as
/// `options.override_username`/`override_password`, checked as `/sandbox/public_token/create`
/// checks them; a processor token for its first account.
pub(crate) fn token_create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let request: types::SandboxProcessorTokenCreateRequest = decode(request)?;
    let products: Vec<String> = PROCESSOR_PRODUCTS.iter().map(|p| p.to_string()).collect();
    let institution =
        sandbox_items::check_institution(&request.institution_id, &products, Via::SandboxEndpoint)?;
    let options = request.options.as_ref();
    let login = sandbox_items::login(
        options.and_then(|o| o.override_username.as_ref()),
        options.and_then(|o| o.override_password.as_ref()),
    )?;
    let new = sandbox_items::linked(institution, products, None);
    let mut state = emu.model.lock();
    let item_id = sandbox_items::create(emu, &mut state, new, &login)?;
    let account_id = state
        .items
        .get(&item_id)
        .and_then(|item| item.accounts.first())
        .and_then(|a| a["account_id"].as_str())
        .ok_or_else(|| PlaidError::internal("the new Item has no account"))?
        .to_string();
    let n = state.sandbox.processor_tokens.len().to_string();
    let seed = emu.model.seed.to_string();
    let token = format!(
        "processor-sandbox-{}",
        digest(&[&seed, "processor", &item_id, &n])
    );
    let named = ProcessorToken {
        item_id,
        account_id,
    };
    state.sandbox.processor_tokens.insert(token.clone(), named);
    Ok(json!({ "processor_token": token }))
}

/// The Item and account a request's `processor_token` names.
fn resolve<'s>(
    state: &'s State,
    request: &Value,
) -> Result<(&'s ItemState, &'s Value), PlaidError> {
    let token = request["processor_token"].as_str().unwrap_or_default();
    let named = state
        .sandbox
        .processor_tokens
        .get(token)
        .ok_or_else(invalid_processor_token)?;
    let item = state
        .items
        .get(&named.item_id)
        .ok_or_else(invalid_processor_token)?;
    if item.removed {
        return Err(PlaidError::item_not_found());
    }
    if let Some(error) = state.item_errors.get(&item.item_id) {
        return Err(error.clone());
    }
    let account = item
        .accounts
        .iter()
        .find(|a| a["account_id"] == named.account_id.as_str())
        .ok_or_else(invalid_processor_token)?;
    Ok((item, account))
}

/// `/processor/auth/get`: the account and its numbers (`PRODUCT_NOT_READY` while it awaits
/// automated micro-deposits, as `/auth/get`).
pub(crate) fn auth_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::ProcessorAuthGetRequest = decode(request)?;
    let state = emu.model.lock();
    let (item, account) = resolve(&state, request)?;
    if account["verification_status"] == "pending_automatic_verification" {
        return Err(super::sandbox_auth::product_not_ready());
    }
    let n = account_numbers(emu.model.seed, &state, item, account);
    Ok(
        json!({"account": account, "numbers": {"ach": n.ach, "eft": n.eft,
        "international": n.international, "bacs": n.bacs}}),
    )
}

/// `/processor/balance/get`: the account with its balances.
pub(crate) fn balance_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::ProcessorBalanceGetRequest = decode(request)?;
    let state = emu.model.lock();
    let (_, account) = resolve(&state, request)?;
    Ok(json!({ "account": account }))
}

/// `/processor/account/get`: the account and its institution.
pub(crate) fn account_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::ProcessorAccountGetRequest = decode(request)?;
    let state = emu.model.lock();
    let (item, account) = resolve(&state, request)?;
    Ok(json!({"account": account, "institution_id": item.institution_id}))
}

/// `/processor/identity/get`: the account with its owner, as `/identity/get` shows it.
pub(crate) fn identity_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::ProcessorIdentityGetRequest = decode(request)?;
    let state = emu.model.lock();
    let (item, account) = resolve(&state, request)?;
    let example = example_value::<plaid_client::operations::IdentityGet>()?;
    let mut owner = owner(&example["accounts"][0]["owners"][0], emu.model.seed, item);
    if let Some(identity) = state
        .sandbox
        .item(&item.item_id)
        .and_then(|s| s.identity.as_ref())
    {
        sandbox_items::custom_owner(&mut owner, identity);
    }
    let mut account = account.clone();
    account["owners"] = json!([owner]);
    Ok(json!({ "account": account }))
}
