//! Whether an Item works: `/sandbox/item/reset_login` puts it into `ITEM_LOGIN_REQUIRED`
//! (docs, `api-sandbox.txt`: "forces an Item into an ITEM_LOGIN_REQUIRED state … An
//! ITEM_LOGIN_REQUIRED webhook will also be fired after a call to this endpoint, if one is
//! associated with the Item"), which every product call then answers (`request::item_of`) and
//! `/item/get` shows, until Link's update mode repairs it (`link.rs`).
//!
//! `/sandbox/user/reset_login` does the same to each Item of a user (`users.rs`).
//!
//! A Sandbox Item's login also expires by itself: the spec (`/sandbox/item/reset_login`,
//! `/sandbox/user/reset_login`) says "In the Sandbox, Items will transition to an
//! `ITEM_LOGIN_REQUIRED` error state automatically after 30 days, even if this endpoint is not
//! called". [`expire_login`] does so on the emulator's clock, 30 days after the Item was
//! linked or its login last repaired (`item_clock.rs` calls it).
//!
//! Repairing through update mode fires no webhook: `LOGIN_REPAIRED` is documented (the spec's
//! `ItemLoginRepairedWebhook`) as fired when the Item left the state "without the user having
//! gone through the update mode flow in your app".

use std::time::SystemTime;

use plaid_client::types;
use serde_json::{json, Value};

use super::request::{decode, item_record};
use super::users;
use crate::api::Api;
use crate::model::clock::since;
use crate::model::items::SANDBOX_LOGIN_LIFETIME;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;
use crate::model::users::UserRef;
use crate::webhooks::bodies;

/// `/sandbox/item/reset_login`: the Item needs its login again; an `ITEM` / `ERROR` webhook
/// carrying `ITEM_LOGIN_REQUIRED` goes to its webhook URL, if it has one.
pub(crate) fn reset_login(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxItemResetLoginRequest = decode(request)?;
    let webhook = {
        let mut state = emu.model.lock();
        let id = item_record(&state, request)?.item_id.clone();
        reset(&mut state, &id)?
    };
    if let Some((url, body)) = webhook {
        emu.webhooks.deliver(url, body);
    }
    Ok(json!({"reset_login": true}))
}

/// `/sandbox/user/reset_login` (the spec: "functions the same as /sandbox/item/reset_login, but
/// will modify Items related to a User"; `item_ids`: "If empty or null, this field will default
/// to resetting all Items associated with the User"): each Item is reset as above, each with
/// its webhook. An `item_ids` entry that is not one of the user's Items is `INVALID_FIELD`
/// (Plaid documents no error of its own for it), a removed one `ITEM_NOT_FOUND`; nothing is
/// reset then.
pub(crate) fn user_reset_login(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let reset_request: types::SandboxUserResetLoginRequest = decode(request)?;
    let webhooks = {
        let mut state = emu.model.lock();
        let user_id = users::required(&state, request)?;
        let items = user_items(&state, &user_id, reset_request.item_ids.as_deref())?;
        let mut webhooks = Vec::new();
        for id in items {
            webhooks.extend(reset(&mut state, &id)?);
        }
        webhooks
    };
    for (url, body) in webhooks {
        emu.webhooks.deliver(url, body);
    }
    Ok(json!({}))
}

/// The Items of `user_id` to reset: those `listed`, each checked, or all it has (not removed).
fn user_items(
    state: &State,
    user_id: &str,
    listed: Option<&[types::ItemId]>,
) -> Result<Vec<String>, PlaidError> {
    let user = state
        .users
        .get(UserRef::Id(user_id))
        .map_err(users::user_error)?;
    let removed = |id: &str| state.items.get(id).is_none_or(|i| i.removed);
    let Some(listed) = listed.filter(|l| !l.is_empty()) else {
        return Ok(user
            .items
            .iter()
            .filter(|id| !removed(id))
            .cloned()
            .collect());
    };
    let mut items = Vec::with_capacity(listed.len());
    for id in listed.iter().map(|id| id.0.clone()) {
        if !user.items.contains(&id) {
            let why = format!("item_ids: {id} is not an Item of this user");
            return Err(PlaidError::invalid_field(&why));
        }
        if removed(&id) {
            return Err(PlaidError::item_not_found());
        }
        items.push(id);
    }
    Ok(items)
}

/// `item_id` in `ITEM_LOGIN_REQUIRED`; the webhook to send for it, if it has a URL.
fn reset(state: &mut State, item_id: &str) -> Result<Option<(String, Vec<u8>)>, PlaidError> {
    let error = PlaidError::item_login_required();
    let Some(item) = state.items.get(item_id) else {
        return Err(PlaidError::item_not_found());
    };
    let webhook = match &item.webhook {
        Some(url) => Some((url.clone(), bodies::item_error(item, &error)?)),
        None => None,
    };
    state.item_errors.insert(item_id.to_string(), error);
    Ok(webhook)
}

/// The Item works again (update-mode Link succeeded at `now`, from when its login's 30 days
/// count again); whether it was in error.
pub(crate) fn repair(state: &mut State, item_id: &str, now: SystemTime) -> bool {
    if let Some(item) = state.items.get_mut(item_id) {
        item.login_since = now;
    }
    state.item_errors.remove(item_id).is_some()
}

/// `item_id` in `ITEM_LOGIN_REQUIRED` if its login is [`SANDBOX_LOGIN_LIFETIME`] old at `now`
/// and it is not removed or in an error already; its webhook to send, if it has a URL.
pub(crate) fn expire_login(
    state: &mut State,
    item_id: &str,
    now: SystemTime,
) -> Option<(String, Vec<u8>)> {
    let item = state.items.get(item_id)?;
    let due = since(now, item.login_since) >= SANDBOX_LOGIN_LIFETIME;
    if item.removed || !due || state.item_errors.contains_key(item_id) {
        return None;
    }
    reset(state, item_id).ok().flatten()
}
