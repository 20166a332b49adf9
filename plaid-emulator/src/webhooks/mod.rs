//! Webhooks, signed like Plaid signs them (docs: `api-webhooks.txt`,
//! `api-webhooks-webhook-verification.txt`): each body a value of its generated webhook type
//! (`bodies.rs`), queued and delivered as HTTP POSTs with a `Plaid-Verification` ES256 JWT
//! (`delivery.rs`), signed with keys that rotate (`keys.rs`). Uses the model only: the
//! operations that fire webhooks or serve the keys are `api/`'s.

pub(crate) mod bodies;
pub(crate) mod delivery;
pub(crate) mod keys;

use std::sync::Arc;

use crate::webhooks::delivery::Delivery;
use crate::webhooks::keys::WebhookKeys;

/// The signing keys and the delivery queue. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Webhooks {
    /// The keys webhooks are signed with; `/webhook_verification_key/get` serves them.
    pub(crate) keys: Arc<WebhookKeys>,
    /// Delivers webhooks in the background.
    pub(crate) delivery: Arc<Delivery>,
}

impl Webhooks {
    /// The first key of `seed`, and the delivery task spawned on the current Tokio runtime.
    pub(crate) fn start(seed: u64) -> Self {
        let keys = Arc::new(WebhookKeys::new(seed));
        Self {
            delivery: Arc::new(Delivery::start(keys.clone())),
            keys,
        }
    }

    /// Queue a webhook body (already typed) for `url`; returns at once.
    pub(crate) fn deliver(&self, url: String, body: Vec<u8>) {
        self.delivery.send(url, body);
    }
}
