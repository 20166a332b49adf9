//! Transfer events and their simulation (docs: api-products-transfer, api-sandbox
//! `/sandbox/transfer/simulate` and `/sandbox/transfer/sweep/simulate`, errors-sandbox,
//! transfer-webhooks): every change is an event with an increasing `event_id`, read by list
//! and sync, announced by one `TRANSFER_EVENTS_UPDATE` webhook per call.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, Products, TransferNetwork, TransferType};
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::{ErrorCode, PlaidClient};
use plaid_emulator::Emulator;
use serde_json::json;
use support::{link_with, next_verified, nothing_more, receiver, start, Received};

/// A new transfer of `amount` (a debit) from the Item's first account: its id.
async fn transfer(client: &PlaidClient, token: &str, amount: &str) -> String {
    let accounts = client
        .send(&types::AccountsGetRequest::new(token))
        .await
        .unwrap();
    let account = accounts.accounts[0].account_id.clone();
    let authorization = types::TransferAuthorizationCreateRequest::new(
        token,
        account.as_str(),
        amount,
        TransferNetwork::Ach,
        TransferType::Debit,
        types::TransferAuthorizationUserInRequest::new("Ada Lovelace"),
    );
    let authorized = client.send(&authorization).await.unwrap();
    let create = types::TransferCreateRequest::new(
        token,
        account.as_str(),
        authorized.authorization.id.clone(),
        "payment",
    );
    let first = client.send(&create).await.unwrap().transfer.id.clone();
    // The same authorization again: the original transfer, no new event.
    let again = client.send(&create).await.unwrap().transfer.id.clone();
    assert_eq!(first, again);
    first.to_string()
}

async fn simulate(
    client: &PlaidClient,
    transfer_id: &str,
    event: &str,
) -> Result<(), plaid_client_ext::Error> {
    let request = types::SandboxTransferSimulateRequest::new(event, transfer_id);
    client.send(&request).await.map(|_| ())
}

/// `n` `TRANSFER_EVENTS_UPDATE` webhooks, verified, then nothing more.
async fn expect_updates(
    emulator: &Emulator,
    client: &PlaidClient,
    received: &mut Received,
    n: usize,
) {
    for k in 0..n {
        match next_verified(client, received).await {
            WebhookEvent::TransferEventsUpdate(_) => {}
            other => panic!("webhook {k}: {other:?}"),
        }
    }
    assert!(nothing_more(emulator, received).await, "more than {n}");
}

/// The event types and ids of a page, as strings.
fn kinds(events: &[types::TransferEvent]) -> Vec<(i64, String)> {
    events
        .iter()
        .map(|e| {
            (
                e.event_id,
                json!(e.event_type).as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn simulated_events_appear_in_list_and_sync_and_are_announced() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    emulator.set_transfer_webhook(Some(url));
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let a = transfer(&client, &token, "12.34").await;
    simulate(&client, &a, "posted").await.unwrap();
    simulate(&client, &a, "settled").await.unwrap();
    let b = transfer(&client, &token, "5.00").await;
    simulate(&client, &b, "failed").await.unwrap();
    // settled is final; failed cannot post (docs: the four transitions only).
    for (id, event) in [(&a, "posted"), (&b, "posted"), (&a, "returned")] {
        let refused = simulate(&client, id, event).await.unwrap_err();
        assert_eq!(
            refused.error_code(),
            Some(&ErrorCode::SandboxTransferEventTransitionInvalid),
            "{event}: {refused}"
        );
    }
    // Two creations and three simulations made events; the refusals and retries none.
    expect_updates(&emulator, &client, &mut received, 5).await;

    let all = client
        .send(&types::TransferEventListRequest::new())
        .await
        .unwrap();
    let expected = [
        (1, "pending"),
        (2, "posted"),
        (3, "settled"),
        (4, "pending"),
        (5, "failed"),
    ];
    let expected: Vec<(i64, String)> = expected.iter().map(|(i, k)| (*i, k.to_string())).collect();
    assert_eq!(kinds(&all.transfer_events), expected);
    let of_a = types::TransferEventListRequest::new().transfer_id(a.clone());
    let of_a = client.send(&of_a).await.unwrap();
    assert_eq!(of_a.transfer_events.len(), 3);
    assert!(of_a.transfer_events.iter().all(|e| e.transfer_id == a));

    let mut after = 0;
    let mut pages = Vec::new();
    loop {
        let page = client
            .send(&types::TransferEventSyncRequest::new(after).count(2))
            .await
            .unwrap();
        if page.transfer_events.is_empty() {
            break;
        }
        after = page.transfer_events.last().unwrap().event_id;
        pages.push(kinds(&page.transfer_events));
    }
    assert_eq!(pages.len(), 3, "2 + 2 + 1 events: {pages:?}");
    assert_eq!(pages.concat(), expected);

    let got = client
        .send(&types::TransferGetRequest::new().transfer_id(types::TransferId::from(b.clone())))
        .await
        .unwrap();
    assert_eq!(json!(got.transfer.status), json!("failed"));
    assert!(got.transfer.failure_reason.is_some());
    let listed = client
        .send(&types::TransferListRequest::new())
        .await
        .unwrap();
    let ids: Vec<&str> = listed.transfers.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);
}

#[tokio::test]
async fn sweeps_sweep_posted_transfers_and_undo_returned_ones() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let a = transfer(&client, &token, "12.34").await;
    simulate(&client, &a, "posted").await.unwrap();
    let sweep = types::SandboxTransferSweepSimulateRequest::new().webhook(url.clone());
    let first = client
        .send(&sweep)
        .await
        .unwrap()
        .sweep
        .clone()
        .expect("a sweep");
    assert_eq!(first.amount, "12.34");
    simulate(&client, &a, "returned").await.unwrap();
    let second = client
        .send(&sweep)
        .await
        .unwrap()
        .sweep
        .clone()
        .expect("a sweep");
    assert_eq!(second.amount, "-12.34");
    assert!(
        client.send(&sweep).await.unwrap().sweep.is_none(),
        "nothing left to sweep"
    );
    // Only the two sweeps that made events were announced, to the request's webhook.
    expect_updates(&emulator, &client, &mut received, 2).await;

    let swept = types::TransferEventListRequest::new().sweep_id(first.id.clone());
    let swept = client.send(&swept).await.unwrap();
    assert_eq!(kinds(&swept.transfer_events), [(3, "swept".to_string())]);
    let sweeps = client
        .send(&types::TransferSweepListRequest::new())
        .await
        .unwrap();
    assert_eq!(sweeps.sweeps.len(), 2);
}

#[tokio::test]
async fn transfer_fire_webhook_sends_one_transfer_events_update_to_the_url_given() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let fire = types::SandboxTransferFireWebhookRequest::new(url);
    client.send(&fire).await.unwrap();
    expect_updates(&emulator, &client, &mut received, 1).await;
    // No usable URL: refused as Sandbox refuses an invalid webhook, and nothing is sent.
    for url in ["", "not a url", "ftp://example.com/hook"] {
        let refused = client
            .send(&types::SandboxTransferFireWebhookRequest::new(url))
            .await
            .unwrap_err();
        assert_eq!(
            refused.error_code(),
            Some(&ErrorCode::SandboxWebhookInvalid),
            "{url}: {refused:?}"
        );
    }
    assert!(nothing_more(&emulator, &mut received).await);
}
