//! Sweeps (docs, `api-sandbox.txt` `/sandbox/transfer/sweep/simulate`: "all posted or pending
//! transfers with a sweep status of unswept will become swept, and all returned transfers with
//! a sweep status of swept will become return_swept"; `api-products-transfer.txt`: a sweep's
//! amount is the sum of its `swept` and `return_swept` events). A debit moves money into the
//! sweep account (a positive amount), a credit out of it; a return undoes a sweep.

use plaid_client::operations::SandboxTransferSweepSimulate;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::request::decode;
use super::transfer_events;
use crate::api::Api;
use crate::model::clock;
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;
use crate::model::transfers::record_event;

/// The funding account of the emulator's one Transfer integration.
const FUNDING_ACCOUNT: &str = "emulator-funding-account";

/// Cents of a decimal amount string ("12.34" → 1234).
pub(crate) fn cents(amount: &str) -> i64 {
    let (units, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
    // The amount is the caller's text: the first two characters, whatever they are.
    let fraction: String = format!("{fraction:0<2}").chars().take(2).collect();
    let units: i64 = units.parse().unwrap_or(0);
    units
        .saturating_mul(100)
        .saturating_add(fraction.parse::<i64>().unwrap_or(0))
}

/// Cents as a decimal amount string (-550 → "-5.50").
pub(crate) fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let magnitude = cents.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// What sweeping does to a transfer: its new sweep status, event and signed amount in cents.
fn sweep_of(transfer: &Value) -> Option<(&'static str, i64)> {
    let amount = cents(transfer["amount"].as_str().unwrap_or("0"));
    let signed = if transfer["type"] == "credit" {
        amount.saturating_neg()
    } else {
        amount
    };
    match (
        transfer["status"].as_str()?,
        transfer["sweep_status"].as_str()?,
    ) {
        ("posted" | "pending", "unswept") => Some(("swept", signed)),
        ("returned", "swept") => Some(("return_swept", signed.saturating_neg())),
        _ => None,
    }
}

/// Sweep every transfer that can be, in the order they were made; the sweep, if any.
fn sweep(emu: &Api, state: &mut State) -> Result<Option<Value>, PlaidError> {
    let order: Vec<String> = state
        .transfer_events
        .iter()
        .filter(|e| e["event_type"] == "pending")
        .filter_map(|e| e["transfer_id"].as_str().map(str::to_string))
        .collect();
    let sweep_id = digest(&[
        &emu.model.seed.to_string(),
        "sweep",
        &state.sweeps.len().to_string(),
    ]);
    let mut total = 0;
    let mut swept = 0;
    for id in order {
        let Some(transfer) = state.transfers.get_mut(&id) else {
            continue;
        };
        let Some((event_type, amount)) = sweep_of(transfer) else {
            continue;
        };
        transfer["sweep_status"] = json!(event_type);
        let transfer = transfer.clone();
        record_event(
            &mut state.transfer_events,
            &transfer,
            event_type,
            Some((&sweep_id, decimal(amount))),
            emu.model.now(),
        );
        total = i64::saturating_add(total, amount);
        swept += 1;
    }
    if swept == 0 {
        return Ok(None);
    }
    let mut sweep = example_value::<SandboxTransferSweepSimulate>()?["sweep"].clone();
    sweep["id"] = json!(sweep_id);
    sweep["amount"] = json!(decimal(total));
    sweep["funding_account_id"] = json!(FUNDING_ACCOUNT);
    sweep["created"] = json!(clock::rfc3339(emu.model.now()));
    sweep["iso_currency_code"] = json!("USD");
    sweep["failure_reason"] = Value::Null;
    state.sweeps.push(sweep.clone());
    Ok(Some(sweep))
}

/// `/sandbox/transfer/sweep/simulate`: a sweep of what can be swept (`sweep` null if nothing).
pub(crate) fn simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxTransferSweepSimulateRequest = decode(request)?;
    let (sweep, webhook) = {
        let mut state = emu.model.lock();
        let sweep = sweep(emu, &mut state)?;
        (sweep, state.transfer_webhook.clone())
    };
    if sweep.is_some() {
        transfer_events::announce(emu, request, webhook)?;
    }
    Ok(json!({"sweep": sweep}))
}

/// `/transfer/sweep/list`: the sweeps, oldest first, `offset` and `count` (1–25).
pub(crate) fn list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferSweepListRequest = decode(request)?;
    let count = transfer_events::count(request, transfer_events::LIST_COUNT)?;
    let offset = request["offset"].as_u64().unwrap_or(0) as usize;
    let state = emu.model.lock();
    let sweeps: Vec<&Value> = state.sweeps.iter().skip(offset).take(count).collect();
    Ok(json!({"sweeps": sweeps}))
}

#[cfg(test)]
mod tests {
    use super::{cents, decimal};

    #[test]
    fn amounts_round_trip_through_cents() {
        assert_eq!(cents("12.34"), 1234);
        assert_eq!(cents("5"), 500);
        assert_eq!(cents("0.5"), 50);
        assert_eq!(cents("1.é5"), 100, "not a panic");
        assert_eq!(decimal(-550), "-5.50");
        assert_eq!(decimal(1234), "12.34");
    }
}
