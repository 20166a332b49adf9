//! Helpers for text a server sent: decoding with the failing path named, headers, the
//! request id of a body, error chains, and capping quoted values in decoder messages.

use reqwest::header::HeaderMap;

/// `text` with every double-quoted value longer than `max` characters cut to `max` (marked):
/// serde quotes the whole offending string in its messages (`invalid type: string "…"`), which
/// for a 50 MB string where an array belongs would be a 50 MB error message.
pub(super) fn cap_quoted(text: &str, max: usize) -> String {
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
pub(super) fn decode<T: serde::de::DeserializeOwned>(bytes: &bytes::Bytes) -> Result<T, String> {
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

pub(super) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The top-level `request_id` of a JSON body, found without decoding the body twice: the first
/// `"request_id":"…"` pair. Used for tracing and errors only.
pub(super) fn body_request_id(bytes: &[u8]) -> Option<String> {
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
pub(super) fn error_chain(e: &reqwest::Error) -> String {
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
