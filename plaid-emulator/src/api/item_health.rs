//! Whether an Item works: `/sandbox/item/reset_login` puts it into `ITEM_LOGIN_REQUIRED`
//! (docs, `api-sandbox.txt`: "forces an Item into an ITEM_LOGIN_REQUIRED state … An
//! ITEM_LOGIN_REQUIRED webhook will also be fired after a call to this endpoint, if one is
//! associated with the Item"), which every product call then answers (`request::item_of`) and
//! `/item/get` shows, until Link's update mode repairs it (`link.rs`).
//!
//! Repairing through update mode fires no webhook: `LOGIN_REPAIRED` is documented (the spec's
//! `ItemLoginRepairedWebhook`) as fired when the Item left the state "without the user having
//! gone through the update mode flow in your app".

use plaid_client::types;
use serde_json::{json, Value};

use super::request::{decode, item_record};
use crate::api::Api;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;
use crate::webhooks::bodies;

/// `/sandbox/item/reset_login`: the Item needs its login again; an `ITEM` / `ERROR` webhook
/// carrying `ITEM_LOGIN_REQUIRED` goes to its webhook URL, if it has one.
pub(crate) fn reset_login(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxItemResetLoginRequest = decode(request)?;
    let error = PlaidError::item_login_required();
    let webhook = {
        let mut state = emu.model.lock();
        let item = item_record(&state, request)?;
        let webhook = match &item.webhook {
            Some(url) => Some((url.clone(), bodies::item_error(item, &error)?)),
            None => None,
        };
        let id = item.item_id.clone();
        state.item_errors.insert(id, error);
        webhook
    };
    if let Some((url, body)) = webhook {
        emu.webhooks.deliver(url, body);
    }
    Ok(json!({"reset_login": true}))
}

/// The Item works again (update-mode Link succeeded); whether it was in error.
pub(crate) fn repair(state: &mut State, item_id: &str) -> bool {
    state.item_errors.remove(item_id).is_some()
}
