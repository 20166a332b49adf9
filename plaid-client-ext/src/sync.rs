//! Cursor-sync loops: `/transactions/sync`, `/processor/transactions/sync` and every operation
//! of that shape (request `cursor`; response `next_cursor` + `has_more`), found by the generator
//! (see [`plaid_client::CursorSync`]).
//!
//! Plaid's rule, which this module implements (Plaid docs, `api-products-transactions`,
//! `/transactions/sync`, and `errors-transactions`, `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`):
//!
//! 1. keep the cursor the loop *started* from (your stored cursor, or none for the full history);
//! 2. call with the latest `next_cursor` until `has_more` is false;
//! 3. if any page fails with `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`, discard everything
//!    received in this pass and restart the whole loop from the cursor of step 1, rather than
//!    retrying the page that failed;
//! 4. store only the `next_cursor` that came with `has_more: false`.
//!
//! Also from the docs: `next_cursor` is an empty string while an Item's transactions are not
//! ready yet; that is reported as [`SyncOutcome::NotReady`] (or [`SyncEvent::NotReady`]) at once,
//! never polled in a loop. Wait for the `SYNC_UPDATES_AVAILABLE` webhook and sync again.
//!
//! Each page is sent through [`PlaidClient::send`], so the client's retry policy applies to it
//! (sync operations are read-only): transient failures are retried page by page, the mutation
//! error restarts the pass, and any other error ends the loop with nothing to store.
//!
//! The mutation error is recognised by its family, not one code: any `error_code` ending in
//! `_MUTATION_DURING_PAGINATION` ([`is_mutation_during_pagination`]), for every operation of this
//! shape (the cash-flow report syncs too), and whatever else the error body lacks.
//!
//! A server cannot keep a pass going forever: a `next_cursor` that leads back to any cursor of the
//! pass ends it with [`PaginationError::Cycle`], and more than [`MAX_EMPTY_PAGES`] empty pages in
//! a row that announce more end it with [`PaginationError::NoProgress`].
//!
//! Two ways to consume a sync:
//!
//! - [`SyncLoop::run`] returns one consistent batch: every entry of the paged fields (`added`,
//!   `modified`, `removed`) of one complete pass, the latest context (`accounts`), and the cursor
//!   to store. Memory grows with the update.
//! - [`SyncLoop::pages`] streams pages with bounded memory, tells you when a restart discards
//!   what you already saw ([`SyncEvent::Restarted`]), and hands out the cursor to store only at
//!   the very end ([`SyncEvent::Complete`]).
//!
//! ```
//! # async fn demo(client: plaid_client_ext::PlaidClient, stored: Option<String>)
//! #     -> Result<(), plaid_client_ext::Error> {
//! use plaid_client_ext::sync::SyncOutcome;
//! use plaid_client_ext::types::TransactionsSyncRequest;
//!
//! let mut request = TransactionsSyncRequest::new("access-sandbox-…").count(500);
//! request.cursor = stored; // `None` the first time: the whole history
//! match client.sync(request).run().await? {
//!     SyncOutcome::Complete(batch) => {
//!         // Apply batch.data.added / modified / removed, then store batch.cursor, atomically.
//!         println!("{} added, cursor {}", batch.data.added.len(), batch.cursor);
//!     }
//!     SyncOutcome::NotReady(_) => println!("not ready yet: wait for SYNC_UPDATES_AVAILABLE"),
//! }
//! # Ok(())
//! # }
//! ```

use futures_util::stream::{self, BoxStream, StreamExt};
use plaid_client::{CursorSync, RequestBody};

use crate::error::PaginationError;
use crate::loop_guard::{refuse_stall, LoopGuard};
use crate::{Error, PlaidClient};

/// How many times a sync restarts from its first cursor before giving up, unless set with
/// [`SyncLoop::max_restarts`].
pub const DEFAULT_MAX_RESTARTS: u32 = 5;

pub use crate::loop_guard::MAX_EMPTY_PAGES;

/// A cursor-sync loop, built by [`PlaidClient::sync`]; run it with [`SyncLoop::run`] or
/// [`SyncLoop::pages`].
#[must_use = "a sync loop does nothing until `run` or `pages` is called"]
pub struct SyncLoop<O: CursorSync> {
    // A clone (an `Arc`): the loop and its stream own it, so they can move into a task.
    client: PlaidClient,
    request: O::Request,
    max_restarts: u32,
    page_size: Option<i64>,
}

impl<O: CursorSync> std::fmt::Debug for SyncLoop<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The request holds an access token: show only what the loop will do.
        f.debug_struct("SyncLoop")
            .field("operation", &O::OPERATION_ID)
            .field("from_cursor", &O::cursor(&self.request).is_some())
            .field("max_restarts", &self.max_restarts)
            .field("page_size", &self.page_size)
            .finish()
    }
}

/// The result of [`SyncLoop::run`].
#[derive(Debug, Clone)]
pub enum SyncOutcome<R> {
    /// One complete, consistent pass.
    Complete(SyncBatch<R>),
    /// The Item's data is not ready yet (`next_cursor` is empty): nothing to apply, nothing to
    /// store. The response is handed back as received (e.g. its `transactions_update_status`).
    NotReady(R),
}

/// Everything one complete pass of a cursor sync returned.
#[derive(Debug, Clone)]
pub struct SyncBatch<R> {
    /// The last page's response with the paged fields of every page of the pass concatenated in
    /// order (`added`, `modified`, `removed`; see [`CursorSync::PAGED_FIELDS`]); its other
    /// fields (`accounts`, ...) are the last page's.
    pub data: R,
    /// The cursor to store: the `next_cursor` of the page that had `has_more: false`.
    pub cursor: String,
    /// Pages in the pass that produced `data`.
    pub pages: usize,
    /// Restarts caused by `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION` before that pass.
    pub restarts: u32,
}

/// One step of [`SyncLoop::pages`].
#[derive(Debug, Clone)]
pub enum SyncEvent<R> {
    /// A page of the current pass. Apply it provisionally: a later [`SyncEvent::Restarted`]
    /// may take it back.
    Page(R),
    /// The pass was interrupted by `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`; the loop
    /// restarts from its first cursor. Discard the `discarded_pages` pages received since the
    /// start (or the previous restart): the next pages deliver them again, consistently.
    Restarted {
        /// Pages of the interrupted pass, to discard.
        discarded_pages: usize,
        /// Restarts so far, this one included.
        restarts: u32,
    },
    /// The Item's data is not ready yet (`next_cursor` is empty); the stream ends. Nothing to
    /// store.
    NotReady(R),
    /// The pass is complete; store `cursor` (with what you applied). The stream ends.
    Complete {
        /// The cursor to store: the `next_cursor` of the page that had `has_more: false`.
        cursor: String,
        /// Pages in the completed pass.
        pages: usize,
    },
}

impl PlaidClient {
    /// A cursor-sync loop for `request` (e.g. a `TransactionsSyncRequest` whose `cursor` is the
    /// one you stored, or `None` for the full history). See [`crate::sync`].
    pub fn sync<R>(&self, request: R) -> SyncLoop<R::Operation>
    where
        R: RequestBody,
        R::Operation: CursorSync,
    {
        SyncLoop {
            client: self.clone(),
            request,
            max_restarts: DEFAULT_MAX_RESTARTS,
            page_size: None,
        }
    }
}

impl<O> SyncLoop<O>
where
    O: CursorSync + 'static,
    O::Request: Clone + Send + Sync,
    O::Response: Send,
{
    /// Restart from the first cursor at most `n` times (default [`DEFAULT_MAX_RESTARTS`]);
    /// one more mutation error then ends the loop with [`PaginationError::TooManyRestarts`].
    pub fn max_restarts(mut self, n: u32) -> Self {
        self.max_restarts = n;
        self
    }

    /// Ask for `n` entries per page (the request's `count`; Plaid allows up to
    /// [`CursorSync::MAX_COUNT`], 500 for `/transactions/sync`). Fewer, larger pages make a
    /// mutation during pagination less likely. Checked when the loop starts.
    pub fn page_size(mut self, n: i64) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Run the loop to the end and return one consistent batch (or [`SyncOutcome::NotReady`]).
    pub async fn run(self) -> Result<SyncOutcome<O::Response>, Error> {
        let mut state = self.into_state()?;
        let mut merged: Option<O::Response> = None;
        loop {
            match state.step().await {
                Some(Ok(SyncEvent::Page(page))) => match merged.as_mut() {
                    Some(acc) => O::merge(acc, page),
                    None => merged = Some(page),
                },
                Some(Ok(SyncEvent::Restarted { .. })) => merged = None,
                Some(Ok(SyncEvent::NotReady(response))) => {
                    return Ok(SyncOutcome::NotReady(response))
                }
                Some(Ok(SyncEvent::Complete { cursor, pages })) => {
                    let data = merged.ok_or_else(missing_next_cursor::<O>)?;
                    return Ok(SyncOutcome::Complete(SyncBatch {
                        data,
                        cursor,
                        pages,
                        restarts: state.restarts,
                    }));
                }
                Some(Err(e)) => return Err(e),
                None => return Err(missing_next_cursor::<O>().into()),
            }
        }
    }

    /// Stream the loop page by page, holding one page at a time. The stream ends after
    /// [`SyncEvent::Complete`], [`SyncEvent::NotReady`] or an error. It owns a clone of the
    /// client, so it can be moved into a task (`tokio::spawn`); poll it with
    /// [`crate::prelude::StreamExt::next`].
    ///
    /// ```no_run
    /// # async fn demo(client: plaid_client_ext::PlaidClient) {
    /// use plaid_client_ext::prelude::*;
    /// use plaid_client_ext::sync::SyncEvent;
    /// use plaid_client_ext::types::TransactionsSyncRequest;
    ///
    /// let mut events = client.sync(TransactionsSyncRequest::new("access-sandbox-…")).pages();
    /// let worker = tokio::spawn(async move {
    ///     while let Some(event) = events.next().await {
    ///         match event {
    ///             Ok(SyncEvent::Complete { cursor, .. }) => println!("store {cursor}"),
    ///             Ok(_) => {} // apply pages, discard on Restarted
    ///             Err(e) => eprintln!("sync stopped: {e}"),
    ///         }
    ///     }
    /// });
    /// # let _ = worker.await;
    /// # }
    /// ```
    pub fn pages(self) -> BoxStream<'static, Result<SyncEvent<O::Response>, Error>> {
        match self.into_state() {
            Err(e) => stream::once(async move { Err(e) }).boxed(),
            Ok(state) => stream::unfold(state, |mut state| async move {
                let event = state.step().await?;
                Some((event, state))
            })
            .boxed(),
        }
    }

    fn into_state(self) -> Result<State<O>, Error> {
        let mut request = self.request;
        if let Some(n) = self.page_size {
            let max = O::MAX_COUNT.unwrap_or(i64::MAX);
            if !(1..=max).contains(&n) {
                return Err(PaginationError::PageSize {
                    operation: O::OPERATION_ID,
                    requested: n,
                    max,
                }
                .into());
            }
            O::set_count(&mut request, n);
        }
        let first = O::cursor(&request);
        O::set_cursor(&mut request, first.clone());
        Ok(State {
            client: self.client,
            request,
            first,
            pages: 0,
            restarts: 0,
            max_restarts: self.max_restarts,
            finish: None,
            done: false,
            guard: LoopGuard::default(),
        })
    }
}

/// The loop's state between pages: the request (with the cursor to send next), the cursor the
/// pass started from, and counters. No page is kept.
struct State<O: CursorSync> {
    client: PlaidClient,
    request: O::Request,
    first: Option<String>,
    pages: usize,
    restarts: u32,
    max_restarts: u32,
    /// The final cursor, once the last page has been handed out.
    finish: Option<String>,
    done: bool,
    /// Every cursor sent in this pass, and its run of empty pages.
    guard: LoopGuard<String>,
}

impl<O> State<O>
where
    O: CursorSync,
    O::Request: Clone,
{
    /// The next event, or `None` once the loop has ended.
    async fn step(&mut self) -> Option<Result<SyncEvent<O::Response>, Error>> {
        if self.done {
            return None;
        }
        if let Some(cursor) = self.finish.take() {
            self.done = true;
            return Some(Ok(SyncEvent::Complete {
                cursor,
                pages: self.pages,
            }));
        }
        let outcome = self.client.send_operation::<O>(&self.request).await;
        let event = match outcome {
            Ok(response) => self.on_page(response.into_inner()),
            Err(e) if is_mutation_during_pagination(&e) => self.on_mutation(e),
            Err(e) => Err(e),
        };
        if !matches!(event, Ok(SyncEvent::Page(_) | SyncEvent::Restarted { .. })) {
            self.done = true;
        }
        Some(event)
    }

    fn on_page(&mut self, page: O::Response) -> Result<SyncEvent<O::Response>, Error> {
        let Some(next) = O::next_cursor(&page) else {
            // Plaid: "If transactions are not yet available, this will be an empty string."
            // Only a first page can say so; mid-pass there would be no cursor to store.
            if self.pages == 0 && !O::has_more(&page) {
                return Ok(SyncEvent::NotReady(page));
            }
            return Err(missing_next_cursor::<O>().into());
        };
        if O::has_more(&page) {
            self.check_progress(&next, O::page_len(&page))?;
            O::set_cursor(&mut self.request, Some(next));
        } else {
            self.finish = Some(next);
        }
        self.pages += 1;
        Ok(SyncEvent::Page(page))
    }

    /// Refuse to follow `next` when it repeats the cursor just sent ([`PaginationError::Stalled`])
    /// or any other of this pass ([`PaginationError::Cycle`]), or when too many pages in a row
    /// were empty ([`PaginationError::NoProgress`]).
    fn check_progress(&mut self, next: &str, entries: usize) -> Result<(), PaginationError> {
        let current = O::cursor(&self.request);
        refuse_stall(O::OPERATION_ID, "next_cursor", current.as_deref(), next)?;
        self.guard.check(
            O::OPERATION_ID,
            current,
            Some(next),
            entries,
            self.pages + 1,
        )
    }

    fn on_mutation(&mut self, error: Error) -> Result<SyncEvent<O::Response>, Error> {
        if self.restarts >= self.max_restarts {
            return Err(PaginationError::TooManyRestarts {
                operation: O::OPERATION_ID,
                restarts: self.restarts,
                last: error,
            }
            .into());
        }
        self.restarts += 1;
        self.guard = LoopGuard::default();
        let discarded_pages = std::mem::take(&mut self.pages);
        O::set_cursor(&mut self.request, self.first.clone());
        tracing::warn!(
            operation = O::OPERATION_ID,
            discarded_pages,
            restarts = self.restarts,
            "sync restarted from its first cursor: data changed during pagination"
        );
        Ok(SyncEvent::Restarted {
            discarded_pages,
            restarts: self.restarts,
        })
    }
}

/// A pass that ends without a `next_cursor` to store.
fn missing_next_cursor<O: CursorSync>() -> PaginationError {
    PaginationError::MissingCursor {
        operation: O::OPERATION_ID,
        field: "next_cursor",
    }
}

/// Whether `error` says the data changed during pagination, so the pass must restart from its
/// first cursor: `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`, or any other code of that family
/// (ending in [`MUTATION_DURING_PAGINATION`]), so a cursor-sync operation Plaid gives its own
/// code (the cash-flow report syncs) restarts too.
pub fn is_mutation_during_pagination(error: &Error) -> bool {
    error
        .error_code()
        .is_some_and(|code| code.as_str().ends_with(MUTATION_DURING_PAGINATION))
}

/// The suffix of the error code family that restarts a sync pass.
pub const MUTATION_DURING_PAGINATION: &str = "_MUTATION_DURING_PAGINATION";
