//! Derived values: a short hex digest of their parts, so ids, tokens, cursors and amounts are
//! the same for the same seed.

/// A short hex digest of `parts`: derived ids, cursors and amounts, the same for the same seed.
pub(crate) fn digest(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A derived id in a UUID's 8-4-4-4-12 form (as Plaid's Sandbox tokens and ids have it), from
/// two digests of `parts` and `second`.
pub(crate) fn uuid(parts: &[&str], second: &[&str]) -> String {
    let d = digest(parts) + &digest(second);
    format!(
        "{}-{}-{}-{}-{}",
        &d[..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    )
}
