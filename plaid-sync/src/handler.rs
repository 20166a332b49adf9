//! What the application plugs in: where access tokens come from ([`AccessTokens`]) and how a
//! page of changes becomes its own rows ([`SyncHandler`]).

use std::collections::HashMap;
use std::future::Future;

use crate::backend::Backend;
use crate::error::BoxError;
use crate::plaid::SyncPage;

pub use crate::plaid::Credential;

/// Where the engine gets an Item's access token: the application's vault or table. The
/// engine's own tables never hold one.
///
/// ```
/// use std::collections::HashMap;
/// use plaid_sync::{AccessTokens, Credential};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut tokens = HashMap::new();
/// tokens.insert("item-1".to_string(), Credential::new("access-sandbox-…"));
/// let token = tokens.access_token("item-1").await.unwrap().unwrap();
/// assert_eq!(format!("{token:?}"), "Credential([redacted])");
/// assert!(tokens.access_token("unknown").await.unwrap().is_none());
/// # }
/// ```
pub trait AccessTokens: Send + Sync + 'static {
    /// The access token of `item_id`, or `None` if the application has none (the pass fails
    /// with a recorded error and is retried later).
    fn access_token(
        &self,
        item_id: &str,
    ) -> impl Future<Output = Result<Option<Credential>, BoxError>> + Send;
}

impl AccessTokens for HashMap<String, Credential> {
    async fn access_token(&self, item_id: &str) -> Result<Option<Credential>, BoxError> {
        Ok(self.get(item_id).cloned())
    }
}

/// The application's side of a pass: apply each page of `/transactions/sync` to its own rows,
/// **inside the engine's database transaction** (`conn`), which also commits the new cursor.
/// So either the pass's pages and its cursor are committed together, or neither is: a
/// mutation restart (`TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`), an error from Plaid or
/// from this handler, a lost lease, or a crash rolls everything back, and the next pass starts
/// again from the last committed cursor.
///
/// Write idempotent upserts keyed by `transaction_id`: within one pass, a transaction may be
/// added and then modified or removed on a later page. Plaid docs
/// (`transactions-transactions-data`): when a pending transaction posts, "the pending
/// transaction's id \[is\] in the removed field … and the new posted transaction in the added
/// section … these aren't guaranteed to be in the same page", and the posted one carries
/// `pending_transaction_id`. See the `sync_service` example's `Ledger` for a handler that
/// keeps what the user attached to the pending transaction.
///
/// ```
/// use plaid_sync::{plaid::SyncPage, BoxError, SyncHandler};
/// use sqlx::{Sqlite, SqliteConnection};
///
/// struct Count;
/// impl SyncHandler<Sqlite> for Count {
///     async fn apply(&self, conn: &mut SqliteConnection, item_id: &str, page: &SyncPage)
///         -> Result<(), BoxError> {
///         for t in &page.added {
///             sqlx::query("INSERT INTO seen (item_id, transaction_id) VALUES ($1, $2) \
///                          ON CONFLICT (transaction_id) DO NOTHING")
///                 .bind(item_id).bind(&t.transaction_id).execute(&mut *conn).await?;
///         }
///         Ok(())
///     }
/// }
/// ```
pub trait SyncHandler<DB: Backend>: Send + Sync + 'static {
    /// Apply one page of a pass for `item_id` inside the pass's transaction.
    fn apply(
        &self,
        conn: &mut DB::Connection,
        item_id: &str,
        page: &SyncPage,
    ) -> impl Future<Output = Result<(), BoxError>> + Send;
}
