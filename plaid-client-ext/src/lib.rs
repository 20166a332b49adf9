//! The hand-written layer over `plaid-client` (in progress; see the issues).
pub use plaid_client;
