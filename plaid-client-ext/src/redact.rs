//! Keeping secrets out of `Debug`, `Display` and logs.
//!
//! Credentials (`client_id`, `secret`) live in [`Credential`], whose `Debug` never shows the value.
//! Text that comes from elsewhere (a response body quoted in an error) goes through
//! [`Redactor::redact`], which blanks the configured credentials and anything shaped like a
//! Plaid token (`access-sandbox-…`, `public-production-…`) or a JSON `access_token`/`secret`/
//! `client_id` value.

use std::fmt;

/// A credential. Its `Debug` and `Display` print `[redacted]`; [`Credential::expose`] is the only
/// way to the value.
///
/// ```
/// use plaid_client_ext::Credential;
///
/// let s = Credential::new("sk-very-secret");
/// assert_eq!(format!("{s:?}"), "Credential([redacted])");
/// assert_eq!(s.expose(), "sk-very-secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(String);

impl Credential {
    /// Wrap a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for sending it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential([redacted])")
    }
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

pub(crate) const REDACTED: &str = "[redacted]";

/// Prefixes of Plaid's bearer tokens (`access-sandbox-…`, `public-production-…`, …).
const TOKEN_PREFIXES: &[&str] = &[
    "access-",
    "public-",
    "link-",
    "processor-",
    "user-",
    "transfer-intent-",
];

/// JSON keys whose string values are credentials.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "secret",
    "client_id",
    "public_token",
    "processor_token",
];

/// Blanks known secrets out of text.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    known: Vec<String>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.known.len())
    }
}

impl Redactor {
    pub(crate) fn new(secrets: &[&Credential]) -> Self {
        Self {
            known: secrets
                .iter()
                .map(|s| s.expose().to_string())
                .filter(|s| s.len() >= 4)
                .collect(),
        }
    }

    /// `text` with credentials, token-shaped words and secret JSON values replaced.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for k in &self.known {
            out = out.replace(k.as_str(), REDACTED);
        }
        out = redact_json_values(&out);
        redact_tokens(&out)
    }
}

/// `"access_token": "…"` → `"access_token": "[redacted]"` (also for the other secret keys).
fn redact_json_values(text: &str) -> String {
    let mut out = text.to_string();
    for key in SECRET_KEYS {
        let needle = format!("\"{key}\"");
        let mut from = 0;
        while let Some(pos) = out[from..].find(&needle) {
            let after_key = from + pos + needle.len();
            let rest = &out[after_key..];
            let trimmed = rest.trim_start_matches([' ', ':', '\t']);
            let skipped = rest.len() - trimmed.len();
            if rest[..skipped].contains(':') && trimmed.starts_with('"') {
                let value_start = after_key + skipped + 1;
                let value_end = out[value_start..]
                    .find('"')
                    .map(|e| value_start + e)
                    .unwrap_or(out.len());
                out.replace_range(value_start..value_end, REDACTED);
                from = value_start + REDACTED.len();
            } else {
                from = after_key;
            }
        }
    }
    out
}

/// Words that start like a Plaid token and are long enough to be one.
fn redact_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let looks_like_token =
            word.len() >= 20 && TOKEN_PREFIXES.iter().any(|p| word.starts_with(p));
        out.push_str(if looks_like_token { REDACTED } else { word });
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// At most `max` characters of `text`, cut at a character boundary, marked when cut.
pub(crate) fn snippet(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_known_secrets_tokens_and_secret_json_values() {
        let r = Redactor::new(&[
            &Credential::new("my-client-id-123"),
            &Credential::new("shh-secret-456"),
        ]);
        let body = r#"{"client_id": "my-client-id-123", "note": "shh-secret-456 leaked", "access_token": "whatever", "t": "access-sandbox-8ab976e6-64bc-4b38-98f7-731e7a349970"}"#;
        let out = r.redact(body);
        for s in [
            "my-client-id-123",
            "shh-secret-456",
            "whatever",
            "access-sandbox-8ab976e6",
        ] {
            assert!(!out.contains(s), "{s} in {out}");
        }
        assert!(out.contains("\"note\": \"[redacted] leaked\""), "{out}");
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        let r = Redactor::new(&[]);
        let text = "<html><body>502 Bad Gateway: upstream access- denied</body></html>";
        assert_eq!(r.redact(text), text);
    }

    #[test]
    fn snippets_cut_on_char_boundaries() {
        assert_eq!(snippet("héllo wörld", 5), "héllo…");
        assert_eq!(snippet("a\nb", 10), "a b");
    }
}
