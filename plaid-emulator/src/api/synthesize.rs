//! A response body made from its type's JSON Schema, for the operations whose spec has no
//! usable example (`/application/get`, `/item/application/list`, …; issue 30, item 4): every
//! required key, the first of an enum's values, `date` and `date-time` strings in their
//! formats, arrays of one element, numbers within their bounds, and `null` (or an empty array
//! or map) once the walk is deeper than [`MAX_DEPTH`], so a recursive type ends.
//!
//! The schema is the one plaid-client generates for the response type (feature `schemars`),
//! read as the client reads it (`schema_check::schema_of`; `required` is what decoding
//! needs), so the body decodes into the generated type (`examples::typed` checks it on every
//! answer).

use serde_json::{json, Map, Value};

/// How deep the walk goes before it stops adding what can be left empty.
pub(crate) const MAX_DEPTH: usize = 12;

/// How many `$ref`s in a row are followed before a chain is taken for a cycle.
const MAX_REFS: usize = 16;

/// A date in `date` format (RFC 3339 full-date), and one in `date-time` format.
const DATE: &str = "2024-01-02";
const DATE_TIME: &str = "2024-01-02T03:04:05Z";

/// A value of the schema `root` (with its `$defs`).
pub(crate) fn synthesize(root: &Value) -> Value {
    Synth { root }.value(root, "", 0)
}

/// One walk over a root schema.
struct Synth<'a> {
    root: &'a Value,
}

impl<'a> Synth<'a> {
    /// The schema a chain of `$ref`s ends at; `true` (anything) for one that names nothing.
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..MAX_REFS {
            let Some(target) = schema.get("$ref").and_then(Value::as_str) else {
                return schema;
            };
            match target.strip_prefix('#').and_then(|p| self.root.pointer(p)) {
                Some(found) => schema = found,
                None => return &Value::Bool(true),
            }
        }
        &Value::Bool(true)
    }

    /// A value of `schema` for the property named `key`, `depth` levels down.
    fn value(&self, schema: &'a Value, key: &str, depth: usize) -> Value {
        let schema = self.resolve(schema);
        let Some(object) = schema.as_object() else {
            return json!({}); // `true`: any value; an object is what Plaid's free-form fields hold.
        };
        if let Some(value) = object.get("const") {
            return value.clone();
        }
        if let Some(Value::Array(members)) = object.get("enum") {
            if let Some(first) = members.iter().find(|m| !m.is_null()) {
                return first.clone();
            }
        }
        if let Some(Value::Array(branches)) = object.get("anyOf").or_else(|| object.get("oneOf")) {
            if let Some(value) = self.branch(branches, key, depth) {
                return value;
            }
        }
        if let Some(Value::Array(all)) = object.get("allOf") {
            if let Some(first) = all.first() {
                return self.value(first, key, depth + 1);
            }
        }
        match type_of(object.get("type")) {
            Some("object") => self.object(object, depth),
            Some("array") => self.array(object, key, depth),
            Some("string") => string(object, key),
            Some("integer") => json!(number(object).ceil() as i64),
            Some("number") => json!(number(object)),
            Some("boolean") => json!(false),
            Some("null") => Value::Null,
            _ => json!({}),
        }
    }

    /// The value of a union: its listed enum members if it has some (an open enum), else the
    /// first branch that is not `null`; `null` itself once the walk is deep.
    fn branch(&self, branches: &'a [Value], key: &str, depth: usize) -> Option<Value> {
        let is_null = |b: &Value| b.get("type").and_then(Value::as_str) == Some("null");
        if depth > MAX_DEPTH && branches.iter().any(is_null) {
            return Some(Value::Null);
        }
        let listed = branches
            .iter()
            .find_map(|b| b.get("enum")?.as_array()?.first());
        if let Some(member) = listed {
            return Some(member.clone());
        }
        let branch = branches.iter().find(|b| !is_null(b))?;
        Some(self.value(branch, key, depth + 1))
    }

    /// An object of its required properties; a map (`additionalProperties` only) is empty.
    fn object(&self, object: &'a Map<String, Value>, depth: usize) -> Value {
        let mut out = Map::new();
        let required = object.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            let property = object.get("properties").and_then(|p| p.get(name));
            let value = match property {
                Some(schema) => self.value(schema, name, depth + 1),
                None => Value::Null,
            };
            out.insert(name.to_string(), value);
        }
        Value::Object(out)
    }

    /// One element, or none once the walk is deep or the array must be empty.
    fn array(&self, object: &'a Map<String, Value>, key: &str, depth: usize) -> Value {
        let at_most_none = object.get("maxItems").and_then(Value::as_u64) == Some(0);
        match object.get("items") {
            Some(items) if depth <= MAX_DEPTH && !at_most_none => {
                json!([self.value(items, key, depth + 1)])
            }
            _ => json!([]),
        }
    }
}

/// The one type a schema's `type` names, `null` last: `["string", "null"]` is a string.
fn type_of(ty: Option<&Value>) -> Option<&str> {
    match ty? {
        Value::String(one) => Some(one),
        Value::Array(types) => {
            let mut named = types.iter().filter_map(Value::as_str);
            named.clone().find(|t| *t != "null").or(named.next_back())
        }
        _ => None,
    }
}

/// A string in the schema's format, else one naming its property, within its length bounds.
fn string(object: &Map<String, Value>, key: &str) -> Value {
    let mut text = match object.get("format").and_then(Value::as_str) {
        Some("date") => return json!(DATE),
        Some("date-time") => return json!(DATE_TIME),
        _ if key.is_empty() => "string".to_string(),
        _ => format!("{key}-1"),
    };
    let bound = |k: &str| object.get(k).and_then(Value::as_u64).map(|n| n as usize);
    if let Some(max) = bound("maxLength") {
        text.truncate(max);
    }
    while text.len() < bound("minLength").unwrap_or(0) {
        text.push('0');
    }
    json!(text)
}

/// A number within the schema's bounds: 1, or its minimum if that is more.
fn number(object: &Map<String, Value>) -> f64 {
    let bound = |k: &str| object.get(k).and_then(Value::as_f64);
    let low = bound("minimum").or(bound("exclusiveMinimum").map(|m| m + 1.0));
    let high = bound("maximum").or(bound("exclusiveMaximum").map(|m| m - 1.0));
    let value = low.map_or(1.0, |low| low.max(1.0));
    high.map_or(value, |high| value.min(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(schema: Value) -> Value {
        synthesize(&schema)
    }

    #[test]
    fn an_object_has_its_required_keys_only() {
        let schema = json!({"type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            "required": ["a"]});
        assert_eq!(made(schema), json!({"a": "a-1"}));
    }

    #[test]
    fn an_enum_gives_its_first_member_and_an_open_enum_its_first_listed() {
        assert_eq!(
            made(json!({"type": "string", "enum": ["x", "y"]})),
            json!("x")
        );
        let open =
            json!({"type": "string", "anyOf": [{"enum": ["p", "q"]}, {"description": "any"}]});
        assert_eq!(made(open), json!("p"));
    }

    #[test]
    fn dates_and_date_times_are_in_their_formats() {
        assert_eq!(
            made(json!({"type": "string", "format": "date"})),
            json!(DATE)
        );
        let at = made(json!({"type": "string", "format": "date-time"}));
        assert_eq!(at, json!(DATE_TIME));
    }

    #[test]
    fn an_array_has_one_element_and_a_nullable_ref_is_followed() {
        let schema = json!({"type": "object", "required": ["xs"],
            "properties": {"xs": {"type": "array",
                "items": {"anyOf": [{"$ref": "#/$defs/N"}, {"type": "null"}]}}},
            "$defs": {"N": {"type": "number", "minimum": 5}}});
        assert_eq!(made(schema), json!({"xs": [5.0]}));
    }

    #[test]
    fn a_recursive_type_ends_in_null_or_empty_arrays() {
        let schema = json!({"$ref": "#/$defs/T", "$defs": {"T": {"type": "object",
            "required": ["next", "children"],
            "properties": {"next": {"anyOf": [{"$ref": "#/$defs/T"}, {"type": "null"}]},
                "children": {"type": "array", "items": {"$ref": "#/$defs/T"}}}}}});
        let value = made(schema);
        let text = value.to_string();
        assert!(text.contains("null") && text.contains("[]"), "{text}");
    }

    #[test]
    fn every_response_type_without_an_example_decodes_from_its_synthesized_body() {
        use crate::api::schema_check::schema_of;
        use plaid_client::operations as op;
        fn decodes<O: plaid_client::JsonOperation>() {
            let value = synthesize(&schema_of::<O::Response>());
            let typed: Result<O::Response, _> = serde_json::from_value(value.clone());
            assert!(typed.is_ok(), "{}: {value}", O::OPERATION_ID);
        }
        decodes::<op::ApplicationGet>();
        decodes::<op::AssetReportAuditCopyGet>();
        decodes::<op::ItemApplicationList>();
        decodes::<op::ItemApplicationScopesUpdate>();
        decodes::<op::ProcessorApexProcessorTokenCreate>();
        decodes::<op::SandboxOauthSelectAccounts>();
    }
}
