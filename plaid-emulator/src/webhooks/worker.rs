//! One receiving URL's task: it takes the URL's webhooks in the order they were fired, applies
//! the delivery mode to them, POSTs each (retried, see `delivery.rs`) and logs every attempt.
//! It ends when its queue has been empty for [`IDLE`], taking the queue out of the map under
//! the map's lock, so a webhook is never queued to a task that is gone.

use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use tokio::sync::mpsc;

use super::delivery::{
    lock, Outgoing, QueuesRef, Shared, WebhookDelivery, ATTEMPT_TIMEOUT, DELIVERY_ATTEMPTS, HOLD,
    IDLE, RETRY_DELAY,
};
use super::log::{Delivery, DeliveryOutcome};
use std::sync::Arc;

/// The most of a transport error's text the log keeps.
const MAX_ERROR_TEXT: usize = 512;

/// The task of one URL.
pub(crate) struct Worker {
    url: String,
    shared: Arc<Shared>,
    queues: QueuesRef,
}

/// What the log says of a webhook whatever the attempt: its body and what it is.
struct Described<'a> {
    webhook: &'a Outgoing,
    body: Value,
    webhook_type: String,
    webhook_code: String,
}

/// What one attempt got: the status answered, or why there was none.
struct Answer {
    status: Option<u16>,
    error: Option<String>,
    time: SystemTime,
    duration: Duration,
}

impl Worker {
    pub(crate) fn new(url: String, shared: Arc<Shared>, queues: QueuesRef) -> Self {
        Self {
            url,
            shared,
            queues,
        }
    }

    /// Deliver the URL's webhooks until its queue closes or stays empty for [`IDLE`].
    pub(crate) async fn run(self, mut pending: mpsc::UnboundedReceiver<Outgoing>) {
        let mut held: Option<Outgoing> = None;
        loop {
            let wait = if held.is_some() { HOLD } else { IDLE };
            match tokio::time::timeout(wait, pending.recv()).await {
                Ok(None) => break,
                Ok(Some(webhook)) => self.take(webhook, &mut held).await,
                Err(_held_long_enough) if held.is_some() => self.flush(&mut held).await,
                Err(_idle) => match self.leave(&mut pending) {
                    Some(webhook) => self.take(webhook, &mut held).await,
                    None => return,
                },
            }
        }
        self.flush(&mut held).await;
    }

    /// Idle: take this URL's queue out of the map, unless a webhook arrived meanwhile.
    fn leave(&self, pending: &mut mpsc::UnboundedReceiver<Outgoing>) -> Option<Outgoing> {
        let queues = self.queues.upgrade()?;
        let mut queues = lock(&queues);
        match pending.try_recv() {
            Ok(webhook) => Some(webhook),
            Err(_) => {
                queues.remove(&self.url);
                None
            }
        }
    }

    /// One webhook from the queue, as the mode says.
    async fn take(&self, webhook: Outgoing, held: &mut Option<Outgoing>) {
        match self.shared.mode() {
            WebhookDelivery::OutOfOrder => match held.take() {
                Some(earlier) => {
                    self.deliver(&webhook, 1).await;
                    self.deliver(&earlier, 1).await;
                }
                None => *held = Some(webhook),
            },
            WebhookDelivery::Duplicated => {
                self.flush(held).await;
                self.deliver(&webhook, 2).await;
            }
            WebhookDelivery::InOrder => {
                self.flush(held).await;
                self.deliver(&webhook, 1).await;
            }
        }
    }

    async fn flush(&self, held: &mut Option<Outgoing>) {
        if let Some(webhook) = held.take() {
            self.deliver(&webhook, 1).await;
        }
    }

    /// `copies` sends of one webhook, each retried until answered 2xx; then it is finished.
    async fn deliver(&self, webhook: &Outgoing, copies: u32) {
        let body: Value = serde_json::from_slice(&webhook.body).unwrap_or(Value::Null);
        let text = |key: &str| body[key].as_str().unwrap_or_default().to_string();
        let described = Described {
            webhook,
            webhook_type: text("webhook_type"),
            webhook_code: text("webhook_code"),
            body: body.clone(),
        };
        for copy in 1..=copies {
            self.send(&described, copy).await;
        }
        self.shared.log.finished();
    }

    /// One copy, attempted until answered 2xx or [`DELIVERY_ATTEMPTS`] times; each logged.
    async fn send(&self, webhook: &Described<'_>, copy: u32) {
        for attempt in 1..=DELIVERY_ATTEMPTS {
            if !self.shared.log.is_current(webhook.webhook.ticket) {
                return; // fired before a reset
            }
            let answer = self.attempt(&webhook.webhook.body).await;
            let delivered = answer.status.is_some_and(|s| (200..300).contains(&s));
            let outcome = if delivered {
                Some(DeliveryOutcome::Delivered)
            } else if attempt == DELIVERY_ATTEMPTS {
                Some(DeliveryOutcome::GaveUp)
            } else {
                None
            };
            let entry = Delivery {
                webhook_id: webhook.webhook.ticket.webhook_id,
                url: self.url.clone(),
                webhook_type: webhook.webhook_type.clone(),
                webhook_code: webhook.webhook_code.clone(),
                body: webhook.body.clone(),
                copy,
                attempt,
                status: answer.status,
                error: answer.error,
                time: answer.time,
                duration: answer.duration,
                outcome,
            };
            self.shared.log.record(webhook.webhook.ticket, entry);
            if outcome.is_some() {
                return;
            }
            // Due on the emulator's clock: a manual clock's advance wakes it, never a poll.
            self.shared.clock.until(answer.time + RETRY_DELAY).await;
        }
    }

    /// POST the body once, signed now with the current key. The answer's body is not read.
    async fn attempt(&self, body: &[u8]) -> Answer {
        let jwt = self.shared.keys.current().sign_now(body);
        let started = Instant::now();
        let sent = self
            .shared
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("plaid-verification", jwt)
            .body(body.to_vec())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(answer) => (Some(answer.status().as_u16()), None),
            Err(error) => (None, Some(why(&error))),
        };
        Answer {
            status,
            error,
            time: self.shared.clock.now(),
            duration: started.elapsed(),
        }
    }
}

/// A transport error as text, with its causes, at most [`MAX_ERROR_TEXT`] bytes.
fn why(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        format!("timed out after {ATTEMPT_TIMEOUT:?}")
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if text.len() >= MAX_ERROR_TEXT {
            break;
        }
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    let mut end = text.len().min(MAX_ERROR_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}
