//! The one error type of the crate, and Plaid's error vocabulary.
//!
//! Plaid answers every failed call with an error object (`error_type`, `error_code`,
//! `error_message`, `display_message`, `request_id`, …; see Plaid's docs, `errors.txt`): 4xx
//! for problems with the request or the Item, 5xx for problems on Plaid's side. [`Error::Api`]
//! carries it decoded: any body with `error_type` and `error_code` is one, whatever else it
//! lacks or adds. Everything that is not such an object — a timeout, a broken connection,
//! an HTML page from a proxy, truncated JSON — is a distinct variant that says what happened,
//! quoting at most a short, redacted snippet of the body.
//!
//! Every text a server supplied (the error object's fields, request ids, content types, a
//! decoder's quote of the body) is redacted and capped before it is stored: no credential, and
//! no 50 MB string, reaches `Display`, `Debug` or a log.
//!
//! Two questions about a failure are kept apart: [`Error::is_transient`] (could the same call
//! succeed later?) and [`Error::is_retryable`] (may *this* request be sent again safely: transient
//! *and* read-only or carrying an idempotency key). The safe way to retry a keyed write yourself
//! is to send it again with the key from the error ([`crate::PlaidClient::set_idempotency_key`]).

use std::fmt;
use std::time::Duration;

use crate::config::ConfigError;

/// Plaid's broad error category (`error_type`). Generated from the spec as an open enum: a type
/// Plaid adds later decodes as `UnknownValue(String)`.
pub type ErrorType = plaid_client::types::PlaidErrorType;

/// Plaid's specific error code (`error_code`), generated from the codes Plaid's error
/// reference documents (`cargo xtask docs-examples` keeps them as evidence), so the list cannot
/// drift from Plaid's by hand; [`ErrorCode::Other`] keeps any other code as received.
pub use plaid_client::error_codes::ErrorCode;

/// An error object returned by Plaid, with the HTTP status and what the client knows of the call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation (`operationId`, e.g. `transferCreate`).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// Plaid's request id, for support tickets.
    pub request_id: Option<String>,
    /// `error_type`.
    pub error_type: ErrorType,
    /// `error_code`.
    pub error_code: ErrorCode,
    /// `error_message`: for developers; may change; not for programmatic use (empty when the
    /// body had none).
    pub error_message: String,
    /// `display_message`: for end users, when the error is theirs to act on.
    pub display_message: Option<String>,
    /// `documentation_url`.
    pub documentation_url: Option<String>,
    /// `suggested_action`.
    pub suggested_action: Option<String>,
    /// `causes` (Assets errors break a failure down per Item), redacted and bounded: at most
    /// about 8 KiB of them are kept (strings capped at 200 characters, nesting at 8 levels),
    /// whatever the body held; what was cut inside a cause is replaced by a string saying so.
    pub causes: Vec<serde_json::Value>,
    /// How many further `causes` the body held that were not kept (see [`Self::causes`]).
    pub causes_omitted: usize,
    /// The `Retry-After` header, when Plaid sent one.
    pub retry_after: Option<Duration>,
    /// The idempotency key the request carried, if any: retry later with the same key.
    pub idempotency_key: Option<String>,
    /// Whether the request may be sent again without being performed twice (read-only, or
    /// carrying an idempotency key).
    pub idempotent: bool,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with HTTP {}: {} {}: {}",
            self.operation, self.status, self.error_type, self.error_code, self.error_message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request_id {id})")?;
        }
        Ok(())
    }
}

/// A response that could not be decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Plaid-Request-Id` header or the body's `request_id`, if any.
    pub request_id: Option<String>,
    /// Why decoding failed (serde's message with the JSON path, or the content type).
    pub reason: String,
    /// The first characters of the body, with secrets blanked.
    pub snippet: String,
    /// The idempotency key the request carried, if any.
    pub idempotency_key: Option<String>,
    /// Whether the request may be sent again without being performed twice.
    pub idempotent: bool,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the HTTP {} response ({}); body starts: {:?}",
            self.operation, self.status, self.reason, self.snippet
        )
    }
}

/// Which wait ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// No connection within the connect timeout: the request was never sent.
    Connect,
    /// Connected and sent, but no complete response within the request timeout: Plaid may
    /// have performed the request.
    Response,
}

/// What went wrong at the transport level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made (DNS, refused, TLS handshake): the request was not sent.
    Connect,
    /// The connection failed while sending the request or reading the response.
    Io,
    /// The response body could not be read to the end.
    Body,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection",
            TransportKind::Io => "I/O",
            TransportKind::Body => "response body",
        })
    }
}

/// Everything that can go wrong. Messages never contain `client_id`, `secret` or access tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Plaid answered with its error object.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// A timeout ran out: connecting, or waiting for the complete response (its body included:
    /// a body that arrives too slowly times out like an answer that never comes).
    #[error("{operation}: {}", timeout_text(*phase, *timeout))]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// Connecting, or waiting for the response.
        phase: TimeoutPhase,
        /// The timeout that ran out (`None`: the connect timeout of an HTTP client you supplied,
        /// which the client does not know).
        timeout: Option<Duration>,
        /// The idempotency key the request carried, if any.
        idempotency_key: Option<String>,
        /// Whether the request may be sent again without being performed twice.
        idempotent: bool,
    },

    /// The HTTP exchange itself failed.
    #[error("{operation}: {kind} error: {message}")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// Which part failed.
        kind: TransportKind,
        /// What the HTTP stack said (URLs, no credentials).
        message: String,
        /// The idempotency key the request carried, if any.
        idempotency_key: Option<String>,
        /// Whether the request may be sent again without being performed twice.
        idempotent: bool,
    },

    /// A response arrived but is not what the operation returns: an HTML error page from a
    /// proxy, truncated or malformed JSON, a body that does not fit the generated type.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The request was not sent because it is invalid (e.g. an idempotency key over the spec's
    /// length limit, or a body that does not serialize).
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// The operation.
        operation: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// The client is misconfigured.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),

    /// A sync or pagination loop stopped: it restarted too often, or the server's paging fields
    /// did not let it advance. Nothing was lost: the cursor you stored is still the one to use.
    #[error("{0}")]
    Pagination(Box<PaginationError>),

    /// The answer was a redirect (3xx), or came from another origin than the configured base
    /// URL (an HTTP client of your own that follows redirects). Plaid's API does not redirect;
    /// the client this crate builds follows none, so credentials and request bodies go to the
    /// configured origin only. Not transient: the same call would be redirected again.
    #[error("{operation}: refused a redirect (HTTP {status}) to {}: Plaid's API does not redirect", location.as_deref().unwrap_or("an unnamed location"))]
    Redirect {
        /// The operation.
        operation: &'static str,
        /// The HTTP status of the answer (3xx, or the status of an answer from another origin).
        status: u16,
        /// Where the answer pointed (the `Location` header, or the other origin), redacted and
        /// capped like every text from a server.
        location: Option<String>,
        /// The idempotency key the request carried, if any.
        idempotency_key: Option<String>,
    },

    /// An idempotency key (one you stored, say) is not one Plaid could accept.
    #[error(transparent)]
    IdempotencyKey(#[from] crate::idempotency::InvalidIdempotencyKey),

    /// The answer's body is larger than the client's limit
    /// ([`crate::ClientBuilder::max_response_bytes`], 64 MiB by default): refused before reading
    /// when its `Content-Length` says so, else as soon as the bytes read pass the limit, so the
    /// client never holds more than the limit. Whatever the status, nothing of the body is kept
    /// or quoted. Not transient, and never retried whatever the retry policy: the server would
    /// most likely send the same answer again, and each attempt would cost the limit again. Plaid
    /// may have performed the request (a 2xx whose body was refused): a keyed write sent again
    /// with its key ([`Self::idempotency_key`]) is still performed at most once.
    #[error("{operation}: the HTTP {status} response is larger than the limit of {limit} bytes{}", declared_text(*declared))]
    ResponseTooLarge {
        /// The operation.
        operation: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// The limit in bytes.
        limit: u64,
        /// The body's length as the `Content-Length` header declared it, if it did: over the
        /// limit when the answer was refused before reading; within it when the body sent more
        /// than it declared.
        declared: Option<u64>,
        /// The idempotency key the request carried, if any.
        idempotency_key: Option<String>,
        /// Whether the request may be sent again without being performed twice.
        idempotent: bool,
    },
}

fn declared_text(declared: Option<u64>) -> String {
    match declared {
        Some(n) => format!(" (Content-Length: {n})"),
        None => String::new(),
    }
}

fn timeout_text(phase: TimeoutPhase, timeout: Option<Duration>) -> String {
    match (phase, timeout) {
        (TimeoutPhase::Connect, Some(t)) => {
            format!("could not connect within {t:?} (the request was not sent)")
        }
        (TimeoutPhase::Connect, None) => {
            "could not connect within the HTTP client's connect timeout (the request was not sent)"
                .to_string()
        }
        (TimeoutPhase::Response, Some(t)) => format!("no complete response within {t:?}"),
        (TimeoutPhase::Response, None) => "no complete response in time".to_string(),
    }
}

/// Why a sync or pagination loop stopped (see `plaid_client_ext::sync` and
/// `plaid_client_ext::paginate`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// Every pass of a cursor sync was interrupted by
    /// `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION` (or the last one by another error) until
    /// the restart cap was reached.
    #[error(
        "{operation}: gave up after {restarts} restart(s) of the sync loop from its first cursor \
         (the Item's data kept changing during pagination); last error: {last}"
    )]
    TooManyRestarts {
        /// The operation.
        operation: &'static str,
        /// How many restarts were made.
        restarts: u32,
        /// The error that ended the last pass.
        #[source]
        last: Error,
    },
    /// The response says more pages follow but gives nothing to ask for them with (an empty
    /// `next_cursor`, or no item to take an `event_id` from).
    #[error("{operation}: the response says more pages follow but gives no {field} to fetch them")]
    MissingCursor {
        /// The operation.
        operation: &'static str,
        /// The field that should have advanced (`next_cursor`, `event_id`).
        field: &'static str,
    },
    /// The server answered with the same position it was asked for while saying more pages
    /// follow: following it would loop forever.
    #[error("{operation}: {field} did not advance although more pages were announced; stopped instead of looping")]
    Stalled {
        /// The operation.
        operation: &'static str,
        /// The field that did not advance (`next_cursor`, `after_id`).
        field: &'static str,
    },
    /// The server led back to a position (cursor) already visited in this pass while
    /// announcing more pages (`c0 → c1 → c0 …`): following it would loop forever.
    #[error("{operation}: {field} led back to a position already visited (after {pages} page(s) of this pass) although more pages were announced; stopped instead of looping")]
    Cycle {
        /// The operation.
        operation: &'static str,
        /// The field that cycled (`next_cursor`).
        field: &'static str,
        /// Pages received in the pass when the cycle was seen.
        pages: usize,
    },
    /// Page after page announced more while holding nothing: a server that never ends.
    #[error("{operation}: {pages} pages in a row held no entries although more were announced; stopped instead of looping")]
    NoProgress {
        /// The operation.
        operation: &'static str,
        /// Consecutive empty pages.
        pages: usize,
    },
    /// The requested page size is outside what the spec allows.
    #[error("{operation}: page size {requested} is outside 1..={max}")]
    PageSize {
        /// The operation.
        operation: &'static str,
        /// What was asked for.
        requested: i64,
        /// The spec's maximum.
        max: i64,
    },
}

impl From<PaginationError> for Error {
    fn from(e: PaginationError) -> Self {
        Error::Pagination(Box::new(e))
    }
}

impl Error {
    /// Whether *this* request may be sent again safely: the failure is transient
    /// ([`Self::is_transient`]) *and* sending the request again cannot perform it twice (the
    /// operation is read-only, or the request carried an idempotency key, which a retry must
    /// reuse: [`crate::PlaidClient::set_idempotency_key`]). A 500 from `/item/remove`, a write
    /// without a key, is transient but not retryable.
    pub fn is_retryable(&self) -> bool {
        self.is_transient() && self.is_idempotent()
    }

    /// Whether the same call might succeed later: rate limits, Plaid's 5xx
    /// (`INTERNAL_SERVER_ERROR`, `PLANNED_MAINTENANCE`), timeouts (a body still arriving when
    /// the attempt's time ran out included), transport failures, and undecodable 5xx/429 bodies
    /// (a proxy's HTML error page); not an answer over the size limit, whatever its status.
    /// Says nothing about whether sending the request again is safe; [`Self::is_retryable`]
    /// does.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.status == 429
                    || e.status >= 500
                    || e.error_type == ErrorType::RateLimitExceeded
                    || matches!(
                        e.error_code,
                        ErrorCode::InternalServerError | ErrorCode::PlannedMaintenance
                    )
            }
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Decode(d) => d.status == 429 || d.status >= 500,
            Error::InvalidRequest { .. }
            | Error::Redirect { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Config(_)
            | Error::Pagination(_)
            | Error::IdempotencyKey(_) => false,
        }
    }

    /// Whether the failed request may be sent again without being performed twice: its
    /// operation is read-only, or it carried an idempotency key (a connect timeout, which sent
    /// nothing, counts too). `false` for errors raised before anything was sent.
    pub fn is_idempotent(&self) -> bool {
        match self {
            Error::Api(e) => e.idempotent,
            Error::Timeout {
                phase, idempotent, ..
            } => *idempotent || *phase == TimeoutPhase::Connect,
            Error::Transport {
                idempotent, kind, ..
            } => *idempotent || *kind == TransportKind::Connect,
            Error::Decode(d) => d.idempotent,
            Error::ResponseTooLarge { idempotent, .. } => *idempotent,
            Error::InvalidRequest { .. }
            | Error::Redirect { .. }
            | Error::Config(_)
            | Error::Pagination(_)
            | Error::IdempotencyKey(_) => false,
        }
    }

    /// Whether Plaid refused the call for exceeding a rate limit (`RATE_LIMIT_EXCEEDED`, 429).
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => e.status == 429 || e.error_type == ErrorType::RateLimitExceeded,
            Error::Decode(d) => d.status == 429,
            _ => false,
        }
    }

    /// Whether the Item needs its user to log in again through Link in update mode
    /// (`ITEM_LOGIN_REQUIRED`).
    pub fn is_item_login_required(&self) -> bool {
        matches!(self, Error::Api(e) if e.error_code == ErrorCode::ItemLoginRequired)
    }

    /// The API error, if Plaid answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Why a sync or pagination loop stopped, if that is what this error is: one match, no box.
    ///
    /// ```
    /// use plaid_client_ext::{Error, PaginationError};
    ///
    /// fn stalled(e: &Error) -> bool {
    ///     matches!(e.pagination(), Some(PaginationError::Stalled { .. }))
    /// }
    /// # let e: Error = PaginationError::Stalled { operation: "transactionsSync", field: "next_cursor" }.into();
    /// # assert!(stalled(&e));
    /// ```
    pub fn pagination(&self) -> Option<&PaginationError> {
        match self {
            Error::Pagination(p) => Some(p),
            _ => None,
        }
    }

    /// The `error_code`, if Plaid answered with an error object.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.api().map(|e| &e.error_code)
    }

    /// Plaid's request id, when there is one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(d) => d.request_id.as_deref(),
            _ => None,
        }
    }

    /// The idempotency key the failed request carried: send the same request again later with
    /// this key ([`crate::PlaidClient::set_idempotency_key`]), and Plaid will not perform it
    /// twice.
    pub fn idempotency_key(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.idempotency_key.as_deref(),
            Error::Timeout {
                idempotency_key, ..
            }
            | Error::Transport {
                idempotency_key, ..
            }
            | Error::Redirect {
                idempotency_key, ..
            }
            | Error::ResponseTooLarge {
                idempotency_key, ..
            } => idempotency_key.as_deref(),
            Error::Decode(d) => d.idempotency_key.as_deref(),
            Error::InvalidRequest { .. }
            | Error::Config(_)
            | Error::Pagination(_)
            | Error::IdempotencyKey(_) => None,
        }
    }

    /// The `Retry-After` delay Plaid asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|e| e.retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_kept() {
        assert_eq!(
            ErrorCode::from("ITEM_LOGIN_REQUIRED"),
            ErrorCode::ItemLoginRequired
        );
        assert_eq!(ErrorCode::ItemLoginRequired.as_str(), "ITEM_LOGIN_REQUIRED");
        let new = ErrorCode::from("SOMETHING_PLAID_ADDED_LATER");
        assert_eq!(new, ErrorCode::Other("SOMETHING_PLAID_ADDED_LATER".into()));
        assert_eq!(new.to_string(), "SOMETHING_PLAID_ADDED_LATER");
    }

    #[test]
    fn an_answer_over_the_limit_is_never_retryable() {
        let e = Error::ResponseTooLarge {
            operation: "accountsGet",
            status: 503,
            limit: 1024,
            declared: Some(6 << 30),
            idempotency_key: None,
            idempotent: true,
        };
        assert!(!e.is_transient() && !e.is_retryable() && e.is_idempotent());
        assert_eq!(
            e.to_string(),
            "accountsGet: the HTTP 503 response is larger than the limit of 1024 bytes \
             (Content-Length: 6442450944)"
        );
    }
}
