//! The control API as a test uses it: Items without Link, transactions added, changed and
//! removed (each announced by `SYNC_UPDATES_AVAILABLE`), views of what a fully synced
//! application holds, the rate limits, and the same calls over HTTP under `/emulator/`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::routing::post;
use plaid_client_ext::retry::NoRetry;
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::{types, ErrorCode, PlaidClient};
use plaid_emulator::{ControlError, Emulator, ItemOptions, RateLimits};
use serde_json::{json, Value};
use support::{client_of, control};
use tokio::sync::mpsc;

/// A webhook endpoint on loopback that hands over the bodies it receives.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Value>) {
    let (sender, received) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let sender = sender.clone();
            async move {
                let _ = sender.send(serde_json::from_slice(&body).unwrap_or(Value::Null));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// What an application holds after applying a full pass: id → (amount, pending, pending id).
type Ledger = BTreeMap<String, (f64, bool, Option<String>)>;

/// One full sync pass from `cursor`, applied to `ledger`; the cursor to store.
async fn sync(client: &PlaidClient, token: &str, cursor: &str, ledger: &mut Ledger) -> String {
    let request = types::TransactionsSyncRequest::new(token)
        .cursor(cursor.to_string())
        .count(37);
    let SyncOutcome::Complete(batch) = client.sync(request).run().await.unwrap() else {
        panic!("ready at once");
    };
    for t in batch.data.added.iter().chain(&batch.data.modified) {
        let entry = (t.amount, t.pending, t.pending_transaction_id.clone());
        ledger.insert(t.transaction_id.clone(), entry);
    }
    for r in &batch.data.removed {
        ledger.remove(&r.transaction_id);
    }
    batch.cursor
}

fn expected(emulator: &Emulator, item_id: &str) -> Ledger {
    let views = emulator.transactions(item_id).unwrap();
    views
        .into_iter()
        .map(|t| {
            (
                t.transaction_id,
                (t.amount, t.pending, t.pending_transaction_id),
            )
        })
        .collect()
}

#[tokio::test]
async fn changes_reach_the_next_sync_and_fire_the_items_webhook() {
    let (emulator, client) = support::start().await;
    let (url, mut hooks) = receiver().await;
    let item = emulator.create_item(ItemOptions::default().transactions(100).webhook(url));
    let mut ledger = Ledger::new();
    let cursor = sync(&client, &item.access_token, "", &mut ledger).await;
    assert_eq!(ledger.len(), 100);
    assert_eq!(ledger, expected(&emulator, &item.item_id));
    assert_eq!(cursor, emulator.item(&item.item_id).unwrap().final_cursor);

    let added = emulator.add_transactions(&item.item_id, 3).unwrap();
    let first = ledger.keys().next().unwrap().clone();
    let last = added[2].clone();
    emulator
        .modify_transaction(&item.item_id, &first, 12.5)
        .unwrap();
    emulator.remove_transaction(&item.item_id, &last).unwrap();
    for _ in 0..3 {
        let hook = tokio::time::timeout(Duration::from_secs(5), hooks.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(hook["webhook_code"], "SYNC_UPDATES_AVAILABLE");
        assert_eq!(hook["webhook_type"], "TRANSACTIONS");
        assert_eq!(hook["item_id"], item.item_id.as_str());
    }
    let page = client
        .send(
            &types::TransactionsSyncRequest::new(item.access_token.as_str()).cursor(cursor.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        (page.added.len(), page.modified.len(), page.removed.len()),
        (3, 1, 1)
    );
    assert_eq!(page.modified[0].amount, 12.5);
    let cursor = sync(&client, &item.access_token, &cursor, &mut ledger).await;
    assert_eq!(ledger.len(), 102);
    assert_eq!(ledger, expected(&emulator, &item.item_id));
    let view = emulator.item(&item.item_id).unwrap();
    assert_eq!((view.transactions, view.final_cursor), (102, cursor));
}

#[tokio::test]
async fn unknown_items_and_transactions_are_typed_errors() {
    let (emulator, client) = support::start().await;
    let item = emulator.create_item(ItemOptions::default().transactions(10));
    assert_eq!(
        emulator.add_transactions("item-nope", 1),
        Err(ControlError::UnknownItem {
            item_id: "item-nope".into()
        })
    );
    let removed = format!("{}-txn-0", item.item_id);
    emulator
        .remove_transaction(&item.item_id, &removed)
        .unwrap();
    for id in [removed.as_str(), "other-txn-1", "garbage"] {
        assert!(matches!(
            emulator.modify_transaction(&item.item_id, id, 1.0),
            Err(ControlError::UnknownTransaction { .. })
        ));
    }
    assert_eq!(emulator.transactions(&item.item_id).unwrap().len(), 9);
    assert!(emulator.transactions("item-nope").is_none() && emulator.item("item-nope").is_none());
    client
        .send(&types::ItemRemoveRequest::new(item.access_token.as_str()))
        .await
        .unwrap();
    assert!(emulator.item(&item.item_id).unwrap().removed);
    assert!(matches!(
        emulator.add_transactions(&item.item_id, 1),
        Err(ControlError::ItemRemoved { .. })
    ));
}

#[tokio::test]
async fn rate_limits_refuse_over_the_window_per_item_and_per_client() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let (a, b) = (
        emulator.create_item(ItemOptions::default()),
        emulator.create_item(ItemOptions::default()),
    );
    let window = Duration::from_secs(60);
    emulator.set_rate_limits(
        RateLimits::custom("/accounts/get", (3, window), (2, window)).time_scale(30.0),
    );
    let get = |token: &str| {
        let (client, request) = (client.clone(), types::AccountsGetRequest::new(token));
        async move { client.send(&request).await.map(|_| ()) }
    };
    get(&a.access_token).await.unwrap();
    get(&a.access_token).await.unwrap();
    let refused = get(&a.access_token).await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::AccountsLimit),
        "{refused}"
    );
    assert!(refused.is_rate_limited());
    get(&b.access_token).await.unwrap();
    let client_limit = get(&b.access_token).await.unwrap_err();
    assert!(client_limit.is_rate_limited(), "three per client");
    assert_eq!(emulator.counters().rate_limited, 2);
    // 30 times faster: the minute lasts 2 s on the emulator's clock; moved past it, not slept.
    emulator.advance(Duration::from_secs(2));
    get(&a.access_token).await.unwrap();
    emulator.set_rate_limits(RateLimits::off());
    for _ in 0..5 {
        get(&a.access_token).await.unwrap();
    }
}

#[tokio::test]
async fn plaids_documented_limits_hold_transactions_sync_to_50_per_item() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let item = emulator.create_item(ItemOptions::default());
    emulator.set_rate_limits(RateLimits::plaid_documented());
    let mut answered = 0;
    let refused = loop {
        let request = types::TransactionsSyncRequest::new(item.access_token.as_str());
        match client.send(&request).await {
            Ok(_) => answered += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(answered, 50);
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::TransactionsSyncLimit)
    );
}

#[tokio::test]
async fn items_and_their_transactions_over_http() {
    let (emulator, _) = support::start().await;
    let (status, item) = control(&emulator, "POST", "/items", json!({"transactions": 20})).await;
    assert_eq!(status, 200, "{item}");
    let id = item["item_id"].as_str().unwrap();
    let add = format!("/items/{id}/transactions/add");
    let (_, added) = control(&emulator, "POST", &add, json!({"count": 2})).await;
    let new_id = added["transaction_ids"][1].as_str().unwrap().to_string();
    let modify = format!("/items/{id}/transactions/modify");
    let (status, _) = control(
        &emulator,
        "POST",
        &modify,
        json!({"transaction_id": new_id, "amount": 3.25}),
    )
    .await;
    assert_eq!(status, 200);
    let remove = format!("/items/{id}/transactions/remove");
    let (status, _) = control(
        &emulator,
        "POST",
        &remove,
        json!({"transaction_id": "nope"}),
    )
    .await;
    assert_eq!(status, 400);
    let (_, view) = control(&emulator, "GET", &format!("/items/{id}"), Value::Null).await;
    assert_eq!(view["transactions"], 22);
    let (_, list) = control(
        &emulator,
        "GET",
        &format!("/items/{id}/transactions"),
        Value::Null,
    )
    .await;
    assert_eq!(list[21]["amount"], 3.25);

    let (status, _) = control(&emulator, "GET", "/items/item-nope", Value::Null).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn faults_journal_counters_limits_and_reset_over_http() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let (status, item) = control(&emulator, "POST", "/items", json!({"transactions": 20})).await;
    assert_eq!(status, 200, "{item}");
    let (id, token) = (
        item["item_id"].as_str().unwrap(),
        item["access_token"].as_str().unwrap(),
    );
    let fault = json!({"kind": "server_error", "status": 503, "operation": "/accounts/get",
        "times": {"next": 1}});
    let (status, injected) = control(&emulator, "POST", "/faults", fault).await;
    assert_eq!((status, injected["fault_id"].is_u64()), (200, true));
    let error = client
        .send(&types::AccountsGetRequest::new(token))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("503"), "{error}");
    client
        .send(&types::AccountsGetRequest::new(token))
        .await
        .unwrap();

    let (_, journal) = control(&emulator, "GET", "/journal", Value::Null).await;
    let statuses: Vec<_> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [json!(503), json!(200)],
        "control calls are not journaled"
    );
    assert_eq!(journal[0]["request"]["access_token"], "[redacted]");
    assert_eq!(journal[1]["item_id"], id);
    let (_, counters) = control(&emulator, "GET", "/counters", Value::Null).await;
    assert_eq!(counters["requests"], 2);
    assert_eq!(counters["faults"]["server_error"], 1);
}

#[tokio::test]
async fn rate_limits_and_reset_over_http() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let (_, item) = control(&emulator, "POST", "/items", json!({})).await;
    let (id, token) = (
        item["item_id"].as_str().unwrap(),
        item["access_token"].as_str().unwrap(),
    );
    let limits = json!({"custom": [{"path": "/item/get", "per_client": [1, 60000]}]});
    assert_eq!(
        control(&emulator, "POST", "/rate_limits", limits).await.0,
        200
    );
    client
        .send(&types::ItemGetRequest::new(token))
        .await
        .unwrap();
    assert!(client
        .send(&types::ItemGetRequest::new(token))
        .await
        .unwrap_err()
        .is_rate_limited());
    assert_eq!(
        control(&emulator, "DELETE", "/faults", Value::Null).await.0,
        200
    );
    assert_eq!(
        control(&emulator, "POST", "/reset", Value::Null).await.0,
        200
    );
    assert_eq!(
        control(&emulator, "GET", &format!("/items/{id}"), Value::Null)
            .await
            .0,
        404
    );
    assert_eq!(emulator.counters().requests, 0);
    assert_eq!(
        control(&emulator, "POST", "/faults", json!({"kind": "nope"}))
            .await
            .0,
        400
    );
}
