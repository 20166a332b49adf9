//! The example application's handler: a ledger of transactions, kept by `/transactions/sync`.
//!
//! - `added` and `modified` are upserts keyed by `transaction_id` (a page may repeat what an
//!   earlier page of the same pass said; a pass may be applied again after a crash before its
//!   commit, but then its first application was rolled back);
//! - `removed` deletes;
//! - pending → posted (Plaid docs, `transactions-transactions-data`): the posted transaction
//!   arrives in `added` with `pending_transaction_id`, the pending one in `removed`, "not
//!   guaranteed to be in the same page". What the user attached to the pending row (here a
//!   `note`) moves to the posted row, and the pending row goes, whichever page comes first.
//!
//! `applications` counts how many times a row was written by a committed pass: the tests
//! compare it with the emulator's count of `added`/`modified` entries to prove nothing is applied
//! twice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use plaid_sync::plaid::{SyncPage, Transaction};
use plaid_sync::sqlx::{self, Pool, Postgres, Row, Sqlite};
use plaid_sync::{Backend, BoxError, SyncHandler};

/// The ledger handler. `fail_every`: fail every n-th page (0: never), to inject handler errors;
/// `halt`: stop for good at one page, to kill a worker mid-pass.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    pub fail_every: u64,
    pub calls: Arc<AtomicU64>,
    pub halt: Option<Arc<Halt>>,
}

/// Stops the handler at its `at`-th page (1-based, counted over all passes), after the pages
/// before it were written in the pass's transaction: `reached` is notified and that page is
/// never applied (the test then aborts the worker, a crash mid-pass).
#[derive(Debug, Default)]
pub struct Halt {
    pub at: u64,
    pub reached: tokio::sync::Notify,
}

/// One row of `app_transactions`.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub transaction_id: String,
    pub item_id: String,
    pub amount: f64,
    pub pending: bool,
    pub note: Option<String>,
    pub applications: i64,
}

const CREATE: &str = "CREATE TABLE IF NOT EXISTS app_transactions (
    transaction_id TEXT PRIMARY KEY NOT NULL,
    item_id        TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    amount         DOUBLE PRECISION NOT NULL,
    name           TEXT NOT NULL,
    pending        BOOLEAN NOT NULL,
    note           TEXT,
    applications   BIGINT NOT NULL DEFAULT 1
)";

/// Notes of removed rows, kept for a posted transaction that arrives after its pending one
/// was removed (a later page of the same update).
const CREATE_NOTES: &str = "CREATE TABLE IF NOT EXISTS app_removed_notes (
    transaction_id TEXT PRIMARY KEY NOT NULL,
    note           TEXT NOT NULL
)";

const STASH_NOTE: &str = "INSERT INTO app_removed_notes (transaction_id, note)
    SELECT transaction_id, note FROM app_transactions WHERE transaction_id = $1 AND note IS NOT NULL
    ON CONFLICT (transaction_id) DO NOTHING";

const UPSERT: &str = "INSERT INTO app_transactions
    (transaction_id, item_id, account_id, amount, name, pending) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (transaction_id) DO UPDATE SET account_id = excluded.account_id,
    amount = excluded.amount, name = excluded.name, pending = excluded.pending,
    applications = app_transactions.applications + 1";

/// Keep the user's note of the pending transaction on the posted one.
const CARRY_NOTE: &str = "UPDATE app_transactions SET note = COALESCE(
    (SELECT p.note FROM app_transactions p WHERE p.transaction_id = $2),
    (SELECT r.note FROM app_removed_notes r WHERE r.transaction_id = $2))
    WHERE transaction_id = $1 AND note IS NULL";

const DELETE: &str = "DELETE FROM app_transactions WHERE transaction_id = $1";

impl Ledger {
    /// Count a page; whether it fails. At the halting page, never returns.
    async fn should_fail(&self) -> bool {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(halt) = self.halt.as_ref().filter(|h| h.at == n) {
            halt.reached.notify_one();
            std::future::pending::<()>().await;
        }
        self.fail_every > 0 && n.is_multiple_of(self.fail_every)
    }
}

/// The ledger's table and queries on one backend.
#[allow(async_fn_in_trait)]
pub trait LedgerDb: Backend {
    async fn create_ledger(pool: &Pool<Self>) -> Result<(), sqlx::Error>;
    async fn ledger_rows(pool: &Pool<Self>) -> Result<Vec<LedgerRow>, sqlx::Error>;
    async fn set_note(pool: &Pool<Self>, id: &str, note: &str) -> Result<(), sqlx::Error>;
    /// Record a migration `version` as applied, as a newer plaid-sync would have.
    async fn pretend_newer_schema(pool: &Pool<Self>, version: i64) -> Result<(), sqlx::Error>;
}

macro_rules! ledger_on {
    ($db:ty, $conn:ty) => {
        impl SyncHandler<$db> for Ledger {
            async fn apply(
                &self,
                conn: &mut $conn,
                item_id: &str,
                page: &SyncPage,
            ) -> Result<(), BoxError> {
                if self.should_fail().await {
                    return Err("injected handler failure".into());
                }
                for t in page.added.iter().chain(&page.modified) {
                    upsert(&mut *conn, item_id, t).await?;
                    if let Some(pending_id) = &t.pending_transaction_id {
                        sqlx::query(CARRY_NOTE)
                            .bind(&t.transaction_id)
                            .bind(pending_id)
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query(DELETE)
                            .bind(pending_id)
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                for r in &page.removed {
                    sqlx::query(STASH_NOTE)
                        .bind(&r.transaction_id)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query(DELETE)
                        .bind(&r.transaction_id)
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            }
        }

        impl LedgerDb for $db {
            async fn create_ledger(pool: &Pool<Self>) -> Result<(), sqlx::Error> {
                sqlx::query(CREATE).execute(pool).await?;
                sqlx::query(CREATE_NOTES).execute(pool).await.map(|_| ())
            }

            async fn ledger_rows(pool: &Pool<Self>) -> Result<Vec<LedgerRow>, sqlx::Error> {
                let rows = sqlx::query(
                    "SELECT transaction_id, item_id, amount, pending, note, applications \
                     FROM app_transactions ORDER BY transaction_id",
                )
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(LedgerRow {
                            transaction_id: r.try_get("transaction_id")?,
                            item_id: r.try_get("item_id")?,
                            amount: r.try_get("amount")?,
                            pending: r.try_get("pending")?,
                            note: r.try_get("note")?,
                            applications: r.try_get("applications")?,
                        })
                    })
                    .collect()
            }

            async fn set_note(pool: &Pool<Self>, id: &str, note: &str) -> Result<(), sqlx::Error> {
                sqlx::query("UPDATE app_transactions SET note = $2 WHERE transaction_id = $1")
                    .bind(id)
                    .bind(note)
                    .execute(pool)
                    .await
                    .map(|_| ())
            }

            async fn pretend_newer_schema(
                pool: &Pool<Self>,
                version: i64,
            ) -> Result<(), sqlx::Error> {
                sqlx::query(
                    "INSERT INTO _sqlx_migrations \
                     (version, description, success, checksum, execution_time) \
                     VALUES ($1, 'from a newer plaid-sync', TRUE, $2, 0)",
                )
                .bind(version)
                .bind(vec![0u8; 4])
                .execute(pool)
                .await
                .map(|_| ())
            }
        }

        async fn upsert(
            conn: &mut $conn,
            item_id: &str,
            t: &Transaction,
        ) -> Result<(), sqlx::Error> {
            sqlx::query(UPSERT)
                .bind(&t.transaction_id)
                .bind(item_id)
                .bind(&t.account_id)
                .bind(t.amount)
                .bind(&t.name)
                .bind(t.pending)
                .execute(conn)
                .await
                .map(|_| ())
        }
    };
}

mod on_sqlite {
    use super::*;
    ledger_on!(Sqlite, sqlx::SqliteConnection);
}

mod on_postgres {
    use super::*;
    ledger_on!(Postgres, sqlx::PgConnection);
}
