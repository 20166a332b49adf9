//! [`PlaidClient`]: sends any operation of the generated client with credentials, typed errors,
//! safe retries, idempotency keys and tracing.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use plaid_client::{
    BinaryOperation, JsonOperation, Operation, PostOperation, RequestBody, RequestHeaders,
};
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use tracing::Instrument;

use crate::config::{builder_from_env, ClientBuilder, ConfigError, Environment, PLAID_VERSION};
use crate::error::{ApiError, DecodeError, Error, ErrorCode, TransportKind};
use crate::idempotency::{self, IdempotencyKey};
use crate::redact::{snippet, Credential, Redactor};
use crate::retry::{parse_retry_after, RetryContext, RetryPolicy};

/// How much of an undecodable body an error quotes.
const SNIPPET_CHARS: usize = 200;

/// The response type of request body `R`.
pub type ResponseOf<R> = <<R as RequestBody>::Operation as Operation>::Response;

/// A client for the Plaid API.
///
/// Cheap to clone (it is an `Arc`), safe to share between tasks. One request path serves every
/// operation that is a `POST` of a JSON body (all but three of the spec's 329): JSON answers
/// through [`PlaidClient::send`], PDF/ZIP answers through [`PlaidClient::download`]. The three
/// `GET` operations with path parameters (`/fdx/...`) are sent by progenitor's client, behind
/// the feature `raw-client` ([`PlaidClient::raw`]).
///
/// ```no_run
/// use plaid_client_ext::{PlaidClient, types::AccountsGetRequest};
///
/// # async fn run() -> Result<(), plaid_client_ext::Error> {
/// let client = PlaidClient::from_env()?; // PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV
/// let accounts = client.send(&AccountsGetRequest::new("access-sandbox-…")).await?;
/// for account in &accounts.accounts {
///     println!("{} {:?}", account.name, account.balances.current);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PlaidClient {
    inner: Arc<Inner>,
}

struct Inner {
    environment: Environment,
    base_url: String,
    http: reqwest::Client,
    headers: RequestHeaders,
    request_timeout: Duration,
    retry: Arc<dyn RetryPolicy>,
    redactor: Redactor,
    #[cfg(feature = "raw-client")]
    raw: plaid_client::raw::Client,
}

impl fmt::Debug for PlaidClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlaidClient")
            .field("environment", &self.inner.environment)
            .field("request_timeout", &self.inner.request_timeout)
            .field("retry", &self.inner.retry)
            .field("headers", &self.inner.headers)
            .finish_non_exhaustive()
    }
}

/// A successful response: the decoded body and what the call took.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// The HTTP status (200 for all but one of Plaid's operations).
    pub status: u16,
    /// The idempotency key sent, for keyed operations.
    pub idempotency_key: Option<String>,
    /// How many attempts it took (1 when nothing was retried).
    pub attempts: u32,
}

impl<T> Response<T> {
    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.data
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl PlaidClient {
    /// Start configuring a client for `environment` with these credentials.
    pub fn builder(
        environment: Environment,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> ClientBuilder {
        ClientBuilder::new(
            environment,
            Credential::new(client_id),
            Credential::new(secret),
        )
    }

    /// A client configured from `PLAID_CLIENT_ID`, `PLAID_SECRET` and `PLAID_ENV` (`sandbox`,
    /// `production` or a URL; default `sandbox`). A missing or invalid variable is an error,
    /// never a panic.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder_from_env()?.build()
    }

    /// Like [`Self::from_env`], but returns the builder to adjust before building.
    pub fn builder_from_env() -> Result<ClientBuilder, ConfigError> {
        builder_from_env(|k| std::env::var(k).ok())
    }

    pub(crate) fn from_builder(b: ClientBuilder) -> Result<Self, ConfigError> {
        if b.client_id.is_empty() {
            return Err(ConfigError::EmptyCredential("client_id"));
        }
        if b.secret.is_empty() {
            return Err(ConfigError::EmptyCredential("secret"));
        }
        let mut headers = RequestHeaders::default();
        headers
            .insert_sensitive("plaid-client-id", b.client_id.expose())
            .map_err(|_| ConfigError::InvalidCredential("client_id"))?;
        headers
            .insert_sensitive("plaid-secret", b.secret.expose())
            .map_err(|_| ConfigError::InvalidCredential("secret"))?;
        headers
            .insert("plaid-version", PLAID_VERSION)
            .map_err(|_| ConfigError::InvalidUserAgent)?;
        headers
            .insert("user-agent", &b.user_agent)
            .map_err(|_| ConfigError::InvalidUserAgent)?;
        let http = match b.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(b.connect_timeout)
                .build()
                .map_err(|e| ConfigError::HttpClient(e.to_string()))?,
        };
        let base_url = b.environment.base_url().to_string();
        #[cfg(feature = "raw-client")]
        let raw =
            plaid_client::raw::Client::new_with_client(&base_url, http.clone(), headers.clone());
        Ok(Self {
            inner: Arc::new(Inner {
                redactor: Redactor::new(&[&b.client_id, &b.secret]),
                environment: b.environment,
                base_url,
                http,
                headers,
                request_timeout: b.request_timeout,
                retry: b.retry,
                #[cfg(feature = "raw-client")]
                raw,
            }),
        })
    }

    /// The environment requests go to.
    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    /// progenitor's generated client (feature `raw-client`), sharing this client's HTTP
    /// connection pool and sending the same credentials and `Plaid-Version`. Use it for the
    /// `GET` operations with path parameters, which [`Self::send`] does not take; it neither
    /// retries nor maps errors.
    #[cfg(feature = "raw-client")]
    pub fn raw(&self) -> &plaid_client::raw::Client {
        &self.inner.raw
    }

    /// The idempotency key `request` will be sent with, checked against the spec's limits;
    /// when its operation takes a key and the request has none (one read from an old store,
    /// or whose key was cleared), a fresh key is set first. A request built with `new`
    /// already carries one. Store the key (or the whole request) before sending: after a
    /// crash, sending the same request with the same key cannot perform the operation twice.
    ///
    /// ```
    /// use plaid_client_ext::{types::TransferCreateRequest, Environment, PlaidClient};
    ///
    /// let client = PlaidClient::builder(Environment::Sandbox, "id", "secret").build().unwrap();
    /// let mut req = TransferCreateRequest::new("access-sandbox-123", "acc", "auth", "payment");
    /// // `new` gave the transfer its key; this hands it out, to store before sending.
    /// let key = client.assign_idempotency_key(&mut req).unwrap().expect("transfers are keyed");
    /// assert_eq!(req.idempotency_key.as_deref().map(|k| k.as_str()), Some(key.as_str()));
    /// // A request without a key gets a fresh one, which it then keeps.
    /// req.idempotency_key = None;
    /// let fresh = client.assign_idempotency_key(&mut req).unwrap().expect("filled");
    /// assert_ne!(fresh, key);
    /// assert_eq!(client.assign_idempotency_key(&mut req).unwrap(), Some(fresh));
    /// ```
    pub fn assign_idempotency_key<R: RequestBody>(
        &self,
        request: &mut R,
    ) -> Result<Option<IdempotencyKey>, Error> {
        idempotency::ensure::<R::Operation>(request)
            .map(|k| k.map(IdempotencyKey::from_string))
            .map_err(|reason| Error::InvalidRequest {
                operation: R::Operation::OPERATION_ID,
                reason,
            })
    }

    /// Send `request` to its operation and decode the response.
    ///
    /// For operations with an `idempotency_key`, the key is part of the request: `new` fills a
    /// fresh one, so sending the same value again (after a timeout, from a job queue) sends
    /// the same key and Plaid performs the operation once. A request without a key (built by
    /// serde, or its key cleared) gets a fresh one for this call only (the caller's value is
    /// never changed). The key is checked against the spec's limits, sent unchanged on every
    /// retry, and returned in [`Response::idempotency_key`] and [`Error::idempotency_key`]. Failures are retried as the retry policy says, but only
    /// when the operation is read-only or carries an idempotency key.
    pub async fn send<R>(&self, request: &R) -> Result<Response<ResponseOf<R>>, Error>
    where
        R: RequestBody + Clone,
        R::Operation: JsonOperation + PostOperation,
    {
        self.send_operation::<R::Operation>(request).await
    }

    /// [`Self::send`] naming the operation instead of inferring it from the request type.
    pub async fn send_operation<O>(
        &self,
        request: &O::Request,
    ) -> Result<Response<O::Response>, Error>
    where
        O: JsonOperation + PostOperation,
        O::Request: Clone,
    {
        self.execute::<O, _>(request, decode::<O::Response>).await
    }

    /// Send a request whose operation answers with a PDF or ZIP file, and return its bytes,
    /// with the same credentials, retries, idempotency keys and typed errors as [`Self::send`].
    ///
    /// ```no_run
    /// # async fn run(client: plaid_client_ext::PlaidClient) -> Result<(), plaid_client_ext::Error> {
    /// use plaid_client_ext::types::AssetReportPdfGetRequest;
    ///
    /// let pdf = client
    ///     .download(&AssetReportPdfGetRequest::new("assets-sandbox-…"))
    ///     .await?;
    /// std::fs::write("report.pdf", &pdf.data).expect("writable");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn download<R>(&self, request: &R) -> Result<Response<bytes::Bytes>, Error>
    where
        R: RequestBody + Clone,
        R::Operation: BinaryOperation + PostOperation,
    {
        self.execute::<R::Operation, _>(request, |b| Ok(b.clone()))
            .await
    }

    /// The one request path: fill and check the idempotency key, serialize once, then attempt
    /// and retry as the policy allows, decoding a success body with `decode_body`.
    async fn execute<O, T>(
        &self,
        request: &O::Request,
        decode_body: fn(&bytes::Bytes) -> Result<T, String>,
    ) -> Result<Response<T>, Error>
    where
        O: Operation,
        O::Request: Clone,
    {
        // Fill the key on a copy only when one is missing: the caller's request stays as given.
        let mut filled = idempotency::missing::<O>(request).then(|| request.clone());
        if let Some(copy) = filled.as_mut() {
            O::set_idempotency_key(copy, IdempotencyKey::random().as_str().to_string());
        }
        let to_send = filled.as_ref().unwrap_or(request);
        let invalid = |reason| Error::InvalidRequest {
            operation: O::OPERATION_ID,
            reason,
        };
        let key = idempotency::checked::<O>(to_send).map_err(invalid)?;
        // Serialized once; every attempt sends the same bytes (a reference-counted handle).
        let body = bytes::Bytes::from(
            serde_json::to_vec(to_send)
                .map_err(|e| invalid(format!("the request does not serialize to JSON: {e}")))?,
        );
        drop(filled);

        let retry_safe = O::READ_ONLY || key.is_some();
        let started = Instant::now();
        let mut attempt: u32 = 1;
        loop {
            let span = tracing::info_span!(
                "plaid.request",
                operation = O::OPERATION_ID,
                path = O::PATH,
                attempt,
                idempotency_key = key.as_deref(),
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            let outcome = self
                .attempt::<O, T>(&body, key.as_deref(), decode_body)
                .instrument(span.clone())
                .await;
            let error = match outcome {
                Ok((status, data)) => {
                    return Ok(Response {
                        data,
                        status,
                        idempotency_key: key,
                        attempts: attempt,
                    })
                }
                Err(e) => e,
            };
            if !retry_safe {
                if error.is_retryable() {
                    span.in_scope(|| {
                        tracing::warn!(error = %error, "not retrying: a write without an idempotency key")
                    });
                }
                return Err(error);
            }
            let ctx = RetryContext {
                operation: O::OPERATION_ID,
                attempt,
                elapsed: started.elapsed(),
                error: &error,
            };
            let Some(delay) = self.inner.retry.next_delay(&ctx) else {
                return Err(error);
            };
            span.in_scope(|| tracing::warn!(error = %error, ?delay, "retrying"));
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One HTTP exchange: the status and decoded body, or what went wrong.
    async fn attempt<O: Operation, T>(
        &self,
        body: &bytes::Bytes,
        key: Option<&str>,
        decode_body: fn(&bytes::Bytes) -> Result<T, String>,
    ) -> Result<(u16, T), Error> {
        let span = tracing::Span::current();
        let url = format!("{}{}", self.inner.base_url, O::PATH);
        let mut headers = self.inner.headers.as_map().clone();
        headers.insert(
            CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        let sent = self
            .inner
            .http
            .post(url)
            .headers(headers)
            .timeout(self.inner.request_timeout)
            .body(body.clone())
            .send()
            .await;
        let key_owned = || key.map(str::to_string);
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return Err(self.transport_error::<O>(e, false, key_owned())),
        };
        let status = response.status().as_u16();
        span.record("status", status);
        // Moved out, not cloned: the body read below consumes the response.
        let headers = std::mem::take(response.headers_mut());
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.transport_error::<O>(e, true, key_owned())),
        };
        let success = (200..300).contains(&status);
        // A success body carries its request_id in the typed response; scanning it for the
        // span is only worth doing when a subscriber records the span. Errors always need it.
        let request_id = header(&headers, "plaid-request-id").or_else(|| {
            (!success || !span.is_disabled())
                .then(|| body_request_id(&bytes))
                .flatten()
        });
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        let result = if success {
            decode_body(&bytes)
                .map(|data| (status, data))
                .map_err(|reason| {
                    self.decode_error::<O>(
                        status,
                        &headers,
                        request_id,
                        reason,
                        &bytes,
                        key_owned(),
                    )
                })
        } else {
            Err(self.api_error::<O>(status, &headers, request_id, &bytes, key_owned()))
        };
        if let Err(e) = &result {
            tracing::debug!(error = %e, "attempt failed");
        }
        result
    }

    fn transport_error<O: Operation>(
        &self,
        e: reqwest::Error,
        reading_body: bool,
        key: Option<String>,
    ) -> Error {
        if e.is_timeout() {
            return Error::Timeout {
                operation: O::OPERATION_ID,
                timeout: self.inner.request_timeout,
                idempotency_key: key,
            };
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
            message: self.inner.redactor.redact(&error_chain(&e)),
            idempotency_key: key,
        }
    }

    fn decode_error<O: Operation>(
        &self,
        status: u16,
        headers: &HeaderMap,
        request_id: Option<String>,
        reason: String,
        bytes: &[u8],
        key: Option<String>,
    ) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: O::OPERATION_ID,
            status,
            content_type: header(headers, "content-type"),
            request_id,
            reason: self.inner.redactor.redact(&reason),
            snippet: self
                .inner
                .redactor
                .redact(&snippet(&String::from_utf8_lossy(bytes), SNIPPET_CHARS)),
            idempotency_key: key,
        }))
    }

    fn api_error<O: Operation>(
        &self,
        status: u16,
        headers: &HeaderMap,
        request_id: Option<String>,
        bytes: &[u8],
        key: Option<String>,
    ) -> Error {
        // Every operation's error body is Plaid's error object (the generator gives them all
        // `types::PlaidError`), so it is decoded concretely here.
        let parsed = match serde_json::from_slice::<plaid_client::types::PlaidError>(bytes) {
            Ok(p) => p,
            Err(e) => {
                let ct =
                    header(headers, "content-type").unwrap_or_else(|| "no content type".into());
                let reason = format!("expected Plaid's JSON error object, got {ct}: {e}");
                return self.decode_error::<O>(status, headers, request_id, reason, bytes, key);
            }
        };
        let redact = |s: &str| self.inner.redactor.redact(s);
        Error::Api(Box::new(ApiError {
            operation: O::OPERATION_ID,
            status,
            request_id: parsed.request_id.or(request_id),
            error_type: parsed.error_type,
            error_code: ErrorCode::from(parsed.error_code.as_str()),
            error_message: redact(&parsed.error_message),
            display_message: parsed.display_message.as_deref().map(redact),
            documentation_url: parsed.documentation_url,
            suggested_action: parsed.suggested_action.as_deref().map(redact),
            causes: parsed.causes,
            retry_after: header(headers, "retry-after").and_then(|v| parse_retry_after(&v)),
            idempotency_key: key,
        }))
    }
}

/// Decode a body, naming the JSON path of the first error.
fn decode<T: serde::de::DeserializeOwned>(bytes: &bytes::Bytes) -> Result<T, String> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        // The slow path runs only on failure, to say where.
        Err(first) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => {
                    let path = e.path().to_string();
                    if path.is_empty() || path == "." {
                        Err(first.to_string())
                    } else {
                        Err(format!("at `{path}`: {}", e.into_inner()))
                    }
                }
                Ok(_) => Err(first.to_string()),
            }
        }
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The top-level `request_id` of a JSON body, found without decoding the body twice: the first
/// `"request_id":"…"` pair. Used for tracing and errors only.
fn body_request_id(bytes: &[u8]) -> Option<String> {
    const NEEDLE: &[u8] = b"\"request_id\"";
    // From the end: Plaid puts the top-level `request_id` last, after any large arrays.
    let pos = bytes
        .windows(NEEDLE.len())
        .rposition(|w| w[0] == b'"' && w == NEEDLE)?;
    let rest = &bytes[pos + NEEDLE.len()..];
    let rest = &rest[rest
        .iter()
        .position(|b| !matches!(b, b' ' | b':' | b'\n' | b'\r' | b'\t'))?..];
    let rest = rest.strip_prefix(b"\"")?;
    let end = rest.iter().position(|b| *b == b'"' || *b == b'\\')?;
    let id = std::str::from_utf8(&rest[..end]).ok()?;
    (id.len() <= 64).then(|| id.to_string())
}

/// A reqwest error with its sources, on one line.
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_request_id_in_a_body() {
        assert_eq!(
            body_request_id(br#"{"accounts": [], "request_id": "m8MDnv9okwxFNBV"}"#).as_deref(),
            Some("m8MDnv9okwxFNBV")
        );
        assert_eq!(body_request_id(b"<html>nope</html>"), None);
        assert_eq!(body_request_id(br#"{"request_id": 7}"#), None);
    }
}
