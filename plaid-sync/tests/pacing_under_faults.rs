//! Issue 24: every request that reaches Plaid holds a pacing permit, retries included. Against
//! the emulator that enforces Plaid's limits, with 10 % HTTP 500s and requests answered past the
//! client's timeout (served, so counted against the limit, but lost to us): no 429, and the
//! end state equals the emulator's (nothing lost, nothing doubled).

mod support;

use std::time::Duration;

use plaid_sync::sqlx::Sqlite;
use plaid_sync::{Limit, Pacer, Pacing, Store, SyncHandler, Worker};
use support::scenario::{add_items, assert_end_state, drain};
use support::{test_config, AnyError, EmulatedPlaid, Faults, Ledger, LedgerDb, SyncLimits};

const ITEMS: usize = 16;
const HISTORY: usize = 60;

async fn retries_are_paced<DB>(store: Store<DB>) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, ITEMS, HISTORY).await?;
    // Windows of 2 s, 30 times shorter than Plaid's minute, shrink the jitter the pacer absorbs
    // 30 times too (pacing's docs, "The delay it tolerates"): at 80 % the slack is 526 ms per
    // client and 667 ms per Item, what a debug build on two loaded cores needs between a
    // permit and the emulator counting the request. The slowed requests are counted when they
    // arrive, as Plaid counts them, so their 1 s delay is not jitter.
    let window = Duration::from_secs(2);
    let headroom = 0.8;
    plaid.set_limits(Some(SyncLimits {
        per_client: (50, window),
        per_item: (8, window),
    }));
    plaid.set_faults(Faults {
        server_error_every: 10,
        slow_every: 3,
        slow_by: Duration::from_millis(1_000),
        ..Faults::default()
    });
    let pacing = Pacing::unlimited()
        .per_client(Some(Limit {
            count: 50,
            period: window,
        }))
        .per_item(Some(Limit {
            count: 8,
            period: window,
        }))
        .headroom(headroom);
    let pacer = Pacer::new(pacing, store.default_sharing())?;
    assert!(pacer.tolerated_delay() >= Some(Duration::from_millis(500)));
    let ledger = Ledger::default();
    let make = |name: &str| -> Result<_, AnyError> {
        let client = support::client_with_timeout(&plaid.url, Duration::from_millis(300))?;
        let tokens = plaid.tokens();
        let w = Worker::new(store.clone(), client, ledger.clone(), tokens, pacer.clone());
        Ok(w.config(test_config(name))?)
    };
    let stats = drain(vec![make("a")?, make("b")?], Duration::from_secs(60)).await?;
    let counters = plaid.counters();
    assert!(
        counters.server_errors > 0 && counters.slowed > 0,
        "{counters:?}"
    );
    assert_eq!(counters.rate_limited, 0, "{counters:?} {stats:?}");
    assert_eq!(
        stats.iter().map(|s| s.committed).sum::<u64>(),
        ITEMS as u64,
        "{stats:?}"
    );
    let rows = assert_end_state(&store, &plaid, &items).await?;
    assert_eq!(rows, ITEMS * HISTORY);
    // Every entry of every history (added, modified, removed) applied once, none twice.
    let applied: u64 = stats.iter().map(|s| s.transactions).sum();
    let entries: usize = items.iter().map(|i| plaid.changes(i)).sum();
    assert_eq!(applied, entries as u64, "each entry applied once");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_retries_are_paced() -> Result<(), AnyError> {
    support::init_logs();
    let (_dir, store) = support::sqlite_store().await?;
    retries_are_paced::<Sqlite>(store).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/postgres.sh"]
async fn postgres_retries_are_paced() -> Result<(), AnyError> {
    support::init_logs();
    let store = support::postgres_store().await?;
    retries_are_paced(store).await
}
