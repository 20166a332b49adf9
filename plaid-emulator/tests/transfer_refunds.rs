//! Refunds of transfers (docs: api-products-transfer `/transfer/refund/*`, the spec's
//! `/sandbox/transfer/refund/simulate`, errors-transfer, errors-sandbox): pending when made,
//! moved by the Sandbox simulation only as documented, each change a `refund.*` transfer event
//! naming the refund, cancellable only while pending.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use support::transfers::{first_account, transfer};
use support::{link_with, start};

/// A client and a transfer of 10.00, moved through `events` (e.g. posted, settled).
async fn transferred(events: &[&str]) -> (plaid_emulator::Emulator, PlaidClient, String) {
    let (emulator, client) = start().await;
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let account = first_account(&client, &token).await;
    let id = transfer(&client, &token, &account, "10.00").await;
    for event in events {
        let simulate = types::SandboxTransferSimulateRequest::new(*event, id.as_str());
        client.send(&simulate).await.unwrap();
    }
    (emulator, client, id)
}

async fn refund(
    client: &PlaidClient,
    transfer_id: &str,
    amount: &str,
) -> Result<String, plaid_client_ext::Error> {
    let create = types::TransferRefundCreateRequest::new(amount, transfer_id);
    Ok(client.send(&create).await?.refund.id.to_string())
}

async fn simulate(
    client: &PlaidClient,
    refund_id: &str,
    event: &str,
) -> Result<(), plaid_client_ext::Error> {
    let simulate = types::SandboxTransferRefundSimulateRequest::new(event, refund_id);
    client.send(&simulate).await.map(drop)
}

async fn status(client: &PlaidClient, refund_id: &str) -> String {
    let get = types::TransferRefundGetRequest::new(refund_id);
    client.send(&get).await.unwrap().refund.status.to_string()
}

#[tokio::test]
async fn a_refund_is_pending_then_posted_and_settled_as_simulated_each_an_event() {
    let (_emulator, client, transfer_id) = transferred(&["posted", "settled"]).await;
    let id = refund(&client, &transfer_id, "4.00").await.unwrap();
    assert_eq!(status(&client, &id).await, "pending");
    simulate(&client, &id, "refund.posted").await.unwrap();
    simulate(&client, &id, "refund.settled").await.unwrap();
    assert_eq!(status(&client, &id).await, "settled");

    let events = client
        .send(&types::TransferEventSyncRequest::new(0))
        .await
        .unwrap();
    let refund_events: Vec<(String, Option<String>)> = events
        .transfer_events
        .iter()
        .filter(|e| e.event_type.to_string().starts_with("refund."))
        .map(|e| {
            (
                e.event_type.to_string(),
                e.refund_id.as_ref().map(|r| r.to_string()),
            )
        })
        .collect();
    let named = |t: &str| (t.to_string(), Some(id.clone()));
    assert_eq!(
        refund_events,
        [
            named("refund.pending"),
            named("refund.posted"),
            named("refund.settled")
        ]
    );
    let get = types::TransferGetRequest::new().transfer_id(types::TransferId::from(transfer_id));
    let shown = client.send(&get).await.unwrap().transfer.refunds.clone();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].status.to_string(), "settled");
}

#[tokio::test]
async fn a_refund_is_posted_only_once_its_transfer_has_settled() {
    let (_emulator, client, transfer_id) = transferred(&["posted"]).await;
    let id = refund(&client, &transfer_id, "1.00").await.unwrap();
    let refused = simulate(&client, &id, "refund.posted").await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::SandboxTransferEventTransitionInvalid),
        "{refused}"
    );
    let skipped = simulate(&client, &id, "refund.settled").await.unwrap_err();
    assert_eq!(
        skipped.error_code(),
        Some(&ErrorCode::SandboxTransferEventTransitionInvalid)
    );
    simulate(&client, &id, "refund.failed").await.unwrap();
    assert_eq!(status(&client, &id).await, "failed");
}

#[tokio::test]
async fn a_refund_over_what_is_left_of_the_transfer_is_refused() {
    let (_emulator, client, transfer_id) = transferred(&["posted", "settled"]).await;
    refund(&client, &transfer_id, "6.00").await.unwrap();
    let over = refund(&client, &transfer_id, "4.01").await.unwrap_err();
    assert_eq!(over.error_code(), Some(&ErrorCode::InvalidField), "{over}");
    refund(&client, &transfer_id, "4.00").await.unwrap();
    let unknown = refund(&client, "no-such-transfer", "1.00")
        .await
        .unwrap_err();
    assert_eq!(unknown.error_code(), Some(&ErrorCode::InvalidField));
}

#[tokio::test]
async fn only_a_pending_refund_can_be_cancelled() {
    let (_emulator, client, transfer_id) = transferred(&["posted", "settled"]).await;
    let pending = refund(&client, &transfer_id, "1.00").await.unwrap();
    let cancel = |id: &str| types::TransferRefundCancelRequest::new(id);
    client.send(&cancel(&pending)).await.unwrap();
    assert_eq!(status(&client, &pending).await, "cancelled");

    let posted = refund(&client, &transfer_id, "1.00").await.unwrap();
    simulate(&client, &posted, "refund.posted").await.unwrap();
    let refused = client.send(&cancel(&posted)).await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::TransferNotCancellable),
        "{refused}"
    );
    let unknown = client.send(&cancel("no-such-refund")).await.unwrap_err();
    assert_eq!(unknown.error_code(), Some(&ErrorCode::InvalidField));
}
