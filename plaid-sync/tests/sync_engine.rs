//! The engine against real components: a real SQLite file and a real PostgreSQL (a fresh
//! database per test on the cluster of `scripts/postgres.sh`), and the emulated Plaid on loopback.
//! Every scenario runs on both stores; the PostgreSQL ones are `#[ignore]`d unless
//! `PLAID_SYNC_POSTGRES_URL` is set, and CI runs them with `--ignored`.
//!
//! Why one file of ~620 lines: each scenario runs on both stores from one body; the scenario
//! helpers already live in `tests/support/`.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use plaid_sync::plaid::Webhook;
use plaid_sync::{
    AccessTokens, ApplyMode, BoxError, Credential, Error, ItemStatus, Pacer, Pacing, Store,
    SyncHandler, WebhookOutcome, Worker, WorkerConfig,
};
use support::scenario::{add_items, assert_end_state, drain, webhook};
use support::{client, test_config, AnyError, EmulatedPlaid, Faults, Halt, Ledger, LedgerDb};
use tokio::sync::Notify;

type Tokens = HashMap<String, Credential>;

fn unpaced() -> Result<Pacer, AnyError> {
    Ok(Pacer::new(
        Pacing::unlimited(),
        plaid_sync::Sharing::InProcess,
    )?)
}

fn worker<DB, T>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
    ledger: &Ledger,
    tokens: T,
    config: WorkerConfig,
) -> Result<Worker<DB, Ledger, T>, AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
    T: AccessTokens,
{
    let pacer = unpaced()?;
    Ok(Worker::new(store.clone(), client(plaid)?, ledger.clone(), tokens, pacer).config(config)?)
}

/// Two workers, three webhooks per update: each transaction applied exactly once, one pass per
/// update, cursors equal to the emulator's.
async fn two_workers_and_repeated_webhooks<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 24, 35).await?;
    let ledger = Ledger::default();
    let make = |name: &str| worker(&store, &plaid, &ledger, plaid.tokens(), test_config(name));
    let stats = drain(vec![make("a")?, make("b")?], Duration::from_secs(30)).await?;
    assert_eq!(
        stats.iter().map(|s| s.committed).sum::<u64>(),
        24,
        "{stats:?}"
    );
    assert!(
        stats.iter().all(|s| s.committed > 0),
        "both workers worked: {stats:?}"
    );

    for item in &items {
        plaid.update(item, 12, 3);
        for code in [
            "SYNC_UPDATES_AVAILABLE",
            "DEFAULT_UPDATE",
            "SYNC_UPDATES_AVAILABLE",
        ] {
            let outcome = webhook(&store, "TRANSACTIONS", code, item).await?;
            assert!(matches!(outcome, WebhookOutcome::SyncRequested { .. }));
        }
    }
    assert_eq!(store.progress().await?.pending, 24);
    let stats = drain(vec![make("a")?, make("b")?], Duration::from_secs(30)).await?;
    assert_eq!(
        stats.iter().map(|s| s.committed).sum::<u64>(),
        24,
        "one pass per update"
    );
    for item in &items {
        let state = store.item(item).await?.ok_or("item")?;
        assert_eq!(
            state.passes, 2,
            "{item}: one initial pass, one for three webhooks"
        );
        assert!(!state.pending());
    }
    let rows = assert_end_state(&store, &plaid, &items).await?;
    assert!(rows > 24 * 40, "{rows} rows");
    Ok(())
}

/// Mutation errors mid-pass, 500s, dropped connections and handler errors: same end state.
async fn faults_leave_the_same_end_state<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 10, 45).await?;
    plaid.set_faults(Faults {
        server_error_every: 7,
        drop_every: 11,
        mutation_every: 5,
        ..Faults::default()
    });
    let ledger = Ledger {
        fail_every: 9,
        ..Ledger::default()
    };
    let streaming = WorkerConfig {
        apply: ApplyMode::Streaming,
        ..test_config("streaming")
    };
    let workers = vec![
        worker(&store, &plaid, &ledger, plaid.tokens(), streaming)?,
        worker(
            &store,
            &plaid,
            &ledger,
            plaid.tokens(),
            test_config("buffered"),
        )?,
    ];
    let stats = drain(workers, Duration::from_secs(60)).await?;
    for item in &items {
        plaid.update(item, 20, 4);
        webhook(&store, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", item).await?;
    }
    let again = vec![
        worker(&store, &plaid, &ledger, plaid.tokens(), test_config("c"))?,
        worker(&store, &plaid, &ledger, plaid.tokens(), test_config("d"))?,
    ];
    let stats2 = drain(again, Duration::from_secs(60)).await?;
    let counters = plaid.counters();
    assert!(counters.mutations > 0 && counters.server_errors > 0 && counters.dropped > 0);
    let restarts: u64 = stats.iter().chain(&stats2).map(|s| s.restarts).sum();
    let failed: u64 = stats.iter().chain(&stats2).map(|s| s.failed).sum();
    assert!(
        restarts > 0,
        "mutation restarts happened: {stats:?} {stats2:?}"
    );
    assert!(
        failed > 0,
        "handler failures rolled passes back: {stats:?} {stats2:?}"
    );
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

/// A worker aborted mid-pass (its transaction open, rows written) loses nothing and doubles
/// nothing: another worker resumes after the lease expires.
async fn a_killed_worker_is_finished_by_another<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 6, 45).await?;
    // Five pages an Item: the third page of the first pass is mid-pass, two pages written.
    let halt = Arc::new(Halt {
        at: 3,
        ..Halt::default()
    });
    let ledger = Ledger {
        halt: Some(halt.clone()),
        ..Ledger::default()
    };
    let doomed = WorkerConfig {
        apply: ApplyMode::Streaming,
        concurrency: 1,
        ..test_config("doomed")
    };
    let a = worker(&store, &plaid, &ledger, plaid.tokens(), doomed)?;
    let task = tokio::spawn(async move { a.run_until_idle().await });
    tokio::time::timeout(Duration::from_secs(10), halt.reached.notified()).await?;
    task.abort();
    assert!(task.await.is_err_and(|e| e.is_cancelled()));
    let mut held = Vec::new();
    for item in &items {
        let state = store.item(item).await?.ok_or("item")?;
        if state.lease_owner.as_deref() == Some("doomed") {
            held.push(state);
        }
    }
    assert_eq!(held.len(), 1, "killed mid-pass: {held:?}");
    assert_eq!(held[0].passes, 0);

    let started = tokio::time::Instant::now();
    let b = worker(&store, &plaid, &ledger, plaid.tokens(), test_config("heir"))?;
    let stats = drain(vec![b], Duration::from_secs(30)).await?;
    assert_eq!(stats[0].committed, 6, "{stats:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "waited for the lease"
    );
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

/// Tokens from a vault that stalls once on one Item, mid-pass (the worker holds its lease),
/// from when it says so (`stalled`) until the test lets it go on (`release`): the test acts
/// while the pass is certainly running, however slow the machine.
struct StallingTokens {
    inner: Tokens,
    stall: tokio::sync::Mutex<Option<String>>,
    stalled: Arc<Notify>,
    release: Arc<Notify>,
}

impl StallingTokens {
    fn new(inner: Tokens, item_id: &str) -> Self {
        Self {
            inner,
            stall: tokio::sync::Mutex::new(Some(item_id.to_string())),
            stalled: Arc::default(),
            release: Arc::default(),
        }
    }
}

impl AccessTokens for StallingTokens {
    async fn access_token(&self, item_id: &str) -> Result<Option<Credential>, BoxError> {
        let stall = {
            let mut stall = self.stall.lock().await;
            match stall.as_deref() {
                Some(id) if id == item_id => stall.take(),
                _ => None,
            }
        };
        if stall.is_some() {
            self.stalled.notify_one();
            self.release.notified().await;
        }
        self.inner.access_token(item_id).await
    }
}

/// Fencing: a worker stalled past its lease, whose Item was claimed and synced by another,
/// cannot commit; its writes roll back.
async fn a_stalled_worker_cannot_commit_after_its_lease_was_taken<DB>(
    store: Store<DB>,
) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 1, 25).await?;
    let ledger = Ledger::default();
    let tokens = StallingTokens::new(plaid.tokens(), &items[0]);
    let (stalled_at, release) = (tokens.stalled.clone(), tokens.release.clone());
    let stalled = WorkerConfig {
        concurrency: 1, // or it would claim its own expired lease again
        lease: Duration::from_millis(300),
        renew_every: Some(Duration::from_secs(60)),
        ..test_config("stalled")
    };
    let a = worker(&store, &plaid, &ledger, tokens, stalled)?;
    let a_stats = a.stats();
    let task = tokio::spawn(async move { a.run_until_idle().await });
    tokio::time::timeout(Duration::from_secs(10), stalled_at.notified()).await?;
    // The stalled worker holds its lease; let the lease (300 ms) run out.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let b = worker(
        &store,
        &plaid,
        &ledger,
        plaid.tokens(),
        test_config("thief"),
    )?;
    let b_stats = drain(vec![b], Duration::from_secs(10)).await?;
    assert_eq!(b_stats[0].committed, 1);
    release.notify_one();
    tokio::time::timeout(Duration::from_secs(10), task).await??;
    let a_stats = a_stats.snapshot();
    assert_eq!(
        (a_stats.committed, a_stats.lease_lost),
        (0, 1),
        "{a_stats:?}"
    );
    let state = store.item(&items[0]).await?.ok_or("item")?;
    assert_eq!(state.passes, 1);
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

/// Webhooks that arrive while a pass runs give exactly one more pass.
async fn webhooks_during_a_pass_give_exactly_one_more<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 1, 25).await?;
    let item = &items[0];
    let tokens = StallingTokens::new(plaid.tokens(), item);
    let (stalled_at, release) = (tokens.stalled.clone(), tokens.release.clone());
    let ledger = Ledger::default();
    let w = worker(&store, &plaid, &ledger, tokens, test_config("w"))?;
    let task = tokio::spawn(async move { w.run_until_idle().await });
    tokio::time::timeout(Duration::from_secs(10), stalled_at.notified()).await?;
    let during = store.item(item).await?.ok_or("item")?;
    assert_eq!(
        during.lease_owner.as_deref(),
        Some("w"),
        "the pass is running"
    );
    plaid.update(item, 5, 1);
    for _ in 0..3 {
        webhook(&store, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", item).await?;
    }
    release.notify_one();
    let stats = tokio::time::timeout(Duration::from_secs(10), task).await??;
    assert_eq!(
        stats.committed, 2,
        "the running pass, then exactly one more: {stats:?}"
    );
    assert_eq!(store.item(item).await?.ok_or("item")?.passes, 2);
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

/// `ITEM_LOGIN_REQUIRED` on one Item: the others sync; it waits for its user, keeps the
/// reason, and resumes on `LOGIN_REPAIRED`.
async fn login_required_never_blocks_the_others<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 6, 25).await?;
    plaid.set_login_required(&items[2], true);
    let ledger = Ledger::default();
    let w = worker(&store, &plaid, &ledger, plaid.tokens(), test_config("w"))?;
    let stats = drain(vec![w], Duration::from_secs(20)).await?;
    assert_eq!((stats[0].committed, stats[0].failed), (5, 1), "{stats:?}");
    let stuck = store.item(&items[2]).await?.ok_or("item")?;
    assert_eq!(stuck.status, ItemStatus::NeedsUser);
    assert_eq!(
        stuck.needs_user_reason.as_deref(),
        Some("ITEM_LOGIN_REQUIRED")
    );
    assert_eq!(stuck.cursor, None);
    let progress = store.progress().await?;
    assert_eq!((progress.needs_user, progress.pending), (1, 0));
    // A sync webhook for it is recorded but does not resume it.
    webhook(&store, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", &items[2]).await?;
    assert_eq!(store.progress().await?.pending, 0);

    plaid.set_login_required(&items[2], false);
    let outcome = webhook(&store, "ITEM", "LOGIN_REPAIRED", &items[2]).await?;
    assert_eq!(
        outcome,
        WebhookOutcome::Resumed {
            item_id: items[2].clone()
        }
    );
    let w = worker(&store, &plaid, &ledger, plaid.tokens(), test_config("w"))?;
    let stats = drain(vec![w], Duration::from_secs(20)).await?;
    assert_eq!(stats[0].committed, 1);
    let repaired = store.item(&items[2]).await?.ok_or("item")?;
    assert_eq!(
        (repaired.status, repaired.needs_user_reason),
        (ItemStatus::Active, None)
    );
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

/// Pending → posted: the pending row goes, the posted one comes with the user's note.
async fn pending_becomes_posted_once<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 1, 10).await?;
    let pending = plaid.emulator().add_pending_transactions(&items[0], 2)?;
    let ledger = Ledger::default();
    let w = worker(&store, &plaid, &ledger, plaid.tokens(), test_config("w"))?;
    drain(vec![w], Duration::from_secs(10)).await?;
    let rows = DB::ledger_rows(store.pool()).await?;
    let pending_rows: Vec<_> = rows.iter().filter(|r| r.pending).collect();
    assert_eq!(pending_rows.len(), 2, "the two pending ones: {rows:?}");
    let lunch = pending_rows
        .iter()
        .find(|r| r.transaction_id == pending[0])
        .ok_or("the first pending row")?
        .amount;
    DB::set_note(store.pool(), &pending[0], "lunch with Sam").await?;

    let posted = plaid.emulator().post_transaction(&items[0], &pending[0])?;
    plaid.emulator().post_transaction(&items[0], &pending[1])?;
    webhook(&store, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", &items[0]).await?;
    let w = worker(&store, &plaid, &ledger, plaid.tokens(), test_config("w"))?;
    drain(vec![w], Duration::from_secs(10)).await?;
    let rows = DB::ledger_rows(store.pool()).await?;
    assert!(rows.iter().all(|r| !r.pending), "no pending rows left");
    assert_eq!(rows.len(), 12, "each posted replaces its pending one");
    let row = rows
        .iter()
        .find(|r| r.transaction_id == posted)
        .ok_or("posted row")?;
    assert_eq!(row.note.as_deref(), Some("lunch with Sam"));
    assert_eq!((row.amount, row.applications), (lunch, 1));
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

/// Unknown codes and Items are recorded no-ops; calls naming unknown Items are errors; a
/// store migrated by a newer plaid-sync is refused with a typed error.
async fn bad_input_is_an_error_or_a_recorded_no_op<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    store.add_item("known").await?;
    let unknown_code = webhook(&store, "TRANSACTIONS", "SOMETHING_NEW", "known").await?;
    assert!(matches!(unknown_code, WebhookOutcome::Ignored { .. }));
    let other_product = webhook(&store, "ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED", "known").await?;
    assert!(matches!(other_product, WebhookOutcome::Ignored { .. }));
    let unknown_item = webhook(&store, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", "ghost").await?;
    assert_eq!(
        unknown_item,
        WebhookOutcome::UnknownItem {
            item_id: "ghost".into()
        }
    );
    let log = store.webhook_log().await?;
    let outcomes: Vec<&str> = log.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["ignored", "ignored", "unknown_item"]);
    assert!(matches!(
        store.request_sync("ghost").await,
        Err(Error::UnknownItem { .. })
    ));
    assert!(matches!(
        store.reset_item("ghost").await,
        Err(Error::UnknownItem { .. })
    ));
    assert!(Webhook::from_json(b"{not json").is_err());
    let known = store.item("known").await?.ok_or("item")?;
    assert_eq!(known.requested_generation, 1, "no-ops changed nothing");

    DB::pretend_newer_schema(store.pool(), 9999).await?;
    match Store::from_pool(store.pool().clone()).await {
        Err(Error::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (9999, 1));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    Ok(())
}

/// Item webhooks: new accounts are flagged until acknowledged; pending expiration and revoked
/// permission park the Item with their reason until a reset.
async fn item_webhooks_are_recorded<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    store.add_item("a").await?;
    store.add_item("b").await?;
    let outcome = webhook(&store, "ITEM", "NEW_ACCOUNTS_AVAILABLE", "a").await?;
    assert_eq!(
        outcome,
        WebhookOutcome::NewAccountsAvailable {
            item_id: "a".into()
        }
    );
    assert!(store.item("a").await?.ok_or("a")?.new_accounts_available);
    store.acknowledge_new_accounts("a").await?;
    assert!(!store.item("a").await?.ok_or("a")?.new_accounts_available);

    let expiring = r#"{"webhook_type": "ITEM", "webhook_code": "PENDING_EXPIRATION",
        "item_id": "a", "consent_expiration_time": "2030-01-01T00:00:00Z",
        "environment": "sandbox"}"#;
    let outcome = store
        .record_webhook(&Webhook::from_json(expiring.as_bytes())?)
        .await?;
    assert!(
        matches!(outcome, WebhookOutcome::NeedsUser { ref reason, .. } if reason == "PENDING_EXPIRATION")
    );
    let revoked = webhook(&store, "ITEM", "USER_PERMISSION_REVOKED", "b").await?;
    assert!(
        matches!(revoked, WebhookOutcome::NeedsUser { ref reason, .. } if reason == "USER_PERMISSION_REVOKED")
    );
    let progress = store.progress().await?;
    assert_eq!((progress.needs_user, progress.pending), (2, 0));
    store.reset_item("a").await?;
    let a = store.item("a").await?.ok_or("a")?;
    assert_eq!(
        (a.status, a.needs_user_reason.as_deref(), a.pending()),
        (ItemStatus::Active, None, true)
    );
    let b = store.item("b").await?.ok_or("b")?;
    assert_eq!(
        b.needs_user_reason.as_deref(),
        Some("USER_PERMISSION_REVOKED")
    );
    Ok(())
}

/// A sweep marks Items not synced recently; a fresh one is left alone.
async fn the_sweep_catches_missed_webhooks<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 3, 5).await?;
    let ledger = Ledger::default();
    let w = worker(&store, &plaid, &ledger, plaid.tokens(), test_config("w"))?;
    drain(vec![w], Duration::from_secs(10)).await?;
    assert_eq!(store.sweep(Duration::from_secs(3600)).await?, 0);
    plaid.update(&items[1], 3, 0); // an update whose webhook was lost
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(store.sweep(Duration::from_millis(10)).await?, 3);
    let sweeping = WorkerConfig {
        sweep_every: Some(Duration::from_secs(60)),
        stale_after: Duration::from_secs(3600),
        ..test_config("w")
    };
    let w = worker(&store, &plaid, &ledger, plaid.tokens(), sweeping)?;
    let stats = drain(vec![w], Duration::from_secs(10)).await?;
    assert_eq!(stats[0].committed, 3);
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

/// Paced to the emulator's limits: no 429; and 429s that do arrive (pacing off) back off and
/// still end in the same state.
async fn pacing_keeps_under_the_limits_and_429s_back_off<DB>(
    store: Store<DB>,
) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    use plaid_sync::Limit;
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 8, 45).await?;
    let second = Duration::from_secs(1);
    plaid.set_limits(Some(support::SyncLimits {
        per_client: (25, second),
        per_item: (4, second),
    }));
    // A second-long window leaves 3 % of it (30 ms) of slack at the default headroom: less
    // than the jitter of loopback HTTP in a debug build on two loaded cores. 70 % absorbs
    // 500 ms per client and 1 s per Item (pacing's docs, "The delay it tolerates").
    let pacing = Pacing::unlimited()
        .per_client(Some(Limit {
            count: 25,
            period: second,
        }))
        .per_item(Some(Limit {
            count: 4,
            period: second,
        }))
        .headroom(0.7);
    let pacer = Pacer::new(pacing, store.default_sharing())?;
    assert!(pacer.tolerated_delay() >= Some(Duration::from_millis(500)));
    let ledger = Ledger::default();
    let make = |name: &str| -> Result<_, AnyError> {
        let w = Worker::new(
            store.clone(),
            client(&plaid)?,
            ledger.clone(),
            plaid.tokens(),
            pacer.clone(),
        );
        Ok(w.config(test_config(name))?)
    };
    let stats = drain(vec![make("a")?, make("b")?], Duration::from_secs(30)).await?;
    assert_eq!(plaid.counters().rate_limited, 0, "{stats:?}");
    assert_eq!(stats.iter().map(|s| s.committed).sum::<u64>(), 8);

    // Six pages for each of 8 Items at 4 per second each: 32 a second for over a second,
    // whatever the first phase left in the window.
    for item in &items {
        plaid.update(item, 60, 0);
        webhook(&store, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", item).await?;
    }
    // Per-Item pace kept, client pace off: the emulator's client limit (25 a second) answers
    // 429s.
    let careless = Pacer::new(
        Pacing::unlimited()
            .per_item(Some(Limit {
                count: 4,
                period: second,
            }))
            .headroom(1.0)
            .rate_limited_pause(Duration::from_millis(200)),
        store.default_sharing(),
    )?;
    let w = Worker::new(
        store.clone(),
        client(&plaid)?,
        ledger.clone(),
        plaid.tokens(),
        careless,
    )
    .config(test_config("careless"))?;
    let stats = drain(vec![w], Duration::from_secs(30)).await?;
    assert!(plaid.counters().rate_limited > 0);
    assert!(stats[0].rate_limited > 0, "{stats:?}");
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> Result<(), AnyError> {
                    support::init_logs();
                    let (_dir, store) = support::sqlite_store().await?;
                    super::$name(store).await
                }
            )*
        }

        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: scripts/postgres.sh"]
                async fn $name() -> Result<(), AnyError> {
                    support::init_logs();
                    let store = support::postgres_store().await?;
                    super::$name(store).await
                }
            )*
        }
    };
}

on_both_stores!(
    two_workers_and_repeated_webhooks,
    faults_leave_the_same_end_state,
    a_killed_worker_is_finished_by_another,
    a_stalled_worker_cannot_commit_after_its_lease_was_taken,
    webhooks_during_a_pass_give_exactly_one_more,
    login_required_never_blocks_the_others,
    pending_becomes_posted_once,
    bad_input_is_an_error_or_a_recorded_no_op,
    item_webhooks_are_recorded,
    the_sweep_catches_missed_webhooks,
    pacing_keeps_under_the_limits_and_429s_back_off,
);
