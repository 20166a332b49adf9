//! Shared by the tests, the `sync_service` example and the benchmark (included by path, so
//! there is one emulated Plaid and one example handler): the emulator, the ledger handler, and helpers
//! that open real stores.
#![allow(dead_code, unused_imports)]

pub mod emulated_plaid;
pub mod ledger;
pub mod scenario;

use std::time::Duration;

use plaid_sync::plaid::{Environment, PlaidClient, SyncRetryPolicy};
use plaid_sync::sqlx::{Postgres, Sqlite};
use plaid_sync::{Store, WorkerConfig};

pub use emulated_plaid::{EmulatedPlaid, Faults, SyncLimits};
pub use ledger::{Halt, Ledger, LedgerDb};

pub type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Log warnings to the test output (`cargo test -- --nocapture` shows them).
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_test_writer()
        .try_init();
}

/// A client for the emulator: no retries of its own (the engine retries, paced).
pub fn client(plaid: &EmulatedPlaid) -> Result<PlaidClient, AnyError> {
    client_at(&plaid.url)
}

/// [`client`] for an emulator at `url` (in another process).
pub fn client_at(url: &str) -> Result<PlaidClient, AnyError> {
    client_with_timeout(url, Duration::from_secs(10))
}

/// [`client_at`] giving up on a request after `timeout`.
pub fn client_with_timeout(url: &str, timeout: Duration) -> Result<PlaidClient, AnyError> {
    Ok(
        PlaidClient::builder(Environment::Custom(url.to_string()), "client-id", "secret")
            .retry_policy(SyncRetryPolicy)
            .request_timeout(timeout)
            .build()?,
    )
}

/// The number in the environment variable `name`, or `default` when it is unset or not a number.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A SQLite store in a fresh temporary directory (kept alive by the returned guard).
pub async fn sqlite_store() -> Result<(tempfile::TempDir, Store<Sqlite>), AnyError> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("sync.db")).await?;
    Sqlite::create_ledger(store.pool()).await?;
    Ok((dir, store))
}

/// The URL of the PostgreSQL cluster for tests (`scripts/postgres.sh` prints it).
pub fn postgres_url() -> Option<String> {
    std::env::var("PLAID_SYNC_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh database on the test cluster, so tests never share state.
pub async fn postgres_store() -> Result<Store<Postgres>, AnyError> {
    let url =
        postgres_url().ok_or("PLAID_SYNC_POSTGRES_URL is not set: run scripts/postgres.sh")?;
    fresh_postgres_store(&url).await
}

/// A fresh database (named `plaid_sync_<uuid>`) on the server at `url`, with the ledger.
pub async fn fresh_postgres_store(url: &str) -> Result<Store<Postgres>, AnyError> {
    let name = format!("plaid_sync_{}", uuid::Uuid::new_v4().simple());
    let admin = plaid_sync::sqlx::PgPool::connect(url).await?;
    plaid_sync::sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    admin.close().await;
    let store = Store::connect(&database_url(url, &name)).await?;
    Postgres::create_ledger(store.pool()).await?;
    Ok(store)
}

/// `url` with its database name replaced by `name`.
pub fn database_url(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host = path_start.map_or(base, |i| &base[..i]);
    match query {
        Some(q) => format!("{host}/{name}?{q}"),
        None => format!("{host}/{name}"),
    }
}

/// Worker settings for tests: short leases and backoffs, small pages.
pub fn test_config(owner: &str) -> WorkerConfig {
    WorkerConfig {
        owner: owner.to_string(),
        lease: Duration::from_millis(800),
        concurrency: 8,
        page_size: 10,
        idle_poll: Duration::from_millis(20),
        page_retry_delay: Duration::from_millis(5),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        sweep_every: None,
        ..WorkerConfig::default()
    }
}
