//! The JSON Schemas of the generated types (feature `schemars`): the three shapes the
//! generator writes `schemars::JsonSchema` impls for, built here once instead of expanded per
//! type (the generated impls are one call per field; see `xtask/src/codegen/passes/json_schema.rs`).
//!
//! - **Objects** (structs whose serde impls the generator writes): one property per field under
//!   its wire name, `required` from how the field is read or written (see [`Presence`]), the
//!   field's schema by reference, its doc comment as `description`. An `Option` field's schema
//!   allows `null` (schemars' rule for `Option`).
//! - **Open enums** (string enums with the `UnknownValue(String)` fallback): a string whose
//!   known members are listed, and which accepts any other string, as the client does:
//!   `{"type": "string", "anyOf": [{"enum": [..known]}, {"description": "..any other.."}]}`.
//! - **Newtypes** (`#[serde(transparent)]` tuple structs): the inner type's schema.
//!
//! Types are named `plaid_client::types::Name` (their `schema_id`), so they cannot be confused
//! with a type of the same name in the user's own schema generator.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

/// Whether a field must be present: when the client reads it (the deserialize contract,
/// schemars' default) and when it writes it (the serialize contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    /// Reading fails if the field is absent (no default, not an optional `Option`).
    pub read: bool,
    /// Writing always emits the field (no `skip_serializing_if`).
    pub written: bool,
}

/// Required when read and always written.
pub const REQUIRED: Presence = Presence {
    read: true,
    written: true,
};
/// Optional when read, and left out when written if empty.
pub const OPTIONAL: Presence = Presence {
    read: false,
    written: false,
};
/// Optional when read (a default fills it), always written.
pub const DEFAULTED: Presence = Presence {
    read: false,
    written: true,
};
/// Required when read, left out when written if empty.
pub const REQUIRED_WHEN_READ: Presence = Presence {
    read: true,
    written: false,
};

/// The schema of an object type, built one field at a time.
pub struct Object {
    properties: Map<String, Value>,
    required: Vec<Value>,
    serialize: bool,
}

impl Object {
    /// An object without fields yet, for `generator`'s contract.
    pub fn new(generator: &SchemaGenerator) -> Self {
        Self {
            properties: Map::new(),
            required: Vec::new(),
            serialize: generator.contract().is_serialize(),
        }
    }

    /// Add the field `key` of type `T`.
    pub fn field<T: JsonSchema>(
        &mut self,
        generator: &mut SchemaGenerator,
        key: &str,
        presence: Presence,
        description: &str,
    ) {
        let mut schema = generator.subschema_for::<T>();
        describe(&mut schema, description);
        self.properties.insert(key.to_owned(), schema.to_value());
        let required = if self.serialize {
            presence.written
        } else {
            presence.read
        };
        if required {
            self.required.push(Value::String(key.to_owned()));
        }
    }

    /// The finished schema.
    pub fn finish(self, description: &str) -> Schema {
        let mut map = Map::new();
        map.insert("type".into(), "object".into());
        describe_map(&mut map, description);
        map.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            map.insert("required".into(), Value::Array(self.required));
        }
        Schema::from(map)
    }
}

/// The text the schema of an open enum gives its fallback branch.
pub const UNKNOWN_VALUE: &str =
    "Any other string: a value this version of the client does not know, kept as received \
     (`UnknownValue`).";

/// The schema of an open string enum whose known wire values are `known`.
pub fn open_enum(known: &[&str], description: &str) -> Schema {
    let mut map = Map::new();
    map.insert("type".into(), "string".into());
    describe_map(&mut map, description);
    let members: Vec<Value> = known.iter().map(|v| Value::from(*v)).collect();
    let mut listed = Map::new();
    listed.insert("enum".into(), Value::Array(members));
    let mut other = Map::new();
    other.insert("description".into(), UNKNOWN_VALUE.into());
    map.insert(
        "anyOf".into(),
        Value::Array(vec![Value::Object(listed), Value::Object(other)]),
    );
    Schema::from(map)
}

/// The schema of a newtype over `T`: `T`'s schema (by reference if `T` is named).
pub fn newtype<T: JsonSchema>(generator: &mut SchemaGenerator, description: &str) -> Schema {
    let mut schema = generator.subschema_for::<T>();
    describe(&mut schema, description);
    schema
}

fn describe(schema: &mut Schema, description: &str) {
    if !description.is_empty() {
        schema.insert("description".into(), description.into());
    }
}

fn describe_map(map: &mut Map<String, Value>, description: &str) {
    if !description.is_empty() {
        map.insert("description".into(), description.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemars::generate::SchemaSettings;
    use serde_json::json;

    #[test]
    fn object_required_set_follows_the_contract() {
        for (settings, required) in [
            (
                SchemaSettings::draft2020_12().for_deserialize(),
                json!(["id", "name"]),
            ),
            (
                SchemaSettings::draft2020_12().for_serialize(),
                json!(["id", "tags"]),
            ),
        ] {
            let mut g = settings.into_generator();
            let mut o = Object::new(&g);
            o.field::<String>(&mut g, "id", REQUIRED, "The id.");
            o.field::<Option<String>>(&mut g, "name", REQUIRED_WHEN_READ, "");
            o.field::<Vec<String>>(&mut g, "tags", DEFAULTED, "");
            o.field::<Option<i64>>(&mut g, "count", OPTIONAL, "");
            let schema = o.finish("A thing.").to_value();
            assert_eq!(schema["required"], required, "{schema}");
            assert_eq!(schema["description"], "A thing.");
            assert_eq!(schema["properties"]["id"]["description"], "The id.");
            assert_eq!(
                schema["properties"]["name"]["type"],
                json!(["string", "null"])
            );
            assert_eq!(schema["properties"]["tags"]["type"], "array");
        }
    }

    #[test]
    fn open_enum_lists_known_members_and_accepts_any_string() {
        let schema = open_enum(&["match", "no_match"], "").to_value();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["anyOf"][0]["enum"], json!(["match", "no_match"]));
        assert_eq!(schema["anyOf"][1]["description"], UNKNOWN_VALUE);
        assert!(schema.get("description").is_none());
    }
}
