//! The keys webhooks are signed with, and their rotation (docs,
//! `api-webhooks-webhook-verification.txt`, "Caching and key rotation": a verifier meets a new
//! `kid` and fetches it, and refetches the keys it holds to see their `expired_at`). One key
//! signs at a time; a rotated-out key is still served by `/webhook_verification_key/get` for
//! its `kid`, with `expired_at` set to when it was rotated out.

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use plaid_client::webhooks::WebhookSigner;

/// Every key the emulator has signed with; the last one signs.
pub(crate) struct WebhookKeys {
    seed: u64,
    keys: Mutex<Vec<WebhookSigner>>,
}

impl WebhookKeys {
    /// The first key of `seed` (the same key for the same seed, every run).
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            keys: Mutex::new(vec![key(seed, 0)]),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<WebhookSigner>> {
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The key that signs now.
    pub(crate) fn current(&self) -> WebhookSigner {
        let keys = self.lock();
        keys.last().cloned().unwrap_or_else(|| key(self.seed, 0))
    }

    /// The key named `kid`, current or rotated out.
    pub(crate) fn find(&self, kid: &str) -> Option<WebhookSigner> {
        self.lock().iter().find(|k| k.kid() == kid).cloned()
    }

    /// A new signing key; the one it replaces is served from now on with `expired_at` = now.
    /// Returns the new key's `kid`.
    pub(crate) fn rotate(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let mut keys = self.lock();
        let generation = keys.len() as u64;
        if let Some(last) = keys.pop() {
            keys.push(last.expired_at(Some(now)));
        }
        let next = key(self.seed, generation);
        let kid = next.kid().to_string();
        keys.push(next);
        kid
    }
}

impl WebhookKeys {
    /// Back to the first key of the seed, as at the start: rotated keys are forgotten.
    pub(crate) fn reset(&self) {
        *self.lock() = vec![key(self.seed, 0)];
    }
}

/// The `generation`th key of `seed`: the first keeps the emulator's original seed and `kid`.
fn key(seed: u64, generation: u64) -> WebhookSigner {
    if generation == 0 {
        WebhookSigner::from_seed(
            format!("plaid-emulator-{seed}").as_bytes(),
            format!("emulator-key-{seed}"),
        )
    } else {
        WebhookSigner::from_seed(
            format!("plaid-emulator-{seed}-{generation}").as_bytes(),
            format!("emulator-key-{seed}-{generation}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotated_key_is_kept_expired_and_the_new_one_signs() {
        let keys = WebhookKeys::new(7);
        let first = keys.current().kid().to_string();
        let second = keys.rotate();
        assert_ne!(first, second);
        assert_eq!(keys.current().kid(), second);
        let old = keys.find(&first).map(|k| k.jwk());
        assert!(old.is_some_and(|jwk| jwk["expired_at"].is_i64()));
        let new = keys.find(&second).map(|k| k.jwk());
        assert!(new.is_some_and(|jwk| jwk["expired_at"].is_null()));
    }
}
