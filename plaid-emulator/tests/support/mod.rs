//! What every flow test starts from: an emulator on a free loopback port and a client for it,
//! and a webhook receiver on loopback.

// Each test file uses its own part of this module.
#![allow(dead_code)]

pub mod transfers;

use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use plaid_client_ext::types::{self, Products};
use plaid_client_ext::webhooks::{WebhookEvent, WebhookVerifier};
use plaid_client_ext::{Environment, PlaidClient};
use plaid_emulator::{Emulator, EmulatorConfig};
use tokio::sync::mpsc;

pub mod requests;

/// A running emulator with the default keys, and a `PlaidClient` pointed at it.
pub async fn start() -> (Emulator, PlaidClient) {
    start_with(EmulatorConfig::default()).await
}

/// A running emulator set up by `config`, and a `PlaidClient` with its keys.
pub async fn start_with(config: EmulatorConfig) -> (Emulator, PlaidClient) {
    let emulator = Emulator::start(config.clone()).await.unwrap();
    let client = PlaidClient::builder(
        Environment::Custom(emulator.base_url().to_string()),
        config.client_id,
        config.secret,
    )
    .build()
    .unwrap();
    (emulator, client)
}

/// What a webhook endpoint received: headers and body of each POST, in arrival order.
pub type Received = mpsc::UnboundedReceiver<(HeaderMap, Bytes)>;

/// A webhook endpoint on loopback that hands over what it receives.
pub async fn receiver() -> (String, Received) {
    let (sender, received) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let sender = sender.clone();
            async move {
                let _ = sender.send((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// The next webhook, verified against the emulator's key; panics after 20 seconds.
pub async fn next_verified(client: &PlaidClient, received: &mut Received) -> WebhookEvent {
    next_verified_json(client, received).await.0
}

/// The next webhook, verified against the emulator's key, and its body as JSON; panics after
/// 20 seconds.
pub async fn next_verified_json(
    client: &PlaidClient,
    received: &mut Received,
) -> (WebhookEvent, serde_json::Value) {
    let (headers, body) = tokio::time::timeout(Duration::from_secs(20), received.recv())
        .await
        .expect("a webhook within 20 s")
        .unwrap();
    let event = WebhookVerifier::new(client.clone())
        .verify(&headers, &body)
        .await
        .unwrap();
    (event, serde_json::from_slice(&body).unwrap())
}

/// Whether nothing more arrives: once every webhook fired so far has finished (the emulator's
/// delivery log says each was delivered or given up; none is queued or in flight, so nothing
/// more is sent until another is fired), the receiver has nothing left unread. No sleeping:
/// the receiver hands a webhook over before it answers, and the log records the answer.
pub async fn nothing_more(emulator: &Emulator, received: &mut Received) -> bool {
    emulator
        .wait_for_webhooks_settled(Duration::from_secs(20))
        .await
        .expect("every webhook finished within 20 s");
    received.try_recv().is_err()
}

/// An Item with `products` whose webhooks go to `webhook`: (access token, item id).
pub async fn link_with(
    client: &PlaidClient,
    products: Vec<Products>,
    webhook: Option<String>,
) -> (String, String) {
    let mut options = types::SandboxPublicTokenCreateRequestOptions::new();
    if let Some(url) = webhook {
        options = options.webhook(url);
    }
    let create =
        types::SandboxPublicTokenCreateRequest::new(products, "ins_109508").options(options);
    let public = client.send(&create).await.unwrap();
    let exchange = types::ItemPublicTokenExchangeRequest::new(public.public_token.clone());
    let exchanged = client.send(&exchange).await.unwrap();
    (
        exchanged.access_token.expose().to_string(),
        exchanged.item_id.clone(),
    )
}

/// A client of `emulator` with the default keys and `policy`.
#[allow(dead_code)] // Not every test binary uses every helper.
pub fn client_of(
    emulator: &Emulator,
    policy: impl plaid_client_ext::retry::RetryPolicy,
) -> PlaidClient {
    let config = EmulatorConfig::default();
    PlaidClient::builder(
        Environment::Custom(emulator.base_url().to_string()),
        config.client_id,
        config.secret,
    )
    .retry_policy(policy)
    .build()
    .unwrap()
}

/// A control call: method, path under the emulator's `/emulator`, JSON body; the status and
/// the JSON answered.
pub async fn control(
    emulator: &Emulator,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let url = format!("{}/emulator{path}", emulator.base_url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let answer = reqwest::Client::new()
        .request(method, url)
        .json(&body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

/// Retries that wait milliseconds, not seconds: 4 attempts, 5 ms apart.
#[allow(dead_code)]
pub fn fast_retries() -> plaid_client_ext::retry::Backoff {
    plaid_client_ext::retry::Backoff {
        max_attempts: 4,
        initial_delay: std::time::Duration::from_millis(5),
        jitter: false,
        ..Default::default()
    }
}
