//! The answers of every operation the emulator does not emulate (issue 30, item 4): the spec's
//! example response, or where the spec has none a body synthesized from the response type's
//! JSON Schema (`synthesize.rs`); with the request's Item substituted wherever the answer names
//! it (`item_substitution.rs`) and a `GET` operation's path parameters where the answer has
//! them; then decoded into the generated response type and serialized by it (as the typed
//! mocks do). The binary operations answer a document of their declared type
//! (`documents.rs`).

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use plaid_client::mock::example;
use plaid_client::operations as op;
use plaid_client::{JsonOperation, JsonOperationVisitor, Operation};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::documents;
use super::item_substitution::{substitute, ItemView};
use super::schema_check::schema_of;
use super::synthesize::synthesize;
use crate::model::plaid_error::PlaidError;

/// A successful answer's body and how it is sent.
pub(crate) struct Body {
    /// The bytes sent.
    pub(crate) bytes: Vec<u8>,
    /// Its `Content-Type`; `None` for an answer without content.
    pub(crate) content_type: Option<&'static str>,
    /// `Plaid-Content-Hash`, the SHA-256 of a statement (docs, `/statements/download`: "The
    /// response will contain a Plaid-Content-Hash header containing a SHA 256 checksum").
    pub(crate) content_hash: Option<String>,
}

impl Body {
    /// A JSON body.
    pub(crate) fn json(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            content_type: Some("application/json"),
            content_hash: None,
        }
    }
}

/// What the request an answer is made for says: its Item, its path's parameters.
#[derive(Default)]
pub(crate) struct Context {
    /// The Item the request's `access_token` names, if it names one.
    pub(crate) item: Option<ItemView>,
    /// A templated path's parameters (`recipientId` of `/fdx/recipient/{recipientId}`).
    pub(crate) params: Vec<(&'static str, String)>,
}

/// Every JSON operation's fallback answer, by path.
pub(crate) struct Examples {
    by_path: HashMap<&'static str, Fallback>,
}

/// One operation's fallback: the body it starts from, made on first use and kept, and the
/// generated response type that checks and serializes every answer.
struct Fallback {
    start: fn() -> Value,
    made: OnceLock<Value>,
    finish: fn(Value) -> Result<Vec<u8>, PlaidError>,
}

impl Examples {
    /// Every JSON operation of the generated client; nothing is decoded until asked for.
    pub(crate) fn collect() -> Self {
        struct Collect(HashMap<&'static str, Fallback>);
        impl JsonOperationVisitor for Collect {
            fn visit<O: JsonOperation>(&mut self) {
                let fallback = Fallback {
                    start: start::<O>,
                    made: OnceLock::new(),
                    finish: typed::<O>,
                };
                self.0.insert(O::PATH, fallback);
            }
        }
        let mut collect = Collect(HashMap::new());
        plaid_client::operations::visit_json(&mut collect);
        Self { by_path: collect.0 }
    }

    /// The answer of the JSON operation at `path` (its template) for a request with `context`
    /// and `request_id`. An operation whose response has no content (`/fdx/notifications`)
    /// answers an empty body, as its spec declares.
    pub(crate) fn answer(
        &self,
        path: &str,
        context: &Context,
        request_id: &str,
    ) -> Result<Body, PlaidError> {
        let fallback = self.by_path.get(path).ok_or_else(PlaidError::not_found)?;
        let mut answer = fallback.made.get_or_init(fallback.start).clone();
        if answer.is_null() {
            return Ok(Body {
                bytes: Vec::new(),
                content_type: None,
                content_hash: None,
            });
        }
        if let Some(item) = &context.item {
            substitute(&mut answer, item);
        }
        with_params(&mut answer, &context.params);
        if let Value::Object(fields) = &mut answer {
            fields.insert("request_id".into(), Value::String(request_id.into()));
        }
        (fallback.finish)(answer).map(Body::json)
    }
}

/// The body `O` starts from: the spec's example, else one synthesized from its schema.
fn start<O: JsonOperation>() -> Value {
    example_value::<O>().unwrap_or_else(|_| synthesize(&schema_of::<O::Response>()))
}

/// A path parameter's value wherever the answer has a key of its name, as written or in
/// snake case (`recipientId` is the answer's `recipient_id`), and a `…Id` parameter's as the
/// answer's own `id` (`/fdx/consents/{consentId}` answers the consent).
fn with_params(answer: &mut Value, params: &[(&str, String)]) {
    fn walk(value: &mut Value, names: &[&str; 2], text: &str) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields.iter_mut() {
                    if names.contains(&key.as_str()) && value.is_string() {
                        *value = Value::String(text.to_string());
                    } else {
                        walk(value, names, text);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, names, text)),
            _ => {}
        }
    }
    for (name, text) in params {
        let snake: String = name
            .chars()
            .flat_map(|c| match c.is_ascii_uppercase() {
                true => vec!['_', c.to_ascii_lowercase()],
                false => vec![c],
            })
            .collect();
        walk(answer, &[name, &snake], text);
        if let (true, Some(id)) = (name.ends_with("Id"), answer.get_mut("id")) {
            if id.is_string() {
                *id = Value::String(text.clone());
            }
        }
    }
}

/// The document a binary operation answers: a one-page PDF naming the operation, or for the
/// one whose spec declares `application/zip` (`/income/verification/documents/download`) a
/// ZIP holding such a PDF; `/statements/download` also sends its `Plaid-Content-Hash`.
pub(crate) fn document(operation_id: &str, path: &str) -> Body {
    let text = format!("Plaid emulator: {operation_id} ({path})");
    let pdf = documents::pdf(&text);
    if path == op::IncomeVerificationDocumentsDownload::PATH {
        return Body {
            bytes: documents::zip(&[("income_document.pdf", &pdf)]),
            content_type: Some("application/zip"),
            content_hash: None,
        };
    }
    let hash = (path == op::StatementsDownload::PATH).then(|| hex(&Sha256::digest(&pdf)));
    Body {
        bytes: pdf,
        content_type: Some("application/pdf"),
        content_hash: hash,
    }
}

/// Lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `value` decoded into `O`'s generated response type and serialized by it: the body of every
/// emulated answer, so it conforms to the pinned spec by construction.
/// A value that does not fit is the emulator's own bug: `INTERNAL_SERVER_ERROR`, naming it.
pub(crate) fn typed<O: JsonOperation>(value: serde_json::Value) -> Result<Vec<u8>, PlaidError> {
    let broken = |e: serde_json::Error| PlaidError::internal(&format!("{}: {e}", O::OPERATION_ID));
    let typed: O::Response = serde_json::from_value(value).map_err(broken)?;
    // With the keys the published spec requires and the type may omit (`conform.rs`).
    super::conform::body::<O>(&typed).map_err(broken)
}

/// The spec's example of `O` as JSON, for an emulated answer to start from. Decoded once per
/// operation and process, then cloned: emulated answers start from it on every request.
pub(crate) fn example_value<O: JsonOperation>() -> Result<serde_json::Value, PlaidError> {
    type Cache = RwLock<HashMap<&'static str, serde_json::Value>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let read = cache
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(value) = read.get(O::OPERATION_ID) {
        return Ok(value.clone());
    }
    drop(read);
    let typed = example::<O>().map_err(|e| PlaidError::internal(&e.to_string()))?;
    let value = serde_json::to_value(&typed).map_err(|e| PlaidError::internal(&e.to_string()))?;
    cache
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(O::OPERATION_ID, value.clone());
    Ok(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_json_operation_answers_a_body_its_type_reads() {
        let examples = Examples::collect();
        let mut broken = Vec::new();
        for path in examples.by_path.keys() {
            let params = vec![("recipientId", "r-1".to_string())];
            let context = Context { item: None, params };
            if let Err(e) = examples.answer(path, &context, "req-1") {
                broken.push(format!("{path}: {}", e.message));
            }
        }
        assert!(examples.by_path.len() > 300, "{}", examples.by_path.len());
        assert!(broken.is_empty(), "{}", broken.join("\n"));
    }

    #[test]
    fn a_path_parameter_is_the_answers_key_of_its_name_and_its_id() {
        let mut answer = json!({"id": "x", "nested": {"recipientId": "y", "recipient_id": "z"}});
        with_params(&mut answer, &[("recipientId", "r-9".into())]);
        let nested = json!({"recipientId": "r-9", "recipient_id": "r-9"});
        assert_eq!(answer, json!({"id": "r-9", "nested": nested}));
    }

    #[test]
    fn a_statement_carries_the_sha256_of_its_bytes() {
        let body = document("statementsDownload", op::StatementsDownload::PATH);
        assert_eq!(body.content_type, Some("application/pdf"));
        assert_eq!(body.content_hash, Some(hex(&Sha256::digest(&body.bytes))));
        let zip = document("x", op::IncomeVerificationDocumentsDownload::PATH);
        assert_eq!(zip.content_type, Some("application/zip"));
    }
}
