//! Headers added to every request: credentials and `Plaid-Version`.
//!
//! progenitor ignores the spec's security schemes. `plaid-client-ext` sends these headers with
//! every request; the raw client (feature `raw-client`) gets this value as its inner state and
//! a pre-request hook that applies it, whatever `reqwest::Client` the caller supplied.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Headers to add to every request. `Debug` prints header names only, never values.
///
/// ```
/// use plaid_client::RequestHeaders;
///
/// let mut h = RequestHeaders::default();
/// h.insert_sensitive("PLAID-SECRET", "s3cr3t").unwrap();
/// assert!(!format!("{:?}", h).contains("s3cr3t"));
/// ```
#[derive(Clone, Default)]
pub struct RequestHeaders(HeaderMap);

impl RequestHeaders {
    /// Add a header whose value must never be logged; marked sensitive for the HTTP stack too.
    /// Fails, without echoing the value, if it cannot be sent in a header.
    pub fn insert_sensitive(
        &mut self,
        name: &'static str,
        value: &str,
    ) -> Result<(), InvalidHeader> {
        let mut v = HeaderValue::from_str(value).map_err(|_| InvalidHeader(name))?;
        v.set_sensitive(true);
        self.0.insert(HeaderName::from_static_lower(name)?, v);
        Ok(())
    }

    /// Add an ordinary header.
    pub fn insert(&mut self, name: &'static str, value: &str) -> Result<(), InvalidHeader> {
        let v = HeaderValue::from_str(value).map_err(|_| InvalidHeader(name))?;
        self.0.insert(HeaderName::from_static_lower(name)?, v);
        Ok(())
    }

    /// The headers.
    pub fn as_map(&self) -> &HeaderMap {
        &self.0
    }

    /// The pre-request hook: set every header on `request`.
    pub fn apply(&self, request: &mut reqwest::Request) {
        for (name, value) in &self.0 {
            request.headers_mut().insert(name.clone(), value.clone());
        }
    }
}

impl fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// A header name or value that cannot be sent. Names the header, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHeader(pub &'static str);

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the value of header {} cannot be sent in HTTP", self.0)
    }
}

impl std::error::Error for InvalidHeader {}

trait FromStaticLower: Sized {
    fn from_static_lower(name: &'static str) -> Result<Self, InvalidHeader>;
}

impl FromStaticLower for HeaderName {
    fn from_static_lower(name: &'static str) -> Result<Self, InvalidHeader> {
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| InvalidHeader(name))
    }
}
