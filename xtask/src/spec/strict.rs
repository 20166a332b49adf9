//! The spec read strictly, as a server must honour it: its OpenAPI 3.0 schemas as JSON Schema
//! 2020-12, for validating a body against the *published* document (not the normalized one,
//! whose repairs make the client lenient). Used by `served-bodies` (what the emulator served)
//! and by the `conform` table (every value it synthesizes is checked here before it is emitted).
//!
//! The translation, keyword by keyword (OpenAPI 3.0.3, "Schema Object"):
//!
//! - `nullable: true`, or an `enum` that lists `null`, allows `null`: `type` gains `"null"` (and
//!   `enum` gains `null`); a schema
//!   without `type` (`allOf: [$ref]`, a bare `$ref`) is wrapped in `if: {type: null}, else: …`.
//!   A component marked nullable is nullable wherever it is referenced, as its authors meant;
//! - `$ref: #/components/schemas/X` becomes `#/$defs/X`, every component a `$defs` entry;
//! - OpenAPI's boolean `exclusiveMinimum`/`exclusiveMaximum` become 2020-12's numeric ones;
//! - `example`, `discriminator`, `xml`, `externalDocs` and `x-…` extensions are dropped;
//! - everything else (`required`, `enum`, `format`, lengths, patterns, `additionalProperties`)
//!   is the same keyword, and formats are validated (`date` is `YYYY-MM-DD`, `date-time` RFC 3339).

use serde_json::{json, Map, Value};

use super::lookup;

/// Keys of a schema object that hold one subschema.
const ONE_SCHEMA: &[&str] = &["items", "not", "additionalProperties"];
/// Keys that hold a list of subschemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf"];
/// Annotations of OpenAPI that JSON Schema does not have, dropped.
const DROPPED: &[&str] = &[
    "example",
    "discriminator",
    "xml",
    "externalDocs",
    "nullable",
];
/// How deep a schema may nest (Plaid's go to about 12; a cycle goes through `$ref`).
const MAX_DEPTH: usize = 64;

/// An OpenAPI 3.0 schema as JSON Schema 2020-12 (see the module docs). `$ref`s point into the
/// `$defs` of [`root`].
pub fn to_json_schema(schema: &Value) -> Value {
    convert(schema, 0)
}

fn convert(schema: &Value, depth: usize) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    if depth > MAX_DEPTH {
        return json!({});
    }
    let mut out = Map::new();
    for (key, value) in map {
        if DROPPED.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = match key.as_str() {
            "$ref" => value
                .as_str()
                .map(|r| json!(r.replacen("#/components/schemas/", "#/$defs/", 1)))
                .unwrap_or_else(|| value.clone()),
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, s)| (name.clone(), convert(s, depth + 1)))
                    .collect(),
            ),
            k if ONE_SCHEMA.contains(&k) && value.is_object() => convert(value, depth + 1),
            k if SCHEMA_LISTS.contains(&k) => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| convert(s, depth + 1))
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bounds(&mut out);
    if map.get("nullable") == Some(&Value::Bool(true)) || lists_null(map) {
        return nullable(out);
    }
    Value::Object(out)
}

/// Whether `enum` lists `null`: the authors say `null` is a value (Plaid documents what it
/// means, e.g. an authorization's rationale `code`), though without `nullable: true` OpenAPI
/// 3.0.3 would let `type` reject it. Read as nullable, so a server is not pushed to replace a
/// documented `null` with a value that says something else.
fn lists_null(map: &Map<String, Value>) -> bool {
    map.get("enum")
        .and_then(Value::as_array)
        .is_some_and(|members| members.contains(&Value::Null))
}

/// OpenAPI 3.0's `exclusiveMinimum: true` beside `minimum: N` is 2020-12's `exclusiveMinimum: N`.
fn exclusive_bounds(out: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match out.get(flag) {
            Some(Value::Bool(true)) => {
                if let Some(n) = out.remove(bound) {
                    out.insert(flag.to_string(), n);
                } else {
                    out.remove(flag);
                }
            }
            Some(Value::Bool(false)) => {
                out.remove(flag);
            }
            _ => {}
        }
    }
}

/// `out` that also accepts `null`.
fn nullable(mut out: Map<String, Value>) -> Value {
    if let Some(Value::String(t)) = out.get("type").cloned() {
        out.insert("type".into(), json!([t, "null"]));
        if let Some(Value::Array(members)) = out.get_mut("enum") {
            if !members.contains(&Value::Null) {
                members.push(Value::Null);
            }
        }
        return Value::Object(out);
    }
    // `if null then valid else the schema`, rather than `anyOf`, so a non-null value that breaks
    // the schema is reported where it breaks it, not as "valid under none of the branches".
    json!({"if": {"type": "null"}, "else": Value::Object(out)})
}

/// Every component schema of `doc`, converted: the `$defs` of every root.
pub fn defs(doc: &Value) -> Value {
    Value::Object(
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, s)| (name.clone(), to_json_schema(s)))
            .collect(),
    )
}

/// A root document validating `schema` (an OpenAPI schema of `doc`) with `defs` (from [`defs`]).
pub fn root(schema: &Value, defs: &Value) -> Value {
    let mut root = match to_json_schema(schema) {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".into(), json!([other]));
            map
        }
    };
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("$defs".into(), defs.clone());
    Value::Object(root)
}

/// A validator for `root` (from [`root`]) that checks formats too.
pub fn validator(root: &Value) -> anyhow::Result<jsonschema::Validator> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(root)
        .map_err(|e| anyhow::anyhow!("the schema does not compile: {e}"))
}

/// Every way `value` breaks `validator`, as `(JSON pointer, why)`, at most `limit`.
pub fn errors(
    validator: &jsonschema::Validator,
    value: &Value,
    limit: usize,
) -> Vec<(String, String)> {
    validator
        .iter_errors(value)
        .take(limit)
        .map(|e| (e.instance_path().to_string(), e.to_string()))
        .collect()
}

/// The published response schema of the operation at `path` (a concrete path: a `{param}`
/// template matches one non-empty segment) for `status`: the exact status, else its range
/// (`4XX`), else `default`. `None` when no operation has the path or it declares no JSON body
/// for the status.
pub fn response_schema<'a>(doc: &'a Value, path: &str, status: u16) -> Option<&'a Value> {
    let op = lookup::operations(doc)
        .find(|o| o.path == path)
        .or_else(|| lookup::operations(doc).find(|o| matches_template(o.path, path)))?;
    let responses: Vec<(&str, &Value)> = lookup::json_responses(op.op).collect();
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    [exact.as_str(), range.as_str(), "default"]
        .iter()
        .find_map(|want| {
            responses
                .iter()
                .find(|(code, _)| code.eq_ignore_ascii_case(want))
        })
        .and_then(|(_, media)| media.get("schema"))
}

/// Whether `path` fits `template`, a `{param}` standing for one non-empty segment.
pub fn matches_template(template: &str, path: &str) -> bool {
    let (mut want, mut have) = (template.split('/'), path.split('/'));
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some(w), Some(h)) if w.starts_with('{') && w.ends_with('}') && !h.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.0",
            "paths": {
                "/thing/get": {"post": {"responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "default": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}
                }}},
                "/thing/{id}": {"get": {"responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
                }}}
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "required": ["id", "risk", "day", "kind"], "properties": {
                    "id": {"type": "string", "example": "t1", "x-hidden": true},
                    "risk": {"allOf": [{"$ref": "#/components/schemas/Risk"}], "nullable": true},
                    "day": {"type": "string", "format": "date"},
                    "kind": {"type": "string", "enum": ["a", "b"], "nullable": true},
                    "amount": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
                    "code": {"$ref": "#/components/schemas/Code"}
                }},
                "Code": {"type": "string", "enum": ["x", null]},
                "Risk": {"type": "object", "required": ["tier"], "properties": {"tier": {"type": "integer"}}},
                "Err": {"type": "object", "required": ["error_code"], "properties": {"error_code": {"type": "string"}}}
            }}
        })
    }

    fn check(body: Value, status: u16, path: &str) -> Vec<(String, String)> {
        let doc = doc();
        let schema = response_schema(&doc, path, status).expect("a schema");
        let v = validator(&root(schema, &defs(&doc))).expect("compiles");
        errors(&v, &body, 10)
    }

    #[test]
    fn a_conforming_body_passes_with_nulls_where_nullable() {
        let body = json!({"id": "t1", "risk": null, "day": "2024-02-29", "kind": null});
        assert_eq!(check(body, 200, "/thing/get"), vec![]);
        let body = json!({"id": "t1", "risk": {"tier": 2}, "day": "2024-02-29", "kind": "a"});
        assert_eq!(
            check(body, 200, "/thing/{id}".replace("{id}", "x").as_str()),
            vec![]
        );
    }

    #[test]
    fn a_missing_required_key_is_reported_at_its_object() {
        let errors = check(
            json!({"id": "t1", "day": "2024-01-01", "kind": "a"}),
            200,
            "/thing/get",
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "");
        assert!(
            errors[0].1.contains("\"risk\" is a required property"),
            "{errors:?}"
        );
    }

    #[test]
    fn formats_enums_nested_requirements_and_exclusive_bounds_are_checked() {
        let body = json!({"id": "t1", "risk": {}, "day": "2024-13-01", "kind": "c", "amount": 0});
        let pointers: Vec<String> = check(body, 200, "/thing/get")
            .into_iter()
            .map(|e| e.0)
            .collect();
        for want in ["/risk", "/day", "/kind", "/amount"] {
            assert!(pointers.iter().any(|p| p == want), "{want} in {pointers:?}");
        }
    }

    #[test]
    fn an_enum_that_lists_null_accepts_null_and_only_its_members() {
        let body = |code: Value| json!({"id": "t1", "risk": null, "day": "2024-02-29", "kind": "a", "code": code});
        assert_eq!(check(body(Value::Null), 200, "/thing/get"), vec![]);
        assert_eq!(check(body(json!("x")), 200, "/thing/get"), vec![]);
        let errors = check(body(json!("y")), 200, "/thing/get");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "/code");
    }

    #[test]
    fn an_error_status_reads_the_default_response() {
        assert_eq!(check(json!({"error_code": "X"}), 400, "/thing/get"), vec![]);
        assert_eq!(check(json!({}), 500, "/thing/get").len(), 1);
        let doc = doc();
        assert!(response_schema(&doc, "/thing/{id}", 404).is_none());
        assert!(response_schema(&doc, "/thing/get/more", 200).is_none());
        assert!(response_schema(&doc, "/thing/", 200).is_none());
    }
}
