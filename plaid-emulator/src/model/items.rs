//! Items as the state holds them (docs: `api-items.txt`): an Item's institution, products,
//! webhook URL, accounts and transaction history, and the public tokens Link hands out for it.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::history::History;

/// How long a public token can be exchanged (docs, `api-items.txt`: "expires after 30 minutes").
pub(crate) const PUBLIC_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// One linked Item.
pub(crate) struct ItemState {
    pub(crate) item_id: String,
    pub(crate) institution_id: String,
    pub(crate) products: Vec<String>,
    pub(crate) webhook: Option<String>,
    pub(crate) removed: bool,
    /// Its accounts, as `AccountBase` JSON.
    pub(crate) accounts: Vec<Value>,
    /// Its transactions' history, served in order by `/transactions/sync`.
    pub(crate) history: History,
    /// What makes its cursors its own.
    pub(crate) cursor_prefix: String,
    /// Where the current `/transactions/sync` pass stands: the position of the last page's
    /// `next_cursor` (which had `has_more: true`) and that page's number in the pass.
    pub(crate) pass: Option<(usize, u32)>,
    /// When its login was last good, on the emulator's clock: when it was linked, or when
    /// update mode last repaired it. [`SANDBOX_LOGIN_LIFETIME`] later it needs the login again.
    pub(crate) login_since: SystemTime,
}

/// How long a Sandbox Item's login lasts: "In the Sandbox, Items will transition to an
/// `ITEM_LOGIN_REQUIRED` error state automatically after 30 days" (the spec's
/// `/sandbox/item/reset_login`).
pub(crate) const SANDBOX_LOGIN_LIFETIME: std::time::Duration =
    std::time::Duration::from_secs(30 * 24 * 60 * 60);

/// A public token from `/sandbox/public_token/create`, until it is exchanged.
pub(crate) struct PublicToken {
    pub(crate) item_id: String,
    /// When it was made, on the emulator's clock.
    pub(crate) created: SystemTime,
    pub(crate) exchanged: bool,
}

impl PublicToken {
    /// Whether it can still be exchanged at `now`: not yet exchanged, and younger than
    /// [`PUBLIC_TOKEN_LIFETIME`].
    pub(crate) fn live_at(&self, now: SystemTime) -> bool {
        !self.exchanged && super::clock::since(now, self.created) < PUBLIC_TOKEN_LIFETIME
    }
}
