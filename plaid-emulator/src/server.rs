//! The HTTP side: every request is read within a size limit, checked like Plaid checks it
//! (credentials, a JSON object body, a known path), then answered by the emulated flow of its
//! path, or by the spec's example. Bad input gets a Plaid error and the emulator keeps serving.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;

use crate::auth;
use crate::examples::Example;
use crate::identity;
use crate::item_health;
use crate::items;
use crate::link;
use crate::plaid_error::PlaidError;
use crate::record;
use crate::state::Emulated;
use crate::transactions;
use crate::transfer_events;
use crate::transfer_sweeps;
use crate::transfers;
use crate::webhooks;

/// The largest request body the emulator reads; a larger one is `INVALID_BODY`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(crate) fn router(emulated: Emulated) -> Router {
    Router::new().fallback(handle).with_state(emulated)
}

async fn handle(State(emu): State<Emulated>, request: Request) -> Response {
    let request_id = emu.request_id();
    let (parts, body) = request.into_parts();
    let answer = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => answer(
            &emu,
            &parts.method,
            parts.uri.path(),
            &parts.headers,
            &bytes,
            &request_id,
        ),
        Err(_) => Err(PlaidError::invalid_body(
            "the request body is larger than 1 MiB",
        )),
    };
    record::answered(
        emu.record.as_deref(),
        parts.uri.path(),
        &answer,
        &request_id,
    );
    match answer {
        Ok(json) => (
            StatusCode::OK,
            [
                ("content-type", "application/json"),
                ("plaid-request-id", request_id.as_str()),
            ],
            Body::from(json),
        )
            .into_response(),
        Err(error) => error.into_response_with(&request_id),
    }
}

fn answer(
    emu: &Emulated,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    if method == Method::POST && path == link::COMPLETE_PATH {
        return link::complete_over_http(body, emu);
    }
    if method == Method::POST && path == webhooks::ROTATE_KEY_PATH {
        return webhooks::rotate_over_http(emu);
    }
    if method != Method::POST || emu.examples.get(path).is_none() {
        return Err(PlaidError::not_found());
    }
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| PlaidError::invalid_body(&format!("the body is not JSON: {e}")))?;
    if !request.is_object() {
        return Err(PlaidError::invalid_body("the body is not a JSON object"));
    }
    check_keys(emu, headers, &request)?;
    emulated(emu, path, &request, request_id).unwrap_or_else(|| example(emu, path))
}

/// The emulated flows, by path; `None` for the paths answered by the spec's example.
fn emulated(
    emu: &Emulated,
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
        "/transactions/sync" => transactions_sync(emu, request, request_id),
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

fn transactions_sync(
    emu: &Emulated,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let _: plaid_client::types::TransactionsSyncRequest = items::decode(request)?;
    let state = emu.lock();
    let item = items::item_of(&state, request)?;
    transactions::sync_page(item, request, request_id)
}

fn example(emu: &Emulated, path: &str) -> Result<Vec<u8>, PlaidError> {
    match emu.examples.get(path) {
        Some(Example::Body(body)) => Ok(body.clone()),
        Some(Example::Missing) => Err(PlaidError::internal(
            "the spec has no example response for this operation",
        )),
        None => Err(PlaidError::not_found()),
    }
}

/// The credentials, from the `PLAID-CLIENT-ID`/`PLAID-SECRET` headers or the body's
/// `client_id`/`secret` (docs, `api.txt`: either way is accepted).
fn check_keys(emu: &Emulated, headers: &HeaderMap, request: &Value) -> Result<(), PlaidError> {
    let read = |header: &str, field: &str| {
        headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.get(field).and_then(Value::as_str))
            .map(str::to_string)
    };
    match (
        read("plaid-client-id", "client_id"),
        read("plaid-secret", "secret"),
    ) {
        (Some(id), Some(secret)) => {
            if id == emu.keys.client_id && secret == emu.keys.secret {
                Ok(())
            } else {
                Err(PlaidError::invalid_api_keys())
            }
        }
        (None, None) => Err(PlaidError::missing_fields("client_id, secret")),
        (None, _) => Err(PlaidError::missing_fields("client_id")),
        (_, None) => Err(PlaidError::missing_fields("secret")),
    }
}
