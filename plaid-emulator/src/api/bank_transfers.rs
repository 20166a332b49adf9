//! Bank Transfers in Sandbox (docs: `auth-coverage-microdeposit-events.txt`,
//! `auth-coverage-testing.txt`; the pinned spec's `/bank_transfer/*`; the states are
//! `model/bank_transfers.rs`): `/bank_transfer/create`, `/get`, `/bank_transfer/event/list`
//! and `/sync`, `/sandbox/bank_transfer/simulate` moving one along the spec's transitions
//! (an unknown id is `INVALID_FIELD`: Plaid documents no code), and
//! `/sandbox/bank_transfer/fire_webhook`, which sends one
//! `BANK_TRANSFERS_EVENTS_UPDATE` to the URL given, as a test of the endpoint ("Simulating a
//! posted event in Sandbox does not generate a webhook. You will need to call
//! /sandbox/bank_transfer/fire_webhook each time you want a webhook to be published").

use plaid_client::operations as op;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::request::{decode, item_record};
use super::transfer_repayments::page;
use super::transfer_sweeps::{cents, decimal};
use crate::api::Api;
use crate::model::bank_transfers::{BankTransfer, BankTransferEvent, BankTransferStatus};
use crate::model::clock::rfc3339;
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;
use crate::webhooks::bodies;

/// `/sandbox/bank_transfer/fire_webhook`: the webhook, queued for `webhook` (an `http(s)` URL,
/// else `SANDBOX_WEBHOOK_INVALID`).
pub(crate) fn fire_webhook(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let fire: types::SandboxBankTransferFireWebhookRequest = decode(request)?;
    let url = super::webhooks::sandbox_webhook_url(&fire.webhook)?;
    emu.webhooks
        .deliver(url, bodies::bank_transfers_events_update()?);
    Ok(json!({}))
}

/// A bank transfer as `/bank_transfer/get` answers it: the spec's example with this one's
/// fields.
fn rendered(t: &BankTransfer) -> Result<Value, PlaidError> {
    let mut body = example_value::<op::BankTransferCreate>()?["bank_transfer"].clone();
    body["id"] = json!(t.id);
    body["account_id"] = json!(t.account_id);
    body["type"] = json!(t.kind);
    body["network"] = json!(t.network);
    body["amount"] = json!(decimal(t.cents));
    body["iso_currency_code"] = json!(t.currency);
    body["description"] = json!(t.description);
    body["user"] = json!({"legal_name": t.legal_name});
    body["created"] = json!(rfc3339(t.created));
    body["status"] = json!(t.status.as_str());
    body["cancellable"] = json!(t.status == BankTransferStatus::Pending);
    body["direction"] = Value::Null;
    body["metadata"] = Value::Null;
    body["custom_tag"] = Value::Null;
    Ok(body)
}

/// `/bank_transfer/create`: a `pending` bank transfer from an account of the access token's
/// Item (another is `INVALID_ACCOUNT_ID`), and its `pending` event; a repeated
/// `idempotency_key` answers the original.
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::BankTransferCreateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let key = create.idempotency_key.to_string();
    if let Some(t) = state
        .bank_transfers
        .keys
        .get(&key)
        .and_then(|id| state.bank_transfers.get(id))
    {
        return Ok(json!({"bank_transfer": rendered(t)?}));
    }
    let item = item_record(&state, request)?;
    if !item
        .accounts
        .iter()
        .any(|a| a["account_id"] == create.account_id.as_str())
    {
        return Err(PlaidError::invalid_account_id());
    }
    let n = state.bank_transfers.all.len().to_string();
    let transfer = BankTransfer {
        id: digest(&[&emu.model.seed.to_string(), "bank_transfer", &n]),
        account_id: create.account_id.clone(),
        kind: create.type_.to_string(),
        network: create.network.to_string(),
        cents: cents(&create.amount.to_string()),
        currency: create.iso_currency_code.clone(),
        description: create.description.clone(),
        legal_name: create.user.legal_name.clone(),
        created: emu.model.now(),
        status: BankTransferStatus::Pending,
    };
    let answer = json!({"bank_transfer": rendered(&transfer)?});
    state.bank_transfers.create(transfer, key);
    Ok(answer)
}

/// `/bank_transfer/get`: an unknown id is `INVALID_FIELD` (Plaid documents no code).
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let get: types::BankTransferGetRequest = decode(request)?;
    let state = emu.model.lock();
    let t = state
        .bank_transfers
        .get(&get.bank_transfer_id.to_string())
        .ok_or_else(|| PlaidError::invalid_field("bank_transfer_id is not a bank transfer"))?;
    Ok(json!({"bank_transfer": rendered(t)?}))
}

/// An event as `/bank_transfer/event/list` and `/sync` answer it.
fn event(e: &BankTransferEvent, t: &BankTransfer) -> Value {
    json!({"event_id": e.event_id, "timestamp": rfc3339(e.at), "event_type": e.status.as_str(),
        "account_id": t.account_id, "bank_transfer_id": t.id, "origination_account_id": "",
        "bank_transfer_type": t.kind, "bank_transfer_amount": decimal(t.cents),
        "bank_transfer_iso_currency_code": t.currency, "failure_reason": null,
        "direction": null})
}

/// The events `keep` selects, rendered, `offset` skipped, at most `count`.
fn events(
    state: &State,
    keep: impl Fn(&BankTransferEvent) -> bool,
    offset: usize,
    count: usize,
) -> Value {
    let rendered: Vec<Value> = state
        .bank_transfers
        .events
        .iter()
        .filter(|e| keep(e))
        .filter_map(|e| Some(event(e, state.bank_transfers.get(&e.bank_transfer_id)?)))
        .skip(offset)
        .take(count)
        .collect();
    json!({"bank_transfer_events": rendered})
}

/// `/bank_transfer/event/list`: by `bank_transfer_id`, `account_id` and `event_types`.
pub(crate) fn event_list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let list: types::BankTransferEventListRequest = decode(request)?;
    let (count, offset) = page(list.count, list.offset.unwrap_or(0))?;
    let types: Vec<String> = list.event_types.iter().map(ToString::to_string).collect();
    let state = emu.model.lock();
    let account_of = |e: &BankTransferEvent| {
        state
            .bank_transfers
            .get(&e.bank_transfer_id)
            .map(|t| t.account_id.clone())
    };
    let keep = |e: &BankTransferEvent| {
        list.bank_transfer_id
            .as_ref()
            .is_none_or(|id| *id == e.bank_transfer_id)
            && list
                .account_id
                .as_ref()
                .is_none_or(|a| Some(a) == account_of(e).as_ref())
            && (types.is_empty() || types.iter().any(|t| t == e.status.as_str()))
    };
    Ok(events(&state, keep, offset, count))
}

/// `/bank_transfer/event/sync`: the events after `after_id`, at most `count` (1–25).
pub(crate) fn event_sync(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let sync: types::BankTransferEventSyncRequest = decode(request)?;
    let (count, _) = page(sync.count, 0)?;
    let state = emu.model.lock();
    let after = u64::try_from(sync.after_id).unwrap_or(0);
    Ok(events(&state, |e| e.event_id > after, 0, count))
}

/// `/sandbox/bank_transfer/simulate`: the bank transfer takes the event if the spec lists the
/// transition, else `SANDBOX_TRANSFER_EVENT_TRANSITION_INVALID` (`errors-sandbox.txt`); no
/// webhook ("Simulating a posted event in Sandbox does not generate a webhook").
pub(crate) fn simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let simulate: types::SandboxBankTransferSimulateRequest = decode(request)?;
    let id = simulate.bank_transfer_id.to_string();
    let mut state = emu.model.lock();
    if state.bank_transfers.get(&id).is_none() {
        return Err(PlaidError::invalid_field(
            "bank_transfer_id is not a bank transfer",
        ));
    }
    let now = emu.model.now();
    state
        .bank_transfers
        .simulate(&id, &simulate.event_type, now)
        .ok_or_else(PlaidError::transfer_event_transition_invalid)?;
    Ok(json!({}))
}
