//! One Item's pass: fetch its pages from the last committed cursor (paced), hand them to the
//! application's handler in the pass's transaction, and commit the new cursor with them while
//! the lease is still the worker's; or release the Item (not ready, failed, needs its user).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::Transaction;
use tokio::sync::OwnedSemaphorePermit;

use super::fetch::{Fetch, Fetched};
use super::{ApplyMode, Worker};
use crate::backend::{Backend, Claim};
use crate::error::{BoxError, Result};
use crate::handler::{AccessTokens, Credential, SyncHandler};
use crate::metrics;
use crate::pacing::{micros, ItemPace};
use crate::plaid::{self, backoff_delay, Failure, PlaidError, SyncPage};
use crate::records::PassOutcome;

impl<DB, H, T> Worker<DB, H, T>
where
    DB: Backend,
    H: SyncHandler<DB>,
    T: AccessTokens,
{
    /// One pass with its lease renewal beside it; store errors end it as a failure.
    pub(super) async fn run_pass(&self, claim: Claim) -> PassOutcome {
        let timer = metrics::Timer::start();
        let outcome = self.pass_with_renewal(&claim).await;
        metrics::pass(timer, &outcome);
        outcome
    }

    async fn pass_with_renewal(&self, claim: &Claim) -> PassOutcome {
        let lost = AtomicBool::new(false);
        let outcome = tokio::select! {
            biased;
            outcome = self.pass(claim, &lost) => outcome,
            never = self.renew_lease(claim, &lost) => match never {},
        };
        match outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(item_id = %claim.item_id, error = %e, "pass failed in the store");
                self.failed(claim, e.to_string())
                    .await
                    .unwrap_or(PassOutcome::LeaseLost)
            }
        }
    }

    /// Renew the lease every third of it; flag it lost if another worker took the Item.
    async fn renew_lease(&self, claim: &Claim, lost: &AtomicBool) -> std::convert::Infallible {
        let lease = micros(self.config.lease);
        let every = self.config.renew_every.unwrap_or(self.config.lease / 3);
        loop {
            tokio::time::sleep(every).await;
            match DB::renew(self.store.pool(), claim, lease).await {
                Ok(0) => lost.store(true, Ordering::SeqCst),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(item_id = %claim.item_id, error = %e, "lease renewal failed")
                }
            }
        }
    }

    /// Fetch, apply and commit one pass of `claim`'s Item.
    async fn pass(&self, claim: &Claim, lost: &AtomicBool) -> Result<PassOutcome> {
        let token = match self.access_token(&claim.item_id).await {
            Ok(token) => token,
            Err(message) => return self.failed(claim, message).await,
        };
        let pool = self.store.pool();
        let mut pace = self.pacer.item_pace();
        let (cursor, size) = (claim.cursor.clone(), self.config.page_size);
        let mut fetch = Fetch::new(&self.client, token.expose(), cursor, size);
        let mut sink = Sink::new(self.config.apply);
        loop {
            if lost.load(Ordering::SeqCst) {
                return Ok(PassOutcome::LeaseLost);
            }
            let step = fetch.next(&self.pacer, pool, &mut pace, &self.config);
            match step.await? {
                Fetched::Page(page) => {
                    if let Err(e) = self.take_page(&mut sink, claim, page).await? {
                        drop(sink);
                        return self.failed(claim, format!("handler: {e}")).await;
                    }
                }
                Fetched::Restarted => {
                    sink.restart().await?;
                    self.stats.count_restart();
                }
                Fetched::NotReady => {
                    drop(sink);
                    return self.not_ready(claim, &pace).await;
                }
                Fetched::Complete(cursor) => {
                    return self.commit(claim, sink, &cursor, &pace, lost).await;
                }
                Fetched::Failed(e) => {
                    drop(sink);
                    return self.plaid_failed(claim, &e, &pace).await;
                }
                Fetched::Broken(message) => {
                    drop(sink);
                    return self.failed(claim, message).await;
                }
            }
        }
    }

    /// The Item's access token, or why there is none (the pass then fails).
    async fn access_token(&self, item_id: &str) -> Result<Credential, String> {
        match self.tokens.access_token(item_id).await {
            Ok(Some(token)) => Ok(token),
            Ok(None) => Err("no access token for this Item".into()),
            Err(e) => Err(format!("access token source: {e}")),
        }
    }

    /// Hand a page to the sink: buffered, or applied at once in the pass's transaction.
    async fn take_page(
        &self,
        sink: &mut Sink<DB>,
        claim: &Claim,
        page: SyncPage,
    ) -> Result<Result<(), BoxError>> {
        sink.applied.add(&page);
        let tx = match &mut sink.pages {
            Pages::Buffered(buffer) => {
                buffer.push(page);
                return Ok(Ok(()));
            }
            Pages::Streaming(tx) => tx,
        };
        let conn = match tx {
            Some(tx) => tx,
            None => {
                if sink.turn.is_none() {
                    sink.turn = self.store.streaming_turn().await;
                }
                tx.insert(DB::begin_pass(self.store.pool()).await?)
            }
        };
        Ok(self.handler.apply(conn, &claim.item_id, &page).await)
    }

    /// Commit the pass: the cursor with the application's rows, if the lease is still ours.
    async fn commit(
        &self,
        claim: &Claim,
        sink: Sink<DB>,
        cursor: &str,
        pace: &ItemPace,
        lost: &AtomicBool,
    ) -> Result<PassOutcome> {
        let applied = sink.applied;
        // A streaming pass keeps its turn until its transaction ends.
        let _turn = sink.turn;
        let mut tx = match sink.pages {
            Pages::Streaming(Some(tx)) => tx,
            Pages::Streaming(None) => DB::begin_pass(self.store.pool()).await?,
            Pages::Buffered(buffer) => {
                let mut tx = DB::begin_pass(self.store.pool()).await?;
                for page in &buffer {
                    if let Err(e) = self.handler.apply(&mut tx, &claim.item_id, page).await {
                        drop(tx);
                        return self.failed(claim, format!("handler: {e}")).await;
                    }
                }
                tx
            }
        };
        if lost.load(Ordering::SeqCst) {
            return Ok(PassOutcome::LeaseLost);
        }
        let delay = micros(pace.next_pass_delay());
        if DB::commit_cursor(&mut tx, claim, cursor, delay).await? == 0 {
            tx.rollback().await?;
            tracing::warn!(item_id = %claim.item_id, "lease lost before commit; rolled back");
            return Ok(PassOutcome::LeaseLost);
        }
        tx.commit().await?;
        Ok(PassOutcome::Committed {
            pages: applied.pages,
            transactions: applied.transactions,
        })
    }

    /// Plaid has no data for the Item yet: release it until its pace allows another pass.
    async fn not_ready(&self, claim: &Claim, pace: &ItemPace) -> Result<PassOutcome> {
        let delay = micros(pace.next_pass_delay());
        let rows = DB::release_not_ready(self.store.pool(), claim, delay).await?;
        Ok(match rows {
            0 => PassOutcome::LeaseLost,
            _ => PassOutcome::NotReady,
        })
    }

    async fn plaid_failed(
        &self,
        claim: &Claim,
        error: &PlaidError,
        pace: &ItemPace,
    ) -> Result<PassOutcome> {
        let message = error.to_string();
        match plaid::failure(error) {
            Failure::RateLimited { retry_after } => {
                self.pacer.rate_limited(self.store.pool()).await?;
                let backoff = pace.rate_limited(retry_after);
                self.release(claim, message, None, backoff, true).await
            }
            Failure::NeedsUser { reason } => {
                self.release(claim, message, Some(reason), Duration::ZERO, false)
                    .await
            }
            Failure::Other => self.failed(claim, message).await,
        }
    }

    async fn failed(&self, claim: &Claim, error: String) -> Result<PassOutcome> {
        let backoff = self.backoff(claim.failures);
        self.release(claim, error, None, backoff, false).await
    }

    async fn release(
        &self,
        claim: &Claim,
        error: String,
        needs_user: Option<String>,
        backoff: Duration,
        rate_limited: bool,
    ) -> Result<PassOutcome> {
        let pool = self.store.pool();
        let user = needs_user.as_deref();
        let rows = DB::release_failed(pool, claim, &error, micros(backoff), user).await?;
        if rows == 0 {
            return Ok(PassOutcome::LeaseLost);
        }
        tracing::warn!(item_id = %claim.item_id, error = %error, ?backoff, "pass rolled back");
        Ok(PassOutcome::Failed {
            error,
            needs_user: needs_user.is_some(),
            rate_limited,
        })
    }

    /// Exponential backoff with jitter (between half and all of the ceiling).
    fn backoff(&self, failures: i32) -> Duration {
        let exp = u32::try_from(failures.clamp(0, 20)).unwrap_or(0);
        backoff_delay(self.config.backoff_base, self.config.backoff_max, exp, 0.5)
    }
}

/// Where the pages of the current pass go, and what they held.
struct Sink<DB: Backend> {
    pages: Pages<DB>,
    applied: Applied,
    /// A streaming pass's turn to hold a transaction (SQLite: one at a time).
    turn: Option<OwnedSemaphorePermit>,
}

enum Pages<DB: Backend> {
    Buffered(Vec<SyncPage>),
    Streaming(Option<Transaction<'static, DB>>),
}

impl<DB: Backend> Sink<DB> {
    fn new(mode: ApplyMode) -> Self {
        let pages = match mode {
            ApplyMode::Buffered => Pages::Buffered(Vec::new()),
            ApplyMode::Streaming => Pages::Streaming(None),
        };
        Self {
            pages,
            applied: Applied::default(),
            turn: None,
        }
    }

    /// A mutation restart: forget (or roll back) every page of the interrupted pass.
    async fn restart(&mut self) -> Result<()> {
        self.applied = Applied::default();
        match &mut self.pages {
            Pages::Buffered(buffer) => buffer.clear(),
            Pages::Streaming(tx) => {
                if let Some(tx) = tx.take() {
                    tx.rollback().await?;
                }
                self.turn = None;
            }
        }
        Ok(())
    }
}

/// What the pages of the current pass held.
#[derive(Debug, Default, Clone, Copy)]
struct Applied {
    pages: u64,
    transactions: u64,
}

impl Applied {
    fn add(&mut self, page: &SyncPage) {
        self.pages += 1;
        let n = page.added.len() + page.modified.len() + page.removed.len();
        self.transactions += n as u64;
    }
}
