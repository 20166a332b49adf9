//! The delivery log: every attempt to deliver a webhook, with what the receiver answered, for a
//! test to assert on or wait for without sleeping. It keeps the last
//! [`DELIVERY_LOG_CAPACITY`] attempts; the last attempt of each send carries its final
//! [`DeliveryOutcome`]. A `watch` channel announces each new entry and another counts the
//! webhooks not finished yet (queued, held back or in flight), so waits wake when something
//! happens, never by polling.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde::{Serialize, Serializer};
use serde_json::Value;
use tokio::sync::watch;

/// How many attempts the delivery log keeps: the oldest go first.
pub const DELIVERY_LOG_CAPACITY: usize = 10_000;

/// One attempt to deliver a webhook, as [`crate::Emulator::deliveries`] and
/// `GET /emulator/webhooks` show it (in JSON: `time` in milliseconds since the Unix epoch,
/// `duration_ms`, `outcome` `"delivered"`, `"gave_up"` or `null`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use plaid_emulator::{DeliveryOutcome, Emulator, EmulatorConfig, ItemOptions};
///
/// let emulator = Emulator::start(EmulatorConfig::default()).await?;
/// // A loopback port nobody listens on: every attempt is refused, and the emulator gives up.
/// let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
/// let url = format!("http://{closed}/hook");
/// let item = emulator.create_item(ItemOptions::default().webhook(url.as_str()));
/// emulator.add_transactions(&item.item_id, 1)?; // fires SYNC_UPDATES_AVAILABLE
///
/// let last = emulator
///     .wait_for_delivery(|d| d.url == url && d.outcome.is_some(), Duration::from_secs(10))
///     .await?;
/// assert_eq!(last.webhook_code, "SYNC_UPDATES_AVAILABLE");
/// assert_eq!((last.attempt, last.outcome), (3, Some(DeliveryOutcome::GaveUp)));
/// assert!(last.status.is_none() && last.error.is_some()); // refused: `error` says how
///
/// // Every webhook fired so far has finished: nothing more will be attempted.
/// let log = emulator.wait_for_webhooks_settled(Duration::from_secs(10)).await?;
/// assert_eq!(log.len(), 3);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Delivery {
    /// Which webhook: 1 for the first fired since the start (or the last reset), 2 for the
    /// next, … Every attempt of a webhook, and of its duplicate, carries its number.
    pub webhook_id: u64,
    /// Where it was POSTed.
    pub url: String,
    /// Its body's `webhook_type`, e.g. `TRANSACTIONS`.
    pub webhook_type: String,
    /// Its body's `webhook_code`, e.g. `SYNC_UPDATES_AVAILABLE`.
    pub webhook_code: String,
    /// The body sent, as JSON.
    pub body: Value,
    /// 1 for the webhook, 2 for its second copy under [`crate::WebhookDelivery::Duplicated`].
    pub copy: u32,
    /// Which attempt of this copy: 1, 2, … up to 3.
    pub attempt: u32,
    /// The HTTP status the receiver answered; `None` when there was no answer.
    pub status: Option<u16>,
    /// Why there was no answer (refused, timed out, …), as text.
    pub error: Option<String>,
    /// When the attempt ended (the answer's headers arrived, or it failed), on the emulator's
    /// clock ([`crate::Clock`]): with a manual clock, the instant it stood at.
    #[serde(serialize_with = "unix_millis")]
    pub time: SystemTime,
    /// How long the attempt took.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// On the last attempt of a copy, how it ended; `None` when another attempt follows.
    pub outcome: Option<DeliveryOutcome>,
}

/// How the delivery of a webhook (one copy of it) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx: no more attempts.
    Delivered,
    /// Every attempt failed (no 2xx answer): the emulator stopped trying.
    GaveUp,
}

/// Why a wait on the delivery log returned without what it waited for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// Nothing matched within the time given.
    #[error("nothing matched within {waited:?}")]
    TimedOut {
        /// The time given.
        waited: Duration,
    },
}

fn unix_millis<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let millis = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    s.serialize_u128(millis)
}

fn millis<S: Serializer>(duration: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(duration.as_millis())
}

#[derive(Default)]
struct Entries {
    log: VecDeque<Delivery>,
    /// Bumped by every clear: attempts of webhooks fired before it are not logged.
    generation: u64,
    /// Webhooks fired in this generation.
    fired: u64,
    /// Attempts logged in this generation (kept or not).
    logged: u64,
}

/// The log, and the channels its waits listen on.
pub(crate) struct DeliveryLog {
    entries: Mutex<Entries>,
    /// Bumped by every entry logged (and by every clear).
    logged: watch::Sender<u64>,
    /// Webhooks fired and not finished: queued, held back, or being attempted.
    unfinished: watch::Sender<u64>,
}

impl Default for DeliveryLog {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
            logged: watch::Sender::new(0),
            unfinished: watch::Sender::new(0),
        }
    }
}

/// A webhook fired: its number and the log generation it belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    pub(crate) webhook_id: u64,
    pub(crate) generation: u64,
}

impl DeliveryLog {
    fn entries(&self) -> MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A webhook is fired: it counts as unfinished until [`Self::finished`].
    pub(crate) fn fired(&self) -> Ticket {
        let mut entries = self.entries();
        entries.fired += 1;
        self.unfinished.send_modify(|n| *n += 1);
        Ticket {
            webhook_id: entries.fired,
            generation: entries.generation,
        }
    }

    /// A webhook's every copy has ended (or it was dropped by a reset).
    pub(crate) fn finished(&self) {
        self.unfinished.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Whether `ticket` was fired since the last clear: older webhooks are not sent any more.
    pub(crate) fn is_current(&self, ticket: Ticket) -> bool {
        self.entries().generation == ticket.generation
    }

    /// Log one attempt of a webhook of `ticket`'s generation.
    pub(crate) fn record(&self, ticket: Ticket, delivery: Delivery) {
        let mut entries = self.entries();
        if entries.generation != ticket.generation {
            return;
        }
        if entries.log.len() == DELIVERY_LOG_CAPACITY {
            entries.log.pop_front();
        }
        entries.log.push_back(delivery);
        entries.logged += 1;
        drop(entries);
        self.logged.send_modify(|n| *n += 1);
    }

    /// Every attempt kept, oldest first.
    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.entries().log.iter().cloned().collect()
    }

    /// Empty, numbering webhooks from 1 again; webhooks fired before are not sent any more.
    pub(crate) fn clear(&self) {
        let mut entries = self.entries();
        entries.log.clear();
        entries.fired = 0;
        entries.logged = 0;
        entries.generation += 1;
        drop(entries);
        self.logged.send_modify(|n| *n += 1);
    }

    /// The oldest attempt kept that `matches`, as soon as there is one.
    pub(crate) async fn wait_for(
        &self,
        matches: impl Fn(&Delivery) -> bool,
        timeout: Duration,
    ) -> Result<Delivery, WaitError> {
        // Subscribed before looking: an entry logged after the look wakes the wait.
        let mut logged = self.logged.subscribe();
        let search = async {
            let mut seen = None;
            loop {
                // Matched outside the lock: `matches` may call back into the emulator.
                if let Some(found) = self.since(&mut seen).into_iter().find(|d| matches(d)) {
                    return found;
                }
                if logged.changed().await.is_err() {
                    // The sender is `self`'s and outlives this borrow: never reached.
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, search)
            .await
            .map_err(|_| WaitError::TimedOut { waited: timeout })
    }

    /// The attempts kept that were logged after `seen` (all of them the first time, or after a
    /// clear); `seen` then marks the newest.
    fn since(&self, seen: &mut Option<(u64, u64)>) -> Vec<Delivery> {
        let entries = self.entries();
        let fresh = match *seen {
            Some((generation, logged)) if generation == entries.generation => {
                usize::try_from(entries.logged - logged).unwrap_or(usize::MAX)
            }
            _ => entries.log.len(),
        };
        *seen = Some((entries.generation, entries.logged));
        let skip = entries.log.len().saturating_sub(fresh);
        entries.log.iter().skip(skip).cloned().collect()
    }

    /// Once every webhook fired so far has finished, the log.
    pub(crate) async fn settled(&self, timeout: Duration) -> Result<Vec<Delivery>, WaitError> {
        let mut unfinished = self.unfinished.subscribe();
        let idle = async { unfinished.wait_for(|n| *n == 0).await.is_ok() };
        match tokio::time::timeout(timeout, idle).await {
            Ok(true) => Ok(self.deliveries()),
            _ => Err(WaitError::TimedOut { waited: timeout }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(webhook_id: u64) -> Delivery {
        Delivery {
            webhook_id,
            url: "http://127.0.0.1:9/hook".into(),
            webhook_type: "TRANSACTIONS".into(),
            webhook_code: "SYNC_UPDATES_AVAILABLE".into(),
            body: Value::Null,
            copy: 1,
            attempt: 1,
            status: Some(200),
            error: None,
            time: SystemTime::now(),
            duration: Duration::ZERO,
            outcome: Some(DeliveryOutcome::Delivered),
        }
    }

    #[test]
    fn the_log_keeps_the_last_attempts() {
        let log = DeliveryLog::default();
        for _ in 0..DELIVERY_LOG_CAPACITY + 5 {
            let ticket = log.fired();
            log.record(ticket, attempt(ticket.webhook_id));
        }
        let kept = log.deliveries();
        assert_eq!(kept.len(), DELIVERY_LOG_CAPACITY);
        assert_eq!(kept[0].webhook_id, 6, "the oldest went first");
    }

    #[tokio::test]
    async fn a_wait_wakes_on_the_entry_and_a_cleared_generation_is_not_logged() {
        let log = std::sync::Arc::new(DeliveryLog::default());
        let old = log.fired();
        log.clear();
        log.record(old, attempt(old.webhook_id));
        assert!(log.deliveries().is_empty(), "fired before the clear");
        log.finished();
        let ticket = log.fired();
        assert_eq!(ticket.webhook_id, 1, "numbered from 1 again");
        let writer = log.clone();
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            writer.record(ticket, attempt(ticket.webhook_id));
            writer.finished();
        });
        // The match may read the log itself: it runs outside the log's lock.
        let matches = |d: &Delivery| d.webhook_id == 1 && !log.deliveries().is_empty();
        let found = log.wait_for(matches, Duration::from_secs(5));
        assert_eq!(found.await.map(|d| d.webhook_id), Ok(1));
        assert_eq!(
            log.settled(Duration::from_secs(5)).await.map(|l| l.len()),
            Ok(1)
        );
        let none = log.wait_for(|d| d.webhook_id == 2, Duration::from_millis(10));
        assert!(matches!(none.await, Err(WaitError::TimedOut { .. })));
    }
}
