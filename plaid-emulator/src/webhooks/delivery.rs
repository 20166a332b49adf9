//! Webhook delivery, what its parts share: one queue per receiving URL (`dispatch.rs` makes
//! them), each drained by its own background task (`worker.rs`, made on the URL's first
//! webhook), which POSTs each webhook, signed with the
//! current key (docs, `api-webhooks-webhook-verification.txt`), to its URL. Order is kept per
//! URL, and a receiver that hangs delays only its own webhooks. A delivery not answered with
//! 2xx is tried again, [`DELIVERY_ATTEMPTS`] times in all, [`RETRY_DELAY`] apart on the
//! emulator's clock (so with a manual clock a retry is due when an advance passes its time), as
//! Plaid retries a webhook that was not acknowledged (docs, `api-webhooks.txt`: "up to two
//! times"); each attempt times out after [`ATTEMPT_TIMEOUT`]. Requests never wait for a
//! delivery. Tests can ask for every webhook twice, or for pending ones reordered (per URL),
//! since Plaid promises neither exactly-once nor in-order delivery. Every attempt is logged (`log.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use tokio::sync::mpsc;

use super::keys::WebhookKeys;
use super::log::{DeliveryLog, Ticket};
use crate::model::clock::EmulatorClock;

/// How often a webhook is sent before the emulator gives up on it.
pub(crate) const DELIVERY_ATTEMPTS: u32 = 3;
/// The pause between two attempts of one webhook, on the emulator's clock.
pub(crate) const RETRY_DELAY: Duration = Duration::from_millis(100);
/// How long one attempt may take.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`WebhookDelivery::OutOfOrder`] holds a webhook back for a later one to overtake it.
pub(crate) const HOLD: Duration = Duration::from_secs(1);
/// How long a URL's task waits for another webhook before it ends (made again on the next).
pub(crate) const IDLE: Duration = Duration::from_secs(30);

/// How the emulator delivers webhooks (set with `Emulator::set_webhook_delivery`), to each
/// receiving URL on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WebhookDelivery {
    /// Each webhook once, in the order they were fired (the default).
    #[default]
    InOrder,
    /// Each webhook twice in a row: a receiver must be idempotent.
    Duplicated,
    /// Pending webhooks to one URL swapped in pairs: a webhook is held back (up to 1 s) until
    /// the next one to its URL is fired, which is delivered first; one left alone is delivered
    /// when the hold ends.
    OutOfOrder,
}

/// One webhook waiting to be delivered.
pub(crate) struct Outgoing {
    pub(crate) ticket: Ticket,
    pub(crate) body: Vec<u8>,
}

/// Each URL's queue, by URL.
pub(crate) type Queues = Mutex<HashMap<String, mpsc::UnboundedSender<Outgoing>>>;

/// What every URL's task shares: how to send, what to sign with, the mode, the log.
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) keys: Arc<WebhookKeys>,
    /// The emulator's clock: retries are scheduled on it, attempts logged with its time.
    pub(crate) clock: Arc<EmulatorClock>,
    pub(crate) mode: Mutex<WebhookDelivery>,
    pub(crate) log: Arc<DeliveryLog>,
}

impl Shared {
    /// The mode now.
    pub(crate) fn mode(&self) -> WebhookDelivery {
        *self
            .mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The queues, locked (a panic elsewhere left the map whole: it is taken anyway).
pub(crate) fn lock(
    queues: &Queues,
) -> MutexGuard<'_, HashMap<String, mpsc::UnboundedSender<Outgoing>>> {
    queues
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A weak handle on the queues, for a URL's task to take its own queue out when idle.
pub(crate) type QueuesRef = Weak<Queues>;
