//! Idempotency keys as part of a request value.
//!
//! The generated `new` of every request whose operation takes an `idempotency_key` (the
//! transfer, ledger, refund and wallet writes: [`crate::Operation::IDEMPOTENCY_KEY`]) fills a
//! fresh key from [`fresh_key`], so the key belongs to the value: sending the same value again
//! (after a timeout, from a job queue, after a restart if the value was stored) reuses it, and
//! Plaid performs the operation at most once. A key of your own (from your database, say) is
//! set with the request's `idempotency_key` setter and read back from its field.
//!
//! ```
//! use plaid_client::types::TransferCreateRequest;
//!
//! let request = TransferCreateRequest::new("access-sandbox-…", "account-id", "authorization-id", "payment");
//! let key = request.idempotency_key.clone().expect("new fills a key");
//! assert_eq!(key.len(), plaid_client::idempotency::FRESH_KEY_CHARS);
//! // A copy (a retry, a stored value) carries the same key.
//! assert_eq!(request.clone().idempotency_key, Some(key));
//! // Or your own:
//! let mine = request.idempotency_key("order-42-payment".into());
//! assert_eq!(mine.idempotency_key.as_deref().map(|k| k.as_str()), Some("order-42-payment"));
//! ```

/// The length in characters of a [`fresh_key`], within the limits of every keyed operation of
/// the spec (checked by the workspace's tests against [`crate::IdempotencyKeyField`]).
pub const FRESH_KEY_CHARS: usize = 36;

/// A fresh random idempotency key: a UUID v4 in its hyphenated form
/// ([`FRESH_KEY_CHARS`] characters).
pub fn fresh_key() -> String {
    uuid::Uuid::new_v4().to_string()
}
