//! Webhook verification with keys generated here: one valid webhook, and every way to forge one.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::Mac;
use httpmock::prelude::*;
// The header types come from the crate's re-export: a caller needs no `http` dependency.
use plaid_client_ext::webhooks::{
    HeaderMap, HeaderValue, WebhookError, WebhookEvent, WebhookSigner, WebhookVerifier,
};
use plaid_client_ext::{Environment, PlaidClient};
use proptest::prelude::*;
use serde_json::{json, Value};

const NOW: u64 = 1_700_000_000;
const KID: &str = "bfbd5111-8e33-4643-8ced-b2e642a72f3c";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn body() -> Vec<u8> {
    // Plaid's own whitespace (2-space indentation) is part of what is signed.
    serde_json::to_vec_pretty(&json!({
        "webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": "wz666MBjYWTp2PDzzggYhM6oWWmBb", "initial_update_complete": true,
        "historical_update_complete": false, "environment": "sandbox"
    }))
    .unwrap()
}

fn headers(token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    // The canonical spelling; HeaderMap matches names case-insensitively.
    h.insert("Plaid-Verification", HeaderValue::from_str(token).unwrap());
    h
}

struct Setup {
    server: MockServer,
    key: WebhookSigner,
    /// How many times the known key was fetched.
    fetches: Arc<AtomicUsize>,
}

impl Setup {
    /// A key endpoint that knows `KID` (optionally expired) and nothing else.
    async fn new(expired_at: Option<i64>) -> Self {
        let key = WebhookSigner::random(KID).expired_at(expired_at);
        let server = MockServer::start_async().await;
        let known = key.key_response("RZ6Omi1bzzwDaLo");
        let fetches = Arc::new(AtomicUsize::new(0));
        let counter = fetches.clone();
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/webhook_verification_key/get")
                    .json_body_includes(json!({"key_id": KID}).to_string())
                    .is_true(move |_| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        true
                    });
                then.status(200).json_body(known);
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(POST).path("/webhook_verification_key/get");
                then.status(400).json_body(json!({"error_type": "INVALID_INPUT",
                    "error_code": "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
                    "error_message": "invalid key_id provided", "display_message": null, "request_id": "r"}));
            })
            .await;
        Self {
            server,
            key,
            fetches,
        }
    }

    fn verifier(&self) -> WebhookVerifier {
        let client = PlaidClient::builder(
            Environment::Custom(self.server.base_url()),
            "client-id",
            "secret",
        )
        .no_retries()
        .build()
        .unwrap();
        WebhookVerifier::new(client).clock(now)
    }
}

#[tokio::test]
async fn a_valid_webhook_is_accepted_typed_and_its_key_cached() {
    let s = Setup::new(None).await;
    let v = s.verifier();
    let body = body();
    let event = v
        .verify(&headers(&s.key.sign(&body, NOW)), &body)
        .await
        .expect("valid");
    match &event {
        WebhookEvent::SyncUpdatesAvailable(e) => {
            assert_eq!(e.item_id.as_str(), "wz666MBjYWTp2PDzzggYhM6oWWmBb")
        }
        other => panic!("wrong variant: {other:?}"),
    }
    assert_eq!(event.webhook_code(), "SYNC_UPDATES_AVAILABLE");
    assert_eq!(s.fetches.load(Ordering::SeqCst), 1);
    // A second webhook within the cache lifetime does not fetch the key again.
    v.verify(&headers(&s.key.sign(&body, NOW - 10)), &body)
        .await
        .expect("valid");
    assert_eq!(s.fetches.load(Ordering::SeqCst), 1, "served from the cache");
}

async fn rejected(s: &Setup, headers: &HeaderMap, body: &[u8]) -> WebhookError {
    s.verifier()
        .verify(headers, body)
        .await
        .expect_err("must be rejected")
}

#[tokio::test]
async fn a_changed_body_is_rejected() {
    let s = Setup::new(None).await;
    let token = s.key.sign(&body(), NOW);
    let mut changed = body();
    changed[20] ^= 1;
    assert!(matches!(
        rejected(&s, &headers(&token), &changed).await,
        WebhookError::BodyMismatch
    ));
    // The same JSON with other whitespace is a different body too.
    let compact = serde_json::to_vec(&serde_json::from_slice::<Value>(&body()).unwrap()).unwrap();
    assert!(matches!(
        rejected(&s, &headers(&token), &compact).await,
        WebhookError::BodyMismatch
    ));
}

#[tokio::test]
async fn a_changed_claim_is_rejected() {
    let s = Setup::new(None).await;
    let token = s.key.sign(&body(), NOW);
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let other_body = b"{\"webhook_type\":\"TRANSFER\"}";
    parts[1] = b64(WebhookSigner::claims(other_body, NOW)
        .to_string()
        .as_bytes());
    let forged = parts.join(".");
    assert!(matches!(
        rejected(&s, &headers(&forged), other_body).await,
        WebhookError::BadSignature
    ));
}

#[tokio::test]
async fn alg_none_is_rejected() {
    let s = Setup::new(None).await;
    let claims = WebhookSigner::claims(&body(), NOW);
    let token = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "kid": KID}).to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    match rejected(&s, &headers(&token), &body()).await {
        WebhookError::UnsupportedAlgorithm(alg) => assert_eq!(alg, "none"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_rejected() {
    let s = Setup::new(None).await;
    let public = s.key.jwk().to_string();
    let header = b64(json!({"alg": "HS256", "kid": KID}).to_string().as_bytes());
    let claims = b64(WebhookSigner::claims(&body(), NOW).to_string().as_bytes());
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(public.as_bytes()).unwrap();
    mac.update(format!("{header}.{claims}").as_bytes());
    let token = format!("{header}.{claims}.{}", b64(&mac.finalize().into_bytes()));
    match rejected(&s, &headers(&token), &body()).await {
        WebhookError::UnsupportedAlgorithm(alg) => assert_eq!(alg, "HS256"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_kid_the_key_endpoint_does_not_know_is_rejected() {
    let s = Setup::new(None).await;
    let token = s.key.sign_claims(
        &json!({"alg": "ES256", "kid": "not-a-plaid-key"}),
        &WebhookSigner::claims(&body(), NOW),
    );
    match rejected(&s, &headers(&token), &body()).await {
        WebhookError::UnknownKey { kid } => assert_eq!(kid, "not-a-plaid-key"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_rejected() {
    let s = Setup::new(None).await;
    let attacker = WebhookSigner::random(KID);
    let token = attacker.sign(&body(), NOW);
    assert!(matches!(
        rejected(&s, &headers(&token), &body()).await,
        WebhookError::BadSignature
    ));
}

#[tokio::test]
async fn an_expired_key_is_rejected() {
    let s = Setup::new(Some(1_650_000_000)).await;
    let token = s.key.sign(&body(), NOW);
    match rejected(&s, &headers(&token), &body()).await {
        WebhookError::ExpiredKey { expired_at, .. } => assert_eq!(expired_at, 1_650_000_000),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_stale_or_future_iat_is_rejected_and_the_window_is_configurable() {
    let s = Setup::new(None).await;
    let b = body();
    // Exactly 5 minutes old is still accepted; one second more is not.
    s.verifier()
        .verify(&headers(&s.key.sign(&b, NOW - 300)), &b)
        .await
        .expect("at the limit");
    assert!(matches!(
        rejected(&s, &headers(&s.key.sign(&b, NOW - 301)), &b).await,
        WebhookError::Stale(_)
    ));
    assert!(matches!(
        rejected(&s, &headers(&s.key.sign(&b, NOW + 3600)), &b).await,
        WebhookError::Stale(_)
    ));
    let strict = s.verifier().max_age(Duration::from_secs(10));
    assert!(matches!(
        strict.verify(&headers(&s.key.sign(&b, NOW - 11)), &b).await,
        Err(WebhookError::Stale(_))
    ));
}

#[tokio::test]
async fn missing_or_malformed_headers_are_rejected() {
    let s = Setup::new(None).await;
    let b = body();
    assert!(matches!(
        rejected(&s, &HeaderMap::new(), &b).await,
        WebhookError::MissingHeader
    ));
    for bad in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!.!!.!!",
        "e30.e30.",
        "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
    ] {
        let err = rejected(&s, &headers(bad), &b).await;
        assert!(
            matches!(
                err,
                WebhookError::MalformedToken(_)
                    | WebhookError::MissingKeyId
                    | WebhookError::UnsupportedAlgorithm(_)
            ),
            "{bad:?}: {err:?}"
        );
    }
    let mut non_ascii = HeaderMap::new();
    non_ascii.insert(
        "plaid-verification",
        HeaderValue::from_bytes(b"\xff\xfe.\x80").unwrap(),
    );
    assert!(matches!(
        rejected(&s, &non_ascii, &b).await,
        WebhookError::MalformedToken(_)
    ));
}

#[tokio::test]
async fn unsigned_garbage_is_rejected_and_signed_unknown_webhooks_kept_raw() {
    let s = Setup::new(None).await;
    let garbage = [0xffu8, 0x00, 0x13, 0x37];
    let token = s.key.sign(&body(), NOW);
    assert!(matches!(
        rejected(&s, &headers(&token), &garbage).await,
        WebhookError::BodyMismatch
    ));
    // Signed garbage passes the signature: Plaid sent it, so it is kept, not refused (a
    // refusal makes Plaid retry it for days; issue 16).
    let token = s.key.sign(&garbage, NOW);
    assert!(matches!(
        s.verifier().verify(&headers(&token), &garbage).await,
        Ok(WebhookEvent::Unknown { .. })
    ));
    // A verified webhook of a type this client does not know is kept, not refused.
    let new_kind = br#"{"webhook_type": "SPACE", "webhook_code": "LAUNCHED", "item_id": "i"}"#;
    let token = s.key.sign(new_kind, NOW);
    match s
        .verifier()
        .verify(&headers(&token), new_kind)
        .await
        .expect("verified")
    {
        WebhookEvent::Unknown {
            webhook_type,
            webhook_code,
            body,
        } => {
            assert_eq!(
                (webhook_type.as_str(), webhook_code.as_str()),
                ("SPACE", "LAUNCHED")
            );
            assert_eq!(body["item_id"], "i");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn error_messages_never_echo_the_token_or_body() {
    let e = WebhookError::BadSignature;
    assert!(!e.to_string().contains("eyJ"));
    let e = WebhookError::MalformedToken("the header is not base64url");
    assert_eq!(
        e.to_string(),
        "the Plaid-Verification header is not a valid JWT: the header is not base64url"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever arrives, the verifier answers with a result, never a panic.
    #[test]
    fn never_panics_on_random_input(
        token in "[A-Za-z0-9_\\-\\.=]{0,200}",
        parts in proptest::collection::vec("[A-Za-z0-9_\\-]{0,40}", 0..5),
        body in proptest::collection::vec(any::<u8>(), 0..200),
        json_header in proptest::option::of("\\{\"alg\":\"(ES256|none|HS256|)\",\"kid\":\"[a-z]{0,5}\"\\}"),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            // A key endpoint that is not there: any fetch fails cleanly.
            let client = PlaidClient::builder(Environment::Custom("http://127.0.0.1:9".into()), "id", "secret")
                .no_retries()
                .request_timeout(Duration::from_millis(200))
                .build()
                .unwrap();
            let v = WebhookVerifier::new(client).clock(now);
            let _ = v.verify_token(&token, &body).await;
            let _ = v.verify_token(&parts.join("."), &body).await;
            if let Some(h) = &json_header {
                let t = format!("{}.{}.{}", b64(h.as_bytes()), b64(&body), b64(&body));
                let _ = v.verify_token(&t, &body).await;
            }
        });
    }
}
