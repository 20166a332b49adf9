//! How webhooks are delivered (docs: api-webhooks, api-webhooks-webhook-verification "Caching
//! and key rotation"): in order by default, twice or reordered when a test asks, retried a
//! bounded number of times when not acknowledged, each URL on its own queue (a receiver that
//! hangs delays only its own), every attempt in the delivery log, and signed with a rotated key
//! that verifiers find while the old one is served as expired. No test sleeps: they wait on
//! the log.

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
use plaid_emulator::{Delivery, DeliveryOutcome, Emulator, WebhookDelivery};
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
    assert!(nothing_more(&emulator, &mut received).await);
    let log = emulator.deliveries();
    let outcomes: Vec<_> = log
        .iter()
        .map(|d| (d.webhook_id, d.attempt, d.outcome))
        .collect();
    let delivered = Some(DeliveryOutcome::Delivered);
    assert_eq!(
        outcomes,
        [(1, 1, delivered), (2, 1, delivered), (3, 1, delivered)]
    );

    emulator.set_webhook_delivery(WebhookDelivery::Duplicated);
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    let codes = next_codes(&client, &mut received, 2).await;
    assert_eq!(codes, ["SYNC_UPDATES_AVAILABLE", "SYNC_UPDATES_AVAILABLE"]);
    assert!(
        nothing_more(&emulator, &mut received).await,
        "exactly twice"
    );
    let copies: Vec<_> = emulator.deliveries()[3..]
        .iter()
        .map(|d| (d.webhook_id, d.copy, d.outcome))
        .collect();
    assert_eq!(copies, [(4, 1, delivered), (4, 2, delivered)]);

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
    assert!(nothing_more(&emulator, &mut received).await);
    let ids: Vec<_> = emulator.deliveries()[5..]
        .iter()
        .map(|d| d.webhook_id)
        .collect();
    assert_eq!(ids, [6, 5, 7], "the log shows the swap");
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

/// The attempts the log holds for `url`: (attempt, status, outcome).
fn attempts(log: &[Delivery], url: &str) -> Vec<(u32, Option<u16>, Option<DeliveryOutcome>)> {
    log.iter()
        .filter(|d| d.url == url)
        .map(|d| (d.attempt, d.status, d.outcome))
        .collect()
}

/// The last attempt of the first webhook to `url` that has finished.
async fn finished(emulator: &Emulator, url: &str) -> Delivery {
    emulator
        .wait_for_delivery(
            |d| d.url == url && d.outcome.is_some(),
            Duration::from_secs(20),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_failed_delivery_is_retried_a_bounded_number_of_times() {
    let (emulator, client) = start().await;
    let (recovering, recovering_seen) = flaky(1).await;
    let (token, _) = link_with(
        &client,
        vec![Products::Transactions],
        Some(recovering.clone()),
    )
    .await;
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    let (down, down_seen) = flaky(usize::MAX).await;
    let (other, _) = link_with(&client, vec![Products::Transactions], Some(down.clone())).await;
    fire(&client, &other, Code::SyncUpdatesAvailable).await;

    let recovered = finished(&emulator, &recovering).await;
    assert_eq!(
        (recovered.attempt, recovered.outcome),
        (2, Some(DeliveryOutcome::Delivered)),
        "one failure, one retry"
    );
    let given_up = finished(&emulator, &down).await;
    assert_eq!(
        (given_up.attempt, given_up.outcome),
        (3, Some(DeliveryOutcome::GaveUp)),
        "three attempts, then given up"
    );
    // Nothing more is attempted: every webhook fired has finished.
    let log = emulator
        .wait_for_webhooks_settled(Duration::from_secs(20))
        .await
        .unwrap();
    let (ok, failed) = (Some(200), Some(500));
    assert_eq!(
        attempts(&log, &recovering),
        [(1, failed, None), (2, ok, Some(DeliveryOutcome::Delivered))]
    );
    assert_eq!(
        attempts(&log, &down),
        [
            (1, failed, None),
            (2, failed, None),
            (3, failed, Some(DeliveryOutcome::GaveUp))
        ]
    );
    assert!(log
        .iter()
        .all(|d| d.webhook_code == "SYNC_UPDATES_AVAILABLE"
            && d.body["webhook_code"] == "SYNC_UPDATES_AVAILABLE"));
    assert_eq!(recovering_seen.load(Ordering::SeqCst), 2);
    assert_eq!(down_seen.load(Ordering::SeqCst), 3);

    // The same log over HTTP, for the binary.
    let url = format!("{}/emulator/webhooks", emulator.base_url());
    let served: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let served = served.as_array().unwrap();
    assert_eq!(served.len(), 5);
    let last = &served[4];
    assert_eq!(
        (
            &last["url"],
            &last["attempt"],
            &last["status"],
            &last["outcome"]
        ),
        (
            &serde_json::json!(down),
            &serde_json::json!(3),
            &serde_json::json!(500),
            &serde_json::json!("gave_up")
        )
    );
    assert_eq!(last["webhook_type"], "TRANSACTIONS");
    assert!(last["time"].is_u64() && last["duration_ms"].is_u64());
}

/// A receiver that accepts connections and never answers: its URL.
async fn hanging() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection); // read nothing, answer nothing, close nothing
        }
    });
    url
}

#[tokio::test]
async fn a_receiver_that_hangs_does_not_delay_another_urls_webhooks() {
    let (emulator, client) = start().await;
    let stuck = hanging().await;
    let (stuck_item, _) =
        link_with(&client, vec![Products::Transactions], Some(stuck.clone())).await;
    fire(&client, &stuck_item, Code::SyncUpdatesAvailable).await;
    let (url, mut received) = receiver().await;
    let (token, _) = link_with(&client, vec![Products::Transactions], Some(url.clone())).await;
    fire(&client, &token, Code::DefaultUpdate).await;
    fire(&client, &token, Code::SyncUpdatesAvailable).await;
    // The other URL's webhooks arrive, in order, while the hanging one's first attempt waits.
    let codes = next_codes(&client, &mut received, 2).await;
    assert_eq!(codes, ["DEFAULT_UPDATE", "SYNC_UPDATES_AVAILABLE"]);
    let other = finished(&emulator, &url).await;
    assert_eq!(other.outcome, Some(DeliveryOutcome::Delivered));
    // The hanging receiver's first attempt ends only when it times out (5 s), well after.
    let first_stuck = emulator
        .wait_for_delivery(|d| d.url == stuck, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!((first_stuck.attempt, first_stuck.status), (1, None));
    assert!(
        first_stuck
            .error
            .as_deref()
            .is_some_and(|e| e.contains("timed out")),
        "{first_stuck:?}"
    );
    let log = emulator.deliveries();
    let others: Vec<_> = log.iter().filter(|d| d.url == url).collect();
    assert_eq!(others.len(), 2);
    for delivered in others {
        let ahead = first_stuck.time.duration_since(delivered.time).unwrap();
        assert!(
            ahead >= Duration::from_secs(3),
            "{ahead:?} before the hanging attempt ended"
        );
    }
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
