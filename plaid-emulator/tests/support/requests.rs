//! Valid requests made from a request type's JSON Schema (plaid-client's feature `schemars`),
//! for the tests that send every operation over raw HTTP (`request_checks.rs`,
//! `every_operation.rs`): required fields only, each of a valid type, enum value and format,
//! with the values a test holds state for filled in by field name (`access_token`, an Item's
//! `account_id`s, a transfer's id, …).

use std::collections::HashMap;

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// `T`'s JSON Schema as the server reads it (`required` is what reading needs).
pub fn schema_of<T: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Values for fields by name, used wherever a request has a field of that name: an
/// `access_token`, `account_id`, `transfer_id`, … the emulator holds state for.
#[derive(Default, Clone)]
pub struct Fill {
    by_name: HashMap<String, Value>,
    /// Names filled where the field is optional too (ids that select what is asked about).
    optional: Vec<String>,
}

impl Fill {
    /// A fill with `access_token` set.
    pub fn token(access_token: &str) -> Self {
        Self::default().with("access_token", json!(access_token))
    }

    /// `name` filled with `value` wherever it appears, required or not: an id the emulator
    /// holds state for, which a request may give in one of several fields.
    pub fn with_optional(mut self, name: &str, value: Value) -> Self {
        self.optional.push(name.to_string());
        self.with(name, value)
    }

    /// The value `name` is filled with.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.by_name.get(name)
    }

    /// `name` filled with `value` wherever it appears.
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.by_name.insert(name.to_string(), value);
        self
    }
}

/// A minimal valid request for the root schema `root`: its required fields, those `fill`
/// names with its values.
pub fn minimal(root: &Value, fill: &Fill) -> Value {
    Synth { root, fill }.value(root, 0)
}

struct Synth<'a> {
    root: &'a Value,
    fill: &'a Fill,
}

impl Synth<'_> {
    /// A newtype's schema is a reference to its inner type's: follow the chain.
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            schema = self.root.pointer(&r[1..]).unwrap();
        }
        schema
    }

    fn value(&self, schema: &Value, depth: usize) -> Value {
        let schema = self.resolve(schema);
        assert!(depth < 32, "a required cycle at {schema}");
        if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            if let Some(members) = branches.iter().find_map(|b| b.get("enum")) {
                return members[0].clone();
            }
            let branch = branches
                .iter()
                .find(|b| b.get("type") != Some(&json!("null")));
            return self.value(branch.unwrap(), depth + 1);
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            return self.value(&all[0], depth + 1);
        }
        if let Some(Value::Array(members)) = schema.get("enum") {
            return members.iter().find(|m| !m.is_null()).unwrap().clone();
        }
        let ty = match schema.get("type") {
            Some(Value::Array(types)) => types.iter().find(|t| *t != "null").cloned(),
            other => other.cloned(),
        };
        match ty.as_ref().and_then(Value::as_str) {
            Some("object") => self.object(schema, depth),
            Some("array") => match schema.get("items") {
                Some(item) => json!([self.value(item, depth + 1)]),
                None => json!([]),
            },
            Some("string") => json!(match schema.get("format").and_then(Value::as_str) {
                Some("date") => "2024-01-02",
                Some("date-time") => "2024-01-02T00:00:00Z",
                _ => "x",
            }),
            Some("integer") | Some("number") => json!(1),
            Some("boolean") => json!(false),
            _ => json!({}),
        }
    }

    fn object(&self, schema: &Value, depth: usize) -> Value {
        let mut out = Map::new();
        let required = schema["required"].as_array().cloned().unwrap_or_default();
        let known = schema["properties"].as_object().into_iter().flatten();
        let optional = known
            .map(|(name, _)| name.as_str())
            .filter(|name| self.fill.optional.iter().any(|o| o == name));
        for name in required.iter().filter_map(Value::as_str).chain(optional) {
            let value = match self.fill.by_name.get(name) {
                Some(value) => value.clone(),
                None => self.value(&schema["properties"][name], depth + 1),
            };
            out.insert(name.to_string(), value);
        }
        Value::Object(out)
    }
}
