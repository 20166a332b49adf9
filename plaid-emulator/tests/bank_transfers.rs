//! Bank Transfers in Sandbox (docs: auth-coverage-microdeposit-events, auth-coverage-testing):
//! `/sandbox/bank_transfer/fire_webhook` publishes one signed `BANK_TRANSFERS_EVENTS_UPDATE`
//! to the URL the request gives; `/bank_transfer/create` records a pending bank transfer that
//! `/sandbox/bank_transfer/simulate` moves along the spec's transitions, each move an event.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use support::transfers::first_account;
use support::{link_with, next_verified, nothing_more, receiver, start};

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

async fn bank_transfer_status(client: &PlaidClient, id: &str) -> String {
    let get = types::BankTransferGetRequest::new(id);
    client
        .send(&get)
        .await
        .unwrap()
        .data
        .bank_transfer
        .status
        .to_string()
}

async fn bank_simulate(
    client: &PlaidClient,
    id: &str,
    event: &str,
) -> Result<(), plaid_client_ext::Error> {
    let simulate = types::SandboxBankTransferSimulateRequest::new(id, event);
    client.send(&simulate).await.map(drop)
}

#[tokio::test]
async fn bank_transfer_simulate_moves_a_bank_transfer_along_the_spec_transitions_each_an_event() {
    let (_emulator, client) = start().await;
    let (token, _) = link_with(&client, vec![Products::Auth], None).await;
    let account = first_account(&client, &token).await;
    let user = types::BankTransferUser {
        email_address: None,
        legal_name: "Alice".to_string(),
        routing_number: None,
    };
    let create = types::BankTransferCreateRequest::new(
        token.as_str(),
        account.as_str(),
        "12.34",
        "Payment",
        "USD",
        types::BankTransferNetwork::Ach,
        types::BankTransferType::Debit,
        user,
    );
    let created = client.send(&create).await.unwrap().data.bank_transfer;
    let id = created.id.to_string();
    assert_eq!(created.amount.to_string(), "12.34");
    assert_eq!(bank_transfer_status(&client, &id).await, "pending");

    let refused = bank_simulate(&client, &id, "reversed").await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::SandboxTransferEventTransitionInvalid),
        "{refused}"
    );
    bank_simulate(&client, &id, "posted").await.unwrap();
    assert_eq!(bank_transfer_status(&client, &id).await, "posted");
    bank_simulate(&client, &id, "reversed").await.unwrap();
    assert_eq!(bank_transfer_status(&client, &id).await, "reversed");

    let sync = client
        .send(&types::BankTransferEventSyncRequest::new(0))
        .await
        .unwrap()
        .data;
    let events: Vec<(i64, String)> = sync
        .bank_transfer_events
        .iter()
        .map(|e| (e.event_id, e.event_type.to_string()))
        .collect();
    let want = [(1, "pending"), (2, "posted"), (3, "reversed")].map(|(n, t)| (n, t.to_string()));
    assert_eq!(events, want);
    let list = types::BankTransferEventListRequest::new().bank_transfer_id(id.clone());
    let listed = client.send(&list).await.unwrap().data.bank_transfer_events;
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|e| e.bank_transfer_id.to_string() == id));
}
