//! The emulator's state: its keys, its Items (and the access tokens that name them), the public
//! tokens Link handed out; beside it, a request counter for request ids, the injected faults,
//! the rate limits and the journal, each behind its own lock or atomic. One lock for the state:
//! every handler holds it for the few microseconds it takes to read or change it, never across
//! an await.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::examples::Examples;
use crate::faults::Faults;
use crate::history::History;
use crate::journal::Journal;
use crate::link::LinkToken;
use crate::plaid_error::PlaidError;
use crate::rate_limits::{Limiter, RateLimits};
use crate::record::Recorder;
use crate::transfers::Authorization;
use crate::webhook_delivery::Delivery;
use crate::webhook_keys::WebhookKeys;
use crate::EmulatorConfig;

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
}

/// A public token from `/sandbox/public_token/create`, until it is exchanged.
pub(crate) struct PublicToken {
    pub(crate) item_id: String,
    pub(crate) created: Instant,
    pub(crate) exchanged: bool,
}

/// Everything that changes.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) items: HashMap<String, ItemState>,
    /// Access token → Item id.
    pub(crate) access_tokens: HashMap<String, String>,
    /// Public token → its Item, until exchanged.
    pub(crate) public_tokens: HashMap<String, PublicToken>,
    pub(crate) items_created: u64,
    /// Transfer authorizations by id.
    pub(crate) authorizations: HashMap<String, Authorization>,
    /// An authorization's idempotency key → its id, and when the key was first used.
    pub(crate) authorization_keys: HashMap<String, (String, Instant)>,
    /// Transfers by id.
    pub(crate) transfers: HashMap<String, Value>,
    pub(crate) transfers_created: u64,
    /// Item id → the error it is in (`/sandbox/item/reset_login`) until Link repairs it.
    pub(crate) item_errors: HashMap<String, PlaidError>,
    /// Link tokens by token (`/link/token/create`).
    pub(crate) link_tokens: HashMap<String, LinkToken>,
    pub(crate) link_tokens_created: u64,
    /// Every transfer event, in `event_id` order (`event_id` = position + 1).
    pub(crate) transfer_events: Vec<Value>,
    /// Sweeps, oldest first (`/sandbox/transfer/sweep/simulate`).
    pub(crate) sweeps: Vec<Value>,
    /// Where Transfer webhooks go: the dashboard's account webhook (`Emulator::set_transfer_webhook`).
    pub(crate) transfer_webhook: Option<String>,
}

/// The keys requests must carry.
pub(crate) struct Keys {
    pub(crate) client_id: String,
    pub(crate) secret: String,
}

/// The emulator as its handlers see it. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Emulated {
    pub(crate) keys: Arc<Keys>,
    pub(crate) seed: u64,
    pub(crate) examples: Arc<Examples>,
    /// The keys webhooks are signed with; `/webhook_verification_key/get` serves them.
    pub(crate) webhook_keys: Arc<WebhookKeys>,
    /// Delivers webhooks in the background.
    pub(crate) delivery: Arc<Delivery>,
    /// The served-bodies record (`PLAID_EMULATOR_RECORD`), if asked for.
    pub(crate) record: Option<Arc<Recorder>>,
    /// The injected faults.
    pub(crate) faults: Arc<Faults>,
    /// The rate limits in force.
    pub(crate) limits: Arc<Limiter>,
    /// What was asked and answered.
    pub(crate) journal: Arc<Journal>,
    /// The rate limits of the configuration, enforced again after a reset.
    initial_limits: Arc<RateLimits>,
    requests: Arc<AtomicU64>,
    state: Arc<Mutex<State>>,
}

impl Emulated {
    /// The emulator's state; its webhook delivery task is spawned on the current runtime.
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let webhook_keys = Arc::new(WebhookKeys::new(config.seed));
        Self {
            keys: Arc::new(Keys {
                client_id: config.client_id.clone(),
                secret: config.secret.clone(),
            }),
            seed: config.seed,
            examples: Arc::new(Examples::collect()),
            delivery: Arc::new(Delivery::start(webhook_keys.clone())),
            record: Recorder::from_env().map(Arc::new),
            webhook_keys,
            faults: Arc::default(),
            limits: {
                let limits = Limiter::default();
                limits.set(config.rate_limits.clone());
                Arc::new(limits)
            },
            initial_limits: Arc::new(config.rate_limits.clone()),
            journal: Arc::default(),
            requests: Arc::default(),
            state: Arc::default(),
        }
    }

    /// Back to a fresh start: no Items, tokens, transfers, faults, records, request ids from 1
    /// again, and the configured rate limits with empty windows.
    pub(crate) fn reset(&self) {
        *self.lock() = State::default();
        self.limits.set(RateLimits::clone(&self.initial_limits));
        self.faults.clear();
        self.journal.clear();
        self.requests.store(0, Ordering::Relaxed);
    }

    /// The state, locked. A handler that panicked while holding it left it as it was between
    /// two complete changes (no handler awaits or fails half-way), so the lock is taken anyway.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next request id.
    pub(crate) fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        format!("emu{n:012}")
    }
}

/// A short hex digest of `parts`: derived ids, cursors and amounts, the same for the same seed.
pub(crate) fn digest(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
