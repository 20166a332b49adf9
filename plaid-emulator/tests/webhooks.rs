//! Webhooks as Plaid sends them (docs: api-webhooks, api-webhooks-webhook-verification): fired
//! by `/sandbox/item/fire_webhook`, POSTed to the Item's URL with a `Plaid-Verification` JWT
//! that the ext's `WebhookVerifier` accepts with the key the emulator serves.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, Products, SandboxItemFireWebhookRequestWebhookCode};
use plaid_client_ext::webhooks::{WebhookEvent, WebhookVerifier};
use plaid_client_ext::ErrorCode;
use std::time::Duration;
use support::receiver;

#[tokio::test]
async fn a_fired_webhook_arrives_signed_and_verifies() {
    let (_emulator, client) = support::start().await;
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
