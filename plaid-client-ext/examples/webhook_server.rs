//! A Plaid webhook endpoint in axum, with verification.
//!
//! ```sh
//! cargo run -p plaid-client-ext --example webhook_server
//! ```
//!
//! Offline, as here, it plays both sides: a stand-in for `/webhook_verification_key/get`
//! serving a key generated on the spot, and "Plaid" posting one webhook signed with that key by
//! `WebhookSigner` (feature `testing`, the signer your own tests can use)
//! and one forged webhook. In production you would build the verifier from
//! `PlaidClient::from_env()` and point Plaid's webhook URL at `/plaid/webhook`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use plaid_client_ext::webhooks::{WebhookEvent, WebhookSigner, WebhookVerifier};
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
    let signer = WebhookSigner::random("example-key-1");
    let keys = httpmock::MockServer::start_async().await;
    keys.mock_async(|when, then| {
        when.path("/webhook_verification_key/get");
        then.status(200).json_body(signer.key_response("r"));
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
    let genuine = signer.sign_now(&body);
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
