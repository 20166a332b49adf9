//! What the generated redaction builds on: the `[redacted]` text, a value that prints it, and
//! the visitor that walks every generated type.
//!
//! Which fields and types are credentials is decided by the generator from the spec (see
//! [`CREDENTIAL_FIELDS`](crate::redact::CREDENTIAL_FIELDS) and
//! [`CREDENTIAL_TYPES`](crate::redact::CREDENTIAL_TYPES)), which also wrote the redacting
//! `Debug` impls; `plaid-client-ext` blanks the same names and token prefixes in text.
//!
//! ```
//! use plaid_client::types::{AccessToken, ItemAccessTokenInvalidateResponse};
//!
//! let token: AccessToken = "access-sandbox-8ab976e6".to_string().into();
//! assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
//! assert_eq!(token.to_string(), "[redacted]");
//! assert_eq!(token.expose(), "access-sandbox-8ab976e6"); // the one way to the value
//!
//! let rotated = ItemAccessTokenInvalidateResponse {
//!     new_access_token: "access-sandbox-new".to_string().into(),
//!     request_id: "req-1".to_string().into(),
//! };
//! assert!(!format!("{rotated:?}").contains("access-sandbox-new"));
//! assert!(plaid_client::redact::CREDENTIAL_FIELDS.contains(&"new_access_token"));
//! ```

use std::fmt;

/// What a credential prints as.
pub const REDACTED: &str = "[redacted]";

/// A value whose `Debug` prints `[redacted]`: what the generated `Debug` impls show in place of a
/// credential field.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A generic callback over every generated type; see
/// [`visit_types`](crate::redact::visit_types).
///
/// ```
/// use plaid_client::redact::{visit_types, TypeVisitor, TYPE_COUNT};
///
/// struct Count(usize);
/// impl TypeVisitor for Count {
///     fn visit<T: serde::de::DeserializeOwned + std::fmt::Debug>(&mut self, _name: &'static str) {
///         self.0 += 1;
///     }
/// }
/// let mut c = Count(0);
/// visit_types(&mut c);
/// assert_eq!(c.0, TYPE_COUNT);
/// ```
pub trait TypeVisitor {
    /// Called once per type, with its name.
    fn visit<T: serde::de::DeserializeOwned + fmt::Debug>(&mut self, name: &'static str);
}
