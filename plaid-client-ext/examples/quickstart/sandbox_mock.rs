//! An embedded stand-in for Plaid Sandbox, for the calls the quickstart makes, built from the
//! typed mocks of `plaid_client::mock` (feature `mock`).
//!
//! It answers with the spec's own example responses (decoded into the generated types),
//! requires the headers Plaid requires, and fails the first `/transfer/create` with Plaid's
//! `INTERNAL_SERVER_ERROR` (HTTP 500), so the retry path runs. It records the idempotency key
//! of every `/transfer/create` it sees and which answer it gave.

use std::sync::{Arc, Mutex};

use httpmock::prelude::*;
use plaid_client::mock::{example, MockServerExt};
use plaid_client::{operations, types};
use serde_json::Value;

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

/// What Plaid requires of every request: credentials and the API version.
fn plaid_headers(when: httpmock::When) -> httpmock::When {
    when.header_exists("plaid-client-id")
        .header_exists("plaid-secret")
        .header("plaid-version", "2020-09-14")
}

/// Records `(status, idempotency key)` of each request the mock matches.
fn recorder(
    log: &TransferLog,
    status: u16,
) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    let log = log.clone();
    move |req| {
        if let Ok(mut l) = log.lock() {
            l.push((status, key_of(req)));
        }
        true
    }
}

impl SandboxMock {
    pub async fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let server = MockServer::start_async().await;
        let transfers: TransferLog = Arc::default();

        let public_token = example::<operations::SandboxPublicTokenCreate>()?;
        let exchange = example::<operations::ItemPublicTokenExchange>()?;
        let accounts = example::<operations::AccountsGet>()?;
        let mut transactions = example::<operations::TransactionsSync>()?;
        // The spec's example announces more pages; this Item's history fits in one.
        transactions.has_more = false;
        let authorization = example::<operations::TransferAuthorizationCreate>()?;
        let transfer = example::<operations::TransferCreate>()?;
        let internal_error: types::PlaidError = serde_json::from_value(serde_json::json!({
            "error_type": "API_ERROR",
            "error_code": "INTERNAL_SERVER_ERROR",
            "error_message": "an unexpected error occurred",
            "display_message": null,
            "request_id": "mock-injected-500"
        }))?;

        server.sandbox_public_token_create(|when, then| {
            plaid_headers(when.into_inner());
            then.ok(&public_token);
        });
        server.item_public_token_exchange(|when, then| {
            plaid_headers(when.into_inner());
            then.ok(&exchange);
        });
        server.accounts_get(|when, then| {
            plaid_headers(when.into_inner());
            then.ok(&accounts);
        });
        server.transactions_sync(|when, then| {
            plaid_headers(when.into_inner());
            then.ok(&transactions);
        });
        server.transfer_authorization_create(|when, then| {
            plaid_headers(when.into_inner());
            then.ok(&authorization);
        });
        // The injected failure comes first and answers once; later calls fall through to the
        // success mock below.
        server.transfer_create(|when, then| {
            plaid_headers(when.into_inner()).is_true(recorder(&transfers, 500));
            then.server_error(500, &internal_error)
                .into_inner()
                .up_to_n_times(1);
        });
        server.transfer_create(|when, then| {
            plaid_headers(when.into_inner()).is_true(recorder(&transfers, 200));
            then.ok(&transfer);
        });
        Ok(Self { server, transfers })
    }
}
