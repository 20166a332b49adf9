//! The clock a test controls (`EmulatorConfig::clock`, `Emulator::advance`): every lifetime,
//! window and schedule reads it, so what takes hours at Plaid takes milliseconds here. Docs:
//! api-items (a public token "expires after 30 minutes"), api-tokens (a link token lasts 4
//! hours, 30 minutes in update mode), api-products-transfer (an authorization's idempotency
//! key "expires after 48 hours"), errors-rate-limit-exceeded (windows), api-webhooks (a
//! webhook not acknowledged is retried). No test sleeps: the clock is moved.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::routing::post;
use plaid_client_ext::retry::NoRetry;
use plaid_client_ext::types::{self, CountryCode, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use plaid_emulator::{
    Clock, DeliveryOutcome, Emulator, EmulatorConfig, LinkError, RateLimits, WaitError,
};
use serde_json::{json, Value};
use support::transfers::{authorization, first_account, transfer};
use support::{control, link_with, start_with};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// 2026-01-01T00:00:00Z.
fn start_instant() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// An emulator on a manual clock standing at [`start_instant`].
async fn manual() -> (Emulator, PlaidClient) {
    start_with(EmulatorConfig {
        clock: Clock::Manual(start_instant()),
        ..EmulatorConfig::default()
    })
    .await
}

async fn public_token(client: &PlaidClient) -> String {
    let create =
        types::SandboxPublicTokenCreateRequest::new(vec![Products::Transactions], "ins_109508");
    client.send(&create).await.unwrap().public_token.clone()
}

async fn exchange(client: &PlaidClient, public: String) -> Result<String, plaid_client_ext::Error> {
    let exchange = types::ItemPublicTokenExchangeRequest::new(public);
    let exchanged = client.send(&exchange).await?;
    Ok(exchanged.item_id.clone())
}

#[tokio::test]
async fn a_public_token_exchanged_after_31_minutes_is_refused() {
    let (emulator, client) = manual().await;
    let public = public_token(&client).await;
    emulator.advance(31 * MINUTE);
    let refused = exchange(&client, public).await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::InvalidPublicToken),
        "{refused}"
    );
}

#[tokio::test]
async fn a_public_token_exchanged_after_29_minutes_is_accepted() {
    let (emulator, client) = manual().await;
    let public = public_token(&client).await;
    emulator.advance(29 * MINUTE);
    exchange(&client, public).await.unwrap();
}

fn link_token_request() -> types::LinkTokenCreateRequest {
    types::LinkTokenCreateRequest::new("clock tests", vec![CountryCode::Us], "en")
        .products(vec![Products::Transactions])
        .user(types::LinkTokenCreateRequestUser::new("user-1"))
}

#[tokio::test]
async fn a_link_token_for_a_new_item_lasts_4_hours_on_the_emulators_clock() {
    let (emulator, client) = manual().await;
    let first = client.send(&link_token_request()).await.unwrap();
    let second = client.send(&link_token_request()).await.unwrap();
    let expires = first.expiration.timestamp();
    let start = start_instant()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(expires, i64::try_from(start + 4 * 3600).unwrap());

    emulator.advance(4 * HOUR - MINUTE);
    emulator.complete_link(&first.link_token).unwrap();
    emulator.advance(MINUTE);
    let expired = emulator.complete_link(&second.link_token).unwrap_err();
    assert!(matches!(expired, LinkError::Expired), "{expired:?}");
}

#[tokio::test]
async fn an_update_mode_link_token_lasts_30_minutes_on_the_emulators_clock() {
    let (emulator, client) = manual().await;
    let (token, _) = link_with(&client, vec![Products::Transactions], None).await;
    let update = || {
        types::LinkTokenCreateRequest::new("clock tests", vec![CountryCode::Us], "en")
            .access_token(token.clone())
            .user(types::LinkTokenCreateRequestUser::new("user-1"))
    };
    let first = client.send(&update()).await.unwrap();
    let second = client.send(&update()).await.unwrap();
    emulator.advance(29 * MINUTE);
    emulator.complete_link(&first.link_token).unwrap();
    emulator.advance(MINUTE);
    let expired = emulator.complete_link(&second.link_token).unwrap_err();
    assert!(matches!(expired, LinkError::Expired), "{expired:?}");
}

#[tokio::test]
async fn an_authorizations_idempotency_key_is_remembered_for_48_hours() {
    let (emulator, client) = manual().await;
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let account = first_account(&client, &token).await;
    let request = authorization(&token, &account, "12.34");
    let first = client
        .send(&request)
        .await
        .unwrap()
        .authorization
        .id
        .clone();
    emulator.advance(48 * HOUR - MINUTE);
    let again = client
        .send(&request)
        .await
        .unwrap()
        .authorization
        .id
        .clone();
    assert_eq!(first, again, "the key is remembered for 48 hours");
    emulator.advance(MINUTE);
    let after = client
        .send(&request)
        .await
        .unwrap()
        .authorization
        .id
        .clone();
    assert_ne!(first, after, "after 48 hours the key can be reused");
}

#[tokio::test]
async fn a_rate_limit_window_reopens_when_the_clock_passes_its_end() {
    // One /item/get per Item per minute, with time running 60 times faster: a second window.
    let limits = RateLimits::custom("/item/get", (0, Duration::ZERO), (1, MINUTE)).time_scale(60.0);
    let (emulator, client) = start_with(EmulatorConfig {
        clock: Clock::Manual(start_instant()),
        rate_limits: limits,
        ..EmulatorConfig::default()
    })
    .await;
    let (token, _) = link_with(&client, vec![Products::Transactions], None).await;
    let client = support::client_of(&emulator, NoRetry);
    let get = types::ItemGetRequest::new(token.as_str());
    client.send(&get).await.unwrap();
    let refused = client.send(&get).await.unwrap_err();
    assert!(refused.is_rate_limited(), "{refused}");
    emulator.advance(Duration::from_millis(999));
    assert!(client.send(&get).await.unwrap_err().is_rate_limited());
    emulator.advance(Duration::from_millis(1));
    client.send(&get).await.unwrap();
}

/// An endpoint that answers every webhook 500.
async fn failing() -> String {
    let app = axum::Router::new().route(
        "/hook",
        post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_webhook_retry_is_due_when_the_clock_passes_its_time() {
    let (emulator, client) = manual().await;
    let url = failing().await;
    let (token, _) = link_with(&client, vec![Products::Transactions], Some(url.clone())).await;
    let fire = types::SandboxItemFireWebhookRequest::new(
        token.as_str(),
        types::SandboxItemFireWebhookRequestWebhookCode::DefaultUpdate,
    );
    client.send(&fire).await.unwrap();
    let attempt = |n: u32| {
        let url = url.clone();
        move |d: &plaid_emulator::Delivery| d.url == url && d.attempt == n
    };
    let first = emulator
        .wait_for_delivery(attempt(1), Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(first.time, start_instant(), "logged at the clock's time");
    // The system clock would have retried 100 ms later; the manual one has not moved.
    let early = emulator
        .wait_for_delivery(attempt(2), Duration::from_millis(500))
        .await;
    assert!(
        matches!(early, Err(WaitError::TimedOut { .. })),
        "{early:?}"
    );

    emulator.advance(Duration::from_millis(100));
    let second = emulator
        .wait_for_delivery(attempt(2), Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(second.time, start_instant() + Duration::from_millis(100));
    emulator.advance(Duration::from_millis(100));
    let last = emulator
        .wait_for_delivery(attempt(3), Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(last.outcome, Some(DeliveryOutcome::GaveUp));
}

#[tokio::test]
async fn the_clock_is_read_and_advanced_over_http_and_reset_returns_it_to_its_start() {
    let (emulator, _client) = manual().await;
    let (status, now) = control(&emulator, "GET", "/clock", Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(
        now,
        json!({"now": "2026-01-01T00:00:00Z", "unix_ms": 1_767_225_600_000_u64})
    );
    let (status, moved) = control(
        &emulator,
        "POST",
        "/clock/advance",
        json!({"ms": 31 * 60 * 1000}),
    )
    .await;
    assert_eq!(
        (status, &moved["now"]),
        (200, &json!("2026-01-01T00:31:00Z"))
    );
    assert_eq!(emulator.now(), start_instant() + 31 * MINUTE);
    let (status, _) = control(&emulator, "POST", "/clock/advance", json!({"minutes": 1})).await;
    assert_eq!(status, 400, "the body is {{\"ms\": N}}");

    let (status, _) = control(&emulator, "POST", "/reset", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(emulator.now(), start_instant());
}

#[tokio::test]
async fn transfer_events_carry_the_clocks_time() {
    let (emulator, client) = manual().await;
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let account = first_account(&client, &token).await;
    emulator.advance(HOUR);
    transfer(&client, &token, &account, "1.00").await;
    let events = client
        .send(&types::TransferEventSyncRequest::new(0))
        .await
        .unwrap();
    let at = events.transfer_events[0].timestamp.timestamp();
    let expected = start_instant() + HOUR;
    let expected = expected.duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(at, i64::try_from(expected).unwrap());
}
