//! The page requests of one pass: every attempt that reaches Plaid, a retry as much as a first
//! request, waits for the Item's pace and a permit of the client bucket first.
//!
//! The worker's client does not retry ([`crate::plaid::SyncRetryPolicy`]): a transient failure
//! (5xx, timeout, dropped connection) ends the ext's page stream, and [`Fetch`] starts another
//! one from the cursor of the page that failed, after a backoff and under the pacer. Plaid's
//! rule for a mutation during pagination still holds (docs, `api-products-transactions`:
//! restart "from the cursor of the first page"): a stream resumed mid-pass that reports a
//! restart is replaced by one from the pass's first cursor.

use std::time::Duration;

use futures_util::stream::StreamExt;

use super::WorkerConfig;
use crate::backend::Backend;
use crate::error::Result;
use crate::metrics;
use crate::pacing::{ItemPace, Pacer};
use crate::plaid::{
    self, backoff_delay, PageStream, PlaidClient, PlaidError, Step, SyncPage, DEFAULT_MAX_RESTARTS,
};

/// What the next step of a pass is.
pub(super) enum Fetched {
    /// A page to apply.
    Page(SyncPage),
    /// Everything received in this pass is void: the pass starts again from its first cursor.
    Restarted,
    /// Plaid has no data for the Item yet.
    NotReady,
    /// The pass is complete: store this cursor.
    Complete(String),
    /// Plaid answered an error that is not retried here (or the retries ran out).
    Failed(PlaidError),
    /// The pass cannot go on (the stream ended early, a resumed stream said "not ready").
    Broken(String),
}

/// The requests of one pass, each one paced.
pub(super) struct Fetch<'a> {
    client: &'a PlaidClient,
    token: &'a str,
    page_size: i64,
    /// The cursor the pass started from (Plaid's restart point).
    first: Option<String>,
    /// The cursor of the next request, once a page announced more.
    next: Option<String>,
    stream: PageStream<'static>,
    /// Whether `stream` started from `first` (so it restarts correctly on its own).
    from_first: bool,
    /// Whether polling `stream` sends a request (not for the final `Complete`).
    request_next: bool,
    /// Failed attempts of the current page.
    attempts: u32,
    /// Restarts of the pass seen here.
    restarts: u32,
}

impl<'a> Fetch<'a> {
    pub(super) fn new(
        client: &'a PlaidClient,
        token: &'a str,
        first: Option<String>,
        page_size: i64,
    ) -> Self {
        let stream = plaid::sync_pages(client, token, first.clone(), page_size);
        Self {
            client,
            token,
            page_size,
            first,
            next: None,
            stream,
            from_first: true,
            request_next: true,
            attempts: 0,
            restarts: 0,
        }
    }

    /// The next step; every request it sends waits for `pace` and a client permit first.
    pub(super) async fn next<DB: Backend>(
        &mut self,
        pacer: &Pacer,
        pool: &sqlx::Pool<DB>,
        pace: &mut ItemPace,
        config: &WorkerConfig,
    ) -> Result<Fetched> {
        loop {
            if self.request_next {
                let timer = metrics::Timer::start();
                pace.ready().await;
                pacer.client_permit(pool).await?;
                pace.sent();
                metrics::pacing_wait(timer);
            }
            let step = self.stream.next().await;
            if let Some(Err(error)) = &step {
                if plaid::retryable(error) && self.attempts < config.page_retries {
                    self.attempts += 1;
                    let delay = self.retry_delay(config);
                    tracing::debug!(error = %error, ?delay, "page failed; retrying under the pacer");
                    tokio::time::sleep(delay).await;
                    self.resume(self.next.clone());
                    continue;
                }
            }
            return Ok(self.take(step));
        }
    }

    /// Read one step of the stream, keeping the cursor to resume from.
    fn take(&mut self, step: Option<Result<Step<SyncPage>, PlaidError>>) -> Fetched {
        match step {
            Some(Ok(Step::Page(page))) => {
                self.attempts = 0;
                self.request_next = plaid::more_pages(&page);
                if self.request_next {
                    self.next = Some(page.next_cursor.clone());
                }
                Fetched::Page(page)
            }
            Some(Ok(Step::Restarted { .. })) => {
                self.restarts += 1;
                if self.restarts > DEFAULT_MAX_RESTARTS {
                    return Fetched::Broken(format!("{} restarts in one pass", self.restarts));
                }
                self.next = None;
                self.request_next = true;
                if !self.from_first {
                    self.resume(None);
                }
                Fetched::Restarted
            }
            Some(Ok(Step::NotReady(_))) if !self.from_first => {
                Fetched::Broken("an empty next_cursor in the middle of a pass".into())
            }
            Some(Ok(Step::NotReady(_))) => Fetched::NotReady,
            Some(Ok(Step::Complete { cursor, .. })) => Fetched::Complete(cursor),
            Some(Err(error)) => Fetched::Failed(error),
            None => Fetched::Broken("the sync stream ended early".into()),
        }
    }

    /// Replace the stream by one from `cursor` (`None`: the pass's first cursor).
    fn resume(&mut self, cursor: Option<String>) {
        self.from_first = cursor.is_none();
        let from = cursor.or_else(|| self.first.clone());
        self.stream = plaid::sync_pages(self.client, self.token, from, self.page_size);
        self.request_next = true;
    }

    /// The backoff before retry `attempts` (between half and all of the ceiling).
    fn retry_delay(&self, config: &WorkerConfig) -> Duration {
        let doublings = self.attempts.saturating_sub(1);
        backoff_delay(config.page_retry_delay, config.backoff_max, doublings, 0.5)
    }
}
