//! `cargo xtask response-schemas [--spec PATH]`: the JSON Schema of every generated response
//! type (plaid-client's `schemars` feature) against the normalized spec's schema for it.
//!
//! Conformance replays examples, so it sees only the fields some example carries. This check
//! walks each operation's response schema and the generated type's schema side by side, through
//! every field, item and map value, and reports every difference:
//!
//! - a field in one and not the other (under its wire name, so a lost `rename` shows);
//! - a field required in one and optional in the other, except one exception by design: a
//!   field the spec marks required *and* nullable may be absent in the generated type, which
//!   reads its absence as `null` (real responses leave such keys out; counted, not reported);
//! - nullability: the spec allows `null` and the type rejects it; or the type accepts `null`
//!   for a field the spec requires non-null (loosened). An optional field is an `Option` in
//!   Rust, whose schema allows `null`: for a field optional on both sides that is how "may be
//!   absent" is written, not a difference. Array items, map values and the response itself
//!   must agree exactly;
//! - the kind of value (object, map, array, string, integer, number, boolean, any JSON), the
//!   formats that have their own Rust type (`date`, `date-time`, `uuid`), and enum members (an
//!   open enum's known members: see `plaid-client/src/runtime/json_schema.rs`).
//!
//! The schemas come from the `response-schemas` binary of the conformance crate (built with
//! `plaid-client/schemars`), for the reason conformance is a crate of its own: xtask must not
//! link plaid-client. Each difference is reported once, at the generated type that holds it,
//! with the first operation and path through which the walk reached it.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Map, Value};

use crate::repair;
use crate::spec;

/// The string formats that have a Rust type of their own, so a lost one is a changed type.
const TYPED_FORMATS: &[&str] = &["date", "date-time", "uuid"];

pub fn run(root: &Path, spec_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let repair::Normalized {
        original,
        doc: normalized,
        ..
    } = repair::load_normalized(root, spec_path)?;
    let generated = generated_schemas(root)?;
    let (version, client_version) = (
        spec::version(&original),
        generated["spec_version"].as_str().unwrap_or("unknown"),
    );
    anyhow::ensure!(
        version == client_version,
        "the client was generated from spec {client_version}, not {version}; run `cargo xtask generate`"
    );
    let responses = generated["responses"].as_array().map_or(0, Vec::len);
    let report = compare(&normalized, &generated);
    for d in &report.differences {
        println!("{d}");
    }
    println!(
        "response schemas: {responses} operations, {} type/schema pairs, {} fields compared with \
         spec {version}: {} differences ({} required nullable fields also accepted absent, by \
         design)",
        report.pairs,
        report.fields,
        report.differences.len(),
        report.absent_as_null
    );
    Ok(if report.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Run the conformance crate's `response-schemas` binary and read what it wrote.
fn generated_schemas(root: &Path) -> anyhow::Result<Value> {
    let dir = root.join("target").join("conformance");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("response-schemas.json");
    anyhow::ensure!(
        super::run_conformance_bin(root, "response-schemas", &file)?,
        "the response-schemas binary failed"
    );
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", file.display()))
}

/// One difference between the spec and a generated type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The generated type that holds it (its schema name).
    pub owner: String,
    /// The path inside that type: `balances`, `accounts[]`, `metadata{}`; empty for the type.
    pub field: String,
    pub what: String,
    /// The first operation and response path through which the walk reached it.
    pub via: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.field.is_empty() {
            self.owner.clone()
        } else {
            format!("{}.{}", self.owner, self.field)
        };
        write!(f, "{at}: {} (reached from {})", self.what, self.via)
    }
}

/// What [`compare`] found.
pub struct Report {
    pub differences: Vec<Difference>,
    /// (spec schema, generated type) pairs compared.
    pub pairs: usize,
    /// Fields compared (each field of each pair).
    pub fields: usize,
    /// Required-and-nullable spec fields that the generated type also accepts absent.
    pub absent_as_null: usize,
}

/// Compare every response of `generated` (the `response-schemas` binary's output) with the
/// normalized spec's schema for the same operation.
pub fn compare(spec: &Value, generated: &Value) -> Report {
    let empty = Map::new();
    let mut walk = Walk {
        spec,
        defs: generated["definitions"].as_object().unwrap_or(&empty),
        seen: HashSet::new(),
        found: BTreeMap::new(),
        fields: 0,
        absent_as_null: 0,
    };
    for response in generated["responses"].as_array().into_iter().flatten() {
        walk.response(response);
    }
    let differences = walk
        .found
        .into_iter()
        .map(|((owner, field, what), via)| Difference {
            owner,
            field,
            what,
            via,
        })
        .collect();
    Report {
        differences,
        pairs: walk.seen.len(),
        fields: walk.fields,
        absent_as_null: walk.absent_as_null,
    }
}

/// Where the walk is: the generated type that holds the current value, the path inside it, and
/// the path from the operation's response.
#[derive(Clone)]
struct Here {
    owner: String,
    field: String,
    via: String,
}

impl Here {
    fn child(&self, step: &str) -> Here {
        let join = |base: &str| match (base.is_empty(), step.starts_with(['[', '{'])) {
            (true, _) | (_, true) => format!("{base}{step}"),
            _ => format!("{base}.{step}"),
        };
        Here {
            owner: self.owner.clone(),
            field: join(&self.field),
            via: join(&self.via),
        }
    }
}

struct Walk<'a> {
    spec: &'a Value,
    defs: &'a Map<String, Value>,
    /// (spec location, generated type) pairs already compared.
    seen: HashSet<(String, String)>,
    /// (owner, field, what) → the first path that reached it.
    found: BTreeMap<(String, String, String), String>,
    fields: usize,
    absent_as_null: usize,
}

/// The one accepted difference in `required`: the spec requires a nullable field, and the
/// generated type, which accepts `null` for it, also accepts it absent (as `None`).
fn absent_reads_as_null(spec_required: bool, spec: &Shape, generated: &Shape) -> bool {
    spec_required && spec.nullable && (generated.nullable || generated.any)
}

impl<'a> Walk<'a> {
    fn response(&mut self, response: &'a Value) {
        let text = |k: &str| response[k].as_str().unwrap_or_default().to_string();
        let (path, method) = (text("path"), text("method").to_ascii_lowercase());
        let here = Here {
            owner: text("type"),
            field: String::new(),
            via: format!("{} {}", text("operation_id"), text("type")),
        };
        let Some((schema, location)) = success_schema(self.spec, &path, &method) else {
            // A success response without a body is `()` in the client, whose schema is `null`.
            let unit = response["schema"].get("type").and_then(Value::as_str) == Some("null");
            if !(unit && success_without_body(self.spec, &path, &method)) {
                self.report(
                    &here,
                    "the spec has no JSON success response for this operation",
                );
            }
            return;
        };
        let s = spec_shape(self.spec, schema, location);
        let g = gen_shape(self.defs, &response["schema"]);
        self.nullability(&s, &g, true, &here);
        self.shape(&s, &g, here);
    }

    fn report(&mut self, here: &Here, what: &str) {
        let key = (here.owner.clone(), here.field.clone(), what.to_string());
        self.found.entry(key).or_insert_with(|| here.via.clone());
    }

    /// Nullability where no absence is possible (the response, items, map values), or of a
    /// field present on both sides with `required` as the spec says.
    fn nullability(&mut self, s: &Shape, g: &Shape, required: bool, here: &Here) {
        if s.any || g.any {
            return;
        }
        if s.nullable && !g.nullable {
            self.report(here, "the spec allows null; the generated type rejects it");
        } else if !s.nullable && g.nullable && required {
            self.report(
                here,
                "the spec requires a non-null value; the generated type accepts null",
            );
        }
    }

    /// Compare what the value is, then descend.
    fn shape(&mut self, s: &Shape<'a>, g: &Shape<'a>, here: Here) {
        let here = match &g.def {
            Some(def) => {
                if !self.seen.insert((s.location.clone(), def.clone())) {
                    return;
                }
                Here {
                    owner: def.clone(),
                    field: String::new(),
                    via: here.via,
                }
            }
            None => here,
        };
        if let Some(keyword) = s.uncompared {
            // None in the pinned spec: a new one must be looked at, not passed unseen.
            self.report(
                &here,
                &format!("the spec uses `{keyword}`, which this check does not compare"),
            );
            return;
        }
        let (sk, gk) = (s.kind(), g.kind());
        if sk != gk {
            self.report(
                &here,
                &format!("the spec has {sk}; the generated type has {gk}"),
            );
            return;
        }
        match sk {
            Kind::Object => self.object(s, g, &here),
            Kind::Array => self.inner(s.items.as_ref(), g.items.as_ref(), here.child("[]")),
            Kind::Map => self.inner(s.values.as_ref(), g.values.as_ref(), here.child("{}")),
            _ => self.scalar(s, g, &here),
        }
    }

    fn inner(&mut self, s: Option<&Located<'a>>, g: Option<&Located<'a>>, here: Here) {
        let (Some(s), Some(g)) = (s, g) else { return };
        let s = spec_shape(self.spec, s.0, s.1.clone());
        let g = gen_shape(self.defs, g.0);
        if !s.any && !g.any && s.nullable != g.nullable {
            let what = if s.nullable {
                "the spec allows null; the generated type rejects it"
            } else {
                "the spec does not allow null; the generated type accepts it"
            };
            self.report(&here, what);
        }
        self.shape(&s, &g, here);
    }

    fn object(&mut self, s: &Shape<'a>, g: &Shape<'a>, here: &Here) {
        for (name, sp) in &s.properties {
            self.fields += 1;
            let at = here.child(name);
            let Some(gp) = g.properties.get(name) else {
                self.report(&at, "in the spec; missing from the generated type");
                continue;
            };
            let (s_req, g_req) = (s.required.contains(name), g.required.contains(name));
            let sf = spec_shape(self.spec, sp.0, sp.1.clone());
            let gf = gen_shape(self.defs, gp.0);
            if s_req != g_req && absent_reads_as_null(s_req, &sf, &gf) {
                self.absent_as_null += 1;
            } else if s_req != g_req {
                let what = if s_req {
                    "required in the spec; optional in the generated type"
                } else {
                    "optional in the spec; required in the generated type"
                };
                self.report(&at, what);
            }
            self.nullability(&sf, &gf, s_req || g_req, &at);
            self.shape(&sf, &gf, at);
        }
        for name in g
            .properties
            .keys()
            .filter(|n| !s.properties.contains_key(*n))
        {
            self.report(&here.child(name), "in the generated type; not in the spec");
        }
    }

    fn scalar(&mut self, s: &Shape, g: &Shape, here: &Here) {
        let typed = |f: &Option<String>| f.clone().filter(|f| TYPED_FORMATS.contains(&f.as_str()));
        let (sf, gf) = (typed(&s.format), typed(&g.format));
        if sf != gf {
            let show = |f: Option<String>| f.unwrap_or_else(|| "none".into());
            self.report(
                here,
                &format!(
                    "format {} in the spec; {} in the generated type",
                    show(sf),
                    show(gf)
                ),
            );
        }
        match (&s.members, &g.members) {
            (Some(sm), Some(gm)) => {
                let missing: Vec<&String> = sm.difference(gm).collect();
                let extra: Vec<&String> = gm.difference(sm).collect();
                if !missing.is_empty() {
                    self.report(
                        here,
                        &format!("enum members missing from the generated type: {missing:?}"),
                    );
                }
                if !extra.is_empty() {
                    self.report(here, &format!("enum members not in the spec: {extra:?}"));
                }
            }
            (Some(_), None) => self.report(
                here,
                "an enum in the spec; any value of its type in the generated type",
            ),
            (None, Some(_)) => self.report(
                here,
                "any value of its type in the spec; an enum in the generated type",
            ),
            (None, None) => {}
        }
    }
}

/// A subschema and its location (a JSON pointer into the spec; unused for generated schemas).
type Located<'a> = (&'a Value, String);

/// What one side says about a value, with references, `allOf`s and null alternatives resolved.
#[derive(Default)]
struct Shape<'a> {
    /// Spec: the location of the schema (its component, when it is one). Unused for generated.
    location: String,
    /// Generated: the type whose schema this is, if named.
    def: Option<String>,
    any: bool,
    nullable: bool,
    ty: Option<String>,
    format: Option<String>,
    members: Option<BTreeSet<String>>,
    properties: BTreeMap<String, Located<'a>>,
    required: BTreeSet<String>,
    items: Option<Located<'a>>,
    values: Option<Located<'a>>,
    /// Spec: a keyword this check does not compare (`oneOf`, `anyOf`, `not`).
    uncompared: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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
    fn kind(&self) -> Kind {
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
    fn absorb(&mut self, obj: &'a Map<String, Value>, location: &str) {
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
    fn finish(mut self) -> Self {
        self.any = self.ty.is_none()
            && self.properties.is_empty()
            && self.items.is_none()
            && self.members.is_none()
            && self.values.is_none();
        self
    }
}

/// The normalized spec's schema at `schema` (found at `location`), resolved.
fn spec_shape<'a>(spec: &'a Value, schema: &'a Value, location: String) -> Shape<'a> {
    let mut shape = Shape {
        location: identity(schema, &location),
        ..Shape::default()
    };
    spec_absorb(spec, schema, &location, &mut shape, 0);
    shape.finish()
}

fn spec_absorb<'a>(
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

fn ref_target(node: &Value) -> Option<&str> {
    node.get("$ref")?.as_str()?.strip_prefix('#')
}

/// The location that names a spec schema: the component a `$ref` (or an `allOf` of one
/// `$ref`) points to, else where it is.
fn identity(node: &Value, location: &str) -> String {
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
fn gen_shape<'a>(defs: &'a Map<String, Value>, schema: &'a Value) -> Shape<'a> {
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
fn non_null_alternative(obj: &Map<String, Value>) -> Option<&Value> {
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
fn success_without_body(spec: &Value, path: &str, method: &str) -> bool {
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
fn success_schema<'a>(spec: &'a Value, path: &str, method: &str) -> Option<(&'a Value, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A spec with one operation answering `Thing`: every shape the check compares.
    fn spec() -> Value {
        json!({
            "paths": {"/thing/get": {"post": {"operationId": "thingGet", "responses": {
                "200": {"content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/ThingResponse"}}}},
                "4XX": {"content": {"application/json": {"schema": {"type": "object"}}}}
            }}}},
            "components": {"schemas": {
                "ThingResponse": {"allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"type": "object", "required": ["things"], "properties": {
                        "things": {"type": "array", "items": {
                            "allOf": [{"$ref": "#/components/schemas/Thing"}], "nullable": true}}
                    }}
                ]},
                "Base": {"type": "object", "required": ["request_id"], "properties": {
                    "request_id": {"type": "string"}}},
                "Thing": {"type": "object", "additionalProperties": true,
                    "required": ["type", "mask", "kind"],
                    "properties": {
                        "type": {"type": "string"},
                        "mask": {"type": "string", "nullable": true},
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "note": {"type": "string"},
                        "amount": {"type": "number", "format": "double"},
                        "day": {"type": "string", "format": "date"},
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "extra": {}
                    }},
                "Kind": {"type": "string", "enum": ["a", "b"]}
            }}
        })
    }

    /// What the `response-schemas` binary writes for a client that agrees with `spec()`.
    fn generated() -> Value {
        json!({
            "spec_version": "test",
            "responses": [{"operation_id": "thingGet", "method": "POST", "path": "/thing/get",
                "type": "ThingResponse", "schema": {"$ref": "#/$defs/ThingResponse"}}],
            "definitions": {
                "ThingResponse": {"type": "object", "required": ["request_id", "things"],
                    "properties": {
                        "request_id": {"$ref": "#/$defs/RequestId", "description": "id"},
                        "things": {"type": "array", "items": {"anyOf": [
                            {"$ref": "#/$defs/Thing"}, {"type": "null"}]}}
                    }},
                "RequestId": {"type": "string"},
                "Thing": {"type": "object", "required": ["type", "mask", "kind"], "properties": {
                    "type": {"type": "string"},
                    "mask": {"type": ["string", "null"]},
                    "kind": {"$ref": "#/$defs/Kind"},
                    "note": {"type": ["string", "null"]},
                    "amount": {"type": ["number", "null"], "format": "double"},
                    "day": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "counts": {"type": ["object", "null"],
                        "additionalProperties": {"type": "integer", "format": "int64"}},
                    "extra": true
                }},
                "Kind": {"type": "string", "anyOf": [{"enum": ["a", "b"]},
                    {"description": "any other"}]}
            }
        })
    }

    fn differences(generated: &Value) -> Vec<String> {
        compare(&spec(), generated)
            .differences
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn agreeing_schemas_have_no_difference() {
        let report = compare(&spec(), &generated());
        assert_eq!(report.differences, []);
        // ThingResponse (request_id, things), Thing (8 fields), and the types reached by `$ref`.
        assert_eq!(report.fields, 10);
        assert_eq!(report.pairs, 4);
    }

    #[test]
    fn a_dropped_field_is_reported_at_its_type() {
        let mut g = generated();
        let thing = &mut g["definitions"]["Thing"];
        thing["properties"].as_object_mut().unwrap().remove("kind");
        thing["required"] = json!(["type", "mask"]);
        assert_eq!(
            differences(&g),
            ["Thing.kind: in the spec; missing from the generated type \
              (reached from thingGet ThingResponse.things[].kind)"]
        );
    }

    #[test]
    fn a_required_nullable_field_accepted_absent_is_counted_not_reported() {
        let mut g = generated();
        // `mask` is required and nullable in the spec; the type also accepts it absent.
        g["definitions"]["Thing"]["required"] = json!(["type", "kind"]);
        let report = compare(&spec(), &g);
        assert_eq!(report.differences, []);
        assert_eq!(report.absent_as_null, 1);
        // A required field that is not nullable still may not become optional.
        g["definitions"]["Thing"]["required"] = json!(["kind"]);
        assert_eq!(
            differences(&g),
            [
                "Thing.type: required in the spec; optional in the generated type \
              (reached from thingGet ThingResponse.things[].type)"
            ]
        );
    }

    #[test]
    fn loosened_fields_are_reported() {
        let mut g = generated();
        let thing = &mut g["definitions"]["Thing"];
        // `kind` became optional, `type` became an `Option` that is still required.
        thing["required"] = json!(["type", "mask"]);
        thing["properties"]["type"] = json!({"type": ["string", "null"]});
        assert_eq!(
            differences(&g),
            [
                "Thing.kind: required in the spec; optional in the generated type \
                 (reached from thingGet ThingResponse.things[].kind)",
                "Thing.type: the spec requires a non-null value; the generated type accepts null \
                 (reached from thingGet ThingResponse.things[].type)",
            ]
        );
    }

    #[test]
    fn tightened_nullability_and_lost_renames_are_reported() {
        let mut g = generated();
        g["definitions"]["Thing"]["properties"]["mask"] = json!({"type": "string"});
        g["definitions"]["ThingResponse"]["properties"]["things"]["items"] =
            json!({"$ref": "#/$defs/Thing"});
        let props = g["definitions"]["Thing"]["properties"]
            .as_object_mut()
            .unwrap();
        let ty = props.remove("type").unwrap();
        props.insert("type_".into(), ty);
        g["definitions"]["Thing"]["required"] = json!(["type_", "mask", "kind"]);
        assert_eq!(
            differences(&g),
            [
                "Thing.mask: the spec allows null; the generated type rejects it \
                 (reached from thingGet ThingResponse.things[].mask)",
                "Thing.type: in the spec; missing from the generated type \
                 (reached from thingGet ThingResponse.things[].type)",
                "Thing.type_: in the generated type; not in the spec \
                 (reached from thingGet ThingResponse.things[].type_)",
                "ThingResponse.things[]: the spec allows null; the generated type rejects it \
                 (reached from thingGet ThingResponse.things[])",
            ]
        );
    }

    #[test]
    fn kinds_formats_enum_members_and_map_values_are_compared() {
        let mut g = generated();
        let props = &mut g["definitions"]["Thing"]["properties"];
        props["amount"] = json!({"type": ["integer", "null"]});
        props["day"] = json!({"type": ["string", "null"]});
        props["counts"]["additionalProperties"] = json!({"type": "string"});
        props["extra"] = json!({"type": "string"});
        g["definitions"]["Kind"]["anyOf"][0]["enum"] = json!(["a", "c"]);
        assert_eq!(
            differences(&g),
            [
                "Kind: enum members missing from the generated type: [\"b\"] \
                 (reached from thingGet ThingResponse.things[].kind)",
                "Kind: enum members not in the spec: [\"c\"] \
                 (reached from thingGet ThingResponse.things[].kind)",
                "Thing.amount: the spec has a number; the generated type has an integer \
                 (reached from thingGet ThingResponse.things[].amount)",
                "Thing.counts{}: the spec has an integer; the generated type has a string \
                 (reached from thingGet ThingResponse.things[].counts{})",
                "Thing.day: format date in the spec; none in the generated type \
                 (reached from thingGet ThingResponse.things[].day)",
                "Thing.extra: the spec has any JSON value; the generated type has a string \
                 (reached from thingGet ThingResponse.things[].extra)",
            ]
        );
    }

    #[test]
    fn a_type_reached_twice_is_compared_and_reported_once() {
        let mut s = spec();
        s["paths"]["/thing/list"] = s["paths"]["/thing/get"].clone();
        s["paths"]["/thing/list"]["post"]["operationId"] = json!("thingList");
        let mut g = generated();
        let first = g["responses"][0].clone();
        let mut second = first.clone();
        second["operation_id"] = json!("thingList");
        second["path"] = json!("/thing/list");
        g["responses"] = json!([first, second]);
        g["definitions"]["Thing"]["properties"]["mask"] = json!({"type": "string"});
        let report = compare(&s, &g);
        assert_eq!(report.pairs, 4);
        assert_eq!(report.differences.len(), 1, "{:?}", report.differences);
        assert!(report.differences[0].via.starts_with("thingGet "));
    }

    #[test]
    fn a_spec_shape_the_check_cannot_compare_is_reported() {
        let mut s = spec();
        s["components"]["schemas"]["Kind"] =
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        assert_eq!(
            compare(&s, &generated())
                .differences
                .iter()
                .map(|d| (d.owner.as_str(), d.what.as_str()))
                .collect::<Vec<_>>(),
            [(
                "Kind",
                "the spec uses `oneOf`, which this check does not compare"
            )]
        );
    }

    #[test]
    fn an_operation_without_a_spec_response_body_must_answer_unit() {
        let mut s = spec();
        s["paths"]["/thing/get"]["post"]["responses"]["200"] = json!({"description": "OK"});
        let mut g = generated();
        g["responses"][0]["schema"] = json!({"type": "null"});
        g["responses"][0]["type"] = json!("null");
        assert_eq!(compare(&s, &g).differences, []);
        // A body the spec does not have.
        g["responses"][0]["schema"] = json!({"$ref": "#/$defs/ThingResponse"});
        let report = compare(&s, &g);
        assert_eq!(report.differences.len(), 1);
        assert!(report.differences[0]
            .what
            .contains("no JSON success response"));
    }
}
