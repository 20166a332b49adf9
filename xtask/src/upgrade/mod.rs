//! When Plaid publishes a new spec: what changed in the API (`spec diff`) and the one-step,
//! all-or-nothing move to it (`spec bump`).

pub mod bump;
pub mod diff;
