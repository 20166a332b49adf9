//! When Plaid publishes a new spec: what changed in the API (`spec diff`), the one-step,
//! all-or-nothing move to it (`spec bump`), and what that means for the next release
//! (`changelog`: CHANGELOG.md's Unreleased section and the crates' versions, measured against
//! `release.toml`).

pub mod bump;
pub mod changelog;
pub mod diff;
pub mod release;
