//! The SQL of each store: one sealed trait of statements (`sealed::Sealed`, the supertrait of
//! the public marker [`Backend`]), implemented for SQLite and PostgreSQL by one macro, so both
//! run the same statements and differ only where their SQL does (the clock,
//! `FOR UPDATE SKIP LOCKED`, `GREATEST`, how a pass's transaction begins).
//!
//! Every statement is a runtime `sqlx::query` with binds: building the crate needs no database.
//! Times are microseconds since the Unix epoch, read from the database's clock, so every worker
//! of a fleet judges leases and pacing by one clock (the coordinator's).
//!
//! Why one file of ~600 lines: the two stores' statements are one `backend!` macro, and reading
//! them beside each other is the point (they must stay the same statements).

use std::future::Future;

use sqlx::migrate::Migrator;
use sqlx::{Pool, Postgres, Row, Sqlite, Transaction};

use crate::error::Result;
use crate::records::{ItemState, ItemStatus, Progress, WebhookLogEntry};

pub(crate) use sealed::Claim;

/// A database plaid-sync can store its state in: [`sqlx::Sqlite`] or [`sqlx::Postgres`].
///
/// Sealed: its statements are the crate's own (applications use [`crate::Store`]), and no
/// other database can implement it.
pub trait Backend: sqlx::Database + sealed::Sealed {
    /// Whether the database has a single writer (SQLite): pacing then stays in process.
    const SINGLE_WRITER: bool;
}

/// The engine's statements. The trait and [`Claim`] are `pub` only because [`Backend`] names
/// the trait as its supertrait; this module is private, so neither is nameable outside the
/// crate, and `Claim`'s fields are crate-private.
mod sealed {
    use super::*;

    /// A claimed Item: what the worker that holds the lease needs for one pass.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Claim {
        /// The Item.
        pub(crate) item_id: String,
        /// The last committed cursor (`None`: never synced, fetch the whole history).
        pub(crate) cursor: Option<String>,
        /// The fencing token of this claim: the commit succeeds only while it is the Item's.
        pub(crate) lease_token: i64,
        /// The pending-work generation this pass covers.
        pub(crate) generation: i64,
        /// Failed passes since the last success (for the backoff of the next failure).
        pub(crate) failures: i32,
    }

    /// One method per statement of the engine, implemented by `backend!` for each database.
    pub trait Sealed: sqlx::Database {
        /// The migrations shipped for this database.
        fn migrator() -> &'static Migrator;
        /// Apply the shipped migrations not applied yet.
        fn run_migrations(pool: &Pool<Self>) -> impl Future<Output = Result<()>> + Send;
        /// The newest migration version applied to the database (`None`: never migrated).
        fn newest_applied(pool: &Pool<Self>) -> impl Future<Output = Result<Option<i64>>> + Send;
        /// Open the transaction of a pass (on SQLite with the write lock taken at once).
        fn begin_pass(
            pool: &Pool<Self>,
        ) -> impl Future<Output = Result<Transaction<'static, Self>>> + Send;
        /// Insert an Item, due at once; whether it was new.
        fn add_item(pool: &Pool<Self>, item_id: &str) -> impl Future<Output = Result<bool>> + Send;
        /// Ask for one more pass of an Item; its status (`None`: unknown Item).
        fn request_sync(
            pool: &Pool<Self>,
            item_id: &str,
        ) -> impl Future<Output = Result<Option<ItemStatus>>> + Send;
        /// Park an Item until its user acts, with the reason; rows changed.
        fn set_needs_user(
            pool: &Pool<Self>,
            item_id: &str,
            reason: &str,
        ) -> impl Future<Output = Result<u64>> + Send;
        /// Make an Item active again and a pass due; rows changed. A parked Item's failures
        /// and backoff are cleared; an active Item keeps its backoff (a 429's, say).
        fn reactivate(pool: &Pool<Self>, item_id: &str)
            -> impl Future<Output = Result<u64>> + Send;
        /// Set or clear an Item's `new_accounts_available`; rows changed.
        fn set_new_accounts(
            pool: &Pool<Self>,
            item_id: &str,
            available: bool,
        ) -> impl Future<Output = Result<u64>> + Send;
        /// Append a webhook (`(webhook_type, webhook_code)`) and its outcome to the log.
        fn log_webhook(
            pool: &Pool<Self>,
            name: (&str, &str),
            item_id: Option<&str>,
            outcome: &str,
        ) -> impl Future<Output = Result<()>> + Send;
        /// The webhook log, oldest first.
        fn webhook_log(
            pool: &Pool<Self>,
        ) -> impl Future<Output = Result<Vec<WebhookLogEntry>>> + Send;
        /// Mark active Items not synced for `stale_us` as due; how many.
        fn sweep(pool: &Pool<Self>, stale_us: i64) -> impl Future<Output = Result<u64>> + Send;
        /// Lease up to `limit` due Items to `owner` for `lease_us`.
        fn claim(
            pool: &Pool<Self>,
            owner: &str,
            lease_us: i64,
            limit: i64,
        ) -> impl Future<Output = Result<Vec<Claim>>> + Send;
        /// Extend a claim's lease; 0 rows: the lease is lost.
        fn renew(
            pool: &Pool<Self>,
            claim: &Claim,
            lease_us: i64,
        ) -> impl Future<Output = Result<u64>> + Send;
        /// In the pass's transaction: store the cursor and release the Item, if the lease is still
        /// the claim's; 0 rows: lost.
        fn commit_cursor(
            conn: &mut Self::Connection,
            claim: &Claim,
            cursor: &str,
            delay_us: i64,
        ) -> impl Future<Output = Result<u64>> + Send;
        /// Release an Item Plaid has no data for yet, not due again for `delay_us`.
        fn release_not_ready(
            pool: &Pool<Self>,
            claim: &Claim,
            delay_us: i64,
        ) -> impl Future<Output = Result<u64>> + Send;
        /// Release an Item after a failed pass: record the error, back it off, maybe park it for
        /// its user.
        fn release_failed(
            pool: &Pool<Self>,
            claim: &Claim,
            error: &str,
            backoff_us: i64,
            needs_user: Option<&str>,
        ) -> impl Future<Output = Result<u64>> + Send;
        /// The stored state of one Item.
        fn item(
            pool: &Pool<Self>,
            item_id: &str,
        ) -> impl Future<Output = Result<Option<ItemState>>> + Send;
        /// Counts over all Items.
        fn progress(pool: &Pool<Self>) -> impl Future<Output = Result<Progress>> + Send;
        /// Reserve a request in a shared GCRA bucket; µs to wait before sending it.
        fn pace(
            pool: &Pool<Self>,
            bucket: &str,
            interval_us: i64,
            tolerance_us: i64,
        ) -> impl Future<Output = Result<i64>> + Send;
        /// Push a bucket's next request `delay_us` into the future (after a 429).
        fn push_back(
            pool: &Pool<Self>,
            bucket: &str,
            delay_us: i64,
        ) -> impl Future<Output = Result<()>> + Send;
    }
}

const ITEM_COLUMNS: &str = "item_id, cursor, status, needs_user_reason, requested_generation, \
     synced_generation, lease_owner, failures, last_error, last_success_us, passes, \
     new_accounts_available";

fn item_state<R: Row>(row: &R) -> Result<ItemState>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let status: String = row.try_get("status")?;
    Ok(ItemState {
        item_id: row.try_get("item_id")?,
        cursor: row.try_get("cursor")?,
        status: ItemStatus::from_stored(&status)?,
        needs_user_reason: row.try_get("needs_user_reason")?,
        requested_generation: row.try_get("requested_generation")?,
        synced_generation: row.try_get("synced_generation")?,
        lease_owner: row.try_get("lease_owner")?,
        failures: row.try_get("failures")?,
        last_error: row.try_get("last_error")?,
        last_success_us: row.try_get("last_success_us")?,
        passes: row.try_get("passes")?,
        new_accounts_available: row.try_get("new_accounts_available")?,
    })
}

/// Implements [`Backend`] and its statements for one database. `now` is the SQL expression of the database clock
/// in µs, `skip_locked` what the claim's subquery ends with, `greatest` the two-argument
/// maximum, `begin` the statement that opens a pass's transaction.
macro_rules! backend {
    ($db:ty, single_writer = $single:literal, migrations = $dir:literal, now = $now:literal,
     skip_locked = $skip:literal, greatest = $max:literal, begin = $begin:literal,
     has_migrations_table = $has_table:literal) => {
        impl Backend for $db {
            const SINGLE_WRITER: bool = $single;
        }

        impl sealed::Sealed for $db {
            fn migrator() -> &'static Migrator {
                static MIGRATOR: Migrator = sqlx::migrate!($dir);
                &MIGRATOR
            }

            async fn run_migrations(pool: &Pool<Self>) -> Result<()> {
                Self::migrator().run(pool).await?;
                Ok(())
            }

            async fn newest_applied(pool: &Pool<Self>) -> Result<Option<i64>> {
                let has_table: bool = sqlx::query_scalar($has_table).fetch_one(pool).await?;
                if !has_table {
                    return Ok(None);
                }
                let newest: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                        .fetch_one(pool)
                        .await?;
                Ok(newest)
            }

            async fn begin_pass(pool: &Pool<Self>) -> Result<Transaction<'static, Self>> {
                Ok(pool.begin_with($begin).await?)
            }

            async fn add_item(pool: &Pool<Self>, item_id: &str) -> Result<bool> {
                let done = sqlx::query(concat!(
                    "INSERT INTO plaid_sync_items (item_id, created_us, pending_since_us) \
                     VALUES ($1, ", $now, ", ", $now, ") ON CONFLICT (item_id) DO NOTHING"
                ))
                .bind(item_id)
                .execute(pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn request_sync(pool: &Pool<Self>, item_id: &str) -> Result<Option<ItemStatus>> {
                let status: Option<String> = sqlx::query_scalar(concat!(
                    "UPDATE plaid_sync_items SET requested_generation = requested_generation + 1, \
                     pending_since_us = CASE WHEN requested_generation > synced_generation \
                     THEN pending_since_us ELSE ", $now, " END WHERE item_id = $1 RETURNING status"
                ))
                .bind(item_id)
                .fetch_optional(pool)
                .await?;
                status.as_deref().map(ItemStatus::from_stored).transpose()
            }

            async fn set_needs_user(pool: &Pool<Self>, item_id: &str, reason: &str) -> Result<u64> {
                let done = sqlx::query(
                    "UPDATE plaid_sync_items SET status = 'needs_user', needs_user_reason = $2 \
                     WHERE item_id = $1",
                )
                .bind(item_id)
                .bind(reason)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn reactivate(pool: &Pool<Self>, item_id: &str) -> Result<u64> {
                let done = sqlx::query(concat!(
                    "UPDATE plaid_sync_items SET status = 'active', needs_user_reason = NULL, \
                     failures = CASE WHEN status = 'needs_user' THEN 0 ELSE failures END, \
                     not_before_us = CASE WHEN status = 'needs_user' THEN 0 ELSE not_before_us END, \
                     requested_generation = requested_generation + 1, \
                     pending_since_us = COALESCE(pending_since_us, ", $now, ") WHERE item_id = $1"
                ))
                .bind(item_id)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn set_new_accounts(pool: &Pool<Self>, item_id: &str, available: bool) -> Result<u64> {
                let done = sqlx::query(
                    "UPDATE plaid_sync_items SET new_accounts_available = $2 WHERE item_id = $1",
                )
                .bind(item_id)
                .bind(available)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn log_webhook(
                pool: &Pool<Self>,
                (webhook_type, webhook_code): (&str, &str),
                item_id: Option<&str>,
                outcome: &str,
            ) -> Result<()> {
                sqlx::query(concat!(
                    "INSERT INTO plaid_sync_webhooks \
                     (received_us, webhook_type, webhook_code, item_id, outcome) \
                     VALUES (", $now, ", $1, $2, $3, $4)"
                ))
                .bind(webhook_type)
                .bind(webhook_code)
                .bind(item_id)
                .bind(outcome)
                .execute(pool)
                .await?;
                Ok(())
            }

            async fn webhook_log(pool: &Pool<Self>) -> Result<Vec<WebhookLogEntry>> {
                let rows = sqlx::query(
                    "SELECT webhook_type, webhook_code, item_id, outcome \
                     FROM plaid_sync_webhooks ORDER BY id",
                )
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(WebhookLogEntry {
                            webhook_type: r.try_get("webhook_type")?,
                            webhook_code: r.try_get("webhook_code")?,
                            item_id: r.try_get("item_id")?,
                            outcome: r.try_get("outcome")?,
                        })
                    })
                    .collect()
            }

            async fn sweep(pool: &Pool<Self>, stale_us: i64) -> Result<u64> {
                let done = sqlx::query(concat!(
                    "UPDATE plaid_sync_items SET requested_generation = requested_generation + 1, \
                     pending_since_us = ", $now, " WHERE status = 'active' \
                     AND requested_generation <= synced_generation \
                     AND COALESCE(last_success_us, created_us) < ", $now, " - $1"
                ))
                .bind(stale_us)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn claim(pool: &Pool<Self>, owner: &str, lease_us: i64, limit: i64) -> Result<Vec<Claim>> {
                let rows = sqlx::query(concat!(
                    "UPDATE plaid_sync_items SET lease_owner = $1, lease_token = lease_token + 1, \
                     lease_expires_us = ", $now, " + $2, claimed_generation = requested_generation \
                     WHERE item_id IN (SELECT item_id FROM plaid_sync_items \
                       WHERE status = 'active' AND requested_generation > synced_generation \
                       AND not_before_us <= ", $now, " \
                       AND (lease_expires_us IS NULL OR lease_expires_us < ", $now, ") \
                       ORDER BY pending_since_us, item_id LIMIT $3 ", $skip, ") \
                     RETURNING item_id, cursor, lease_token, claimed_generation, failures"
                ))
                .bind(owner)
                .bind(lease_us)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(Claim {
                            item_id: r.try_get("item_id")?,
                            cursor: r.try_get("cursor")?,
                            lease_token: r.try_get("lease_token")?,
                            generation: r.try_get("claimed_generation")?,
                            failures: r.try_get("failures")?,
                        })
                    })
                    .collect()
            }

            async fn renew(pool: &Pool<Self>, claim: &Claim, lease_us: i64) -> Result<u64> {
                let done = sqlx::query(concat!(
                    "UPDATE plaid_sync_items SET lease_expires_us = ", $now, " + $3 \
                     WHERE item_id = $1 AND lease_token = $2 AND lease_owner IS NOT NULL"
                ))
                .bind(&claim.item_id)
                .bind(claim.lease_token)
                .bind(lease_us)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn commit_cursor(
                conn: &mut Self::Connection,
                claim: &Claim,
                cursor: &str,
                delay_us: i64,
            ) -> Result<u64> {
                let done = sqlx::query(concat!(
                    "UPDATE plaid_sync_items SET cursor = $3, \
                     synced_generation = claimed_generation, \
                     pending_since_us = CASE WHEN requested_generation > claimed_generation \
                       THEN pending_since_us ELSE NULL END, \
                     lease_owner = NULL, lease_expires_us = NULL, last_success_us = ", $now, ", \
                     failures = 0, last_error = NULL, last_error_us = NULL, \
                     passes = passes + 1, not_before_us = ", $now, " + $4 \
                     WHERE item_id = $1 AND lease_token = $2 AND lease_owner IS NOT NULL"
                ))
                .bind(&claim.item_id)
                .bind(claim.lease_token)
                .bind(cursor)
                .bind(delay_us)
                .execute(&mut *conn)
                .await?;
                Ok(done.rows_affected())
            }

            async fn release_not_ready(pool: &Pool<Self>, claim: &Claim, delay_us: i64) -> Result<u64> {
                let done = sqlx::query(concat!(
                    "UPDATE plaid_sync_items SET synced_generation = claimed_generation, \
                     pending_since_us = CASE WHEN requested_generation > claimed_generation \
                       THEN pending_since_us ELSE NULL END, \
                     lease_owner = NULL, lease_expires_us = NULL, not_before_us = ", $now, " + $3 \
                     WHERE item_id = $1 AND lease_token = $2 AND lease_owner IS NOT NULL"
                ))
                .bind(&claim.item_id)
                .bind(claim.lease_token)
                .bind(delay_us)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn release_failed(
                pool: &Pool<Self>,
                claim: &Claim,
                error: &str,
                backoff_us: i64,
                needs_user: Option<&str>,
            ) -> Result<u64> {
                let done = sqlx::query(concat!(
                    "UPDATE plaid_sync_items SET lease_owner = NULL, lease_expires_us = NULL, \
                     failures = failures + 1, last_error = $3, last_error_us = ", $now, ", \
                     not_before_us = ", $max, "(not_before_us, ", $now, " + $4), \
                     status = CASE WHEN $5 IS NULL THEN status ELSE 'needs_user' END, \
                     needs_user_reason = COALESCE($5, needs_user_reason) \
                     WHERE item_id = $1 AND lease_token = $2 AND lease_owner IS NOT NULL"
                ))
                .bind(&claim.item_id)
                .bind(claim.lease_token)
                .bind(error)
                .bind(backoff_us)
                .bind(needs_user)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn item(pool: &Pool<Self>, item_id: &str) -> Result<Option<ItemState>> {
                let sql = format!("SELECT {ITEM_COLUMNS} FROM plaid_sync_items WHERE item_id = $1");
                let row = sqlx::query(&sql).bind(item_id).fetch_optional(pool).await?;
                row.as_ref().map(item_state).transpose()
            }

            async fn progress(pool: &Pool<Self>) -> Result<Progress> {
                let row = sqlx::query(concat!(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS items, \
                     CAST(COALESCE(SUM(CASE WHEN status = 'active' AND \
                       requested_generation > synced_generation THEN 1 ELSE 0 END), 0) AS BIGINT) AS pending, \
                     CAST(COALESCE(SUM(CASE WHEN lease_expires_us >= ", $now, " \
                       THEN 1 ELSE 0 END), 0) AS BIGINT) AS syncing, \
                     CAST(COALESCE(SUM(CASE WHEN status = 'needs_user' THEN 1 ELSE 0 END), 0) AS BIGINT) AS needs_user, \
                     CAST(COALESCE(SUM(CASE WHEN last_success_us IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS synced, \
                     CAST(COALESCE(SUM(passes), 0) AS BIGINT) AS passes \
                     FROM plaid_sync_items"
                ))
                .fetch_one(pool)
                .await?;
                Ok(Progress {
                    items: row.try_get("items")?,
                    pending: row.try_get("pending")?,
                    syncing: row.try_get("syncing")?,
                    needs_user: row.try_get("needs_user")?,
                    synced: row.try_get("synced")?,
                    passes: row.try_get("passes")?,
                })
            }

            async fn pace(pool: &Pool<Self>, bucket: &str, interval_us: i64, tolerance_us: i64) -> Result<i64> {
                // GCRA, reserved in one statement: move the bucket's theoretical arrival time
                // on by one interval and wait until it is within the tolerance of now.
                let row = sqlx::query(concat!(
                    "INSERT INTO plaid_sync_pacing (bucket, tat_us) VALUES ($1, ", $now, " + $2) \
                     ON CONFLICT (bucket) DO UPDATE SET tat_us = ",
                     $max, "(plaid_sync_pacing.tat_us, ", $now, ") + $2 \
                     RETURNING tat_us, ", $now, " AS now_us"
                ))
                .bind(bucket)
                .bind(interval_us)
                .fetch_one(pool)
                .await?;
                let tat: i64 = row.try_get("tat_us")?;
                let now: i64 = row.try_get("now_us")?;
                Ok((tat - interval_us - tolerance_us - now).max(0))
            }

            async fn push_back(pool: &Pool<Self>, bucket: &str, delay_us: i64) -> Result<()> {
                sqlx::query(concat!(
                    "INSERT INTO plaid_sync_pacing (bucket, tat_us) VALUES ($1, ", $now, " + $2) \
                     ON CONFLICT (bucket) DO UPDATE SET tat_us = ",
                     $max, "(plaid_sync_pacing.tat_us, ", $now, " + $2)"
                ))
                .bind(bucket)
                .bind(delay_us)
                .execute(pool)
                .await?;
                Ok(())
            }
        }
    };
}

backend!(
    Sqlite,
    single_writer = true,
    migrations = "./migrations/sqlite",
    now = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)",
    skip_locked = "",
    greatest = "MAX",
    // Take the write lock when the pass's transaction opens, not at its first write: a
    // deferred transaction that reads first fails with SQLITE_BUSY instead of waiting.
    begin = "BEGIN IMMEDIATE",
    has_migrations_table = "SELECT EXISTS (SELECT 1 FROM sqlite_master \
                            WHERE type = 'table' AND name = '_sqlx_migrations')"
);

backend!(
    Postgres,
    single_writer = false,
    migrations = "./migrations/postgres",
    now = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
    skip_locked = "FOR UPDATE SKIP LOCKED",
    greatest = "GREATEST",
    begin = "BEGIN",
    has_migrations_table = "SELECT to_regclass('_sqlx_migrations') IS NOT NULL"
);
