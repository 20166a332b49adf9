//! The emulator as its handlers see it: the model (the state and its one lock), and beside it
//! the keys, a request counter for request ids, the injected faults, the rate limits and the
//! journal, each behind its own lock or atomic.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::examples::Examples;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::model::state::Model;
use crate::rate_limits::{Limiter, RateLimits};
use crate::record::Recorder;
use crate::webhook_delivery::Delivery;
use crate::webhook_keys::WebhookKeys;
use crate::EmulatorConfig;

/// The keys requests must carry.
pub(crate) struct Keys {
    pub(crate) client_id: String,
    pub(crate) secret: String,
}

/// The emulator as its handlers see it. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Emulated {
    /// The state and its one lock.
    pub(crate) model: Model,
    pub(crate) keys: Arc<Keys>,
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
}

impl Emulated {
    /// The emulator's state; its webhook delivery task is spawned on the current runtime.
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let webhook_keys = Arc::new(WebhookKeys::new(config.seed));
        Self {
            model: Model::new(config.seed),
            keys: Arc::new(Keys {
                client_id: config.client_id.clone(),
                secret: config.secret.clone(),
            }),
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
        }
    }

    /// Back to a fresh start: no Items, tokens, transfers, faults, records, request ids from 1
    /// again, and the configured rate limits with empty windows.
    pub(crate) fn reset(&self) {
        self.model.reset();
        self.limits.set(RateLimits::clone(&self.initial_limits));
        self.faults.clear();
        self.journal.clear();
        self.requests.store(0, Ordering::Relaxed);
    }

    /// The next request id.
    pub(crate) fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        format!("emu{n:012}")
    }
}
