//! Fault injection: failures a test asks for, decided before the request's handler runs, so a
//! client's retries, timeouts and restarts can be exercised on purpose. A fault names the
//! requests it applies to (an operation's path, an Item, both or neither), what happens to them
//! ([`FaultKind`]) and how often ([`Times`]).
//!
//! The Plaid errors a fault answers are Plaid's own (docs: `errors-rate-limit-exceeded.txt`,
//! `errors-transactions.txt`, `errors-item.txt`); a [`FaultKind::ServerError`] answers an HTML
//! page, as a load balancer in front of Plaid would.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What an injected fault does to a request it applies to.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer this HTTP status with an HTML body, as a load balancer does (no Plaid error).
    ServerError {
        /// The HTTP status, e.g. 500, 502, 503.
        status: u16,
    },
    /// Close the TCP connection without answering.
    DropConnection,
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Answer 429 `RATE_LIMIT_EXCEEDED` with the endpoint's rate-limit code (docs:
    /// `errors-rate-limit-exceeded.txt`).
    RateLimited,
    /// Answer `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION` (docs: `errors-transactions.txt`)
    /// to a `/transactions/sync` request that continues a pass (a non-initial cursor) on its
    /// `page`-th page or later (pages count from 1; the first page of a pass is never refused).
    MutationDuringPagination {
        /// The first page of a pass that is refused (2 or more).
        page: u32,
    },
    /// Answer `ITEM_LOGIN_REQUIRED` (docs: `errors-item.txt`); the Item shows the error (see
    /// [`crate::ItemView::error`]) until a request for it is next answered successfully.
    ItemLoginRequired,
}

impl FaultKind {
    /// The kind's name, as [`crate::Counters::faults`] counts it.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::ServerError { .. } => "server_error",
            FaultKind::DropConnection => "drop_connection",
            FaultKind::Delay(_) => "delay",
            FaultKind::RateLimited => "rate_limited",
            FaultKind::MutationDuringPagination { .. } => "mutation_during_pagination",
            FaultKind::ItemLoginRequired => "item_login_required",
        }
    }
}

/// Which of the requests a fault matches it fires on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Times {
    /// The next `n` matching requests, then the fault is spent.
    Next(u32),
    /// Every `n`-th matching request (the `n`-th, `2n`-th, …).
    Every(u32),
    /// A fraction of the matching requests (0.0–1.0), chosen from the emulator's seed: the same
    /// seed and the same requests, the same choice.
    Share(f64),
    /// Every matching request.
    Always,
}

/// One fault to inject: `Fault::new(kind)` applies to every request, always; narrow it with
/// [`Fault::operation`], [`Fault::item`] and [`Fault::times`].
///
/// ```
/// use plaid_emulator::{Fault, FaultKind, Times};
/// let fault = Fault::new(FaultKind::ServerError { status: 503 })
///     .operation("/transfer/create")
///     .times(Times::Next(1));
/// assert_eq!(fault.operation.as_deref(), Some("/transfer/create"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Fault {
    /// The operation's path (`/transfer/create`); `None`: every operation.
    pub operation: Option<String>,
    /// The Item (by `item_id`, from the request's `access_token`); `None`: any request.
    pub item_id: Option<String>,
    /// What happens.
    pub kind: FaultKind,
    /// How often.
    pub times: Times,
}

impl Fault {
    /// A fault of `kind` on every request, always.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            operation: None,
            item_id: None,
            kind,
            times: Times::Always,
        }
    }

    /// Only requests to this path.
    pub fn operation(mut self, path: impl Into<String>) -> Self {
        self.operation = Some(path.into());
        self
    }

    /// Only requests for this Item.
    pub fn item(mut self, item_id: impl Into<String>) -> Self {
        self.item_id = Some(item_id.into());
        self
    }

    /// How often it fires.
    pub fn times(mut self, times: Times) -> Self {
        self.times = times;
        self
    }
}

/// The id of an injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FaultId(pub u64);

/// What the fault decision knows of a request.
pub(crate) struct Target<'a> {
    pub(crate) path: &'a str,
    pub(crate) item_id: Option<&'a str>,
    /// For `/transactions/sync`: the page of its pass the request asks for.
    pub(crate) sync_page: Option<u32>,
}

struct Injected {
    id: FaultId,
    fault: Fault,
    matched: u64,
    fired: u64,
}

impl Injected {
    fn matches(&self, target: &Target<'_>) -> bool {
        let fault = &self.fault;
        let path_ok = fault.operation.as_deref().is_none_or(|p| p == target.path);
        let item_ok = fault
            .item_id
            .as_deref()
            .is_none_or(|i| Some(i) == target.item_id);
        let page_ok = match fault.kind {
            FaultKind::MutationDuringPagination { page } => {
                target.path == "/transactions/sync"
                    && target.sync_page.is_some_and(|p| p >= page.max(2))
            }
            _ => true,
        };
        path_ok && item_ok && page_ok
    }

    /// Whether the `matched`-th match fires.
    fn fires(&self, seed: u64) -> bool {
        match self.fault.times {
            Times::Next(n) => self.fired < u64::from(n),
            Times::Every(n) => n > 0 && self.matched.is_multiple_of(u64::from(n)),
            Times::Share(share) => unit(seed ^ self.id.0.rotate_left(32) ^ self.matched) < share,
            Times::Always => true,
        }
    }

    fn spent(&self) -> bool {
        matches!(self.fault.times, Times::Next(n) if self.fired >= u64::from(n))
    }
}

/// A number in `[0, 1)` from `x` (splitmix64): the seeded choice of [`Times::Share`].
fn unit(x: u64) -> f64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[derive(Default)]
struct Registry {
    faults: Vec<Injected>,
    next_id: u64,
    /// Items an `ItemLoginRequired` fault left in error, with the error code.
    item_errors: HashMap<String, &'static str>,
}

/// The injected faults. Requests skip the lock while there are none.
#[derive(Default)]
pub(crate) struct Faults {
    any: AtomicBool,
    registry: Mutex<Registry>,
}

impl Faults {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Add a fault; it applies from the next request on.
    pub(crate) fn inject(&self, fault: Fault) -> FaultId {
        let mut registry = self.registry();
        registry.next_id += 1;
        let id = FaultId(registry.next_id);
        registry.faults.push(Injected {
            id,
            fault,
            matched: 0,
            fired: 0,
        });
        self.any.store(true, Ordering::Release);
        id
    }

    /// Remove every fault, and the Item errors they left.
    pub(crate) fn clear(&self) {
        let mut registry = self.registry();
        registry.faults.clear();
        registry.item_errors.clear();
        self.any.store(false, Ordering::Release);
    }

    /// The fault that fires on this request, if any: the first injected one that matches and
    /// whose [`Times`] says so. Every matching fault counts the request.
    pub(crate) fn decide(&self, target: &Target<'_>, seed: u64) -> Option<FaultKind> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut registry = self.registry();
        let mut fired = None;
        for injected in registry.faults.iter_mut().filter(|f| f.matches(target)) {
            injected.matched += 1;
            if fired.is_none() && injected.fires(seed) {
                injected.fired += 1;
                fired = Some(injected.fault.kind.clone());
            }
        }
        registry.faults.retain(|f| !f.spent());
        if let (Some(FaultKind::ItemLoginRequired), Some(item)) = (&fired, target.item_id) {
            registry
                .item_errors
                .insert(item.to_string(), "ITEM_LOGIN_REQUIRED");
        }
        let left = !registry.faults.is_empty() || !registry.item_errors.is_empty();
        self.any.store(left, Ordering::Release);
        fired
    }

    /// A request for `item_id` was answered successfully: the Item leaves its error state.
    pub(crate) fn item_served(&self, item_id: &str) {
        if self.any.load(Ordering::Acquire) {
            self.registry().item_errors.remove(item_id);
        }
    }

    /// The error state a fault left the Item in, if any.
    pub(crate) fn item_error(&self, item_id: &str) -> Option<&'static str> {
        self.registry().item_errors.get(item_id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str) -> Target<'_> {
        Target {
            path,
            item_id: None,
            sync_page: None,
        }
    }

    #[test]
    fn next_every_and_share_fire_as_counted() {
        let faults = Faults::default();
        faults.inject(
            Fault::new(FaultKind::RateLimited)
                .times(Times::Next(2))
                .operation("/a"),
        );
        let fired: Vec<bool> = (0..4)
            .map(|_| faults.decide(&target("/a"), 1).is_some())
            .collect();
        assert_eq!(fired, [true, true, false, false]);
        faults.inject(Fault::new(FaultKind::DropConnection).times(Times::Every(3)));
        let fired: Vec<bool> = (0..6)
            .map(|_| faults.decide(&target("/b"), 1).is_some())
            .collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        faults.clear();
        faults.inject(Fault::new(FaultKind::DropConnection).times(Times::Share(0.25)));
        let n = (0..4000)
            .filter(|_| faults.decide(&target("/c"), 7).is_some())
            .count();
        assert!((800..1200).contains(&n), "{n}");
    }

    #[test]
    fn a_mutation_fault_spares_the_first_page_of_a_pass() {
        let faults = Faults::default();
        faults.inject(Fault::new(FaultKind::MutationDuringPagination { page: 1 }));
        let sync = |page| Target {
            path: "/transactions/sync",
            item_id: None,
            sync_page: Some(page),
        };
        assert!(faults.decide(&sync(1), 1).is_none());
        assert!(faults.decide(&sync(2), 1).is_some());
        assert!(faults.decide(&target("/accounts/get"), 1).is_none());
    }
}
