//! What the store keeps and the engine reports, as plain values: an Item's state and the counts
//! over all Items, what became of a webhook, what a pass did. Below the store, its SQL, the
//! engine and the metrics, which all speak of them, so none of those needs another.

use crate::error::{Error, Result};

/// The stored state of one Item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemState {
    /// The Item.
    pub item_id: String,
    /// The committed cursor.
    pub cursor: Option<String>,
    /// `active` or `needs_user`.
    pub status: ItemStatus,
    /// Why the Item needs its user (a webhook or error code), while it does.
    pub needs_user_reason: Option<String>,
    /// Sync requests so far (webhooks, sweeps, resets), as a counter.
    pub requested_generation: i64,
    /// The request generation the last committed pass covered.
    pub synced_generation: i64,
    /// The worker holding the lease, if any.
    pub lease_owner: Option<String>,
    /// Failed passes since the last success.
    pub failures: i32,
    /// The last failure, if any since the last success.
    pub last_error: Option<String>,
    /// When the last pass committed (µs since the epoch).
    pub last_success_us: Option<i64>,
    /// Committed passes.
    pub passes: i64,
    /// `NEW_ACCOUNTS_AVAILABLE` arrived and was not acknowledged yet.
    pub new_accounts_available: bool,
}

impl ItemState {
    /// Whether a pass is due (or running) for this Item.
    pub fn pending(&self) -> bool {
        self.requested_generation > self.synced_generation
    }
}

/// Whether the engine syncs an Item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    /// Synced when due.
    Active,
    /// Waiting for its user (Link update mode); not synced until `LOGIN_REPAIRED` or a reset.
    NeedsUser,
}

impl ItemStatus {
    /// A stored status; anything this code does not write is [`Error::Corrupt`], never
    /// silently `Active`.
    pub(crate) fn from_stored(status: &str) -> Result<Self> {
        match status {
            "active" => Ok(Self::Active),
            "needs_user" => Ok(Self::NeedsUser),
            other => Err(Error::Corrupt(format!("unknown Item status {other:?}"))),
        }
    }
}

/// Counts over all Items, for progress reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Items known.
    pub items: i64,
    /// Items with a pass due (or running), not waiting for their user.
    pub pending: i64,
    /// Items under a live lease.
    pub syncing: i64,
    /// Items waiting for their user.
    pub needs_user: i64,
    /// Items with at least one committed pass.
    pub synced: i64,
    /// Committed passes in all.
    pub passes: i64,
}

impl Progress {
    /// Items synced and with nothing due.
    pub fn done(&self) -> i64 {
        self.items - self.pending - self.needs_user
    }
}

/// What [`Store::record_webhook`](crate::Store::record_webhook) did with a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookOutcome {
    /// A pass is due for the Item (merged with any pass already due).
    SyncRequested {
        /// The Item.
        item_id: String,
    },
    /// A sync webhook for an Item that waits for its user: recorded as due, but nothing is
    /// synced until `LOGIN_REPAIRED` or [`Store::reset_item`](crate::Store::reset_item) makes it active again (then one
    /// pass covers it).
    AwaitingUser {
        /// The Item.
        item_id: String,
    },
    /// The Item waits for its user and is not synced until repaired or reset.
    NeedsUser {
        /// The Item.
        item_id: String,
        /// The webhook or error code.
        reason: String,
    },
    /// `LOGIN_REPAIRED`: the Item is active again and a pass is due.
    Resumed {
        /// The Item.
        item_id: String,
    },
    /// `NEW_ACCOUNTS_AVAILABLE` was recorded on the Item.
    NewAccountsAvailable {
        /// The Item.
        item_id: String,
    },
    /// The webhook names an Item this store does not know: recorded, nothing else done.
    UnknownItem {
        /// The Item.
        item_id: String,
    },
    /// A webhook the engine acts on whose body lacks what it needs (a sync webhook without
    /// `item_id`): recorded, nothing else done.
    Invalid {
        /// `webhook_type`.
        webhook_type: String,
        /// `webhook_code`.
        webhook_code: String,
        /// What is missing.
        reason: String,
    },
    /// Not a webhook the sync engine acts on (another product's, or an unknown code):
    /// recorded, nothing else done.
    Ignored {
        /// `webhook_type`.
        webhook_type: String,
        /// `webhook_code`.
        webhook_code: String,
    },
}

/// One webhook recorded by [`Store::record_webhook`](crate::Store::record_webhook), as [`Store::webhook_log`](crate::Store::webhook_log) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookLogEntry {
    /// The webhook's `webhook_type` (`TRANSACTIONS`, `ITEM`, …).
    pub webhook_type: String,
    /// The webhook's `webhook_code` (`SYNC_UPDATES_AVAILABLE`, `ERROR`, …).
    pub webhook_code: String,
    /// The Item the webhook names, if it names one (known to the store or not).
    pub item_id: Option<String>,
    /// What the store did with it, the [`WebhookOutcome`] as a label: `sync_requested`,
    /// `awaiting_user`, `needs_user`, `resumed`, `new_accounts_available`, `unknown_item`,
    /// `invalid` or `ignored`.
    pub outcome: String,
}

impl WebhookOutcome {
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Self::SyncRequested { .. } => "sync_requested",
            Self::AwaitingUser { .. } => "awaiting_user",
            Self::NeedsUser { .. } => "needs_user",
            Self::Resumed { .. } => "resumed",
            Self::NewAccountsAvailable { .. } => "new_accounts_available",
            Self::UnknownItem { .. } => "unknown_item",
            Self::Invalid { .. } => "invalid",
            Self::Ignored { .. } => "ignored",
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
