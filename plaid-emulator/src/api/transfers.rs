//! Transfers with Plaid's idempotency semantics (docs: `api-products-transfer.txt`):
//! `/transfer/authorization/create` returns the original authorization for a repeated
//! `idempotency_key` (keys last 48 hours); `/transfer/create` takes the authorization's id as
//! its idempotency identifier ("This parameter also serves the purpose of acting as an
//! idempotency identifier"), so creating again with one authorization returns the original
//! transfer, also under concurrent retries: the state's one lock makes exactly one. A new
//! transfer is `pending`, and its `pending` event is recorded (`model/transfers.rs`).
//!
//! An authorization that names a `payment_profile_token` is decided by the profile
//! (`payment_profiles.rs`): refused while it is `PENDING` or `REMOVED`, approved with the
//! rationale `PAYMENT_PROFILE_LOGIN_REQUIRED` after `/sandbox/payment_profile/reset_login`.
//! The spec lists `access_token` and `account_id` as required whatever the profile (the docs
//! call them optional with one), so the request checks and the typed clients still ask for
//! both, and they are checked as without a profile.

use std::time::Duration;

use plaid_client::operations::{TransferAuthorizationCreate, TransferCreate};
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::payment_profiles;
use super::request::{decode, item_of};
use super::transfer_events;
use crate::api::Api;
use crate::model::clock::since;
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::transfers::{record_event, Authorization};
use crate::webhooks::bodies;

/// How long an authorization's idempotency key is remembered.
const KEY_LIFETIME: Duration = Duration::from_secs(48 * 3600);

/// `/transfer/authorization/create`: approved, for an account of the Item, unless its Payment
/// Profile decides otherwise; a repeated idempotency key returns the original authorization
/// before the profile is looked at.
pub(crate) fn authorize(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferAuthorizationCreateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let item = item_of(&state, request)?;
    let account = request["account_id"].as_str().unwrap_or_default();
    if !item.accounts.iter().any(|a| a["account_id"] == account) {
        return Err(PlaidError::invalid_field(
            "account_id is not an account of this Item",
        ));
    }
    let key = request["idempotency_key"].as_str().map(str::to_string);
    let remembered = key.as_ref().and_then(|k| state.authorization_keys.get(k));
    let now = emu.model.now();
    if let Some((id, _)) = remembered.filter(|(_, at)| since(now, *at) < KEY_LIFETIME) {
        let json = state.authorizations[id].json.clone();
        return answer_authorization(json);
    }
    let rationale = payment_profiles::decision_rationale(&state, request)?;
    state.transfers_created += 1;
    let id = digest(&[
        &emu.model.seed.to_string(),
        "authorization",
        &state.transfers_created.to_string(),
    ]);
    let mut json = example_value::<TransferAuthorizationCreate>()?["authorization"].clone();
    json["id"] = json!(id);
    json["decision"] = json!("approved");
    json["decision_rationale"] = rationale;
    for field in ["account_id", "amount", "type", "network", "ach_class"] {
        if let Some(v) = request.get(field) {
            json["proposed_transfer"][field] = v.clone();
        }
    }
    if let Some(key) = key {
        state
            .authorization_keys
            .insert(key, (id.clone(), emu.model.now()));
    }
    state.authorizations.insert(
        id,
        Authorization {
            json: json.clone(),
            transfer_id: None,
        },
    );
    answer_authorization(json)
}

fn answer_authorization(json: Value) -> Result<Value, PlaidError> {
    Ok(json!({"authorization": json}))
}

/// `/transfer/create`: one transfer per authorization, whatever the retries.
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferCreateRequest = decode(request)?;
    let (transfer, webhook) = {
        let mut state = emu.model.lock();
        match new_transfer(emu, &mut state, request)? {
            Created::Again(transfer) => return answer_transfer(transfer),
            Created::New(transfer) => (transfer, state.transfer_webhook.clone()),
        }
    };
    transfer_events::announce(emu, &Value::Null, webhook)?;
    answer_transfer(transfer)
}

/// What `/transfer/create` made.
enum Created {
    /// The authorization's transfer, made by an earlier call.
    Again(Value),
    /// A new transfer.
    New(Value),
}

/// The transfer of the request's authorization, made now unless it already was.
fn new_transfer(
    emu: &Api,
    state: &mut crate::model::state::State,
    request: &Value,
) -> Result<Created, PlaidError> {
    item_of(state, request)?;
    let authorization_id = request["authorization_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let Some(authorization) = state.authorizations.get(&authorization_id) else {
        return Err(PlaidError::invalid_field(
            "authorization_id is not an authorization",
        ));
    };
    if let Some(id) = &authorization.transfer_id {
        return Ok(Created::Again(state.transfers[id].clone()));
    }
    let proposed = authorization.json["proposed_transfer"].clone();
    let id = digest(&[&emu.model.seed.to_string(), "transfer", &authorization_id]);
    let mut transfer = example_value::<TransferCreate>()?["transfer"].clone();
    transfer["id"] = json!(id);
    transfer["authorization_id"] = json!(authorization_id);
    transfer["account_id"] = proposed["account_id"].clone();
    transfer["amount"] = proposed["amount"].clone();
    transfer["description"] = request["description"].clone();
    for field in ["type", "network", "ach_class"] {
        transfer[field] = proposed[field].clone();
    }
    transfer["status"] = json!("pending");
    transfer["sweep_status"] = json!("unswept");
    transfer["failure_reason"] = Value::Null;
    state.transfers.insert(id.clone(), transfer.clone());
    if let Some(authorization) = state.authorizations.get_mut(&authorization_id) {
        authorization.transfer_id = Some(id);
    }
    let now = emu.model.now();
    record_event(&mut state.transfer_events, &transfer, "pending", None, now);
    Ok(Created::New(transfer))
}

fn answer_transfer(transfer: Value) -> Result<Value, PlaidError> {
    Ok(json!({"transfer": transfer}))
}

/// `/transfer/get`.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferGetRequest = decode(request)?;
    let state = emu.model.lock();
    let id = request["transfer_id"].as_str().unwrap_or_default();
    let transfer = state
        .transfers
        .get(id)
        .cloned()
        .ok_or_else(|| PlaidError::invalid_field("transfer_id is not a transfer"))?;
    Ok(json!({"transfer": transfer}))
}

/// `/transfer/list`: the transfers in the order they were made, `offset` and `count` (1–25).
pub(crate) fn list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferListRequest = decode(request)?;
    let count = transfer_events::count(request, transfer_events::LIST_COUNT)?;
    let offset = request["offset"].as_u64().unwrap_or(0) as usize;
    let state = emu.model.lock();
    // A transfer's `pending` event is recorded when it is made: their order is the transfers'.
    let transfers: Vec<&Value> = state
        .transfer_events
        .iter()
        .filter(|e| e["event_type"] == "pending")
        .filter_map(|e| {
            state
                .transfers
                .get(e["transfer_id"].as_str().unwrap_or_default())
        })
        .skip(offset)
        .take(count)
        .collect();
    Ok(json!({"transfers": transfers}))
}

/// `/sandbox/transfer/fire_webhook`: a `TRANSFER_EVENTS_UPDATE` to the URL given (docs,
/// `api-sandbox.txt`).
pub(crate) fn fire_webhook(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let fire: types::SandboxTransferFireWebhookRequest = decode(request)?;
    let url = super::webhooks::sandbox_webhook_url(&fire.webhook)?;
    emu.webhooks.deliver(url, bodies::transfer_events_update()?);
    Ok(json!({}))
}
