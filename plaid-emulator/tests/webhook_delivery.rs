//! How webhooks are delivered (docs: api-webhooks, api-webhooks-webhook-verification "Caching
//! and key rotation"): in order by default, twice or reordered when a test asks, retried a
//! bounded number of times when not acknowledged, and signed with a rotated key that
//! verifiers find while the old one is served as expired.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::post;
use plaid_client_ext::types::{self, Products, SandboxItemFireWebhookRequestWebhookCode as Code};
use plaid_client_ext::webhooks::WebhookVerifier;
use plaid_client_ext::PlaidClient;
use plaid_emulator::WebhookDelivery;
use support::{link_with, next_verified, nothing_more, receiver, start};

async fn fire(client: &PlaidClient, token: &str, code: Code) {
    let fire = types::SandboxItemFireWebhookRequest::new(token, code);
    assert!(client.send(&fire).await.unwrap().webhook_fired);
}

/// The codes of the next `n` webhooks, verified.
async fn next_codes(
    client: &PlaidClient,
    received: &mut support::Received,
    n: usize,
) -> Vec<String> {
    let mut codes = Vec::new();
    for _ in 0..n {
        codes.push(
            next_verified(client, received)
                .await
                .webhook_code()
                .to_string(),
        );
    }
    codes
}

#[tokio::test]
async fn in_order_by_default_twice_when_duplicated_swapped_when_out_of_order() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let (token, _) = link_with(&client, vec![Products::Transactions], Some(url)).await;
    fire(&client, &token, Code::DefaultUpdate).await;
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    fire(&client, &token, Code::NewAccountsAvailable).await;
    let codes = next_codes(&client, &mut received, 3).await;
    assert_eq!(
        codes,
        [
            "DEFAULT_UPDATE",
            "SYNC_UPDATES_AVAILABLE",
            "NEW_ACCOUNTS_AVAILABLE"
        ]
    );
    assert!(nothing_more(&mut received, Duration::from_millis(300)).await);

    emulator.set_webhook_delivery(WebhookDelivery::Duplicated);
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    let codes = next_codes(&client, &mut received, 2).await;
    assert_eq!(codes, ["SYNC_UPDATES_AVAILABLE", "SYNC_UPDATES_AVAILABLE"]);
    assert!(
        nothing_more(&mut received, Duration::from_millis(300)).await,
        "exactly twice"
    );

    emulator.set_webhook_delivery(WebhookDelivery::OutOfOrder);
    fire(&client, &token, Code::DefaultUpdate).await;
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    let codes = next_codes(&client, &mut received, 2).await;
    assert_eq!(
        codes,
        ["SYNC_UPDATES_AVAILABLE", "DEFAULT_UPDATE"],
        "the later one first"
    );
    // One alone is still delivered once its hold ends.
    fire(&client, &token, Code::NewAccountsAvailable).await;
    assert_eq!(
        next_codes(&client, &mut received, 1).await,
        ["NEW_ACCOUNTS_AVAILABLE"]
    );
    assert!(nothing_more(&mut received, Duration::from_millis(500)).await);
}

/// An endpoint that fails its first `failures` requests with 500: its URL and request count.
async fn flaky(failures: usize) -> (String, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
async fn a_failed_delivery_is_retried_a_bounded_number_of_times() {
    let (_emulator, client) = start().await;
    let (recovering, recovering_seen) = flaky(1).await;
    let (token, _) = link_with(&client, vec![Products::Transactions], Some(recovering)).await;
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    let (down, down_seen) = flaky(usize::MAX).await;
    let (other, _) = link_with(&client, vec![Products::Transactions], Some(down)).await;
    fire(&client, &other, Code::SyncUpdatesAvailable).await;
    // Deliveries go one after the other, retries included: once a later webhook has arrived,
    // the two before it have had all their attempts.
    let (url, mut received) = receiver().await;
    let (last, _) = link_with(&client, vec![Products::Transactions], Some(url)).await;
    fire(&client, &last, Code::SyncUpdatesAvailable).await;
    next_verified(&client, &mut received).await;
    assert_eq!(
        recovering_seen.load(Ordering::SeqCst),
        2,
        "one failure, one retry"
    );
    assert_eq!(
        down_seen.load(Ordering::SeqCst),
        3,
        "three attempts, then given up"
    );
}

#[tokio::test]
async fn a_rotated_key_signs_and_the_old_one_is_served_expired() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let (token, _) = link_with(&client, vec![Products::Transactions], Some(url)).await;
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    let before = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    WebhookVerifier::new(client.clone())
        .verify(&before.0, &before.1)
        .await
        .unwrap();
    let first_kid = "emulator-key-1";
    let key = |kid: String| {
        let client = client.clone();
        async move {
            let request = types::WebhookVerificationKeyGetRequest::new(kid);
            client.send(&request).await.unwrap().key.expired_at
        }
    };
    assert_eq!(key(first_kid.into()).await, None);

    let new_kid = emulator.rotate_webhook_key();
    assert_ne!(new_kid, first_kid);
    assert!(
        key(first_kid.into()).await.is_some(),
        "the old key is served, expired"
    );
    assert_eq!(key(new_kid).await, None);

    // Over HTTP, for the binary: another rotation, without credentials.
    let rotated: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/emulator/webhooks/rotate_key",
            emulator.base_url()
        ))
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let third = rotated["kid"].as_str().unwrap().to_string();
    assert_eq!(key(third).await, None);
    // Fired now: signed with the newest key, which a verifier finds by its kid.
    fire(&client, &token, Code::DefaultUpdate).await;
    next_verified(&client, &mut received).await;
    // Signed before the rotation: its key has expired, and a verifier refuses it.
    let stale = WebhookVerifier::new(client.clone());
    assert!(stale.verify(&before.0, &before.1).await.is_err());
}
