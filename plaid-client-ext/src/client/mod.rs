//! [`PlaidClient`]: sends any operation of the generated client with credentials, typed errors,
//! safe retries, idempotency keys and tracing.
//!
//! One job per file: this one is the client and its public methods; `customize.rs` the options
//! of one request (and the one implementation of `send`, `send_operation` and `download`);
//! `build.rs` turns a [`ClientBuilder`] into a client; `call.rs` is what every attempt of one
//! request shares; `send.rs` is the request path (attempts, retries, spans); `body.rs` reads an
//! answer's body within the size limit and the attempt's deadline; `answer.rs` turns an HTTP
//! answer that is not a success into an [`Error`]; `text.rs` holds the helpers for text a
//! server sent.

mod answer;
mod body;
mod build;
mod call;
mod customize;
mod send;
mod text;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use plaid_client::{
    BinaryOperation, JsonOperation, Operation, PostOperation, RequestBody, RequestHeaders,
};

use crate::config::{builder_from_env, ClientBuilder, ConfigError, Environment};
use crate::error::Error;
use crate::idempotency::{self, IdempotencyKey};
use crate::redact::{Credential, Redactor};

pub use customize::Customize;
pub(crate) use customize::RequestOptions;

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
    /// `base_url` parsed: answers from any other origin are refused.
    base: reqwest::Url,
    /// The host of `base`: `server.address` of spans and metrics.
    server_address: String,
    http: reqwest::Client,
    headers: RequestHeaders,
    /// `headers` with `Content-Type: application/json`: what every `POST` sends, built once.
    post_headers: reqwest::header::HeaderMap,
    /// The connect timeout of the HTTP client this crate built (`None`: the caller's client).
    connect_timeout: Option<Duration>,
    /// The timeout set on the HTTP client this crate built (`None`: the caller's client).
    client_timeout: Option<Duration>,
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
            .field("max_response_bytes", &self.inner.options.max_response_bytes)
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
            options: std::borrow::Cow::Borrowed(&self.inner.options),
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
        self.customize().send(request).await
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
        self.customize().send_operation::<O>(request).await
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
        self.customize().download(request).await
    }
}
