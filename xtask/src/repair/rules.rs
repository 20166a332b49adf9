//! The repair rules, one function each, in the order of [`super::RULES`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::walk::{for_each_schema, Slot};
use super::Evidence;
use crate::spec::lookup::{json_responses, operations, operations_mut, OperationRef};
use crate::spec::pointer_escape;

pub(super) fn string_enum_values(doc: &mut Value, _: &Evidence) -> usize {
    let mut n = 0;
    for_each_schema(doc, &mut |s, _| {
        let Some(map) = s.as_object_mut() else { return };
        if map.get("type").and_then(Value::as_str) != Some("string") {
            return;
        }
        for member in map
            .get_mut("enum")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let text = match member {
                Value::Number(num) => num.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            *member = Value::String(text);
            n += 1;
        }
    });
    n
}

pub(super) fn null_enum_members(doc: &mut Value, _: &Evidence) -> usize {
    let mut n = 0;
    for_each_schema(doc, &mut |s, _| {
        let Some(map) = s.as_object_mut() else { return };
        let Some(members) = map.get_mut("enum").and_then(Value::as_array_mut) else {
            return;
        };
        let before = members.len();
        members.retain(|m| !m.is_null());
        if members.len() == before {
            return;
        }
        if members.is_empty() {
            map.remove("enum");
        }
        map.insert("nullable".into(), Value::Bool(true));
        n += 1;
    });
    n
}

pub(super) fn non_media_content_keys(doc: &mut Value, _: &Evidence) -> usize {
    let mut n = 0;
    let mut fix = |holder: &mut Value| {
        if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
            let before = content.len();
            content.retain(|k, _| k.contains('/'));
            n += before - content.len();
        }
    };
    for (_, _, op) in operations_mut(doc) {
        if let Some(rb) = op.get_mut("requestBody") {
            fix(rb);
        }
        for r in op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            fix(r);
        }
    }
    for section in ["responses", "requestBodies"] {
        if let Some(entries) = doc
            .pointer_mut(&format!("/components/{section}"))
            .and_then(Value::as_object_mut)
        {
            entries.values_mut().for_each(&mut fix);
        }
    }
    n
}

fn is_error_status(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5')
}

pub(super) fn default_responses(doc: &mut Value, _: &Evidence) -> usize {
    let mut n = 0;
    for (_, _, op) in operations_mut(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(default) = responses.remove("default") else {
            continue;
        };
        for range in ["4XX", "5XX"] {
            responses
                .entry(range.to_string())
                .or_insert_with(|| default.clone());
        }
        n += 1;
    }
    n
}

pub(super) fn missing_error_responses(doc: &mut Value, _: &Evidence) -> usize {
    // The error response most operations share, by its serialized form.
    let mut tally: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    for (_, _, op) in operations_mut(doc) {
        for (code, r) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if is_error_status(code) {
                let key = r.to_string();
                tally.entry(key).or_insert((0, r.clone())).0 += 1;
            }
        }
    }
    let Some((_, common)) = tally.into_values().max_by_key(|(count, _)| *count) else {
        return 0;
    };
    let mut n = 0;
    for (_, _, op) in operations_mut(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        if responses
            .keys()
            .any(|c| is_error_status(c) || c == "default")
        {
            continue;
        }
        for range in ["4XX", "5XX"] {
            responses.insert(range.to_string(), common.clone());
        }
        n += 1;
    }
    n
}

const COMPONENT_PREFIX: &str = "#/components/schemas/";

pub(super) fn nullable_components(doc: &mut Value, _: &Evidence) -> usize {
    let mut nullable: BTreeSet<String> = BTreeSet::new();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, s) in schemas.iter_mut() {
            if let Some(map) = s.as_object_mut() {
                if map.remove("nullable") == Some(Value::Bool(true)) {
                    nullable.insert(format!("{COMPONENT_PREFIX}{name}"));
                }
            }
        }
    }
    let mut n = nullable.len();
    if nullable.is_empty() {
        return 0;
    }
    for_each_schema(doc, &mut |s, slot| {
        if !matches!(
            slot,
            Slot::Property | Slot::Items | Slot::AdditionalProperties
        ) {
            return;
        }
        let Some(r) = s.get("$ref").and_then(Value::as_str) else {
            return;
        };
        if !nullable.contains(r) {
            return;
        }
        let reference = s.clone();
        let mut wrapped = Map::new();
        wrapped.insert("allOf".into(), Value::Array(vec![reference]));
        wrapped.insert("nullable".into(), Value::Bool(true));
        *s = Value::Object(wrapped);
        n += 1;
    });
    n
}

pub(super) fn required_absent_from_examples(doc: &mut Value, evidence: &Evidence) -> usize {
    let mut absent: BTreeSet<(String, String)> = BTreeSet::new();
    let snapshot: &Value = doc;
    let mut check = |path: &str, method: &str, code: &str, ex: &Value| {
        let schema_ptr = format!(
            "/paths/{}/{method}/responses/{}/content/application~1json/schema",
            pointer_escape(path),
            pointer_escape(code)
        );
        missing_required(snapshot, &schema_ptr, ex, 0, &mut absent);
    };
    for OperationRef { path, method, op } in operations(snapshot) {
        for (code, m) in json_responses(op) {
            let named = m
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|e| e.values())
                .filter_map(|e| e.get("value"));
            for ex in m.get("example").into_iter().chain(named) {
                check(path, method, code, ex);
            }
        }
        // Evidence records name an endpoint and a status; match them to this operation.
        for (_, status, ex) in evidence.records.iter().filter(|(ep, _, _)| ep == path) {
            if let Some(code) = response_key(op, *status) {
                check(path, method, &code, ex);
            }
        }
    }
    let mut n = 0;
    for (ptr, prop) in absent {
        if let Some(Value::Array(req)) = doc.pointer_mut(&format!("{ptr}/required")) {
            let before = req.len();
            req.retain(|r| r.as_str() != Some(prop.as_str()));
            n += before - req.len();
        }
    }
    n
}

/// The key of `responses` that covers `status`: the exact code, else its range (`4XX`), else
/// `default`.
fn response_key(op: &Value, status: u16) -> Option<String> {
    let responses = op.get("responses")?.as_object()?;
    [
        status.to_string(),
        format!("{}XX", status / 100),
        "default".to_string(),
    ]
    .into_iter()
    .find(|k| responses.contains_key(k))
}

/// Walk `example` along the schema at `ptr`, collecting `(schema pointer, property)` for every
/// required property the example omits. `oneOf`/`anyOf` are skipped: which member an example
/// belongs to is not decidable here.
fn missing_required(
    doc: &Value,
    ptr: &str,
    example: &Value,
    depth: u8,
    out: &mut BTreeSet<(String, String)>,
) {
    if depth > 64 {
        return;
    }
    let Some(schema) = doc.pointer(ptr) else {
        return;
    };
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        if let Some(target) = r.strip_prefix('#') {
            missing_required(doc, target, example, depth + 1, out);
        }
        return;
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        for i in 0..members.len() {
            missing_required(doc, &format!("{ptr}/allOf/{i}"), example, depth + 1, out);
        }
    }
    match example {
        Value::Object(fields) => {
            for req in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !fields.contains_key(req) {
                    out.insert((ptr.to_string(), req.to_string()));
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, v) in fields {
                if props.is_some_and(|p| p.contains_key(k)) {
                    let child = format!("{ptr}/properties/{}", pointer_escape(k));
                    missing_required(doc, &child, v, depth + 1, out);
                } else if schema
                    .get("additionalProperties")
                    .is_some_and(Value::is_object)
                {
                    let child = format!("{ptr}/additionalProperties");
                    missing_required(doc, &child, v, depth + 1, out);
                }
            }
        }
        Value::Array(items) if schema.get("items").is_some() => {
            for v in items {
                missing_required(doc, &format!("{ptr}/items"), v, depth + 1, out);
            }
        }
        _ => {}
    }
}

const VALIDATION_KEYWORDS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
];

pub(super) fn relax_validation_keywords(doc: &mut Value, _: &Evidence) -> usize {
    let mut n = 0;
    for_each_schema(doc, &mut |s, _| {
        if let Some(map) = s.as_object_mut() {
            for k in VALIDATION_KEYWORDS {
                if map.remove(*k).is_some() {
                    n += 1;
                }
            }
        }
    });
    n
}

pub(super) fn closed_objects(doc: &mut Value, _: &Evidence) -> usize {
    let mut n = 0;
    for_each_schema(doc, &mut |s, _| {
        if let Some(map) = s.as_object_mut() {
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                map.remove("additionalProperties");
                n += 1;
            }
        }
    });
    n
}

/// The body property each apiKey-in-header security scheme is repeated as, with the header it
/// repeats ([`header_body_names`] of the spec's API-key headers).
pub(super) fn header_credential_properties(doc: &Value) -> Vec<(String, String)> {
    header_body_names(crate::spec::lookup::api_key_headers(doc))
}

/// The body property name of each header, with the header: the header name lower-cased,
/// `-` → `_`, without the leading segments every such header shares (the vendor:
/// `PLAID-CLIENT-ID` → `client_id`, `PLAID-SECRET` → `secret`).
pub fn header_body_names(headers: Vec<String>) -> Vec<(String, String)> {
    let segments: Vec<Vec<String>> = headers
        .iter()
        .map(|h| h.split('-').map(str::to_ascii_lowercase).collect())
        .collect();
    // Leading segments shared by every header (only when there are several to compare), always
    // leaving each header at least one segment of its own.
    let shortest = segments.iter().map(Vec::len).min().unwrap_or(0);
    let shared = if segments.len() < 2 {
        0
    } else {
        (0..shortest.saturating_sub(1))
            .take_while(|&i| segments.iter().all(|s| s[i] == segments[0][i]))
            .count()
    };
    headers
        .into_iter()
        .zip(segments)
        .map(|(header, segs)| (segs[shared..].join("_"), header))
        .collect()
}

/// Whether a property's schema (or the schema its `$ref` names) describes itself as the body
/// form of `header`: its description names the header.
fn duplicates_header(doc: &Value, property: &Value, header: &str) -> bool {
    let header = header.to_ascii_lowercase();
    let names_header = |s: &Value| {
        s.get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.to_ascii_lowercase().contains(&header))
    };
    names_header(property) || names_header(crate::spec::lookup::deref(doc, property))
}

/// JSON pointers of every schema object a caller builds to send: each operation's request
/// body schema, and every component only a caller builds ([`SchemaUse::built_by_caller`]: what
/// request bodies and orphan schemas reach, unless a response or a webhook reaches it too),
/// with (recursively) the members of their `allOf`. A request body's `$ref`s and `allOf` chain
/// are followed as they are (the body is what the caller sends); elsewhere a `$ref` is followed
/// only into a component only a caller builds, so a schema something received shares keeps its
/// properties.
///
/// [`SchemaUse::built_by_caller`]: crate::spec::lookup::SchemaUse::built_by_caller
fn sendable_schema_pointers(doc: &Value) -> BTreeSet<String> {
    let uses = crate::spec::lookup::schema_uses(doc);
    let mut out = BTreeSet::new();
    let mut pending: Vec<(String, bool)> = Vec::new();
    for OperationRef { path, method, op } in operations(doc) {
        if op.get("requestBody").is_some() {
            let body = format!(
                "/paths/{}/{method}/requestBody/content/application~1json/schema",
                pointer_escape(path)
            );
            pending.push((body, true));
        }
    }
    pending.extend(
        uses.iter()
            .filter(|(_, u)| u.built_by_caller())
            .map(|(name, _)| {
                (
                    format!("/components/schemas/{}", pointer_escape(name)),
                    false,
                )
            }),
    );
    while let Some((ptr, body_root)) = pending.pop() {
        let Some(schema) = doc.pointer(&ptr) else {
            continue;
        };
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let built = target
                .strip_prefix(COMPONENT_PREFIX)
                .and_then(|name| uses.get(name))
                .is_some_and(|u| u.built_by_caller());
            if let Some(target) = target.strip_prefix('#').filter(|_| body_root || built) {
                pending.push((target.to_string(), body_root));
            }
            continue;
        }
        if !out.insert(ptr.clone()) {
            continue;
        }
        let members = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        pending.extend((0..members).map(|i| (format!("{ptr}/allOf/{i}"), body_root)));
    }
    out
}

/// How many component schemas are orphans ([`crate::spec::lookup::SchemaUse::orphan`]): no
/// operation and no webhook reaches them. They are generated anyway, and
/// `header-credentials-in-bodies` treats them as what a caller sends.
pub(super) fn orphan_schemas(doc: &Value) -> usize {
    crate::spec::lookup::schema_uses(doc)
        .values()
        .filter(|u| u.orphan)
        .count()
}

pub(super) fn header_credentials_in_bodies(doc: &mut Value, _: &Evidence) -> usize {
    let credentials = header_credential_properties(doc);
    if credentials.is_empty() {
        return 0;
    }
    let mut removals: Vec<(String, String)> = Vec::new();
    for ptr in sendable_schema_pointers(doc) {
        let Some(props) = doc
            .pointer(&format!("{ptr}/properties"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (name, header) in &credentials {
            if props
                .get(name)
                .is_some_and(|p| duplicates_header(doc, p, header))
            {
                removals.push((ptr.clone(), name.clone()));
            }
        }
    }
    for (ptr, name) in &removals {
        let Some(schema) = doc.pointer_mut(ptr).and_then(Value::as_object_mut) else {
            continue;
        };
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            props.remove(name);
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|r| r.as_str() != Some(name.as_str()));
            if required.is_empty() {
                schema.remove("required");
            }
        }
    }
    removals.len()
}
