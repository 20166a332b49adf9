//! The shapes of Plaid's paginated operations, as traits.
//!
//! The generator finds these shapes in the spec (field names and types of each operation's
//! request and response, never a hand list) and implements the traits for the operation markers in
//! [`crate::operations`]; the loops that drive them live in `plaid-client-ext` (`sync` and
//! `paginate`). Four shapes exist in Plaid's API:
//!
//! | shape | request | response | e.g. |
//! |---|---|---|---|
//! | cursor sync ([`CursorSync`]) | `cursor` | `next_cursor`, `has_more` | `/transactions/sync` |
//! | cursor list ([`Paginated`], [`PageStyle::Cursor`]) | `cursor` | `next_cursor` | `/wallet/list` |
//! | offset list ([`Paginated`], [`PageStyle::Offset`]) | `count`, `offset` | items, maybe `total_*` | `/transactions/get` |
//! | event sync ([`Paginated`], [`PageStyle::AfterId`]) | `after_id` | events with `event_id`, maybe `has_more` | `/transfer/event/sync` |
//!
//! ```
//! use plaid_client::{operations, CursorSync, PageStyle, Paginated};
//!
//! fn is_cursor_sync<O: CursorSync>() -> bool { true }
//! assert!(is_cursor_sync::<operations::TransactionsSync>());
//! assert_eq!(operations::TransactionsSync::MAX_COUNT, Some(500));
//! assert_eq!(operations::WalletList::STYLE, PageStyle::Cursor);
//! assert_eq!(operations::InstitutionsGet::STYLE, PageStyle::Offset);
//! assert_eq!(operations::TransferEventSync::STYLE, PageStyle::AfterId);
//! ```

use crate::{JsonOperation, PostOperation};

/// An operation that returns a delta since a stored cursor, in pages: the request takes `cursor`,
/// the response has `next_cursor` and `has_more` (`/transactions/sync` and its kin).
///
/// The *paged* fields of the response are the arrays that the pages split (`added`, `modified`,
/// `removed` for a sync; the array a `total_<name>` counts otherwise); every other field is
/// context that each page repeats (the Item's `accounts`, say).
pub trait CursorSync: JsonOperation + PostOperation {
    /// The largest `count` (page size) the spec allows, if the request has a `count`.
    const MAX_COUNT: Option<i64>;
    /// The names of the paged array fields, for documentation and diagnostics.
    const PAGED_FIELDS: &'static [&'static str];

    /// The request's cursor (`None`: from the beginning of the Item's history).
    fn cursor(request: &Self::Request) -> Option<String>;
    /// Set (or clear) the request's cursor.
    fn set_cursor(request: &mut Self::Request, cursor: Option<String>);
    /// Set the request's page size, where it has one.
    fn set_count(request: &mut Self::Request, count: i64);
    /// The cursor to send next (`None`: empty, which Plaid sends while the data is not ready).
    fn next_cursor(response: &Self::Response) -> Option<String>;
    /// Whether more pages follow this one.
    fn has_more(response: &Self::Response) -> bool;
    /// How many entries the paged fields of this page hold together.
    fn page_len(response: &Self::Response) -> usize;
    /// Append `page`'s paged fields to `acc`'s; every other field of `acc` takes `page`'s value
    /// (the latest page's context wins).
    fn merge(acc: &mut Self::Response, page: Self::Response);
}

/// How a [`Paginated`] operation moves from one page to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageStyle {
    /// Send the previous response's `next_cursor` as `cursor`; an absent or empty `next_cursor`
    /// ends the list.
    Cursor,
    /// Send `offset` advanced by the items received; the list ends on an empty page, on the
    /// response's total, or (without a total) on a page shorter than `count`.
    Offset,
    /// Send the last item's `event_id` as `after_id`; the list ends when `has_more` is false (or,
    /// where the response has no `has_more`, on an empty page or one shorter than `count`).
    AfterId,
}

/// A list operation whose items come in pages: a cursor list, an offset list or an event sync.
/// Which fields apply depends on [`Paginated::STYLE`]; the others keep their defaults.
pub trait Paginated: JsonOperation + PostOperation {
    /// How the next page is requested.
    const STYLE: PageStyle;
    /// The name of the response's array field holding the items.
    const ITEMS_FIELD: &'static str;
    /// The type of one item.
    type Item;
    /// The type of the cursor ([`PageStyle::Cursor`]; a string, or a timestamp for lists paged by
    /// creation time). `()` for the other styles. Hashable, so a list can tell a cursor it has
    /// already visited.
    type Cursor: Clone + Eq + std::hash::Hash + Send + Sync + 'static;

    /// Number of items on this page.
    fn page_len(response: &Self::Response) -> usize;
    /// Take the items out of the page (leaving it empty).
    fn take_items(response: &mut Self::Response) -> Vec<Self::Item>;
    /// The request's page size (`count`), where it has one.
    fn count(request: &Self::Request) -> Option<i64> {
        let _ = request;
        None
    }

    /// [`PageStyle::Cursor`]: set (or clear) the request's `cursor`.
    fn set_cursor(request: &mut Self::Request, cursor: Option<Self::Cursor>) {
        let _ = (request, cursor);
    }
    /// [`PageStyle::Cursor`]: the request's `cursor`.
    fn cursor(request: &Self::Request) -> Option<Self::Cursor> {
        let _ = request;
        None
    }
    /// [`PageStyle::Cursor`]: the response's `next_cursor` (`None` when absent or empty).
    fn next_cursor(response: &Self::Response) -> Option<Self::Cursor> {
        let _ = response;
        None
    }

    /// [`PageStyle::Offset`]: the request's `offset`.
    fn offset(request: &Self::Request) -> i64 {
        let _ = request;
        0
    }
    /// [`PageStyle::Offset`]: set the request's `offset`.
    fn set_offset(request: &mut Self::Request, offset: i64) {
        let _ = (request, offset);
    }
    /// [`PageStyle::Offset`]: the total number of items, where the response states it.
    fn total(response: &Self::Response) -> Option<i64> {
        let _ = response;
        None
    }

    /// [`PageStyle::AfterId`]: the request's `after_id`.
    fn after_id(request: &Self::Request) -> i64 {
        let _ = request;
        0
    }
    /// [`PageStyle::AfterId`]: set the request's `after_id`.
    fn set_after_id(request: &mut Self::Request, after_id: i64) {
        let _ = (request, after_id);
    }
    /// [`PageStyle::AfterId`]: the `event_id` of the page's last item.
    fn last_id(response: &Self::Response) -> Option<i64> {
        let _ = response;
        None
    }
    /// [`PageStyle::AfterId`]: the response's `has_more`, where it has one.
    fn has_more(response: &Self::Response) -> Option<bool> {
        let _ = response;
        None
    }
}

/// Uniform access to a cursor field, whatever the generated type spells it: `String`,
/// `Option<String>`, a string newtype, or a timestamp (`/payment_initiation/payment/list` pages
/// by `created_at`). Used by the generated implementations; not meant for users.
#[doc(hidden)]
pub trait CursorField {
    /// The cursor's value.
    type Value: Clone + Eq + std::hash::Hash + Send + Sync + 'static;
    /// The value; `None` when absent (an empty string counts as absent).
    fn get(&self) -> Option<Self::Value>;
    /// Set the value; `None` clears it (or empties a required field).
    fn set(&mut self, value: Option<Self::Value>);
}

impl CursorField for String {
    type Value = String;
    fn get(&self) -> Option<String> {
        Some(self.clone()).filter(|c| !c.is_empty())
    }
    fn set(&mut self, value: Option<String>) {
        *self = value.unwrap_or_default();
    }
}

impl CursorField for Option<String> {
    type Value = String;
    fn get(&self) -> Option<String> {
        self.clone().filter(|c| !c.is_empty())
    }
    fn set(&mut self, value: Option<String>) {
        *self = value;
    }
}

impl CursorField for Option<chrono::DateTime<chrono::Utc>> {
    type Value = chrono::DateTime<chrono::Utc>;
    fn get(&self) -> Option<Self::Value> {
        *self
    }
    fn set(&mut self, value: Option<Self::Value>) {
        *self = value;
    }
}

/// Uniform access to an integer field spelled `i64` or `Option<i64>`.
#[doc(hidden)]
pub trait IntField {
    /// The value; `None` when absent.
    fn int(&self) -> Option<i64>;
    /// Set the value.
    fn set_int(&mut self, value: i64);
}

impl IntField for i64 {
    fn int(&self) -> Option<i64> {
        Some(*self)
    }
    fn set_int(&mut self, value: i64) {
        *self = value;
    }
}

impl IntField for Option<i64> {
    fn int(&self) -> Option<i64> {
        *self
    }
    fn set_int(&mut self, value: i64) {
        *self = Some(value);
    }
}

/// Uniform access to a boolean field spelled `bool` or `Option<bool>`.
#[doc(hidden)]
pub trait FlagField {
    /// The value; `None` when absent.
    fn flag(&self) -> Option<bool>;
}

impl FlagField for bool {
    fn flag(&self) -> Option<bool> {
        Some(*self)
    }
}

impl FlagField for Option<bool> {
    fn flag(&self) -> Option<bool> {
        *self
    }
}

/// Uniform access to an array field spelled `Vec<T>` or `Option<Vec<T>>`.
#[doc(hidden)]
pub trait ListField {
    /// The element type.
    type Item;
    /// Number of elements (0 when absent).
    fn len(&self) -> usize;
    /// Whether there are no elements.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The last element.
    fn last(&self) -> Option<&Self::Item>;
    /// Take the elements out, leaving the field empty.
    fn take(&mut self) -> Vec<Self::Item>;
    /// Put `items` back in front of the field's current elements.
    fn prepend(&mut self, items: Vec<Self::Item>);
}

impl<T> ListField for Vec<T> {
    type Item = T;
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }
    fn take(&mut self) -> Vec<T> {
        std::mem::take(self)
    }
    fn prepend(&mut self, mut items: Vec<T>) {
        items.append(self);
        *self = items;
    }
}

impl<T> ListField for Option<Vec<T>> {
    type Item = T;
    fn len(&self) -> usize {
        self.as_ref().map_or(0, Vec::len)
    }
    fn last(&self) -> Option<&T> {
        self.as_ref().and_then(|v| v.as_slice().last())
    }
    fn take(&mut self) -> Vec<T> {
        self.take().unwrap_or_default()
    }
    fn prepend(&mut self, mut items: Vec<T>) {
        if items.is_empty() {
            return;
        }
        if let Some(v) = self {
            items.append(v);
        }
        *self = Some(items);
    }
}
