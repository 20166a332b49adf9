//! Transfer events (docs, `api-products-transfer.txt`; `api-sandbox.txt` for the simulations):
//! every change of a transfer is an event with a sequential `event_id` ("IDs are sequential
//! unsigned 64-bit integers"): `pending` when it is created, then what
//! `/sandbox/transfer/simulate` and `/sandbox/transfer/sweep/simulate` make happen. They are
//! read with `/transfer/event/list` (filters, `offset`, `count`) and `/transfer/event/sync`
//! (`after_id`, `count`), and each call that creates events sends one `TRANSFER` /
//! `TRANSFER_EVENTS_UPDATE` webhook to the Transfer webhook URL, which Plaid takes from the
//! dashboard (`transfer-webhooks.txt`) and the emulator from `Emulator::set_transfer_webhook`.
//! Plaid sends "a maximum of approximately 1 webhook per minute"; the emulator one per call,
//! so tests need not wait.

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use crate::api::Api;
use crate::model::plaid_error::PlaidError;
use crate::model::transfers::record_event;
use crate::webhooks::bodies;

/// `count`'s default and maximum in `/transfer/event/list`, `/transfer/list` and
/// `/transfer/sweep/list` (docs: "Default: 25 … Maximum: 25").
pub(crate) const LIST_COUNT: (u64, u64) = (25, 25);
/// `count`'s default and maximum in `/transfer/event/sync`: the pinned spec's default is 100
/// (the stored docs page, older, says 25), and Plaid's current reference allows up to 500;
/// the client's constructor sends 100, so the emulator follows the spec.
const SYNC_COUNT: (u64, u64) = (100, 500);

/// After a call that created events: `TRANSFER_EVENTS_UPDATE` to the request's `webhook` (the
/// spec: "The webhook URL to which a TRANSFER_EVENTS_UPDATE webhook should be sent"), else to
/// the Transfer webhook, if either is set.
pub(crate) fn announce(
    emu: &Api,
    request: &Value,
    configured: Option<String>,
) -> Result<(), PlaidError> {
    let given = request
        .get("webhook")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(url) = given.or(configured) {
        emu.webhooks.deliver(url, bodies::transfer_events_update()?);
    }
    Ok(())
}

/// `count` of a read: 1 to `max`, else `INVALID_FIELD`; absent, `default`.
pub(crate) fn count(request: &Value, (default, max): (u64, u64)) -> Result<usize, PlaidError> {
    match request.get("count").filter(|c| !c.is_null()) {
        None => Ok(default as usize),
        Some(n) => match n.as_u64().filter(|n| (1..=max).contains(n)) {
            Some(n) => Ok(n as usize),
            None => Err(PlaidError::invalid_field(&format!(
                "count must be between 1 and {max}"
            ))),
        },
    }
}

/// Whether `event` passes the filters of a `/transfer/event/list` request.
fn matches(event: &Value, request: &Value) -> bool {
    let same = |field: &str| match request.get(field).filter(|v| !v.is_null()) {
        Some(wanted) => event.get(field) == Some(wanted),
        None => true,
    };
    let wanted_types = request["event_types"].as_array().filter(|t| !t.is_empty());
    let type_ok = wanted_types.is_none_or(|types| types.contains(&event["event_type"]));
    type_ok
        && ["transfer_id", "account_id", "transfer_type", "sweep_id"]
            .iter()
            .all(|f| same(f))
}

/// `/transfer/event/list`: the matching events in `event_id` order, `offset` and `count`.
pub(crate) fn list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferEventListRequest = decode(request)?;
    let count = count(request, LIST_COUNT)?;
    let offset = request["offset"].as_u64().unwrap_or(0) as usize;
    let state = emu.model.lock();
    let matching: Vec<&Value> = state
        .transfer_events
        .iter()
        .filter(|e| matches(e, request))
        .collect();
    let page: Vec<&Value> = matching.iter().skip(offset).take(count).copied().collect();
    let has_more = offset + page.len() < matching.len();
    Ok(json!({"transfer_events": page, "has_more": has_more}))
}

/// `/transfer/event/sync`: the events after `after_id` ("or 0 initially"), at most `count`.
pub(crate) fn sync(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let sync: types::TransferEventSyncRequest = decode(request)?;
    let after = usize::try_from(sync.after_id)
        .map_err(|_| PlaidError::invalid_field("after_id must be at least 0"))?;
    let count = count(request, SYNC_COUNT)?;
    let state = emu.model.lock();
    let newer = state.transfer_events.get(after..).unwrap_or_default();
    let page = &newer[..count.min(newer.len())];
    Ok(json!({"transfer_events": page,
        "has_more": page.len() < newer.len()}))
}

/// The status a transfer moves to from `status` on `event_type` (docs, `api-sandbox.txt`:
/// "pending --> failed, pending --> posted, posted --> returned, posted --> settled").
fn transition(status: &str, event_type: &str) -> Option<&'static str> {
    match (status, event_type) {
        ("pending", "failed") => Some("failed"),
        ("pending", "posted") => Some("posted"),
        ("posted", "returned") => Some("returned"),
        ("posted", "settled") => Some("settled"),
        _ => None,
    }
}

/// `/sandbox/transfer/simulate`: the transfer takes the event, or
/// `SANDBOX_TRANSFER_EVENT_TRANSITION_INVALID` (`errors-sandbox.txt`).
pub(crate) fn simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxTransferSimulateRequest = decode(request)?;
    let transfer_id = request["transfer_id"].as_str().unwrap_or_default();
    let event_type = request["event_type"].as_str().unwrap_or_default();
    let webhook = {
        let mut state = emu.model.lock();
        let transfer = state
            .transfers
            .get_mut(transfer_id)
            .ok_or_else(|| PlaidError::invalid_field("transfer_id is not a transfer"))?;
        let status = transfer["status"].as_str().unwrap_or_default();
        let next = transition(status, event_type)
            .ok_or_else(PlaidError::transfer_event_transition_invalid)?;
        transfer["status"] = json!(next);
        if matches!(next, "failed" | "returned") {
            let given = request.get("failure_reason").filter(|v| !v.is_null());
            let reason = given.cloned().unwrap_or_else(|| default_failure(next));
            transfer["failure_reason"] = reason;
        }
        let transfer = transfer.clone();
        let now = emu.model.now();
        record_event(&mut state.transfer_events, &transfer, event_type, None, now);
        state.transfer_webhook.clone()
    };
    announce(emu, request, webhook)?;
    Ok(json!({}))
}

/// The failure reason of a simulated failure or return that named none.
fn default_failure(status: &str) -> Value {
    match status {
        "returned" => json!({"ach_return_code": "R01", "description": "Insufficient funds"}),
        _ => json!({"ach_return_code": null, "description": "The transfer failed (simulated)"}),
    }
}

#[cfg(test)]
mod tests {
    use super::transition;

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        let statuses = [
            "pending",
            "posted",
            "settled",
            "failed",
            "returned",
            "cancelled",
        ];
        let events = [
            "posted", "settled", "failed", "returned", "pending", "swept",
        ];
        let allowed: Vec<(&str, &str)> = statuses
            .iter()
            .flat_map(|s| events.iter().map(move |e| (*s, *e)))
            .filter(|(s, e)| transition(s, e).is_some())
            .collect();
        let documented = [
            ("pending", "posted"),
            ("pending", "failed"),
            ("posted", "settled"),
            ("posted", "returned"),
        ];
        assert_eq!(allowed.len(), documented.len());
        assert!(documented.iter().all(|d| allowed.contains(d)));
    }
}
