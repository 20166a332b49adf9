//! The crate's error type.

/// An error from a handler or an access-token source: whatever the application's code returns.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in plaid-sync. Messages never contain access tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database failed (connection, query, constraint).
    #[error("store: {0}")]
    Database(#[from] sqlx::Error),

    /// Applying the shipped migrations failed.
    #[error("store migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    /// The database was migrated by a newer plaid-sync than this one: its schema has versions
    /// this code does not know. Upgrade the code; never downgrade a schema under it.
    #[error(
        "the store's schema is at version {found}, newer than the newest this plaid-sync knows \
         ({supported}); upgrade plaid-sync before using this database"
    )]
    SchemaTooNew {
        /// The newest version applied to the database.
        found: i64,
        /// The newest version this code ships.
        supported: i64,
    },

    /// A call named an Item the store does not know (add it with `Store::add_item`).
    #[error("unknown Item {item_id}")]
    UnknownItem {
        /// The Item.
        item_id: String,
    },

    /// A webhook body plaid-sync cannot act on (a sync webhook without its `item_id`, ...).
    #[error("invalid webhook: {0}")]
    InvalidWebhook(String),

    /// A value read from the store is not one this code writes (a `status` it does not
    /// know): the database was changed by hand or by another program.
    #[error("corrupt store: {0}")]
    Corrupt(String),

    /// A setting is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
