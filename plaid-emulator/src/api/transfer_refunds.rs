//! Refunds (docs: `api-products-transfer.txt` `/transfer/refund/create`, `/get`, `/cancel`;
//! the pinned spec's `/sandbox/transfer/refund/simulate`; the states are `model/refunds.rs`).
//! A refund of a transfer that failed, was returned or cancelled is refused, as is one over
//! what is left to refund; each change is a `refund.*` transfer event naming the refund
//! (`refund_id`, "a non-null value indicates the event is for the associated refund"), shown in
//! the transfer's `refunds`, and announced by `TRANSFER_EVENTS_UPDATE`.

use std::time::SystemTime;

use plaid_client::operations::TransferRefundCreate;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::request::decode;
use super::transfer_events;
use super::transfer_sweeps::{cents, decimal};
use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::refunds::{Refund, RefundStatus};
use crate::model::state::State;
use crate::model::transfers::record_event;

/// A refund as `/transfer/refund/get` answers it.
fn rendered(refund: &Refund, template: &Value) -> Value {
    let mut body = template.clone();
    body["id"] = json!(refund.id);
    body["transfer_id"] = json!(refund.transfer_id);
    body["amount"] = json!(decimal(refund.cents));
    body["status"] = json!(refund.status.as_str());
    body["created"] = json!(rfc3339(refund.created));
    body["failure_reason"] = refund.failure_reason.clone();
    body
}

/// The spec's example refund, which every refund's answer starts from.
fn template() -> Result<Value, PlaidError> {
    Ok(example_value::<TransferRefundCreate>()?["refund"].clone())
}

/// Record the `refund.<status>` event of `refund` at `at`, and show its refunds on the transfer.
fn changed(state: &mut State, refund: &Refund, at: SystemTime) -> Result<(), PlaidError> {
    let template = template()?;
    let refunds: Vec<Value> = state
        .refunds
        .of(&refund.transfer_id)
        .map(|r| rendered(r, &template))
        .collect();
    let Some(transfer) = state.transfers.get_mut(&refund.transfer_id) else {
        return Ok(());
    };
    transfer["refunds"] = json!(refunds);
    let transfer = transfer.clone();
    let event_type = format!("refund.{}", refund.status.as_str());
    record_event(&mut state.transfer_events, &transfer, &event_type, None, at);
    if let Some(event) = state.transfer_events.last_mut() {
        event["refund_id"] = json!(refund.id);
    }
    Ok(())
}

/// `/transfer/refund/create`: a pending refund of at most what is left of the transfer.
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::TransferRefundCreateRequest = decode(request)?;
    let answer = {
        let mut state = emu.model.lock();
        let key = create.idempotency_key.to_string();
        if let Some(refund) = state
            .refunds
            .keys
            .get(&key)
            .and_then(|id| state.refunds.get(id))
        {
            return Ok(json!({"refund": rendered(refund, &template()?)}));
        }
        let transfer_id = create.transfer_id.to_string();
        let refund = refundable(&state, &transfer_id, &create.amount.to_string())?;
        let n = state.refunds.all.len().to_string();
        let refund = Refund {
            id: digest(&[&emu.model.seed.to_string(), "refund", &n]),
            transfer_id,
            cents: refund,
            status: RefundStatus::Pending,
            created: emu.model.now(),
            failure_reason: Value::Null,
        };
        state.refunds.keys.insert(key, refund.id.clone());
        state.refunds.all.push(refund.clone());
        changed(&mut state, &refund, refund.created)?;
        (
            json!({"refund": rendered(&refund, &template()?)}),
            state.transfer_webhook.clone(),
        )
    };
    transfer_events::announce(emu, &Value::Null, answer.1)?;
    Ok(answer.0)
}

/// The cents of a refund of `amount` of `transfer_id`, if it can be made.
fn refundable(state: &State, transfer_id: &str, amount: &str) -> Result<i64, PlaidError> {
    let transfer = state
        .transfers
        .get(transfer_id)
        .ok_or_else(|| PlaidError::invalid_field("transfer_id is not a transfer"))?;
    let status = transfer["status"].as_str().unwrap_or_default();
    if matches!(status, "failed" | "returned" | "cancelled") {
        return Err(PlaidError::invalid_field(&format!(
            "a {status} transfer cannot be refunded"
        )));
    }
    let wanted = cents(amount);
    let left =
        cents(transfer["amount"].as_str().unwrap_or("0")) - state.refunds.refunded(transfer_id);
    if wanted <= 0 || wanted > left {
        return Err(PlaidError::invalid_field(&format!(
            "amount must be more than 0 and at most {} (what is left to refund)",
            decimal(left)
        )));
    }
    Ok(wanted)
}

/// The refund a request names, or `INVALID_FIELD`.
fn named<'s>(state: &'s State, request: &Value) -> Result<&'s Refund, PlaidError> {
    let id = request["refund_id"].as_str().unwrap_or_default();
    state
        .refunds
        .get(id)
        .ok_or_else(|| PlaidError::invalid_field("refund_id is not a refund"))
}

/// `/transfer/refund/get`.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferRefundGetRequest = decode(request)?;
    let state = emu.model.lock();
    Ok(json!({"refund": rendered(named(&state, request)?, &template()?)}))
}

/// `/transfer/refund/cancel`: a pending refund is cancelled; any other is
/// `TRANSFER_NOT_CANCELLABLE` (`errors-transfer.txt`).
pub(crate) fn cancel(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferRefundCancelRequest = decode(request)?;
    move_to(emu, request, |status| {
        (status == RefundStatus::Pending)
            .then_some(RefundStatus::Cancelled)
            .ok_or_else(PlaidError::transfer_not_cancellable)
    })
}

/// `/sandbox/transfer/refund/simulate`: the refund takes the event (at the test clock's time
/// if one is named), or `SANDBOX_TRANSFER_EVENT_TRANSITION_INVALID`.
pub(crate) fn simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let simulate: types::SandboxTransferRefundSimulateRequest = decode(request)?;
    let event = simulate.event_type.clone();
    let posted_needs_settled = {
        let state = emu.model.lock();
        let refund = named(&state, request)?;
        let settled = state
            .transfers
            .get(&refund.transfer_id)
            .is_some_and(|t| t["status"] == "settled");
        event == "refund.posted" && !settled
    };
    if posted_needs_settled {
        return Err(PlaidError::transfer_event_transition_invalid());
    }
    move_to(emu, request, |status| {
        status
            .after(&event)
            .ok_or_else(PlaidError::transfer_event_transition_invalid)
    })
}

/// The named refund moved to what `next` says of its status; its event recorded and announced.
fn move_to(
    emu: &Api,
    request: &Value,
    next: impl Fn(RefundStatus) -> Result<RefundStatus, PlaidError>,
) -> Result<Value, PlaidError> {
    let webhook = {
        let mut state = emu.model.lock();
        let at = match request["test_clock_id"].as_str() {
            Some(id) => state.recurring.clock(id).map(|c| c.virtual_time),
            None => None,
        };
        let at = at.unwrap_or_else(|| emu.model.now());
        let id = named(&state, request)?.id.clone();
        let Some(refund) = state.refunds.get_mut(&id) else {
            return Err(PlaidError::invalid_field("refund_id is not a refund"));
        };
        refund.status = next(refund.status)?;
        if matches!(refund.status, RefundStatus::Failed | RefundStatus::Returned) {
            refund.failure_reason = request
                .get("failure_reason")
                .cloned()
                .unwrap_or(Value::Null);
        }
        let refund = refund.clone();
        changed(&mut state, &refund, at)?;
        state.transfer_webhook.clone()
    };
    transfer_events::announce(emu, request, webhook)?;
    Ok(json!({}))
}
