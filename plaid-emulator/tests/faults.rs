//! Faults injected through `Emulator::inject`, as a client with retries meets them: the
//! journal and the counters tell what happened, and `reset` forgets it all.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use plaid_client_ext::retry::NoRetry;
use plaid_client_ext::types;
use plaid_client_ext::{Error, ErrorCode};
use plaid_emulator::{Fault, FaultKind, ItemOptions, Times};
use support::{client_of, fast_retries};

fn statuses(emulator: &plaid_emulator::Emulator, path: &str) -> Vec<Option<u16>> {
    let journal = emulator.journal();
    journal
        .iter()
        .filter(|e| e.path == path)
        .map(|e| e.status)
        .collect()
}

#[tokio::test]
async fn two_server_errors_then_success_are_journaled_counted_and_reset() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, fast_retries());
    let item = emulator.create_item(ItemOptions::default());
    emulator.inject(
        Fault::new(FaultKind::ServerError { status: 500 })
            .operation("/accounts/get")
            .times(Times::Next(2)),
    );
    let accounts = client
        .send(&types::AccountsGetRequest::new(item.access_token.clone()))
        .await
        .unwrap();
    assert_eq!(accounts.accounts.len(), 2);
    let journal = emulator.journal();
    assert_eq!(journal.len(), 3);
    let got: Vec<_> = journal.iter().map(|e| (e.status, e.fault)).collect();
    assert_eq!(
        got,
        [
            (Some(500), Some("server_error")),
            (Some(500), Some("server_error")),
            (Some(200), None)
        ]
    );
    assert!(journal
        .iter()
        .all(|e| e.item_id.as_deref() == Some(item.item_id.as_str())));
    assert_eq!(journal[0].request["access_token"], "[redacted]");
    let counters = emulator.counters();
    assert_eq!(counters.requests, 3);
    assert_eq!(counters.by_path.get("/accounts/get"), Some(&3));
    assert_eq!(counters.by_status.get("5xx"), Some(&2));
    assert_eq!(counters.by_status.get("2xx"), Some(&1));
    assert_eq!(counters.faults.get("server_error"), Some(&2));

    emulator.reset();
    assert!(emulator.journal().is_empty());
    assert_eq!(emulator.counters(), plaid_emulator::Counters::default());
    assert!(emulator.item(&item.item_id).is_none());
    let gone = client
        .send(&types::AccountsGetRequest::new(item.access_token.clone()))
        .await
        .unwrap_err();
    assert_eq!(
        gone.error_code(),
        Some(&ErrorCode::InvalidAccessToken),
        "{gone}"
    );
    // The same seed: the first Item after a reset is the first Item again.
    assert_eq!(emulator.create_item(ItemOptions::default()), item);
}

#[tokio::test]
async fn a_server_error_is_an_html_page_without_retries() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let item = emulator.create_item(ItemOptions::default());
    emulator.inject(Fault::new(FaultKind::ServerError { status: 502 }).times(Times::Next(1)));
    let error = client
        .send(&types::ItemGetRequest::new(item.access_token.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Decode(d) if d.status == 502),
        "{error:?}"
    );
    assert!(error.is_transient());
    client
        .send(&types::ItemGetRequest::new(item.access_token))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_and_only_reads_are_retried() {
    let (emulator, _) = support::start().await;
    let item = emulator.create_item(ItemOptions::default());
    let once = Fault::new(FaultKind::DropConnection).times(Times::Next(1));

    emulator.inject(once.clone().operation("/accounts/get"));
    let plain = client_of(&emulator, NoRetry);
    let error = plain
        .send(&types::AccountsGetRequest::new(item.access_token.clone()))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");

    emulator.inject(once.clone().operation("/accounts/get"));
    let retrying = client_of(&emulator, fast_retries());
    retrying
        .send(&types::AccountsGetRequest::new(item.access_token.clone()))
        .await
        .unwrap();
    assert_eq!(
        statuses(&emulator, "/accounts/get"),
        [None, None, Some(200)]
    );

    // A write without an idempotency key is not sent twice.
    emulator.inject(once.operation("/item/remove"));
    let error = retrying
        .send(&types::ItemRemoveRequest::new(item.access_token.clone()))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(statuses(&emulator, "/item/remove"), [None]);
    assert_eq!(emulator.counters().by_status.get("dropped"), Some(&3));
    assert!(!emulator.item(&item.item_id).unwrap().removed);
}

#[tokio::test]
async fn a_rate_limited_fault_is_plaids_429_for_the_endpoint() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let item = emulator.create_item(ItemOptions::default());
    emulator.inject(
        Fault::new(FaultKind::RateLimited)
            .item(item.item_id.clone())
            .times(Times::Next(1)),
    );
    let other = emulator.create_item(ItemOptions::default());
    client
        .send(&types::TransactionsSyncRequest::new(other.access_token))
        .await
        .unwrap();
    let error = client
        .send(&types::TransactionsSyncRequest::new(
            item.access_token.clone(),
        ))
        .await
        .unwrap_err();
    assert!(error.is_rate_limited(), "{error}");
    assert_eq!(error.error_code(), Some(&ErrorCode::TransactionsSyncLimit));
    assert_eq!(error.api().unwrap().status, 429);
    assert_eq!(emulator.counters().faults.get("rate_limited"), Some(&1));
    assert_eq!(emulator.counters().rate_limited, 0, "a fault, not a limit");
}

#[tokio::test]
async fn a_mutation_during_pagination_restarts_the_pass_once() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let item = emulator.create_item(ItemOptions::default());
    emulator
        .inject(Fault::new(FaultKind::MutationDuringPagination { page: 3 }).times(Times::Next(1)));
    let request = types::TransactionsSyncRequest::new(item.access_token.clone()).count(10);
    let plaid_client_ext::sync::SyncOutcome::Complete(batch) =
        client.sync(request).run().await.unwrap()
    else {
        panic!("ready at once");
    };
    assert_eq!(batch.restarts, 1);
    assert_eq!(batch.pages, 6, "53 entries, 10 a page");
    let sync: Vec<_> = emulator
        .journal()
        .iter()
        .map(|e| (e.status, e.error_code.clone()))
        .collect();
    let mutation = Some("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION".to_string());
    assert_eq!(sync.len(), 3 + 6);
    assert_eq!(sync[2], (Some(400), mutation));
    assert_eq!(
        batch.cursor,
        emulator.item(&item.item_id).unwrap().final_cursor
    );
    assert_eq!(batch.data.added.len(), 48);
}

#[tokio::test]
async fn item_login_required_shows_on_the_item_until_it_is_served() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, fast_retries());
    let item = emulator.create_item(ItemOptions::default());
    emulator.inject(
        Fault::new(FaultKind::ItemLoginRequired)
            .item(item.item_id.clone())
            .times(Times::Next(1)),
    );
    let error = client
        .send(&types::AccountsGetRequest::new(item.access_token.clone()))
        .await
        .unwrap_err();
    assert!(error.is_item_login_required(), "{error}");
    let view = emulator.item(&item.item_id).unwrap();
    assert_eq!(view.error.as_deref(), Some("ITEM_LOGIN_REQUIRED"));
    client
        .send(&types::AccountsGetRequest::new(item.access_token))
        .await
        .unwrap();
    assert_eq!(emulator.item(&item.item_id).unwrap().error, None);
}

#[tokio::test]
async fn a_delay_answers_late_and_every_nth_fires_on_schedule() {
    let (emulator, _) = support::start().await;
    let client = client_of(&emulator, NoRetry);
    let item = emulator.create_item(ItemOptions::default());
    emulator.inject(Fault::new(FaultKind::Delay(Duration::from_millis(300))).times(Times::Next(1)));
    let started = Instant::now();
    client
        .send(&types::ItemGetRequest::new(item.access_token.clone()))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    emulator.inject(
        Fault::new(FaultKind::ServerError { status: 503 })
            .operation("/item/get")
            .times(Times::Every(3)),
    );
    let mut failed = Vec::new();
    for _ in 0..6 {
        let answer = client
            .send(&types::ItemGetRequest::new(item.access_token.clone()))
            .await;
        failed.push(answer.is_err());
    }
    assert_eq!(failed, [false, false, true, false, false, true]);
    emulator.clear_faults();
    client
        .send(&types::ItemGetRequest::new(item.access_token))
        .await
        .unwrap();
    assert_eq!(emulator.counters().faults.get("delay"), Some(&1));
}
