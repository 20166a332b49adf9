//! An Item brought up to the emulator's clock, before a request about it is answered and after
//! the clock is advanced: what time does to an Item on its own happens here, once. Two things
//! do: pending transactions whose posting day came post (`transactions.rs`, with the Item's
//! `SYNC_UPDATES_AVAILABLE`), and a Sandbox Item's login expires 30 days after it was linked or
//! last repaired (`item_health.rs`, with its `ITEM_LOGIN_REQUIRED` webhook). Either fires at
//! most once for what came due: catching up twice changes nothing twice.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::{item_health, transactions};
use crate::api::Api;
use crate::model::state::State;

/// The webhooks one Item's catch-up fires, as (URL, body), in the order they happened.
type Fired = Vec<(String, Vec<u8>)>;

/// `item_id` brought up to `now`; the webhooks to send.
fn catch_up_item(state: &mut State, item_id: &str, now: SystemTime) -> Fired {
    let mut fired = Vec::new();
    if let Some(item) = state.items.get_mut(item_id) {
        fired.extend(transactions::catch_up_item(item, now));
    }
    fired.extend(item_health::expire_login(state, item_id, now));
    fired
}

/// Bring the Item up to the emulator's clock before a request about it is answered, so time
/// that passed on the system clock acts as it would have; its webhooks sent.
pub(crate) fn catch_up(emu: &Api, item_id: &str) {
    let now = emu.model.now();
    let fired = catch_up_item(&mut emu.model.lock(), item_id, now);
    for (url, body) in fired {
        emu.webhooks.deliver(url, body);
    }
}

/// Bring every Item up to the emulator's clock (after an advance): their webhooks sent in the
/// order of the Items' ids, so the order does not depend on the map's.
pub(crate) fn catch_up_all(emu: &Api) {
    let now = emu.model.now();
    let fired: BTreeMap<String, Fired> = {
        let mut state = emu.model.lock();
        let ids: Vec<String> = state.items.keys().cloned().collect();
        ids.into_iter()
            .map(|id| {
                let fired = catch_up_item(&mut state, &id, now);
                (id, fired)
            })
            .collect()
    };
    for (url, body) in fired.into_values().flatten() {
        emu.webhooks.deliver(url, body);
    }
}
