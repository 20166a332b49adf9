//! [`Pacer`]: the limits in force, shared by every worker built with it; the per-client bucket
//! in this process (`governor`) or in the store.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use super::gcra::{micros, Gcra, ItemPace};
use super::{Pacing, Sharing};
use crate::backend::Backend;
use crate::error::{Error, Result};

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
        ItemPace::new(
            self.inner.item,
            self.inner.pacing.per_item.map(|l| l.period),
        )
    }

    /// How far apart the delays between this pacer's permits and their arrival at Plaid may
    /// be before a window of arrivals holds more than a limit (`None`: unpaced). See the
    /// module's "The delay it tolerates".
    ///
    /// ```
    /// use std::time::Duration;
    /// use plaid_sync::plaid::Environment;
    /// use plaid_sync::{Pacer, Pacing, Sharing};
    ///
    /// let pacer = Pacer::new(Pacing::documented(&Environment::Production), Sharing::InProcess)?;
    /// // 3 % of Plaid's minute, less what the burst uses: about 1.9 s.
    /// assert!(pacer.tolerated_delay() > Some(Duration::from_millis(1_800)));
    /// # Ok::<(), plaid_sync::Error>(())
    /// ```
    pub fn tolerated_delay(&self) -> Option<Duration> {
        let item = self.inner.item.map(|g| g.tolerated_delay());
        let client = self.inner.client.map(|g| g.tolerated_delay());
        item.into_iter().chain(client).min()
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
