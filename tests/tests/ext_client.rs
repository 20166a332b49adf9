//! plaid-client-ext against a local mock: headers, retries, idempotency keys, errors, secrets.
//!
//! Plaid is mocked with the typed helpers of `plaid_client::mock` (one per operation, typed
//! request and response); raw bodies appear only where a test needs a malformed one on purpose.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/logs.rs"]
mod logs;
#[path = "support/setup.rs"]
mod setup;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use httpmock::prelude::*;
use logs::logged;
use plaid_client::mock::{example, MockServerExt};
use plaid_client::operations;
use plaid_client_ext::{
    types, Environment, Error, ErrorCode, ErrorType, PlaidClient, TransportKind,
};
use serde_json::json;
use setup::{client, key_recorder, ACCESS_TOKEN, CLIENT_ID, SECRET};

fn accounts_request() -> types::AccountsGetRequest {
    types::AccountsGetRequest::new(ACCESS_TOKEN)
}

/// The spec's own example response, decoded into the generated type.
fn accounts_body() -> types::AccountsGetResponse {
    let mut body = example::<operations::AccountsGet>().expect("the spec has an example");
    body.request_id = "req-accounts-1".into();
    body
}

fn transfer_request() -> types::TransferCreateRequest {
    types::TransferCreateRequest::new(ACCESS_TOKEN, "a1", "auth-1", "payment")
}

fn transfer_body() -> types::TransferCreateResponse {
    example::<operations::TransferCreate>().expect("the spec has an example")
}

fn plaid_error(error_type: &str, code: &str, message: &str) -> types::PlaidError {
    serde_json::from_value(json!({"error_type": error_type, "error_code": code,
        "error_message": message, "display_message": null, "request_id": "req-err-1"}))
    .expect("a Plaid error object")
}

#[tokio::test]
async fn sends_credentials_and_plaid_version_and_decodes() {
    let server = MockServer::start_async().await;
    let m = server.accounts_get(|when, then| {
        when.body(&accounts_request())
            .into_inner()
            .header("plaid-client-id", CLIENT_ID)
            .header("plaid-secret", SECRET)
            .header("plaid-version", "2020-09-14")
            .header("content-type", "application/json");
        then.ok(&accounts_body());
    });
    let r = client(&server).send(&accounts_request()).await.expect("ok");
    assert_eq!(
        r.accounts[0].account_id,
        accounts_body().accounts[0].account_id
    );
    assert_eq!(r.attempts, 1);
    assert_eq!(r.idempotency_key, None);
    m.assert_async().await;
}

#[tokio::test]
async fn a_keyed_transfer_failing_with_500_is_retried_with_the_same_key_and_created_once() {
    let server = MockServer::start_async().await;
    let keys = Arc::new(Mutex::new(Vec::new()));
    let failing = server.transfer_create(|when, then| {
        when.into_inner().is_true(key_recorder(&keys));
        then.server_error(
            500,
            &plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR", "boom"),
        )
        .into_inner()
        .up_to_n_times(1);
    });
    let created = server.transfer_create(|when, then| {
        when.into_inner().is_true(key_recorder(&keys));
        then.ok(&transfer_body());
    });

    // A request without a key (as serde builds one): the client fills one for the call.
    let mut request = transfer_request();
    request.idempotency_key = None;
    let r = client(&server)
        .send(&request)
        .await
        .expect("retried to success");
    assert_eq!(failing.calls_async().await, 1);
    assert_eq!(created.calls_async().await, 1, "exactly one transfer");
    assert_eq!(r.attempts, 2);
    let key = r.idempotency_key.clone().expect("a key was filled");
    let keys = keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter().all(|k| *k == key),
        "the same key on every attempt: {keys:?}"
    );
    // The caller's request is left as it was.
    assert!(request.idempotency_key.is_none());
}

/// The key is part of the value: a request built with `new` and sent twice (two `send` calls,
/// as a caller retrying after a timeout, or a job queue redelivering, would) carries the same
/// key both times, and it is the key the value holds.
#[tokio::test]
async fn the_same_keyed_request_sent_twice_carries_the_same_key() {
    let server = MockServer::start_async().await;
    let keys = Arc::new(Mutex::new(Vec::new()));
    let m = server.transfer_create(|when, then| {
        when.into_inner().is_true(key_recorder(&keys));
        then.ok(&transfer_body());
    });
    let request = transfer_request();
    let own = request
        .idempotency_key
        .as_ref()
        .map(|k| k.to_string())
        .expect("new fills a key");
    let c = client(&server);
    let first = c.send(&request).await.expect("first send");
    let second = c.send(&request).await.expect("second send");
    assert_eq!(m.calls_async().await, 2);
    let keys = keys.lock().unwrap().clone();
    assert_eq!(keys, [own.clone(), own.clone()], "one key for one value");
    assert_eq!(first.idempotency_key.as_deref(), Some(own.as_str()));
    assert_eq!(second.idempotency_key.as_deref(), Some(own.as_str()));
    // Two values are two operations: another `new` has another key.
    let other = transfer_request();
    assert_ne!(
        other.idempotency_key.as_ref().map(|k| k.to_string()),
        Some(own)
    );
}

#[tokio::test]
async fn a_callers_key_is_sent_as_given() {
    let server = MockServer::start_async().await;
    let request = transfer_request().idempotency_key("order-42-payment".into());
    // The typed matcher compares the whole body: the key must arrive exactly as given.
    let m = server.transfer_create(|when, then| {
        when.body(&request);
        then.ok(&transfer_body());
    });
    let r = client(&server).send(&request).await.expect("ok");
    assert_eq!(r.idempotency_key.as_deref(), Some("order-42-payment"));
    m.assert_async().await;
}

#[tokio::test]
async fn an_over_long_key_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let request = transfer_request().idempotency_key("k".repeat(51).into());
    let err = client(&server).send(&request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("at most 50"), "{err}");
    assert_eq!(m.calls_async().await, 0);
}

#[tokio::test]
async fn an_unkeyed_write_failing_with_500_is_not_retried() {
    let server = MockServer::start_async().await;
    let m = server.item_public_token_exchange(|_, then| {
        then.server_error(
            500,
            &plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR", "boom"),
        );
    });
    let err = client(&server)
        .send(&types::ItemPublicTokenExchangeRequest::new(
            "public-sandbox-1",
        ))
        .await
        .unwrap_err();
    assert_eq!(m.calls_async().await, 1, "never retried");
    assert!(
        err.is_transient() && !err.is_retryable(),
        "transient, but not safe to send again (issue 16)"
    );
    assert_eq!(err.api().map(|e| e.status), Some(500));
    assert_eq!(err.error_code(), Some(&ErrorCode::InternalServerError));
}

#[tokio::test]
async fn a_429_with_retry_after_waits_and_succeeds() {
    let server = MockServer::start_async().await;
    let limited = server.accounts_get(|_, then| {
        then.client_error(
            429,
            &plaid_error("RATE_LIMIT_EXCEEDED", "ACCOUNTS_LIMIT", "slow down"),
        )
        .into_inner()
        .header("retry-after", "1")
        .up_to_n_times(1);
    });
    let ok = server.accounts_get(|_, then| {
        then.ok(&accounts_body());
    });
    let started = Instant::now();
    let r = client(&server)
        .send(&accounts_request())
        .await
        .expect("succeeds after waiting");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as Retry-After asked"
    );
    assert_eq!(r.attempts, 2);
    assert_eq!(limited.calls_async().await, 1);
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test]
async fn retries_stop_at_the_attempt_cap() {
    let server = MockServer::start_async().await;
    let m = server.accounts_get(|_, then| {
        then.server_error(
            503,
            &plaid_error("API_ERROR", "PLANNED_MAINTENANCE", "later"),
        );
    });
    let err = client(&server).send(&accounts_request()).await.unwrap_err();
    assert_eq!(
        m.calls_async().await,
        4,
        "Backoff::default allows 4 attempts"
    );
    assert_eq!(err.error_code(), Some(&ErrorCode::PlannedMaintenance));
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = MockServer::start_async().await;
    let m = server.accounts_get(|_, then| {
        then.server_error(
            500,
            &plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR", "boom"),
        );
    });
    let c = PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .no_retries()
        .build()
        .unwrap();
    assert!(c.send(&accounts_request()).await.is_err());
    assert_eq!(m.calls_async().await, 1);
}

#[tokio::test]
async fn unknown_error_codes_and_types_decode() {
    let server = MockServer::start_async().await;
    server.accounts_get(|_, then| {
        then.client_error(400, &plaid_error("BRAND_NEW_TYPE", "BRAND_NEW_CODE", "new"));
    });
    let err = client(&server).send(&accounts_request()).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.error_code, ErrorCode::Other("BRAND_NEW_CODE".into()));
    assert_eq!(
        api.error_type,
        ErrorType::UnknownValue("BRAND_NEW_TYPE".into())
    );
    assert_eq!(api.request_id.as_deref(), Some("req-err-1"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn item_login_required_is_recognised() {
    let server = MockServer::start_async().await;
    server.accounts_get(|_, then| {
        then.client_error(
            400,
            &plaid_error("ITEM_ERROR", "ITEM_LOGIN_REQUIRED", "login"),
        );
    });
    let err = client(&server).send(&accounts_request()).await.unwrap_err();
    assert!(err.is_item_login_required());
    assert!(!err.is_rate_limited());
}

#[tokio::test]
async fn an_html_502_is_a_clear_decode_error() {
    let server = MockServer::start_async().await;
    // Malformed on purpose: a proxy's HTML page where Plaid's JSON should be.
    let m = server.accounts_get(|_, then| {
        then.into_inner()
            .status(502)
            .header("content-type", "text/html")
            .body("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>");
    });
    let err = client(&server).send(&accounts_request()).await.unwrap_err();
    match &err {
        Error::Decode(d) => {
            let (status, content_type, snippet, reason) =
                (&d.status, &d.content_type, &d.snippet, &d.reason);
            assert_eq!(*status, 502);
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(
                snippet.starts_with("<html><head><title>502 Bad Gateway"),
                "{snippet}"
            );
            assert!(
                reason.contains("expected Plaid's JSON error object, got text/html"),
                "{reason}"
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(err.is_retryable(), "a proxy's 502 is worth retrying");
    assert_eq!(
        m.calls_async().await,
        4,
        "read-only, so retried up to the cap"
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_naming_the_problem() {
    let server = MockServer::start_async().await;
    // Malformed on purpose: truncated JSON.
    server.accounts_get(|_, then| {
        then.into_inner()
            .status(200)
            .body(r#"{"accounts": [{"account_id": "a1", "bala"#);
    });
    let err = client(&server).send(&accounts_request()).await.unwrap_err();
    match &err {
        Error::Decode(d) if d.status == 200 => {
            let (reason, snippet) = (&d.reason, &d.snippet);
            assert!(reason.contains("EOF"), "{reason}");
            assert!(snippet.contains("account_id"), "{snippet}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_body_that_does_not_fit_the_type_names_the_json_path() {
    let server = MockServer::start_async().await;
    // Malformed on purpose: a string where the type has a number.
    let mut body = serde_json::to_value(accounts_body()).expect("serializes");
    body["accounts"][0]["balances"]["current"] = json!("lots");
    server.accounts_get(|_, then| {
        then.into_inner().status(200).json_body(body);
    });
    let err = client(&server).send(&accounts_request()).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("accounts[0].balances.current"), "{text}");
}

#[tokio::test]
async fn timeouts_are_their_own_variant() {
    let server = MockServer::start_async().await;
    server.accounts_get(|_, then| {
        then.ok(&accounts_body())
            .into_inner()
            .delay(Duration::from_millis(800));
    });
    let c = PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .request_timeout(Duration::from_millis(100))
        .no_retries()
        .build()
        .unwrap();
    let err = c.send(&accounts_request()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_retryable());
}

/// A port with nothing listening: bind, note the port, close.
fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn connection_failures_are_transport_errors_carrying_the_key() {
    let c = PlaidClient::builder(Environment::Custom(closed_port_url()), CLIENT_ID, SECRET)
        .no_retries()
        .build()
        .unwrap();
    let err = c.send(&transfer_request()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    // The key the request carried is reported, so the caller can retry later with it.
    assert_eq!(err.idempotency_key().map(str::len), Some(36));
}

/// Every error variant and the client itself: no credential or access token in Debug/Display.
#[tokio::test]
async fn no_secret_in_any_debug_or_display() {
    let server = MockServer::start_async().await;
    // A hostile server that echoes every secret back, in an error object and in HTML.
    let echo = format!("bad key {SECRET} for {CLIENT_ID} and token {ACCESS_TOKEN}");
    let mut hostile = plaid_error("INVALID_INPUT", "INVALID_API_KEYS", &echo);
    hostile.display_message = Some(echo.clone());
    hostile.suggested_action = Some(echo.clone());
    server.accounts_get(|_, then| {
        then.client_error(400, &hostile);
    });
    // Malformed on purpose: HTML echoing the secrets, and a body that fits no type.
    server.auth_get(|_, then| {
        then.into_inner().status(502).body(format!(
            "<html>{echo} {{\"access_token\": \"{ACCESS_TOKEN}\"}}</html>"
        ));
    });
    server.identity_get(|_, then| {
        then.into_inner()
            .status(200)
            .json_body(json!({"accounts": 1}))
            .delay(Duration::from_millis(500));
    });
    let quick = PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .request_timeout(Duration::from_millis(100))
        .no_retries()
        .build()
        .unwrap();
    let closed = PlaidClient::builder(Environment::Custom(closed_port_url()), CLIENT_ID, SECRET)
        .no_retries()
        .build()
        .unwrap();

    let api = quick.send(&accounts_request()).await.unwrap_err();
    let decode = quick
        .send(&types::AuthGetRequest::new(ACCESS_TOKEN))
        .await
        .unwrap_err();
    let timeout = quick
        .send(&types::IdentityGetRequest::new(ACCESS_TOKEN))
        .await
        .unwrap_err();
    let transport = closed.send(&accounts_request()).await.unwrap_err();
    let long = transfer_request().idempotency_key(format!("{SECRET}{}", "x".repeat(60)).into());
    let invalid = quick.send(&long).await.unwrap_err();
    let config: Error =
        PlaidClient::builder(Environment::Sandbox, CLIENT_ID, format!("{SECRET}\n"))
            .build()
            .unwrap_err()
            .into();

    assert!(matches!(api, Error::Api(_)), "{api:?}");
    assert!(matches!(decode, Error::Decode(_)), "{decode:?}");
    assert!(matches!(timeout, Error::Timeout { .. }), "{timeout:?}");
    assert!(
        matches!(transport, Error::Transport { .. }),
        "{transport:?}"
    );
    assert!(
        matches!(invalid, Error::InvalidRequest { .. }),
        "{invalid:?}"
    );
    assert!(matches!(config, Error::Config(_)), "{config:?}");

    let mut shown = vec![format!("{quick:?}"), format!("{closed:?}")];
    for e in [&api, &decode, &timeout, &transport, &invalid, &config] {
        shown.push(format!("{e:?}"));
        shown.push(format!("{e}"));
    }
    for text in &shown {
        for secret in [CLIENT_ID, SECRET, ACCESS_TOKEN] {
            assert!(!text.contains(secret), "`{secret}` leaked in: {text}");
        }
    }
    // The messages still say what happened.
    assert!(api.to_string().contains("INVALID_API_KEYS"), "{api}");
    assert!(decode.to_string().contains("[redacted]"), "{decode}");
}

/// Spans carry operation, attempt, status and request_id; logs carry no secret.
#[tokio::test]
async fn tracing_spans_carry_the_request_without_secrets() {
    let logs = logged(async {
        let server = MockServer::start_async().await;
        server.transfer_create(|_, then| {
            then.server_error(
                500,
                &plaid_error("API_ERROR", "INTERNAL_SERVER_ERROR", "boom"),
            )
            .into_inner()
            .up_to_n_times(1);
        });
        server.transfer_create(|_, then| {
            then.ok(&transfer_body());
        });
        client(&server).send(&transfer_request()).await.expect("ok");
    })
    .await;
    assert!(logs.contains("operation=\"transferCreate\""), "{logs}");
    assert!(
        logs.contains("attempt=1") && logs.contains("http.response.status_code=500"),
        "{logs}"
    );
    assert!(logs.contains("request_id=\"req-err-1\""), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    for secret in [CLIENT_ID, SECRET, ACCESS_TOKEN] {
        assert!(!logs.contains(secret), "`{secret}` in logs: {logs}");
    }
}
