//! A Plaid webhook endpoint in axum, with verification.
//!
//! ```sh
//! cargo run -p plaid-client-ext --example webhook_server
//! ```
//!
//! Offline, as here, it plays both sides: a stand-in for `/webhook_verification_key/get`
//! serving a key generated on the spot, and "Plaid" posting one webhook signed with that key
//! and one forged webhook. In production you would build the verifier from
//! `PlaidClient::from_env()` and point Plaid's webhook URL at `/plaid/webhook`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use plaid_client_ext::webhooks::{WebhookEvent, WebhookVerifier};
use plaid_client_ext::{Environment, PlaidClient};
use serde_json::json;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The handler: verify against the raw bytes, then act on the typed event.
async fn plaid_webhook(
    State(verifier): State<Arc<WebhookVerifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    match verifier.verify(&headers, &body).await {
        Ok(WebhookEvent::SyncUpdatesAvailable(e)) => (
            StatusCode::OK,
            format!(
                "accepted: new transactions to sync for item {}",
                e.item_id.as_str()
            ),
        ),
        Ok(other) => (
            StatusCode::OK,
            format!(
                "accepted: {} {}",
                other.webhook_type(),
                other.webhook_code()
            ),
        ),
        // Say which check failed in your logs; tell the sender only that it was refused.
        Err(e) => (StatusCode::BAD_REQUEST, format!("rejected: {e}")),
    }
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    // Stand-in for Plaid's key endpoint, serving a key made here.
    let key = SigningKey::random(&mut rand_core::OsRng);
    let kid = "example-key-1";
    let keys = httpmock::MockServer::start_async().await;
    let point = key.verifying_key().to_encoded_point(false);
    let (x, y) = (point.x().ok_or("no x")?, point.y().ok_or("no y")?);
    keys.mock_async(|when, then| {
        when.path("/webhook_verification_key/get");
        then.status(200)
            .json_body(json!({"key": {"alg": "ES256", "created_at": 1_700_000_000,
            "crv": "P-256", "expired_at": null, "kid": kid, "kty": "EC", "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)}, "request_id": "r"}));
    })
    .await;

    let client = PlaidClient::builder(Environment::Custom(keys.base_url()), "client-id", "secret")
        .build()?;
    let verifier = Arc::new(WebhookVerifier::new(client));
    let app = Router::new()
        .route("/plaid/webhook", post(plaid_webhook))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/plaid/webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("webhook endpoint listening at {url}");

    // "Plaid" sends a signed webhook, then someone sends a forged one.
    let body = serde_json::to_vec_pretty(&json!({
        "webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": "wz666MBjYWTp2PDzzggYhM6oWWmBb", "initial_update_complete": true,
        "historical_update_complete": true, "environment": "sandbox"
    }))?;
    let iat = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let sign = |claims: serde_json::Value| {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json!({"alg": "ES256", "kid": kid, "typ": "JWT"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig: Signature = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    };
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let genuine = sign(json!({"iat": iat, "request_body_sha256": digest}));
    let http = reqwest::Client::new();
    for (label, token, payload) in [
        ("signed by Plaid", genuine.clone(), body.clone()),
        (
            "body swapped after signing",
            genuine,
            br#"{"webhook_type":"TRANSFER","webhook_code":"TRANSFER_EVENTS_UPDATE"}"#.to_vec(),
        ),
    ] {
        let resp = http
            .post(&url)
            .header("Plaid-Verification", token)
            .body(payload)
            .send()
            .await?;
        println!(
            "{label:<28} -> {} {}",
            resp.status().as_u16(),
            resp.text().await?
        );
    }
    Ok(())
}
