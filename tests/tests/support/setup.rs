//! What every test against a mock Plaid starts from: the test's credentials and access token,
//! a client pointed at the mock with short retry delays, and a recorder of idempotency keys.

#![allow(dead_code)] // each test file uses its own share of these

use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{HttpMockRequest, MockServer};
use plaid_client_ext::retry::Backoff;
use plaid_client_ext::{Environment, PlaidClient};
use serde_json::Value;

pub const CLIENT_ID: &str = "test-client-id-5f1c";
pub const SECRET: &str = "test-secret-9d2e7a";
pub const ACCESS_TOKEN: &str = "access-sandbox-8ab976e6-64bc-4b38-98f7-731e7a349970";

/// A client for `server` with the test credentials and `policy`.
pub fn client_with(server: &MockServer, policy: Backoff) -> PlaidClient {
    PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .retry_policy(policy)
        .build()
        .expect("valid config")
}

/// A client for `server` whose retries wait 5 ms instead of 250 ms.
pub fn client(server: &MockServer) -> PlaidClient {
    client_with(
        server,
        Backoff {
            initial_delay: Duration::from_millis(5),
            ..Backoff::default()
        },
    )
}

/// Records the idempotency key of every request a mock matched.
pub fn key_recorder(
    log: &Arc<Mutex<Vec<String>>>,
) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    let log = log.clone();
    move |req: &HttpMockRequest| {
        let key = serde_json::from_slice::<Value>(req.body_ref())
            .ok()
            .and_then(|v| v["idempotency_key"].as_str().map(str::to_string))
            .unwrap_or_default();
        log.lock().unwrap().push(key);
        true
    }
}
