//! Repayments (the pinned spec's `/sandbox/transfer/repayment/simulate`,
//! `/transfer/repayment/list`, `/transfer/repayment/return/list`; docs:
//! `api-products-transfer.txt`; the states are `model/repayments.rs`). Simulating makes one
//! repayment of every returned transfer not yet repaid, or, when there is none, the 400 the
//! spec names (`INVALID_FIELD`: it gives no code). Lists page with `count` (1–25, default 25)
//! and `offset`; repayments "in reverse-chronological order (most recent first)".

use std::time::SystemTime;

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use super::transfer_sweeps::{cents, decimal};
use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::repayments::{RepaidReturn, Repayment};
use crate::model::state::State;

/// The returns of the state not yet in a repayment, in `event_id` order.
fn unrepaid(state: &State) -> Vec<RepaidReturn> {
    state
        .transfer_events
        .iter()
        .filter(|e| e["event_type"] == "returned")
        .filter_map(|e| {
            let transfer_id = e["transfer_id"].as_str()?;
            let amount = state.transfers.get(transfer_id)?["amount"].as_str()?;
            Some(RepaidReturn {
                transfer_id: transfer_id.to_string(),
                event_id: e["event_id"].as_u64()?,
                cents: cents(amount),
            })
        })
        .filter(|r| !state.repayments.repaid(&r.transfer_id))
        .collect()
}

/// `/sandbox/transfer/repayment/simulate`.
pub(crate) fn simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxTransferRepaymentSimulateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let returns = unrepaid(&state);
    if returns.is_empty() {
        return Err(PlaidError::invalid_field(
            "there are no unreimbursed returns of guaranteed transfers to repay",
        ));
    }
    let n = state.repayments.all.len().to_string();
    let id = digest(&[&emu.model.seed.to_string(), "repayment", &n]);
    let created = emu.model.now();
    state.repayments.all.push(Repayment {
        id,
        created,
        returns,
    });
    Ok(json!({}))
}

/// `count` (1–25, default 25) and `offset` (≥ 0) of a list request, or `INVALID_FIELD` (also
/// the Bank Transfer event lists').
pub(crate) fn page(count: Option<i64>, offset: i64) -> Result<(usize, usize), PlaidError> {
    let count = count.unwrap_or(25);
    if !(1..=25).contains(&count) || offset < 0 {
        return Err(PlaidError::invalid_field(
            "count must be 1 to 25 and offset at least 0",
        ));
    }
    Ok((
        usize::try_from(count).unwrap_or(25),
        usize::try_from(offset).unwrap_or(0),
    ))
}

/// `/transfer/repayment/list`: most recent first, within `start_date`–`end_date`.
pub(crate) fn list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let list: types::TransferRepaymentListRequest = decode(request)?;
    let (count, offset) = page(list.count, list.offset)?;
    let start = list.start_date.map(SystemTime::from);
    let end = list.end_date.map(SystemTime::from);
    let state = emu.model.lock();
    let repayments: Vec<Value> = state
        .repayments
        .all
        .iter()
        .rev()
        .filter(|r| start.is_none_or(|s| r.created >= s) && end.is_none_or(|e| r.created <= e))
        .skip(offset)
        .take(count)
        .map(|r| {
            json!({"repayment_id": r.id, "created": rfc3339(r.created),
                "amount": decimal(r.cents()), "iso_currency_code": "USD"})
        })
        .collect();
    Ok(json!({"repayments": repayments}))
}

/// `/transfer/repayment/return/list`: the returns of `repayment_id` (unknown: `INVALID_FIELD`).
pub(crate) fn return_list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let list: types::TransferRepaymentReturnListRequest = decode(request)?;
    let (count, offset) = page(list.count, list.offset)?;
    let state = emu.model.lock();
    let repayment = state
        .repayments
        .get(&list.repayment_id)
        .ok_or_else(|| PlaidError::invalid_field("repayment_id is not a repayment"))?;
    let returns: Vec<Value> = repayment
        .returns
        .iter()
        .skip(offset)
        .take(count)
        .map(|r| {
            json!({"transfer_id": r.transfer_id, "event_id": r.event_id,
                "amount": decimal(r.cents), "iso_currency_code": "USD"})
        })
        .collect();
    Ok(json!({"repayment_returns": returns}))
}
