//! Signing webhooks as Plaid signs them (feature `webhook-signer`, on with `mock`), so that a
//! test can send genuine webhooks to its own endpoint, and serve the key that verifies them.
//! plaid-emulator signs with it; `plaid-client-ext` re-exports it (its feature `testing`).
//!
//! Plaid's scheme (docs: `api-webhooks-webhook-verification.txt`): the `Plaid-Verification`
//! header is a compact JWS with header `{"alg": "ES256", "kid": …, "typ": "JWT"}` and payload
//! `{"iat": <unix seconds>, "request_body_sha256": <hex SHA-256 of the raw body>}`, signed with
//! ECDSA P-256/SHA-256; `/webhook_verification_key/get` returns the public key as a JWK.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use super::webhooks::request_body_sha256;

/// When the keys this signer serves say they were created (`created_at`, unix seconds): the
/// date in Plaid's own example of `/webhook_verification_key/get`.
const CREATED_AT: i64 = 1_560_466_150;

/// An ES256 webhook signing key with its `kid`: signs bodies into `Plaid-Verification` JWTs
/// and gives the JWK that `/webhook_verification_key/get` answers with.
///
/// Its `Debug` shows the `kid` only, never the private key.
///
/// ```
/// use plaid_client::webhooks::WebhookSigner;
///
/// let signer = WebhookSigner::from_seed(b"my test", "kid-1");
/// let body = br#"{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE"}"#;
/// let jwt = signer.sign(body, 1_700_000_000);
/// assert_eq!(jwt.split('.').count(), 3);
/// // What your key endpoint (or a mock of Plaid) answers for `kid-1`:
/// let response = signer.key_response("request-1");
/// assert_eq!(response["key"]["kid"], "kid-1");
/// assert_eq!(response["key"]["alg"], "ES256");
/// ```
#[derive(Clone)]
pub struct WebhookSigner {
    key: SigningKey,
    kid: String,
    expired_at: Option<i64>,
}

impl std::fmt::Debug for WebhookSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSigner")
            .field("kid", &self.kid)
            .field("expired_at", &self.expired_at)
            .finish_non_exhaustive()
    }
}

impl WebhookSigner {
    /// A fresh random key (from the operating system's generator) named `kid`.
    pub fn random(kid: impl Into<String>) -> Self {
        Self::with_key(SigningKey::random(&mut rand_core::OsRng), kid)
    }

    /// The same key for the same `seed`, every run: for deterministic tests and recorded
    /// fixtures. The private key is derived from the seed's SHA-256; a test key only.
    pub fn from_seed(seed: &[u8], kid: impl Into<String>) -> Self {
        use sha2::Digest;
        let mut material = sha2::Sha256::digest(seed);
        // A digest is a valid P-256 scalar unless it is zero or above the group order, which
        // happens with probability about 2^-32; hashing again finds one.
        loop {
            if let Ok(key) = SigningKey::from_bytes(&material) {
                return Self::with_key(key, kid);
            }
            material = sha2::Sha256::digest(material);
        }
    }

    fn with_key(key: SigningKey, kid: impl Into<String>) -> Self {
        Self {
            key,
            kid: kid.into(),
            expired_at: None,
        }
    }

    /// The same key, served as expired since `expired_at` (unix seconds): Plaid sets
    /// `expired_at` on a rotated-out key, and a verifier must then refuse its signatures.
    pub fn expired_at(mut self, expired_at: Option<i64>) -> Self {
        self.expired_at = expired_at;
        self
    }

    /// The key's id, the `kid` of every JWT it signs.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as Plaid's JWK (the `key` of `/webhook_verification_key/get`).
    pub fn jwk(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        let coordinate = |c: Option<&p256::FieldBytes>| c.map(|b| URL_SAFE_NO_PAD.encode(b));
        json!({"alg": "ES256", "created_at": CREATED_AT, "crv": "P-256",
            "expired_at": self.expired_at, "kid": self.kid, "kty": "EC", "use": "sig",
            "x": coordinate(point.x()), "y": coordinate(point.y())})
    }

    /// The whole body `/webhook_verification_key/get` answers with for this key.
    pub fn key_response(&self, request_id: &str) -> Value {
        json!({"key": self.jwk(), "request_id": request_id})
    }

    /// The claims Plaid signs for `body` at `iat` (unix seconds).
    pub fn claims(body: &[u8], iat: u64) -> Value {
        json!({"iat": iat, "request_body_sha256": request_body_sha256(body)})
    }

    /// The `Plaid-Verification` JWT for `body`, issued at `iat` (unix seconds).
    pub fn sign(&self, body: &[u8], iat: u64) -> String {
        self.sign_claims(&self.header(), &Self::claims(body, iat))
    }

    /// [`Self::sign`] issued now.
    pub fn sign_now(&self, body: &[u8]) -> String {
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.sign(body, iat)
    }

    /// The JWT header Plaid uses for this key.
    pub fn header(&self) -> Value {
        json!({"alg": "ES256", "kid": self.kid, "typ": "JWT"})
    }

    /// A compact ES256 JWS of any `header` and `claims`, signed with this key: for tests that
    /// check what a verifier refuses (another `alg`, a stale `iat`, a wrong body hash).
    pub fn sign_claims(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// Headers carrying `Plaid-Verification` for `body` signed at `iat`, ready for
    /// `plaid-client-ext`'s `WebhookVerifier::verify` or an HTTP POST to your endpoint.
    pub fn headers(&self, body: &[u8], iat: u64) -> HeaderMap {
        let mut headers = HeaderMap::new();
        // A JWT is base64url and dots: always a valid header value.
        if let Ok(value) = HeaderValue::from_str(&self.sign(body, iat)) {
            headers.insert("plaid-verification", value);
        }
        headers
    }
}
