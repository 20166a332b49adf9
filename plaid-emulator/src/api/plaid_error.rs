//! Plaid's error bodies: a [`PlaidError`] as Plaid sends it, its object with `request_id`,
//! answered with its HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::model::plaid_error::PlaidError;

/// The body Plaid sends for `error`, with `request_id`.
pub(crate) fn body(error: &PlaidError, request_id: &str) -> serde_json::Value {
    json!({
        "error_type": error.error_type,
        "error_code": error.error_code,
        "error_message": error.message,
        "display_message": null,
        "request_id": request_id,
    })
}

/// `error` as Plaid sends it, with `request_id`.
pub(crate) fn response(error: PlaidError, request_id: &str) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body(&error, request_id))).into_response()
}
