//! The queues, one per receiving URL: a webhook goes behind its URL's earlier ones, and the
//! URL's task (`worker.rs`) is spawned with its queue on the URL's first webhook (or the first
//! after the task ended, idle).

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::delivery::{lock, Outgoing, Queues, Shared, WebhookDelivery, ATTEMPT_TIMEOUT};
use super::keys::WebhookKeys;
use super::log::DeliveryLog;
use super::worker::Worker;
use crate::model::clock::EmulatorClock;

/// The queues; a URL's task lives while its queue has webhooks (and `IDLE` after).
pub(crate) struct Delivery {
    queues: Arc<Queues>,
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
}

impl Delivery {
    /// No queues yet; URLs' tasks will be spawned on the current Tokio runtime, their retries
    /// scheduled on `clock`.
    pub(crate) fn start(keys: Arc<WebhookKeys>, clock: Arc<EmulatorClock>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .build()
            .unwrap_or_default();
        let shared = Shared {
            http,
            keys,
            clock,
            mode: Mutex::new(WebhookDelivery::InOrder),
            log: Arc::default(),
        };
        Self {
            queues: Arc::default(),
            shared: Arc::new(shared),
            runtime: tokio::runtime::Handle::current(),
        }
    }

    /// Queue `body` for `url`, behind the URL's earlier webhooks; returns at once.
    pub(crate) fn send(&self, url: String, body: Vec<u8>) {
        let ticket = self.shared.log.fired();
        let mut queues = lock(&self.queues);
        let queue = queues.entry(url.clone()).or_insert_with(|| {
            let (queue, pending) = mpsc::unbounded_channel();
            let worker = Worker::new(url, self.shared.clone(), Arc::downgrade(&self.queues));
            self.runtime.spawn(worker.run(pending));
            queue
        });
        if let Err(mpsc::error::SendError(lost)) = queue.send(Outgoing { ticket, body }) {
            // Its task ended (only with the runtime): nobody waits for this webhook any more.
            drop(lost);
            self.shared.log.finished();
        }
    }

    /// How webhooks are delivered from now on.
    pub(crate) fn set_mode(&self, mode: WebhookDelivery) {
        *self
            .shared
            .mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = mode;
    }

    /// The log of every attempt.
    pub(crate) fn log(&self) -> &DeliveryLog {
        &self.shared.log
    }

    /// Back to the start: `mode`, an empty log, webhooks fired before not sent any more.
    pub(crate) fn reset(&self, mode: WebhookDelivery) {
        self.set_mode(mode);
        self.shared.log.clear();
    }
}
