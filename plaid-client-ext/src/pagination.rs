//! Pagination streams for Plaid's list operations, found by the generator from the spec's shapes
//! (see [`plaid_client::Paginated`]):
//!
//! - cursor lists (`/identity_verification/list`, `/wallet/transaction/list`, ...): the next
//!   page is asked for with the previous `next_cursor`; an absent or empty one ends the list;
//! - offset lists (`/transactions/get`, `/investments/transactions/get`, `/institutions/get`,
//!   `/transfer/list`, ...): `offset` advances by the items received; the list ends on an empty
//!   page, when the response's total (`total_transactions`, `total`, ...) is reached, or, where
//!   there is no total, on a page shorter than `count`;
//! - event syncs (`/transfer/event/sync`, `/bank_transfer/event/sync`): `after_id` becomes the
//!   last event's `event_id`; the list ends when `has_more` is false or, where the response has
//!   none, on an empty page or one shorter than `count`. Store the `event_id` of the last event
//!   you processed and start the next sync after it.
//!
//! Each page is sent through [`PlaidClient::send`], so the retry policy applies page by page
//! (list operations are read-only). A stream holds one page at a time and ends after the last
//! page or the first error; a server that repeats a position while announcing more pages ends
//! it with [`PaginationError::Stalled`] (the position just sent) or [`PaginationError::Cycle`]
//! (any earlier one) instead of looping, and more than [`crate::sync::MAX_EMPTY_PAGES`] empty
//! pages in a row that announce more end it with [`PaginationError::NoProgress`].
//!
//! ```
//! # async fn demo(client: plaid_client_ext::PlaidClient) -> Result<(), plaid_client_ext::Error> {
//! use plaid_client_ext::prelude::*; // StreamExt, for `next()`
//! use plaid_client_ext::types::{CountryCode, InstitutionsGetRequest};
//!
//! let request = InstitutionsGetRequest::new(500, vec![CountryCode::Us], 0);
//! let mut institutions = client.paginate(request).items();
//! while let Some(institution) = institutions.next().await {
//!     println!("{}", institution?.name);
//! }
//! # Ok(())
//! # }
//! ```

use futures_util::stream::{self, BoxStream, StreamExt};
use plaid_client::{PageStyle, Paginated, RequestBody};

use crate::error::PaginationError;
use crate::loop_guard::{refuse_stall, LoopGuard};
use crate::{Error, PlaidClient};

/// A paginated list, built by [`PlaidClient::paginate`]; consume it with
/// [`Pages::pages`] or [`Pages::items`].
#[must_use = "a pagination does nothing until `pages` or `items` is polled"]
pub struct Pages<O: Paginated> {
    // A clone (an `Arc`): the streams own it, so they can move into a task.
    client: PlaidClient,
    request: O::Request,
}

impl<O: Paginated> std::fmt::Debug for Pages<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The request may hold an access token: show only the operation.
        f.debug_struct("Pages")
            .field("operation", &O::OPERATION_ID)
            .field("style", &O::STYLE)
            .finish()
    }
}

impl PlaidClient {
    /// The pages (or items) of a list operation, starting at `request`'s position (its
    /// `cursor`, `offset` or `after_id`). See [`crate::pagination`].
    pub fn paginate<R>(&self, request: R) -> Pages<R::Operation>
    where
        R: RequestBody,
        R::Operation: Paginated,
    {
        Pages {
            client: self.clone(),
            request,
        }
    }
}

impl<O> Pages<O>
where
    O: Paginated + 'static,
    O::Request: Clone + Send + Sync,
    O::Response: Send,
    O::Item: Send,
{
    /// The responses, one page at a time. The stream owns a clone of the client, so it can be
    /// moved into a task (`tokio::spawn`).
    pub fn pages(self) -> BoxStream<'static, Result<O::Response, Error>> {
        let state = Some((self.client, self.request, Visited::<O>::default()));
        stream::unfold(state, |state| async move {
            let (client, mut request, mut visited) = state?;
            match client.send_operation::<O>(&request).await {
                Err(e) => Some((Err(e), None)),
                Ok(response) => {
                    let page = response.into_inner();
                    match visited.advance(&mut request, &page) {
                        Ok(true) => Some((Ok(page), Some((client, request, visited)))),
                        Ok(false) => Some((Ok(page), None)),
                        Err(e) => Some((Err(e.into()), None)),
                    }
                }
            }
        })
        .boxed()
    }

    /// The items of every page (the response's array named by [`Paginated::ITEMS_FIELD`]), one
    /// at a time; the other fields of each page are dropped (use [`Pages::pages`] for them).
    pub fn items(self) -> BoxStream<'static, Result<O::Item, Error>> {
        self.pages()
            .flat_map(|page| {
                let items: Vec<Result<O::Item, Error>> = match page {
                    Ok(mut page) => O::take_items(&mut page).into_iter().map(Ok).collect(),
                    Err(e) => vec![Err(e)],
                };
                stream::iter(items)
            })
            .boxed()
    }
}

/// Where a list has been. Offsets and `after_id`s only move forward ([`advance`] checks), so
/// only cursors can lead back; a [`LoopGuard`] refuses that and endless empty pages.
struct Visited<O: Paginated> {
    guard: LoopGuard<O::Cursor>,
    pages: usize,
}

impl<O: Paginated> Default for Visited<O> {
    fn default() -> Self {
        Self {
            guard: LoopGuard::default(),
            pages: 0,
        }
    }
}

impl<O: Paginated> Visited<O> {
    /// [`advance`], then [`LoopGuard::check`] of the cursor it leads to.
    fn advance(
        &mut self,
        request: &mut O::Request,
        page: &O::Response,
    ) -> Result<bool, PaginationError> {
        self.pages += 1;
        let sent = O::cursor(request);
        if !advance::<O>(request, page)? {
            return Ok(false);
        }
        let next = O::cursor(request);
        self.guard.check(
            O::OPERATION_ID,
            sent,
            next.as_ref(),
            O::page_len(page),
            self.pages,
        )?;
        Ok(true)
    }
}

/// Move `request` to the page after `page`; `Ok(false)` when `page` was the last one.
pub fn advance<O: Paginated>(
    request: &mut O::Request,
    page: &O::Response,
) -> Result<bool, PaginationError> {
    match O::STYLE {
        PageStyle::Cursor => advance_cursor::<O>(request, page),
        PageStyle::Offset => Ok(advance_offset::<O>(request, page)),
        PageStyle::AfterId => advance_after_id::<O>(request, page),
    }
}

/// A cursor list: the next page is asked for with `next_cursor`; none ends the list, the cursor
/// just sent is a stall.
fn advance_cursor<O: Paginated>(
    request: &mut O::Request,
    page: &O::Response,
) -> Result<bool, PaginationError> {
    let Some(next) = O::next_cursor(page) else {
        return Ok(false);
    };
    refuse_stall(
        O::OPERATION_ID,
        "next_cursor",
        O::cursor(request).as_ref(),
        &next,
    )?;
    O::set_cursor(request, Some(next));
    Ok(true)
}

/// An offset list: `offset` advances by the items received; an empty page, the response's
/// total, or (without a total) a page shorter than `count` ends the list.
fn advance_offset<O: Paginated>(request: &mut O::Request, page: &O::Response) -> bool {
    let received = O::page_len(page);
    if received == 0 {
        return false;
    }
    let next = O::offset(request).saturating_add(len_i64(received));
    let more = match (O::total(page), O::count(request)) {
        (Some(total), _) => next < total,
        (None, Some(count)) => len_i64(received) >= count,
        // Neither a total nor a page size: only an empty page can end the list.
        (None, None) => true,
    };
    if more {
        O::set_offset(request, next);
    }
    more
}

/// An event sync: `after_id` becomes the last event's `event_id`, which must move forward;
/// `has_more` (or, without it, a full page) says whether more follow.
fn advance_after_id<O: Paginated>(
    request: &mut O::Request,
    page: &O::Response,
) -> Result<bool, PaginationError> {
    let received = O::page_len(page);
    let more = match O::has_more(page) {
        Some(more) => more,
        None => match O::count(request) {
            Some(count) => received > 0 && len_i64(received) >= count,
            None => received > 0,
        },
    };
    if !more {
        return Ok(false);
    }
    let Some(last) = O::last_id(page) else {
        return Err(PaginationError::MissingCursor {
            operation: O::OPERATION_ID,
            field: "event_id",
        });
    };
    if last <= O::after_id(request) {
        return Err(PaginationError::Stalled {
            operation: O::OPERATION_ID,
            field: "after_id",
        });
    }
    O::set_after_id(request, last);
    Ok(true)
}

fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
