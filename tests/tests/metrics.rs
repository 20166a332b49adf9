//! Issue 24: request metrics through the `metrics` facade (the ext's feature `metrics`), read
//! back with metrics-util's debugging recorder after real requests to a loopback mock Plaid.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/setup.rs"]
mod setup;

use std::time::Duration;

use httpmock::prelude::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use plaid_client::mock::{example, MockServerExt};
use plaid_client::operations;
use plaid_client_ext::retry::Backoff;
use plaid_client_ext::types;
use serde_json::json;
use setup::{client_with, ACCESS_TOKEN, SECRET};

/// One recorded metric: its name, its labels (sorted) and its value.
type Recorded = Vec<(String, Vec<(String, String)>, DebugValue)>;

fn recorded(recorder: &DebuggingRecorder) -> Recorded {
    recorder
        .snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key();
            let mut labels: Vec<(String, String)> = key
                .labels()
                .map(|l| (l.key().to_string(), l.value().to_string()))
                .collect();
            labels.sort();
            (key.name().to_string(), labels, value)
        })
        .collect()
}

fn has(labels: &[(String, String)], key: &str, value: &str) -> bool {
    labels.iter().any(|(k, v)| k == key && v == value)
}

/// The counter `name` whose labels include every one of `with`.
fn counter(metrics: &Recorded, name: &str, with: &[(&str, &str)]) -> u64 {
    metrics
        .iter()
        .filter(|(n, labels, _)| n == name && with.iter().all(|(k, v)| has(labels, k, v)))
        .map(|(_, _, value)| match value {
            DebugValue::Counter(n) => *n,
            other => panic!("{name} is not a counter: {other:?}"),
        })
        .sum()
}

/// How many observations the histogram `name` with `with` holds.
fn observations(metrics: &Recorded, name: &str, with: &[(&str, &str)]) -> usize {
    metrics
        .iter()
        .filter(|(n, labels, _)| n == name && with.iter().all(|(k, v)| has(labels, k, v)))
        .map(|(_, _, value)| match value {
            DebugValue::Histogram(v) => v.len(),
            other => panic!("{name} is not a histogram: {other:?}"),
        })
        .sum()
}

/// Three calls on a current-thread runtime, so the thread-local recorder sees them all: a
/// success, a 500 retried twice, and a 429 retried once.
fn run_calls(recorder: &DebuggingRecorder) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(recorder, || {
        runtime.block_on(async {
            let server = MockServer::start_async().await;
            let accounts = example::<operations::AccountsGet>().unwrap();
            server.accounts_get(|when, then| {
                when.body(&types::AccountsGetRequest::new(ACCESS_TOKEN));
                then.ok(&accounts);
            });
            server.mock(|when, then| {
                when.path("/item/get");
                then.status(500).json_body(json!({"error_type": "API_ERROR",
                    "error_code": "INTERNAL_SERVER_ERROR", "error_message": "boom",
                    "display_message": null, "request_id": "r-500"}));
            });
            server.mock(|when, then| {
                when.path("/institutions/get_by_id");
                then.status(429)
                    .json_body(json!({"error_type": "RATE_LIMIT_EXCEEDED",
                    "error_code": "RATE_LIMIT", "error_message": "slow down",
                    "display_message": null, "request_id": "r-429"}));
            });
            let policy = Backoff {
                max_attempts: 3,
                initial_delay: Duration::from_millis(1),
                rate_limit_delay: Duration::from_millis(1),
                ..Backoff::default()
            };
            let client = client_with(&server, policy.clone());
            client
                .send(&types::AccountsGetRequest::new(ACCESS_TOKEN))
                .await
                .unwrap();
            client
                .send(&types::ItemGetRequest::new(ACCESS_TOKEN))
                .await
                .unwrap_err();
            let institution =
                types::InstitutionsGetByIdRequest::new(vec![types::CountryCode::Us], "ins_1");
            client
                .customize()
                .retry_policy(Backoff {
                    max_attempts: 2,
                    ..policy
                })
                .send(&institution)
                .await
                .unwrap_err();
        });
    });
}

#[test]
fn requests_retries_and_rate_limit_waits_are_counted() {
    let recorder = DebuggingRecorder::new();
    run_calls(&recorder);
    let m = recorded(&recorder);
    let ok = [("plaid.operation", "accountsGet"), ("outcome", "2xx")];
    assert_eq!(counter(&m, "plaid.client.requests", &ok), 1, "{m:#?}");
    let failed = [
        ("plaid.operation", "itemGet"),
        ("outcome", "5xx"),
        ("error.type", "INTERNAL_SERVER_ERROR"),
    ];
    assert_eq!(counter(&m, "plaid.client.requests", &failed), 3);
    let retried = [("plaid.operation", "itemGet")];
    assert_eq!(counter(&m, "plaid.client.retries", &retried), 2);
    let limited = [
        ("plaid.operation", "institutionsGetById"),
        ("outcome", "4xx"),
    ];
    assert_eq!(counter(&m, "plaid.client.requests", &limited), 2);
    let waited = [("plaid.operation", "institutionsGetById")];
    assert_eq!(observations(&m, "plaid.client.rate_limit.wait", &waited), 1);
    assert_eq!(
        observations(&m, "plaid.client.rate_limit.wait", &retried),
        0
    );
}

#[test]
fn every_attempt_has_a_duration_with_the_http_client_attributes() {
    let recorder = DebuggingRecorder::new();
    run_calls(&recorder);
    let m = recorded(&recorder);
    let name = "http.client.request.duration";
    let all = [
        ("http.request.method", "POST"),
        ("server.address", "127.0.0.1"),
    ];
    assert_eq!(observations(&m, name, &all), 1 + 3 + 2);
    let ok = [
        ("plaid.operation", "accountsGet"),
        ("http.response.status_code", "200"),
    ];
    assert_eq!(observations(&m, name, &ok), 1);
    let failed = [
        ("http.response.status_code", "500"),
        ("error.type", "INTERNAL_SERVER_ERROR"),
    ];
    assert_eq!(observations(&m, name, &failed), 3);
    // No attribute carries a credential or a token.
    let text = format!("{m:?}");
    assert!(
        !text.contains(SECRET) && !text.contains(ACCESS_TOKEN),
        "{text}"
    );
}
