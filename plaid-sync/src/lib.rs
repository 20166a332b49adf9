//! # plaid-sync
//!
//! A durable, webhook-driven `/transactions/sync` engine for many Plaid Items and many workers,
//! on SQLite (embedded, the default) or PostgreSQL (for a fleet), over `plaid-client-ext`.
//!
//! - [`Store`]: Item state (cursor, status, pending work, lease, last error, last success),
//!   never access tokens; migrations shipped in the crate; a schema newer than the code is a
//!   typed error ([`Error::SchemaTooNew`]).
//! - [`Store::record_webhook`]: one call per verified webhook; deduplicated sync requests,
//!   Items that need their user, `LOGIN_REPAIRED`, new accounts; [`Store::sweep`] for missed
//!   webhooks.
//! - [`Worker`]: claims Items under a lease, paces requests ([`pacing`]), hands each page to
//!   your [`SyncHandler`] inside the database transaction that also commits the cursor
//!   (exactly-once application), fenced by the lease.
//! - [`AccessTokens`]: where tokens come from (your vault).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use plaid_sync::{plaid::Webhook, Store, WebhookOutcome};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path().join("sync.db")).await?;
//! store.add_item("item-1").await?;
//! let webhook = Webhook::from_json(br#"{"webhook_type": "TRANSACTIONS",
//!     "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": "item-1",
//!     "initial_update_complete": true, "historical_update_complete": true,
//!     "environment": "sandbox"}"#)?;
//! assert_eq!(
//!     store.record_webhook(&webhook).await?,
//!     WebhookOutcome::SyncRequested { item_id: "item-1".into() }
//! );
//! // The Item was already due for its first sync: still one pass.
//! assert_eq!(store.progress().await?.pending, 1);
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod backend;
mod engine;
mod error;
mod handler;
pub mod metrics;
pub mod pacing;
pub mod plaid;
mod records;
mod store;

pub use backend::Backend;
pub use engine::{ApplyMode, Stats, Worker, WorkerConfig, WorkerStats};
pub use error::{BoxError, Error, Result};
pub use handler::{AccessTokens, Credential, SyncHandler};
pub use pacing::{Limit, Pacer, Pacing, Sharing};
pub use records::{ItemState, ItemStatus, PassOutcome, Progress, WebhookLogEntry, WebhookOutcome};
pub use store::{Store, SQLITE_BUSY_TIMEOUT};

/// The database driver, for the application's own queries in a [`SyncHandler`].
pub use sqlx;

/// The README's Rust examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
