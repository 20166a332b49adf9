//! Link at an OAuth institution over HTTP (`api/oauth.rs` is the flow), for a test in another
//! language; control calls, without credentials:
//! - `POST /emulator/link/oauth` `{"link_token", "institution_id"?}` → `{"oauth_state_id"}`:
//!   [`crate::Emulator::link_oauth_redirect`];
//! - `POST /emulator/link/oauth/complete` `{"link_token", "oauth_state_id"}` →
//!   `{"public_token"}`: [`crate::Emulator::complete_link_oauth`].
//!
//! Errors are Plaid's error objects (`OAUTH_STATE_ID_NOT_FOUND`, `INVALID_LINK_TOKEN`, ...).

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::api::{oauth, plaid_error};
use crate::model::plaid_error::PlaidError;
use crate::transport::Emulated;

/// The body as JSON.
fn body_json(body: &[u8]) -> Result<Value, PlaidError> {
    serde_json::from_slice(body)
        .map_err(|e| PlaidError::invalid_body(&format!("the body is not JSON: {e}")))
}

/// The text field `key` of `request`, which must be there.
fn field<'r>(request: &'r Value, key: &str) -> Result<&'r str, PlaidError> {
    request[key]
        .as_str()
        .ok_or_else(|| PlaidError::missing_fields(key))
}

/// `value` as a JSON answer, or Plaid's error object.
fn answer(value: Result<Value, PlaidError>) -> Response {
    match value
        .and_then(|v| serde_json::to_vec(&v).map_err(|e| PlaidError::internal(&e.to_string())))
    {
        Ok(json) => ([("content-type", "application/json")], json).into_response(),
        Err(error) => plaid_error::response(error, "emulator-control"),
    }
}

/// `POST /emulator/link/oauth`.
pub(crate) async fn redirect(State(emu): State<Emulated>, body: Bytes) -> Response {
    answer(body_json(&body).and_then(|request| {
        let link_token = field(&request, "link_token")?;
        let institution_id = request["institution_id"].as_str();
        let id = oauth::redirect(&emu.api, link_token, institution_id).map_err(|e| e.plaid())?;
        Ok(json!({ "oauth_state_id": id }))
    }))
}

/// `POST /emulator/link/oauth/complete`.
pub(crate) async fn complete(State(emu): State<Emulated>, body: Bytes) -> Response {
    answer(body_json(&body).and_then(|request| {
        let link_token = field(&request, "link_token")?;
        let state_id = field(&request, "oauth_state_id")?;
        let public_token = oauth::resume(&emu.api, link_token, state_id).map_err(|e| e.plaid())?;
        Ok(json!({ "public_token": public_token }))
    }))
}
