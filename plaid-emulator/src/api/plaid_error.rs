//! Plaid's error bodies: a [`PlaidError`] as Plaid sends it, its object with `request_id`,
//! answered with its HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use plaid_client::types;
use serde_json::json;

use crate::model::plaid_error::PlaidError;

/// The body Plaid sends for `error`, with `request_id`: decoded into the generated
/// `types::PlaidError` and written by it, so an error body has the spec's shape as every other
/// answer does (`display_message` present and `null`; no `status`, which the spec keeps for
/// webhooks).
pub(crate) fn body(error: &PlaidError, request_id: &str) -> serde_json::Value {
    let object = json!({
        "error_type": error.error_type,
        "error_code": error.error_code,
        "error_message": error.message,
        "display_message": null,
        "request_id": request_id,
    });
    // The fields are the emulator's own constants: a failure is its bug, answered untyped
    // rather than not at all (the tests below decode every named error).
    serde_json::from_value::<types::PlaidError>(object.clone())
        .and_then(serde_json::to_value)
        .unwrap_or(object)
}

/// `error` as Plaid sends it, with `request_id`.
pub(crate) fn response(error: PlaidError, request_id: &str) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body(&error, request_id))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_error_body_is_a_plaid_error_of_the_spec_with_a_documented_code() {
        for error in PlaidError::named() {
            let body = body(&error, "req-1");
            let typed: types::PlaidError =
                serde_json::from_value(body.clone()).expect("a PlaidError body");
            assert_eq!(typed.error_code, error.error_code, "{body}");
            assert_eq!(body["request_id"], "req-1");
            assert!(body.get("status").is_none(), "{body}");
            let code = error.code();
            assert!(
                !matches!(code, plaid_client::error_codes::ErrorCode::Other(_)),
                "{} is not a code Plaid documents",
                error.error_code
            );
        }
    }
}
