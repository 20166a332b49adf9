//! # plaid-client-ext
//!
//! The Plaid API client for Rust. It wraps the generated low-level client (`plaid-client`,
//! every operation and type of Plaid's OpenAPI spec) with what production code needs:
//!
//! - [`config`]: environment (Sandbox, Production, or any `https://` URL; plain `http://` only
//!   to loopback), credentials sent as `PLAID-CLIENT-ID`/`PLAID-SECRET` headers,
//!   `Plaid-Version: 2020-09-14`, timeouts, user agent, your own `reqwest::Client`, and
//!   [`PlaidClient::from_env`], which never panics;
//! - [`error`]: one [`Error`] type: Plaid's error object with `error_type`/`error_code` as open
//!   enums (the codes generated from Plaid's docs), and distinct variants for connect and
//!   response timeouts, transport failures and undecodable bodies;
//! - [`retry`]: exponential backoff with jitter, capped, honouring `Retry-After`, slower for
//!   rate limits, applied only where a retry cannot create a duplicate (read-only operations,
//!   keyed writes); per request with [`PlaidClient::customize`];
//! - [`idempotency`]: keys filled, checked against the spec's limits, reused on every retry,
//!   handed back to you, and put back for your own retries;
//! - [`sync`]: cursor-sync loops (`/transactions/sync` and its kin) that restart from the first
//!   cursor on `*_MUTATION_DURING_PAGINATION` and hand out the cursor to store only at the
//!   end, as one batch or as a stream of pages;
//! - [`pagination`]: streams of pages or items for every cursor, offset and event-id list;
//!   cycles and endless empty pages end with an error;
//! - [`webhooks`]: signature verification whose cost a forger cannot drive up;
//! - [`prelude`]: the stream traits (`StreamExt`, `TryStreamExt`) in one import;
//! - secrets never appear in `Debug`, errors or logs (which values are secrets is decided by
//!   the generator from the spec: [`plaid_client::redact`]); every request is a `tracing` span.
//!
//! Every request type has a `new` that takes its required fields (strings as `&str` or
//! `String`) and a setter per optional field; credentials are never part of a request (they
//! travel as headers). Adding an optional field to a request in a later spec version does
//! not break code written against this one.
//!
//! ## `/accounts/get`
//!
//! ```no_run
//! use plaid_client_ext::{types::AccountsGetRequest, PlaidClient};
//!
//! # async fn run() -> Result<(), plaid_client_ext::Error> {
//! let client = PlaidClient::from_env()?; // PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV
//! let accounts = client.send(&AccountsGetRequest::new("access-sandbox-…")).await?;
//! for account in &accounts.accounts {
//!     println!("{} {:?}", account.name, account.balances.current);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## `/transfer/create`
//!
//! `new` fills a fresh idempotency key, which belongs to the value: sending the same value
//! again (after a timeout, from a job queue, after a restart if you stored it) cannot create a
//! second transfer. Set your own key with `.idempotency_key(…)`.
//!
//! ```no_run
//! use plaid_client_ext::{types::TransferCreateRequest, PlaidClient};
//!
//! # async fn run(client: PlaidClient, authorization_id: String) -> Result<(), plaid_client_ext::Error> {
//! let transfer = TransferCreateRequest::new("access-sandbox-…", "account-id", authorization_id, "payment");
//! let created = client.send(&transfer).await?;
//! println!("transfer {} sent with key {:?}", created.transfer.id, created.idempotency_key);
//! # Ok(())
//! # }
//! ```
//!
//! ## `/transactions/sync`
//!
//! ```no_run
//! use plaid_client_ext::{sync::SyncOutcome, types::TransactionsSyncRequest, PlaidClient};
//!
//! # async fn run(client: PlaidClient, stored_cursor: String) -> Result<(), plaid_client_ext::Error> {
//! let request = TransactionsSyncRequest::new("access-sandbox-…").cursor(stored_cursor);
//! if let SyncOutcome::Complete(batch) = client.sync(request).run().await? {
//!     // Apply batch.data.added / modified / removed, then store batch.cursor, atomically.
//!     println!("{} added, next cursor {}", batch.data.added.len(), batch.cursor);
//! }
//! # Ok(())
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub mod config;
pub mod error;
pub mod idempotency;
mod loop_guard;
pub mod metrics;
pub mod pagination;
pub mod prelude;
mod redact;
pub mod retry;
pub mod sync;
pub mod webhooks;

mod client;

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use client::{Customize, PlaidClient, Response, ResponseOf};
pub use config::{ClientBuilder, ConfigError, Environment, PLAID_VERSION};
pub use error::{
    ApiError, DecodeError, Error, ErrorCode, ErrorType, PaginationError, TimeoutPhase,
    TransportKind,
};
pub use idempotency::{IdempotencyKey, InvalidIdempotencyKey};
pub use redact::Credential;

/// The generated low-level client.
pub use plaid_client;
/// One marker type per operation.
pub use plaid_client::operations;
/// The generated request, response and error types.
pub use plaid_client::types;
