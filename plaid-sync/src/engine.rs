//! [`Worker`]: claims due Items under a lease, runs their passes (paced), applies the pages
//! through the application's [`SyncHandler`] and commits the cursor in the same transaction,
//! fenced by the lease.
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

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::StreamExt;
use sqlx::Transaction;
use tokio::task::JoinSet;

use crate::backend::{Backend, Claim};
use crate::error::{BoxError, Error, Result};
use crate::handler::{AccessTokens, SyncHandler};
use crate::pacing::{micros, ItemPace, Pacer};
use crate::plaid::{self, backoff_delay, Failure, PlaidClient, PlaidError, Step, SyncPage};
use crate::store::Store;

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
    /// The first backoff after a failed pass; doubled per failure (default 1 s).
    pub backoff_base: Duration,
    /// The longest backoff (default 10 min).
    pub backoff_max: Duration,
    /// Run [`Store::sweep`] this often (default every 10 min; `None`: never).
    pub sweep_every: Option<Duration>,
    /// An Item not synced for this long is swept (default 24 h).
    pub stale_after: Duration,
    /// How often a running pass renews its lease (`None`: every third of the lease).
    pub renew_every: Option<Duration>,
    /// When pages reach the handler (default [`ApplyMode::Buffered`]).
    pub apply: ApplyMode,
}

/// When the pages of a pass reach the [`SyncHandler`]. Either way they are applied in one
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
    /// connection stay open for the whole pass: on SQLite it holds the write lock meanwhile.
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
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(600),
            sweep_every: Some(Duration::from_secs(600)),
            stale_after: Duration::from_secs(24 * 3600),
            renew_every: None,
            apply: ApplyMode::Buffered,
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PassOutcome {
    /// The pages and the cursor were committed together.
    Committed {
        /// Pages applied.
        pages: u64,
        /// Transactions in `added`, `modified`, `removed` of the committed pass.
        transactions: u64,
    },
    /// Plaid has no data for the Item yet: nothing stored; the next webhook brings it.
    NotReady,
    /// The pass failed and was rolled back; the Item is retried after a backoff, or waits
    /// for its user.
    Failed {
        /// What failed (never contains a token).
        error: String,
        /// The Item now needs its user.
        needs_user: bool,
        /// Plaid answered 429.
        rate_limited: bool,
    },
    /// Another worker holds the Item now: everything was rolled back.
    LeaseLost,
}

/// Counters of one worker since it started.
#[derive(Debug, Default)]
pub struct WorkerStats {
    committed: AtomicU64,
    failed: AtomicU64,
    not_ready: AtomicU64,
    lease_lost: AtomicU64,
    restarts: AtomicU64,
    pages: AtomicU64,
    transactions: AtomicU64,
    rate_limited: AtomicU64,
}

/// A snapshot of [`WorkerStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Passes committed.
    pub committed: u64,
    /// Passes failed (rolled back).
    pub failed: u64,
    /// Passes that found no data yet.
    pub not_ready: u64,
    /// Passes rolled back because the lease was lost.
    pub lease_lost: u64,
    /// Mutation restarts (`TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`).
    pub restarts: u64,
    /// Pages applied in committed passes.
    pub pages: u64,
    /// Transactions (added + modified + removed) in committed passes.
    pub transactions: u64,
    /// 429 answers received.
    pub rate_limited: u64,
}

impl WorkerStats {
    /// The counters now.
    pub fn snapshot(&self) -> Stats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            committed: get(&self.committed),
            failed: get(&self.failed),
            not_ready: get(&self.not_ready),
            lease_lost: get(&self.lease_lost),
            restarts: get(&self.restarts),
            pages: get(&self.pages),
            transactions: get(&self.transactions),
            rate_limited: get(&self.rate_limited),
        }
    }

    fn count(&self, outcome: &PassOutcome) {
        let add = |a: &AtomicU64, n: u64| a.fetch_add(n, Ordering::Relaxed);
        match outcome {
            PassOutcome::Committed {
                pages,
                transactions,
            } => {
                add(&self.committed, 1);
                add(&self.pages, *pages);
                add(&self.transactions, *transactions);
            }
            PassOutcome::NotReady => {
                add(&self.not_ready, 1);
            }
            PassOutcome::Failed { rate_limited, .. } => {
                add(&self.failed, 1);
                add(&self.rate_limited, u64::from(*rate_limited));
            }
            PassOutcome::LeaseLost => {
                add(&self.lease_lost, 1);
            }
        }
    }
}

/// A sync worker. Run several (tasks or processes) on one store; each Item is synced by one
/// worker at a time.
///
/// ```no_run
/// use std::collections::HashMap;
/// use plaid_sync::{plaid::{PlaidClient, SyncRetryPolicy}, Pacer, Pacing, Credential, Store, Worker};
/// # use plaid_sync::{plaid::SyncPage, BoxError, SyncHandler};
/// # struct Ledger;
/// # impl SyncHandler<sqlx::Sqlite> for Ledger {
/// #     async fn apply(&self, _: &mut sqlx::SqliteConnection, _: &str, _: &SyncPage)
/// #         -> Result<(), BoxError> { Ok(()) }
/// # }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = PlaidClient::builder_from_env()?.retry_policy(SyncRetryPolicy::default()).build()?;
/// let store = Store::open("sync.db").await?;
/// let pacer = Pacer::new(Pacing::documented(client.environment()), store.default_sharing())?;
/// let tokens: HashMap<String, Credential> = HashMap::new(); // your vault
/// let worker = Worker::new(store, client, Ledger, tokens, pacer);
/// worker.run(tokio::signal::ctrl_c()).await;
/// # Ok(())
/// # }
/// ```
pub struct Worker<DB: Backend, H, T> {
    store: Store<DB>,
    client: PlaidClient,
    handler: Arc<H>,
    tokens: Arc<T>,
    pacer: Pacer,
    config: Arc<WorkerConfig>,
    stats: Arc<WorkerStats>,
}

/// A handle on the same worker (its passes run as tasks holding one).
impl<DB: Backend, H, T> Clone for Worker<DB, H, T> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            client: self.client.clone(),
            handler: self.handler.clone(),
            tokens: self.tokens.clone(),
            pacer: self.pacer.clone(),
            config: self.config.clone(),
            stats: self.stats.clone(),
        }
    }
}

impl<DB: Backend, H, T> std::fmt::Debug for Worker<DB, H, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("config", &self.config)
            .field("stats", &self.stats.snapshot())
            .finish_non_exhaustive()
    }
}

impl<DB, H, T> Worker<DB, H, T>
where
    DB: Backend,
    H: SyncHandler<DB>,
    T: AccessTokens,
    Self: Clone,
{
    /// A worker with the default [`WorkerConfig`].
    pub fn new(store: Store<DB>, client: PlaidClient, handler: H, tokens: T, pacer: Pacer) -> Self {
        Self::shared(store, client, Arc::new(handler), Arc::new(tokens), pacer)
    }

    /// Like [`Worker::new`], sharing a handler and a token source with other workers.
    pub fn shared(
        store: Store<DB>,
        client: PlaidClient,
        handler: Arc<H>,
        tokens: Arc<T>,
        pacer: Pacer,
    ) -> Self {
        Self {
            store,
            client,
            handler,
            tokens,
            pacer,
            config: Arc::new(WorkerConfig::default()),
            stats: Arc::new(WorkerStats::default()),
        }
    }

    /// Use `config`.
    pub fn config(mut self, config: WorkerConfig) -> Result<Self> {
        if config.concurrency == 0 || config.lease < Duration::from_millis(30) {
            return Err(Error::Config(
                "a worker needs concurrency >= 1 and a lease of at least 30 ms".into(),
            ));
        }
        self.config = Arc::new(config);
        Ok(self)
    }

    /// This worker's counters (shared: keep it to watch a running worker).
    pub fn stats(&self) -> Arc<WorkerStats> {
        self.stats.clone()
    }

    /// Sync due Items until `shutdown` completes, then finish the passes in flight.
    pub async fn run(&self, shutdown: impl Future) -> Stats {
        self.run_loop(shutdown, false).await
    }

    /// Sync until no Item is due (Items waiting for their user do not count), then return.
    pub async fn run_until_idle(&self) -> Stats {
        self.run_loop(std::future::pending::<()>(), true).await
    }

    async fn run_loop(&self, shutdown: impl Future, stop_when_idle: bool) -> Stats {
        let mut shutdown = pin!(shutdown);
        // Passes run as tasks, so a claim or a sweep waiting on the database never stops a
        // pass from reaching its commit. Dropping the set (a killed worker) aborts them.
        let mut in_flight = JoinSet::new();
        let mut last_sweep: Option<tokio::time::Instant> = None;
        loop {
            self.maybe_sweep(&mut last_sweep).await;
            let claimed = self.claim(self.config.concurrency - in_flight.len()).await;
            let claimed_any = !claimed.is_empty();
            for claim in claimed {
                let worker = self.clone();
                in_flight.spawn(async move { worker.run_pass(claim).await });
            }
            if in_flight.is_empty() && !claimed_any && stop_when_idle && self.idle().await {
                break;
            }
            let poll = tokio::time::sleep(self.config.idle_poll);
            tokio::select! {
                _ = &mut shutdown => break,
                Some(done) = in_flight.join_next() => self.finished(done),
                _ = poll => {}
            }
        }
        while let Some(done) = in_flight.join_next().await {
            self.finished(done);
        }
        self.stats.snapshot()
    }

    fn finished(&self, done: Result<PassOutcome, tokio::task::JoinError>) {
        match done {
            Ok(outcome) => self.stats.count(&outcome),
            Err(e) => tracing::error!(error = %e, "a pass task panicked or was cancelled"),
        }
    }

    async fn idle(&self) -> bool {
        match self.store.progress().await {
            Ok(p) => p.pending == 0,
            Err(e) => {
                tracing::warn!(error = %e, "progress query failed");
                false
            }
        }
    }

    async fn maybe_sweep(&self, last: &mut Option<tokio::time::Instant>) {
        let Some(every) = self.config.sweep_every else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        *last = Some(tokio::time::Instant::now());
        match self.store.sweep(self.config.stale_after).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(items = n, "sweep: Items not synced recently are due"),
            Err(e) => tracing::warn!(error = %e, "sweep failed"),
        }
    }

    async fn claim(&self, free: usize) -> Vec<Claim> {
        if free == 0 {
            return Vec::new();
        }
        let lease = micros(self.config.lease);
        let limit = i64::try_from(free).unwrap_or(i64::MAX);
        match DB::claim(self.store.pool(), &self.config.owner, lease, limit).await {
            Ok(claims) => claims,
            Err(e) => {
                tracing::warn!(error = %e, "claim failed; retrying");
                Vec::new()
            }
        }
    }

    /// One pass with its lease renewal beside it; store errors end it as a failure.
    async fn run_pass(&self, claim: Claim) -> PassOutcome {
        let lost = AtomicBool::new(false);
        let outcome = tokio::select! {
            biased;
            outcome = self.pass(&claim, &lost) => outcome,
            never = self.renew_lease(&claim, &lost) => match never {},
        };
        match outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(item_id = %claim.item_id, error = %e, "pass failed in the store");
                self.failed(&claim, e.to_string())
                    .await
                    .unwrap_or(PassOutcome::LeaseLost)
            }
        }
    }

    /// Renew the lease every third of it; flag it lost if another worker took the Item.
    async fn renew_lease(&self, claim: &Claim, lost: &AtomicBool) -> std::convert::Infallible {
        let lease = micros(self.config.lease);
        let every = self.config.renew_every.unwrap_or(self.config.lease / 3);
        loop {
            tokio::time::sleep(every).await;
            match DB::renew(self.store.pool(), claim, lease).await {
                Ok(0) => lost.store(true, Ordering::SeqCst),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(item_id = %claim.item_id, error = %e, "lease renewal failed")
                }
            }
        }
    }

    /// Fetch, apply and commit one pass of `claim`'s Item.
    async fn pass(&self, claim: &Claim, lost: &AtomicBool) -> Result<PassOutcome> {
        let token = match self.tokens.access_token(&claim.item_id).await {
            Ok(Some(token)) => token,
            Ok(None) => {
                return self
                    .failed(claim, "no access token for this Item".into())
                    .await
            }
            Err(e) => {
                return self
                    .failed(claim, format!("access token source: {e}"))
                    .await
            }
        };
        let pool = self.store.pool();
        let mut pace = self.pacer.item_pace();
        let mut pages = plaid::sync_pages(
            &self.client,
            token.expose(),
            claim.cursor.clone(),
            self.config.page_size,
        );
        let mut sink = Sink::new(self.config.apply);
        let mut request_next = true;
        loop {
            if lost.load(Ordering::SeqCst) {
                return Ok(PassOutcome::LeaseLost);
            }
            if request_next {
                pace.ready().await;
                self.pacer.client_permit(pool).await?;
                pace.sent();
            }
            match pages.next().await {
                Some(Ok(Step::Page(page))) => {
                    request_next = plaid::more_pages(&page);
                    if let Err(e) = self.take_page(&mut sink, claim, page).await? {
                        drop(sink);
                        return self.failed(claim, format!("handler: {e}")).await;
                    }
                }
                Some(Ok(Step::Restarted { .. })) => {
                    sink.restart().await?;
                    request_next = true;
                    self.stats.restarts.fetch_add(1, Ordering::Relaxed);
                }
                Some(Ok(Step::NotReady(_))) => {
                    drop(sink);
                    let delay = micros(pace.next_pass_delay());
                    return Ok(match DB::release_not_ready(pool, claim, delay).await? {
                        0 => PassOutcome::LeaseLost,
                        _ => PassOutcome::NotReady,
                    });
                }
                Some(Ok(Step::Complete { cursor, .. })) => {
                    return self.commit(claim, sink, &cursor, &pace, lost).await;
                }
                Some(Err(e)) => {
                    drop(sink);
                    return self.plaid_failed(claim, &e, &pace).await;
                }
                None => {
                    drop(sink);
                    return self
                        .failed(claim, "the sync stream ended early".into())
                        .await;
                }
            }
        }
    }

    /// Hand a page to the sink: buffered, or applied at once in the pass's transaction.
    async fn take_page(
        &self,
        sink: &mut Sink<DB>,
        claim: &Claim,
        page: SyncPage,
    ) -> Result<Result<(), BoxError>> {
        sink.applied.add(&page);
        let tx = match &mut sink.pages {
            Pages::Buffered(buffer) => {
                buffer.push(page);
                return Ok(Ok(()));
            }
            Pages::Streaming(tx) => tx,
        };
        let conn = match tx {
            Some(tx) => tx,
            None => tx.insert(DB::begin_pass(self.store.pool()).await?),
        };
        Ok(self.handler.apply(conn, &claim.item_id, &page).await)
    }

    /// Commit the pass: the cursor with the application's rows, if the lease is still ours.
    async fn commit(
        &self,
        claim: &Claim,
        sink: Sink<DB>,
        cursor: &str,
        pace: &ItemPace,
        lost: &AtomicBool,
    ) -> Result<PassOutcome> {
        let applied = sink.applied;
        let mut tx = match sink.pages {
            Pages::Streaming(Some(tx)) => tx,
            Pages::Streaming(None) => DB::begin_pass(self.store.pool()).await?,
            Pages::Buffered(buffer) => {
                let mut tx = DB::begin_pass(self.store.pool()).await?;
                for page in &buffer {
                    if let Err(e) = self.handler.apply(&mut tx, &claim.item_id, page).await {
                        drop(tx);
                        return self.failed(claim, format!("handler: {e}")).await;
                    }
                }
                tx
            }
        };
        if lost.load(Ordering::SeqCst) {
            return Ok(PassOutcome::LeaseLost);
        }
        let delay = micros(pace.next_pass_delay());
        if DB::commit_cursor(&mut tx, claim, cursor, delay).await? == 0 {
            tx.rollback().await?;
            tracing::warn!(item_id = %claim.item_id, "lease lost before commit; rolled back");
            return Ok(PassOutcome::LeaseLost);
        }
        tx.commit().await?;
        Ok(PassOutcome::Committed {
            pages: applied.pages,
            transactions: applied.transactions,
        })
    }

    async fn plaid_failed(
        &self,
        claim: &Claim,
        error: &PlaidError,
        pace: &ItemPace,
    ) -> Result<PassOutcome> {
        let message = error.to_string();
        match plaid::failure(error) {
            Failure::RateLimited { retry_after } => {
                self.pacer.rate_limited(self.store.pool()).await?;
                let backoff = pace.rate_limited(retry_after);
                self.release(claim, message, None, backoff, true).await
            }
            Failure::NeedsUser { reason } => {
                self.release(claim, message, Some(reason), Duration::ZERO, false)
                    .await
            }
            Failure::Other => self.failed(claim, message).await,
        }
    }

    async fn failed(&self, claim: &Claim, error: String) -> Result<PassOutcome> {
        let backoff = self.backoff(claim.failures);
        self.release(claim, error, None, backoff, false).await
    }

    async fn release(
        &self,
        claim: &Claim,
        error: String,
        needs_user: Option<String>,
        backoff: Duration,
        rate_limited: bool,
    ) -> Result<PassOutcome> {
        let pool = self.store.pool();
        let user = needs_user.as_deref();
        let rows = DB::release_failed(pool, claim, &error, micros(backoff), user).await?;
        if rows == 0 {
            return Ok(PassOutcome::LeaseLost);
        }
        tracing::warn!(item_id = %claim.item_id, error = %error, ?backoff, "pass rolled back");
        Ok(PassOutcome::Failed {
            error,
            needs_user: needs_user.is_some(),
            rate_limited,
        })
    }

    /// Exponential backoff with jitter (between half and all of the ceiling).
    fn backoff(&self, failures: i32) -> Duration {
        let exp = u32::try_from(failures.clamp(0, 20)).unwrap_or(0);
        backoff_delay(self.config.backoff_base, self.config.backoff_max, exp, 0.5)
    }
}

/// Where the pages of the current pass go, and what they held.
struct Sink<DB: Backend> {
    pages: Pages<DB>,
    applied: Applied,
}

enum Pages<DB: Backend> {
    Buffered(Vec<SyncPage>),
    Streaming(Option<Transaction<'static, DB>>),
}

impl<DB: Backend> Sink<DB> {
    fn new(mode: ApplyMode) -> Self {
        let pages = match mode {
            ApplyMode::Buffered => Pages::Buffered(Vec::new()),
            ApplyMode::Streaming => Pages::Streaming(None),
        };
        Self {
            pages,
            applied: Applied::default(),
        }
    }

    /// A mutation restart: forget (or roll back) every page of the interrupted pass.
    async fn restart(&mut self) -> Result<()> {
        self.applied = Applied::default();
        match &mut self.pages {
            Pages::Buffered(buffer) => buffer.clear(),
            Pages::Streaming(tx) => {
                if let Some(tx) = tx.take() {
                    tx.rollback().await?;
                }
            }
        }
        Ok(())
    }
}

/// What the pages of the current pass held.
#[derive(Debug, Default, Clone, Copy)]
struct Applied {
    pages: u64,
    transactions: u64,
}

impl Applied {
    fn add(&mut self, page: &SyncPage) {
        self.pages += 1;
        let n = page.added.len() + page.modified.len() + page.removed.len();
        self.transactions += n as u64;
    }
}
