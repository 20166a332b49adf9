//! Building a [`PlaidClient`] from a [`ClientBuilder`]: the credential headers, the HTTP client
//! and the per-request defaults.

use std::sync::Arc;
use std::time::Duration;

use plaid_client::RequestHeaders;

use super::{Inner, PlaidClient, RequestOptions};
use crate::config::{ClientBuilder, ConfigError, PLAID_VERSION};
use crate::redact::Redactor;

impl PlaidClient {
    pub(crate) fn from_builder(b: ClientBuilder) -> Result<Self, ConfigError> {
        b.environment.check()?;
        let headers = request_headers(&b)?;
        let (http, connect_timeout) = http_client(b.http, b.connect_timeout, b.request_timeout)?;
        let base_url = b.environment.base_url().to_string();
        let base = reqwest::Url::parse(&base_url)
            .map_err(|e| ConfigError::HttpClient(format!("the base URL does not parse: {e}")))?;
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
                server_address: base.host_str().unwrap_or_default().to_string(),
                base,
                http,
                post_headers: post_headers(&headers),
                headers,
                connect_timeout,
                client_timeout: connect_timeout.map(|_| b.request_timeout),
                options: RequestOptions {
                    timeout: b.request_timeout,
                    retry: b.retry,
                    max_response_bytes: b.max_response_bytes,
                },
                #[cfg(feature = "raw-client")]
                raw,
            }),
        })
    }
}

/// The headers every request carries: the credentials (marked sensitive), `Plaid-Version` and
/// `User-Agent`. An empty credential, or one that cannot be a header, is an error.
fn request_headers(b: &ClientBuilder) -> Result<RequestHeaders, ConfigError> {
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
    Ok(headers)
}

/// The caller's HTTP client, or one built here (with its connect timeout, returned, which the
/// caller's client does not tell).
fn http_client(
    given: Option<reqwest::Client>,
    connect_timeout: Duration,
    request_timeout: Duration,
) -> Result<(reqwest::Client, Option<Duration>), ConfigError> {
    if let Some(http) = given {
        return Ok((http, None));
    }
    let http = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        // The default per-attempt timeout lives in the client, so a request that keeps it sets
        // no timer of its own (see `send.rs`).
        .timeout(request_timeout)
        // Plaid's API does not redirect, and reqwest would send `PLAID-SECRET` (which it cannot
        // know is a credential) to wherever a redirect points.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ConfigError::HttpClient(e.to_string()))?;
    Ok((http, Some(connect_timeout)))
}

/// The client's headers and `Content-Type: application/json`, for every `POST`.
fn post_headers(headers: &RequestHeaders) -> reqwest::header::HeaderMap {
    let mut map = headers.as_map().clone();
    map.insert(
        reqwest::header::CONTENT_TYPE,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    map
}
