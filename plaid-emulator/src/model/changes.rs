//! Changes to an Item's transactions (what the control API and `/sandbox/transactions/create`
//! make happen), applied to its history: a modified, posted or removed transaction must be
//! current, and a posted one pending; and why a change, or another control call, fails.

use serde_json::Value;

use super::history::{Custom, Maker};
use super::items::ItemState;

/// Why a control call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// No Item has this id.
    #[error("no Item {item_id}")]
    UnknownItem {
        /// The id asked for.
        item_id: String,
    },
    /// The Item was removed (`/item/remove`).
    #[error("Item {item_id} was removed")]
    ItemRemoved {
        /// The Item.
        item_id: String,
    },
    /// The Item has no current transaction of this id.
    #[error("Item {item_id} has no transaction {transaction_id}")]
    UnknownTransaction {
        /// The Item.
        item_id: String,
        /// The id asked for.
        transaction_id: String,
    },
    /// The transaction is posted already: only a pending one posts.
    #[error("transaction {transaction_id} of Item {item_id} is not pending")]
    NotPending {
        /// The Item.
        item_id: String,
        /// The id asked for.
        transaction_id: String,
    },
}

/// A change to an Item's transactions.
pub(crate) enum Change<'a> {
    Add(usize),
    AddPending(usize),
    AddCustom(Vec<Custom>),
    Post(&'a str),
    Modify(&'a str, f64),
    Remove(&'a str),
}

pub(crate) fn maker<'a>(emu_seed: &'a str, item: &'a ItemState) -> Maker<'a> {
    Maker {
        item_id: &item.item_id,
        seed: emu_seed,
        template: &Value::Null,
        accounts: &item.accounts,
        history: &item.history,
    }
}

/// `change` applied to `item`'s history: a modified or removed transaction must be current.
pub(crate) fn apply(
    seed: &str,
    item: &mut ItemState,
    change: Change<'_>,
) -> Result<Vec<String>, ControlError> {
    let unknown = |id: &str| ControlError::UnknownTransaction {
        item_id: item.item_id.clone(),
        transaction_id: id.to_string(),
    };
    let current = |id: &str| {
        let k = maker(seed, item).number(id).ok_or_else(|| unknown(id))?;
        if item.history.current().contains_key(&k) {
            Ok(k)
        } else {
            Err(unknown(id))
        }
    };
    match change {
        Change::Add(n) => {
            let added = item.history.add(n);
            let make = maker(seed, item);
            return Ok(added.into_iter().map(|k| make.id(k)).collect());
        }
        Change::AddCustom(transactions) => {
            let added = item.history.add_custom(transactions);
            let make = maker(seed, item);
            return Ok(added.into_iter().map(|k| make.id(k)).collect());
        }
        Change::AddPending(n) => {
            let added = item.history.add_pending(n);
            let make = maker(seed, item);
            return Ok(added.into_iter().map(|k| make.id(k)).collect());
        }
        Change::Post(id) => {
            let k = current(id)?;
            if !item.history.is_pending(k) {
                return Err(ControlError::NotPending {
                    item_id: item.item_id.clone(),
                    transaction_id: id.to_string(),
                });
            }
            let posted = item.history.post(k);
            return Ok(vec![maker(seed, item).id(posted)]);
        }
        Change::Modify(id, amount) => {
            let k = current(id)?;
            item.history.modify(k, amount);
        }
        Change::Remove(id) => {
            let k = current(id)?;
            item.history.remove(k);
        }
    }
    Ok(Vec::new())
}
