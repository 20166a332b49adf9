//! What went wrong with one attempt, as an [`Error`]: a transport failure or timeout, a body over
//! the size limit or one that does not decode, or Plaid's error object. Every text that comes
//! from the server is redacted and capped.

use reqwest::header::HeaderMap;

use super::body::BodyError;
use super::call::Call;
use super::text::{cap_quoted, error_chain, header};
use super::PlaidClient;
use crate::error::{ApiError, DecodeError, Error, ErrorCode, TimeoutPhase, TransportKind};
use crate::redact::{snippet, Redactor, ValueBudget};
use crate::retry::parse_retry_after;
use plaid_client::Operation;

/// How much of an undecodable body an error quotes.
const SNIPPET_CHARS: usize = 200;
/// How much text of an error object's `causes` one error keeps (see [`ValueBudget`]): with
/// every other field capped, any `Error`'s `Debug` and `Display` stay under 64 KiB.
const CAUSES_BUDGET: usize = 8 * 1024;
/// How much of one server-supplied text (a request id, a code, a URL, a message, one quoted
/// value in a decoder's message) an error keeps.
pub(super) const SERVER_TEXT_CHARS: usize = 200;
/// How much of a decoder's whole message an error keeps.
const REASON_CHARS: usize = 1_000;

/// A response as received.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) bytes: bytes::Bytes,
}

impl Answer {
    pub(super) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl PlaidClient {
    /// [`Error::Redirect`] for a 3xx answer, or for an answer from another origin than the
    /// configured one (only an HTTP client of the caller's can follow a redirect). Plaid's API
    /// does not redirect.
    pub(super) fn redirect_error<O: Operation>(
        &self,
        response: &reqwest::Response,
        call: &Call<'_>,
    ) -> Option<Error> {
        let status = response.status();
        let elsewhere = !same_origin(response.url(), &self.inner.base);
        if !status.is_redirection() && !elsewhere {
            return None;
        }
        let location = if elsewhere {
            Some(response.url().origin().ascii_serialization())
        } else {
            header(response.headers(), "location")
        };
        let redactor = call.redactor(&self.inner.redactor);
        Some(Error::Redirect {
            operation: O::OPERATION_ID,
            status: status.as_u16(),
            location: location.map(|l| redactor.redact_capped(&l, SERVER_TEXT_CHARS)),
            idempotency_key: call.key.clone(),
        })
    }

    pub(super) fn transport_error<O: Operation>(
        &self,
        e: reqwest::Error,
        reading_body: bool,
        call: &Call<'_>,
    ) -> Error {
        if e.is_timeout() {
            // reqwest marks a connect timeout as both: nothing was sent.
            let phase = if e.is_connect() {
                TimeoutPhase::Connect
            } else {
                TimeoutPhase::Response
            };
            return self.timeout_error::<O>(phase, call);
        }
        let kind = if reading_body {
            TransportKind::Body
        } else if e.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Io
        };
        Error::Transport {
            operation: O::OPERATION_ID,
            kind,
            message: call
                .redactor(&self.inner.redactor)
                .redact_capped(&error_chain(&e), REASON_CHARS),
            idempotency_key: call.key.clone(),
            idempotent: call.idempotent,
        }
    }

    /// [`Error::Timeout`]: connecting, or waiting for the whole answer (its body included).
    fn timeout_error<O: Operation>(&self, phase: TimeoutPhase, call: &Call<'_>) -> Error {
        let timeout = match phase {
            TimeoutPhase::Connect => self.inner.connect_timeout,
            TimeoutPhase::Response => Some(call.options.timeout),
        };
        Error::Timeout {
            operation: O::OPERATION_ID,
            phase,
            timeout,
            idempotency_key: call.key.clone(),
            idempotent: call.idempotent,
        }
    }

    /// Why an answer's body (with status `status`) was not read: over the size limit, the
    /// attempt's time ran out while it arrived (a timeout like any other of the answer), or the
    /// connection failed.
    pub(super) fn body_error<O: Operation>(
        &self,
        e: BodyError,
        status: u16,
        call: &Call<'_>,
    ) -> Error {
        match e {
            BodyError::TooLarge { declared } => Error::ResponseTooLarge {
                operation: O::OPERATION_ID,
                status,
                limit: call.options.max_response_bytes,
                declared,
                idempotency_key: call.key.clone(),
                idempotent: call.idempotent,
            },
            BodyError::TimedOut => self.timeout_error::<O>(TimeoutPhase::Response, call),
            BodyError::Read(e) => self.transport_error::<O>(e, true, call),
        }
    }

    pub(super) fn decode_error<O: Operation>(
        &self,
        call: &Call<'_>,
        answer: &Answer,
        request_id: Option<String>,
        reason: &str,
    ) -> Error {
        let redactor = call.redactor(&self.inner.redactor);
        let reason = redactor.redact_capped(&cap_quoted(reason, SERVER_TEXT_CHARS), REASON_CHARS);
        let body = String::from_utf8_lossy(&answer.bytes[..answer.bytes.len().min(64 * 1024)]);
        Error::Decode(Box::new(DecodeError {
            operation: O::OPERATION_ID,
            status: answer.status,
            content_type: header(&answer.headers, "content-type")
                .map(|ct| redactor.redact_capped(&ct, SERVER_TEXT_CHARS)),
            request_id,
            reason,
            snippet: redactor.redact_capped(&snippet(&body, 4 * SNIPPET_CHARS), SNIPPET_CHARS),
            idempotency_key: call.key.clone(),
            idempotent: call.idempotent,
        }))
    }

    /// Plaid's error object, decoded leniently: any JSON object with `error_type` and
    /// `error_code` is one, whatever else it lacks (`display_message`, ...) or adds; every text
    /// in it is redacted and capped. Anything else is a [`DecodeError`].
    pub(super) fn api_error<O: Operation>(
        &self,
        call: &Call<'_>,
        answer: &Answer,
        request_id: Option<String>,
    ) -> Error {
        let object = match error_object(answer) {
            Ok(object) => object,
            Err(reason) => return self.decode_error::<O>(call, answer, request_id, &reason),
        };
        let redactor = call.redactor(&self.inner.redactor);
        let text = |key: &str| {
            object
                .get(key)
                .and_then(serde_json::Value::as_str)
                .map(|s| redactor.redact_capped(s, SERVER_TEXT_CHARS))
        };
        let (Some(error_type), Some(error_code)) = (text("error_type"), text("error_code")) else {
            let reason = format!(
                "expected Plaid's JSON error object, got {}: no string `error_type` and `error_code`",
                content_type(answer)
            );
            return self.decode_error::<O>(call, answer, request_id, &reason);
        };
        let (causes, causes_omitted) = bounded_causes(redactor, causes_of(&object));
        let request_id = text("request_id").or(request_id);
        if let Some(id) = &request_id {
            tracing::Span::current().record("request_id", id.as_str());
        }
        Error::Api(Box::new(ApiError {
            operation: O::OPERATION_ID,
            status: answer.status,
            request_id,
            error_type: error_type
                .parse()
                .unwrap_or(crate::ErrorType::UnknownValue(error_type)),
            error_code: ErrorCode::from(error_code.as_str()),
            error_message: text("error_message").unwrap_or_default(),
            display_message: text("display_message"),
            documentation_url: text("documentation_url"),
            suggested_action: text("suggested_action"),
            causes,
            causes_omitted,
            retry_after: header(&answer.headers, "retry-after").and_then(|v| parse_retry_after(&v)),
            idempotency_key: call.key.clone(),
            idempotent: call.idempotent,
        }))
    }
}

/// The body as a JSON object, or why it is not one (the reason a [`DecodeError`] gives).
fn error_object(answer: &Answer) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_slice::<serde_json::Value>(&answer.bytes) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!(
            "expected Plaid's JSON error object, got {}: not an object",
            content_type(answer)
        )),
        Err(e) => Err(format!(
            "expected Plaid's JSON error object, got {}: {e}",
            content_type(answer)
        )),
    }
}

/// The answer's `Content-Type`, as an error's reason names it.
fn content_type(answer: &Answer) -> String {
    header(&answer.headers, "content-type").unwrap_or_else(|| "no content type".into())
}

/// An error object's `causes`: an array as is, a single value as one cause, none when absent.
fn causes_of(object: &serde_json::Map<String, serde_json::Value>) -> &[serde_json::Value] {
    match object.get("causes") {
        None | Some(serde_json::Value::Null) => &[][..],
        Some(serde_json::Value::Array(items)) => items.as_slice(),
        Some(other) => std::slice::from_ref(other),
    }
}

/// The `causes` an error keeps, redacted, within [`CAUSES_BUDGET`], and how many were left out.
fn bounded_causes(
    redactor: &Redactor,
    causes: &[serde_json::Value],
) -> (Vec<serde_json::Value>, usize) {
    let mut budget = ValueBudget::new(CAUSES_BUDGET);
    let mut kept = Vec::new();
    for cause in causes {
        if budget.spent() {
            break;
        }
        kept.push(redactor.redact_value(cause, SERVER_TEXT_CHARS, &mut budget, 0));
    }
    let omitted = causes.len() - kept.len();
    (kept, omitted)
}

/// Whether `url` is on `base`'s origin (scheme, host and port), without allocating.
fn same_origin(url: &reqwest::Url, base: &reqwest::Url) -> bool {
    url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default()
}
