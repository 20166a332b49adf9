//! Bank Transfers in Sandbox (docs: auth-coverage-microdeposit-events, auth-coverage-testing):
//! `/sandbox/bank_transfer/fire_webhook` publishes one signed `BANK_TRANSFERS_EVENTS_UPDATE`
//! to the URL the request gives.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types;
use support::{next_verified, nothing_more, receiver, start};

#[tokio::test]
async fn bank_transfer_fire_webhook_sends_one_bank_transfers_events_update_to_the_url_given() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let fire = types::SandboxBankTransferFireWebhookRequest::new(url);
    client.send(&fire).await.unwrap();
    let event = next_verified(&client, &mut received).await;
    assert_eq!(event.webhook_type(), "BANK_TRANSFERS");
    assert_eq!(event.webhook_code(), "BANK_TRANSFERS_EVENTS_UPDATE");
    assert!(nothing_more(&emulator, &mut received).await);
}
