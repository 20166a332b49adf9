//! Idempotency keys.
//!
//! Twelve operations of spec 1.697.4 take an `idempotency_key` (the transfer, ledger, refund
//! and wallet writes; `plaid_client::Operation::IDEMPOTENCY_KEY`, found in the spec by the
//! generator). Plaid's rules (docs: `api-products-transfer.txt`, `api-products-virtual-accounts.txt`):
//! - a key identifies one intended operation: retrying with the *same* key is guaranteed to
//!   perform it at most once, while a new key is a new operation;
//! - keys are at most 50 characters (the spec's `maxLength`, checked before sending);
//! - for `/transfer/authorization/create` a key is valid for 48 hours, after which it may be
//!   reused; authorizations whose decision is `user_action_required` are not idempotent and may
//!   be re-attempted with the same key after the user acts;
//! - "failure to provide this key may result in duplicate charges".
//!
//! The key is part of the request value: the generated `new` of a keyed request fills a fresh
//! one (`plaid_client::idempotency`), so sending the same value again, from a retry loop, a job
//! queue or a store that survived a crash, sends the same key. The client sends it unchanged
//! on every retry of a call and reports it (in the response and in every error). A request
//! without a key (built by serde, or its key cleared) gets a fresh one for that call only; to
//! make such a key durable, fix it *before* sending with
//! [`crate::PlaidClient::assign_idempotency_key`] and store it first.

use std::fmt;

use plaid_client::{IdempotencyKeyField, Operation};

/// A key as sent in `idempotency_key`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A fresh random key: a UUID v4 (36 characters, within every limit in the spec), the same
    /// kind the generated `new` of a keyed request fills.
    pub fn random() -> Self {
        Self(plaid_client::idempotency::fresh_key())
    }

    pub(crate) fn from_string(key: String) -> Self {
        Self(key)
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({})", self.0)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Check a key against the spec's limits for the field. Length is counted in characters.
pub(crate) fn check(key: &str, field: &IdempotencyKeyField) -> Result<(), String> {
    let len = key.chars().count();
    if let Some(max) = field.max_length {
        if len > max {
            return Err(format!(
                "idempotency_key is {len} characters long; the spec allows at most {max}"
            ));
        }
    }
    if let Some(min) = field.min_length {
        if len < min {
            return Err(format!(
                "idempotency_key is {len} characters long; the spec requires at least {min}"
            ));
        }
    }
    if key.trim() != key {
        return Err("idempotency_key has leading or trailing white space".into());
    }
    Ok(())
}

/// Whether `request` must be given a key before sending: its operation takes one and it has none.
pub(crate) fn missing<O: Operation>(request: &O::Request) -> bool {
    O::IDEMPOTENCY_KEY.is_some() && O::idempotency_key(request).is_none()
}

/// The key `request` carries, checked against the spec's limits (`None` for operations
/// without a key field).
pub(crate) fn checked<O: Operation>(request: &O::Request) -> Result<Option<String>, String> {
    match (O::IDEMPOTENCY_KEY, O::idempotency_key(request)) {
        (Some(field), Some(key)) => check(key, &field).map(|()| Some(key.to_string())),
        _ => Ok(None),
    }
}

/// Ensure `request` carries a valid key if its operation takes one: keep the caller's, or fill
/// a fresh one. Returns the key (`None` for operations without a key field).
pub(crate) fn ensure<O: Operation>(request: &mut O::Request) -> Result<Option<String>, String> {
    if missing::<O>(request) {
        O::set_idempotency_key(request, IdempotencyKey::random().0);
    }
    checked::<O>(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELD: IdempotencyKeyField = IdempotencyKeyField {
        required: false,
        min_length: None,
        max_length: Some(50),
    };

    #[test]
    fn random_keys_fit_the_limit_and_differ() {
        let a = IdempotencyKey::random();
        let b = IdempotencyKey::random();
        assert_ne!(a, b);
        assert_eq!(check(a.as_str(), &FIELD), Ok(()));
    }

    #[test]
    fn limits_are_enforced_in_characters() {
        assert!(check(&"k".repeat(50), &FIELD).is_ok());
        let err = check(&"k".repeat(51), &FIELD).unwrap_err();
        assert!(
            err.contains("51 characters") && err.contains("at most 50"),
            "{err}"
        );
        assert!(check(&"é".repeat(50), &FIELD).is_ok());
        assert!(check(" key", &FIELD).is_err());
        let min = IdempotencyKeyField {
            min_length: Some(8),
            ..FIELD
        };
        assert!(check("short", &min).unwrap_err().contains("at least 8"));
    }
}
