//! Transfers as the state holds them (docs: `api-products-transfer.txt`): an authorization and
//! the transfer made with it, and the events of transfers, each with the next sequential
//! `event_id` ("IDs are sequential unsigned 64-bit integers").

use std::time::SystemTime;

use serde_json::{json, Value};

use super::clock;

/// An authorization, and the transfer made with it.
pub(crate) struct Authorization {
    pub(crate) json: Value,
    pub(crate) transfer_id: Option<String>,
}

/// A new event of `transfer`, appended with the next `event_id`; returns it.
pub(crate) fn record_event(
    events: &mut Vec<Value>,
    transfer: &Value,
    event_type: &str,
    sweep: Option<(&str, String)>,
    now: SystemTime,
) -> Value {
    let event_id = events.len() + 1;
    let (sweep_id, sweep_amount) = match sweep {
        Some((id, amount)) => (json!(id), json!(amount)),
        None => (Value::Null, Value::Null),
    };
    let event = json!({
        "event_id": event_id,
        "timestamp": clock::rfc3339(now),
        "event_type": event_type,
        "account_id": transfer["account_id"],
        "funding_account_id": transfer["funding_account_id"],
        "transfer_id": transfer["id"],
        "transfer_type": transfer["type"],
        "transfer_amount": transfer["amount"],
        "failure_reason": transfer["failure_reason"],
        "sweep_id": sweep_id,
        "sweep_amount": sweep_amount,
        "origination_account_id": null,
        "originator_client_id": null,
        "refund_id": null,
    });
    events.push(event.clone());
    event
}
