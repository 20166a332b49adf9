//! [`Store`]: the engine's state in SQLite or PostgreSQL, its migrations, and what webhooks,
//! resets and sweeps record.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Postgres, Sqlite};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::pacing::{micros, Sharing};
use crate::plaid::{self, Webhook, WebhookMeaning};
use crate::records::{ItemState, ItemStatus, Progress, WebhookLogEntry, WebhookOutcome};

/// How long a SQLite connection waits for the write lock before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The engine's state: one row per Item (cursor, status, pending work, lease, errors), a log of
/// webhooks, and the shared pacing buckets. Access tokens are never stored here.
///
/// Cheap to clone (a connection pool).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), plaid_sync::Error> {
/// let dir = tempfile::tempdir().unwrap();
/// let store = plaid_sync::Store::open(dir.path().join("sync.db")).await?;
/// assert!(store.add_item("item-1").await?); // new: due for its first, full sync
/// assert!(!store.add_item("item-1").await?); // already known
/// assert_eq!(store.progress().await?.pending, 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Store<DB: Backend> {
    pool: Pool<DB>,
    /// On a single-writer database (SQLite): one streaming pass at a time holds a
    /// transaction (see [`crate::ApplyMode::Streaming`]).
    writer: Option<Arc<Semaphore>>,
}

impl<DB: Backend> Clone for Store<DB> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
        }
    }
}

impl Store<Sqlite> {
    /// Open (or create) the SQLite store at `path`, in WAL mode, and migrate it.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Self::from_pool(pool).await
    }
}

impl Store<Postgres> {
    /// Connect to PostgreSQL at `url` (`postgres://user@host:port/db`) and migrate.
    pub async fn connect(url: &str) -> Result<Self> {
        let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        Self::from_pool(pool).await
    }
}

impl<DB: Backend> Store<DB> {
    /// Use `pool` (the application's own, so its tables live in the same database and a pass
    /// can write them in the engine's transaction), after migrating it.
    ///
    /// Fails with [`Error::SchemaTooNew`] if a newer plaid-sync migrated the database.
    pub async fn from_pool(pool: Pool<DB>) -> Result<Self> {
        let supported = DB::migrator().iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(found) = DB::newest_applied(&pool).await? {
            if found > supported {
                return Err(Error::SchemaTooNew { found, supported });
            }
        }
        DB::run_migrations(&pool).await?;
        let writer = DB::SINGLE_WRITER.then(|| Arc::new(Semaphore::new(1)));
        Ok(Self { pool, writer })
    }

    /// The turn of a streaming pass to open its transaction: at once on PostgreSQL; on
    /// SQLite when no other streaming pass of this store holds one, waiting without a
    /// connection (so the pool stays free for claims, renewals and webhooks).
    pub(crate) async fn streaming_turn(&self) -> Option<OwnedSemaphorePermit> {
        let writer = self.writer.clone()?;
        writer.acquire_owned().await.ok()
    }

    /// The connection pool (for the application's own tables and queries).
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// Where this store keeps the per-client pacing bucket unless told otherwise.
    pub fn default_sharing(&self) -> Sharing {
        if DB::SINGLE_WRITER {
            Sharing::InProcess
        } else {
            Sharing::Database
        }
    }

    /// Register an Item (after `/item/public_token/exchange`). A new Item is due for its first,
    /// full sync at once, so a webhook that arrived before it was added is not lost. Returns
    /// whether it was new.
    pub async fn add_item(&self, item_id: &str) -> Result<bool> {
        DB::add_item(&self.pool, item_id).await
    }

    /// Ask for a pass of `item_id` (merged with a pass already due; one arriving during a pass
    /// gives exactly one more).
    pub async fn request_sync(&self, item_id: &str) -> Result<()> {
        let status = DB::request_sync(&self.pool, item_id).await?;
        known(u64::from(status.is_some()), item_id)
    }

    /// Resume an Item that needs its user (after Link update mode): active again, failures
    /// cleared, a pass due.
    pub async fn reset_item(&self, item_id: &str) -> Result<()> {
        known(DB::reactivate(&self.pool, item_id).await?, item_id)
    }

    /// Clear the `new_accounts_available` flag once the user was offered the new accounts.
    pub async fn acknowledge_new_accounts(&self, item_id: &str) -> Result<()> {
        known(
            DB::set_new_accounts(&self.pool, item_id, false).await?,
            item_id,
        )
    }

    /// Record what a verified webhook means (see [`WebhookOutcome`]) and log it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use plaid_sync::{plaid::Webhook, Store, WebhookOutcome};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let store = Store::open(dir.path().join("sync.db")).await?;
    /// store.add_item("item-1").await?;
    /// let body = br#"{"webhook_type": "ITEM", "webhook_code": "PENDING_EXPIRATION",
    ///     "item_id": "item-1", "consent_expiration_time": "2030-01-01T00:00:00Z",
    ///     "environment": "sandbox"}"#;
    /// let outcome = store.record_webhook(&Webhook::from_json(body)?).await?;
    /// assert!(matches!(outcome, WebhookOutcome::NeedsUser { .. }));
    /// assert_eq!(store.progress().await?.needs_user, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn record_webhook(&self, event: &Webhook) -> Result<WebhookOutcome> {
        let meaning = plaid::webhook_meaning(event);
        let (webhook_type, webhook_code) = plaid::webhook_name(event);
        let item_id = meaning.item_id().map(str::to_string);
        let outcome = self
            .apply_meaning(meaning, &webhook_type, &webhook_code)
            .await?;
        let name = (webhook_type.as_str(), webhook_code.as_str());
        DB::log_webhook(&self.pool, name, item_id.as_deref(), outcome.label()).await?;
        Ok(outcome)
    }

    async fn apply_meaning(
        &self,
        meaning: WebhookMeaning,
        webhook_type: &str,
        webhook_code: &str,
    ) -> Result<WebhookOutcome> {
        let p = &self.pool;
        let (rows, item_id, outcome) = match meaning {
            WebhookMeaning::SyncNeeded { item_id } => {
                return Ok(match DB::request_sync(p, &item_id).await? {
                    None => WebhookOutcome::UnknownItem { item_id },
                    Some(ItemStatus::NeedsUser) => WebhookOutcome::AwaitingUser { item_id },
                    Some(ItemStatus::Active) => WebhookOutcome::SyncRequested { item_id },
                });
            }
            WebhookMeaning::NeedsUser { item_id, reason } => (
                DB::set_needs_user(p, &item_id, &reason).await?,
                item_id.clone(),
                WebhookOutcome::NeedsUser { item_id, reason },
            ),
            WebhookMeaning::Repaired { item_id } => (
                DB::reactivate(p, &item_id).await?,
                item_id.clone(),
                WebhookOutcome::Resumed { item_id },
            ),
            WebhookMeaning::NewAccounts { item_id } => (
                DB::set_new_accounts(p, &item_id, true).await?,
                item_id.clone(),
                WebhookOutcome::NewAccountsAvailable { item_id },
            ),
            WebhookMeaning::Invalid { reason } => {
                tracing::warn!(webhook_type, webhook_code, %reason, "invalid webhook");
                return Ok(WebhookOutcome::Invalid {
                    webhook_type: webhook_type.to_string(),
                    webhook_code: webhook_code.to_string(),
                    reason,
                });
            }
            WebhookMeaning::Ignored { .. } => {
                return Ok(WebhookOutcome::Ignored {
                    webhook_type: webhook_type.to_string(),
                    webhook_code: webhook_code.to_string(),
                });
            }
        };
        if rows == 0 {
            return Ok(WebhookOutcome::UnknownItem { item_id });
        }
        Ok(outcome)
    }

    /// Mark every active Item whose last committed pass is older than `stale_after` (or that
    /// never completed one) as due, so a missed webhook is not a lost update. Returns how many
    /// were marked. Run it periodically (a worker does, see [`crate::WorkerConfig::sweep_every`]).
    pub async fn sweep(&self, stale_after: Duration) -> Result<u64> {
        DB::sweep(&self.pool, micros(stale_after)).await
    }

    /// The stored state of one Item.
    pub async fn item(&self, item_id: &str) -> Result<Option<ItemState>> {
        DB::item(&self.pool, item_id).await
    }

    /// Counts over all Items.
    pub async fn progress(&self) -> Result<Progress> {
        let progress = DB::progress(&self.pool).await?;
        crate::metrics::progress(&progress);
        Ok(progress)
    }

    /// The webhooks recorded, oldest first.
    pub async fn webhook_log(&self) -> Result<Vec<WebhookLogEntry>> {
        DB::webhook_log(&self.pool).await
    }
}

fn known(rows: u64, item_id: &str) -> Result<()> {
    if rows == 0 {
        return Err(Error::UnknownItem {
            item_id: item_id.to_string(),
        });
    }
    Ok(())
}
