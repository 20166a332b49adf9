//! What webhook signing and verification share: the hash of the raw body that Plaid signs
//! (docs: `api-webhooks-webhook-verification.txt`, the `request_body_sha256` claim).
//! `plaid-client-ext`'s `WebhookVerifier` checks the claim against [`request_body_sha256`];
//! the signer (`webhook_signer.rs`, feature `webhook-signer`) writes it with the same function.

/// The lowercase hex SHA-256 of a webhook's raw body: the `request_body_sha256` claim of its
/// `Plaid-Verification` JWT.
///
/// ```
/// use plaid_client::webhooks::request_body_sha256;
///
/// // FIPS 180-2's known answer for "abc".
/// assert_eq!(
///     request_body_sha256(b"abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn request_body_sha256(body: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
