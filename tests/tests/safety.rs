//! Issue 16, the safety pass: each numbered item of the issue has its tests here (item 3, the
//! webhook endpoint, is in `plaid-client-ext/tests/webhook_cost.rs`; item 5 is a `compile_fail`
//! doc test on `PlaidClient::send_operation`). Plaid is a real HTTP server on loopback
//! (httpmock); malformed or hostile bodies are written raw on purpose.
//!
//! Every request value is built by one helper below, with the generated constructors.
//!
//! Why one file of ~900 lines: each numbered item of issue 16 is a section here, sharing the
//! request helpers at the top; splitting by item would copy those helpers into ten files.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/logs.rs"]
mod logs;
#[path = "support/setup.rs"]
mod setup;
#[path = "safety/synth.rs"]
mod synth;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use httpmock::prelude::*;
use logs::logged;
use plaid_client::mock::{example, MockPlaid, MockServerExt};
use plaid_client::operations;
use plaid_client::redact::{TypeVisitor, CREDENTIAL_FIELDS, CREDENTIAL_TYPES};
use plaid_client_ext::retry::Backoff;
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::{
    types, ConfigError, Environment, Error, ErrorCode, IdempotencyKey, PaginationError,
    PlaidClient, TimeoutPhase,
};
use serde_json::{json, Value};
use setup::{client, client_with, key_recorder, ACCESS_TOKEN, CLIENT_ID, SECRET};

// ---- request values: one helper per type --------------------------------------------------

fn accounts_request(access_token: &str) -> types::AccountsGetRequest {
    types::AccountsGetRequest::new(access_token)
}

fn item_get_request() -> types::ItemGetRequest {
    types::ItemGetRequest::new(ACCESS_TOKEN)
}

fn item_remove_request() -> types::ItemRemoveRequest {
    types::ItemRemoveRequest::new(ACCESS_TOKEN)
}

/// A transfer *without* an idempotency key (as serde builds one, or with its key cleared), so
/// the tests see the key the client fills and reports, and the key a caller puts back.
fn transfer_request() -> types::TransferCreateRequest {
    let mut request = types::TransferCreateRequest::new(ACCESS_TOKEN, "a1", "auth-1", "payment")
        .amount("12.34".into());
    request.idempotency_key = None;
    request
}

fn sync_request(cursor: Option<&str>) -> types::TransactionsSyncRequest {
    let mut request = types::TransactionsSyncRequest::new(ACCESS_TOKEN).count(500);
    request.cursor = cursor.map(str::to_string);
    request
}

fn cashflow_request(cursor: Option<&str>) -> types::CashflowReportGetRequest {
    let mut request = types::CashflowReportGetRequest::new(ACCESS_TOKEN, 90);
    request.cursor = cursor.map(str::to_string);
    request
}

fn wallet_list_request(cursor: Option<&str>) -> types::WalletListRequest {
    let mut request = types::WalletListRequest::new().count(10);
    request.cursor = cursor.map(str::to_string);
    request
}

// ---- shared helpers ---------------------------------------------------------------------

fn raw_error(status: u16, body: Value) -> impl FnOnce(httpmock::When, httpmock::Then) {
    move |when, then| {
        when.any_request();
        then.status(status)
            .header("content-type", "application/json")
            .json_body(body);
    }
}

// ---- item 1: credentials ------------------------------------------------------------------

/// The test's own reading of "credential-like", independent of the generator's rules: a field
/// whose name's last word is token(s)/secret(s)/password(s), or any field the generated table
/// lists; a type whose name ends in Token/Secret/Password, or any type the table lists.
fn credential_like_field(name: &str) -> bool {
    let last = name.rsplit('_').next().unwrap_or(name);
    [
        "token",
        "tokens",
        "secret",
        "secrets",
        "password",
        "passwords",
    ]
    .contains(&last)
        || CREDENTIAL_FIELDS.contains(&name)
}

fn credential_like_type(name: &str) -> bool {
    let base = name.strip_suffix("Nullable").unwrap_or(name);
    ["Token", "Secret", "Password"]
        .iter()
        .any(|w| base.ends_with(w))
        || CREDENTIAL_TYPES.contains(&name)
}

#[derive(Default)]
struct LeakCheck {
    built: usize,
    not_built: Vec<String>,
    /// Credential-like values checked, by field or type name.
    checked: BTreeMap<String, usize>,
    leaks: Vec<String>,
}

impl TypeVisitor for LeakCheck {
    fn visit<T: serde::de::DeserializeOwned + std::fmt::Debug>(&mut self, name: &'static str) {
        let built = match synth::build::<T>() {
            Ok(b) => b,
            Err(why) => {
                self.not_built.push(format!("{name}: {why}"));
                return;
            }
        };
        self.built += 1;
        for m in &built.markers {
            // By type: a marker that is the whole value (a string newtype such as
            // `AccessToken`) judged by the type's name; by name: every other by its field's.
            let whole_type = m.path.is_empty() && credential_like_type(name);
            let secret = whole_type || credential_like_field(&m.field);
            if !secret {
                continue;
            }
            let label = if whole_type { name } else { m.field.as_str() };
            *self.checked.entry(label.to_string()).or_default() += 1;
            if built.shown.contains(&m.text) {
                self.leaks
                    .push(format!("{name}{} (`{}`): {}", m.path, m.field, built.shown));
            }
        }
    }
}

/// Every generated type, made up with a marker in every string, printed with `Debug`: no marker
/// put in a credential-like field (by name) or a credential type (by type) may show. A spec bump
/// that adds a token field the generator misses fails here.
#[test]
fn no_generated_type_prints_a_credential_in_debug() {
    let mut check = LeakCheck::default();
    plaid_client::redact::visit_types(&mut check);
    assert!(
        check.leaks.is_empty(),
        "{} credential values printed in Debug:\n{}",
        check.leaks.len(),
        check.leaks.join("\n")
    );
    // The walk really covered the types and their credentials.
    assert!(
        check.not_built.len() * 100 <= plaid_client::redact::TYPE_COUNT,
        "{} of {} types could not be made up: {:#?}",
        check.not_built.len(),
        plaid_client::redact::TYPE_COUNT,
        check.not_built
    );
    for name in [
        "new_access_token",
        "client_secret",
        "refresh_token",
        "subject_token",
        "production_secret",
        "transactions_access_tokens",
        "public_tokens",
        "access_token",
        "AccessToken",
        "ApiSecret",
    ] {
        assert!(check.checked.contains_key(name), "{name} was never checked");
    }
    println!(
        "{} of {} types made up; {} credential-like values checked over {} names",
        check.built,
        plaid_client::redact::TYPE_COUNT,
        check.checked.values().sum::<usize>(),
        check.checked.len()
    );
}

/// The token newtypes print `[redacted]` through `Debug` and `Display`; `expose()` reads them.
#[test]
fn token_types_are_opaque_until_exposed() {
    let access: types::AccessToken = ACCESS_TOKEN.to_string().into();
    let secret: types::ApiSecret = SECRET.to_string().into();
    let refresh: types::OAuthRefreshToken = "pdr--viXurkDg88d5zf8".to_string().into();
    for shown in [
        format!("{access:?} {access}"),
        format!("{secret:?} {secret}"),
        format!("{refresh:?} {refresh}"),
    ] {
        assert!(shown.contains("[redacted]"), "{shown}");
        for value in [ACCESS_TOKEN, SECRET, "viXurk"] {
            assert!(!shown.contains(value), "{shown}");
        }
    }
    assert_eq!(access.expose(), ACCESS_TOKEN);
    assert_eq!(serde_json::to_value(&access).unwrap(), json!(ACCESS_TOKEN));
}

/// A hostile server (or proxy) echoes the secret and the request's token in every text field of
/// an error, and in the request id header: none of it reaches `Display`, `Debug` or the logs.
#[tokio::test]
async fn server_texts_in_errors_and_spans_are_redacted() {
    // A token without a recognisable prefix: only the request's own fields say it is one.
    let opaque_token = "tok-9f8e7d6c5b4a3f2e1d";
    let echo = format!("{SECRET}|{CLIENT_ID}|{ACCESS_TOKEN}|{opaque_token}");
    let server = MockServer::start_async().await;
    let header_echo = echo.clone();
    server.mock(move |when, then| {
        when.any_request();
        then.status(400)
            .header("content-type", "application/json")
            .header("plaid-request-id", header_echo)
            .json_body(json!({
            "error_type": format!("BRAND_NEW_{echo}"), "error_code": format!("CODE_{echo}"),
            "error_message": echo, "display_message": echo, "suggested_action": echo,
            "documentation_url": format!("https://plaid.com/docs?{echo}"),
            "causes": [{"error_message": echo, "item_id": echo}], "request_id": echo,
            }));
    });
    let c = PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .no_retries()
        .build()
        .unwrap();
    let mut err = None;
    let logs = logged(async {
        err = Some(c.send(&accounts_request(opaque_token)).await.unwrap_err());
    })
    .await;
    let err = err.expect("sent");
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 400);
    assert!(matches!(api.error_code, ErrorCode::Other(_)));
    let shown = format!("{err}\n{err:?}\n{logs}");
    for secret in [SECRET, CLIENT_ID, ACCESS_TOKEN, opaque_token] {
        assert!(!shown.contains(secret), "`{secret}` leaked in: {shown}");
    }
    assert!(logs.contains("request_id=\"[redacted]"), "{logs}");
    assert!(api
        .documentation_url
        .as_deref()
        .unwrap()
        .starts_with("https://plaid.com/docs?"));
}

/// A 200 with a 50 MB string where an array belongs: serde quotes the string, and the error
/// used to be 52 MB long. Every quoted value is capped.
#[tokio::test]
async fn a_huge_string_gives_a_short_error() {
    let server = MockServer::start_async().await;
    let huge = "a".repeat(50 * 1024 * 1024);
    server.mock(move |when, then| {
        when.any_request();
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"accounts": "{huge}", "item": {{}}, "request_id": "r1"}}"#
            ));
    });
    let err = client(&server)
        .send(&accounts_request(ACCESS_TOKEN))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    let (display, debug) = (err.to_string(), format!("{err:?}"));
    assert!(display.len() < 4_096, "Display is {} bytes", display.len());
    assert!(debug.len() < 8_192, "Debug is {} bytes", debug.len());
    assert!(display.contains("invalid type: string"), "{display}");
}

// ---- item 2: retries that cannot move money twice --------------------------------------------

fn internal_error() -> Value {
    json!({"error_type": "API_ERROR", "error_code": "INTERNAL_SERVER_ERROR",
        "error_message": "boom", "display_message": null, "request_id": "req-500"})
}

/// `is_retryable` answers for *this* request: a 500 from an unkeyed write is transient, but not
/// safe to send again; from a read, or a keyed write, it is.
#[tokio::test]
async fn is_retryable_means_safe_to_send_again() {
    let server = MockServer::start_async().await;
    server.mock(raw_error(500, internal_error()));
    let c = PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .no_retries()
        .build()
        .unwrap();
    let remove = c.send(&item_remove_request()).await.unwrap_err();
    assert!(remove.is_transient());
    assert!(!remove.is_retryable(), "a write without a key: {remove}");
    let read = c.send(&accounts_request(ACCESS_TOKEN)).await.unwrap_err();
    assert!(read.is_transient() && read.is_retryable());
    let keyed = c.send(&transfer_request()).await.unwrap_err();
    assert!(keyed.is_retryable());
    assert!(keyed.idempotency_key().is_some());
}

/// The documented way to retry after an error (the idempotency module's recipe): send, time
/// out, put the error's key back, send again. Plaid sees one key, so one transfer.
#[tokio::test]
async fn a_documented_retry_after_a_timeout_reuses_the_key() {
    let server = MockServer::start_async().await;
    let keys = Arc::new(Mutex::new(Vec::new()));
    server.transfer_create(|when, then| {
        when.into_inner().is_true(key_recorder(&keys));
        then.ok(&example::<operations::TransferCreate>().unwrap())
            .into_inner()
            .delay(Duration::from_millis(600))
            .up_to_n_times(1);
    });
    let created = server.transfer_create(|when, then| {
        when.into_inner().is_true(key_recorder(&keys));
        then.ok(&example::<operations::TransferCreate>().unwrap());
    });
    let c = PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .request_timeout(Duration::from_millis(150))
        .no_retries()
        .build()
        .unwrap();

    let mut transfer = transfer_request();
    let result = match c.send(&transfer).await {
        Ok(created) => Ok(created),
        Err(e) if e.is_retryable() => {
            assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
            if let Some(sent) = e.idempotency_key() {
                c.set_idempotency_key(&mut transfer, &IdempotencyKey::new(sent).unwrap())
                    .unwrap();
            }
            c.send(&transfer).await
        }
        Err(e) => Err(e),
    };
    let created_response = result.expect("the retry succeeds");
    assert_eq!(created.calls_async().await, 1);
    let keys = keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2, "two requests: {keys:?}");
    assert_eq!(
        keys[0], keys[1],
        "one key for the logical request: {keys:?}"
    );
    assert_eq!(
        created_response.idempotency_key.as_deref(),
        Some(keys[0].as_str())
    );
}

/// A key stored before sending goes back into an `IdempotencyKey`, checked.
#[test]
fn stored_keys_become_idempotency_keys_again() {
    let key = IdempotencyKey::new("order-42-payment").expect("valid");
    assert_eq!(key.as_str(), "order-42-payment");
    assert_eq!("order-42-payment".parse::<IdempotencyKey>().unwrap(), key);
    for bad in ["", " padded ", "line\nbreak"] {
        assert!(IdempotencyKey::new(bad).is_err(), "{bad:?}");
    }
    let too_long = IdempotencyKey::new("k".repeat(129)).unwrap_err();
    assert!(too_long.to_string().contains("128"), "{too_long}");
    let c = PlaidClient::builder(Environment::Sandbox, CLIENT_ID, SECRET)
        .build()
        .unwrap();
    let mut read = accounts_request(ACCESS_TOKEN);
    assert!(
        c.set_idempotency_key(&mut read, &key).is_err(),
        "no key field"
    );
    // Each operation's own limit: transfers take at most 50 characters.
    let mut transfer = transfer_request();
    let long = IdempotencyKey::new("k".repeat(51)).unwrap();
    let err = c.set_idempotency_key(&mut transfer, &long).unwrap_err();
    assert!(err.to_string().contains("at most 50"), "{err}");
}

// ---- item 4: timeouts -------------------------------------------------------------------------

/// A listener whose accept queue is full, so a new connection hangs in its handshake (Linux drops
/// the SYN): a connect timeout on loopback. The streams keep the queue full.
fn unreachable_listener() -> (
    std::net::SocketAddr,
    Vec<std::net::TcpStream>,
    tokio::net::TcpListener,
) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..64 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => held.push(s),
            Err(_) => break,
        }
    }
    (addr, held, listener)
}

/// A connection that never completes and a response that never comes are told apart, each with
/// the timeout that ran out.
#[tokio::test]
async fn connect_and_response_timeouts_are_reported_distinctly() {
    let (addr, _held, _listener) = unreachable_listener();
    let c = PlaidClient::builder(
        Environment::Custom(format!("http://{addr}")),
        CLIENT_ID,
        SECRET,
    )
    .connect_timeout(Duration::from_millis(300))
    .no_retries()
    .build()
    .unwrap();
    let err = c.send(&accounts_request(ACCESS_TOKEN)).await.unwrap_err();
    match &err {
        Error::Timeout { phase, timeout, .. } => {
            assert_eq!(*phase, TimeoutPhase::Connect);
            assert_eq!(*timeout, Some(Duration::from_millis(300)));
        }
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    assert!(
        err.to_string().contains("could not connect within 300ms"),
        "{err}"
    );

    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.any_request();
        then.status(200).delay(Duration::from_millis(800));
    });
    let c = PlaidClient::builder(Environment::Custom(server.base_url()), CLIENT_ID, SECRET)
        .request_timeout(Duration::from_millis(200))
        .no_retries()
        .build()
        .unwrap();
    let err = c.send(&accounts_request(ACCESS_TOKEN)).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { phase: TimeoutPhase::Response, timeout: Some(t), .. } if t == Duration::from_millis(200)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("no complete response within 200ms"),
        "{err}"
    );
}

/// One request can have its own timeout and retry policy (`customize()`), the others keep the
/// client's.
#[tokio::test]
async fn a_request_overrides_timeout_and_retry_policy() {
    let server = MockServer::start_async().await;
    let slow = server.mock(|when, then| {
        when.path("/accounts/get");
        then.status(200).delay(Duration::from_millis(600));
    });
    let failing = server.mock(|when, then| {
        when.path("/item/get");
        then.status(500)
            .header("content-type", "application/json")
            .json_body(internal_error());
    });
    let c = client(&server); // default timeout (60 s) and Backoff (4 attempts)
    let started = Instant::now();
    let err = c
        .customize()
        .timeout(Duration::from_millis(100))
        .no_retries()
        .send(&accounts_request(ACCESS_TOKEN))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { timeout: Some(t), .. } if t == Duration::from_millis(100)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(slow.calls_async().await, 1);

    let err = c
        .customize()
        .no_retries()
        .send(&item_get_request())
        .await
        .unwrap_err();
    assert_eq!(failing.calls_async().await, 1, "{err}");
    let err = c.send(&item_get_request()).await.unwrap_err();
    assert_eq!(
        failing.calls_async().await,
        5,
        "the client's own policy: 4 more: {err}"
    );
}

/// Plaid's 429 has no Retry-After; the retry waits the rate-limit delay (here shortened), not the
/// milliseconds of a transient failure.
#[tokio::test]
async fn a_rate_limit_without_retry_after_waits_the_rate_limit_delay() {
    let server = MockServer::start_async().await;
    let limited = server.accounts_get(|_, then| {
        then.into_inner()
            .status(429)
            .header("content-type", "application/json")
            .json_body(json!({"error_type": "RATE_LIMIT_EXCEEDED", "error_code": "ACCOUNTS_LIMIT",
                "error_message": "rate limit exceeded", "display_message": null, "request_id": "r"}))
            .up_to_n_times(1);
    });
    let ok = server.accounts_get(|_, then| {
        then.ok(&example::<operations::AccountsGet>().unwrap());
    });
    let c = client_with(
        &server,
        Backoff {
            initial_delay: Duration::from_millis(1),
            rate_limit_delay: Duration::from_millis(400),
            ..Backoff::default()
        },
    );
    let started = Instant::now();
    let r = c
        .send(&accounts_request(ACCESS_TOKEN))
        .await
        .expect("succeeds");
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (
            r.attempts,
            limited.calls_async().await,
            ok.calls_async().await
        ),
        (2, 1, 1)
    );
}

// ---- item 6: lenient error bodies, every sync's mutation code -----------------------------------

/// Any body with `error_type` and `error_code` is an API error, whatever it lacks or adds.
#[tokio::test]
async fn error_bodies_with_type_and_code_are_api_errors() {
    let bodies = [
        json!({"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED"}),
        json!({"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED",
            "display_message": 42, "causes": {"not": "a list"}, "error_message": null,
            "new_field": [1, 2, 3], "request_id": "req-7"}),
    ];
    for body in bodies {
        let server = MockServer::start_async().await;
        server.mock(raw_error(400, body.clone()));
        let err = client(&server).send(&item_get_request()).await.unwrap_err();
        assert!(err.is_item_login_required(), "{body}: {err:?}");
    }
    let server = MockServer::start_async().await;
    server.mock(raw_error(
        400,
        json!({"error_type": "ITEM_ERROR", "message": "no code"}),
    ));
    let err = client(&server).send(&item_get_request()).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

fn mutation_error(code: &str) -> Value {
    // As a proxy or a newer Plaid might send it: no display_message, no request_id.
    json!({"error_type": "TRANSACTIONS_ERROR", "error_code": code,
        "error_message": "data changed since the last page; restart pagination"})
}

/// A sync pass interrupted by the mutation error restarts, even when the body lacks fields the
/// spec calls required.
#[tokio::test]
async fn a_sync_restarts_on_a_lean_mutation_error() {
    let server = MockServer::start_async().await;
    server.transactions_sync(|_, then| {
        then.into_inner()
            .status(400)
            .header("content-type", "application/json")
            .json_body(mutation_error(
                "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
            ))
            .up_to_n_times(1);
    });
    let mut last = example::<operations::TransactionsSync>().unwrap();
    last.next_cursor = "c-final".into();
    last.has_more = false;
    server.transactions_sync(|_, then| {
        then.ok(&last);
    });
    match client(&server).sync(sync_request(None)).run().await {
        Ok(SyncOutcome::Complete(batch)) => {
            assert_eq!((batch.restarts, batch.cursor.as_str()), (1, "c-final"));
        }
        other => panic!("{other:?}"),
    }
}

/// The cash-flow report sync restarts on its own code of the family.
#[tokio::test]
async fn a_cash_flow_report_sync_restarts_on_its_mutation_code() {
    let server = MockServer::start_async().await;
    server.cashflow_report_get(|_, then| {
        then.into_inner()
            .status(400)
            .header("content-type", "application/json")
            .json_body(mutation_error(
                "CASHFLOW_REPORT_SYNC_MUTATION_DURING_PAGINATION",
            ))
            .up_to_n_times(1);
    });
    let mut last = example::<operations::CashflowReportGet>().unwrap();
    last.next_cursor = "cf-final".into();
    last.has_more = false;
    server.cashflow_report_get(|_, then| {
        then.ok(&last);
    });
    match client(&server).sync(cashflow_request(None)).run().await {
        Ok(SyncOutcome::Complete(batch)) => assert_eq!(batch.restarts, 1),
        other => panic!("{other:?}"),
    }
}

/// The error codes are Plaid's documented list (generated), not a hand list that drifted: the
/// codes the hand list missed are known.
#[test]
fn error_codes_are_the_documented_ones() {
    for code in ["NO_AUTH_ACCOUNTS", "INVALID_MFA", "ITEM_LOGIN_REQUIRED"] {
        let parsed = ErrorCode::from(code);
        assert!(!matches!(parsed, ErrorCode::Other(_)), "{code}");
        assert_eq!(parsed.as_str(), code);
    }
    const { assert!(plaid_client::error_codes::COUNT >= 139) };
}

// ---- item 7: typed mocks after the examples ---------------------------------------------------

/// The README's order: every example first, then a typed mock. The typed mock answers its
/// requests; the example answers the rest.
#[tokio::test]
async fn typed_mocks_added_after_the_examples_answer_first() {
    let server = MockServer::start_async().await;
    assert!(server.mock_all_examples() > 300);
    let mut mine = example::<operations::AccountsGet>().unwrap();
    mine.accounts.truncate(1);
    mine.request_id = "req-mine".to_string().into();
    let typed = server.accounts_get(|when, then| {
        when.body(&accounts_request(ACCESS_TOKEN));
        then.ok(&mine);
    });
    let c = client(&server);
    let ours = c.send(&accounts_request(ACCESS_TOKEN)).await.unwrap();
    assert_eq!(ours.request_id.to_string(), "req-mine");
    let theirs = c
        .send(&accounts_request("access-sandbox-other"))
        .await
        .unwrap();
    assert_ne!(theirs.request_id.to_string(), "req-mine");
    assert_eq!(typed.calls_async().await, 1);
}

// ---- item 8: plain http ------------------------------------------------------------------------

#[test]
fn plain_http_is_refused_except_to_loopback() {
    for url in [
        "http://plaid-proxy.example.com",
        "http://10.0.0.7:8080",
        "http://[2001:db8::1]/",
    ] {
        let err = PlaidClient::builder(Environment::Custom(url.into()), CLIENT_ID, SECRET)
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::PlainHttp(_)), "{url}: {err}");
        assert!(
            err.to_string()
                .contains("PLAID-SECRET would be sent unencrypted"),
            "{err}"
        );
        assert!(Environment::parse(url).is_err(), "{url}");
    }
    for url in [
        "http://127.0.0.1:4010",
        "http://localhost:4010",
        "http://[::1]:4010",
        "https://plaid-proxy.example.com",
    ] {
        PlaidClient::builder(Environment::Custom(url.into()), CLIENT_ID, SECRET)
            .build()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

// ---- item 9: absent nullable fields --------------------------------------------------------------

/// Required and nullable fields that a real body leaves out decode as `None` (and are written
/// back as `null`, as the spec wants).
#[tokio::test]
async fn absent_nullable_fields_decode_as_none() {
    let server = MockServer::start_async().await;
    let mut accounts = serde_json::to_value(example::<operations::AccountsGet>().unwrap()).unwrap();
    for account in accounts["accounts"].as_array_mut().unwrap() {
        account["balances"]
            .as_object_mut()
            .unwrap()
            .remove("iso_currency_code");
    }
    accounts["item"]
        .as_object_mut()
        .unwrap()
        .remove("consent_expiration_time");
    server.mock(move |when, then| {
        when.path("/accounts/get");
        then.status(200).json_body(accounts);
    });
    let r = client(&server)
        .send(&accounts_request(ACCESS_TOKEN))
        .await
        .expect("absent nullable keys decode");
    assert!(r
        .accounts
        .iter()
        .all(|a| a.balances.iso_currency_code.is_none()));
    assert!(r.item.consent_expiration_time.is_none());
    let written = serde_json::to_value(&r.accounts[0].balances).unwrap();
    assert_eq!(written.get("iso_currency_code"), Some(&Value::Null));
}

// ---- item 10: cursor cycles ----------------------------------------------------------------------

/// A server that alternates cursors (`None → c1 → c2 → c1 …`) with `has_more: true` ends the
/// pass with a cycle error within a few requests.
#[tokio::test]
async fn an_alternating_cursor_sync_ends_with_a_cycle_error() {
    let server = MockServer::start_async().await;
    let mut page = example::<operations::TransactionsSync>().unwrap();
    page.has_more = true;
    let mut calls = Vec::new();
    for (asked, next) in [(None, "c1"), (Some("c1"), "c2"), (Some("c2"), "c1")] {
        let mut p = page.clone();
        p.next_cursor = next.to_string();
        calls.push(server.transactions_sync(|when, then| {
            when.body(&sync_request(asked));
            then.ok(&p);
        }));
    }
    let started = Instant::now();
    let err = client(&server)
        .sync(sync_request(None))
        .run()
        .await
        .unwrap_err();
    let Error::Pagination(p) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**p, PaginationError::Cycle { .. }), "{err}");
    let mut total = 0;
    for m in &calls {
        total += m.calls_async().await;
    }
    assert_eq!(total, 3, "three requests, then the cycle is seen");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// The same for a cursor list (`pages()`).
#[tokio::test]
async fn an_alternating_cursor_list_ends_with_a_cycle_error() {
    let server = MockServer::start_async().await;
    let page = example::<operations::WalletList>().unwrap();
    for (asked, next) in [(None, "w1"), (Some("w1"), "w2"), (Some("w2"), "w1")] {
        let mut p = page.clone();
        p.next_cursor = Some(next.to_string());
        server.wallet_list(|when, then| {
            when.body(&wallet_list_request(asked));
            then.ok(&p);
        });
    }
    let results: Vec<_> = client(&server)
        .paginate(wallet_list_request(None))
        .pages()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "two pages, then the error");
    match results.last() {
        Some(Err(Error::Pagination(p))) => {
            assert!(matches!(**p, PaginationError::Cycle { .. }), "{p}")
        }
        other => panic!("{other:?}"),
    }
}

/// A minimal HTTP server on loopback whose every answer is computed: the `n`-th request (from
/// 0) gets `answer(n)` as a JSON 200. httpmock's answers are fixed; a server that makes up a new
/// cursor each time needs this.
async fn computed_server(answer: fn(usize) -> Value) -> (String, Arc<Mutex<usize>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(Mutex::new(0usize));
    let served = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then as many body bytes as Content-Length says.
            while let Ok(n) = stream.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let n = {
                let mut c = served.lock().unwrap();
                *c += 1;
                *c - 1
            };
            let body = answer(n).to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
    });
    (url, count)
}

/// Distinct cursors but nothing in the pages, forever: ended by the empty-page bound, after a
/// bounded number of requests.
#[tokio::test]
async fn a_sync_of_empty_pages_that_never_ends_is_stopped() {
    fn empty_page(n: usize) -> Value {
        let mut page =
            serde_json::to_value(example::<operations::TransactionsSync>().unwrap()).unwrap();
        page["added"] = json!([]);
        page["modified"] = json!([]);
        page["removed"] = json!([]);
        page["has_more"] = json!(true);
        page["next_cursor"] = json!(format!("c{n}"));
        page
    }
    let (url, count) = computed_server(empty_page).await;
    let c = PlaidClient::builder(Environment::Custom(url), CLIENT_ID, SECRET)
        .build()
        .unwrap();
    let err = c.sync(sync_request(None)).run().await.unwrap_err();
    let Error::Pagination(p) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**p, PaginationError::NoProgress { .. }), "{err}");
    assert_eq!(
        *count.lock().unwrap(),
        plaid_client_ext::sync::MAX_EMPTY_PAGES + 1
    );
}
