//! Plaid's operations by path: the emulated ones, each answered by its handler, and every
//! other operation of the spec by its example (`examples.rs`). The transport calls this once a
//! request is admitted.

use serde_json::Value;

use super::examples::Example;
use super::{
    auth, identity, item_health, items, link, transactions, transactions_get, transfer_events,
    transfer_sweeps, transfers, webhooks,
};
use crate::api::Api;
use crate::model::plaid_error::PlaidError;

/// The answer to an admitted request for `path`: the emulated flow's, or the spec's example.
pub(crate) fn answer(
    emu: &Api,
    path: &str,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    emulated(emu, path, request, request_id).unwrap_or_else(|| example(emu, path))
}

/// The emulated flows, by path; `None` for the paths answered by the spec's example.
fn emulated(
    emu: &Api,
    path: &str,
    request: &Value,
    request_id: &str,
) -> Option<Result<Vec<u8>, PlaidError>> {
    Some(match path {
        "/sandbox/public_token/create" => items::public_token_create(emu, request, request_id),
        "/item/public_token/exchange" => items::public_token_exchange(emu, request, request_id),
        "/item/get" => items::item_get(emu, request, request_id),
        "/item/remove" => items::item_remove(emu, request, request_id),
        "/link/token/create" => link::token_create(emu, request, request_id),
        "/sandbox/item/reset_login" => item_health::reset_login(emu, request, request_id),
        "/accounts/get" => items::accounts_get(emu, request, request_id, false),
        "/accounts/balance/get" => items::accounts_get(emu, request, request_id, true),
        "/transactions/sync" => transactions::sync(emu, request, request_id),
        "/transactions/get" => transactions_get::get(emu, request, request_id),
        "/transactions/refresh" => transactions_get::refresh(emu, request, request_id),
        "/sandbox/transactions/create" => transactions_get::create(emu, request, request_id),
        "/auth/get" => auth::auth_get(emu, request, request_id),
        "/identity/get" => identity::identity_get(emu, request, request_id),
        "/transfer/authorization/create" => transfers::authorize(emu, request, request_id),
        "/transfer/create" => transfers::create(emu, request, request_id),
        "/transfer/get" => transfers::get(emu, request, request_id),
        "/transfer/list" => transfers::list(emu, request, request_id),
        "/transfer/event/list" => transfer_events::list(emu, request, request_id),
        "/transfer/event/sync" => transfer_events::sync(emu, request, request_id),
        "/sandbox/transfer/simulate" => transfer_events::simulate(emu, request, request_id),
        "/sandbox/transfer/fire_webhook" => transfers::fire_webhook(emu, request, request_id),
        "/sandbox/transfer/sweep/simulate" => transfer_sweeps::simulate(emu, request, request_id),
        "/transfer/sweep/list" => transfer_sweeps::list(emu, request, request_id),
        "/webhook_verification_key/get" => webhooks::verification_key(emu, request, request_id),
        "/item/webhook/update" => webhooks::webhook_update(emu, request, request_id),
        "/sandbox/item/fire_webhook" => webhooks::fire(emu, request, request_id),
        _ => return None,
    })
}

fn example(emu: &Api, path: &str) -> Result<Vec<u8>, PlaidError> {
    match emu.examples.get(path) {
        Some(Example::Body(body)) => Ok(body.clone()),
        Some(Example::Missing) => Err(PlaidError::internal(
            "the spec has no example response for this operation",
        )),
        None => Err(PlaidError::not_found()),
    }
}
