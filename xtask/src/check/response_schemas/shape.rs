//! Reading one side's schema: the normalized spec's or the generated type's, with references,
//! `allOf`s and null alternatives resolved into a [`Shape`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::spec;

/// A subschema and its location (a JSON pointer into the spec; unused for generated schemas).
pub(super) type Located<'a> = (&'a Value, String);

/// What one side says about a value, with references, `allOf`s and null alternatives resolved.
#[derive(Default)]
pub(super) struct Shape<'a> {
    /// Spec: the location of the schema (its component, when it is one). Unused for generated.
    pub(super) location: String,
    /// Generated: the type whose schema this is, if named.
    pub(super) def: Option<String>,
    pub(super) any: bool,
    pub(super) nullable: bool,
    pub(super) ty: Option<String>,
    pub(super) format: Option<String>,
    pub(super) members: Option<BTreeSet<String>>,
    pub(super) properties: BTreeMap<String, Located<'a>>,
    pub(super) required: BTreeSet<String>,
    pub(super) items: Option<Located<'a>>,
    pub(super) values: Option<Located<'a>>,
    /// Spec: a keyword this check does not compare (`oneOf`, `anyOf`, `not`).
    pub(super) uncompared: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Any,
    Object,
    Map,
    Array,
    Scalar(&'static str),
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Any => f.write_str("any JSON value"),
            Kind::Object => f.write_str("an object with fields"),
            Kind::Map => f.write_str("a map"),
            Kind::Array => f.write_str("an array"),
            Kind::Scalar(t) if t.starts_with(['a', 'e', 'i', 'o', 'u']) => write!(f, "an {t}"),
            Kind::Scalar(t) => write!(f, "a {t}"),
        }
    }
}

impl<'a> Shape<'a> {
    pub(super) fn kind(&self) -> Kind {
        if self.any {
            return Kind::Any;
        }
        match self.ty.as_deref() {
            Some("array") => Kind::Array,
            Some("string") => Kind::Scalar("string"),
            Some("integer") => Kind::Scalar("integer"),
            Some("number") => Kind::Scalar("number"),
            Some("boolean") => Kind::Scalar("boolean"),
            _ if !self.properties.is_empty() => Kind::Object,
            Some("object") => Kind::Map,
            _ => Kind::Any,
        }
    }

    /// Read the keywords of one (resolved) schema object into the shape.
    pub(super) fn absorb(&mut self, obj: &'a Map<String, Value>, location: &str) {
        if obj.get("nullable") == Some(&Value::Bool(true)) {
            self.nullable = true;
        }
        match obj.get("type") {
            Some(Value::String(t)) => self.ty = Some(t.clone()),
            Some(Value::Array(ts)) => {
                for t in ts.iter().filter_map(Value::as_str) {
                    if t == "null" {
                        self.nullable = true;
                    } else {
                        self.ty = Some(t.to_string());
                    }
                }
            }
            _ => {}
        }
        if let Some(f) = obj.get("format").and_then(Value::as_str) {
            self.format = Some(f.to_string());
        }
        if let Some(members) = obj.get("enum").and_then(Value::as_array) {
            let set = self.members.get_or_insert_with(BTreeSet::new);
            for m in members {
                match m {
                    Value::Null => self.nullable = true,
                    Value::String(s) => {
                        set.insert(s.clone());
                    }
                    other => {
                        set.insert(other.to_string());
                    }
                }
            }
        }
        for (name, schema) in obj
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let at = format!("{location}/properties/{}", spec::pointer_escape(name));
            self.properties.insert(name.clone(), (schema, at));
        }
        for r in obj
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str() {
                self.required.insert(r.to_string());
            }
        }
        if let Some(items) = obj.get("items") {
            self.items = Some((items, format!("{location}/items")));
        }
        if let Some(values) = obj.get("additionalProperties").filter(|v| v.is_object()) {
            self.values = Some((values, format!("{location}/additionalProperties")));
        }
    }

    /// No keyword that constrains the value's kind.
    pub(super) fn finish(mut self) -> Self {
        self.any = self.ty.is_none()
            && self.properties.is_empty()
            && self.items.is_none()
            && self.members.is_none()
            && self.values.is_none();
        self
    }
}

/// The normalized spec's schema at `schema` (found at `location`), resolved.
pub(super) fn spec_shape<'a>(spec: &'a Value, schema: &'a Value, location: String) -> Shape<'a> {
    let mut shape = Shape {
        location: identity(schema, &location),
        ..Shape::default()
    };
    spec_absorb(spec, schema, &location, &mut shape, 0);
    shape.finish()
}

pub(super) fn spec_absorb<'a>(
    spec: &'a Value,
    node: &'a Value,
    location: &str,
    shape: &mut Shape<'a>,
    depth: u8,
) {
    if depth > 32 {
        return;
    }
    if node.get("nullable") == Some(&Value::Bool(true)) {
        shape.nullable = true;
    }
    if let Some(target) = ref_target(node) {
        if let Some(resolved) = spec.pointer(target) {
            spec_absorb(spec, resolved, &format!("#{target}"), shape, depth + 1);
        }
        return;
    }
    for keyword in ["oneOf", "anyOf", "not"] {
        if node.get(keyword).is_some() {
            shape.uncompared.get_or_insert(keyword);
        }
    }
    for (i, member) in node
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        spec_absorb(
            spec,
            member,
            &format!("{location}/allOf/{i}"),
            shape,
            depth + 1,
        );
    }
    if let Some(obj) = node.as_object() {
        shape.absorb(obj, location);
    }
}

pub(super) fn ref_target(node: &Value) -> Option<&str> {
    node.get("$ref")?.as_str()?.strip_prefix('#')
}

/// The location that names a spec schema: the component a `$ref` (or an `allOf` of one
/// `$ref`) points to, else where it is.
pub(super) fn identity(node: &Value, location: &str) -> String {
    if let Some(target) = ref_target(node) {
        return format!("#{target}");
    }
    match node
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => identity(only, &format!("{location}/allOf/0")),
        _ => location.to_string(),
    }
}

/// A generated schema (schemars, JSON Schema 2020-12), resolved through `$ref`s into `defs`
/// and `anyOf [X, null]`.
pub(super) fn gen_shape<'a>(defs: &'a Map<String, Value>, schema: &'a Value) -> Shape<'a> {
    let mut shape = Shape::default();
    let mut node = schema;
    for _ in 0..32 {
        let Some(obj) = node.as_object() else {
            // `true`: any value.
            return shape.finish();
        };
        if let Some(name) = obj
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            let Some(def) = defs.get(name) else { break };
            shape.def = Some(name.to_string());
            node = def;
            continue;
        }
        if let Some(other) = non_null_alternative(obj) {
            shape.nullable = true;
            node = other;
            continue;
        }
        shape.absorb(obj, "");
        // An open enum lists its known members in one `anyOf` branch.
        for branch in obj
            .get("anyOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(b) = branch.as_object().filter(|b| b.contains_key("enum")) {
                shape.absorb(b, "");
            }
        }
        break;
    }
    shape.finish()
}

/// `X` of `{"anyOf": [X, {"type": "null"}]}`.
pub(super) fn non_null_alternative(obj: &Map<String, Value>) -> Option<&Value> {
    let Some([a, b]) = obj
        .get("anyOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    else {
        return None;
    };
    let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    match (is_null(a), is_null(b)) {
        (false, true) => Some(a),
        (true, false) => Some(b),
        _ => None,
    }
}

/// Whether the operation's 2xx responses have no content at all.
pub(super) fn success_without_body(spec: &Value, path: &str, method: &str) -> bool {
    let Some(responses) = crate::spec::lookup::spec_operation(spec, path, method)
        .and_then(|op| op.get("responses"))
        .and_then(Value::as_object)
    else {
        return false;
    };
    let mut success = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .peekable();
    success.peek().is_some() && success.all(|(_, r)| r.get("content").is_none())
}

/// The schema of an operation's first 2xx JSON response, and its location.
pub(super) fn success_schema<'a>(
    spec: &'a Value,
    path: &str,
    method: &str,
) -> Option<(&'a Value, String)> {
    let op = crate::spec::lookup::spec_operation(spec, path, method)?;
    let responses = op.get("responses")?.as_object()?;
    let (code, response) = responses.iter().find(|(code, response)| {
        code.starts_with('2')
            && response
                .pointer("/content/application~1json/schema")
                .is_some()
    })?;
    let location = format!(
        "#/paths/{}/{method}/responses/{code}/content/application~1json/schema",
        spec::pointer_escape(path)
    );
    Some((
        response.pointer("/content/application~1json/schema")?,
        location,
    ))
}
