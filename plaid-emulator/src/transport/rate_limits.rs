//! Emulated rate limits (docs: `errors-rate-limit-exceeded.txt`, "Rate limit table"; the table
//! and its path matching are `plaid_client::rate_limits`, which plaid-sync's pacer reads too):
//! per client and per Item sliding windows of each operation; a request over either limit is
//! answered 429 with `error_type` `RATE_LIMIT_EXCEEDED` and the endpoint's code. Off unless set
//! ([`crate::Emulator::set_rate_limits`], `--rate-limits plaid`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use plaid_client::rate_limits::matches_path;

use crate::model::clock::since;

/// One limit: `requests` per `window`.
pub type Limit = (u32, Duration);

/// One operation's limits (`path` may hold `*` for one path segment: `/transfer/*/get`).
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    path: String,
    per_client: Option<Limit>,
    per_item: Option<Limit>,
}

/// Which limits the emulator enforces. [`RateLimits::off`] (the default) enforces none.
///
/// ```
/// use std::time::Duration;
/// use plaid_emulator::RateLimits;
/// // Plaid's Sandbox limits, with a minute lasting a second.
/// let fast = RateLimits::plaid_documented().time_scale(60.0);
/// // Or a limit of one's own: 10 per client, 2 per Item, per second.
/// let own = RateLimits::custom("/accounts/get", (10, Duration::from_secs(1)), (2, Duration::from_secs(1)));
/// # let _ = (fast, own);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    rules: Vec<Rule>,
    time_scale: f64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::off()
    }
}

impl RateLimits {
    /// No limits.
    pub fn off() -> Self {
        Self {
            rules: Vec::new(),
            time_scale: 1.0,
        }
    }

    /// Plaid's documented Sandbox limits for every endpoint its table lists (docs:
    /// `errors-rate-limit-exceeded.txt`): `/transactions/sync` 50 per Item and 1,000 per client
    /// per minute, `/accounts/get` 100 and 5,000, `/transfer/create` 100 per client, …
    pub fn plaid_documented() -> Self {
        let pair = |l: plaid_client::rate_limits::Limit| (l.count, l.period);
        let rules = plaid_client::rate_limits::SANDBOX
            .iter()
            .map(|row| Rule {
                path: row.endpoint.to_string(),
                per_client: Some(pair(row.per_client)),
                per_item: row.per_item.map(pair),
            })
            .collect();
        Self {
            rules,
            time_scale: 1.0,
        }
    }

    /// One operation limited per client and per Item (a count of 0 there: no limit).
    pub fn custom(path: &str, per_client: Limit, per_item: Limit) -> Self {
        Self::off().with(path, per_client, per_item)
    }

    /// These limits and one more operation's (it replaces a rule for the same path).
    pub fn with(mut self, path: &str, per_client: Limit, per_item: Limit) -> Self {
        let some = |limit: Limit| (limit.0 > 0).then_some(limit);
        self.rules.retain(|r| r.path != path);
        self.rules.insert(
            0,
            Rule {
                path: path.to_string(),
                per_client: some(per_client),
                per_item: some(per_item),
            },
        );
        self
    }

    /// Run time `factor` times faster: a window lasts `window / factor` (60.0: Plaid's minute
    /// lasts a second) on the emulator's clock ([`crate::Clock`]; with a manual one, a window
    /// reopens when [`crate::Emulator::advance`] passes its end). Factors of 0 or less are
    /// taken as 1.
    pub fn time_scale(mut self, factor: f64) -> Self {
        self.time_scale = if factor > 0.0 && factor.is_finite() {
            factor
        } else {
            1.0
        };
        self
    }

    /// Whether any limit is set.
    pub fn is_off(&self) -> bool {
        self.rules.is_empty()
    }

    fn rule(&self, path: &str) -> Option<(usize, &Rule)> {
        self.rules
            .iter()
            .enumerate()
            .find(|(_, r)| matches_path(&r.path, path))
    }

    fn scaled(&self, window: Duration) -> Duration {
        window.div_f64(self.time_scale)
    }
}

#[derive(Default)]
struct Windows {
    limits: RateLimits,
    /// Request times by (rule, Item; `None` for the client's window).
    /// Times on the emulator's clock, which never goes back.
    hits: HashMap<(usize, Option<String>), VecDeque<SystemTime>>,
}

/// The limits in force and their windows. Requests skip the lock while limits are off.
#[derive(Default)]
pub(crate) struct Limiter {
    on: AtomicBool,
    windows: Mutex<Windows>,
}

/// Whether a window of `limit` with these request times has room at `now` (old times dropped).
fn room(times: &mut VecDeque<SystemTime>, limit: Limit, window: Duration, now: SystemTime) -> bool {
    while times.front().is_some_and(|t| since(now, *t) >= window) {
        times.pop_front();
    }
    times.len() < limit.0 as usize
}

impl Limiter {
    fn windows(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Enforce `limits` from now on, with empty windows.
    pub(crate) fn set(&self, limits: RateLimits) {
        let mut windows = self.windows();
        self.on.store(!limits.is_off(), Ordering::Release);
        *windows = Windows {
            limits,
            hits: HashMap::new(),
        };
    }

    /// Whether a request to `path` (for `item_id`) arriving at `now` (on the emulator's clock)
    /// is within the limits; counted if it is.
    pub(crate) fn admit(&self, path: &str, item_id: Option<&str>, now: SystemTime) -> bool {
        if !self.on.load(Ordering::Acquire) {
            return true;
        }
        let mut windows = self.windows();
        let Windows { limits, hits } = &mut *windows;
        let Some((index, rule)) = limits.rule(path) else {
            return true;
        };
        let mut keys = Vec::with_capacity(2);
        if let Some(limit) = rule.per_client {
            keys.push(((index, None), limit));
        }
        if let (Some(limit), Some(item)) = (rule.per_item, item_id) {
            keys.push(((index, Some(item.to_string())), limit));
        }
        let admitted = keys.iter().all(|(key, limit)| {
            let times = hits.entry(key.clone()).or_default();
            room(times, *limit, limits.scaled(limit.1), now)
        });
        if admitted {
            for (key, _) in keys {
                hits.entry(key).or_default().push_back(now);
            }
        }
        admitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_admits_its_count_per_item_and_per_client() {
        let limiter = Limiter::default();
        let second = Duration::from_secs(60);
        limiter.set(RateLimits::custom("/a", (5, second), (2, second)));
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let a: Vec<bool> = (0..3)
            .map(|_| limiter.admit("/a", Some("i1"), now))
            .collect();
        assert_eq!(a, [true, true, false]);
        let b: Vec<bool> = (0..4)
            .map(|_| limiter.admit("/a", Some("i2"), now))
            .collect();
        assert_eq!(b, [true, true, false, false]);
        assert!(
            limiter.admit("/a", Some("i3"), now),
            "the fifth for the client"
        );
        assert!(
            !limiter.admit("/a", Some("i4"), now),
            "the client's window is full"
        );
        assert!(limiter.admit("/b", Some("i1"), now), "no rule");
        let later = now + second;
        assert!(
            limiter.admit("/a", Some("i1"), later),
            "the window reopened"
        );
    }
}
