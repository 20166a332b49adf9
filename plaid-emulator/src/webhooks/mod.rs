//! Webhooks, signed like Plaid signs them (docs: `api-webhooks.txt`,
//! `api-webhooks-webhook-verification.txt`): each body a value of its generated webhook type
//! (`bodies.rs`), queued and delivered as HTTP POSTs with a `Plaid-Verification` ES256 JWT
//! (`delivery.rs`: a queue per receiving URL, `dispatch.rs`, each drained by its own task,
//! `worker.rs`),
//! signed with keys that rotate (`keys.rs`), every attempt logged (`log.rs`). Uses the model
//! only: the operations that fire webhooks or serve the keys are `api/`'s.

pub(crate) mod bodies;
pub(crate) mod delivery;
pub(crate) mod dispatch;
pub(crate) mod keys;
pub(crate) mod log;
pub(crate) mod worker;

use std::sync::Arc;

use crate::model::clock::EmulatorClock;
use crate::webhooks::delivery::WebhookDelivery;
use crate::webhooks::dispatch::Delivery;
use crate::webhooks::keys::WebhookKeys;

/// The signing keys and the delivery queue. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Webhooks {
    /// The keys webhooks are signed with; `/webhook_verification_key/get` serves them.
    pub(crate) keys: Arc<WebhookKeys>,
    /// Delivers webhooks in the background, and logs every attempt.
    pub(crate) delivery: Arc<Delivery>,
}

impl Webhooks {
    /// The first key of `seed`; delivery tasks will be spawned on the current Tokio runtime,
    /// and retries scheduled on `clock`.
    pub(crate) fn start(seed: u64, clock: Arc<EmulatorClock>) -> Self {
        let keys = Arc::new(WebhookKeys::new(seed));
        Self {
            delivery: Arc::new(Delivery::start(keys.clone(), clock)),
            keys,
        }
    }

    /// Queue a webhook body (already typed) for `url`; returns at once.
    pub(crate) fn deliver(&self, url: String, body: Vec<u8>) {
        self.delivery.send(url, body);
    }

    /// Back to the start: the seed's first key, `mode`, an empty delivery log, and webhooks
    /// fired before not sent any more.
    pub(crate) fn reset(&self, mode: WebhookDelivery) {
        self.keys.reset();
        self.delivery.reset(mode);
    }
}
