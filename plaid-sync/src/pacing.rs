//! Pacing: requests are spaced to Plaid's documented rate limits instead of collecting 429s.
//!
//! The limits come from Plaid's docs, `errors-rate-limit-exceeded` ("Rate limit table"),
//! transcribed below for both tables (Production and Development; Sandbox) and every endpoint
//! they list. `/transactions/sync` is limited to 50 requests per Item per minute, and to 2,500
//! (Production) or 1,000 (Sandbox) per client per minute. Plaid adds that "some users may
//! experience different rate limit thresholds": every figure can be overridden with
//! [`Pacing::per_item`] and [`Pacing::per_client`].
//!
//! # How a limit is kept
//!
//! Each limit `count per period` is paced by a GCRA (generic cell rate algorithm) that keeps a
//! `headroom` fraction of it (default 97 %) as the most any window of one `period` holds, so
//! the rest (3 %, 1.8 s of Production's minute) stays unused as slack against timing jitter
//! between our clock and Plaid's. With a burst of `b = max(1, ⌊(1 − headroom) × count / 3⌋)`
//! requests and one request every `period / r`, where `r = ⌊headroom × count⌋ + 1 − b`, a
//! window of one `period` holds at most `b − 1 + r = ⌊headroom × count⌋` requests, also the
//! first window after an idle period, when the whole burst is spent at once. The steady pace
//! is `r` per period: `/transactions/sync` gets 48 of its 50 per Item per minute (96 %) and
//! 2,401 of Production's 2,500 per client (96.0 %); the burst costs `b − 1` of them.
//!
//! - **Per Item**: only the worker holding an Item's lease calls Plaid for it, so the Item's
//!   pace is kept by that worker during a pass, and handed to the next pass through the Item's
//!   `not_before` time in the store.
//! - **Per client**: every worker of one Plaid client shares one bucket. [`Sharing::Database`]
//!   keeps it in the store (one `UPDATE … RETURNING` per request, the GCRA's theoretical
//!   arrival time in `plaid_sync_pacing`): exact for any number of worker processes, the
//!   default on PostgreSQL. [`Sharing::InProcess`] keeps it in memory with `governor`, for
//!   workers that share one process (the default on SQLite, where a write per request would
//!   queue behind the single writer).
//!
//! A 429 that still arrives (`RATE_LIMIT_EXCEEDED`) backs off the Item (its `not_before`) and
//! pauses the endpoint's client bucket for [`Pacing::rate_limited_pause`].

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::plaid::{Environment, SYNC_ENDPOINT};

/// `count` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed per period.
    pub count: u32,
    /// The period.
    pub period: Duration,
}

impl Limit {
    /// `count` per second.
    pub const fn per_second(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(1),
        }
    }
    /// `count` per minute.
    pub const fn per_minute(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(60),
        }
    }
    /// `count` per hour.
    pub const fn per_hour(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(3600),
        }
    }
    /// The same limit over a period `factor` times shorter (benchmarks and tests run Plaid's
    /// minute in a fraction of one).
    pub fn scaled(self, factor: u32) -> Self {
        Self {
            count: self.count,
            period: self.period / factor.max(1),
        }
    }
}

/// One row of Plaid's rate-limit table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The endpoint, as the table names it (`/transactions/sync`, `/transfer/*/get`).
    pub endpoint: &'static str,
    /// The limit per Item (`N/A` in the table: `None`).
    pub per_item: Option<Limit>,
    /// The limit per client.
    pub per_client: Limit,
}

const fn row(endpoint: &'static str, per_item: Option<Limit>, per_client: Limit) -> RateLimit {
    RateLimit {
        endpoint,
        per_item,
        per_client,
    }
}

/// Plaid's "Production and Development rate limits" (docs: `errors-rate-limit-exceeded`).
/// `/signal/evaluate` also has "10 per transaction per hour", which is not per Item.
#[rustfmt::skip]
pub const PRODUCTION: &[RateLimit] = &[
    row("/accounts/balance/get", Some(Limit::per_minute(5)), Limit::per_minute(1_200)),
    row("/accounts/get", Some(Limit::per_minute(15)), Limit::per_minute(15_000)),
    row("/asset_report/create", None, Limit::per_minute(30)),
    row("/asset_report/get", Some(Limit::per_minute(15)), Limit::per_minute(1_000)),
    row("/asset_report/refresh", None, Limit::per_minute(30)),
    row("/auth/get", Some(Limit::per_minute(15)), Limit::per_minute(12_000)),
    row("/identity/get", Some(Limit::per_minute(15)), Limit::per_minute(2_000)),
    row("/identity_verification/*", None, Limit::per_minute(2_000)),
    row("/institutions/get", None, Limit::per_minute(25)),
    row("/institutions/get_by_id", None, Limit::per_minute(400)),
    row("/investments/holdings/get", Some(Limit::per_minute(15)), Limit::per_minute(2_000)),
    row("/investments/transactions/get", Some(Limit::per_minute(30)), Limit::per_minute(20_000)),
    row("/item/get", Some(Limit::per_minute(15)), Limit::per_minute(5_000)),
    row("/item/remove", Some(Limit::per_minute(30)), Limit::per_minute(2_000)),
    row("/liabilities/get", Some(Limit::per_minute(15)), Limit::per_minute(1_000)),
    row("/processor/token/create", None, Limit::per_minute(500)),
    row("/signal/evaluate", Some(Limit::per_hour(70)), Limit::per_second(50)),
    row("/signal/decision/report", None, Limit::per_minute(4_000)),
    row("/signal/prepare", None, Limit::per_minute(2_000)),
    row("/signal/return/report", None, Limit::per_minute(4_000)),
    row("/transactions/enrich", None, Limit::per_minute(100)),
    row("/transactions/get", Some(Limit::per_minute(30)), Limit::per_minute(20_000)),
    row("/transactions/recurring/get", Some(Limit::per_minute(20)), Limit::per_minute(1_000)),
    row("/transactions/refresh", Some(Limit::per_minute(2)), Limit::per_minute(100)),
    row("/transactions/sync", Some(Limit::per_minute(50)), Limit::per_minute(2_500)),
    row("/transfer/authorization/create", None, Limit::per_minute(5_000)),
    row("/transfer/cancel", None, Limit::per_minute(250)),
    row("/transfer/create", None, Limit::per_minute(5_000)),
    row("/transfer/event/sync", None, Limit::per_minute(5_000)),
    row("/transfer/intent/create", None, Limit::per_minute(5_000)),
    row("/transfer/migrate_account", None, Limit::per_minute(250)),
    row("/transfer/recurring/cancel", None, Limit::per_minute(250)),
    row("/transfer/recurring/create", None, Limit::per_minute(5_000)),
    row("/transfer/refund/cancel", None, Limit::per_minute(250)),
    row("/transfer/refund/create", None, Limit::per_minute(5_000)),
    row("/transfer/*/get", None, Limit::per_minute(5_000)),
    row("/transfer/*/list", None, Limit::per_minute(100)),
    row("/watchlist_screening/*", None, Limit::per_minute(2_000)),
];

/// Plaid's "Sandbox rate limits" (docs: `errors-rate-limit-exceeded`).
#[rustfmt::skip]
pub const SANDBOX: &[RateLimit] = &[
    row("/accounts/balance/get", Some(Limit::per_minute(25)), Limit::per_minute(100)),
    row("/accounts/get", Some(Limit::per_minute(100)), Limit::per_minute(5_000)),
    row("/asset_report/create", None, Limit::per_minute(30)),
    row("/asset_report/get", Some(Limit::per_minute(1_000)), Limit::per_minute(1_000)),
    row("/asset_report/refresh", None, Limit::per_minute(100)),
    row("/auth/get", Some(Limit::per_minute(100)), Limit::per_minute(500)),
    row("/identity/get", Some(Limit::per_minute(100)), Limit::per_minute(1_000)),
    row("/identity_verification/*", None, Limit::per_minute(500)),
    row("/institutions/get", None, Limit::per_minute(10)),
    row("/institutions/get_by_id", None, Limit::per_minute(400)),
    row("/investments/holdings/get", Some(Limit::per_minute(100)), Limit::per_minute(1_000)),
    row("/investments/transactions/get", Some(Limit::per_minute(100)), Limit::per_minute(1_000)),
    row("/item/get", Some(Limit::per_minute(40)), Limit::per_minute(5_000)),
    row("/item/remove", Some(Limit::per_minute(100)), Limit::per_minute(500)),
    row("/liabilities/get", Some(Limit::per_minute(10)), Limit::per_minute(1_000)),
    row("/processor/token/create", None, Limit::per_minute(500)),
    row("/signal/evaluate", Some(Limit::per_hour(70)), Limit::per_second(30)),
    row("/signal/decision/report", None, Limit::per_minute(4_000)),
    row("/signal/prepare", None, Limit::per_minute(2_000)),
    row("/signal/return/report", None, Limit::per_minute(4_000)),
    row("/transactions/enrich", None, Limit::per_minute(100)),
    row("/transactions/get", Some(Limit::per_minute(80)), Limit::per_minute(1_000)),
    row("/transactions/recurring/get", Some(Limit::per_minute(20)), Limit::per_minute(1_000)),
    row("/transactions/refresh", Some(Limit::per_minute(2)), Limit::per_minute(100)),
    row("/transactions/sync", Some(Limit::per_minute(50)), Limit::per_minute(1_000)),
    row("/transfer/authorization/create", None, Limit::per_minute(100)),
    row("/transfer/create", None, Limit::per_minute(100)),
    row("/transfer/intent/create", None, Limit::per_minute(100)),
    row("/transfer/recurring/create", None, Limit::per_minute(100)),
    row("/transfer/refund/create", None, Limit::per_minute(100)),
    row("/watchlist_screening/*", None, Limit::per_minute(500)),
];

/// The documented limits of `endpoint` in `environment` (a custom URL gets Sandbox's).
///
/// ```
/// use plaid_sync::pacing::{documented, Limit};
/// use plaid_sync::plaid::Environment;
///
/// let sync = documented(&Environment::Production, "/transactions/sync").unwrap();
/// assert_eq!(sync.per_item, Some(Limit::per_minute(50)));
/// assert_eq!(sync.per_client, Limit::per_minute(2_500));
/// ```
pub fn documented(environment: &Environment, endpoint: &str) -> Option<RateLimit> {
    let table = match environment {
        Environment::Production => PRODUCTION,
        _ => SANDBOX,
    };
    table.iter().find(|r| r.endpoint == endpoint).copied()
}

/// Where the per-client bucket lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// In the store: shared by every worker process using it.
    Database,
    /// In this process (with `governor`): shared by the workers built from one [`Pacer`].
    InProcess,
}

/// Pacing settings for `/transactions/sync`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacing {
    /// The per-Item limit (`None`: none).
    pub per_item: Option<Limit>,
    /// The per-client limit (`None`: none).
    pub per_client: Option<Limit>,
    /// The fraction of each limit to use, in (0, 1].
    pub headroom: f64,
    /// How long a 429 pauses the client bucket.
    pub rate_limited_pause: Duration,
    /// Where the client bucket lives (`None`: the store's default).
    pub sharing: Option<Sharing>,
    /// The client bucket's name (one per Plaid client id sharing the store).
    pub bucket: String,
}

impl Pacing {
    /// The documented limits of `/transactions/sync` for `environment`.
    ///
    /// ```
    /// use plaid_sync::pacing::{Limit, Pacing};
    /// use plaid_sync::plaid::Environment;
    ///
    /// let pacing = Pacing::documented(&Environment::Sandbox);
    /// assert_eq!(pacing.per_client, Some(Limit::per_minute(1_000)));
    /// let custom = pacing.per_client(Some(Limit::per_minute(5_000)));
    /// assert_eq!(custom.per_item, Some(Limit::per_minute(50)));
    /// ```
    pub fn documented(environment: &Environment) -> Self {
        let row = documented(environment, SYNC_ENDPOINT);
        Self {
            per_item: row.and_then(|r| r.per_item),
            per_client: row.map(|r| r.per_client),
            headroom: 0.97,
            rate_limited_pause: Duration::from_secs(5),
            sharing: None,
            bucket: format!("{SYNC_ENDPOINT} client"),
        }
    }

    /// No pacing at all.
    pub fn unlimited() -> Self {
        Self {
            per_item: None,
            per_client: None,
            ..Self::documented(&Environment::Sandbox)
        }
    }

    /// Override the per-Item limit.
    pub fn per_item(mut self, limit: Option<Limit>) -> Self {
        self.per_item = limit;
        self
    }

    /// Override the per-client limit.
    pub fn per_client(mut self, limit: Option<Limit>) -> Self {
        self.per_client = limit;
        self
    }

    /// Use this fraction of each limit (default 0.97).
    pub fn headroom(mut self, fraction: f64) -> Self {
        self.headroom = fraction;
        self
    }

    /// Keep the client bucket here.
    pub fn sharing(mut self, sharing: Sharing) -> Self {
        self.sharing = Some(sharing);
        self
    }

    /// Pause the client bucket this long after a 429 (default 5 s).
    pub fn rate_limited_pause(mut self, pause: Duration) -> Self {
        self.rate_limited_pause = pause;
        self
    }
}

/// A GCRA: one request per `interval`, `tolerance` ahead of schedule at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gcra {
    pub(crate) interval: Duration,
    pub(crate) burst: u32,
}

impl Gcra {
    fn new(limit: Limit, headroom: f64) -> Result<Self> {
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
        Ok(Self { interval, burst })
    }

    fn tolerance(&self) -> Duration {
        self.interval * (self.burst - 1)
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

/// Paces the requests of every worker built with it (clone it: it is shared).
#[derive(Clone)]
pub struct Pacer {
    inner: Arc<Inner>,
}

struct Inner {
    pacing: Pacing,
    item: Option<Gcra>,
    client: Option<Gcra>,
    local: Option<DefaultDirectRateLimiter>,
    paused_until: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("pacing", &self.inner.pacing)
            .finish()
    }
}

impl Pacer {
    /// A pacer for `pacing`; `default_sharing` applies when `pacing.sharing` is `None`.
    pub fn new(pacing: Pacing, default_sharing: Sharing) -> Result<Self> {
        let item = pacing
            .per_item
            .map(|l| Gcra::new(l, pacing.headroom))
            .transpose()?;
        let client = pacing
            .per_client
            .map(|l| Gcra::new(l, pacing.headroom))
            .transpose()?;
        let sharing = pacing.sharing.unwrap_or(default_sharing);
        let local = match (client, sharing) {
            (Some(g), Sharing::InProcess) => {
                let quota = Quota::with_period(g.interval)
                    .ok_or_else(|| Error::Config("a zero pacing interval".into()))?
                    .allow_burst(NonZeroU32::new(g.burst).unwrap_or(NonZeroU32::MIN));
                Some(RateLimiter::direct(quota))
            }
            _ => None,
        };
        let pacing = Pacing {
            sharing: Some(sharing),
            ..pacing
        };
        Ok(Self {
            inner: Arc::new(Inner {
                pacing,
                item,
                client,
                local,
                paused_until: Mutex::new(None),
            }),
        })
    }

    /// The settings in force.
    pub fn pacing(&self) -> &Pacing {
        &self.inner.pacing
    }

    pub(crate) fn item_pace(&self) -> ItemPace {
        ItemPace {
            gcra: self.inner.item,
            period: self.inner.pacing.per_item.map(|l| l.period),
            tat: Instant::now(),
        }
    }

    /// Wait for a permit of the client bucket.
    pub(crate) async fn client_permit<DB: Backend>(&self, pool: &sqlx::Pool<DB>) -> Result<()> {
        self.wait_pause().await;
        let Some(g) = self.inner.client else {
            return Ok(());
        };
        if let Some(limiter) = &self.inner.local {
            while let Err(not_until) = limiter.check() {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                tokio::time::sleep(wait).await;
            }
            return Ok(());
        }
        let wait_us = DB::pace(
            pool,
            &self.inner.pacing.bucket,
            micros(g.interval),
            micros(g.tolerance()),
        )
        .await?;
        if wait_us > 0 {
            tokio::time::sleep(Duration::from_micros(wait_us as u64)).await;
        }
        Ok(())
    }

    /// A 429 arrived: pause the client bucket for every worker.
    pub(crate) async fn rate_limited<DB: Backend>(&self, pool: &sqlx::Pool<DB>) -> Result<()> {
        let pause = self.inner.pacing.rate_limited_pause;
        {
            let mut until = self
                .inner
                .paused_until
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let next = Instant::now() + pause;
            *until = Some(until.map_or(next, |u| u.max(next)));
        }
        if self.inner.local.is_none() && self.inner.client.is_some() {
            DB::push_back(pool, &self.inner.pacing.bucket, micros(pause)).await?;
        }
        Ok(())
    }

    async fn wait_pause(&self) {
        let until = *self
            .inner
            .paused_until
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
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

    #[test]
    fn bad_settings_are_errors() {
        assert!(Gcra::new(Limit::per_minute(0), 0.9).is_err());
        assert!(Gcra::new(Limit::per_minute(10), 1.5).is_err());
        assert!(Gcra::new(Limit::per_minute(10), 0.0).is_err());
    }
}
