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
//!
//! **Retrying yourself** (after the client's own retries gave up, from a job queue, after a
//! restart): send the *same* request with the *same* key. A value built with `new` already
//! carries its key, so sending it again is enough. Calling `send` again on a request *without*
//! a key would fill a new one, and a new key is a new transfer: the key that call used is in
//! the error (and in what you stored); put it back with
//! [`crate::PlaidClient::set_idempotency_key`]:
//!
//! ```no_run
//! # async fn pay(client: plaid_client_ext::PlaidClient,
//! #     mut transfer: plaid_client_ext::types::TransferCreateRequest)
//! #     -> Result<(), plaid_client_ext::Error> {
//! use plaid_client_ext::IdempotencyKey;
//!
//! let created = match client.send(&transfer).await {
//!     Ok(created) => created,
//!     // Transient, and safe to send again: the request carried a key.
//!     Err(e) if e.is_retryable() => {
//!         if let Some(sent) = e.idempotency_key() {
//!             client.set_idempotency_key(&mut transfer, &IdempotencyKey::new(sent)?)?;
//!         }
//!         client.send(&transfer).await? // the same key: Plaid transfers at most once
//!     }
//!     Err(e) => return Err(e),
//! };
//! # let _ = created;
//! # Ok(())
//! # }
//! ```
//!
//! A key you stored goes back the same way: `IdempotencyKey::new(stored)?`.

use std::fmt;

use plaid_client::{IdempotencyKeyField, Operation};

/// A key as sent in `idempotency_key`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a string cannot be an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid idempotency key: {0}")]
pub struct InvalidIdempotencyKey(String);

/// The longest key any operation of the spec accepts, in characters (Plaid's `maxLength`: 50 for
/// the transfer and ledger writes, 128 for the payment-initiation ones in 1.697.4); each
/// operation's own limit is checked again when it is set or sent.
fn longest_accepted() -> usize {
    use std::sync::OnceLock;
    static LONGEST: OnceLock<usize> = OnceLock::new();
    *LONGEST.get_or_init(|| {
        struct Longest(usize);
        impl plaid_client::OperationVisitor for Longest {
            fn visit<O: Operation>(&mut self) {
                if let Some(max) = O::IDEMPOTENCY_KEY.and_then(|f| f.max_length) {
                    self.0 = self.0.max(max);
                }
            }
        }
        let mut v = Longest(0);
        plaid_client::operations::visit_all(&mut v);
        if v.0 == 0 {
            usize::MAX
        } else {
            v.0
        }
    })
}

impl IdempotencyKey {
    /// A fresh random key: a UUID v4 (36 characters, within every limit in the spec), the same
    /// kind the generated `new` of a keyed request fills.
    pub fn random() -> Self {
        Self(plaid_client::idempotency::fresh_key())
    }

    /// A key you already have: one you stored before sending, or the one an error reports
    /// ([`crate::Error::idempotency_key`]). Refused when Plaid could not accept it: empty,
    /// white space around it, control characters, or longer than every operation allows.
    ///
    /// ```
    /// use plaid_client_ext::IdempotencyKey;
    ///
    /// let key = IdempotencyKey::new("order-42-payment").unwrap();
    /// assert_eq!(key.as_str(), "order-42-payment");
    /// assert!(IdempotencyKey::new(" order-42").is_err());
    /// assert!(IdempotencyKey::new("k".repeat(129)).is_err()); // no operation takes over 128
    /// ```
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidIdempotencyKey> {
        let key = key.into();
        let len = key.chars().count();
        let max = longest_accepted();
        let problem = if key.is_empty() {
            Some("it is empty".to_string())
        } else if key.trim() != key {
            Some("it has leading or trailing white space".to_string())
        } else if key.chars().any(char::is_control) {
            Some("it contains control characters".to_string())
        } else if len > max {
            Some(format!(
                "it is {len} characters long; no operation accepts more than {max}"
            ))
        } else {
            None
        };
        match problem {
            Some(why) => Err(InvalidIdempotencyKey(why)),
            None => Ok(Self(key)),
        }
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

impl std::str::FromStr for IdempotencyKey {
    type Err = InvalidIdempotencyKey;
    fn from_str(key: &str) -> Result<Self, Self::Err> {
        Self::new(key)
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = InvalidIdempotencyKey;
    fn try_from(key: String) -> Result<Self, Self::Error> {
        Self::new(key)
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
