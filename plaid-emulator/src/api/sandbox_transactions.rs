//! `user_transactions_dynamic`'s transactions (docs: "Transactions dynamic testing
//! credentials", <https://plaid.com/docs/sandbox/test-credentials/>: "simulated realistic
//! transaction activity, including the creation of new transactions that begin in a pending
//! state and move to posted"): each `/transactions/refresh` posts the pending transactions the
//! previous refresh added (each pending one `removed`, a posted one naming it in
//! `pending_transaction_id` `added`, as `transactions-transactions-data.txt` describes
//! posting) and adds [`NEW_PER_REFRESH`] new pending ones, then fires the Item's
//! `SYNC_UPDATES_AVAILABLE` once (`transactions-webhooks.txt`).

use crate::api::Api;
use crate::model::changes::{apply, Change};
use crate::model::plaid_error::PlaidError;
use crate::model::sandbox_items::UserKind;
use crate::webhooks::bodies;

/// How many pending transactions each refresh adds.
pub(crate) const NEW_PER_REFRESH: usize = 2;

/// What `/transactions/refresh` does to `item_id`'s transactions: nothing, unless
/// `user_transactions_dynamic` linked it.
pub(crate) fn refresh(emu: &Api, item_id: &str) -> Result<(), PlaidError> {
    let seed = emu.model.seed.to_string();
    let webhook = {
        let mut state = emu.model.lock();
        let pending = match state.sandbox.item(item_id) {
            Some(extras) if extras.user == UserKind::DynamicTransactions => extras.pending.clone(),
            _ => return Ok(()),
        };
        let item = state
            .items
            .get_mut(item_id)
            .ok_or_else(PlaidError::invalid_access_token)?;
        for id in &pending {
            // A pending transaction a control call posted or removed meanwhile stays as it is.
            let _ = apply(&seed, item, Change::Post(id));
        }
        let added = apply(&seed, item, Change::AddPending(NEW_PER_REFRESH))
            .map_err(|e| PlaidError::internal(&e.to_string()))?;
        let body = bodies::fired(item, "SYNC_UPDATES_AVAILABLE", None, None, emu.model.now()).ok();
        let webhook = item.webhook.clone().zip(body);
        if let Some(extras) = state.sandbox.items.get_mut(item_id) {
            extras.pending = added;
        }
        webhook
    };
    if let Some((url, body)) = webhook {
        emu.webhooks.deliver(url, body);
    }
    Ok(())
}
