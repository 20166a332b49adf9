//! An embedded stand-in for Plaid Sandbox, for the calls the quickstart makes.
//!
//! It answers with the spec's own response examples (checked by `cargo xtask conformance`),
//! requires the headers Plaid requires, and fails the first `/transfer/create` with Plaid's
//! `INTERNAL_SERVER_ERROR` (HTTP 500), so the retry path runs. It records the idempotency key
//! of every `/transfer/create` it sees and which answer it gave.

use std::sync::{Arc, Mutex};

use httpmock::prelude::*;
use serde_json::Value;

const RESPONSES: &str = include_str!("sandbox-responses.json");

/// What the mock saw on `/transfer/create`: `(HTTP status answered, idempotency_key sent)`.
pub type TransferLog = Arc<Mutex<Vec<(u16, String)>>>;

pub struct SandboxMock {
    pub server: MockServer,
    pub transfers: TransferLog,
}

fn key_of(req: &HttpMockRequest) -> String {
    serde_json::from_slice::<Value>(req.body_ref())
        .ok()
        .and_then(|v| {
            v.get("idempotency_key")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

impl SandboxMock {
    pub async fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let server = MockServer::start_async().await;
        let responses: Value = serde_json::from_str(RESPONSES)?;
        let transfers: TransferLog = Arc::default();

        // The injected failure comes first and answers once; later calls fall through to the
        // success mock below.
        let log = transfers.clone();
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/transfer/create")
                    .header_exists("plaid-client-id")
                    .header_exists("plaid-secret")
                    .header("plaid-version", "2020-09-14")
                    .is_true(move |req| {
                        if let Ok(mut l) = log.lock() {
                            l.push((500, key_of(req)));
                        }
                        true
                    });
                then.status(500)
                    .header("content-type", "application/json")
                    .json_body(serde_json::json!({
                        "error_type": "API_ERROR",
                        "error_code": "INTERNAL_SERVER_ERROR",
                        "error_message": "an unexpected error occurred",
                        "display_message": null,
                        "request_id": "mock-injected-500"
                    }))
                    .up_to_n_times(1);
            })
            .await;

        for (path, body) in responses.as_object().into_iter().flatten() {
            let path = path.clone();
            let log = transfers.clone();
            let is_transfer = path == "/transfer/create";
            let body = body.clone();
            server
                .mock_async(move |when, then| {
                    let when = when
                        .method(POST)
                        .path(path)
                        .header_exists("plaid-client-id")
                        .header_exists("plaid-secret")
                        .header("plaid-version", "2020-09-14");
                    if is_transfer {
                        when.is_true(move |req| {
                            if let Ok(mut l) = log.lock() {
                                l.push((200, key_of(req)));
                            }
                            true
                        });
                    }
                    then.status(200)
                        .header("content-type", "application/json")
                        .json_body(body);
                })
                .await;
        }
        Ok(Self { server, transfers })
    }
}
