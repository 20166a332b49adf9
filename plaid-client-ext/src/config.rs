//! Configuration: which Plaid environment, which credentials, timeouts, user agent, HTTP client
//! and retry policy. Nothing here panics on bad input: every problem is a [`ConfigError`].

use std::sync::Arc;
use std::time::Duration;

use crate::redact::Credential;
use crate::retry::{Backoff, NoRetry, RetryPolicy};

/// The `Plaid-Version` header sent with every request: the API version the generated types
/// describe (the spec's file name is `2020-09-14.yml`).
pub const PLAID_VERSION: &str = "2020-09-14";

/// The default connect timeout: a TCP and TLS handshake with Plaid takes well under a second,
/// so 10 s means the host cannot be reached. Nothing was sent, so a connect failure is always
/// safe to retry, and failing it fast leaves time to.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default timeout of one attempt, from sending to the end of the body. Plaid answers most
/// calls in a few seconds, but some wait on financial institutions: its docs warn that
/// `/accounts/balance/get` "may be higher latency" and that the first `/transactions/sync` after
/// a historical update can take up to 8 times longer than `/transactions/get`. 60 s covers
/// those with margin and still hands control back within a minute; the default retry budget
/// ([`crate::retry::Backoff`], 90 s) is longer, so a read that timed out is retried once.
/// Override it per request with [`crate::PlaidClient::customize`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The default limit on the size of one answer's body, JSON or file: 64 MiB.
///
/// Plaid documents no size for its answers. The largest are the Asset Report
/// (`/asset_report/get`: up to 99 Items, up to 730 days of transactions each) and the files of
/// [`crate::PlaidClient::download`] (Asset Report, Consumer Report and income PDFs,
/// `/statements/download`), typically a few MB; the largest file Plaid accepts in an upload is
/// 20 MB. 64 MiB is an order of magnitude above a typical Asset Report and three times that
/// upload, while bounding what a broken proxy or a hostile server can make the client hold: past
/// the limit an answer is [`crate::Error::ResponseTooLarge`], refused before reading when its
/// `Content-Length` says so. Reports over many Items and two years of history can reach tens
/// of MB: raise the limit for them ([`ClientBuilder::max_response_bytes`], or for one request
/// [`crate::Customize::max_response_bytes`]).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://sandbox.plaid.com`: test data, free.
    Sandbox,
    /// `https://production.plaid.com`: real data, billed.
    Production,
    /// Any other base URL: a local mock in tests, a proxy, a recorder.
    Custom(String),
}

impl Environment {
    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Sandbox => "https://sandbox.plaid.com",
            Environment::Production => "https://production.plaid.com",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// Parse `sandbox`, `production` (any case) or an `http://`/`https://` URL, as `PLAID_ENV`
    /// takes it. Plain `http://` is accepted only for loopback hosts (see [`Self::check`]).
    ///
    /// ```
    /// use plaid_client_ext::Environment;
    ///
    /// assert_eq!(Environment::parse("Sandbox").unwrap(), Environment::Sandbox);
    /// assert_eq!(Environment::parse("http://127.0.0.1:8080/").unwrap().base_url(), "http://127.0.0.1:8080");
    /// assert!(Environment::parse("development").is_err()); // retired by Plaid in 2024
    /// assert!(Environment::parse("http://plaid-proxy.internal").is_err()); // credentials in clear
    /// ```
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let v = value.trim();
        let env = match v.to_ascii_lowercase().as_str() {
            "sandbox" => Environment::Sandbox,
            "production" => Environment::Production,
            _ if v.starts_with("http://") || v.starts_with("https://") => {
                if v.len() <= "https://".len() || v.contains(char::is_whitespace) {
                    return Err(ConfigError::InvalidEnvironment(v.to_string()));
                }
                Environment::Custom(v.to_string())
            }
            _ => return Err(ConfigError::InvalidEnvironment(v.to_string())),
        };
        env.check()?;
        Ok(env)
    }

    /// Whether credentials may be sent to this environment: every request carries
    /// `PLAID-CLIENT-ID` and `PLAID-SECRET`, so a [`Environment::Custom`] URL must be
    /// `https://`, or `http://` to a loopback host (`127.0.0.0/8`, `::1`, `localhost`: a mock
    /// or a recorder on the same machine). [`crate::ClientBuilder::build`] checks this.
    ///
    /// ```
    /// use plaid_client_ext::{ConfigError, Environment};
    ///
    /// assert!(Environment::Custom("http://127.0.0.1:4010".into()).check().is_ok());
    /// assert!(Environment::Custom("http://[::1]:4010".into()).check().is_ok());
    /// assert!(Environment::Custom("https://plaid-proxy.example".into()).check().is_ok());
    /// let refused = Environment::Custom("http://plaid-proxy.example".into()).check();
    /// assert!(matches!(refused, Err(ConfigError::PlainHttp(_))));
    /// ```
    pub fn check(&self) -> Result<(), ConfigError> {
        let Environment::Custom(url) = self else {
            return Ok(());
        };
        let invalid = || ConfigError::InvalidEnvironment(url.clone());
        let parsed = reqwest::Url::parse(url.trim()).map_err(|_| invalid())?;
        match parsed.scheme() {
            "https" => Ok(()),
            "http" if is_loopback(&parsed) => Ok(()),
            "http" => Err(ConfigError::PlainHttp(
                parsed.host_str().unwrap_or_default().to_string(),
            )),
            _ => Err(invalid()),
        }
    }
}

/// A host that never leaves the machine: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// A configuration problem. Messages name the setting, never a credential's value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// An environment variable `from_env` needs is not set (or not Unicode).
    #[error("environment variable {0} is not set")]
    MissingVar(&'static str),
    /// A credential is empty.
    #[error("{0} is empty")]
    EmptyCredential(&'static str),
    /// A credential cannot be sent as an HTTP header (control characters, non-ASCII).
    #[error("{0} contains characters that cannot be sent in an HTTP header")]
    InvalidCredential(&'static str),
    /// `PLAID_ENV` (or the given environment) is not `sandbox`, `production` or a URL.
    #[error("invalid Plaid environment `{0}`: expected `sandbox`, `production` or an http(s) URL")]
    InvalidEnvironment(String),
    /// A custom environment URL is plain `http://` to a host other than loopback: the
    /// credentials (`PLAID-SECRET`) would cross the network unencrypted.
    #[error(
        "refusing plain http:// to `{0}`: PLAID-SECRET would be sent unencrypted; use https:// \
         (plain http is allowed only for loopback hosts such as 127.0.0.1, for mocks)"
    )]
    PlainHttp(String),
    /// The user agent cannot be sent as an HTTP header.
    #[error("the user agent contains characters that cannot be sent in an HTTP header")]
    InvalidUserAgent,
    /// reqwest could not build its client (for instance, no TLS backend could be initialised).
    #[error("could not build the HTTP client: {0}")]
    HttpClient(String),
}

/// Builds a [`crate::PlaidClient`].
///
/// ```
/// use std::time::Duration;
/// use plaid_client_ext::{Environment, PlaidClient};
///
/// let client = PlaidClient::builder(Environment::Sandbox, "client-id-123", "s3cr3t-value")
///     .request_timeout(Duration::from_secs(30))
///     .user_agent("my-app/1.0")
///     .build()
///     .unwrap();
/// assert_eq!(client.environment(), &Environment::Sandbox);
/// // Credentials never show up in Debug output.
/// let shown = format!("{client:?}");
/// assert!(!shown.contains("s3cr3t-value") && !shown.contains("client-id-123"));
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    pub(crate) environment: Environment,
    pub(crate) client_id: Credential,
    pub(crate) secret: Credential,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) user_agent: String,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) retry: Arc<dyn RetryPolicy>,
}

impl ClientBuilder {
    pub(crate) fn new(environment: Environment, client_id: Credential, secret: Credential) -> Self {
        Self {
            environment,
            client_id,
            secret,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: format!("plaid-rs/{}", env!("CARGO_PKG_VERSION")),
            http: None,
            retry: Arc::new(Backoff::default()),
        }
    }

    /// Timeout for establishing a connection (default 10 s, [`DEFAULT_CONNECT_TIMEOUT`]).
    /// Ignored with [`Self::http_client`] (that client's own applies).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of one attempt, from sending to the end of the body (default 60 s,
    /// [`DEFAULT_REQUEST_TIMEOUT`]). A timeout while connecting is reported as
    /// [`crate::TimeoutPhase::Connect`], one while waiting for the answer or reading its body as
    /// [`crate::TimeoutPhase::Response`].
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The largest body one answer may have, in bytes, JSON or file, success or error (default
    /// 64 MiB, [`DEFAULT_MAX_RESPONSE_BYTES`], which says why). An answer whose `Content-Length`
    /// is larger is refused before its body is read; one without a `Content-Length`, or sending
    /// more than it declared, is refused as soon as the bytes read pass the limit. Either way
    /// the call fails with [`crate::Error::ResponseTooLarge`], which is never retried, and the
    /// client never holds more than the limit (and the chunk that passed it).
    ///
    /// ```
    /// use plaid_client_ext::config::DEFAULT_MAX_RESPONSE_BYTES;
    /// use plaid_client_ext::{Environment, PlaidClient};
    ///
    /// // Asset Reports over many Items and two years of history: allow 256 MiB.
    /// let client = PlaidClient::builder(Environment::Sandbox, "client-id-123", "s3cr3t-value")
    ///     .max_response_bytes(256 * 1024 * 1024)
    ///     .build()
    ///     .unwrap();
    /// assert!(format!("{client:?}").contains("max_response_bytes: 268435456"));
    /// assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 64 * 1024 * 1024);
    /// ```
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The `User-Agent` header (default `plaid-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use this `reqwest::Client` (your proxy, TLS and pool settings). Its own timeouts then
    /// apply besides [`Self::request_timeout`].
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`: Plaid's API does not
    /// redirect, and a client that follows redirects sends the `PLAID-SECRET` header and the
    /// request body to wherever a redirect points (reqwest strips `Authorization` on a
    /// cross-origin redirect, but cannot know `PLAID-SECRET` is a credential). Whatever its
    /// policy, a 3xx answer, or an answer from another origin, fails with
    /// [`crate::Error::Redirect`] and is never decoded.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The retry policy (default [`Backoff::default`]). Whatever the policy says, a write without
    /// an idempotency key is never retried.
    pub fn retry_policy(mut self, policy: impl RetryPolicy) -> Self {
        self.retry = Arc::new(policy);
        self
    }

    /// Never retry.
    pub fn no_retries(self) -> Self {
        self.retry_policy(NoRetry)
    }

    /// Check the settings and build the client.
    pub fn build(self) -> Result<crate::PlaidClient, ConfigError> {
        crate::PlaidClient::from_builder(self)
    }
}

/// Read `PLAID_CLIENT_ID`, `PLAID_SECRET` and `PLAID_ENV` (default `sandbox`) into a builder.
pub(crate) fn builder_from_env(
    get: impl Fn(&str) -> Option<String>,
) -> Result<ClientBuilder, ConfigError> {
    let client_id = get("PLAID_CLIENT_ID").ok_or(ConfigError::MissingVar("PLAID_CLIENT_ID"))?;
    let secret = get("PLAID_SECRET").ok_or(ConfigError::MissingVar("PLAID_SECRET"))?;
    let env = match get("PLAID_ENV") {
        Some(v) => Environment::parse(&v)?,
        None => Environment::Sandbox,
    };
    Ok(ClientBuilder::new(
        env,
        Credential::new(client_id),
        Credential::new(secret),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn from_env_reports_what_is_missing_or_invalid() {
        let e = builder_from_env(vars(&[])).unwrap_err();
        assert!(
            matches!(e, ConfigError::MissingVar("PLAID_CLIENT_ID")),
            "{e}"
        );
        let e = builder_from_env(vars(&[("PLAID_CLIENT_ID", "id")])).unwrap_err();
        assert!(matches!(e, ConfigError::MissingVar("PLAID_SECRET")), "{e}");
        let e = builder_from_env(vars(&[
            ("PLAID_CLIENT_ID", "id"),
            ("PLAID_SECRET", "s"),
            ("PLAID_ENV", "moon"),
        ]))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid Plaid environment `moon`: expected `sandbox`, `production` or an http(s) URL"
        );
        let b =
            builder_from_env(vars(&[("PLAID_CLIENT_ID", "id"), ("PLAID_SECRET", "s")])).unwrap();
        assert_eq!(b.environment, Environment::Sandbox);
    }

    #[test]
    fn empty_or_unsendable_credentials_are_errors_not_panics() {
        let e = ClientBuilder::new(
            Environment::Sandbox,
            Credential::new(""),
            Credential::new("s"),
        )
        .build()
        .unwrap_err();
        assert!(
            matches!(e, ConfigError::EmptyCredential("client_id")),
            "{e}"
        );
        let e = ClientBuilder::new(
            Environment::Sandbox,
            Credential::new("id"),
            Credential::new("bad\nsecret"),
        )
        .build()
        .unwrap_err();
        assert!(matches!(e, ConfigError::InvalidCredential("secret")), "{e}");
        assert!(!e.to_string().contains("bad"), "{e}");
        let e = ClientBuilder::new(
            Environment::Sandbox,
            Credential::new("id"),
            Credential::new("s"),
        )
        .user_agent("a\u{7f}b")
        .build()
        .unwrap_err();
        assert!(matches!(e, ConfigError::InvalidUserAgent), "{e}");
    }
}
