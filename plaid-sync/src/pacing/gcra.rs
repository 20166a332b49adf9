//! The pacing arithmetic: a GCRA (generic cell rate algorithm) that spaces requests to a
//! limit with a headroom, and the per-Item pace of one pass. No database, no HTTP.

use std::time::Duration;

use tokio::time::Instant;

use super::Limit;
use crate::error::{Error, Result};

/// A GCRA: one request per `interval`, `tolerance` ahead of schedule at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gcra {
    pub(crate) interval: Duration,
    pub(crate) burst: u32,
    /// What the headroom leaves of the limit: `count − ⌊headroom × count⌋` requests.
    spare: u32,
}

impl Gcra {
    pub(crate) fn new(limit: Limit, headroom: f64) -> Result<Self> {
        if !(headroom > 0.0 && headroom <= 1.0) || limit.count == 0 || limit.period.is_zero() {
            return Err(Error::Config(format!(
                "pacing needs a count > 0, a period > 0 and a headroom in (0, 1], got {limit:?} at {headroom}"
            )));
        }
        let most = (f64::from(limit.count) * headroom).floor().max(1.0) as u32;
        let burst = ((1.0 - headroom) * f64::from(limit.count) / 3.0)
            .floor()
            .clamp(1.0, f64::from(most)) as u32;
        let paced = most + 1 - burst;
        // Rounded up to a microsecond (the store's unit): never faster than `paced` per period.
        let interval_us = limit.period.as_micros().div_ceil(u128::from(paced));
        let interval = Duration::from_micros(u64::try_from(interval_us).unwrap_or(u64::MAX));
        let spare = limit.count - most;
        Ok(Self {
            interval,
            burst,
            spare,
        })
    }

    pub(crate) fn tolerance(&self) -> Duration {
        self.interval * (self.burst - 1)
    }

    /// The most that the delays between permits and their arrival at Plaid may differ by
    /// without a window of arrivals holding more than the limit: a window of one period at
    /// Plaid holds the permits of a window `period + jitter` long, which is at most
    /// `⌊headroom × count⌋ + ⌈jitter / interval⌉`, within `count` while
    /// `jitter ≤ spare × interval`.
    pub(crate) fn tolerated_delay(&self) -> Duration {
        self.interval * self.spare
    }
}

/// The per-Item pace during one pass: when the next request may go.
#[derive(Debug)]
pub(crate) struct ItemPace {
    gcra: Option<Gcra>,
    period: Option<Duration>,
    tat: Instant,
}

impl ItemPace {
    /// A pass's pace, free to send now.
    pub(crate) fn new(gcra: Option<Gcra>, period: Option<Duration>) -> Self {
        Self {
            gcra,
            period,
            tat: Instant::now(),
        }
    }

    /// Wait until the Item may send its next request.
    pub(crate) async fn ready(&self) {
        let Some(allowed) = self.allowed() else {
            return;
        };
        if allowed > Instant::now() {
            tokio::time::sleep_until(allowed).await;
        }
    }

    /// When the Item may send its next request (`None`: unpaced).
    fn allowed(&self) -> Option<Instant> {
        let g = self.gcra?;
        Some(self.tat.checked_sub(g.tolerance()).unwrap_or(self.tat))
    }

    /// Count a request sent now. Called after every other wait (the client bucket, a 429
    /// pause), so the Item's spacing is measured between real sends: a request held back by
    /// the client bucket does not let the next one follow it too closely.
    pub(crate) fn sent(&mut self) {
        if let Some(g) = self.gcra {
            self.tat = self.tat.max(Instant::now()) + g.interval;
        }
    }

    /// How long after now the Item's next pass may start.
    pub(crate) fn next_pass_delay(&self) -> Duration {
        self.allowed().map_or(Duration::ZERO, |at| {
            at.saturating_duration_since(Instant::now())
        })
    }

    /// After a 429: the Item waits what Plaid asked, or else one period of its limit.
    pub(crate) fn rate_limited(&self, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or(self.period.unwrap_or(Duration::from_secs(1)))
    }
}

pub(crate) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: [(u32, f64); 6] = [
        (50, 0.97),
        (1_000, 0.97),
        (2_500, 0.97),
        (25, 0.9),
        (10, 0.5),
        (50, 1.0),
    ];

    /// The send times of `n` requests sent as soon as `g` allows, from an idle start at 0.
    fn greedy_sends(g: Gcra, n: usize) -> Vec<Duration> {
        let mut tat = Duration::ZERO;
        let mut now = Duration::ZERO;
        let mut sends = Vec::new();
        for _ in 0..n {
            now = now.max(tat.saturating_sub(g.tolerance()));
            sends.push(now);
            tat = tat.max(now) + g.interval;
        }
        sends
    }

    /// The most requests of `sends` in any half-open window `[t, t + period)`.
    fn busiest_window(sends: &[Duration], period: Duration) -> usize {
        let mut most = 0;
        let mut start = 0;
        for (end, t) in sends.iter().enumerate() {
            while *t >= sends[start] + period {
                start += 1;
            }
            most = most.max(end + 1 - start);
        }
        most
    }

    /// Right after an idle period (burst spent at once) and ever after, no window of one
    /// period holds more than `headroom × count`: the slack the docs promise is kept.
    #[test]
    fn after_an_idle_period_no_window_holds_more_than_the_headroom() {
        for (count, headroom) in SETTINGS {
            let period = Duration::from_secs(60);
            let g = Gcra::new(Limit::per_minute(count), headroom).unwrap();
            let sends = greedy_sends(g, count as usize * 3);
            let most = busiest_window(&sends, period) as f64;
            assert!(
                most <= f64::from(count) * headroom,
                "{count} at {headroom}: {most}"
            );
        }
    }

    /// The pace uses what the headroom leaves, less the burst: ≥ 95 % of the documented
    /// `/transactions/sync` limits.
    #[test]
    fn the_pace_uses_the_headroom_less_the_burst() {
        for (count, headroom) in SETTINGS {
            let g = Gcra::new(Limit::per_minute(count), headroom).unwrap();
            let per_period = Duration::from_secs(60).as_secs_f64() / g.interval.as_secs_f64();
            let most = (f64::from(count) * headroom).floor();
            assert!(
                per_period > most - f64::from(g.burst),
                "{count} at {headroom}"
            );
            assert!(per_period <= most + 1.0 - f64::from(g.burst) + 1e-9);
        }
        for count in [50, 2_500] {
            let g = Gcra::new(Limit::per_minute(count), 0.97).unwrap();
            let share = 60.0 / g.interval.as_secs_f64() / f64::from(count);
            assert!(share >= 0.95, "{count}: {share}");
        }
    }

    /// Permits that reach Plaid up to `tolerated_delay` apart from their neighbours' delays
    /// (the worst case: the earlier permits late by all of it, the later ones on time) never
    /// fill a window of arrivals past the limit.
    #[test]
    fn arrivals_delayed_within_the_tolerance_stay_within_the_limit() {
        for (count, headroom) in SETTINGS.into_iter().filter(|(c, _)| *c <= 1_000) {
            let period = Duration::from_secs(60);
            let g = Gcra::new(Limit::per_minute(count), headroom).unwrap();
            let jitter = g.tolerated_delay();
            let sends = greedy_sends(g, count as usize * 3);
            let step = (sends.len() / 300).max(1);
            for late_until in (0..sends.len()).step_by(step) {
                let mut arrivals: Vec<Duration> = sends
                    .iter()
                    .enumerate()
                    .map(|(i, t)| if i < late_until { *t + jitter } else { *t })
                    .collect();
                arrivals.sort();
                let most = busiest_window(&arrivals, period);
                assert!(most <= count as usize, "{count} at {headroom}: {most}");
            }
        }
    }

    /// The figures the module's docs give: Production's `/transactions/sync` absorbs 2.5 s
    /// per Item and 1.87 s per client; the test of issue 29 (50 and 8 per 2 s at 0.8), 526 ms
    /// and 666 ms.
    #[test]
    fn the_documented_tolerances() {
        let at = |limit: Limit, headroom: f64| {
            let d = Gcra::new(limit, headroom).unwrap().tolerated_delay();
            (d.as_secs_f64() * 1000.0).round() as u64
        };
        assert_eq!(at(Limit::per_minute(50), 0.97), 2_500);
        assert_eq!(at(Limit::per_minute(2_500), 0.97), 1_874);
        assert_eq!(at(Limit::per_minute(1_000), 0.97), 1_873);
        let two_seconds = |count| Limit {
            count,
            period: Duration::from_secs(2),
        };
        assert_eq!(at(two_seconds(50), 0.8), 526);
        assert_eq!(at(two_seconds(8), 0.8), 667);
    }

    #[test]
    fn bad_settings_are_errors() {
        assert!(Gcra::new(Limit::per_minute(0), 0.9).is_err());
        assert!(Gcra::new(Limit::per_minute(10), 1.5).is_err());
        assert!(Gcra::new(Limit::per_minute(10), 0.0).is_err());
    }
}
