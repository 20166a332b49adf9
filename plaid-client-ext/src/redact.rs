//! Keeping secrets out of `Debug`, `Display` and logs.
//!
//! Credentials (`client_id`, `secret`) live in [`Credential`], whose `Debug` never shows the value.
//! Text that comes from elsewhere (a response body quoted in an error, every text field of an
//! error object, a request id) goes through `Redactor::redact`, which blanks the configured
//! credentials, the credentials the request itself carried, anything shaped like a Plaid token
//! and the JSON value of every credential field. Which fields are credentials and how tokens
//! start is not decided here: both come from the generator's table
//! ([`plaid_client::redact`]), which also wrote the generated types' redacting `Debug` impls.

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

pub(crate) use plaid_client::redact::REDACTED;

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

    /// This redactor, also knowing the credentials `body` (a JSON request) carries in its
    /// credential fields: a server that echoes the request's own access token is blanked even
    /// where the token has no recognisable prefix.
    pub(crate) fn with_request(&self, body: &[u8]) -> Self {
        let mut known = self.known.clone();
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            collect_credentials(&value, &mut known);
        }
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
        known.dedup();
        Self { known }
    }

    /// `text` with credentials, token-shaped words and credential JSON values replaced.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for k in &self.known {
            if out.contains(k.as_str()) {
                out = out.replace(k.as_str(), REDACTED);
            }
        }
        out = redact_json_values(&out);
        redact_tokens(&out)
    }

    /// [`Self::redact`], then at most `max` characters ([`snippet`]): for every text a server
    /// supplied (request ids, codes, URLs, causes), which may be anything and any size. The
    /// input is first cut at a bound far above `max`, so a 50 MB value costs nothing more than
    /// a short one; a secret straddling that first cut is past `max` anyway.
    pub(crate) fn redact_capped(&self, text: &str, max: usize) -> String {
        let head = match text.char_indices().nth(max.saturating_mul(8).max(4096)) {
            Some((cut, _)) => &text[..cut],
            None => text,
        };
        snippet(&self.redact(head), max)
    }

    /// A JSON value from a server (`causes`, ...) as an error keeps it: every string redacted
    /// and capped at `max`, nesting cut at [`MAX_VALUE_DEPTH`], and everything charged to
    /// `budget`, so that however large or deep the value, what is kept (and its `Debug`) stays
    /// small. What is cut is replaced by a string that says how much was cut.
    pub(crate) fn redact_value(
        &self,
        value: &serde_json::Value,
        max: usize,
        budget: &mut ValueBudget,
        depth: usize,
    ) -> serde_json::Value {
        use serde_json::Value;
        budget.charge(NODE_COST);
        match value {
            Value::String(s) => {
                let kept = self.redact_capped(s, max);
                budget.charge(kept.len());
                Value::String(kept)
            }
            Value::Array(items) if depth >= MAX_VALUE_DEPTH => {
                Value::String(format!("[{} entries nested too deep]", items.len()))
            }
            Value::Object(map) if depth >= MAX_VALUE_DEPTH => {
                Value::String(format!("{{{} fields nested too deep}}", map.len()))
            }
            Value::Array(items) => {
                let mut kept = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if budget.spent() {
                        kept.push(Value::String(omitted(items.len() - i, "entries")));
                        break;
                    }
                    kept.push(self.redact_value(item, max, budget, depth + 1));
                }
                Value::Array(kept)
            }
            Value::Object(map) => self.redact_object(map, max, budget, depth),
            other => other.clone(),
        }
    }

    fn redact_object(
        &self,
        map: &serde_json::Map<String, serde_json::Value>,
        max: usize,
        budget: &mut ValueBudget,
        depth: usize,
    ) -> serde_json::Value {
        let mut kept = serde_json::Map::new();
        for (i, (key, value)) in map.iter().enumerate() {
            if budget.spent() {
                let rest = serde_json::Value::String(omitted(map.len() - i, "fields"));
                kept.insert("…".to_string(), rest);
                break;
            }
            let key = self.redact_capped(key, max);
            budget.charge(key.len());
            kept.insert(key, self.redact_value(value, max, budget, depth + 1));
        }
        serde_json::Value::Object(kept)
    }
}

/// How deep a server's JSON value is kept in an error; deeper levels are replaced by a count.
pub(crate) const MAX_VALUE_DEPTH: usize = 8;

/// What one JSON node costs in a [`ValueBudget`] besides its text: about what its `Debug`
/// (`Object {…}`, `Number(…)`) adds, so that the budget bounds the `Debug` of what is kept.
const NODE_COST: usize = 16;

/// How much of a server's JSON values one error may keep, in bytes of text plus
/// [`NODE_COST`] per node.
pub(crate) struct ValueBudget {
    left: usize,
}

impl ValueBudget {
    /// A budget of `bytes`.
    pub(crate) fn new(bytes: usize) -> Self {
        Self { left: bytes }
    }

    fn charge(&mut self, bytes: usize) {
        self.left = self.left.saturating_sub(bytes);
    }

    /// Whether nothing more may be kept.
    pub(crate) fn spent(&self) -> bool {
        self.left == 0
    }
}

/// The marker for `n` entries or fields that were cut.
pub(crate) fn omitted(n: usize, what: &str) -> String {
    format!("… {n} more {what} omitted")
}

/// The string values of credential fields anywhere in `value`.
fn collect_credentials(value: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if is_credential_field(k) {
                    let strings: Vec<&str> = match v {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        _ => Vec::new(),
                    };
                    out.extend(
                        strings
                            .into_iter()
                            .filter(|s| s.len() >= 4)
                            .map(str::to_string),
                    );
                }
                collect_credentials(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_credentials(v, out)),
        _ => {}
    }
}

/// Whether a JSON key is the wire name of a credential field (the generator's table).
fn is_credential_field(key: &str) -> bool {
    plaid_client::redact::CREDENTIAL_FIELDS.contains(&key)
}

/// The length of the JSON string literal at the start of `text` (which starts with `"`), up to
/// and including its closing quote; `None` when it is not closed (a cut snippet).
fn string_literal_len(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// `"access_token": "…"` → `"access_token": "[redacted]"`, and every string of
/// `"public_tokens": ["…", "…"]`, for every credential field name of the generator's table. A
/// value cut off by the end of the text (a snippet) is blanked to the end.
fn redact_json_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let Some(len) = string_literal_len(rest) else {
            break;
        };
        let key = &rest[1..len - 1];
        out.push_str(&rest[..len]);
        rest = &rest[len..];
        let after_colon = match rest.trim_start().strip_prefix(':') {
            Some(v) if is_credential_field(key) => v.trim_start(),
            _ => continue,
        };
        out.push_str(&rest[..rest.len() - after_colon.len()]);
        rest = after_colon;
        if rest.starts_with('"') {
            out.push('"');
            out.push_str(REDACTED);
            match string_literal_len(rest) {
                Some(n) => {
                    out.push('"');
                    rest = &rest[n..];
                }
                None => return out,
            }
        } else if rest.starts_with('[') {
            let end = array_len(rest).unwrap_or(rest.len());
            out.push_str(&blank_strings(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The length of the JSON array at the start of `text` (strings skipped whole), or `None` if it
/// is not closed.
fn array_len(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next()?;
        match c {
            '"' => {
                i += string_literal_len(rest)?;
                continue;
            }
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += c.len_utf8();
    }
    None
}

/// Every string literal in `text` replaced by `"[redacted]"` (an unclosed one to the end).
fn blank_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        out.push('"');
        out.push_str(REDACTED);
        rest = &rest[start..];
        match string_literal_len(rest) {
            Some(n) => {
                out.push('"');
                rest = &rest[n..];
            }
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Words that start like a Plaid token (the spec's own examples give the prefixes:
/// `access-sandbox-…`, `public-production-…`) and hold more than the prefix.
fn redact_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let looks_like_token = plaid_client::redact::TOKEN_PREFIXES
            .iter()
            .any(|p| word.len() > p.len() && word.starts_with(p));
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
    fn blanks_arrays_cut_values_and_what_the_request_carried() {
        let r = Redactor::new(&[]);
        let out = r.redact(
            r#"{"public_tokens": ["public-sandbox-1x", "p2"], "n": ["keep"], "subject_token": "pda-\"x"}"#,
        );
        assert_eq!(
            out,
            r#"{"public_tokens": ["[redacted]", "[redacted]"], "n": ["keep"], "subject_token": "[redacted]"}"#
        );
        assert_eq!(
            r.redact(r#"{"access_token": "access-sandbo"#),
            r#"{"access_token": "[redacted]"#
        );
        // A token without a known prefix, echoed by a server: blanked because the request
        // carried it in a credential field.
        let echoed = r#"{"request_id": "pdr--viXurkDg88d5zf8 was refused"}"#;
        assert_eq!(r.redact(echoed), echoed);
        let per_request = r.with_request(br#"{"refresh_token": "pdr--viXurkDg88d5zf8"}"#);
        assert!(!per_request.redact(echoed).contains("viXurk"));
    }

    #[test]
    fn server_texts_are_capped_after_redaction() {
        let r = Redactor::new(&[&Credential::new("shh-secret-456")]);
        let huge = format!("{}shh-secret-456", "x".repeat(95));
        let out = r.redact_capped(&huge, 100);
        assert!(!out.contains("shh-secret"), "{out}");
        assert_eq!(out.chars().count(), 101, "{out}");
        let out = r.redact_capped(&"y".repeat(50_000_000), 100);
        assert_eq!(out.chars().count(), 101);
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
