//! Recurring transfers (docs: `api-products-transfer.txt` `/transfer/recurring/create`,
//! `/get`, `/list`, `/cancel`; `transfer-recurring-transfers.txt`): a schedule of transfers,
//! bound in Sandbox to a test clock (`transfer_test_clocks.rs`) whose advances originate them;
//! one bound to none follows the emulator's clock (`catch_up`, on `Emulator::advance` and before
//! each read).
//! `idempotency_key` makes a retried create return the original; a test clock takes at most 5.
//! The transfers it originates are ordinary transfers (`/transfer/get`, `/transfer/list`, their
//! `pending` event), each announced by `RECURRING_NEW_TRANSFER`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use plaid_client::operations::{TransferCreate, TransferRecurringCreate};
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::request::{decode, item_of};
use super::transfer_events;
use crate::api::Api;
use crate::model::clock::{date_of_day, day_of, parse_date, rfc3339};
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::recurring::{
    counted_from, Recurring, RecurringStatus, Schedule, MAX_RECURRING_PER_CLOCK,
};
use crate::model::state::State;
use crate::model::transfers::record_event;
use crate::webhooks::bodies;

/// A request's date-time as an instant (before 1970: the epoch).
pub(crate) fn instant(timestamp: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(timestamp).unwrap_or(0))
}

/// `/transfer/recurring/create`: a recurring transfer for an account of the Item, active, its
/// first origination on the first execution day on or after `start_date`.
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::TransferRecurringCreateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let item = item_of(&state, request)?;
    if !item
        .accounts
        .iter()
        .any(|a| a["account_id"] == request["account_id"])
    {
        return Err(PlaidError::invalid_field(
            "account_id is not an account of this Item",
        ));
    }
    let key = create.idempotency_key.to_string();
    if let Some(recurring) = state
        .recurring
        .keys
        .get(&key)
        .and_then(|id| state.recurring.get(id))
    {
        return Ok(answer_created(recurring));
    }
    let created = match &create.test_clock_id {
        Some(id) => clock_time(&state, id)?,
        None => emu.model.now(),
    };
    let schedule = schedule_of(&request["schedule"])?;
    let n = state.recurring.transfers.len().to_string();
    let id = digest(&[&emu.model.seed.to_string(), "recurring", &n]);
    let mut recurring = Recurring {
        id: id.clone(),
        test_clock_id: create.test_clock_id.clone(),
        schedule,
        status: RecurringStatus::Active,
        transfer_ids: Vec::new(),
        passed: 0,
        body: body_of(request, created)?,
    };
    let before = counted_from(created);
    let past = (0..)
        .map_while(|k| recurring.schedule.nth(k))
        .take_while(|d| *d <= before);
    recurring.pass(past.count());
    let answer = answer_created(&recurring);
    state.recurring.keys.insert(key, id);
    state.recurring.transfers.push(recurring);
    Ok(answer)
}

/// The virtual time of test clock `id`, if it can take one more recurring transfer.
fn clock_time(state: &State, id: &str) -> Result<SystemTime, PlaidError> {
    let clock = state
        .recurring
        .clock(id)
        .ok_or_else(|| PlaidError::invalid_field("test_clock_id is not a test clock"))?;
    if state.recurring.bound_to(id) >= MAX_RECURRING_PER_CLOCK {
        return Err(PlaidError::invalid_field(
            "a test clock can be associated with up to 5 recurring transfers",
        ));
    }
    Ok(clock.virtual_time)
}

/// The request's schedule (already checked against its type), or `INVALID_FIELD` saying what
/// the docs allow.
fn schedule_of(schedule: &Value) -> Result<Schedule, PlaidError> {
    let date = |field: &str| schedule[field].as_str().map(parse_date);
    Schedule::new(
        schedule["interval_unit"].as_str().unwrap_or_default(),
        schedule["interval_count"].as_i64().unwrap_or(0),
        schedule["interval_execution_day"].as_i64().unwrap_or(0),
        date("start_date").flatten(),
        date("end_date").map_or(Some(None), |d| d.map(Some)),
    )
    .map_err(|e| PlaidError::invalid_field(&e.to_string()))
}

/// The user of a request as a response shows it: every field, `null` where not given.
fn user_of(user: &Value) -> Value {
    let text = |v: &Value, f: &str| v.get(f).cloned().unwrap_or(Value::Null);
    let address = user.get("address").filter(|a| a.is_object()).map(|a| {
        json!({"street": text(a, "street"), "city": text(a, "city"), "region": text(a, "region"),
            "postal_code": text(a, "postal_code"), "country": text(a, "country")})
    });
    json!({"legal_name": text(user, "legal_name"), "phone_number": text(user, "phone_number"),
        "email_address": text(user, "email_address"), "address": address})
}

/// What a recurring transfer keeps of its request, as its answers show it: the spec's example
/// with what the request gave (fields it left out keep the example's values).
fn body_of(request: &Value, created: SystemTime) -> Result<Value, PlaidError> {
    let mut body = example_value::<TransferRecurringCreate>()?["recurring_transfer"].clone();
    let given = [
        "type",
        "amount",
        "ach_class",
        "network",
        "account_id",
        "funding_account_id",
        "iso_currency_code",
        "description",
        "schedule",
    ];
    for field in given {
        if let Some(value) = request.get(field).filter(|v| !v.is_null()) {
            body[field] = value.clone();
        }
    }
    body["created"] = json!(rfc3339(created));
    body["user"] = user_of(&request["user"]);
    Ok(body)
}

/// A recurring transfer as `/transfer/recurring/get` answers it.
pub(crate) fn rendered(recurring: &Recurring) -> Value {
    let mut body = recurring.body.clone();
    body["recurring_transfer_id"] = json!(recurring.id);
    body["test_clock_id"] = json!(recurring.test_clock_id);
    body["status"] = json!(recurring.status.as_str());
    body["transfer_ids"] = json!(recurring.transfer_ids);
    body["next_origination_date"] = json!(recurring.next_date().map(date_of_day));
    body
}

fn answer_created(recurring: &Recurring) -> Value {
    json!({"recurring_transfer": rendered(recurring), "decision": "approved",
        "decision_rationale": null})
}

/// The recurring transfer a request names, or `INVALID_FIELD`.
fn named<'s>(state: &'s State, request: &Value) -> Result<&'s Recurring, PlaidError> {
    let id = request["recurring_transfer_id"]
        .as_str()
        .unwrap_or_default();
    state.recurring.get(id).ok_or_else(|| {
        PlaidError::invalid_field("recurring_transfer_id is not a recurring transfer")
    })
}

/// `/transfer/recurring/get`.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferRecurringGetRequest = decode(request)?;
    catch_up(emu)?;
    let state = emu.model.lock();
    Ok(json!({"recurring_transfer": rendered(named(&state, request)?)}))
}

/// `/transfer/recurring/cancel`: an active one is cancelled, no more transfers originate
/// ("Scheduled transfer that hasn't been submitted to bank will be cancelled").
pub(crate) fn cancel(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferRecurringCancelRequest = decode(request)?;
    let mut state = emu.model.lock();
    let id = named(&state, request)?.id.clone();
    if let Some(recurring) = state.recurring.transfers.iter_mut().find(|r| r.id == id) {
        if recurring.status == RecurringStatus::Active {
            recurring.status = RecurringStatus::Cancelled;
        }
    }
    Ok(json!({}))
}

/// `/transfer/recurring/list`: oldest first, `offset` and `count` (1–25).
pub(crate) fn list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::TransferRecurringListRequest = decode(request)?;
    catch_up(emu)?;
    let count = transfer_events::count(request, transfer_events::LIST_COUNT)?;
    let offset = request["offset"].as_u64().unwrap_or(0) as usize;
    let state = emu.model.lock();
    let page: Vec<Value> = state
        .recurring
        .transfers
        .iter()
        .skip(offset)
        .take(count)
        .map(rendered)
        .collect();
    Ok(json!({"recurring_transfers": page}))
}

/// The `n`-th transfer of `recurring` (from 0), originated on `day`: pending, with its
/// `pending` event; its id.
pub(crate) fn originate(
    emu: &Api,
    state: &mut State,
    recurring: &Recurring,
    (n, day): (usize, u64),
) -> Result<String, PlaidError> {
    let n = n.to_string();
    let id = digest(&[&emu.model.seed.to_string(), "transfer", &recurring.id, &n]);
    let at = instant(i64::try_from(day * 86_400).unwrap_or(0));
    let mut transfer = example_value::<TransferCreate>()?["transfer"].clone();
    for field in [
        "account_id",
        "amount",
        "description",
        "type",
        "network",
        "ach_class",
        "user",
    ] {
        transfer[field] = recurring.body[field].clone();
    }
    transfer["id"] = json!(id);
    transfer["recurring_transfer_id"] = json!(recurring.id);
    transfer["created"] = json!(rfc3339(at));
    transfer["status"] = json!("pending");
    transfer["sweep_status"] = json!("unswept");
    transfer["failure_reason"] = Value::Null;
    state.transfers.insert(id.clone(), transfer.clone());
    record_event(&mut state.transfer_events, &transfer, "pending", None, at);
    Ok(id)
}

/// The positions of the recurring transfers bound to test clock `clock` (`None`: to none).
pub(crate) fn bound_to(state: &State, clock: Option<&str>) -> Vec<usize> {
    let transfers = &state.recurring.transfers;
    (0..transfers.len())
        .filter(|i| transfers[*i].test_clock_id.as_deref() == clock)
        .collect()
}

/// Originate what is due by `today` for the recurring transfers at `positions`: (recurring id,
/// transfer id) pairs, in order.
pub(crate) fn originate_due(
    emu: &Api,
    state: &mut State,
    positions: &[usize],
    today: u64,
) -> Result<Vec<(String, String)>, PlaidError> {
    let mut made = Vec::new();
    for &i in positions {
        let recurring = state.recurring.transfers[i].clone();
        let due = recurring.due(today);
        let mut ids = Vec::with_capacity(due.len());
        for (k, day) in due.iter().enumerate() {
            let n = recurring.transfer_ids.len() + k;
            ids.push(originate(emu, state, &recurring, (n, *day))?);
        }
        let recurring = &mut state.recurring.transfers[i];
        recurring.pass(due.len());
        for transfer_id in ids {
            made.push((recurring.id.clone(), transfer_id.clone()));
            recurring.transfer_ids.push(transfer_id);
        }
    }
    Ok(made)
}

/// The recurring transfers bound to no test clock follow the emulator's clock: what its
/// time made due is originated (at most 21 of each per call), and announced. Called when the
/// clock is advanced and before recurring transfers are read.
pub(crate) fn catch_up(emu: &Api) -> Result<(), PlaidError> {
    let today = day_of(emu.model.now());
    let (made, webhook) = {
        let mut state = emu.model.lock();
        let unbound = bound_to(&state, None);
        (
            originate_due(emu, &mut state, &unbound, today)?,
            state.transfer_webhook.clone(),
        )
    };
    announce(emu, &made, webhook)
}

/// After originations: one `RECURRING_NEW_TRANSFER` per transfer, then
/// `TRANSFER_EVENTS_UPDATE`, to the Transfer webhook if there is one.
pub(crate) fn announce(
    emu: &Api,
    made: &[(String, String)],
    webhook: Option<String>,
) -> Result<(), PlaidError> {
    let Some(url) = webhook.filter(|_| !made.is_empty()) else {
        return Ok(());
    };
    for (recurring_id, transfer_id) in made {
        let body = bodies::recurring_new_transfer(recurring_id, transfer_id)?;
        emu.webhooks.deliver(url.clone(), body);
    }
    transfer_events::announce(emu, &Value::Null, Some(url))
}
