//! A change to an Item's transactions, applied and announced: the history changes
//! (`model/changes.rs`), then the Item's `SYNC_UPDATES_AVAILABLE` webhook goes to its URL
//! (docs: `transactions-webhooks.txt`). What `/sandbox/transactions/create` and the control
//! calls that add, post, modify or remove transactions share.

use crate::api::Api;
use crate::model::changes::{apply, Change, ControlError};
use crate::model::clock::day_of;
use crate::webhooks::bodies;

/// Apply `change` to the Item's history, then fire its `SYNC_UPDATES_AVAILABLE` webhook
/// if it has a URL. The ids of the transactions added (none for a change or removal).
pub(crate) fn change(
    emu: &Api,
    item_id: &str,
    change: Change<'_>,
) -> Result<Vec<String>, ControlError> {
    let seed = emu.model.seed.to_string();
    let (added, webhook) = {
        let mut state = emu.model.lock();
        let item = state
            .items
            .get_mut(item_id)
            .ok_or_else(|| ControlError::UnknownItem {
                item_id: item_id.to_string(),
            })?;
        if item.removed {
            return Err(ControlError::ItemRemoved {
                item_id: item_id.to_string(),
            });
        }
        // Up to today first: what came due posts, and what the change adds is dated today.
        item.history.catch_up(day_of(emu.model.now()));
        let added = apply(&seed, item, change)?;
        // The body is Plaid's SYNC_UPDATES_AVAILABLE, typed (an Item without
        // Transactions gets none, as Plaid sends none).
        let body = bodies::fired(item, "SYNC_UPDATES_AVAILABLE", None, None, emu.model.now()).ok();
        let webhook = item.webhook.clone().zip(body);
        (added, webhook)
    };
    if let Some((url, payload)) = webhook {
        emu.webhooks.deliver(url, payload);
    }
    Ok(added)
}
