//! Webhooks as Plaid sends them (docs: api-webhooks, api-webhooks-webhook-verification): fired
//! by `/sandbox/item/fire_webhook`, POSTed to the Item's URL with a `Plaid-Verification` JWT
//! that the ext's `WebhookVerifier` accepts with the key the emulator serves.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{
    self, Products, SandboxItemFireWebhookRequestWebhookCode,
    SandboxItemFireWebhookRequestWebhookCode as Code,
};
use plaid_client_ext::webhooks::{WebhookEvent, WebhookVerifier};
use plaid_client_ext::ErrorCode;
use std::time::Duration;
use support::{link_with, next_verified, nothing_more, receiver, start};

#[tokio::test]
async fn a_fired_webhook_arrives_signed_and_verifies() {
    let (_emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let options = types::SandboxPublicTokenCreateRequestOptions::new().webhook(url);
    let create =
        types::SandboxPublicTokenCreateRequest::new(vec![Products::Transactions], "ins_109508")
            .options(options);
    let public = client.send(&create).await.unwrap();
    let exchanged = client
        .send(&types::ItemPublicTokenExchangeRequest::new(
            public.public_token.clone(),
        ))
        .await
        .unwrap();
    let fire = types::SandboxItemFireWebhookRequest::new(
        exchanged.access_token.expose(),
        SandboxItemFireWebhookRequestWebhookCode::SyncUpdatesAvailable,
    );
    assert!(client.send(&fire).await.unwrap().webhook_fired);
    let (headers, body) = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    let verifier = WebhookVerifier::new(client.clone());
    match verifier.verify(&headers, &body).await.unwrap() {
        WebhookEvent::SyncUpdatesAvailable(event) => {
            assert_eq!(event.item_id.to_string(), exchanged.item_id)
        }
        other => panic!("{other:?}"),
    }
    // A key the emulator does not have is refused as Plaid refuses it.
    let unknown = client
        .send(&types::WebhookVerificationKeyGetRequest::new("not-a-key"))
        .await
        .unwrap_err();
    assert_eq!(
        unknown.error_code(),
        Some(&ErrorCode::InvalidWebhookVerificationKeyId),
        "{unknown}"
    );
}

#[tokio::test]
async fn fire_webhook_fires_each_documented_code_as_its_type() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let products = vec![Products::Transactions, Products::Assets];
    let (token, item_id) = link_with(&client, products, Some(url)).await;
    let codes = [
        (Code::SyncUpdatesAvailable, None, "TRANSACTIONS"),
        (Code::DefaultUpdate, None, "TRANSACTIONS"),
        (Code::RecurringTransactionsUpdate, None, "TRANSACTIONS"),
        (Code::NewAccountsAvailable, None, "ITEM"),
        (Code::ProductReady, None, "ASSETS"),
        (Code::Error, Some(types::WebhookType::Assets), "ASSETS"),
        (Code::Error, None, "ITEM"),
        (Code::UserPermissionRevoked, None, "ITEM"),
        (Code::UserAccountRevoked, None, "ITEM"),
        (Code::PendingDisconnect, None, "ITEM"),
        (Code::LoginRepaired, None, "ITEM"),
    ];
    for (code, webhook_type, expected_type) in codes {
        let wanted = serde_json::json!(code).as_str().unwrap().to_string();
        let mut fire = types::SandboxItemFireWebhookRequest::new(token.as_str(), code);
        if let Some(t) = webhook_type {
            fire = fire.webhook_type(t);
        }
        assert!(client.send(&fire).await.unwrap().webhook_fired, "{wanted}");
        let event = next_verified(&client, &mut received).await;
        assert!(
            !matches!(event, WebhookEvent::Unknown { .. }),
            "{wanted}: {event:?}"
        );
        assert_eq!(
            (event.webhook_type(), event.webhook_code()),
            (expected_type, wanted.as_str())
        );
        if let WebhookEvent::ItemError(event) = &event {
            assert_eq!(event.item_id.to_string(), item_id);
        }
    }
    assert!(nothing_more(&emulator, &mut received).await);
}

#[tokio::test]
async fn fire_webhook_refuses_what_plaid_refuses() {
    let (_emulator, client) = start().await;
    let (url, _received) = receiver().await;
    let (auth_only, _) = link_with(&client, vec![Products::Auth], Some(url)).await;
    let refused = |token: String, code: Code| {
        let client = client.clone();
        async move {
            let fire = types::SandboxItemFireWebhookRequest::new(token, code);
            client.send(&fire).await.unwrap_err().error_code().cloned()
        }
    };
    let not_enabled = refused(auth_only.clone(), Code::SyncUpdatesAvailable).await;
    assert_eq!(not_enabled, Some(ErrorCode::SandboxProductNotEnabled));
    let unknown = refused(auth_only, Code::UnknownValue("NOT_A_CODE".into())).await;
    assert_eq!(unknown, Some(ErrorCode::InvalidField));
    let (no_webhook, _) = link_with(&client, vec![Products::Transactions], None).await;
    let invalid = refused(no_webhook, Code::SyncUpdatesAvailable).await;
    assert_eq!(invalid, Some(ErrorCode::SandboxWebhookInvalid));
}
