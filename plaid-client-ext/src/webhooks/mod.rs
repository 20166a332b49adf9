//! Webhook verification and typed webhook events.
//!
//! Plaid signs every webhook (docs: `api-webhooks-webhook-verification.txt`): the
//! `Plaid-Verification` header holds a JWT whose header names the signing key (`kid`) and must
//! say `alg: ES256`; the key comes from `/webhook_verification_key/get`; the payload's `iat`
//! must be at most 5 minutes old; and its `request_body_sha256` must equal the SHA-256 of the
//! raw body, compared in constant time. [`WebhookVerifier`] does exactly that, with RustCrypto's
//! `p256` (ECDSA P-256/SHA-256), `sha2` and `subtle`; nothing cryptographic is written here.
//!
//! Keys are cached by `kid` for at most 24 hours, as Plaid recommends; an unknown `kid` is
//! fetched, and then every other cached key is refreshed on its next use, so a rotation that
//! expires a key is noticed. A key whose `expired_at` is set is rejected.
//!
//! The endpoint is public, so a forged webhook must cost little. A `kid` is looked up before
//! any signature can be checked, so the look-ups are what a forger can drive: a `kid` Plaid does
//! not know is remembered as unknown for [`UNKNOWN_KEY_TTL`]; concurrent webhooks with one new
//! `kid` share one fetch; at most [`DEFAULT_MAX_KEY_FETCHES_PER_MINUTE`] fetches are made per
//! minute (then [`WebhookError::KeyFetchLimited`], and Plaid retries the webhook later); a fetch
//! is never retried; a `kid` longer than [`MAX_KEY_ID_LEN`] is refused without a fetch; and
//! errors quote a `kid` only in part.
//!
//! A webhook whose signature verifies is never rejected for its body: one that matches no schema
//! this client knows (Plaid adds fields and codes) is [`WebhookEvent::Unknown`], kept as received.
//! Rejecting it would make Plaid retry it for days.
//!
//! Wiring it into an axum handler (see `examples/webhook_server.rs` for a runnable one):
//!
//! ```no_run
//! use axum::{body::Bytes, extract::State, http::{HeaderMap, StatusCode}};
//! use plaid_client_ext::webhooks::{WebhookEvent, WebhookVerifier};
//! use std::sync::Arc;
//!
//! async fn plaid_webhook(
//!     State(verifier): State<Arc<WebhookVerifier>>,
//!     headers: HeaderMap,
//!     body: Bytes, // the raw bytes: re-serialized JSON would not match the signed hash
//! ) -> StatusCode {
//!     match verifier.verify(&headers, &body).await {
//!         Ok(WebhookEvent::SyncUpdatesAvailable(e)) => {
//!             println!("new transactions for item {}", e.item_id);
//!             StatusCode::OK
//!         }
//!         Ok(other) => {
//!             println!("{} {}", other.webhook_type(), other.webhook_code());
//!             StatusCode::OK
//!         }
//!         Err(e) => {
//!             eprintln!("rejected webhook: {e}");
//!             StatusCode::BAD_REQUEST
//!         }
//!     }
//! }
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::{Error, ErrorCode, PlaidClient};

use plaid_client::webhooks::request_body_sha256;
pub use plaid_client::webhooks::WebhookEvent;
/// Signs webhooks as Plaid does, for your tests (feature `testing`): plaid-client's signer,
/// whose tokens this module's [`WebhookVerifier`] accepts.
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub use plaid_client::webhooks::WebhookSigner;
/// The header types [`WebhookVerifier::verify`] takes (reqwest's, i.e. the `http` crate's), so a
/// caller needs no `http` dependency of its own to build or pass them.
pub use reqwest::header::{HeaderMap, HeaderValue};

/// The header that carries the signature (matched case-insensitively).
pub const HEADER: &str = "plaid-verification";

/// Plaid's limit on a webhook's age.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5 * 60);

/// How long a fetched key is trusted before it is fetched again (Plaid: at most 24 hours).
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a `kid` that Plaid said it does not know is answered from memory.
pub const UNKNOWN_KEY_TTL: Duration = Duration::from_secs(10 * 60);

/// How many unknown `kid`s are remembered at most (the oldest are forgotten first).
pub const MAX_UNKNOWN_KEYS: usize = 4096;

/// Key fetches allowed per minute, unless set with [`WebhookVerifier::max_key_fetches_per_minute`].
/// Plaid rotates keys rarely; a verifier fetches once per key and day, plus once per rotation.
pub const DEFAULT_MAX_KEY_FETCHES_PER_MINUTE: usize = 10;

/// The longest `kid` looked up (Plaid's are UUIDs, 36 characters).
pub const MAX_KEY_ID_LEN: usize = 128;

/// How much of a `kid` an error quotes.
const SHOWN_KEY_ID_CHARS: usize = 40;

/// Why a webhook was rejected. Messages say which check failed; they never contain the token,
/// the body or credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `Plaid-Verification` header.
    #[error("the Plaid-Verification header is missing")]
    MissingHeader,
    /// The header is not a compact JWS (`header.payload.signature`, base64url, JSON).
    #[error("the Plaid-Verification header is not a valid JWT: {0}")]
    MalformedToken(&'static str),
    /// `alg` is not `ES256` (`none`, `HS256` and everything else are refused).
    #[error("the token's algorithm is {0:?}; only ES256 is accepted")]
    UnsupportedAlgorithm(String),
    /// The token header has no `kid`.
    #[error("the token names no key id (kid)")]
    MissingKeyId,
    /// `/webhook_verification_key/get` does not know the `kid` (now, or when it was last asked,
    /// within [`UNKNOWN_KEY_TTL`]).
    #[error("Plaid does not know the verification key id {kid}")]
    UnknownKey {
        /// The key id from the token, cut to its first characters (it is the sender's input).
        kid: String,
    },
    /// The key has an `expired_at`.
    #[error("the verification key {kid} expired at {expired_at} (Unix time)")]
    ExpiredKey {
        /// The key id, cut to its first characters.
        kid: String,
        /// When it expired.
        expired_at: i64,
    },
    /// The key is not a P-256 ES256 signing key.
    #[error("the verification key {kid} is not a usable P-256 key: {reason}")]
    InvalidKey {
        /// The key id, cut to its first characters.
        kid: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Fetching the key failed for another reason (network, Plaid's 5xx...). Not retried here:
    /// Plaid retries the webhook.
    #[error("could not fetch the verification key: {0}")]
    KeyFetch(#[source] Error),
    /// The key was not in the cache and the verifier already fetched its limit of keys this
    /// minute (a flood of forged webhooks, most likely). Plaid retries the webhook later.
    #[error("verification key {kid} not fetched: {limit} key fetches per minute already made")]
    KeyFetchLimited {
        /// The key id, cut to its first characters.
        kid: String,
        /// The limit.
        limit: usize,
    },
    /// The signature does not verify with the key.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// `iat` is missing, or too old (or too far in the future).
    #[error("the token's issue time is outside the accepted window: {0}")]
    Stale(String),
    /// The body's SHA-256 is not the one the token signs.
    #[error("the body does not match the signed request_body_sha256")]
    BodyMismatch,
}

#[derive(Deserialize)]
struct JoseHeader {
    alg: Option<String>,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    iat: Option<i64>,
    request_body_sha256: Option<String>,
}

#[derive(Clone)]
struct CachedKey {
    key: Option<VerifyingKey>,
    expired_at: Option<i64>,
    fetched_at: SystemTime,
    /// Set when another key was found unknown: refetch before the next use.
    stale: bool,
}

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Verifies Plaid webhooks and parses them into [`WebhookEvent`].
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use plaid_client_ext::{webhooks::WebhookVerifier, Environment, PlaidClient};
///
/// let client = PlaidClient::builder(Environment::Sandbox, "id", "secret").build().unwrap();
/// let verifier = WebhookVerifier::new(client)
///     .max_age(Duration::from_secs(120))
///     .clock(SystemTime::now); // tests pass a fixed clock
/// # let _ = verifier;
/// ```
pub struct WebhookVerifier {
    client: PlaidClient,
    keys: Mutex<HashMap<String, CachedKey>>,
    /// `kid`s Plaid said it does not know, and when.
    unknown: Mutex<HashMap<String, SystemTime>>,
    /// One lock per `kid` being fetched: concurrent webhooks with a new `kid` wait for one fetch.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// When the key fetches of the last minute were made.
    fetched: Mutex<VecDeque<SystemTime>>,
    max_fetches_per_minute: usize,
    max_age: Duration,
    clock: Clock,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl WebhookVerifier {
    /// A verifier that fetches keys through `client`.
    pub fn new(client: PlaidClient) -> Self {
        Self {
            client,
            keys: Mutex::new(HashMap::new()),
            unknown: Mutex::new(HashMap::new()),
            flights: Mutex::new(HashMap::new()),
            fetched: Mutex::new(VecDeque::new()),
            max_fetches_per_minute: DEFAULT_MAX_KEY_FETCHES_PER_MINUTE,
            max_age: DEFAULT_MAX_AGE,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// At most `n` key fetches per minute (default [`DEFAULT_MAX_KEY_FETCHES_PER_MINUTE`]);
    /// a webhook whose key is not cached past that is refused with
    /// [`WebhookError::KeyFetchLimited`].
    pub fn max_key_fetches_per_minute(mut self, n: usize) -> Self {
        self.max_fetches_per_minute = n;
        self
    }

    /// The oldest `iat` accepted (default 5 minutes, Plaid's rule). Tokens dated more than
    /// this far in the future are refused too.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The clock used for `iat` and key-cache ages (default `SystemTime::now`).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Verify a webhook from its headers and raw body, and parse it. A verified body that
    /// matches no schema this client knows is [`WebhookEvent::Unknown`], never an error.
    pub async fn verify(
        &self,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let token = match headers.get(HEADER) {
            None => return Err(WebhookError::MissingHeader),
            Some(v) => v
                .to_str()
                .map_err(|_| WebhookError::MalformedToken("the header is not visible ASCII"))?,
        };
        self.verify_token(token, body).await?;
        Ok(parse_verified(body))
    }

    /// Verify the JWT from the `Plaid-Verification` header against the raw body.
    pub async fn verify_token(&self, token: &str, body: &[u8]) -> Result<(), WebhookError> {
        let jws = CompactJws::split(token)?;
        let kid = es256_key_id(jws.header)?;
        let signature = es256_signature(jws.signature)?;
        let key = self.key(&kid).await?;
        key.verify(jws.signing_input, &signature)
            .map_err(|_| WebhookError::BadSignature)?;
        // Only a verified payload is read.
        let claims: Claims = decode_json(jws.payload, PAYLOAD_PART)?;
        self.check_issued_at(claims.iat)?;
        check_body_hash(claims.request_body_sha256.as_deref(), body)
    }

    /// Refuse a missing `iat`, or one more than `max_age` in the past or in the future.
    fn check_issued_at(&self, iat: Option<i64>) -> Result<(), WebhookError> {
        let now = unix_seconds((self.clock)());
        let iat = iat.ok_or_else(|| WebhookError::Stale("no iat claim".into()))?;
        let max = i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX);
        if now.saturating_sub(iat) > max {
            return Err(WebhookError::Stale(format!(
                "issued {} s ago, at most {max} s accepted",
                now.saturating_sub(iat)
            )));
        }
        if iat.saturating_sub(now) > max {
            return Err(WebhookError::Stale(format!(
                "issued {} s in the future",
                iat.saturating_sub(now)
            )));
        }
        Ok(())
    }

    /// The verifying key for `kid`, from the cache or from Plaid.
    async fn key(&self, kid: &str) -> Result<VerifyingKey, WebhookError> {
        let entry = match self.cached(kid) {
            Some(entry) => entry,
            None => self.fetch_once(kid).await?,
        };
        if let Some(expired_at) = entry.expired_at {
            return Err(WebhookError::ExpiredKey {
                kid: shown(kid),
                expired_at,
            });
        }
        entry.key.ok_or_else(|| WebhookError::InvalidKey {
            kid: shown(kid),
            reason: "not an EC P-256 ES256 key",
        })
    }

    /// A cached key that is still fresh.
    fn cached(&self, kid: &str) -> Option<CachedKey> {
        let now = (self.clock)();
        self.lock_keys().get(kid).cloned().filter(|c| {
            !c.stale && now.duration_since(c.fetched_at).unwrap_or_default() < KEY_CACHE_TTL
        })
    }

    /// Fetch `kid`'s key, one fetch per `kid` at a time: whoever waited for another's fetch
    /// finds its result in the caches.
    async fn fetch_once(&self, kid: &str) -> Result<CachedKey, WebhookError> {
        self.known_unknown(kid)?;
        let flight = {
            let mut flights = lock(&self.flights);
            flights.entry(kid.to_string()).or_default().clone()
        };
        let result = {
            let _turn = flight.lock().await;
            match self.cached(kid) {
                Some(entry) => Ok(entry),
                None => match self.known_unknown(kid) {
                    Err(e) => Err(e),
                    Ok(()) => self.fetch(kid).await,
                },
            }
        };
        let mut flights = lock(&self.flights);
        if flights.get(kid).is_some_and(|f| Arc::ptr_eq(f, &flight))
            && Arc::strong_count(&flight) <= 2
        {
            flights.remove(kid);
        }
        result
    }

    /// `Err(UnknownKey)` when Plaid said it does not know `kid` within [`UNKNOWN_KEY_TTL`].
    fn known_unknown(&self, kid: &str) -> Result<(), WebhookError> {
        let now = (self.clock)();
        let unknown = lock(&self.unknown);
        match unknown.get(kid) {
            Some(at) if now.duration_since(*at).unwrap_or_default() < UNKNOWN_KEY_TTL => {
                Err(WebhookError::UnknownKey { kid: shown(kid) })
            }
            _ => Ok(()),
        }
    }

    /// Count one fetch against the per-minute limit, or refuse it.
    fn take_fetch_slot(&self, kid: &str) -> Result<(), WebhookError> {
        let now = (self.clock)();
        let minute = Duration::from_secs(60);
        let mut fetched = lock(&self.fetched);
        while fetched
            .front()
            .is_some_and(|t| now.duration_since(*t).unwrap_or_default() >= minute)
        {
            fetched.pop_front();
        }
        if fetched.len() >= self.max_fetches_per_minute {
            return Err(WebhookError::KeyFetchLimited {
                kid: shown(kid),
                limit: self.max_fetches_per_minute,
            });
        }
        fetched.push_back(now);
        Ok(())
    }

    /// Ask Plaid for `kid`'s key (once: no retries) and cache what it says, known or unknown.
    async fn fetch(&self, kid: &str) -> Result<CachedKey, WebhookError> {
        self.take_fetch_slot(kid)?;
        let now = (self.clock)();
        let request = plaid_client::types::WebhookVerificationKeyGetRequest::new(kid);
        let sent = self.client.customize().no_retries().send(&request).await;
        let response = match sent {
            Ok(r) => r,
            Err(e) if e.error_code() == Some(&ErrorCode::InvalidWebhookVerificationKeyId) => {
                self.remember_unknown(kid, now);
                return Err(WebhookError::UnknownKey { kid: shown(kid) });
            }
            Err(e) => return Err(WebhookError::KeyFetch(e)),
        };
        let jwk = &response.key;
        if jwk.kid != kid {
            return Err(WebhookError::InvalidKey {
                kid: shown(kid),
                reason: "Plaid returned a key with another kid",
            });
        }
        let entry = CachedKey {
            key: parse_jwk(jwk).ok(),
            expired_at: jwk.expired_at,
            fetched_at: now,
            stale: false,
        };
        let mut keys = self.lock_keys();
        // A key we had never seen means a rotation: refresh the others before their next use.
        if !keys.contains_key(kid) {
            for c in keys.values_mut().filter(|c| c.expired_at.is_none()) {
                c.stale = true;
            }
        }
        keys.insert(kid.to_string(), entry.clone());
        Ok(entry)
    }

    fn remember_unknown(&self, kid: &str, now: SystemTime) {
        let mut unknown = lock(&self.unknown);
        if unknown.len() >= MAX_UNKNOWN_KEYS {
            unknown.retain(|_, at| now.duration_since(*at).unwrap_or_default() < UNKNOWN_KEY_TTL);
        }
        if unknown.len() >= MAX_UNKNOWN_KEYS {
            if let Some(oldest) = unknown
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(k, _)| k.clone())
            {
                unknown.remove(&oldest);
            }
        }
        unknown.insert(kid.to_string(), now);
    }

    fn lock_keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedKey>> {
        lock(&self.keys)
    }
}

/// A panic while holding one of the verifier's locks cannot leave its map inconsistent (every
/// write is a single insert, removal or flag), so a poisoned lock is safe to keep using.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A `kid` as an error may quote it: the sender chose it, so only its first characters.
fn shown(kid: &str) -> String {
    match kid.char_indices().nth(SHOWN_KEY_ID_CHARS) {
        Some((cut, _)) => format!("{}…", &kid[..cut]),
        None => kid.to_string(),
    }
}

/// A verified body as an event: typed when it matches its schema, else
/// [`WebhookEvent::Unknown`] with the body as received (JSON, or its text).
fn parse_verified(body: &[u8]) -> WebhookEvent {
    match WebhookEvent::from_json(body) {
        Ok(event) => event,
        Err(error) => {
            let value = serde_json::from_slice::<serde_json::Value>(body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(body).into_owned())
            });
            let field = |k: &str| {
                value
                    .get(k)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            tracing::warn!(%error, "a verified webhook matches no known schema; kept as Unknown");
            WebhookEvent::Unknown {
                webhook_type: field("webhook_type"),
                webhook_code: field("webhook_code"),
                body: value,
            }
        }
    }
}

fn parse_jwk(jwk: &plaid_client::types::JwkPublicKey) -> Result<VerifyingKey, &'static str> {
    if jwk.kty != "EC" || jwk.crv != "P-256" || jwk.alg != "ES256" {
        return Err("not an EC P-256 ES256 key");
    }
    let x = URL_SAFE_NO_PAD
        .decode(&jwk.x)
        .map_err(|_| "x is not base64url")?;
    let y = URL_SAFE_NO_PAD
        .decode(&jwk.y)
        .map_err(|_| "y is not base64url")?;
    if x.len() != 32 || y.len() != 32 {
        return Err("coordinates are not 32 bytes");
    }
    let point = p256::EncodedPoint::from_affine_coordinates(
        p256::FieldBytes::from_slice(&x),
        p256::FieldBytes::from_slice(&y),
        false,
    );
    VerifyingKey::from_encoded_point(&point).map_err(|_| "the point is not on P-256")
}

/// Decode one base64url JSON part of the token; `what` names it in errors.
fn decode_json<T: serde::de::DeserializeOwned>(
    part: &str,
    (not_base64, not_json): (&'static str, &'static str),
) -> Result<T, WebhookError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| WebhookError::MalformedToken(not_base64))?;
    serde_json::from_slice(&bytes).map_err(|_| WebhookError::MalformedToken(not_json))
}

const HEADER_PART: (&str, &str) = (
    "the header is not base64url",
    "the header is not a JSON object",
);
const PAYLOAD_PART: (&str, &str) = (
    "the payload is not base64url",
    "the payload is not a JSON object",
);

/// A compact JWS cut at its dots: `header.payload.signature`, each part still base64url.
struct CompactJws<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    /// `header.payload`: the bytes the signature covers.
    signing_input: &'a [u8],
}

impl<'a> CompactJws<'a> {
    /// The three parts of `token` (surrounding whitespace ignored), or `MalformedToken`.
    fn split(token: &'a str) -> Result<Self, WebhookError> {
        let token = token.trim();
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(WebhookError::MalformedToken(
                "expected three dot-separated parts",
            ));
        };
        let signing_input = &token.as_bytes()[..header.len() + 1 + payload.len()];
        Ok(Self {
            header,
            payload,
            signature,
            signing_input,
        })
    }
}

/// The `kid` a token header names, if the header says `alg: ES256` and the `kid` is one this
/// verifier looks up (not empty, at most [`MAX_KEY_ID_LEN`] characters).
fn es256_key_id(header: &str) -> Result<String, WebhookError> {
    let header: JoseHeader = decode_json(header, HEADER_PART)?;
    let alg = header.alg.unwrap_or_default();
    if alg != "ES256" {
        return Err(WebhookError::UnsupportedAlgorithm(alg));
    }
    let kid = header
        .kid
        .filter(|k| !k.is_empty())
        .ok_or(WebhookError::MissingKeyId)?;
    if kid.chars().count() > MAX_KEY_ID_LEN {
        return Err(WebhookError::MalformedToken("the key id (kid) is too long"));
    }
    Ok(kid)
}

/// The token's signature part as a 64-byte ES256 signature.
fn es256_signature(part: &str) -> Result<Signature, WebhookError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| WebhookError::MalformedToken("the signature is not base64url"))?;
    Signature::from_slice(&bytes)
        .map_err(|_| WebhookError::MalformedToken("the signature is not a 64-byte ES256 signature"))
}

/// Whether the signed `request_body_sha256` is the body's, compared in constant time (hex in
/// either case).
fn check_body_hash(expected: Option<&str>, body: &[u8]) -> Result<(), WebhookError> {
    let expected = expected.ok_or(WebhookError::BodyMismatch)?;
    let actual = request_body_sha256(body);
    if !bool::from(
        actual
            .as_bytes()
            .ct_eq(expected.to_ascii_lowercase().as_bytes()),
    ) {
        return Err(WebhookError::BodyMismatch);
    }
    Ok(())
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}
