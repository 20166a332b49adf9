//! Issue 16, item 3: what a forged webhook costs the receiving server. The key endpoint is a
//! real HTTP server on loopback that counts the key fetches it answers.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use httpmock::prelude::*;
use plaid_client_ext::retry::Backoff;
use plaid_client_ext::webhooks::{
    WebhookError, WebhookEvent, WebhookSigner, WebhookVerifier, DEFAULT_MAX_KEY_FETCHES_PER_MINUTE,
};
use plaid_client_ext::{Environment, PlaidClient};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

const NOW: u64 = 1_700_000_000;
const KID: &str = "bfbd5111-8e33-4643-8ced-b2e642a72f3c";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

/// The `Plaid-Verification` header of `body`, signed by `key` under `kid` (a forger signs under
/// any `kid` it likes).
fn signed(key: &WebhookSigner, kid: &str, body: &[u8]) -> HeaderMap {
    let token = key.sign_claims(
        &json!({"alg": "ES256", "kid": kid, "typ": "JWT"}),
        &WebhookSigner::claims(body, NOW),
    );
    let mut h = HeaderMap::new();
    h.insert("plaid-verification", HeaderValue::from_str(&token).unwrap());
    h
}

fn body() -> Vec<u8> {
    serde_json::to_vec(&json!({"webhook_type": "TRANSACTIONS",
        "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": "item-1",
        "initial_update_complete": true, "historical_update_complete": false,
        "environment": "sandbox"}))
    .unwrap()
}

/// A key endpoint: `KID` is `known` (after `delay`), every other kid is unknown to Plaid.
/// Counts every fetch it answers.
struct KeyServer {
    server: MockServer,
    fetches: Arc<AtomicUsize>,
}

impl KeyServer {
    async fn start(known: Option<&WebhookSigner>, delay: Duration) -> Self {
        let server = MockServer::start_async().await;
        let fetches = Arc::new(AtomicUsize::new(0));
        if let Some(key) = known {
            let counter = fetches.clone();
            let answer = key.key_response("RZ6Omi1bzzwDaLo");
            server
                .mock_async(|when, then| {
                    when.path("/webhook_verification_key/get")
                        .json_body_includes(json!({"key_id": KID}).to_string())
                        .is_true(move |_| {
                            counter.fetch_add(1, Ordering::SeqCst);
                            true
                        });
                    then.status(200).json_body(answer).delay(delay);
                })
                .await;
        }
        let counter = fetches.clone();
        server
            .mock_async(|when, then| {
                when.path("/webhook_verification_key/get")
                    .is_true(move |_| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        true
                    });
                then.status(400)
                    .json_body(json!({"error_type": "INVALID_INPUT",
                    "error_code": "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
                    "error_message": "invalid key_id provided", "display_message": null,
                    "request_id": "r"}));
            })
            .await;
        Self { server, fetches }
    }

    /// A verifier whose client would retry reads (the default policy): the key path must not.
    fn verifier(&self) -> WebhookVerifier {
        let client = PlaidClient::builder(
            Environment::Custom(self.server.base_url()),
            "client-id",
            "secret",
        )
        .retry_policy(Backoff {
            initial_delay: Duration::from_millis(1),
            ..Backoff::default()
        })
        .build()
        .unwrap();
        WebhookVerifier::new(client).clock(now)
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

/// 1,000 forged webhooks, each with a random `kid`: the key fetches they cause are bounded by
/// the per-minute limit, not by the number of requests.
#[tokio::test]
async fn a_thousand_forged_kids_cost_at_most_the_fetch_limit() {
    let plaid = KeyServer::start(None, Duration::ZERO).await;
    let verifier = plaid.verifier();
    let forger = WebhookSigner::random(KID);
    let body = body();
    let (mut unknown, mut limited) = (0, 0);
    for _ in 0..1_000 {
        let kid = uuid::Uuid::new_v4().to_string();
        match verifier.verify(&signed(&forger, &kid, &body), &body).await {
            Err(WebhookError::UnknownKey { .. }) => unknown += 1,
            Err(WebhookError::KeyFetchLimited { .. }) => limited += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(plaid.fetches(), DEFAULT_MAX_KEY_FETCHES_PER_MINUTE);
    assert_eq!((unknown, limited), (10, 990));
}

/// Concurrent webhooks with one new `kid` share one fetch.
#[tokio::test]
async fn concurrent_webhooks_with_one_new_kid_share_one_fetch() {
    let key = WebhookSigner::random(KID);
    let plaid = KeyServer::start(Some(&key), Duration::from_millis(300)).await;
    let verifier = plaid.verifier();
    let body = body();
    let headers = signed(&key, KID, &body);
    let all =
        futures_util::future::join_all((0..50).map(|_| verifier.verify(&headers, &body))).await;
    assert!(
        all.iter()
            .all(|r| matches!(r, Ok(WebhookEvent::SyncUpdatesAvailable(_)))),
        "{all:?}"
    );
    assert_eq!(plaid.fetches(), 1);
}

/// A `kid` Plaid does not know is remembered: the same forged `kid` again costs no fetch.
#[tokio::test]
async fn an_unknown_kid_is_remembered() {
    let plaid = KeyServer::start(None, Duration::ZERO).await;
    let verifier = plaid.verifier();
    let forger = WebhookSigner::random(KID);
    let body = body();
    let headers = signed(&forger, "0f0f0f0f-forged", &body);
    for _ in 0..20 {
        let err = verifier.verify(&headers, &body).await.unwrap_err();
        assert!(matches!(err, WebhookError::UnknownKey { .. }), "{err:?}");
    }
    assert_eq!(plaid.fetches(), 1);
}

/// A failing key fetch is not retried, although the client retries reads.
#[tokio::test]
async fn key_fetches_are_not_retried() {
    let plaid = KeyServer {
        server: MockServer::start_async().await,
        fetches: Arc::new(AtomicUsize::new(0)),
    };
    let failing = plaid
        .server
        .mock_async(|when, then| {
            when.path("/webhook_verification_key/get");
            then.status(500).json_body(json!({"error_type": "API_ERROR",
                "error_code": "INTERNAL_SERVER_ERROR", "error_message": "boom",
                "display_message": null, "request_id": "r"}));
        })
        .await;
    let key = WebhookSigner::random(KID);
    let body = body();
    let err = plaid
        .verifier()
        .verify(&signed(&key, KID, &body), &body)
        .await
        .unwrap_err();
    assert!(matches!(err, WebhookError::KeyFetch(_)), "{err:?}");
    assert_eq!(failing.calls_async().await, 1);
}

/// A forged `kid` is named only in part, and one far longer than Plaid's is not looked up.
#[tokio::test]
async fn a_forged_kid_is_quoted_only_in_part() {
    let plaid = KeyServer::start(None, Duration::ZERO).await;
    let verifier = plaid.verifier();
    let forger = WebhookSigner::random(KID);
    let body = body();
    let long_kid = "k".repeat(10 * 1024);
    let err = verifier
        .verify(&signed(&forger, &long_kid, &body), &body)
        .await
        .unwrap_err();
    assert!(err.to_string().len() < 200, "{err}");
    assert_eq!(plaid.fetches(), 0, "not looked up");
    let kid = format!("{}-{}", "x".repeat(80), "y".repeat(40));
    let err = verifier
        .verify(&signed(&forger, &kid, &body), &body)
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(matches!(err, WebhookError::UnknownKey { .. }), "{err:?}");
    assert!(shown.len() < 120 && !shown.contains(&kid), "{shown}");
}

/// A correctly signed body that fits no schema (Plaid changed a field's type, say) is kept as
/// `Unknown`, never refused: a refusal makes Plaid retry for days.
#[tokio::test]
async fn a_signed_body_that_fits_no_schema_is_kept() {
    let key = WebhookSigner::random(KID);
    let plaid = KeyServer::start(Some(&key), Duration::ZERO).await;
    let body = br#"{"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": 42}"#;
    let event = plaid
        .verifier()
        .verify(&signed(&key, KID, body), body)
        .await
        .expect("verified webhooks are accepted");
    match event {
        WebhookEvent::Unknown {
            webhook_type,
            webhook_code,
            body,
        } => {
            assert_eq!(webhook_type, "TRANSACTIONS");
            assert_eq!(webhook_code, "SYNC_UPDATES_AVAILABLE");
            assert_eq!(body["item_id"], 42);
        }
        other => panic!("{other:?}"),
    }
}
