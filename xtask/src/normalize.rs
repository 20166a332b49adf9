//! Normalization: named, general rules that repair defects of Plaid's published spec before
//! progenitor sees it.
//!
//! Each rule is keyed to a *defect* (a shape in the document), never to a schema name, is
//! idempotent (running it on its own output changes nothing), and counts what it changed, so a
//! spec bump shows at a glance whether Plaid fixed or multiplied a defect. The table in the
//! README is this module's `RULES`, in order.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::spec::pointer_escape;

/// One repair rule.
pub struct Rule {
    /// Stable kebab-case name, printed by `cargo xtask generate`.
    pub name: &'static str,
    /// The defect in the published spec, and what it does to progenitor or to decoding.
    pub defect: &'static str,
    /// The repair.
    pub repair: &'static str,
    apply: fn(&mut Value, &Evidence) -> usize,
}

/// Recorded responses (Plaid's docs examples, replayed traffic) that rules may use as evidence of
/// what Plaid really sends, in the conformance record format. See `openapi/evidence/`.
#[derive(Debug, Default, Clone)]
pub struct Evidence {
    /// `(endpoint path, HTTP status, example body)`
    pub records: Vec<(String, u16, Value)>,
}

impl Evidence {
    /// Load every `*.json` file of `dir` (arrays of `{endpoint, example, status?}` records).
    pub fn load_dir(dir: &std::path::Path) -> anyhow::Result<Self> {
        let mut records = Vec::new();
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Ok(Self::default());
        };
        let mut files: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read(&f)?;
            let list: Vec<Value> = serde_json::from_slice(&text).map_err(|e| {
                anyhow::anyhow!("{}: not a JSON array of records: {e}", f.display())
            })?;
            for (i, r) in list.into_iter().enumerate() {
                let (Some(ep), Some(ex)) =
                    (r.get("endpoint").and_then(Value::as_str), r.get("example"))
                else {
                    anyhow::bail!("{}: record {i} lacks `endpoint` or `example`", f.display());
                };
                let status = r.get("status").and_then(Value::as_u64).unwrap_or(200) as u16;
                records.push((ep.to_string(), status, ex.clone()));
            }
        }
        Ok(Self { records })
    }
}

/// The rules, in the order they run. Order matters where noted.
pub const RULES: &[Rule] = &[
    Rule {
        name: "string-enum-values",
        defect: "`type: string` enums list unquoted members (`3`, `4.1`, `true`); typify aborts with BadValue",
        repair: "turn number and boolean members of string enums into their string form",
        apply: string_enum_values,
    },
    Rule {
        name: "null-enum-members",
        defect: "enums list `null` as a member, often without `nullable: true`; typify emits broken types",
        repair: "drop `null` from the members and mark the schema `nullable: true` (runs before `nullable-components`)",
        apply: null_enum_members,
    },
    Rule {
        name: "non-media-content-keys",
        defect: "keys that are not media types (`examples: {}`) sit directly under `content`; progenitor hits todo!()",
        repair: "drop every key under a `content` map that is not a media type (`type/subtype`)",
        apply: non_media_content_keys,
    },
    Rule {
        name: "default-responses",
        defect: "operations declare `default: PlaidError` beside `200`; progenitor counts `default` as a second success type",
        repair: "rewrite `default` as the `4XX` and `5XX` ranges it stands for",
        apply: default_responses,
    },
    Rule {
        name: "missing-error-responses",
        defect: "some operations declare no error response, although Plaid answers every error with the same error object",
        repair: "give them `4XX`/`5XX` with the error schema most operations use (found in the spec, not named here)",
        apply: missing_error_responses,
    },
    Rule {
        name: "nullable-components",
        defect: "named schemas carry `nullable: true`; typify emits `struct X(Option<X>)`, duplicate and infinitely sized types",
        repair: "remove nullability from the component and put it on every property, array item and map value that refers to it (`allOf: [$ref]` + `nullable`), so `null` decodes as `None` exactly where the data can be null",
        apply: nullable_components,
    },
    Rule {
        name: "required-absent-from-examples",
        defect: "a property is listed in `required`, yet a response example of that schema omits it (the spec's own examples, or Plaid's docs examples kept in `openapi/evidence/`); decoding such a response fails with `missing field`",
        repair: "drop the property from `required` (it becomes an `Option`) wherever an example of the schema lacks it",
        apply: required_absent_from_examples,
    },
    Rule {
        name: "relax-validation-keywords",
        defect: "length, pattern, range and item-count limits become validating newtypes that reject the whole response when Plaid's data drifts (and `minLength: 0` emits code that fails -D warnings)",
        repair: "drop `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minItems`, `maxItems`, `uniqueItems`; the server validates, and the limits the ext needs (idempotency keys) are read from the original spec",
        apply: relax_validation_keywords,
    },
    Rule {
        name: "closed-objects",
        defect: "objects with `additionalProperties: false` become `deny_unknown_fields` types that fail on every field Plaid adds",
        repair: "drop `additionalProperties: false` (unknown fields are ignored)",
        apply: closed_objects,
    },
];

/// What normalization changed, rule by rule.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub counts: Vec<(&'static str, usize)>,
}

impl Report {
    pub fn print(&self) {
        println!("normalization rules (changes made):");
        for (name, n) in &self.counts {
            println!("  {name:<32} {n:>6}");
        }
    }
}

/// The rules as a Markdown table (the README's table is this output).
pub fn rules_markdown() -> String {
    let mut out =
        String::from("| # | rule | defect in the published spec | repair |\n|---|---|---|---|\n");
    for (i, r) in RULES.iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            i + 1,
            r.name,
            r.defect,
            r.repair
        ));
    }
    out
}

/// Run every rule in order.
pub fn normalize(mut doc: Value, evidence: &Evidence) -> (Value, Report) {
    let mut report = Report::default();
    for rule in RULES {
        let n = (rule.apply)(&mut doc, evidence);
        report.counts.push((rule.name, n));
    }
    (doc, report)
}

// ---------------------------------------------------------------------------------------------
// Walking schema positions. Rules only look at objects that the OpenAPI grammar says are schemas,
// never at examples or at property names that happen to be `enum` or `type`.

/// Where a schema sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `components.schemas.<name>`
    Component,
    /// the schema of a media type, a parameter or a header
    Root,
    Property,
    Items,
    AdditionalProperties,
    /// a member of `allOf`, `oneOf` or `anyOf`, or `not`
    Composition,
}

/// Call `f` on every schema in the document (pre-order), with its slot.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Value, Slot)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for s in schemas.values_mut() {
            walk_schema(s, Slot::Component, f);
        }
    }
    for root in media_and_parameter_schemas(doc) {
        walk_schema(root, Slot::Root, f);
    }
}

fn walk_schema(s: &mut Value, slot: Slot, f: &mut dyn FnMut(&mut Value, Slot)) {
    f(s, slot);
    let Some(map) = s.as_object_mut() else { return };
    if map.contains_key("$ref") {
        return;
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for p in props.values_mut() {
            walk_schema(p, Slot::Property, f);
        }
    }
    if let Some(items) = map.get_mut("items") {
        walk_schema(items, Slot::Items, f);
    }
    if let Some(ap @ Value::Object(_)) = map.get_mut("additionalProperties") {
        walk_schema(ap, Slot::AdditionalProperties, f);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            for m in members {
                walk_schema(m, Slot::Composition, f);
            }
        }
    }
    if let Some(not) = map.get_mut("not") {
        walk_schema(not, Slot::Composition, f);
    }
}

/// The schemas of request bodies, responses, parameters and headers, wherever they are declared.
fn media_and_parameter_schemas(doc: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    let Some(top) = doc.as_object_mut() else {
        return out;
    };
    for (key, section) in top.iter_mut() {
        match key.as_str() {
            "paths" => {
                for item in section
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    collect_item(item, &mut out);
                }
            }
            "components" => {
                let Some(c) = section.as_object_mut() else {
                    continue;
                };
                for (kind, entries) in c.iter_mut() {
                    let Some(entries) = entries.as_object_mut() else {
                        continue;
                    };
                    for e in entries.values_mut() {
                        match kind.as_str() {
                            "parameters" | "headers" => collect_param(e, &mut out),
                            "responses" | "requestBodies" => collect_content(e, &mut out),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn collect_item<'a>(item: &'a mut Value, out: &mut Vec<&'a mut Value>) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    for (k, op) in item.iter_mut() {
        if k == "parameters" {
            for p in op.as_array_mut().into_iter().flatten() {
                collect_param(p, out);
            }
            continue;
        }
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        for (ok, ov) in op.iter_mut() {
            match ok.as_str() {
                "parameters" => {
                    for p in ov.as_array_mut().into_iter().flatten() {
                        collect_param(p, out);
                    }
                }
                "requestBody" => collect_content(ov, out),
                "responses" => {
                    for r in ov.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                        collect_content(r, out);
                    }
                }
                _ => {}
            }
        }
    }
}

fn collect_param<'a>(p: &'a mut Value, out: &mut Vec<&'a mut Value>) {
    if let Some(s) = p.get_mut("schema") {
        out.push(s);
    }
}

fn collect_content<'a>(holder: &'a mut Value, out: &mut Vec<&'a mut Value>) {
    let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    for media in content.values_mut() {
        if let Some(s) = media.get_mut("schema") {
            out.push(s);
        }
    }
}

/// Every operation object (`paths.<path>.<method>`), with its path and method.
pub fn operations_mut(doc: &mut Value) -> Vec<(String, String, &mut Map<String, Value>)> {
    let mut out = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return out;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !is_http_method(method) {
                continue;
            }
            if let Some(op) = op.as_object_mut() {
                out.push((path.clone(), method.clone(), op));
            }
        }
    }
    out
}

pub fn is_http_method(m: &str) -> bool {
    matches!(
        m,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

// ---------------------------------------------------------------------------------------------
// The rules.

fn string_enum_values(doc: &mut Value, _: &Evidence) -> usize {
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

fn null_enum_members(doc: &mut Value, _: &Evidence) -> usize {
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

fn non_media_content_keys(doc: &mut Value, _: &Evidence) -> usize {
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

fn default_responses(doc: &mut Value, _: &Evidence) -> usize {
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

fn missing_error_responses(doc: &mut Value, _: &Evidence) -> usize {
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

fn nullable_components(doc: &mut Value, _: &Evidence) -> usize {
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

fn required_absent_from_examples(doc: &mut Value, evidence: &Evidence) -> usize {
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
    for (path, item) in snapshot
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !is_http_method(method) {
                continue;
            }
            for (code, resp) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let Some(m) = resp.pointer("/content/application~1json") else {
                    continue;
                };
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
        }
        // Evidence records name an endpoint and a status; match them to this path's operations.
        for (ep, status, ex) in &evidence.records {
            if ep != path {
                continue;
            }
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(code) = response_key(op, *status) {
                    check(path, method, &code, ex);
                }
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

fn relax_validation_keywords(doc: &mut Value, _: &Evidence) -> usize {
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

fn closed_objects(doc: &mut Value, _: &Evidence) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schemas: Value, paths: Value) -> Value {
        json!({"openapi": "3.0.0", "paths": paths, "components": {"schemas": schemas}})
    }

    /// Every rule must change nothing the second time.
    fn assert_idempotent(doc: Value) {
        let ev = Evidence::default();
        let (once, _) = normalize(doc, &ev);
        let (twice, report) = normalize(once.clone(), &ev);
        assert_eq!(once, twice);
        assert!(report.counts.iter().all(|(_, n)| *n == 0), "{report:?}");
    }

    #[test]
    fn string_enums_get_string_members_only_in_schema_positions() {
        let mut doc = spec(
            json!({"V": {"type": "string", "enum": ["a", 3, 4.1, true]},
                   "Obj": {"type": "object", "properties": {"enum": {"type": "string"}},
                           "example": {"type": "string", "enum": [1]}}}),
            json!({}),
        );
        assert_eq!(string_enum_values(&mut doc, &Evidence::default()), 3);
        assert_eq!(
            doc.pointer("/components/schemas/V/enum").unwrap(),
            &json!(["a", "3", "4.1", "true"])
        );
        // An example is data: untouched.
        assert_eq!(
            doc.pointer("/components/schemas/Obj/example/enum").unwrap(),
            &json!([1])
        );
    }

    #[test]
    fn null_members_become_nullable() {
        let mut doc = spec(
            json!({"E": {"type": "string", "enum": ["a", null]},
                   "OnlyNull": {"enum": [null]}}),
            json!({}),
        );
        assert_eq!(null_enum_members(&mut doc, &Evidence::default()), 2);
        assert_eq!(
            doc.pointer("/components/schemas/E").unwrap(),
            &json!({"type": "string", "enum": ["a"], "nullable": true})
        );
        assert_eq!(
            doc.pointer("/components/schemas/OnlyNull").unwrap(),
            &json!({"nullable": true})
        );
    }

    fn op_with(responses: Value) -> Value {
        json!({"/x": {"post": {"operationId": "x",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}},
                                        "examples": {}}},
            "responses": responses}}})
    }

    #[test]
    fn content_and_responses_are_repaired() {
        let err = json!({"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}});
        let mut paths = op_with(json!({"200": {"description": "ok"}, "default": err.clone()}));
        let bare = op_with(json!({"200": {"description": "ok"}}));
        paths["/y"] = bare["/x"].clone();
        let mut doc = spec(json!({"Err": {"type": "object"}}), paths);
        assert_eq!(non_media_content_keys(&mut doc, &Evidence::default()), 2);
        assert_eq!(default_responses(&mut doc, &Evidence::default()), 1);
        assert_eq!(missing_error_responses(&mut doc, &Evidence::default()), 1);
        for p in ["/x", "/y"] {
            let r = &doc["paths"][p]["post"]["responses"];
            assert_eq!(r["4XX"], err, "{p}");
            assert_eq!(r["5XX"], err, "{p}");
            assert!(r.get("default").is_none());
        }
        assert!(doc["paths"]["/x"]["post"]["requestBody"]["content"]
            .get("examples")
            .is_none());
    }

    #[test]
    fn nullability_moves_to_the_uses() {
        let mut doc = spec(
            json!({
                "N": {"type": "object", "nullable": true, "title": "N", "properties": {"a": {"type": "string"}}},
                "Holder": {"type": "object", "required": ["n"], "properties": {
                    "n": {"$ref": "#/components/schemas/N"},
                    "list": {"type": "array", "items": {"$ref": "#/components/schemas/N"}},
                    "plain": {"$ref": "#/components/schemas/Holder"}}},
                "Composed": {"allOf": [{"$ref": "#/components/schemas/N"}]}
            }),
            json!({}),
        );
        assert_eq!(nullable_components(&mut doc, &Evidence::default()), 3);
        let wrapped = json!({"allOf": [{"$ref": "#/components/schemas/N"}], "nullable": true});
        assert!(doc.pointer("/components/schemas/N/nullable").is_none());
        assert_eq!(
            doc.pointer("/components/schemas/Holder/properties/n")
                .unwrap(),
            &wrapped
        );
        assert_eq!(
            doc.pointer("/components/schemas/Holder/properties/list/items")
                .unwrap(),
            &wrapped
        );
        assert_eq!(
            doc.pointer("/components/schemas/Holder/properties/plain")
                .unwrap(),
            &json!({"$ref": "#/components/schemas/Holder"})
        );
        // A composition member is not a place data sits: left as is.
        assert_eq!(
            doc.pointer("/components/schemas/Composed/allOf/0").unwrap(),
            &json!({"$ref": "#/components/schemas/N"})
        );
    }

    #[test]
    fn required_fields_omitted_by_the_specs_own_examples_become_optional() {
        let paths = json!({"/x": {"post": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/R"},
            "examples": {"a": {"value": {"id": "1", "items": [{"k": 1}, {"k": 2, "tier": 3}]}}}
        }}}}}}});
        let mut doc = spec(
            json!({
                "R": {"type": "object", "required": ["id", "items", "request_id"], "properties": {
                    "id": {"type": "string"},
                    "request_id": {"type": "string"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/I"}}}},
                "I": {"allOf": [{"type": "object", "required": ["k", "tier"],
                                 "properties": {"k": {"type": "integer"}, "tier": {"type": "integer"}}}]}
            }),
            paths,
        );
        let evidence = Evidence {
            records: vec![("/x".into(), 200, json!({"id": "2", "request_id": "r"}))],
        };
        assert_eq!(
            required_absent_from_examples(&mut doc, &Evidence::default()),
            2
        );
        assert_eq!(
            doc.pointer("/components/schemas/R/required").unwrap(),
            &json!(["id", "items"])
        );
        // Evidence (docs examples, recorded traffic) counts like the spec's own examples.
        assert_eq!(required_absent_from_examples(&mut doc, &evidence), 1);
        assert_eq!(
            doc.pointer("/components/schemas/R/required").unwrap(),
            &json!(["id"])
        );
        assert_eq!(
            doc.pointer("/components/schemas/I/allOf/0/required")
                .unwrap(),
            &json!(["k"])
        );
        assert_eq!(required_absent_from_examples(&mut doc, &evidence), 0);
    }

    #[test]
    fn validation_keywords_and_closed_objects_are_relaxed() {
        let mut doc = spec(
            json!({"S": {"type": "object", "additionalProperties": false, "properties": {
                "k": {"type": "string", "minLength": 0, "maxLength": 50, "pattern": "^a$"},
                "n": {"type": "integer", "minimum": 1},
                "l": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true}}}}),
            json!({}),
        );
        assert_eq!(relax_validation_keywords(&mut doc, &Evidence::default()), 6);
        assert_eq!(closed_objects(&mut doc, &Evidence::default()), 1);
        assert_eq!(
            doc.pointer("/components/schemas/S/properties/k").unwrap(),
            &json!({"type": "string"})
        );
    }

    #[test]
    fn normalization_is_idempotent() {
        let doc = spec(
            json!({"N": {"type": "string", "nullable": true, "enum": ["a", 1, null]},
                   "H": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/N"}}}}),
            op_with(json!({"200": {"description": "ok"}, "default": {"description": "e"}})),
        );
        assert_idempotent(doc);
    }
}
