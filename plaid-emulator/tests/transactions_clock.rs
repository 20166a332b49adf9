//! Transactions on the emulator's clock (issue 31, items 1 and 4), through `plaid-client-ext`
//! on a manual clock, without sleeps: a new Item's history is dated back from the day it was
//! created, within the 90 days of a default history (`sandbox-user-custom.txt`: "transactions
//! data is generated relative to the Item's creation date"; Plaid's `days_requested` default of
//! 90 days); a custom user's future `date_posted` is pending and posts when the clock reaches it
//! (`sandbox-user-custom.txt`), as Plaid posts a pending transaction
//! (`transactions-transactions-data.txt`: the pending one removed, a posted one naming it in
//! `pending_transaction_id` added) with `SYNC_UPDATES_AVAILABLE` (`transactions-webhooks.txt`);
//! and a custom user's `seed` decides the data its configuration does not give.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::NaiveDate;
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::types::{self, Products};
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::PlaidClient;
use plaid_emulator::{Clock, Emulator, EmulatorConfig};
use serde_json::{json, Value};
use support::{control, next_verified, nothing_more, receiver, start_with};

const DAY: Duration = Duration::from_secs(86_400);

/// 2024-03-10T00:00:00Z, where the manual clock starts.
fn start_instant() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_710_028_800)
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// An emulator on a manual clock standing at 2024-03-10.
async fn manual() -> (Emulator, PlaidClient) {
    start_with(EmulatorConfig {
        clock: Clock::Manual(start_instant()),
        ..EmulatorConfig::default()
    })
    .await
}

/// An Item linked through `/sandbox/public_token/create` as `user_custom` with `config` (or
/// as `user_good` without one), webhooks to `webhook`: its access token.
async fn link(client: &PlaidClient, config: Option<Value>, webhook: Option<&str>) -> String {
    let mut options = types::SandboxPublicTokenCreateRequestOptions::new();
    if let Some(config) = config {
        options = options
            .override_username(types::SandboxOverrideUsername("user_custom".into()))
            .override_password(config.to_string().into());
    }
    if let Some(url) = webhook {
        options = options.webhook(url.to_string());
    }
    let create =
        types::SandboxPublicTokenCreateRequest::new(vec![Products::Transactions], "ins_109508")
            .options(options);
    let public = client.send(&create).await.unwrap();
    let exchange = types::ItemPublicTokenExchangeRequest::new(public.public_token.clone());
    let exchanged = client.send(&exchange).await.unwrap();
    exchanged.access_token.expose().to_string()
}

/// What a complete `/transactions/sync` from `cursor` brings: (added, removed ids, cursor).
async fn sync(
    client: &PlaidClient,
    token: &str,
    cursor: Option<String>,
) -> (Vec<types::Transaction>, Vec<String>, String) {
    let mut request = types::TransactionsSyncRequest::new(token);
    if let Some(cursor) = cursor {
        request = request.cursor(cursor);
    }
    let SyncOutcome::Complete(batch) = client.sync(request).run().await.unwrap() else {
        panic!("the emulator's history is ready at once");
    };
    let removed = batch.data.removed.iter();
    let removed = removed.map(|r| r.transaction_id.clone()).collect();
    (batch.data.added.clone(), removed, batch.cursor.clone())
}

/// The transactions a complete sync from the start leaves (added, less removed).
async fn current(client: &PlaidClient, token: &str) -> Vec<types::Transaction> {
    let (added, removed, _) = sync(client, token, None).await;
    let left = added.into_iter();
    left.filter(|t| !removed.contains(&t.transaction_id))
        .collect()
}

#[tokio::test]
async fn a_new_items_dates_are_on_or_before_the_clocks_day_within_90_days() {
    let (_emulator, client) = manual().await;
    let token = link(&client, None, None).await;
    let (today, oldest) = (date("2024-03-10"), date("2023-12-12")); // 89 days before
    let left = current(&client, &token).await;
    assert_eq!(left.len(), 44);
    for t in &left {
        let authorized = t.authorized_date.unwrap();
        assert!(
            oldest <= authorized && authorized <= t.date && t.date <= today,
            "{} {authorized} {}",
            t.transaction_id,
            t.date
        );
    }
    let first = left.iter().map(|t| t.date).min().unwrap();
    let last = left.iter().map(|t| t.date).max().unwrap();
    assert!(first < date("2024-01-01"), "spread over months: {first}");
    assert_eq!(
        last, today,
        "posted from pending on the day the Item was made"
    );

    // `/transactions/get` finds each of them within those 90 days, and none outside.
    let get = |start: &str, end: &str| {
        let options = types::TransactionsGetRequestOptions::new().count(500);
        types::TransactionsGetRequest::new(token.as_str(), date(end), date(start)).options(options)
    };
    let window = client.send(&get("2023-12-12", "2024-03-10")).await.unwrap();
    assert_eq!(window.total_transactions, 44);
    let mut got: Vec<&str> = window
        .transactions
        .iter()
        .map(|t| t.transaction_id.as_str())
        .collect();
    let mut want: Vec<&str> = left.iter().map(|t| t.transaction_id.as_str()).collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    let before = client.send(&get("2000-01-01", "2023-12-11")).await.unwrap();
    let after = client.send(&get("2024-03-11", "2100-01-01")).await.unwrap();
    assert_eq!(
        (before.total_transactions, after.total_transactions),
        (0, 0)
    );
}

#[tokio::test]
async fn an_item_created_after_an_advance_is_dated_from_its_own_day() {
    let (emulator, client) = manual().await;
    let early = link(&client, None, None).await;
    let early_dates: Vec<(NaiveDate, Option<NaiveDate>)> = sync(&client, &early, None)
        .await
        .0
        .iter()
        .map(|t| (t.date, t.authorized_date))
        .collect();
    emulator.advance(10 * DAY);
    let late = link(&client, None, None).await;
    let late_added = sync(&client, &late, None).await.0;
    let shifted = |d: NaiveDate| d + chrono::Days::new(10);
    assert_eq!(late_added.len(), early_dates.len());
    for (t, (date, authorized)) in late_added.iter().zip(&early_dates) {
        assert_eq!(t.date, shifted(*date), "the same days before creation");
        assert_eq!(t.authorized_date, authorized.map(shifted));
    }
    // The first Item's history keeps its dates: they are its creation day's.
    let again: Vec<_> = sync(&client, &early, None)
        .await
        .0
        .iter()
        .map(|t| (t.date, t.authorized_date))
        .collect();
    assert_eq!(again, early_dates);
}

/// A checking account with a posted transaction and one whose `date_posted`, 2024-03-12, is
/// two days after the clock's.
fn future_posting() -> Value {
    json!({"override_accounts": [{"type": "depository", "subtype": "checking",
        "transactions": [
            {"date_posted": "2024-03-01", "amount": 3.5, "description": "Coffee"},
            {"date_transacted": "2024-03-09", "date_posted": "2024-03-12", "amount": 80,
             "description": "Hotel"}]}]})
}

/// The `SYNC_UPDATES_AVAILABLE` webhooks delivered to `url` so far, once all have settled.
async fn sync_webhooks(emulator: &Emulator, url: &str) -> usize {
    let log = emulator
        .wait_for_webhooks_settled(Duration::from_secs(20))
        .await
        .unwrap();
    log.iter()
        .filter(|d| d.url == url && d.webhook_code == "SYNC_UPDATES_AVAILABLE")
        .count()
}

/// A custom user's Item of [`future_posting`], synced once, with a webhook receiver that has
/// nothing unread.
struct Posting {
    emulator: Emulator,
    client: PlaidClient,
    url: String,
    received: support::Received,
    token: String,
    /// The pending transaction, as the first sync brought it.
    pending: types::Transaction,
    /// Where the last sync ended.
    cursor: String,
    /// How many `SYNC_UPDATES_AVAILABLE` were delivered by the first sync.
    before: usize,
}

impl Posting {
    async fn start() -> Self {
        let (emulator, client) = manual().await;
        let (url, mut received) = receiver().await;
        let token = link(&client, Some(future_posting()), Some(&url)).await;
        let (added, _, cursor) = sync(&client, &token, None).await;
        let pending = added.iter().find(|t| t.name == "Hotel").unwrap().clone();
        assert!(pending.pending && pending.pending_transaction_id.is_none());
        let before = sync_webhooks(&emulator, &url).await;
        while received.try_recv().is_ok() {} // what came before
        Self {
            emulator,
            client,
            url,
            received,
            token,
            pending,
            cursor,
            before,
        }
    }

    /// What a sync from the last cursor brings: (added, removed ids).
    async fn next(&mut self) -> (Vec<types::Transaction>, Vec<String>) {
        let cursor = Some(self.cursor.clone());
        let (added, removed, cursor) = sync(&self.client, &self.token, cursor).await;
        self.cursor = cursor;
        (added, removed)
    }

    /// How many `SYNC_UPDATES_AVAILABLE` were delivered since the first sync, once every
    /// webhook fired has settled.
    async fn announced(&self) -> usize {
        sync_webhooks(&self.emulator, &self.url).await - self.before
    }

    /// The posted transaction a sync brings, with the pending one removed.
    async fn posted(&mut self) -> types::Transaction {
        let (added, removed) = self.next().await;
        assert_eq!(removed, std::slice::from_ref(&self.pending.transaction_id));
        let [posted] = &added[..] else {
            panic!("one posted transaction: {added:?}");
        };
        assert_eq!(
            posted.pending_transaction_id.as_deref(),
            Some(self.pending.transaction_id.as_str())
        );
        posted.clone()
    }
}

#[tokio::test]
async fn a_custom_users_future_transaction_posts_once_when_the_clock_reaches_its_date() {
    let mut p = Posting::start().await;
    p.emulator.advance(DAY); // 2024-03-11: not yet
    let (added, removed) = p.next().await;
    assert!(
        added.is_empty() && removed.is_empty(),
        "{added:?} {removed:?}"
    );
    assert_eq!(p.announced().await, 0);

    p.emulator.advance(DAY); // 2024-03-12: it posts
    assert_eq!(p.announced().await, 1);
    let event = next_verified(&p.client, &mut p.received).await;
    assert!(
        matches!(event, WebhookEvent::SyncUpdatesAvailable(_)),
        "{event:?}"
    );
    let posted = p.posted().await;
    assert!(!posted.pending);
    assert_eq!((posted.amount, posted.name.as_str()), (80.0, "Hotel"));
    assert_eq!(posted.date, date("2024-03-12"));
    assert_eq!(posted.authorized_date, Some(date("2024-03-09")));

    p.emulator.advance(5 * DAY); // nothing more to post
    let (added, removed) = p.next().await;
    assert!(
        added.is_empty() && removed.is_empty(),
        "{added:?} {removed:?}"
    );
    assert_eq!(p.announced().await, 1, "posted once");
    assert!(nothing_more(&p.emulator, &mut p.received).await);
}

#[tokio::test]
async fn advancing_the_clock_over_http_posts_and_announces_what_came_due() {
    let mut p = Posting::start().await;
    let two_days = json!({"ms": 2 * DAY.as_millis() as u64});
    let (status, _) = control(&p.emulator, "POST", "/clock/advance", two_days).await;
    assert_eq!(status, 200);
    let event = next_verified(&p.client, &mut p.received).await;
    assert!(
        matches!(event, WebhookEvent::SyncUpdatesAvailable(_)),
        "{event:?}"
    );
    assert!(!p.posted().await.pending);
    assert_eq!(p.announced().await, 1);
}

/// (amount, name, date, authorized date, which account) of each transaction a sync leaves:
/// what a seed derives, without the ids, which are each Item's own.
async fn derived(client: &PlaidClient, token: &str) -> Vec<(String, String, String, String)> {
    let accounts = client
        .send(&types::AccountsGetRequest::new(token))
        .await
        .unwrap();
    let index = |id: &str| accounts.accounts.iter().position(|a| a.account_id == id);
    let left = current(client, token).await;
    left.iter()
        .map(|t| {
            (
                format!("{:.2}", t.amount),
                t.name.clone(),
                format!("{} {:?}", t.date, t.authorized_date),
                format!("{:?}", index(&t.account_id)),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_same_custom_seed_derives_the_same_data_and_another_seed_other_data() {
    let (_emulator, client) = manual().await;
    let seeded = |seed: &str| Some(json!({ "seed": seed }));
    let first = link(&client, seeded("alpha"), None).await;
    let second = link(&client, seeded("alpha"), None).await;
    let other = link(&client, seeded("beta"), None).await;
    let (first, second, other) = (
        derived(&client, &first).await,
        derived(&client, &second).await,
        derived(&client, &other).await,
    );
    assert_eq!(first.len(), 44);
    assert_eq!(first, second, "the same seed, the same data");
    let amounts = |data: &[(String, String, String, String)]| -> Vec<String> {
        data.iter().map(|d| d.0.clone()).collect()
    };
    assert_ne!(
        amounts(&first),
        amounts(&other),
        "another seed, other amounts"
    );
    // Without a seed, each Item's data is its own ("different each time").
    let plain = link(&client, Some(json!({})), None).await;
    let plain_too = link(&client, Some(json!({})), None).await;
    let (plain, plain_too) = (
        derived(&client, &plain).await,
        derived(&client, &plain_too).await,
    );
    assert_ne!(amounts(&plain), amounts(&plain_too));
}

#[tokio::test]
async fn sandbox_created_transactions_are_dated_today_or_up_to_14_days_before() {
    let (emulator, client) = manual().await;
    emulator.advance(DAY / 2); // mid-day: the day is still 2024-03-10
    let token = link(&client, None, None).await;
    let create = |posted: &str, transacted: &str| {
        let t = types::CustomSandboxTransaction::new(4.25, date(posted), date(transacted), "Tea");
        types::SandboxTransactionsCreateRequest::new(token.as_str(), vec![t])
    };
    for (posted, transacted) in [("2024-03-10", "2024-03-10"), ("2024-02-25", "2024-02-25")] {
        client.send(&create(posted, transacted)).await.unwrap();
    }
    for (posted, transacted) in [
        ("2024-03-11", "2024-03-10"), // posted tomorrow
        ("2024-02-24", "2024-02-24"), // 15 days before
        ("2024-03-10", "2024-03-11"), // transacted tomorrow
    ] {
        let refused = client.send(&create(posted, transacted)).await.unwrap_err();
        assert_eq!(
            refused.error_code(),
            Some(&plaid_client_ext::ErrorCode::InvalidField),
            "{posted} {transacted}: {refused}"
        );
    }
}
