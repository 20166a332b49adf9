//! Webhook delivery: one queue per emulator, drained by one background task that POSTs each
//! webhook, signed with the current key (docs, `api-webhooks-webhook-verification.txt`), to
//! its URL. A delivery not answered with 2xx is tried again, [`DELIVERY_ATTEMPTS`] times in
//! all, [`RETRY_DELAY`] apart, as Plaid retries a webhook that was not acknowledged (docs,
//! `api-webhooks.txt`); each attempt times out after [`ATTEMPT_TIMEOUT`]. Requests never wait
//! for a delivery. Tests can ask for every webhook twice, or for pending ones reordered, since
//! Plaid promises neither exactly-once nor in-order delivery.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::keys::WebhookKeys;

/// How often a webhook is sent before the emulator gives up on it.
pub(crate) const DELIVERY_ATTEMPTS: u32 = 3;
/// The pause between two attempts of one webhook.
pub(crate) const RETRY_DELAY: Duration = Duration::from_millis(100);
/// How long one attempt may take.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`WebhookDelivery::OutOfOrder`] holds a webhook back for a later one to overtake it.
pub(crate) const HOLD: Duration = Duration::from_secs(1);

/// How the emulator delivers webhooks (set with `Emulator::set_webhook_delivery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WebhookDelivery {
    /// Each webhook once, in the order they were fired (the default).
    #[default]
    InOrder,
    /// Each webhook twice in a row: a receiver must be idempotent.
    Duplicated,
    /// Pending webhooks swapped in pairs: a webhook is held back (up to 1 s) until the next
    /// one is fired, which is delivered first; one left alone is delivered when the hold ends.
    OutOfOrder,
}

/// One webhook waiting to be delivered.
struct Outgoing {
    url: String,
    body: Vec<u8>,
}

/// The queue and the mode; the task that drains it lives as long as the queue.
pub(crate) struct Delivery {
    queue: mpsc::UnboundedSender<Outgoing>,
    mode: Arc<Mutex<WebhookDelivery>>,
}

impl Delivery {
    /// The queue, and its task spawned on the current Tokio runtime.
    pub(crate) fn start(keys: Arc<WebhookKeys>) -> Self {
        let (queue, pending) = mpsc::unbounded_channel();
        let mode = Arc::new(Mutex::new(WebhookDelivery::InOrder));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .build()
            .unwrap_or_default();
        let worker = Worker {
            http,
            keys,
            mode: mode.clone(),
        };
        tokio::spawn(worker.run(pending));
        Self { queue, mode }
    }

    /// Queue `body` for `url`; returns at once.
    pub(crate) fn send(&self, url: String, body: Vec<u8>) {
        // The task only ends with the emulator, and then nobody waits for webhooks.
        let _ = self.queue.send(Outgoing { url, body });
    }

    /// How webhooks are delivered from now on.
    pub(crate) fn set_mode(&self, mode: WebhookDelivery) {
        *self
            .mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = mode;
    }
}

struct Worker {
    http: reqwest::Client,
    keys: Arc<WebhookKeys>,
    mode: Arc<Mutex<WebhookDelivery>>,
}

impl Worker {
    fn mode(&self) -> WebhookDelivery {
        *self
            .mode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn run(self, mut pending: mpsc::UnboundedReceiver<Outgoing>) {
        let mut held: Option<Outgoing> = None;
        loop {
            let next = match &held {
                Some(_) => tokio::time::timeout(HOLD, pending.recv()).await,
                None => Ok(pending.recv().await),
            };
            match next {
                Ok(None) => break,
                Err(_held_long_enough) => self.flush(&mut held).await,
                Ok(Some(webhook)) => match self.mode() {
                    WebhookDelivery::InOrder => {
                        self.flush(&mut held).await;
                        self.deliver(&webhook).await;
                    }
                    WebhookDelivery::Duplicated => {
                        self.flush(&mut held).await;
                        self.deliver(&webhook).await;
                        self.deliver(&webhook).await;
                    }
                    WebhookDelivery::OutOfOrder => match held.take() {
                        Some(earlier) => {
                            self.deliver(&webhook).await;
                            self.deliver(&earlier).await;
                        }
                        None => held = Some(webhook),
                    },
                },
            }
        }
        self.flush(&mut held).await;
    }

    async fn flush(&self, held: &mut Option<Outgoing>) {
        if let Some(webhook) = held.take() {
            self.deliver(&webhook).await;
        }
    }

    /// POST one webhook, signed now with the current key; retried until answered with 2xx.
    async fn deliver(&self, webhook: &Outgoing) {
        for attempt in 1..=DELIVERY_ATTEMPTS {
            let jwt = self.keys.current().sign_now(&webhook.body);
            let sent = self
                .http
                .post(&webhook.url)
                .header("content-type", "application/json")
                .header("plaid-verification", jwt)
                .body(webhook.body.clone())
                .send()
                .await;
            if matches!(&sent, Ok(r) if r.status().is_success()) {
                return;
            }
            if attempt < DELIVERY_ATTEMPTS {
                tokio::time::sleep(RETRY_DELAY).await;
            }
        }
    }
}
