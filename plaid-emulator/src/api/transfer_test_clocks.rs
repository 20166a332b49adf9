//! Sandbox test clocks (docs: `api-sandbox.txt` `/sandbox/transfer/test_clock/create`,
//! `/advance`, `/get`, `/list`; `transfer-recurring-transfers.txt`): an independent timeline
//! with a `virtual_time` that "may never go back to a lower virtual_time". Advancing it
//! originates, for each active recurring transfer bound to it, one transfer per origination
//! date passed ("if the test clock is advanced by 14 days, you should see two new transfers"),
//! at most 20 per recurring transfer per advance (a longer advance is `INVALID_FIELD`).

use std::time::SystemTime;

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use super::transfer_events;
use super::transfer_recurring::{announce, bound_to, instant, originate_due};
use crate::api::Api;
use crate::model::clock::{day_of, rfc3339};
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::recurring::{TestClock, MAX_ORIGINATIONS_PER_ADVANCE};
use crate::model::state::State;

fn rendered(clock: &TestClock) -> Value {
    json!({"test_clock_id": clock.id, "virtual_time": rfc3339(clock.virtual_time)})
}

/// `/sandbox/transfer/test_clock/create`: at `virtual_time`, or now on the emulator's clock.
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::SandboxTransferTestClockCreateRequest = decode(request)?;
    let virtual_time = match create.virtual_time {
        Some(at) => instant(at.timestamp()),
        None => emu.model.now(),
    };
    let mut state = emu.model.lock();
    let n = state.recurring.clocks.len().to_string();
    let id = digest(&[&emu.model.seed.to_string(), "test_clock", &n]);
    let clock = TestClock { id, virtual_time };
    let answer = json!({"test_clock": rendered(&clock)});
    state.recurring.clocks.push(clock);
    Ok(answer)
}

/// The test clock a request names, or `INVALID_FIELD`.
fn named<'s>(state: &'s State, request: &Value) -> Result<&'s TestClock, PlaidError> {
    let id = request["test_clock_id"].as_str().unwrap_or_default();
    state
        .recurring
        .clock(id)
        .ok_or_else(|| PlaidError::invalid_field("test_clock_id is not a test clock"))
}

/// `/sandbox/transfer/test_clock/get`.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxTransferTestClockGetRequest = decode(request)?;
    let state = emu.model.lock();
    Ok(json!({"test_clock": rendered(named(&state, request)?)}))
}

/// `/sandbox/transfer/test_clock/list`: by ascending `virtual_time`, between
/// `start_virtual_time` and `end_virtual_time` if given, `offset` and `count` (1–25).
pub(crate) fn list(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let list: types::SandboxTransferTestClockListRequest = decode(request)?;
    let count = transfer_events::count(request, transfer_events::LIST_COUNT)?;
    let from = list.start_virtual_time.map(|at| instant(at.timestamp()));
    let to = list.end_virtual_time.map(|at| instant(at.timestamp()));
    let state = emu.model.lock();
    let mut clocks: Vec<&TestClock> = state
        .recurring
        .clocks
        .iter()
        .filter(|c| from.is_none_or(|from| c.virtual_time >= from))
        .filter(|c| to.is_none_or(|to| c.virtual_time <= to))
        .collect();
    clocks.sort_by_key(|c| c.virtual_time);
    let offset = usize::try_from(list.offset.max(0)).unwrap_or(0);
    let page: Vec<Value> = clocks
        .into_iter()
        .skip(offset)
        .take(count)
        .map(rendered)
        .collect();
    Ok(json!({"test_clocks": page}))
}

/// `/sandbox/transfer/test_clock/advance`: the clock at `new_virtual_time` (never back), and
/// each bound active recurring transfer's originations up to that day made.
pub(crate) fn advance(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let advance: types::SandboxTransferTestClockAdvanceRequest = decode(request)?;
    let to = instant(advance.new_virtual_time.timestamp());
    let (made, webhook) = {
        let mut state = emu.model.lock();
        let made = advance_to(emu, &mut state, &advance.test_clock_id, to)?;
        (made, state.transfer_webhook.clone())
    };
    announce(emu, &made, webhook)?;
    Ok(json!({}))
}

/// Move clock `id` to `to` and originate what came due: (recurring id, transfer id) pairs.
fn advance_to(
    emu: &Api,
    state: &mut State,
    id: &str,
    to: SystemTime,
) -> Result<Vec<(String, String)>, PlaidError> {
    let clock = named(state, &json!({"test_clock_id": id}))?;
    if to < clock.virtual_time {
        return Err(PlaidError::invalid_field(
            "new_virtual_time must not be before the test clock's virtual_time",
        ));
    }
    let today = day_of(to);
    let bound = bound_to(state, Some(id));
    if bound
        .iter()
        .any(|i| state.recurring.transfers[*i].due(today).len() > MAX_ORIGINATIONS_PER_ADVANCE)
    {
        return Err(PlaidError::invalid_field(
            "the advance would make more than 20 originations of a recurring transfer",
        ));
    }
    let made = originate_due(emu, state, &bound, today)?;
    if let Some(clock) = state.recurring.clocks.iter_mut().find(|c| c.id == id) {
        clock.virtual_time = to;
    }
    Ok(made)
}
