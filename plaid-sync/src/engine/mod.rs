//! [`Worker`]: claims due Items under a lease, runs their passes (paced), applies the pages
//! through the application's [`SyncHandler`](crate::SyncHandler) and commits the cursor in the
//! same transaction, fenced by the lease.
//!
//! - [`worker`]: the worker and its loop (claims, sweeps, passes in flight as tasks).
//! - [`pass`]: one Item's pass (fetch, apply, commit or release), with its lease renewal.
//! - [`stats`]: what the passes of a worker did, as counters.
//!
//! # Leases and fencing
//!
//! A claim sets the Item's `lease_owner`, moves `lease_expires` a lease ahead, and increments
//! its `lease_token` (on PostgreSQL in one `UPDATE … WHERE item_id IN (SELECT … FOR UPDATE
//! SKIP LOCKED)`, so two workers never claim one Item; on SQLite the same statement runs under
//! the database's single writer). While a pass runs, its lease is renewed every third of the
//! lease. The pass commits its cursor with `UPDATE … WHERE lease_token = <its token>` in the
//! transaction that holds the application's rows: a worker whose lease expired and was claimed
//! by another (a long pause, a partition) matches no row, rolls back, and counts a lost lease.
//! A worker that dies holds its lease until it expires; then another claims the Item and starts
//! from the last committed cursor.
//!
//! # Dedup of pending work
//!
//! Each webhook, sweep or reset increments the Item's `requested_generation`; a claim records
//! the generation it covers; the commit sets `synced_generation` to it. Three webhooks before a
//! pass give one pass; any number during a pass give exactly one more.

mod fetch;
mod pass;
mod stats;
mod worker;

use std::time::Duration;

pub use stats::{Stats, WorkerStats};
pub use worker::Worker;

/// How a worker runs. Build with [`WorkerConfig::default`] and adjust the fields.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// This worker's name in `lease_owner` (default `worker-<uuid>`).
    pub owner: String,
    /// How long a claim lasts without renewal (default 30 s). A dead worker's Items wait this
    /// long before another worker resumes them.
    pub lease: Duration,
    /// Items synced at once by this worker (default 16).
    pub concurrency: usize,
    /// Entries per `/transactions/sync` page (default 500, Plaid's maximum).
    pub page_size: i64,
    /// How often an idle worker looks for due Items (default 500 ms).
    pub idle_poll: Duration,
    /// Retries of a page request after a transient failure (5xx, timeout, dropped
    /// connection), each one paced like any request (default 3; see
    /// [`SyncRetryPolicy`](crate::plaid::SyncRetryPolicy)). Past them the pass fails.
    pub page_retries: u32,
    /// The first backoff before a page retry; doubled per retry up to `backoff_max`
    /// (default 250 ms).
    pub page_retry_delay: Duration,
    /// The first backoff after a failed pass; doubled per failure (default 1 s).
    pub backoff_base: Duration,
    /// The longest backoff (default 10 min).
    pub backoff_max: Duration,
    /// Run [`crate::Store::sweep`] this often (default every 10 min; `None`: never).
    pub sweep_every: Option<Duration>,
    /// An Item not synced for this long is swept (default 24 h).
    pub stale_after: Duration,
    /// How often a running pass renews its lease (`None`: every third of the lease).
    pub renew_every: Option<Duration>,
    /// When pages reach the handler (default [`ApplyMode::Buffered`]).
    pub apply: ApplyMode,
}

/// When the pages of a pass reach the [`SyncHandler`](crate::SyncHandler). Either way they are applied in one
/// database transaction with the cursor, and a restart or failure leaves nothing behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyMode {
    /// Fetch the whole pass first (a restart just empties the buffer), then open the
    /// transaction, apply every page and commit. No transaction stays open across network
    /// calls or pacing waits, which matters on SQLite (one writer) and for the size of a
    /// PostgreSQL pool. Memory grows with the update.
    Buffered,
    /// Open the transaction at the first page and apply pages as they arrive (memory of one
    /// page); a restart rolls the transaction back and opens another. The transaction and its
    /// connection stay open for the whole pass, paced requests included. On SQLite, whose one
    /// writer serializes such passes anyway, a streaming worker runs one pass at a time
    /// (whatever its `concurrency`), and of several workers on one [`crate::Store`] one pass
    /// holds a transaction at a time while the others wait without a pooled connection; so
    /// claims, lease renewals and webhooks always find a connection in the pool (of 8), and
    /// no claimed Item waits behind the lock while its lease runs out.
    Streaming,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            owner: format!("worker-{}", uuid::Uuid::new_v4()),
            lease: Duration::from_secs(30),
            concurrency: 16,
            page_size: 500,
            idle_poll: Duration::from_millis(500),
            page_retries: 3,
            page_retry_delay: Duration::from_millis(250),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(600),
            sweep_every: Some(Duration::from_secs(600)),
            stale_after: Duration::from_secs(24 * 3600),
            renew_every: None,
            apply: ApplyMode::Buffered,
        }
    }
}
