//! Metrics of the engine, through the [`metrics`](https://docs.rs/metrics) facade (feature
//! `metrics`, off by default; with it off, every function here is empty and inlined away).
//! The feature also turns on `plaid-client-ext/metrics`: every request's
//! `http.client.request.duration` and `plaid.client.requests`.
//!
//! | metric | kind | labels | what |
//! |---|---|---|---|
//! | `plaid_sync.items` | gauge | `status` (`active`, `needs_user`) | Items known, by status, as of the last [`crate::Store::progress`] (a running worker reads it every second) |
//! | `plaid_sync.pending` | gauge | | Items with a pass due or running, not waiting for their user |
//! | `plaid_sync.pass.duration` | histogram, seconds | `outcome` (`committed`, `not_ready`, `failed`, `lease_lost`) | one per pass, from claim to commit or release |
//! | `plaid_sync.pages` | counter | | pages applied in committed passes |
//! | `plaid_sync.transactions` | counter | | transactions (`added` + `modified` + `removed`) in committed passes |
//! | `plaid_sync.lease_lost` | counter | | passes rolled back because another worker took the Item |
//! | `plaid_sync.pacing.wait` | histogram, seconds | | one per request to Plaid (retries included): time waited for the Item's pace and the client bucket |
//! | `plaid_sync.rate_limited` | counter | | passes ended by a 429 (`RATE_LIMIT_EXCEEDED`) |
//!
//! Install any `metrics` recorder (`metrics-exporter-prometheus`, ...) before starting workers.

use crate::records::{PassOutcome, Progress};

/// A start time: a real clock with the feature, nothing without it.
#[derive(Clone, Copy)]
pub(crate) struct Timer {
    #[cfg(feature = "metrics")]
    started: std::time::Instant,
}

impl Timer {
    #[inline(always)]
    pub(crate) fn start() -> Self {
        Self {
            #[cfg(feature = "metrics")]
            started: std::time::Instant::now(),
        }
    }
}

/// Record the Item counts.
#[cfg(feature = "metrics")]
pub(crate) fn progress(p: &Progress) {
    let active = (p.items - p.needs_user) as f64;
    metrics::gauge!("plaid_sync.items", "status" => "active").set(active);
    metrics::gauge!("plaid_sync.items", "status" => "needs_user").set(p.needs_user as f64);
    metrics::gauge!("plaid_sync.pending").set(p.pending as f64);
}

/// Record the Item counts (feature `metrics` off: nothing).
#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn progress(_: &Progress) {}

/// Record a finished pass that started at `timer`.
#[cfg(feature = "metrics")]
pub(crate) fn pass(timer: Timer, outcome: &PassOutcome) {
    let elapsed = timer.started.elapsed().as_secs_f64();
    let label = match outcome {
        PassOutcome::Committed {
            pages,
            transactions,
        } => {
            metrics::counter!("plaid_sync.pages").increment(*pages);
            metrics::counter!("plaid_sync.transactions").increment(*transactions);
            "committed"
        }
        PassOutcome::NotReady => "not_ready",
        PassOutcome::Failed { rate_limited, .. } => {
            if *rate_limited {
                metrics::counter!("plaid_sync.rate_limited").increment(1);
            }
            "failed"
        }
        PassOutcome::LeaseLost => {
            metrics::counter!("plaid_sync.lease_lost").increment(1);
            "lease_lost"
        }
    };
    metrics::histogram!("plaid_sync.pass.duration", "outcome" => label).record(elapsed);
}

/// Record a finished pass (feature `metrics` off: nothing).
#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn pass(_: Timer, _: &PassOutcome) {}

/// Record the pacing wait of one request, from `timer` to now.
#[cfg(feature = "metrics")]
pub(crate) fn pacing_wait(timer: Timer) {
    let waited = timer.started.elapsed().as_secs_f64();
    metrics::histogram!("plaid_sync.pacing.wait").record(waited);
}

/// Record a pacing wait (feature `metrics` off: nothing).
#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn pacing_wait(_: Timer) {}
