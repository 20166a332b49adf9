//! The guards that keep a list or a sync loop from running forever on a misbehaving server: a
//! cursor that repeats the one just sent ([`PaginationError::Stalled`]), one that leads back to
//! any earlier cursor ([`PaginationError::Cycle`]), and endless empty pages that announce more
//! ([`PaginationError::NoProgress`]). [`crate::pagination`] and [`crate::sync`] both use them, so
//! a server costs a bounded number of requests in either.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::Hash;

use crate::error::PaginationError;

/// How many pages in a row may announce more while holding no entries before a sync or list
/// stops with [`PaginationError::NoProgress`]: with every cursor of a pass distinct (a revisit
/// is [`PaginationError::Cycle`]), a server can only keep a loop going by sending data, or by
/// sending nothing, which this bounds.
pub const MAX_EMPTY_PAGES: usize = 10;

/// [`PaginationError::Stalled`] when the position `next` a page leads to is the one just `sent`.
pub(crate) fn refuse_stall<Q>(
    operation: &'static str,
    field: &'static str,
    sent: Option<&Q>,
    next: &Q,
) -> Result<(), PaginationError>
where
    Q: PartialEq + ?Sized,
{
    if sent == Some(next) {
        return Err(PaginationError::Stalled { operation, field });
    }
    Ok(())
}

/// Every cursor a loop sent, and its run of empty pages that announced more.
pub(crate) struct LoopGuard<C> {
    sent: HashSet<C>,
    empty_pages: usize,
}

impl<C> Default for LoopGuard<C> {
    fn default() -> Self {
        Self {
            sent: HashSet::new(),
            empty_pages: 0,
        }
    }
}

impl<C: Eq + Hash> LoopGuard<C> {
    /// Record `sent`, the cursor of the page that arrived with `entries` entries, then refuse
    /// `next` if any cursor sent before ([`PaginationError::Cycle`], after `pages` pages) or
    /// more than [`MAX_EMPTY_PAGES`] empty pages in a row ([`PaginationError::NoProgress`]).
    pub(crate) fn check<Q>(
        &mut self,
        operation: &'static str,
        sent: Option<C>,
        next: Option<&Q>,
        entries: usize,
        pages: usize,
    ) -> Result<(), PaginationError>
    where
        C: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.sent.extend(sent);
        if next.is_some_and(|next| self.sent.contains(next)) {
            return Err(PaginationError::Cycle {
                operation,
                field: "next_cursor",
                pages,
            });
        }
        self.empty_pages = if entries == 0 {
            self.empty_pages + 1
        } else {
            0
        };
        if self.empty_pages > MAX_EMPTY_PAGES {
            return Err(PaginationError::NoProgress {
                operation,
                pages: self.empty_pages,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_position_is_a_stall_and_an_earlier_one_a_cycle() {
        assert!(refuse_stall("op", "next_cursor", Some("a"), "b").is_ok());
        assert!(matches!(
            refuse_stall("op", "next_cursor", Some("a"), "a"),
            Err(PaginationError::Stalled { .. })
        ));
        let mut guard = LoopGuard::<String>::default();
        assert!(guard.check("op", Some("a".into()), Some("b"), 1, 1).is_ok());
        assert!(guard.check("op", Some("b".into()), Some("c"), 1, 2).is_ok());
        assert!(matches!(
            guard.check("op", Some("c".into()), Some("a"), 1, 3),
            Err(PaginationError::Cycle { pages: 3, .. })
        ));
    }

    #[test]
    fn more_than_the_limit_of_empty_pages_is_no_progress() {
        let mut guard = LoopGuard::<u32>::default();
        for page in 0..MAX_EMPTY_PAGES as u32 {
            assert!(guard
                .check("op", Some(page), Some(&(page + 1)), 0, 1)
                .is_ok());
        }
        let last = MAX_EMPTY_PAGES as u32;
        assert!(matches!(
            guard.check("op", Some(last), Some(&(last + 1)), 0, 1),
            Err(PaginationError::NoProgress { .. })
        ));
    }
}
