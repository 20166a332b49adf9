//! The emulated state as typed values, below everything else of the crate (which it does not
//! use): the state and its one lock (`state.rs`), Items and public tokens (`items.rs`), their
//! histories (`history.rs`) and the changes made to them (`changes.rs`), link tokens
//! (`link.rs`), transfers and their events (`transfers.rs`), Plaid's error as a value
//! (`plaid_error.rs`), and the derived ids and the times they carry (`digest.rs`, `clock.rs`).
//! No HTTP here: the handlers of `api/` read and change it.

pub(crate) mod bank_transfers;
pub(crate) mod changes;
pub(crate) mod clock;
pub(crate) mod custom_date;
pub(crate) mod custom_investments;
pub(crate) mod custom_products;
pub(crate) mod custom_user;
pub(crate) mod digest;
pub(crate) mod error_passwords;
pub(crate) mod history;
pub(crate) mod institutions;
pub(crate) mod items;
pub(crate) mod ledger;
pub(crate) mod link;
pub(crate) mod mfa;
pub(crate) mod oauth;
pub(crate) mod payment_profiles;
pub(crate) mod payments;
pub(crate) mod plaid_error;
pub(crate) mod recurring;
pub(crate) mod refunds;
pub(crate) mod repayments;
pub(crate) mod sandbox_items;
pub(crate) mod sandbox_users;
pub(crate) mod state;
pub(crate) mod transfers;
pub(crate) mod users;
