//! `reset` returns to exactly the configured start (issue 30, item 6): the seed's state and
//! first signing key, the configured delivery mode, Transfer webhook and rate limits, and an
//! empty delivery log, in process and over HTTP (`POST /emulator/reset`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use plaid_client_ext::retry::NoRetry;
use plaid_client_ext::types::{self, Products, TransferNetwork, TransferType};
use plaid_client_ext::{ErrorCode, PlaidClient};
use plaid_emulator::{
    Delivery, Emulator, EmulatorConfig, ItemOptions, LinkedItem, RateLimits, WebhookDelivery,
};
use serde_json::Value;
use support::{client_of, receiver, start_with};

/// Everything the configuration sets, away from the defaults.
fn config(transfer_webhook: &str) -> EmulatorConfig {
    let minute = Duration::from_secs(60);
    EmulatorConfig {
        seed: 7,
        webhook_delivery: WebhookDelivery::Duplicated,
        transfer_webhook: Some(transfer_webhook.to_string()),
        rate_limits: RateLimits::custom("/item/get", (1, minute), (0, Duration::ZERO)),
        ..EmulatorConfig::default()
    }
}

/// The log once every webhook fired has finished.
async fn settled(emulator: &Emulator) -> Vec<Delivery> {
    let wait = emulator.wait_for_webhooks_settled(Duration::from_secs(20));
    wait.await.unwrap()
}

/// Change every setting, fire a webhook; the first Item and the rotated key's `kid`.
async fn stray_from_the_start(emulator: &Emulator, hook: &str) -> (LinkedItem, String) {
    let first = emulator.create_item(ItemOptions::default().webhook(hook));
    emulator.set_webhook_delivery(WebhookDelivery::InOrder);
    emulator.set_transfer_webhook(None);
    emulator.set_rate_limits(RateLimits::off());
    let rotated = emulator.rotate_webhook_key();
    emulator.add_transactions(&first.item_id, 1).unwrap();
    assert!(!settled(emulator).await.is_empty());
    (first, rotated)
}

/// An approved transfer from the Item's first account (it fires `TRANSFER_EVENTS_UPDATE`).
async fn transfer(client: &PlaidClient, token: &str) {
    let accounts = client.send(&types::AccountsGetRequest::new(token)).await;
    let account = accounts.unwrap().accounts[0].account_id.clone();
    let authorization = types::TransferAuthorizationCreateRequest::new(
        token,
        account.as_str(),
        "1.00",
        TransferNetwork::Ach,
        TransferType::Debit,
        types::TransferAuthorizationUserInRequest::new("Ada Lovelace"),
    );
    let authorized = client.send(&authorization).await.unwrap();
    let id = authorized.authorization.id.clone();
    let create = types::TransferCreateRequest::new(token, account.as_str(), id, "payment");
    client.send(&create).await.unwrap();
}

/// Everything is as [`config`] set it up, and nothing of before the reset is left.
/// `first` was made with `hook`; Transfer webhooks are configured to go `to`.
async fn back_at_the_start(
    emulator: &Emulator,
    (first, hook): (&LinkedItem, &str),
    rotated: &str,
    to: &str,
) {
    assert!(
        emulator.deliveries().is_empty(),
        "the delivery log is empty"
    );
    let client = client_of(emulator, NoRetry);
    // The seed: the first Item is the first Item again.
    assert_eq!(
        emulator.create_item(ItemOptions::default().webhook(hook)),
        *first
    );
    // The seed's first key signs and is served unexpired; the rotated one is gone.
    let key = |kid: &str| {
        let (client, request) = (
            client.clone(),
            types::WebhookVerificationKeyGetRequest::new(kid),
        );
        async move { client.send(&request).await.map(|k| k.key.expired_at) }
    };
    assert_eq!(key("emulator-key-7").await.unwrap(), None);
    let gone = key(rotated).await.unwrap_err();
    assert_eq!(
        gone.error_code(),
        Some(&ErrorCode::InvalidWebhookVerificationKeyId)
    );
    // The configured rate limits, with empty windows.
    let item_get = || {
        let (client, token) = (client.clone(), first.access_token.clone());
        async move {
            client
                .send(&types::ItemGetRequest::new(token))
                .await
                .map(drop)
        }
    };
    item_get().await.unwrap();
    assert!(item_get().await.unwrap_err().is_rate_limited());
    // The configured mode: each webhook twice, signed with the first key.
    emulator.add_transactions(&first.item_id, 1).unwrap();
    let copies: Vec<_> = settled(emulator)
        .await
        .iter()
        .map(|d| (d.webhook_id, d.copy, d.status))
        .collect();
    assert_eq!(copies, [(1, 1, Some(200)), (1, 2, Some(200))]);
    // The configured Transfer webhook.
    let payer = emulator.create_item(ItemOptions::default().products(vec![Products::Transfer]));
    transfer(&client, &payer.access_token).await;
    let log = settled(emulator).await;
    assert!(
        log.iter()
            .any(|d| d.url == to && d.webhook_code == "TRANSFER_EVENTS_UPDATE"),
        "{log:?}"
    );
}

#[tokio::test]
async fn reset_returns_to_the_configured_start_in_process() {
    let (hook, _hooked) = receiver().await;
    let (to, _transfers) = receiver().await;
    let (emulator, _) = start_with(config(&to)).await;
    let (first, rotated) = stray_from_the_start(&emulator, &hook).await;
    emulator.reset();
    back_at_the_start(&emulator, (&first, &hook), &rotated, &to).await;
}

#[tokio::test]
async fn reset_returns_to_the_configured_start_over_http() {
    let (hook, _hooked) = receiver().await;
    let (to, _transfers) = receiver().await;
    let (emulator, _) = start_with(config(&to)).await;
    let (first, rotated) = stray_from_the_start(&emulator, &hook).await;
    let control = |path: &str| format!("{}/emulator{path}", emulator.base_url());
    let http = reqwest::Client::new();
    let log: Value = http
        .get(control("/webhooks?settled_ms=20000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!log.as_array().unwrap().is_empty());
    let reset = http.post(control("/reset")).send().await.unwrap();
    assert_eq!(reset.status(), 200);
    let log: Value = http
        .get(control("/webhooks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log, serde_json::json!([]), "the log over HTTP is empty");
    back_at_the_start(&emulator, (&first, &hook), &rotated, &to).await;
}
