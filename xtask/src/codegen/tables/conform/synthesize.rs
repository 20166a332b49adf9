//! Values of the published spec's schemas, for the `conform` table: what a server sends for a
//! required key the lenient generated types may leave out (see the parent module's docs for
//! the order: `example`, first `enum` member, date formats, bounds, required properties).

use serde_json::{json, Map, Value};

use super::{accepts_null, MAX_SYNTH_DEPTH};
use crate::spec::lookup;

/// Whether the published schema accepts `null`: `nullable: true` on it, on what it refers to,
/// or on every member of its `allOf`.
pub(super) fn nullable(doc: &Value, schema: &Value, depth: usize) -> bool {
    if depth > MAX_SYNTH_DEPTH {
        return false;
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    if schema.get("$ref").is_some() {
        return nullable(doc, lookup::deref(doc, schema), depth + 1);
    }
    match schema.get("allOf").and_then(Value::as_array) {
        Some(members) if !members.is_empty() => members.iter().all(|m| nullable(doc, m, depth + 1)),
        _ => false,
    }
}

/// A value of the published `schema` (see the module docs); `examples` says whether an
/// `example` is preferred to a built value.
pub fn synthesize(doc: &Value, schema: &Value, examples: bool, depth: usize) -> Option<Value> {
    if depth > MAX_SYNTH_DEPTH {
        return None;
    }
    let schema = lookup::deref(doc, schema);
    if examples {
        if let Some(example) = schema.get("example") {
            return Some(example.clone());
        }
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|m| m.iter().find(|v| !v.is_null()))
    {
        return Some(first.clone());
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        return all_of(doc, schema, members, examples, depth);
    }
    let kind = schema.get("type").and_then(Value::as_str);
    match kind {
        Some("string") => Some(json!(string_value(schema))),
        Some("integer") | Some("number") => Some(number_value(schema, kind == Some("integer"))),
        Some("boolean") => Some(json!(false)),
        Some("array") => {
            let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = schema.get("items").unwrap_or(&Value::Null);
            (0..n.min(4))
                .map(|_| synthesize(doc, item, examples, depth + 1))
                .collect::<Option<Vec<Value>>>()
                .map(Value::Array)
        }
        Some("object") | None => object_value(doc, schema, examples, depth),
        Some(_) => None,
    }
}

/// The members' values merged, then the schema's own required properties (which `allOf`
/// schemas often list beside their members).
fn all_of(
    doc: &Value,
    schema: &Value,
    members: &[Value],
    examples: bool,
    depth: usize,
) -> Option<Value> {
    let mut values = members
        .iter()
        .map(|m| synthesize(doc, m, examples, depth + 1))
        .collect::<Option<Vec<Value>>>()?;
    values.push(object_value(doc, schema, examples, depth)?);
    let mut merged: Option<Value> = None;
    for value in values {
        merged = match (merged, value) {
            (Some(Value::Object(mut a)), Value::Object(b)) => {
                a.extend(b);
                Some(Value::Object(a))
            }
            (None, v) => Some(v),
            (Some(v), Value::Object(b)) if b.is_empty() => Some(v),
            (Some(_), _) => return None,
        };
    }
    merged
}

fn string_value(schema: &Value) -> String {
    match schema.get("format").and_then(Value::as_str) {
        Some("date") => "2024-01-01".to_string(),
        Some("date-time") => "2024-01-01T00:00:00Z".to_string(),
        _ => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            "x".repeat(usize::try_from(min.min(64)).unwrap_or(0))
        }
    }
}

fn number_value(schema: &Value, integer: bool) -> Value {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let exclusive = schema.get("exclusiveMinimum") == Some(&Value::Bool(true));
    let n = match (min, exclusive) {
        (Some(m), true) => m + 1.0,
        (Some(m), false) => m.max(0.0),
        (None, _) => 0.0,
    };
    if integer {
        json!(n.ceil() as i64)
    } else {
        json!(n)
    }
}

/// The schema of property `key`: the schema's own, or one of its `allOf` members'.
fn schema_property<'a>(
    doc: &'a Value,
    schema: &'a Value,
    key: &str,
    depth: usize,
) -> Option<&'a Value> {
    if depth > MAX_SYNTH_DEPTH {
        return None;
    }
    let schema = lookup::deref(doc, schema);
    if let Some(p) = schema.get("properties").and_then(|p| p.get(key)) {
        return Some(p);
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|m| schema_property(doc, m, key, depth + 1))
}

/// An object of the schema's required properties (`null` where that is valid).
fn object_value(doc: &Value, schema: &Value, examples: bool, depth: usize) -> Option<Value> {
    let mut out = Map::new();
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let prop = schema_property(doc, schema, key, 0)?;
        let value = if accepts_null(doc, prop, 0) {
            Value::Null
        } else {
            synthesize(doc, prop, examples, depth + 1)?
        };
        out.insert(key.to_string(), value);
    }
    Some(Value::Object(out))
}
