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
use crate::error::{ApiError, DecodeError, Error, ErrorCode, TimeoutPhase, TransportKind};
use crate::idempotency::{self, IdempotencyKey};
use crate::redact::{snippet, Credential, Redactor};
use crate::retry::{parse_retry_after, NoRetry, RetryContext, RetryPolicy};

/// How much of an undecodable body an error quotes.
const SNIPPET_CHARS: usize = 200;
/// How much of one server-supplied text (a request id, a code, a URL, a message, one quoted
/// value in a decoder's message) an error keeps.
const SERVER_TEXT_CHARS: usize = 200;
/// How much of a decoder's whole message an error keeps.
const REASON_CHARS: usize = 1_000;

/// The response type of request body `R`.
pub type ResponseOf<R> = <<R as RequestBody>::Operation as Operation>::Response;

/// A client for the Plaid API.
///
/// Cheap to clone (it is an `Arc`), safe to share between tasks. One request path serves every
/// operation that is a `POST` of a JSON body (all but three of the spec's 329): JSON answers
/// through [`PlaidClient::send`], PDF/ZIP answers through [`PlaidClient::download`]. The three
/// `GET` operations with path parameters (`/fdx/...`) are sent by progenitor's client, behind
/// the feature `raw-client` (`PlaidClient::raw`).
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
    /// The connect timeout of the HTTP client this crate built (`None`: the caller's client).
    connect_timeout: Option<Duration>,
    /// The per-request defaults; [`PlaidClient::customize`] overrides them for one request.
    options: RequestOptions,
    redactor: Redactor,
    #[cfg(feature = "raw-client")]
    raw: plaid_client::raw::Client,
}

impl fmt::Debug for PlaidClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlaidClient")
            .field("environment", &self.inner.environment)
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("request_timeout", &self.inner.options.timeout)
            .field("retry", &self.inner.options.retry)
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

/// How one request is sent: its timeout and retry policy. The client's defaults come from
/// [`ClientBuilder`]; [`PlaidClient::customize`] changes them for one request.
#[derive(Clone)]
struct RequestOptions {
    /// The timeout of one attempt, from sending to the end of the body.
    timeout: Duration,
    retry: Arc<dyn RetryPolicy>,
}

/// One request sent with its own timeout or retry policy, built by [`PlaidClient::customize`]
/// (after async-stripe's `customize()`); everything else (credentials, idempotency keys, typed
/// errors) is the client's.
///
/// ```no_run
/// # async fn run(client: plaid_client_ext::PlaidClient,
/// #     request: plaid_client_ext::types::AccountsBalanceGetRequest)
/// #     -> Result<(), plaid_client_ext::Error> {
/// use std::time::Duration;
///
/// // `/accounts/balance/get` waits on the bank: give it longer, and fail fast instead of retrying.
/// let balances = client
///     .customize()
///     .timeout(Duration::from_secs(120))
///     .no_retries()
///     .send(&request)
///     .await?;
/// # let _ = balances;
/// # Ok(())
/// # }
/// ```
#[must_use = "a customized request does nothing until it is sent"]
pub struct Customize<'c> {
    client: &'c PlaidClient,
    options: RequestOptions,
}

impl fmt::Debug for Customize<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Customize")
            .field("timeout", &self.options.timeout)
            .field("retry", &self.options.retry)
            .finish_non_exhaustive()
    }
}

impl Customize<'_> {
    /// The timeout of each attempt of this request, from sending to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = timeout;
        self
    }

    /// The retry policy of this request. Whatever it says, a write without an idempotency key is
    /// never retried.
    pub fn retry_policy(mut self, policy: impl RetryPolicy) -> Self {
        self.options.retry = Arc::new(policy);
        self
    }

    /// Send this request once, whatever the client's retry policy.
    pub fn no_retries(self) -> Self {
        self.retry_policy(NoRetry)
    }

    /// [`PlaidClient::send`] with these options.
    pub async fn send<R>(&self, request: &R) -> Result<Response<ResponseOf<R>>, Error>
    where
        R: RequestBody + Clone,
        R::Operation: JsonOperation + PostOperation,
    {
        self.send_operation::<R::Operation>(request).await
    }

    /// [`PlaidClient::send_operation`] with these options.
    pub async fn send_operation<O>(
        &self,
        request: &O::Request,
    ) -> Result<Response<O::Response>, Error>
    where
        O: JsonOperation + PostOperation,
        O::Request: Clone,
    {
        self.client
            .execute::<O, _>(request, decode::<O::Response>, &self.options)
            .await
    }

    /// [`PlaidClient::download`] with these options.
    pub async fn download<R>(&self, request: &R) -> Result<Response<bytes::Bytes>, Error>
    where
        R: RequestBody + Clone,
        R::Operation: BinaryOperation + PostOperation,
    {
        self.client
            .execute::<R::Operation, _>(request, |b| Ok(b.clone()), &self.options)
            .await
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
        b.environment.check()?;
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
        let (http, connect_timeout) = match b.http {
            Some(http) => (http, None),
            None => (
                reqwest::Client::builder()
                    .connect_timeout(b.connect_timeout)
                    .build()
                    .map_err(|e| ConfigError::HttpClient(e.to_string()))?,
                Some(b.connect_timeout),
            ),
        };
        let base_url = b.environment.base_url().to_string();
        // The raw client gets the request timeout too, set on each request by its pre-hook.
        #[cfg(feature = "raw-client")]
        let raw = plaid_client::raw::Client::new_with_client(
            &base_url,
            http.clone(),
            headers.clone().with_timeout(b.request_timeout),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                redactor: Redactor::new(&[&b.client_id, &b.secret]),
                environment: b.environment,
                base_url,
                http,
                headers,
                connect_timeout,
                options: RequestOptions {
                    timeout: b.request_timeout,
                    retry: b.retry,
                },
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
    /// connection pool and sending the same credentials and `Plaid-Version`, with the same
    /// request timeout. Use it for the `GET` operations with path parameters, which
    /// [`Self::send`] does not take; it neither retries nor maps errors.
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

    /// Set `request`'s idempotency key to `key`: the key a failed attempt was sent with
    /// ([`Error::idempotency_key`]) or one you stored, so that sending the request again is the
    /// same logical request and Plaid performs it at most once. Checked against the operation's
    /// limits; an operation without an `idempotency_key` is an error.
    ///
    /// ```
    /// use plaid_client_ext::{types, Environment, IdempotencyKey, PlaidClient};
    ///
    /// let client = PlaidClient::builder(Environment::Sandbox, "id", "secret").build().unwrap();
    /// let mut req: types::TransferCreateRequest = serde_json::from_value(serde_json::json!({
    ///     "access_token": "access-sandbox-123", "account_id": "acc", "authorization_id": "auth",
    ///     "description": "payment"
    /// })).unwrap();
    /// let stored = IdempotencyKey::new("order-42-payment").unwrap();
    /// client.set_idempotency_key(&mut req, &stored).unwrap();
    /// assert_eq!(client.assign_idempotency_key(&mut req).unwrap(), Some(stored));
    /// ```
    pub fn set_idempotency_key<R: RequestBody>(
        &self,
        request: &mut R,
        key: &IdempotencyKey,
    ) -> Result<(), Error> {
        let invalid = |reason| Error::InvalidRequest {
            operation: R::Operation::OPERATION_ID,
            reason,
        };
        let Some(field) = R::Operation::IDEMPOTENCY_KEY else {
            return Err(invalid(
                "the operation takes no idempotency key".to_string(),
            ));
        };
        idempotency::check(key.as_str(), &field).map_err(invalid)?;
        R::Operation::set_idempotency_key(request, key.as_str().to_string());
        Ok(())
    }

    /// Send one request with its own timeout or retry policy:
    /// `client.customize().timeout(d).no_retries().send(&request)`. See [`Customize`].
    pub fn customize(&self) -> Customize<'_> {
        Customize {
            client: self,
            options: self.inner.options.clone(),
        }
    }

    /// Send `request` to its operation and decode the response.
    ///
    /// For operations with an `idempotency_key`, the key is part of the request: `new` fills a
    /// fresh one, so sending the same value again (after a timeout, from a job queue) sends
    /// the same key and Plaid performs the operation once. A request without a key (built by
    /// serde, or its key cleared) gets a fresh one for this call only (the caller's value is
    /// never changed). The key is checked against the spec's limits, sent unchanged on every
    /// retry, and returned in [`Response::idempotency_key`] and [`Error::idempotency_key`].
    /// Failures are retried as the retry policy says, but only when the operation is read-only
    /// or carries an idempotency key. To retry yourself after an error, send the same request
    /// with the same key ([`Self::set_idempotency_key`]; see [`crate::idempotency`]).
    pub async fn send<R>(&self, request: &R) -> Result<Response<ResponseOf<R>>, Error>
    where
        R: RequestBody + Clone,
        R::Operation: JsonOperation + PostOperation,
    {
        self.send_operation::<R::Operation>(request).await
    }

    /// [`Self::send`] naming the operation instead of inferring it from the request type.
    ///
    /// ```no_run
    /// # async fn run(client: plaid_client_ext::PlaidClient,
    /// #     request: plaid_client_ext::types::AccountsGetRequest) {
    /// use plaid_client_ext::operations;
    ///
    /// let accounts = client.send_operation::<operations::AccountsGet>(&request).await;
    /// # let _ = accounts;
    /// # }
    /// ```
    ///
    /// Only operations sent as `POST` of a JSON body (`PostOperation`) are accepted: a `GET`
    /// operation with path parameters (`GET /fdx/consents/{consentId}`) does not compile here,
    /// rather than being posted to a path with `{consentId}` in it. The raw client (feature
    /// `raw-client`) sends those.
    ///
    /// ```compile_fail,E0277
    /// # async fn run(client: plaid_client_ext::PlaidClient) {
    /// use plaid_client_ext::operations;
    ///
    /// let consent = client.send_operation::<operations::FdxConsentGet>(&()).await;
    /// # }
    /// ```
    pub async fn send_operation<O>(
        &self,
        request: &O::Request,
    ) -> Result<Response<O::Response>, Error>
    where
        O: JsonOperation + PostOperation,
        O::Request: Clone,
    {
        self.execute::<O, _>(request, decode::<O::Response>, &self.inner.options)
            .await
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
        self.execute::<R::Operation, _>(request, |b| Ok(b.clone()), &self.inner.options)
            .await
    }

    /// The one request path: fill and check the idempotency key, serialize once, then attempt
    /// and retry as the policy allows, decoding a success body with `decode_body`.
    async fn execute<O, T>(
        &self,
        request: &O::Request,
        decode_body: fn(&bytes::Bytes) -> Result<T, String>,
        options: &RequestOptions,
    ) -> Result<Response<T>, Error>
    where
        O: Operation,
        O::Request: Clone,
    {
        let call = Call::prepare::<O>(request, options)?;
        let started = Instant::now();
        let mut attempt: u32 = 1;
        loop {
            let span = tracing::info_span!(
                "plaid.request",
                operation = O::OPERATION_ID,
                path = O::PATH,
                attempt,
                idempotency_key = call.key.as_deref(),
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            let outcome = self
                .attempt::<O, T>(&call, decode_body)
                .instrument(span.clone())
                .await;
            let error = match outcome {
                Ok((status, data)) => {
                    return Ok(Response {
                        data,
                        status,
                        idempotency_key: call.key,
                        attempts: attempt,
                    })
                }
                Err(e) => e,
            };
            let ctx = RetryContext {
                operation: O::OPERATION_ID,
                attempt,
                elapsed: started.elapsed(),
                error: &error,
            };
            let Some(delay) = call.retry_delay(&ctx, &span) else {
                return Err(error);
            };
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One HTTP exchange: the status and decoded body, or what went wrong.
    async fn attempt<O: Operation, T>(
        &self,
        call: &Call<'_>,
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
            .timeout(call.options.timeout)
            .body(call.body.clone())
            .send()
            .await;
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return Err(self.transport_error::<O>(e, false, call)),
        };
        let status = response.status().as_u16();
        span.record("status", status);
        // Moved out, not cloned: the body read below consumes the response.
        let headers = std::mem::take(response.headers_mut());
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.transport_error::<O>(e, true, call)),
        };
        let answer = Answer {
            status,
            headers,
            bytes,
        };
        let request_id = self.request_id(call, &answer, &span);
        let result = if answer.is_success() {
            decode_body(&answer.bytes)
                .map(|data| (status, data))
                .map_err(|reason| self.decode_error::<O>(call, &answer, request_id, &reason))
        } else {
            Err(self.api_error::<O>(call, &answer, request_id))
        };
        if let Err(e) = &result {
            tracing::debug!(error = %e, "attempt failed");
        }
        result
    }

    /// Plaid's request id (the `Plaid-Request-Id` header, else the body's `request_id`),
    /// redacted and capped like every text from the server, and recorded on the span. A success
    /// body carries it in the typed response; it is looked for there only when a subscriber
    /// records the span. Errors always need it.
    fn request_id(&self, call: &Call<'_>, answer: &Answer, span: &tracing::Span) -> Option<String> {
        if answer.is_success() && span.is_disabled() {
            return None;
        }
        let raw = header(&answer.headers, "plaid-request-id")
            .or_else(|| body_request_id(&answer.bytes))?;
        let id = call
            .redactor(&self.inner.redactor)
            .redact_capped(&raw, SERVER_TEXT_CHARS);
        span.record("request_id", id.as_str());
        Some(id)
    }

    fn transport_error<O: Operation>(
        &self,
        e: reqwest::Error,
        reading_body: bool,
        call: &Call<'_>,
    ) -> Error {
        if e.is_timeout() {
            // reqwest marks a connect timeout as both: nothing was sent.
            let (phase, timeout) = if e.is_connect() {
                (TimeoutPhase::Connect, self.inner.connect_timeout)
            } else {
                (TimeoutPhase::Response, Some(call.options.timeout))
            };
            return Error::Timeout {
                operation: O::OPERATION_ID,
                phase,
                timeout,
                idempotency_key: call.key.clone(),
                idempotent: call.idempotent,
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
            message: call
                .redactor(&self.inner.redactor)
                .redact_capped(&error_chain(&e), REASON_CHARS),
            idempotency_key: call.key.clone(),
            idempotent: call.idempotent,
        }
    }

    fn decode_error<O: Operation>(
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
    fn api_error<O: Operation>(
        &self,
        call: &Call<'_>,
        answer: &Answer,
        request_id: Option<String>,
    ) -> Error {
        let ct =
            || header(&answer.headers, "content-type").unwrap_or_else(|| "no content type".into());
        let object = match serde_json::from_slice::<serde_json::Value>(&answer.bytes) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => {
                let reason = format!(
                    "expected Plaid's JSON error object, got {}: not an object",
                    ct()
                );
                return self.decode_error::<O>(call, answer, request_id, &reason);
            }
            Err(e) => {
                let reason = format!("expected Plaid's JSON error object, got {}: {e}", ct());
                return self.decode_error::<O>(call, answer, request_id, &reason);
            }
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
                ct()
            );
            return self.decode_error::<O>(call, answer, request_id, &reason);
        };
        let causes = match object.get("causes") {
            None | Some(serde_json::Value::Null) => &[][..],
            Some(serde_json::Value::Array(items)) => items.as_slice(),
            Some(other) => std::slice::from_ref(other),
        };
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
            causes: causes
                .iter()
                .map(|c| redactor.redact_value(c, SERVER_TEXT_CHARS))
                .collect(),
            retry_after: header(&answer.headers, "retry-after").and_then(|v| parse_retry_after(&v)),
            idempotency_key: call.key.clone(),
            idempotent: call.idempotent,
        }))
    }
}

/// What every attempt of one request shares.
struct Call<'a> {
    /// Serialized once; every attempt sends the same bytes (a reference-counted handle).
    body: bytes::Bytes,
    /// The idempotency key sent, for keyed operations.
    key: Option<String>,
    /// Whether sending it again cannot perform it twice: read-only, or keyed.
    idempotent: bool,
    options: &'a RequestOptions,
    operation: &'static str,
    /// The client's redactor, also knowing the credentials of this request's body; built the
    /// first time an error (or a recorded request id) needs it.
    redactor: std::sync::OnceLock<Redactor>,
}

impl<'a> Call<'a> {
    /// Fill the key on a copy only when one is missing (the caller's request stays as given),
    /// check it, serialize the request.
    fn prepare<O: Operation>(
        request: &O::Request,
        options: &'a RequestOptions,
    ) -> Result<Self, Error>
    where
        O::Request: Clone,
    {
        let invalid = |reason| Error::InvalidRequest {
            operation: O::OPERATION_ID,
            reason,
        };
        let mut filled = idempotency::missing::<O>(request).then(|| request.clone());
        let key = match filled.as_mut() {
            Some(copy) => idempotency::ensure::<O>(copy),
            None => idempotency::checked::<O>(request),
        }
        .map_err(invalid)?;
        let to_send = filled.as_ref().unwrap_or(request);
        let body = bytes::Bytes::from(
            serde_json::to_vec(to_send)
                .map_err(|e| invalid(format!("the request does not serialize to JSON: {e}")))?,
        );
        Ok(Self {
            body,
            idempotent: O::READ_ONLY || key.is_some(),
            key,
            options,
            operation: O::OPERATION_ID,
            redactor: std::sync::OnceLock::new(),
        })
    }

    fn redactor(&self, client: &Redactor) -> &Redactor {
        self.redactor
            .get_or_init(|| client.with_request(&self.body))
    }

    /// How long to wait before the next attempt, or `None` to return the error: never for a
    /// request that is not idempotent, else as the policy says.
    fn retry_delay(&self, ctx: &RetryContext<'_>, span: &tracing::Span) -> Option<Duration> {
        let error = ctx.error;
        if !self.idempotent {
            if error.is_transient() {
                span.in_scope(|| {
                    tracing::warn!(error = %error, operation = self.operation, "not retrying: a write without an idempotency key")
                });
            }
            return None;
        }
        let delay = self.options.retry.next_delay(ctx)?;
        span.in_scope(|| tracing::warn!(error = %error, ?delay, "retrying"));
        Some(delay)
    }
}

/// A response as received.
struct Answer {
    status: u16,
    headers: HeaderMap,
    bytes: bytes::Bytes,
}

impl Answer {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// `text` with every double-quoted value longer than `max` characters cut to `max` (marked):
/// serde quotes the whole offending string in its messages (`invalid type: string "…"`), which
/// for a 50 MB string where an array belongs would be a 50 MB error message.
fn cap_quoted(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(64 * 1024));
    let mut inside: Option<usize> = None; // characters of the current quoted value so far
    let mut escaped = false;
    for c in text.chars() {
        match inside {
            None => {
                out.push(c);
                if c == '"' {
                    inside = Some(0);
                }
            }
            Some(n) => {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                if closes {
                    inside = None;
                    out.push(c);
                } else {
                    if n < max {
                        out.push(c);
                    } else if n == max {
                        out.push('…');
                    }
                    inside = Some(n + 1);
                }
            }
        }
    }
    out
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
