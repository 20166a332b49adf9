//! `/transactions/get`, `/transactions/refresh` and `/sandbox/transactions/create` agree with
//! `/transactions/sync` (docs: `api-products-transactions.txt`, `api-sandbox.txt`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::types::{self, Products};
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::{Error, PlaidClient};

/// The ids a complete sync from `cursor` leaves, and the cursor it ends at.
async fn synced(
    client: &PlaidClient,
    token: &str,
    cursor: Option<String>,
) -> (Vec<types::Transaction>, String) {
    let mut request = types::TransactionsSyncRequest::new(token);
    if let Some(c) = cursor {
        request = request.cursor(c);
    }
    let SyncOutcome::Complete(batch) = client.sync(request).run().await.unwrap() else {
        panic!("the emulator's history is ready at once");
    };
    (batch.data.added.clone(), batch.cursor.clone())
}

fn get(token: &str, count: i64, offset: i64) -> types::TransactionsGetRequest {
    let start = "2000-01-01".parse().unwrap();
    let end = "2100-01-01".parse().unwrap();
    let options = types::TransactionsGetRequestOptions::new()
        .count(count)
        .offset(offset);
    types::TransactionsGetRequest::new(token, end, start).options(options)
}

#[tokio::test]
async fn offset_pages_cover_what_a_sync_leaves_newest_first() {
    let (_emulator, client) = support::start().await;
    let (token, _) = support::link_with(&client, vec![Products::Transactions], None).await;
    let mut ledger = BTreeSet::new();
    let request = types::TransactionsSyncRequest::new(token.as_str());
    let SyncOutcome::Complete(batch) = client.sync(request).run().await.unwrap() else {
        panic!("ready at once");
    };
    for t in batch.data.added.iter() {
        ledger.insert(t.transaction_id.clone());
    }
    for r in &batch.data.removed {
        ledger.remove(&r.transaction_id);
    }
    let mut seen = Vec::new();
    let mut total = 0;
    for offset in (0..).step_by(10) {
        let page = client.send(&get(&token, 10, offset)).await.unwrap();
        total = page.total_transactions;
        seen.extend(
            page.transactions
                .iter()
                .map(|t| (t.date, t.transaction_id.clone())),
        );
        if page.transactions.is_empty() {
            break;
        }
    }
    assert_eq!(total as usize, ledger.len(), "total_transactions");
    let ids: BTreeSet<String> = seen.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(
        ids, ledger,
        "the pages hold exactly what the sync left, once each"
    );
    assert_eq!(seen.len(), ledger.len(), "no transaction on two pages");
    assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "newest first");
}

#[tokio::test]
async fn sandbox_created_transactions_reach_the_next_sync_and_the_webhook() {
    let (emulator, client) = support::start().await;
    let (url, mut received) = support::receiver().await;
    let (token, _) = support::link_with(&client, vec![Products::Transactions], Some(url)).await;
    let (first, cursor) = synced(&client, &token, None).await;
    let before = client
        .send(&get(&token, 500, 0))
        .await
        .unwrap()
        .total_transactions;
    // Dated yesterday and today on the emulator's clock: Sandbox takes no other days than
    // the last 14.
    let today = chrono::DateTime::<chrono::Utc>::from(emulator.now()).date_naive();
    let days = [today - chrono::Days::new(1), today];
    let created = days.map(|date| {
        types::CustomSandboxTransaction::new(12.5, date, date, format!("Coffee {date}"))
    });
    let create = types::SandboxTransactionsCreateRequest::new(token.as_str(), created.to_vec());
    client.send(&create).await.unwrap();

    let event = support::next_verified(&client, &mut received).await;
    assert!(
        matches!(event, WebhookEvent::SyncUpdatesAvailable(_)),
        "{event:?}"
    );
    let (added, _) = synced(&client, &token, Some(cursor)).await;
    let names: Vec<&str> = added.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, days.map(|d| format!("Coffee {d}")));
    assert!(added.iter().all(|t| t.amount == 12.5 && !t.pending));
    assert!(added
        .iter()
        .all(|t| !first.iter().any(|f| f.transaction_id == t.transaction_id)));
    let after = client
        .send(&get(&token, 500, 0))
        .await
        .unwrap()
        .total_transactions;
    assert_eq!(after, before + 2, "/transactions/get agrees");
    assert!(support::nothing_more(&emulator, &mut received).await);
}

#[tokio::test]
async fn refresh_answers_and_bad_paging_is_a_plaid_error() {
    let (_emulator, client) = support::start().await;
    let (token, _) = support::link_with(&client, vec![Products::Transactions], None).await;
    client
        .send(&types::TransactionsRefreshRequest::new(token.as_str()))
        .await
        .unwrap();
    for (count, offset) in [(0, 0), (501, 0), (10, -1)] {
        let err = client.send(&get(&token, count, offset)).await.unwrap_err();
        let Error::Api(api) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(api.error_code.to_string(), "INVALID_FIELD", "{err:?}");
    }
    let none = types::SandboxTransactionsCreateRequest::new(token.as_str(), Vec::new());
    assert!(
        client.send(&none).await.is_err(),
        "an empty create is refused"
    );
}
