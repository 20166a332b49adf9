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
//! A field's type is given as the innermost type's `subschema_for` and the wrappers around it
//! ([`Wrap`]: `Option`, `Vec`, maps), applied here.
//!
//! Types are named `plaid_client::types::Name` (their `schema_id`), so they cannot be confused
//! with a type of the same name in the user's own schema generator.

use schemars::{Schema, SchemaGenerator};
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

/// How a field's Rust type wraps the type whose schema is looked up (outermost first):
/// `Option<Vec<T>>` is `[NULLABLE, ARRAY]` over `T`. The generator peels these off so that
/// only `subschema_for::<T>` is instantiated per field type, not schemars' generic impls for
/// every `Option<..>`, `Vec<..>` and map of it (a third of the feature's build time); the
/// schemas are the same as schemars' own (tested below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// `Option<_>`: also `null`.
    Nullable,
    /// `Vec<_>`: an array of it.
    Array,
    /// `HashMap<String, _>` / `BTreeMap<String, _>`: an object with it as every value.
    Map,
}

/// [`Wrap::Nullable`].
pub const NULLABLE: Wrap = Wrap::Nullable;
/// [`Wrap::Array`].
pub const ARRAY: Wrap = Wrap::Array;
/// [`Wrap::Map`].
pub const MAP: Wrap = Wrap::Map;

/// The schema of the innermost type, by reference if it is named:
/// `SchemaGenerator::subschema_for::<T>`.
pub type Subschema = fn(&mut SchemaGenerator) -> Schema;

/// The schema of an object type, built one field at a time.
pub struct Object<'g> {
    generator: &'g mut SchemaGenerator,
    properties: Map<String, Value>,
    required: Vec<Value>,
}

impl<'g> Object<'g> {
    /// An object without fields yet, for `generator`'s contract.
    pub fn new(generator: &'g mut SchemaGenerator) -> Self {
        Self {
            generator,
            properties: Map::new(),
            required: Vec::new(),
        }
    }

    /// Add the field `key`, of the type `wraps` around the one `inner` describes.
    pub fn field(
        &mut self,
        key: &str,
        presence: Presence,
        inner: Subschema,
        wraps: &[Wrap],
        description: &str,
    ) {
        let mut schema = wrapped(self.generator, inner, wraps);
        describe(&mut schema, description);
        self.properties.insert(key.to_owned(), schema.to_value());
        let required = if self.generator.contract().is_serialize() {
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

/// `inner`'s schema inside `wraps`, innermost first.
fn wrapped(generator: &mut SchemaGenerator, inner: Subschema, wraps: &[Wrap]) -> Schema {
    let mut schema = inner(generator);
    for wrap in wraps.iter().rev() {
        schema = match wrap {
            Wrap::Nullable => allow_null(schema),
            Wrap::Array => container("items", schema),
            Wrap::Map => container("additionalProperties", schema),
        };
    }
    schema
}

/// An array (`items`) or a map (`additionalProperties`) of `schema`.
fn container(keyword: &str, schema: Schema) -> Schema {
    let mut map = Map::new();
    let ty = if keyword == "items" {
        "array"
    } else {
        "object"
    };
    map.insert("type".into(), ty.into());
    map.insert(keyword.into(), schema.to_value());
    Schema::from(map)
}

/// `schema` or `null`, as schemars writes it for an `Option`: `type` gains `"null"`; a
/// reference or composition becomes `anyOf: [schema, {"type": "null"}]`.
fn allow_null(schema: Schema) -> Schema {
    let Value::Object(mut map) = schema.to_value() else {
        // `true` already allows null.
        return Schema::from(true);
    };
    let composed = ["$ref", "allOf", "anyOf", "oneOf", "if"]
        .iter()
        .any(|k| map.contains_key(*k));
    if composed {
        let null = Value::Object(Map::from_iter([("type".to_owned(), "null".into())]));
        let any_of = Value::Array(vec![Value::Object(map), null]);
        return Schema::from(Map::from_iter([("anyOf".to_owned(), any_of)]));
    }
    match map.get_mut("type") {
        Some(Value::String(ty)) if ty != "null" => {
            let ty = std::mem::take(ty);
            map.insert("type".into(), Value::Array(vec![ty.into(), "null".into()]));
        }
        Some(Value::Array(types)) if !types.contains(&"null".into()) => types.push("null".into()),
        _ => {}
    }
    if let Some(Value::Array(members)) = map.get_mut("enum") {
        if !members.contains(&Value::Null) {
            members.push(Value::Null);
        }
    }
    Schema::from(map)
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

/// The schema of a newtype over the type `wraps` around the one `inner` describes.
pub fn newtype(
    generator: &mut SchemaGenerator,
    inner: Subschema,
    wraps: &[Wrap],
    description: &str,
) -> Schema {
    let mut schema = wrapped(generator, inner, wraps);
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
    use schemars::JsonSchema;
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
            let mut o = Object::new(&mut g);
            let string: Subschema = SchemaGenerator::subschema_for::<String>;
            o.field("id", REQUIRED, string, &[], "The id.");
            o.field("name", REQUIRED_WHEN_READ, string, &[NULLABLE], "");
            o.field("tags", DEFAULTED, string, &[ARRAY], "");
            let count = SchemaGenerator::subschema_for::<i64>;
            o.field("count", OPTIONAL, count, &[NULLABLE], "");
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

    /// A named type, referred to by `$ref`.
    struct Named;
    impl JsonSchema for Named {
        fn schema_name() -> std::borrow::Cow<'static, str> {
            "Named".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            schemars::json_schema!({"type": "object"})
        }
    }

    /// The wrapped schema, and schemars' own for the wrapped Rust type: the same.
    fn both<T: JsonSchema>(inner: Subschema, wraps: &[Wrap]) -> (Value, Value) {
        let mut g = SchemaSettings::draft2020_12().into_generator();
        let ours = wrapped(&mut g, inner, wraps).to_value();
        let theirs = g.subschema_for::<T>().to_value();
        (ours, theirs)
    }

    #[test]
    fn wrappers_give_the_schemas_schemars_gives_the_wrapped_types() {
        use std::collections::{BTreeMap, HashMap};
        let string: Subschema = SchemaGenerator::subschema_for::<String>;
        let named: Subschema = SchemaGenerator::subschema_for::<Named>;
        let value: Subschema = SchemaGenerator::subschema_for::<serde_json::Value>;
        let cases = [
            both::<Option<String>>(string, &[NULLABLE]),
            both::<Option<Named>>(named, &[NULLABLE]),
            both::<Vec<Option<Named>>>(named, &[ARRAY, NULLABLE]),
            both::<Option<Vec<String>>>(string, &[NULLABLE, ARRAY]),
            both::<HashMap<String, Named>>(named, &[MAP]),
            both::<Option<BTreeMap<String, Vec<String>>>>(string, &[NULLABLE, MAP, ARRAY]),
            both::<Option<serde_json::Value>>(value, &[NULLABLE]),
            both::<Option<chrono::NaiveDate>>(
                SchemaGenerator::subschema_for::<chrono::NaiveDate>,
                &[NULLABLE],
            ),
        ];
        for (ours, theirs) in cases {
            assert_eq!(ours, theirs);
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
