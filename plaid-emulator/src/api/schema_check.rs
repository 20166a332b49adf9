//! A request body checked against its operation's request type, as Plaid checks it, from the
//! JSON Schema plaid-client generates for that type (feature `schemars`): every missing
//! required field at once (`MISSING_FIELDS`), fields the type does not have (`UNKNOWN_FIELDS`),
//! a field of the wrong type, not one of its enum's values or of a bad date format
//! (`INVALID_FIELD`, naming the field and why). Docs: `errors-invalid-request.txt` ("The
//! error_message field will list the missing field(s)", "… the unrecognized field(s)", "… the
//! erroneous field and how to resolve the error").
//!
//! The schema is built once per operation (`routes.rs` caches it) and walked per request:
//! `$ref`s are followed into the root's `$defs` by a map lookup, nothing is compiled per request.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::model::plaid_error::PlaidError;

/// How an `INVALID_FIELD` of these checks starts, so it reads the same for every field.
pub(crate) const INVALID_FIELD_PREFIX: &str = "the field ";

/// Fields every request may carry in its body although its type may not list them: the
/// credentials (docs, `api.txt`: "may be provided either in the PLAID-CLIENT-ID header or as
/// part of a request body").
const CREDENTIALS: [&str; 2] = ["client_id", "secret"];

/// A type's JSON Schema as the server reads it (`required` is what reading needs): the
/// request type's for its check, the response type's for a synthesized answer.
pub(crate) fn schema_of<T: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// One operation's request schema, with its `$defs`.
pub(crate) struct SchemaCheck {
    root: Value,
}

/// What a walk found wrong, in the order Plaid reports it.
#[derive(Default)]
struct Findings {
    missing: Vec<String>,
    unknown: Vec<String>,
    invalid: Option<(String, String)>,
}

impl Findings {
    fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.unknown.is_empty() && self.invalid.is_none()
    }

    fn invalid(&mut self, at: &str, why: String) {
        if self.invalid.is_none() {
            self.invalid = Some((display(at), why));
        }
    }
}

impl SchemaCheck {
    /// The check for the request type whose (root) JSON Schema is `root`.
    pub(crate) fn new(root: Value) -> Self {
        Self { root }
    }

    /// The request checked: `Ok` if Plaid would accept its shape, else the first of
    /// `MISSING_FIELDS`, `UNKNOWN_FIELDS`, `INVALID_FIELD` that applies.
    pub(crate) fn check(&self, request: &Value) -> Result<(), PlaidError> {
        let mut found = Findings::default();
        self.walk(&self.root, request, "", &mut found);
        if !found.missing.is_empty() {
            return Err(PlaidError::missing_fields(&found.missing.join(", ")));
        }
        if !found.unknown.is_empty() {
            return Err(PlaidError::unknown_fields(&found.unknown.join(", ")));
        }
        match found.invalid {
            Some((field, why)) => Err(PlaidError::invalid_field(&format!(
                "{INVALID_FIELD_PREFIX}{field} is invalid: {why}"
            ))),
            None => Ok(()),
        }
    }

    /// The request's top-level property names (`access_token`, …).
    pub(crate) fn has_property(&self, name: &str) -> bool {
        self.root
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(name))
    }

    /// The schema a `$ref` names, if it names one of the root's `$defs`.
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        // A chain of references is short; the bound only stops a cycle of bare references.
        for _ in 0..16 {
            let Some(target) = schema.get("$ref").and_then(Value::as_str) else {
                return schema;
            };
            match target.strip_prefix('#').and_then(|p| self.root.pointer(p)) {
                Some(found) => schema = found,
                None => return &Value::Bool(true),
            }
        }
        schema
    }

    fn walk(&self, schema: &Value, value: &Value, at: &str, found: &mut Findings) {
        let schema = self.resolve(schema);
        let Some(schema) = schema.as_object() else {
            return; // `true`: anything goes.
        };
        if let Some(branches) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            if !self.any_of(schema, branches, value, at, found) {
                return;
            }
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for part in all {
                self.walk(part, value, at, found);
            }
        }
        if !type_fits(schema.get("type"), value) {
            let expected = schema.get("type").map_or(String::new(), Value::to_string);
            found.invalid(at, format!("expected {expected}, got {}", kind(value)));
            return;
        }
        if let Some(Value::Array(members)) = schema.get("enum") {
            if !members.contains(value) {
                found.invalid(
                    at,
                    format!("must be one of {}", Value::from(members.clone())),
                );
                return;
            }
        }
        match value {
            Value::Object(fields) => self.object(schema, fields, at, found),
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.walk(item, v, &format!("{at}[{i}]"), found);
                    }
                }
            }
            Value::String(text) => check_format(schema.get("format"), text, at, found),
            _ => {}
        }
    }

    /// `anyOf`/`oneOf`: `null` against a nullable wrapper, an open enum's known members
    /// (a request must name one of them), else the first branch that fits. Whether the walk
    /// should go on with this schema's own keywords.
    fn any_of(
        &self,
        schema: &Map<String, Value>,
        branches: &Value,
        value: &Value,
        at: &str,
        found: &mut Findings,
    ) -> bool {
        let Value::Array(branches) = branches else {
            return true;
        };
        if let Some(members) = branches.iter().find_map(|b| b.get("enum")) {
            if schema.get("type").is_some()
                && !members.as_array().is_some_and(|m| m.contains(value))
            {
                if value.is_string() {
                    found.invalid(at, format!("must be one of {members}"));
                    return false;
                }
                return true; // the type check names it
            }
            return true;
        }
        let mut first: Option<Findings> = None;
        for branch in branches {
            let mut trial = Findings::default();
            self.walk(branch, value, at, &mut trial);
            if trial.is_empty() {
                return true;
            }
            first.get_or_insert(trial);
        }
        if let Some(trial) = first {
            found.missing.extend(trial.missing);
            found.unknown.extend(trial.unknown);
            if let Some((field, why)) = trial.invalid {
                found.invalid.get_or_insert((field, why));
            }
        }
        false
    }

    fn object(
        &self,
        schema: &Map<String, Value>,
        fields: &Map<String, Value>,
        at: &str,
        found: &mut Findings,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    found.missing.push(join(at, name));
                }
            }
        }
        let extra = schema.get("additionalProperties");
        for (name, value) in fields {
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.walk(property, value, &join(at, name), found),
                None => match extra {
                    Some(Value::Bool(false)) => found.unknown.push(join(at, name)),
                    Some(extra) => self.walk(extra, value, &join(at, name), found),
                    None if properties.is_none() => {}
                    None if at.is_empty() && CREDENTIALS.contains(&name.as_str()) => {}
                    None => found.unknown.push(join(at, name)),
                },
            }
        }
    }
}

/// Whether `value` is of one of the schema's types (no `type`: any).
fn type_fits(ty: Option<&Value>, value: &Value) -> bool {
    match ty {
        Some(Value::String(ty)) => one_type_fits(ty, value),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .any(|t| one_type_fits(t, value)),
        _ => true,
    }
}

fn one_type_fits(ty: &str, value: &Value) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => true,
    }
}

/// The formats cheap to check: `date` (`YYYY-MM-DD`) and `date-time` (RFC 3339's date, `T`).
fn check_format(format: Option<&Value>, text: &str, at: &str, found: &mut Findings) {
    let ok = match format.and_then(Value::as_str) {
        Some("date") => is_date(text.as_bytes()),
        // Bytes, not `&text[..10]`: a request's text may not split at a char boundary there.
        Some("date-time") => {
            let b = text.as_bytes();
            b.len() >= 20 && is_date(&b[..10]) && b[10] == b'T'
        }
        _ => true,
    };
    if !ok {
        found.invalid(
            at,
            format!(
                "{text:?} is not a valid {}",
                format.map_or(String::new(), Value::to_string)
            ),
        );
    }
}

fn is_date(b: &[u8]) -> bool {
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

fn display(at: &str) -> String {
    if at.is_empty() {
        "body".to_string()
    } else {
        at.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check() -> SchemaCheck {
        SchemaCheck::new(json!({
            "type": "object",
            "properties": {
                "access_token": {"type": "string"},
                "options": {"anyOf": [{"$ref": "#/$defs/Options"}, {"type": "null"}]},
                "kind": {"type": "string", "anyOf": [{"enum": ["a", "b"]}, {"description": "x"}]},
                "day": {"type": ["string", "null"], "format": "date"}
            },
            "required": ["access_token", "kind"],
            "$defs": {"Options": {"type": "object", "properties": {
                "count": {"type": ["integer", "null"]}}}}
        }))
    }

    fn code(request: Value) -> Option<(&'static str, String)> {
        check()
            .check(&request)
            .err()
            .map(|e| (e.error_code, e.message))
    }

    #[test]
    fn every_missing_field_is_named() {
        let (code, message) = code(json!({})).unwrap();
        assert_eq!(code, "MISSING_FIELDS");
        assert!(message.ends_with("access_token, kind"), "{message}");
    }

    #[test]
    fn wrong_types_enum_values_and_dates_are_invalid_fields() {
        for (request, field) in [
            (json!({"access_token": 12, "kind": "a"}), "access_token"),
            (json!({"access_token": "t", "kind": "c"}), "kind"),
            (
                json!({"access_token": "t", "kind": "a", "options": {"count": "2"}}),
                "options.count",
            ),
            (
                json!({"access_token": "t", "kind": "a", "day": "2024-1-1"}),
                "day",
            ),
        ] {
            let (code, message) = code(request).unwrap();
            assert_eq!(code, "INVALID_FIELD");
            assert!(
                message.starts_with(&format!("the field {field} is")),
                "{message}"
            );
        }
    }

    #[test]
    fn unknown_fields_are_named_and_credentials_and_nulls_accepted() {
        let (c, message) =
            code(json!({"access_token": "t", "kind": "a", "extra": 1, "options": {"x": 1}}))
                .unwrap();
        assert_eq!(c, "UNKNOWN_FIELDS");
        assert!(
            message.ends_with("extra, options.x") || message.ends_with("options.x, extra"),
            "{message}"
        );
        let fine = json!({"access_token": "t", "kind": "b", "client_id": "i", "secret": "s",
            "options": null, "day": null});
        assert!(code(fine).is_none());
        assert!(
            code(json!({"access_token": "t", "kind": "a", "options": {"count": null}})).is_none()
        );
    }
}
