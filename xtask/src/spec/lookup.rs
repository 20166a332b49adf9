//! Reading the spec document: `$ref`s, operations, request properties and response examples.
//! Every stage reads the spec through these, so none of them depends on another for it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// Whether a key of a path item is an HTTP method (rather than `parameters`, `summary`, ...).
fn is_http_method(m: &str) -> bool {
    matches!(
        m,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// One operation of the spec: the object at `paths.<path>.<method>`.
pub struct OperationRef<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub op: &'a Value,
}

/// Every operation of the spec (`paths` × HTTP methods), in document order. Every stage walks
/// the operations through this (or [`operations_mut`]), never `paths` by hand.
pub fn operations(doc: &Value) -> impl Iterator<Item = OperationRef<'_>> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(method, _)| is_http_method(method))
                .map(move |(method, op)| OperationRef { path, method, op })
        })
}

/// A path item, split for repairs: its own `parameters`, and its operation objects by method
/// (operations that are not objects are skipped: there is nothing to repair in them).
pub struct PathItemMut<'a> {
    pub parameters: Option<&'a mut Value>,
    pub operations: Vec<(&'a str, &'a mut Map<String, Value>)>,
}

/// Split a path item (`paths.<path>`) into its parameters and its operations.
pub fn split_path_item(item: &mut Value) -> PathItemMut<'_> {
    let mut split = PathItemMut {
        parameters: None,
        operations: Vec::new(),
    };
    for (key, entry) in item.as_object_mut().into_iter().flatten() {
        if key == "parameters" {
            split.parameters = Some(entry);
        } else if is_http_method(key) {
            if let Some(op) = entry.as_object_mut() {
                split.operations.push((key.as_str(), op));
            }
        }
    }
    split
}

/// Every operation object of the spec, mutably, with its path and method.
pub fn operations_mut(
    doc: &mut Value,
) -> impl Iterator<Item = (&str, &str, &mut Map<String, Value>)> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            let ops = split_path_item(item).operations;
            ops.into_iter()
                .map(move |(method, op)| (path.as_str(), method, op))
        })
}

/// Follow local `$ref`s.
pub fn deref<'a>(spec: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(ptr) => match spec.pointer(ptr) {
                Some(target) => v = target,
                None => return v,
            },
            None => return v,
        }
    }
    v
}

/// The JSON request body schema of an operation, resolved.
pub fn request_schema<'a>(spec: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let body = deref(spec, op.get("requestBody")?);
    let schema = body.pointer("/content/application~1json/schema")?;
    Some(deref(spec, schema))
}

/// The operation object at `path` and `method` (any case) of `spec`.
pub fn spec_operation<'a>(spec: &'a Value, path: &str, method: &str) -> Option<&'a Value> {
    spec.pointer(&format!(
        "/paths/{}/{}",
        super::pointer_escape(path),
        method.to_ascii_lowercase()
    ))
}

/// A named property of the operation's request body (looking through `allOf`), resolved, and
/// whether it is required.
pub fn request_property<'a>(
    spec: &'a Value,
    op: &'a Value,
    name: &str,
) -> Option<(&'a Value, bool)> {
    let schema = request_schema(spec, op)?;
    find_property(spec, schema, name, 0)
}

fn find_property<'a>(
    spec: &'a Value,
    schema: &'a Value,
    name: &str,
    depth: u8,
) -> Option<(&'a Value, bool)> {
    if depth > 8 {
        return None;
    }
    if let Some(p) = schema.get("properties").and_then(|p| p.get(name)) {
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == name));
        return Some((deref(spec, p), required));
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|m| find_property(spec, deref(spec, m), name, depth + 1))
}

/// The names a schema object lists in `required` (none when it has no such list).
pub fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Whether `s` is a non-empty `SCREAMING_SNAKE` literal (upper-case letters, digits, `_`), the
/// form of Plaid's webhook types and codes and of its error types and codes.
pub fn is_screaming_snake(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The header names of the spec's `apiKey` security schemes carried in a header
/// (`PLAID-CLIENT-ID`, `PLAID-SECRET`, `Plaid-Version`), sorted.
pub fn api_key_headers(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, s)| {
            s.get("type") == Some(&json!("apiKey")) && s.get("in") == Some(&json!("header"))
        })
        .filter_map(|(_, s)| s.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    out.sort();
    out
}

/// The environment names of the spec's `servers` (the first label of each host:
/// `https://sandbox.plaid.com` → `sandbox`), sorted.
pub fn server_environments(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url").and_then(Value::as_str))
        .filter_map(|url| {
            let host = url.split("://").nth(1)?.split(['/', ':']).next()?;
            host.split('.').next().map(str::to_ascii_lowercase)
        })
        .filter(|label| !label.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every string value of the document under an object key for which `key` holds (array
/// members included), wherever it sits: schemas' examples, response examples, descriptions'
/// neighbours.
pub fn strings_under_keys<'a>(doc: &'a Value, key: &dyn Fn(&str) -> bool) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if key(k) {
                        match child {
                            Value::String(s) => out.push(s.as_str()),
                            Value::Array(items) => {
                                out.extend(items.iter().filter_map(Value::as_str));
                            }
                            _ => {}
                        }
                    }
                    stack.push(child);
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// The responses of an operation that have a JSON body: `(status key, application/json media
/// object)`.
pub fn json_responses(op: &Value) -> impl Iterator<Item = (&str, &Value)> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(code, resp)| {
            Some((code.as_str(), resp.pointer("/content/application~1json")?))
        })
}

/// Every JSON response example of every operation: `{endpoint, status, name, example}`.
/// Error examples under `default` or a range are given status 400.
pub fn spec_examples(doc: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for OperationRef { path, method, op } in operations(doc) {
        for (code, media) in json_responses(op) {
            let status: u16 = code.parse().unwrap_or(400);
            let op_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or(path);
            if let Some(ex) = media.get("example") {
                out.push(json!({"endpoint": path, "method": method, "status": status,
                    "name": format!("{op_id} {code} example"), "example": ex}));
            }
            for (name, ex) in media
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(v) = ex.get("value") {
                    out.push(json!({"endpoint": path, "method": method, "status": status,
                        "name": format!("{op_id} {code} {name}"), "example": v}));
                }
            }
        }
    }
    out
}

/// Add to `seen` every component schema `v` refers to, directly or through other components
/// (examples are data, not followed).
pub fn reach(doc: &Value, v: &Value, seen: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                if seen.insert(name.to_string()) {
                    if let Some(target) = doc.pointer(&format!("/components/schemas/{name}")) {
                        reach(doc, target, seen);
                    }
                }
                return;
            }
            for (k, child) in map {
                if k != "example" && k != "examples" {
                    reach(doc, child, seen);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| reach(doc, i, seen)),
        _ => {}
    }
}

/// The literal value of a `webhook_type`/`webhook_code` property: a one-value enum or, more
/// often in Plaid's spec, a description that is just the value in backticks.
pub fn webhook_literal(prop: &Value) -> Option<String> {
    if let Some([Value::String(v)]) = prop
        .get("enum")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return Some(v.clone());
    }
    let d = prop.get("description")?.as_str()?.trim();
    let inner = d.strip_prefix('`')?.strip_suffix('`')?.trim_matches('"');
    is_screaming_snake(inner).then(|| inner.to_string())
}

/// Whether a component schema is a webhook body: it has both a `webhook_type` and a
/// `webhook_code` property (how Plaid's spec describes each webhook; the webhooks table reads
/// their literals).
pub fn is_webhook_schema(schema: &Value) -> bool {
    let props = schema.get("properties");
    props.and_then(|p| p.get("webhook_type")).is_some()
        && props.and_then(|p| p.get("webhook_code")).is_some()
}

/// How the spec uses one component schema: whether it is reachable from a request body, from a
/// response, from a webhook, from nothing at all, and whether a caller only ever *sends* it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaUse {
    /// Reachable from some operation's request body.
    pub in_requests: bool,
    /// Reachable from some operation's responses.
    pub in_responses: bool,
    /// Reachable from a webhook body ([`is_webhook_schema`]), the webhook itself included.
    pub in_webhooks: bool,
    /// An *orphan*: reachable from no request body, no response and no webhook. It is generated
    /// all the same (a caller may build one by hand), and nothing Plaid sends decodes into it.
    pub orphan: bool,
    /// Reachable from an orphan (the orphan itself included).
    pub from_orphans: bool,
    /// Only ever sent: reachable from a request body, and from nothing else: no response, and no
    /// component outside the request bodies' reach (a webhook body, an unused schema).
    pub only_sent: bool,
}

impl SchemaUse {
    /// Whether this is a schema only a caller builds: reachable from a request body or from an
    /// orphan, and from no response and no webhook. Nothing received decodes into it, so what
    /// it holds is only ever what the caller puts there to send.
    pub fn built_by_caller(&self) -> bool {
        (self.in_requests || self.from_orphans) && !self.in_responses && !self.in_webhooks
    }
}

/// The one answer to "is this schema sent or received?": every component schema of `doc` with
/// its [`SchemaUse`].
///
/// The generated client gives the only-sent types constructors and closes them to struct
/// literals (`codegen::passes::constructors`, which applies the same rule to the Rust types),
/// so `spec diff` can tell which added fields break a caller. Where the two readings differ,
/// this one is the stricter: a component merged into a received one through `allOf` counts as
/// received here, while typify copies its fields and leaves its Rust type sent-only (on
/// 1.697.4: `Scopes`, through `ScopesNullable`).
pub fn schema_uses(doc: &Value) -> BTreeMap<String, SchemaUse> {
    let mut sent = BTreeSet::new();
    let mut from_responses = BTreeSet::new();
    for OperationRef { op, .. } in operations(doc) {
        if let Some(body) = op.get("requestBody") {
            reach(doc, body, &mut sent);
        }
        if let Some(responses) = op.get("responses") {
            reach(doc, responses, &mut from_responses);
        }
    }
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut from_webhooks = BTreeSet::new();
    for (name, schema) in components.into_iter().flatten() {
        if is_webhook_schema(schema) && from_webhooks.insert(name.clone()) {
            reach(doc, schema, &mut from_webhooks);
        }
    }
    let is_orphan = |name: &String| {
        !sent.contains(name) && !from_responses.contains(name) && !from_webhooks.contains(name)
    };
    let mut received = from_responses.clone();
    let mut from_orphans = BTreeSet::new();
    for (name, schema) in components.into_iter().flatten() {
        if !sent.contains(name) {
            received.insert(name.clone());
            reach(doc, schema, &mut received);
        }
        if is_orphan(name) && from_orphans.insert(name.clone()) {
            reach(doc, schema, &mut from_orphans);
        }
    }
    let names = components.into_iter().flat_map(|c| c.keys()).cloned();
    names
        .chain(sent.iter().cloned())
        .chain(from_responses.iter().cloned())
        .map(|name| {
            let used = SchemaUse {
                in_requests: sent.contains(&name),
                in_responses: from_responses.contains(&name),
                in_webhooks: from_webhooks.contains(&name),
                orphan: is_orphan(&name),
                from_orphans: from_orphans.contains(&name),
                only_sent: sent.contains(&name) && !received.contains(&name),
            };
            (name, used)
        })
        .collect()
}
