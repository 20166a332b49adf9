//! The Plaid Ledger (the pinned spec: `/transfer/ledger/get`, `/deposit`, `/withdraw`;
//! `/sandbox/transfer/ledger/deposit/simulate`, `/withdraw/simulate`, `/simulate_available`;
//! the balance and the sweep states are `model/ledger.rs`). A deposit or withdrawal with a
//! repeated `idempotency_key` returns the original sweep; a withdrawal over the available
//! balance is refused (`INVALID_FIELD`: Plaid documents no code for it); a simulation the
//! sweep's status does not allow is `SANDBOX_TRANSFER_EVENT_TRANSITION_INVALID`
//! (`errors-sandbox.txt`). Every simulation is announced by `TRANSFER_EVENTS_UPDATE`.

use plaid_client::operations::TransferLedgerDeposit;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::request::decode;
use super::transfer_events;
use super::transfer_sweeps::{cents, decimal};
use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::model::digest::digest;
use crate::model::ledger::{Direction, LedgerSweep, SweepStatus};
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;

/// The one ledger's id, from the seed.
fn ledger_id(emu: &Api) -> String {
    digest(&[&emu.model.seed.to_string(), "ledger"])
}

/// The request's `ledger_id`, if any, is the ledger's; else `INVALID_FIELD`.
fn check_ledger(emu: &Api, request: &Value) -> Result<(), PlaidError> {
    match request.get("ledger_id").and_then(Value::as_str) {
        Some(id) if id != ledger_id(emu) => {
            Err(PlaidError::invalid_field("ledger_id is not a ledger"))
        }
        _ => Ok(()),
    }
}

/// `/transfer/ledger/get`: the default ledger's balance.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferLedgerGetRequest = decode(request)?;
    check_ledger(emu, request)?;
    let state = emu.model.lock();
    let balance = json!({"available": decimal(state.ledger.available),
        "pending": decimal(state.ledger.pending)});
    Ok(
        json!({"ledger_id": ledger_id(emu), "balance": balance, "name": "Default ledger",
        "is_default": true}),
    )
}

/// A sweep as the ledger operations answer it.
fn rendered(emu: &Api, sweep: &LedgerSweep) -> Result<Value, PlaidError> {
    let mut body = example_value::<TransferLedgerDeposit>()?["sweep"].clone();
    body["id"] = json!(sweep.id);
    body["ledger_id"] = json!(ledger_id(emu));
    body["amount"] = json!(decimal(sweep.signed_cents()));
    body["status"] = json!(sweep.status.as_str());
    body["created"] = json!(rfc3339(sweep.created));
    body["iso_currency_code"] = json!("USD");
    body["failure_reason"] = Value::Null;
    Ok(body)
}

/// `/transfer/ledger/deposit`: a pending deposit sweep, its amount pending on the ledger.
pub(crate) fn deposit(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferLedgerDepositRequest = decode(request)?;
    move_money(emu, request, Direction::Deposit)
}

/// `/transfer/ledger/withdraw`: a pending withdrawal sweep, taken from the available balance.
pub(crate) fn withdraw(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferLedgerWithdrawRequest = decode(request)?;
    move_money(emu, request, Direction::Withdraw)
}

fn move_money(emu: &Api, request: &Value, direction: Direction) -> Result<Value, PlaidError> {
    check_ledger(emu, request)?;
    let mut state = emu.model.lock();
    let key = request["idempotency_key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(sweep) = state
        .ledger
        .keys
        .get(&key)
        .and_then(|id| state.ledger.sweep(id))
    {
        return Ok(json!({"sweep": rendered(emu, sweep)?}));
    }
    let amount = cents(request["amount"].as_str().unwrap_or_default());
    if amount <= 0 {
        return Err(PlaidError::invalid_field("amount must be more than 0.00"));
    }
    if direction == Direction::Withdraw && amount > state.ledger.available {
        return Err(PlaidError::invalid_field(&format!(
            "amount is more than the available balance, {}",
            decimal(state.ledger.available)
        )));
    }
    let n = state.ledger.sweeps.len().to_string();
    let sweep = LedgerSweep {
        id: digest(&[&emu.model.seed.to_string(), "ledger-sweep", &n]),
        direction,
        cents: amount,
        status: SweepStatus::Pending,
        created: emu.model.now(),
        held: false,
    };
    state.ledger.keys.insert(key, sweep.id.clone());
    let answer = json!({"sweep": rendered(emu, &sweep)?});
    state.ledger.add(sweep);
    Ok(answer)
}

/// `/sandbox/transfer/ledger/deposit/simulate`.
pub(crate) fn deposit_simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxTransferLedgerDepositSimulateRequest = decode(request)?;
    simulate(emu, request, Direction::Deposit)
}

/// `/sandbox/transfer/ledger/withdraw/simulate`.
pub(crate) fn withdraw_simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxTransferLedgerWithdrawSimulateRequest = decode(request)?;
    simulate(emu, request, Direction::Withdraw)
}

/// The sweep `sweep_id` of `direction` takes `event_type`.
fn simulate(emu: &Api, request: &Value, direction: Direction) -> Result<Value, PlaidError> {
    let webhook = {
        let mut state = emu.model.lock();
        let index = sweep_index(&state, request, direction)?;
        let event = request["event_type"].as_str().unwrap_or_default();
        state
            .ledger
            .simulate(index, event)
            .ok_or_else(PlaidError::transfer_event_transition_invalid)?;
        state.transfer_webhook.clone()
    };
    transfer_events::announce(emu, request, webhook)?;
    Ok(json!({}))
}

fn sweep_index(state: &State, request: &Value, direction: Direction) -> Result<usize, PlaidError> {
    let id = request["sweep_id"].as_str().unwrap_or_default();
    state
        .ledger
        .sweeps
        .iter()
        .position(|s| s.id == id && s.direction == direction)
        .ok_or_else(|| PlaidError::invalid_field("sweep_id is not a ledger sweep of this kind"))
}

/// `/sandbox/transfer/ledger/simulate_available`: the pending balance made available ("simulate
/// converting pending balance to available balance").
pub(crate) fn simulate_available(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxTransferLedgerSimulateAvailableRequest = decode(request)?;
    check_ledger(emu, request)?;
    let webhook = {
        let mut state = emu.model.lock();
        state.ledger.make_available();
        state.transfer_webhook.clone()
    };
    transfer_events::announce(emu, request, webhook)?;
    Ok(json!({}))
}
