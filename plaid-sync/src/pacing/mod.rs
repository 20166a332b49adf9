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
//! # The delay it tolerates
//!
//! Plaid counts a request when it arrives; the pacer, when it grants the permit. What lies
//! between (building the request, the connection pool, the network, a busy host) shifts each
//! request by its own delay, and only the *differences* between those delays matter: a window
//! of one period at Plaid holds the permits of a window `period + jitter` long. The slack the
//! headroom leaves absorbs a jitter of up to `(count − ⌊headroom × count⌋) × interval`
//! ([`Pacer::tolerated_delay`]). In Plaid's one-minute windows at the default 97 %:
//! `/transactions/sync` tolerates **2.5 s** per Item (2 of 50, at 1.25 s apart) and **1.87 s**
//! per client (Production's 75 of 2,500 at 25 ms apart; Sandbox's 30 of 1,000 at 62 ms
//! apart), far above a loopback or a data centre's jitter. Windows scaled down for a test
//! scale the tolerance with them: the pacing test of issue 29 runs 2 s windows at 80 %, which
//! tolerate 526 ms per client and 667 ms per Item. A server that counts a delayed request
//! when it answers rather than when it arrived moves it by the whole delay (plaid-emulator
//! counts at arrival, as Plaid does).
//!
//! A 429 that still arrives (`RATE_LIMIT_EXCEEDED`) backs off the Item (its `not_before`) and
//! pauses the endpoint's client bucket for [`Pacing::rate_limited_pause`].

mod gcra;
mod pacer;

use std::time::Duration;

use crate::plaid::{Environment, SYNC_ENDPOINT};

/// The rows of Plaid's table (they live in `plaid-client`, which the emulator reads too).
pub use crate::plaid::rate_limits::{Limit, RateLimit, PRODUCTION, SANDBOX};
pub(crate) use gcra::{micros, ItemPace};
pub use pacer::Pacer;

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
    crate::plaid::rate_limits::documented(table, endpoint)
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
