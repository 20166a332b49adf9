//! The HTTP side of Plaid's surface: every request read and checked (`server.rs`), faults
//! (`faults.rs`) and rate limits (`rate_limits.rs`) decided before the operation, on
//! connections a fault can cut (`connection.rs`), then answered by `api/`; what was asked
//! and answered is journaled (`journal.rs`) and, if asked for, recorded (`record.rs`).
//!
//! [`Emulated`] is the emulator as the transport sees it: what the operations see (the model,
//! the webhooks, the examples), and beside it the keys, a request counter for request ids, the
//! injected faults, the rate limits and the journal, each behind its own lock or atomic.

pub(crate) mod connection;
pub(crate) mod faults;
pub(crate) mod journal;
pub(crate) mod rate_limits;
pub(crate) mod record;
pub(crate) mod server;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::api::Api;
use crate::model::clock::{Clock, EmulatorClock};
use crate::transport::faults::Faults;
use crate::transport::journal::Journal;
use crate::transport::rate_limits::{Limiter, RateLimits};
use crate::transport::record::Recorder;

/// The keys requests must carry.
pub(crate) struct Keys {
    pub(crate) client_id: String,
    pub(crate) secret: String,
}

/// The emulator as its server and its control calls see it. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Emulated {
    /// The model, the webhooks and the examples: what the operations see.
    pub(crate) api: Api,
    pub(crate) keys: Arc<Keys>,
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
    /// The emulator of `seed`, checking `keys` and enforcing `rate_limits`, on `clock`; its
    /// webhook delivery task is spawned on the current runtime.
    pub(crate) fn new(seed: u64, keys: Keys, rate_limits: RateLimits, clock: Clock) -> Self {
        Self {
            api: Api::new(seed, Arc::new(EmulatorClock::new(clock))),
            keys: Arc::new(keys),
            record: Recorder::from_env().map(Arc::new),
            faults: Arc::default(),
            limits: {
                let limits = Limiter::default();
                limits.set(rate_limits.clone());
                Arc::new(limits)
            },
            initial_limits: Arc::new(rate_limits),
            journal: Arc::default(),
            requests: Arc::default(),
        }
    }

    /// Back to a fresh start: no Items, tokens, transfers, faults, records, request ids from 1
    /// again, the clock at its start, and the configured rate limits with empty windows.
    pub(crate) fn reset(&self) {
        self.api.model.reset();
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
