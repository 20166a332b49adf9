//! Sandbox test clocks and the recurring transfers they move (docs: api-sandbox
//! `/sandbox/transfer/test_clock/*`, api-products-transfer `/transfer/recurring/*`,
//! transfer-recurring-transfers "Testing recurring transfers"): a weekly transfer bound to a
//! test clock originates one transfer per execution day the clock passes, and nothing else
//! moves it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use plaid_client_ext::types::{self, Products, TransferType};
use plaid_client_ext::{ErrorCode, PlaidClient};
use plaid_emulator::{Clock, Emulator, EmulatorConfig};
use support::transfers::first_account;
use support::{link_with, receiver, start_with};

/// An emulator whose Transfer webhooks go to a receiver, a client, and an Item with Transfer:
/// (emulator, client, access token, account id).
async fn linked() -> (Emulator, PlaidClient, String, String) {
    let (url, _received) = receiver().await;
    let config = EmulatorConfig {
        transfer_webhook: Some(url),
        ..EmulatorConfig::default()
    };
    let (emulator, client) = start_with(config).await;
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let account = first_account(&client, &token).await;
    (emulator, client, token, account)
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn test_clock(client: &PlaidClient, virtual_time: &str) -> String {
    let create = types::SandboxTransferTestClockCreateRequest::new().virtual_time(at(virtual_time));
    let created = client.send(&create).await.unwrap();
    created.test_clock.test_clock_id.to_string()
}

async fn advance(
    client: &PlaidClient,
    clock: &str,
    to: &str,
) -> Result<(), plaid_client_ext::Error> {
    let advance = types::SandboxTransferTestClockAdvanceRequest::new(at(to).into(), clock);
    client.send(&advance).await.map(drop)
}

/// Every Tuesday (2) from `start` to `end`, bound to `clock`.
fn weekly(
    token: &str,
    account: &str,
    clock: &str,
    start: &str,
    end: &str,
) -> types::TransferRecurringCreateRequest {
    let schedule = types::TransferRecurringSchedule {
        interval_unit: types::TransferScheduleIntervalUnit::Week,
        interval_count: 1.into(),
        interval_execution_day: 2,
        start_date: start.parse::<NaiveDate>().unwrap(),
        end_date: Some(end.parse::<NaiveDate>().unwrap()),
    };
    types::TransferRecurringCreateRequest::new(
        token,
        account,
        "12.34",
        "rent",
        types::TransferRecurringNetwork::Ach,
        schedule,
        TransferType::Debit,
        types::TransferUserInRequest::new("Ada Lovelace"),
    )
    .test_clock_id(clock.to_string())
}

async fn recurring(client: &PlaidClient, id: &str) -> types::RecurringTransfer {
    let get = types::TransferRecurringGetRequest::new(id);
    client.send(&get).await.unwrap().recurring_transfer.clone()
}

/// The id of the recurring transfer `create` makes.
async fn created(client: &PlaidClient, create: types::TransferRecurringCreateRequest) -> String {
    let created = client.send(&create).await.unwrap();
    let recurring = created.recurring_transfer.as_ref().unwrap();
    recurring.recurring_transfer_id.to_string()
}

fn invalid_field(error: &plaid_client_ext::Error) -> bool {
    error.error_code() == Some(&ErrorCode::InvalidField)
}

#[tokio::test]
async fn a_weekly_recurring_transfer_originates_one_transfer_per_tuesday_its_test_clock_passes() {
    // The docs' walk-through: a Monday clock, every Tuesday from 2022-11-15 to 2022-11-30.
    let (emulator, client, token, account) = linked().await;
    let clock = test_clock(&client, "2022-11-14T15:00:00Z").await;
    let id = created(
        &client,
        weekly(&token, &account, &clock, "2022-11-15", "2022-11-30"),
    )
    .await;
    let fresh = recurring(&client, &id).await;
    assert!(fresh.transfer_ids.is_empty());
    assert_eq!(
        fresh.next_origination_date.unwrap().to_string(),
        "2022-11-15"
    );

    advance(&client, &clock, "2022-11-15T23:59:00Z")
        .await
        .unwrap();
    let after_one = recurring(&client, &id).await;
    assert_eq!(after_one.transfer_ids.len(), 1);
    assert_eq!(after_one.status.to_string(), "active");
    advance(&client, &clock, "2022-11-29T23:59:00Z")
        .await
        .unwrap();
    assert_eq!(recurring(&client, &id).await.transfer_ids.len(), 3);
    advance(&client, &clock, "2022-12-06T23:59:00Z")
        .await
        .unwrap();
    let done = recurring(&client, &id).await;
    assert_eq!(
        done.transfer_ids.len(),
        3,
        "the schedule ended on 2022-11-30"
    );
    assert_eq!(done.status.to_string(), "expired");
    assert!(done.next_origination_date.is_none());

    // Each is an ordinary pending transfer of the recurring one, announced by its webhook.
    let first = types::TransferGetRequest::new()
        .transfer_id(types::TransferId::from(done.transfer_ids[0].to_string()));
    let transfer = client.send(&first).await.unwrap().transfer.clone();
    assert_eq!(transfer.status.to_string(), "pending");
    assert_eq!(transfer.recurring_transfer_id.as_deref(), Some(id.as_str()));
    assert_eq!(transfer.amount.to_string(), "12.34");
    let log = emulator
        .wait_for_webhooks_settled(Duration::from_secs(20))
        .await
        .unwrap();
    let announced = log
        .iter()
        .filter(|d| d.webhook_code == "RECURRING_NEW_TRANSFER")
        .count();
    assert_eq!(announced, 3);
}

#[tokio::test]
async fn a_recurring_transfer_without_a_test_clock_follows_the_emulators_clock() {
    let (url, _received) = receiver().await;
    let start = UNIX_EPOCH + Duration::from_secs(1_767_225_600); // Thursday 2026-01-01
    let config = EmulatorConfig {
        transfer_webhook: Some(url),
        clock: Clock::Manual(start),
        ..EmulatorConfig::default()
    };
    let (emulator, client) = start_with(config).await;
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let account = first_account(&client, &token).await;
    let mut create = weekly(&token, &account, "unused", "2026-01-01", "2026-12-31");
    create.test_clock_id = None;
    let id = created(&client, create).await;
    emulator.advance(Duration::from_secs(4 * 86_400)); // Monday 2026-01-05
    assert!(recurring(&client, &id).await.transfer_ids.is_empty());
    emulator.advance(Duration::from_secs(2 * 86_400)); // Wednesday 2026-01-07
    let after = recurring(&client, &id).await;
    assert_eq!(after.transfer_ids.len(), 1, "Tuesday 2026-01-06 passed");
    assert_eq!(
        after.next_origination_date.unwrap().to_string(),
        "2026-01-13"
    );
}

#[tokio::test]
async fn a_cancelled_recurring_transfer_originates_nothing_more() {
    let (_emulator, client, token, account) = linked().await;
    let clock = test_clock(&client, "2022-11-14T15:00:00Z").await;
    let id = created(
        &client,
        weekly(&token, &account, &clock, "2022-11-15", "2023-11-30"),
    )
    .await;
    advance(&client, &clock, "2022-11-16T00:00:00Z")
        .await
        .unwrap();
    let cancel = types::TransferRecurringCancelRequest::new(id.as_str());
    client.send(&cancel).await.unwrap();
    advance(&client, &clock, "2022-12-31T00:00:00Z")
        .await
        .unwrap();
    let cancelled = recurring(&client, &id).await;
    assert_eq!(cancelled.status.to_string(), "cancelled");
    assert_eq!(cancelled.transfer_ids.len(), 1);
}

#[tokio::test]
async fn a_test_clock_is_read_and_listed_by_virtual_time_and_never_goes_back() {
    let (_emulator, client, _, _) = linked().await;
    let later = test_clock(&client, "2023-01-01T00:00:00Z").await;
    let earlier = test_clock(&client, "2022-01-01T00:00:00Z").await;
    let list = client
        .send(&types::SandboxTransferTestClockListRequest::new())
        .await
        .unwrap();
    let ids: Vec<String> = list
        .test_clocks
        .iter()
        .map(|c| c.test_clock_id.to_string())
        .collect();
    assert_eq!(
        ids,
        [earlier.clone(), later.clone()],
        "by ascending virtual_time"
    );

    advance(&client, &later, "2023-02-01T00:00:00Z")
        .await
        .unwrap();
    let get = types::SandboxTransferTestClockGetRequest::new(later.as_str());
    let got = client.send(&get).await.unwrap();
    assert_eq!(*got.test_clock.virtual_time, at("2023-02-01T00:00:00Z"));
    let back = advance(&client, &later, "2023-01-15T00:00:00Z")
        .await
        .unwrap_err();
    assert!(invalid_field(&back), "{back}");
    let unknown = types::SandboxTransferTestClockGetRequest::new("no-such-clock");
    assert!(invalid_field(&client.send(&unknown).await.unwrap_err()));
}

#[tokio::test]
async fn an_advance_that_would_originate_more_than_20_transfers_is_refused() {
    let (_emulator, client, token, account) = linked().await;
    let clock = test_clock(&client, "2022-11-14T15:00:00Z").await;
    let id = created(
        &client,
        weekly(&token, &account, &clock, "2022-11-15", "2025-01-01"),
    )
    .await;
    // 21 Tuesdays from 2022-11-15: the 21st is 2023-04-04.
    let refused = advance(&client, &clock, "2023-04-04T12:00:00Z")
        .await
        .unwrap_err();
    assert!(invalid_field(&refused), "{refused}");
    assert!(
        recurring(&client, &id).await.transfer_ids.is_empty(),
        "nothing originated"
    );
    advance(&client, &clock, "2023-03-28T12:00:00Z")
        .await
        .unwrap();
    assert_eq!(recurring(&client, &id).await.transfer_ids.len(), 20);
}

#[tokio::test]
async fn a_test_clock_takes_at_most_5_recurring_transfers() {
    let (_emulator, client, token, account) = linked().await;
    let clock = test_clock(&client, "2022-11-14T15:00:00Z").await;
    for _ in 0..5 {
        let create = weekly(&token, &account, &clock, "2022-11-15", "2022-11-30");
        client.send(&create).await.unwrap();
    }
    let sixth = weekly(&token, &account, &clock, "2022-11-15", "2022-11-30");
    let refused = client.send(&sixth).await.unwrap_err();
    assert!(invalid_field(&refused), "{refused}");
    let list = types::TransferRecurringListRequest::new();
    assert_eq!(
        client.send(&list).await.unwrap().recurring_transfers.len(),
        5
    );
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_original_recurring_transfer() {
    let (_emulator, client, token, account) = linked().await;
    let clock = test_clock(&client, "2022-11-14T15:00:00Z").await;
    let create = weekly(&token, &account, &clock, "2022-11-15", "2022-11-30");
    let first = client.send(&create).await.unwrap();
    let again = client.send(&create).await.unwrap();
    let id = |r: &types::TransferRecurringCreateResponse| {
        r.recurring_transfer
            .as_ref()
            .unwrap()
            .recurring_transfer_id
            .to_string()
    };
    assert_eq!(id(&first), id(&again));
    let list = types::TransferRecurringListRequest::new();
    assert_eq!(
        client.send(&list).await.unwrap().recurring_transfers.len(),
        1
    );
}
