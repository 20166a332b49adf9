//! Headers added to every request: credentials and `Plaid-Version` (and, for the raw client, the
//! request timeout).
//!
//! progenitor ignores the spec's security schemes. `plaid-client-ext` sends these headers with
//! every request; the raw client (feature `raw-client`) gets this value as its inner state and
//! a pre-request hook that applies it, whatever `reqwest::Client` the caller supplied.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Headers to add to every request, and optionally a timeout for requests that have none.
/// `Debug` prints header names only, never values.
///
/// ```
/// use std::time::Duration;
/// use plaid_client::RequestHeaders;
///
/// let mut h = RequestHeaders::default();
/// h.insert_sensitive("PLAID-SECRET", "s3cr3t").unwrap();
/// assert!(!format!("{:?}", h).contains("s3cr3t"));
///
/// // The pre-request hook sets the headers, and the timeout where the request has none.
/// let h = h.with_timeout(Duration::from_secs(60));
/// let mut request = reqwest::Request::new(
///     reqwest::Method::GET,
///     "https://sandbox.plaid.com/fdx/consents/1".parse().unwrap(),
/// );
/// h.apply(&mut request);
/// assert_eq!(request.timeout(), Some(&Duration::from_secs(60)));
/// assert!(request.headers().contains_key("plaid-secret"));
/// ```
#[derive(Clone, Default)]
pub struct RequestHeaders(HeaderMap, Option<Duration>);

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

    /// Also give every request that has no timeout of its own this one (the raw client's
    /// requests: its `reqwest::Client` may have none).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.1 = Some(timeout);
        self
    }

    /// The headers.
    pub fn as_map(&self) -> &HeaderMap {
        &self.0
    }

    /// The pre-request hook: set every header on `request`, and the timeout if it has none.
    pub fn apply(&self, request: &mut reqwest::Request) {
        for (name, value) in &self.0 {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        if let (Some(timeout), None) = (self.1, request.timeout()) {
            *request.timeout_mut() = Some(timeout);
        }
    }
}

impl fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()?;
        match self.1 {
            Some(t) => write!(f, " timeout {t:?}"),
            None => Ok(()),
        }
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
