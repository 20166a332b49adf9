//! [`Worker`]: the loop that claims due Items, sweeps for missed webhooks, and runs the passes
//! as tasks (see [`super::pass`]), up to its concurrency.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::{ApplyMode, Stats, WorkerConfig, WorkerStats};
use crate::backend::{Backend, Claim};
use crate::error::{Error, Result};
use crate::handler::{AccessTokens, SyncHandler};
use crate::pacing::{micros, Pacer};
use crate::plaid::PlaidClient;
use crate::records::PassOutcome;
use crate::store::Store;

/// How often a worker refreshes the Item gauges (feature `metrics`).
const REPORT_EVERY: Duration = Duration::from_secs(1);

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
/// let client = PlaidClient::builder_from_env()?.retry_policy(SyncRetryPolicy).build()?;
/// let store = Store::open("sync.db").await?;
/// let pacer = Pacer::new(Pacing::documented(client.environment()), store.default_sharing())?;
/// let tokens: HashMap<String, Credential> = HashMap::new(); // your vault
/// let worker = Worker::new(store, client, Ledger, tokens, pacer);
/// worker.run(tokio::signal::ctrl_c()).await;
/// # Ok(())
/// # }
/// ```
pub struct Worker<DB: Backend, H, T> {
    pub(super) store: Store<DB>,
    pub(super) client: PlaidClient,
    pub(super) handler: Arc<H>,
    pub(super) tokens: Arc<T>,
    pub(super) pacer: Pacer,
    pub(super) config: Arc<WorkerConfig>,
    pub(super) stats: Arc<WorkerStats>,
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
        let mut last_report: Option<tokio::time::Instant> = None;
        loop {
            self.maybe_sweep(&mut last_sweep).await;
            self.maybe_report(&mut last_report).await;
            let free = self.concurrency().saturating_sub(in_flight.len());
            let claimed = self.claim(free).await;
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

    /// Passes at once: the configured concurrency, but one for streaming passes on a
    /// single-writer store (SQLite), whose write lock such a pass holds from its first page to
    /// its commit: more would only wait for it with their leases running out, holding pooled
    /// connections.
    fn concurrency(&self) -> usize {
        if DB::SINGLE_WRITER && self.config.apply == ApplyMode::Streaming {
            return 1;
        }
        self.config.concurrency
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

    /// With the feature `metrics`: the Item gauges, once a second (see [`crate::metrics`]).
    async fn maybe_report(&self, last: &mut Option<tokio::time::Instant>) {
        if !cfg!(feature = "metrics") || last.is_some_and(|t| t.elapsed() < REPORT_EVERY) {
            return;
        }
        *last = Some(tokio::time::Instant::now());
        if let Err(e) = self.store.progress().await {
            tracing::warn!(error = %e, "progress query for the metrics failed");
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
}
