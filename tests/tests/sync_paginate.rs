//! Cursor-sync loops and pagination streams against typed mocks (`plaid_client::mock`).
//!
//! Why one file of ~750 lines: every scenario of the sync loop and the three list styles shares
//! the page builders at the top; the tests read as one table of server behaviours.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/setup.rs"]
mod setup;

use httpmock::MockServer;
use plaid_client::mock::{example, MockServerExt};
use plaid_client::operations;
use plaid_client_ext::pagination::Pages;
use plaid_client_ext::prelude::*;
use plaid_client_ext::sync::{SyncEvent, SyncOutcome};
use plaid_client_ext::{types, ErrorCode, PaginationError};
use serde_json::json;
use setup::{client, ACCESS_TOKEN};

fn mutation_error() -> types::PlaidError {
    serde_json::from_value(json!({
        "error_type": "TRANSACTIONS_ERROR",
        "error_code": "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
        "error_message": "Underlying transaction data changed since last page was fetched. Please restart pagination from last update.",
        "display_message": null,
        "request_id": "req-mutation"
    }))
    .expect("a Plaid error")
}

fn sync_request(cursor: Option<&str>) -> types::TransactionsSyncRequest {
    let mut request = types::TransactionsSyncRequest::new(ACCESS_TOKEN).count(500);
    request.cursor = cursor.map(str::to_string);
    request
}

fn transaction(id: &str) -> types::Transaction {
    let template = example::<operations::TransactionsSync>().expect("spec example");
    let mut t = template.added[0].clone();
    t.transaction_id = id.to_string();
    t
}

/// A sync page with the given added transaction ids.
fn sync_page(added: &[&str], next_cursor: &str, has_more: bool) -> types::TransactionsSyncResponse {
    let mut page = example::<operations::TransactionsSync>().expect("spec example");
    page.added = added.iter().map(|id| transaction(id)).collect();
    page.modified.clear();
    page.removed.clear();
    page.next_cursor = next_cursor.to_string();
    page.has_more = has_more;
    page
}

/// Three pages from no cursor: None -> c1 -> c2 -> c3 (final).
fn three_pages(server: &MockServer) {
    server.transactions_sync(|when, then| {
        when.body(&sync_request(None));
        then.ok(&sync_page(&["t1", "t2"], "c1", true));
    });
    server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c1")));
        let mut page = sync_page(&["t3"], "c2", true);
        page.modified = vec![transaction("t1")];
        then.ok(&page);
    });
    server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c2")));
        let mut page = sync_page(&["t4"], "c3", false);
        page.removed = vec![types::RemovedTransaction {
            account_id: None,
            transaction_id: "t0".to_string(),
        }];
        then.ok(&page);
    });
}

#[tokio::test]
async fn a_mutation_on_page_two_restarts_from_the_first_cursor_and_delivers_everything_once() {
    let server = MockServer::start_async().await;
    // Page 2 fails once with the mutation error; the mock made first is matched first.
    let failing = server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c1")));
        then.client_error(400, &mutation_error())
            .into_inner()
            .up_to_n_times(1);
    });
    three_pages(&server);
    let client = client(&server);

    let outcome = client
        .sync(sync_request(None))
        .run()
        .await
        .expect("sync completes");
    let SyncOutcome::Complete(batch) = outcome else {
        panic!("expected a complete batch, got {outcome:?}");
    };
    let added: Vec<&str> = batch
        .data
        .added
        .iter()
        .map(|t| t.transaction_id.as_str())
        .collect();
    assert_eq!(
        added,
        ["t1", "t2", "t3", "t4"],
        "every transaction exactly once, in order"
    );
    let modified: Vec<&str> = batch
        .data
        .modified
        .iter()
        .map(|t| t.transaction_id.as_str())
        .collect();
    assert_eq!(modified, ["t1"]);
    assert_eq!(batch.data.removed.len(), 1);
    assert_eq!(batch.cursor, "c3");
    assert_eq!(batch.pages, 3);
    assert_eq!(batch.restarts, 1);
    assert!(!batch.data.has_more);
    assert_eq!(failing.calls_async().await, 1);
}

#[tokio::test]
async fn a_transient_failure_mid_pass_is_retried_by_the_policy_without_a_restart() {
    let server = MockServer::start_async().await;
    // Page 2 answers 500 once: the client's retry policy sends the same page again; only the
    // mutation error restarts the pass.
    let flaky = server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c1")));
        let error: types::PlaidError = serde_json::from_value(json!({
            "error_type": "API_ERROR", "error_code": "INTERNAL_SERVER_ERROR",
            "error_message": "boom", "display_message": null, "request_id": "req-500"
        }))
        .expect("a Plaid error");
        then.server_error(500, &error).into_inner().up_to_n_times(1);
    });
    three_pages(&server);
    let client = client(&server);
    let SyncOutcome::Complete(batch) = client.sync(sync_request(None)).run().await.unwrap() else {
        panic!("expected a complete batch");
    };
    assert_eq!(batch.restarts, 0);
    assert_eq!(batch.pages, 3);
    assert_eq!(batch.data.added.len(), 4);
    assert_eq!(batch.cursor, "c3");
    assert_eq!(flaky.calls_async().await, 1);
}

#[tokio::test]
async fn the_page_stream_says_what_a_restart_discards_and_gives_the_cursor_only_at_the_end() {
    let server = MockServer::start_async().await;
    server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c1")));
        then.client_error(400, &mutation_error())
            .into_inner()
            .up_to_n_times(1);
    });
    three_pages(&server);
    let client = client(&server);

    let events: Vec<SyncEvent<types::TransactionsSyncResponse>> = client
        .sync(sync_request(None))
        .pages()
        .map(|e| e.expect("no error"))
        .collect()
        .await;
    let shape: Vec<String> = events
        .iter()
        .map(|e| match e {
            SyncEvent::Page(p) => format!("page->{}", p.next_cursor),
            SyncEvent::Restarted {
                discarded_pages,
                restarts,
            } => format!("restart(discard {discarded_pages}, #{restarts})"),
            SyncEvent::NotReady(_) => "not-ready".into(),
            SyncEvent::Complete { cursor, pages } => format!("complete({cursor}, {pages})"),
        })
        .collect();
    assert_eq!(
        shape,
        [
            "page->c1",
            "restart(discard 1, #1)",
            "page->c1",
            "page->c2",
            "page->c3",
            "complete(c3, 3)"
        ]
    );
}

/// A sync stream and a list stream own a clone of their client (an `Arc`), so each moves into
/// a spawned task, and outlives the `PlaidClient` value it came from.
#[tokio::test]
async fn streams_move_into_spawned_tasks() {
    let server = MockServer::start_async().await;
    three_pages(&server);
    server.wallet_list(|when, then| {
        when.body(&wallet_request(None));
        then.ok(&wallets(&["w1", "w2"], Some("n2")));
    });
    server.wallet_list(|when, then| {
        when.body(&wallet_request(Some("n2")));
        then.ok(&wallets(&["w3"], None));
    });
    let client = client(&server);
    let sync_events = client.sync(sync_request(None)).pages();
    let wallet_items = client.paginate(wallet_request(None)).items();
    drop(client);

    let sync_task = tokio::spawn(async move {
        sync_events
            .map(|e| e.expect("no error"))
            .collect::<Vec<_>>()
            .await
    });
    let list_task = tokio::spawn(async move {
        wallet_items
            .map(|w| w.expect("no error").wallet_id)
            .collect::<Vec<_>>()
            .await
    });
    let events = sync_task.await.expect("the sync task ran");
    assert_eq!(events.len(), 4, "three pages and the end: {events:?}");
    assert!(
        matches!(events.last(), Some(SyncEvent::Complete { cursor, pages: 3 }) if cursor == "c3"),
        "{events:?}"
    );
    assert_eq!(
        list_task.await.expect("the list task ran"),
        ["w1", "w2", "w3"]
    );
}

#[tokio::test]
async fn a_sync_that_keeps_failing_stops_after_the_restart_cap() {
    let server = MockServer::start_async().await;
    let first = server.transactions_sync(|when, then| {
        when.body(&sync_request(None));
        then.ok(&sync_page(&["t1"], "c1", true));
    });
    let failing = server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c1")));
        then.client_error(400, &mutation_error());
    });
    let client = client(&server);

    let err = client
        .sync(sync_request(None))
        .max_restarts(2)
        .run()
        .await
        .expect_err("gives up");
    let Some(PaginationError::TooManyRestarts { restarts, last, .. }) = err.pagination() else {
        panic!("expected TooManyRestarts, got {err:?}");
    };
    assert_eq!(*restarts, 2);
    assert_eq!(
        last.error_code(),
        Some(&ErrorCode::TransactionsSyncMutationDuringPagination)
    );
    let message = err.to_string();
    assert!(message.contains("gave up after 2 restart(s)"), "{message}");
    assert!(
        message.contains("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"),
        "{message}"
    );
    // First pass plus two restarts: three passes, each failing on page 2.
    assert_eq!(first.calls_async().await, 3);
    assert_eq!(failing.calls_async().await, 3);
}

#[tokio::test]
async fn not_ready_is_reported_at_once_without_polling() {
    let server = MockServer::start_async().await;
    let mock = server.transactions_sync(|when, then| {
        when.body(&sync_request(None));
        let mut page = sync_page(&[], "", false);
        page.transactions_update_status = Some(types::TransactionsUpdateStatus::NotReady);
        then.ok(&page);
    });
    let client = client(&server);

    let outcome = client
        .sync(sync_request(None))
        .run()
        .await
        .expect("no error");
    let SyncOutcome::NotReady(response) = outcome else {
        panic!("expected NotReady, got {outcome:?}");
    };
    assert_eq!(
        response.transactions_update_status,
        Some(types::TransactionsUpdateStatus::NotReady)
    );
    assert_eq!(mock.calls_async().await, 1, "no hot loop");

    let events: Vec<_> = client.sync(sync_request(None)).pages().collect().await;
    assert_eq!(events.len(), 1);
    assert!(matches!(events[0], Ok(SyncEvent::NotReady(_))));
}

#[tokio::test]
async fn an_up_to_date_cursor_completes_with_the_same_cursor_and_nothing_to_apply() {
    let server = MockServer::start_async().await;
    server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c9")));
        then.ok(&sync_page(&[], "c9", false));
    });
    let client = client(&server);
    let SyncOutcome::Complete(batch) = client.sync(sync_request(Some("c9"))).run().await.unwrap()
    else {
        panic!("expected a complete batch");
    };
    assert_eq!(batch.cursor, "c9");
    assert!(batch.data.added.is_empty());
    assert_eq!(batch.pages, 1);
}

#[tokio::test]
async fn page_size_is_checked_against_the_spec_and_sent() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    let err = client
        .sync(sync_request(None))
        .page_size(501)
        .run()
        .await
        .expect_err("over the spec's maximum");
    assert!(
        err.to_string().contains("page size 501 is outside 1..=500"),
        "{err}"
    );

    let mut small = sync_request(None);
    small.count = 7;
    let mock = server.transactions_sync(|when, then| {
        when.body(&small);
        then.ok(&sync_page(&["t1"], "c1", false));
    });
    let outcome = client
        .sync(sync_request(None))
        .page_size(7)
        .run()
        .await
        .unwrap();
    assert!(matches!(outcome, SyncOutcome::Complete(_)));
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn other_errors_end_the_sync_with_nothing_to_store() {
    let server = MockServer::start_async().await;
    server.transactions_sync(|when, then| {
        when.body(&sync_request(None));
        then.ok(&sync_page(&["t1"], "c1", true));
    });
    server.transactions_sync(|when, then| {
        when.body(&sync_request(Some("c1")));
        let mut e = mutation_error();
        e.error_type = types::PlaidErrorType::ItemError;
        e.error_code = "ITEM_LOGIN_REQUIRED".into();
        then.client_error(400, &e);
    });
    let client = client(&server);
    let events: Vec<_> = client.sync(sync_request(None)).pages().collect().await;
    assert_eq!(events.len(), 2, "one page, then the error; no Complete");
    assert!(matches!(events[0], Ok(SyncEvent::Page(_))));
    assert!(matches!(&events[1], Err(e) if e.is_item_login_required()));
}

/// Copies of `template`'s first element, one per id, each given its id by `set`.
fn copies<T: Clone, I: Copy>(template: &[T], ids: &[I], set: impl Fn(&mut T, I)) -> Vec<T> {
    let first = template.first().expect("the spec example has an element");
    ids.iter()
        .map(|id| {
            let mut x = first.clone();
            set(&mut x, *id);
            x
        })
        .collect()
}

// ---- cursor lists ----------------------------------------------------------------------------

fn wallet_request(cursor: Option<&str>) -> types::WalletListRequest {
    let mut request = types::WalletListRequest::new();
    request.cursor = cursor.map(str::to_string);
    request
}

fn wallets(ids: &[&str], next: Option<&str>) -> types::WalletListResponse {
    let mut page = example::<operations::WalletList>().expect("spec example");
    page.wallets = copies(&page.wallets, ids, |w, id| w.wallet_id = id.to_string());
    page.next_cursor = next.map(str::to_string);
    page
}

async fn item_ids<O, T>(pages: Pages<O>, id: impl Fn(&T) -> String) -> Vec<String>
where
    O: plaid_client::Paginated<Item = T> + 'static,
    O::Request: Clone + Send + Sync,
    O::Response: Send,
    T: Send,
{
    pages
        .items()
        .map(|item| id(&item.expect("no error")))
        .collect()
        .await
}

#[tokio::test]
async fn a_cursor_list_follows_next_cursor_to_the_last_page() {
    let server = MockServer::start_async().await;
    let p1 = server.wallet_list(|when, then| {
        when.body(&wallet_request(None));
        then.ok(&wallets(&["w1", "w2"], Some("n2")));
    });
    let p2 = server.wallet_list(|when, then| {
        when.body(&wallet_request(Some("n2")));
        then.ok(&wallets(&["w3"], None));
    });
    let client = client(&server);
    let ids = item_ids(
        client.paginate(wallet_request(None)),
        |w: &types::Wallet| w.wallet_id.clone(),
    )
    .await;
    assert_eq!(ids, ["w1", "w2", "w3"]);
    assert_eq!((p1.calls_async().await, p2.calls_async().await), (1, 1));
}

#[tokio::test]
async fn an_empty_cursor_list_is_one_call_and_no_items() {
    let server = MockServer::start_async().await;
    let mock = server.wallet_list(|when, then| {
        when.body(&wallet_request(None));
        then.ok(&wallets(&[], Some("")));
    });
    let client = client(&server);
    let ids = item_ids(
        client.paginate(wallet_request(None)),
        |w: &types::Wallet| w.wallet_id.clone(),
    )
    .await;
    assert!(ids.is_empty());
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_is_an_error_not_a_loop() {
    let server = MockServer::start_async().await;
    server.wallet_list(|when, then| {
        when.body(&wallet_request(Some("same")));
        then.ok(&wallets(&["w1"], Some("same")));
    });
    let client = client(&server);
    let pages: Vec<_> = client
        .paginate(wallet_request(Some("same")))
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    let Err(err) = &pages[0] else {
        panic!("expected a pagination error, got {:?}", pages[0]);
    };
    assert!(matches!(
        err.pagination(),
        Some(PaginationError::Stalled {
            field: "next_cursor",
            ..
        })
    ));
}

// ---- offset lists ----------------------------------------------------------------------------

fn transfer_list_request(offset: i64) -> types::TransferListRequest {
    types::TransferListRequest::new().count(2).offset(offset)
}

fn transfers(ids: &[&str]) -> types::TransferListResponse {
    let mut page = example::<operations::TransferList>().expect("spec example");
    page.transfers = copies(&page.transfers, ids, |t, id| t.id = id.to_string().into());
    page
}

#[tokio::test]
async fn an_offset_list_without_total_stops_on_a_short_page() {
    let server = MockServer::start_async().await;
    let p1 = server.transfer_list(|when, then| {
        when.body(&transfer_list_request(0));
        then.ok(&transfers(&["a", "b"]));
    });
    let p2 = server.transfer_list(|when, then| {
        when.body(&transfer_list_request(2));
        then.ok(&transfers(&["c"]));
    });
    let client = client(&server);
    let ids = item_ids(
        client.paginate(transfer_list_request(0)),
        |t: &types::Transfer| t.id.to_string(),
    )
    .await;
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!((p1.calls_async().await, p2.calls_async().await), (1, 1));
}

#[tokio::test]
async fn an_offset_list_without_total_stops_on_an_empty_page() {
    let server = MockServer::start_async().await;
    server.transfer_list(|when, then| {
        when.body(&transfer_list_request(0));
        then.ok(&transfers(&["a", "b"]));
    });
    let last = server.transfer_list(|when, then| {
        when.body(&transfer_list_request(2));
        then.ok(&transfers(&[]));
    });
    let client = client(&server);
    let ids = item_ids(
        client.paginate(transfer_list_request(0)),
        |t: &types::Transfer| t.id.to_string(),
    )
    .await;
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(last.calls_async().await, 1);
}

fn institutions_request(offset: i64) -> types::InstitutionsGetRequest {
    types::InstitutionsGetRequest::new(2, vec![types::CountryCode::Us], offset)
}

fn institutions(ids: &[&str], total: i64) -> types::InstitutionsGetResponse {
    let mut page = example::<operations::InstitutionsGet>().expect("spec example");
    page.institutions = copies(&page.institutions, ids, |i, id| {
        i.institution_id = id.to_string()
    });
    page.total = total;
    page
}

#[tokio::test]
async fn an_offset_list_with_a_total_stops_when_it_is_reached() {
    let server = MockServer::start_async().await;
    server.institutions_get(|when, then| {
        when.body(&institutions_request(0));
        then.ok(&institutions(&["i1", "i2"], 4));
    });
    let last = server.institutions_get(|when, then| {
        when.body(&institutions_request(2));
        then.ok(&institutions(&["i3", "i4"], 4));
    });
    let client = client(&server);
    let ids = item_ids(
        client.paginate(institutions_request(0)),
        |i: &types::Institution| i.institution_id.clone(),
    )
    .await;
    assert_eq!(ids, ["i1", "i2", "i3", "i4"]);
    // A full last page, but the total is reached: no third request (none is mocked).
    assert_eq!(last.calls_async().await, 1);
}

#[tokio::test]
async fn an_empty_offset_list_is_one_call() {
    let server = MockServer::start_async().await;
    let mock = server.institutions_get(|when, then| {
        when.body(&institutions_request(0));
        then.ok(&institutions(&[], 0));
    });
    let client = client(&server);
    let pages: Vec<_> = client
        .paginate(institutions_request(0))
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn offsets_inside_the_options_object_advance_too() {
    let request = |offset: Option<i64>| {
        let end = "2024-02-01".parse().expect("date");
        let start = "2024-01-01".parse().expect("date");
        let mut request = types::TransactionsGetRequest::new(ACCESS_TOKEN, end, start);
        request.options =
            offset.map(|offset| types::TransactionsGetRequestOptions::new().offset(offset));
        request
    };
    let page = |ids: &[&str]| {
        let mut page = example::<operations::TransactionsGet>().expect("spec example");
        page.transactions = ids.iter().map(|id| transaction(id)).collect();
        page.total_transactions = 3;
        page
    };
    let server = MockServer::start_async().await;
    server.transactions_get(|when, then| {
        when.body(&request(None));
        then.ok(&page(&["t1", "t2"]));
    });
    let second = server.transactions_get(|when, then| {
        when.body(&request(Some(2)));
        then.ok(&page(&["t3"]));
    });
    let client = client(&server);
    let ids = item_ids(client.paginate(request(None)), |t: &types::Transaction| {
        t.transaction_id.clone()
    })
    .await;
    assert_eq!(ids, ["t1", "t2", "t3"]);
    assert_eq!(second.calls_async().await, 1);
}

// ---- event syncs -----------------------------------------------------------------------------

fn event_request(after_id: i64) -> types::TransferEventSyncRequest {
    types::TransferEventSyncRequest::new(after_id).count(2)
}

fn events(ids: &[i64], has_more: Option<bool>) -> types::TransferEventSyncResponse {
    let mut page = example::<operations::TransferEventSync>().expect("spec example");
    page.transfer_events = copies(&page.transfer_events, ids, |e, id| e.event_id = id);
    page.has_more = has_more;
    page
}

#[tokio::test]
async fn an_event_sync_follows_after_id_until_has_more_is_false() {
    let server = MockServer::start_async().await;
    server.transfer_event_sync(|when, then| {
        when.body(&event_request(0));
        then.ok(&events(&[1, 2], Some(true)));
    });
    let last = server.transfer_event_sync(|when, then| {
        when.body(&event_request(2));
        then.ok(&events(&[3], Some(false)));
    });
    let client = client(&server);
    let ids = item_ids(
        client.paginate(event_request(0)),
        |e: &types::TransferEvent| e.event_id.to_string(),
    )
    .await;
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(last.calls_async().await, 1);
}

#[tokio::test]
async fn an_empty_event_sync_is_one_call() {
    let server = MockServer::start_async().await;
    let mock = server.transfer_event_sync(|when, then| {
        when.body(&event_request(7));
        then.ok(&events(&[], Some(false)));
    });
    let client = client(&server);
    let pages: Vec<_> = client.paginate(event_request(7)).pages().collect().await;
    assert_eq!(pages.len(), 1);
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn an_event_sync_without_has_more_stops_on_a_short_page() {
    let request = |after_id| types::BankTransferEventSyncRequest::new(after_id).count(2);
    let page = |ids: &[i64]| {
        let mut page = example::<operations::BankTransferEventSync>().expect("spec example");
        page.bank_transfer_events =
            copies(&page.bank_transfer_events, ids, |e, id| e.event_id = id);
        page
    };
    let server = MockServer::start_async().await;
    server.bank_transfer_event_sync(|when, then| {
        when.body(&request(10));
        then.ok(&page(&[11, 12]));
    });
    let last = server.bank_transfer_event_sync(|when, then| {
        when.body(&request(12));
        then.ok(&page(&[13]));
    });
    let client = client(&server);
    let ids = item_ids(
        client.paginate(request(10)),
        |e: &types::BankTransferEvent| e.event_id.to_string(),
    )
    .await;
    assert_eq!(ids, ["11", "12", "13"]);
    assert_eq!(last.calls_async().await, 1);
}

#[test]
fn every_paginated_shape_of_the_spec_has_a_helper() {
    use plaid_client::{CursorSync, PageStyle, Paginated};
    // The generator finds these from the spec's shapes; spot-check one of each family and
    // the ones the issue names.
    fn sync<O: CursorSync>() -> &'static str {
        O::OPERATION_ID
    }
    fn list<O: Paginated>() -> PageStyle {
        O::STYLE
    }
    assert_eq!(sync::<operations::TransactionsSync>(), "transactionsSync");
    assert_eq!(
        sync::<operations::ProcessorTransactionsSync>(),
        "processorTransactionsSync"
    );
    assert_eq!(
        list::<operations::IdentityVerificationList>(),
        PageStyle::Cursor
    );
    assert_eq!(
        list::<operations::WalletTransactionList>(),
        PageStyle::Cursor
    );
    assert_eq!(
        list::<operations::PaymentInitiationPaymentList>(),
        PageStyle::Cursor
    );
    assert_eq!(list::<operations::TransactionsGet>(), PageStyle::Offset);
    assert_eq!(
        list::<operations::InvestmentsTransactionsGet>(),
        PageStyle::Offset
    );
    assert_eq!(list::<operations::InstitutionsGet>(), PageStyle::Offset);
    assert_eq!(list::<operations::TransferList>(), PageStyle::Offset);
    assert_eq!(list::<operations::TransferEventSync>(), PageStyle::AfterId);
    assert_eq!(
        list::<operations::BankTransferEventSync>(),
        PageStyle::AfterId
    );
    assert_eq!(
        <operations::TransactionsSync as CursorSync>::PAGED_FIELDS,
        ["added", "modified", "removed"]
    );
    assert_eq!(
        <operations::InvestmentsTransactionsGet as Paginated>::ITEMS_FIELD,
        "investment_transactions"
    );
}
