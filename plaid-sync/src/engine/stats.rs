//! [`WorkerStats`]: what the passes of one worker did, counted as they finish.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::records::PassOutcome;

/// Counters of one worker since it started.
#[derive(Debug, Default)]
pub struct WorkerStats {
    committed: AtomicU64,
    failed: AtomicU64,
    not_ready: AtomicU64,
    lease_lost: AtomicU64,
    restarts: AtomicU64,
    pages: AtomicU64,
    transactions: AtomicU64,
    rate_limited: AtomicU64,
}

/// A snapshot of [`WorkerStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Passes committed.
    pub committed: u64,
    /// Passes failed (rolled back).
    pub failed: u64,
    /// Passes that found no data yet.
    pub not_ready: u64,
    /// Passes rolled back because the lease was lost.
    pub lease_lost: u64,
    /// Mutation restarts (`TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`).
    pub restarts: u64,
    /// Pages applied in committed passes.
    pub pages: u64,
    /// Transactions (added + modified + removed) in committed passes.
    pub transactions: u64,
    /// 429 answers received.
    pub rate_limited: u64,
}

impl WorkerStats {
    /// The counters now.
    pub fn snapshot(&self) -> Stats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            committed: get(&self.committed),
            failed: get(&self.failed),
            not_ready: get(&self.not_ready),
            lease_lost: get(&self.lease_lost),
            restarts: get(&self.restarts),
            pages: get(&self.pages),
            transactions: get(&self.transactions),
            rate_limited: get(&self.rate_limited),
        }
    }

    /// Count a finished pass.
    pub(super) fn count(&self, outcome: &PassOutcome) {
        let add = |a: &AtomicU64, n: u64| a.fetch_add(n, Ordering::Relaxed);
        match outcome {
            PassOutcome::Committed {
                pages,
                transactions,
            } => {
                add(&self.committed, 1);
                add(&self.pages, *pages);
                add(&self.transactions, *transactions);
            }
            PassOutcome::NotReady => {
                add(&self.not_ready, 1);
            }
            PassOutcome::Failed { rate_limited, .. } => {
                add(&self.failed, 1);
                add(&self.rate_limited, u64::from(*rate_limited));
            }
            PassOutcome::LeaseLost => {
                add(&self.lease_lost, 1);
            }
        }
    }

    /// Count a mutation restart of a running pass.
    pub(super) fn count_restart(&self) {
        self.restarts.fetch_add(1, Ordering::Relaxed);
    }
}
