//! `cargo xtask spec diff OLD NEW [--format markdown|json] [--out FILE]`: what changed in the API
//! between two spec files, and what of it breaks a Rust caller.
//!
//! Both specs are normalized first (the same rules as `generate`), so the report describes the
//! generated client, not the spec's defects. It compares operations, component schemas, their
//! properties (type, required, nullable) and enum values, and marks each change breaking or not
//! *for code written against the generated client*:
//!
//! | change | breaking? | why |
//! |---|---|---|
//! | operation or schema removed | yes | the method or type is gone |
//! | operation or schema added | no | |
//! | property removed | yes | code naming the field stops compiling |
//! | required property added to a request type | yes | its `new` takes one more argument (struct literals name it) |
//! | optional property added to a type only sent | no | sent types are built with `new` and setters, never literals (`#[non_exhaustive]`); the new field gets a setter |
//! | optional property added to a type also received (request+response, or a webhook's) | yes | such types keep struct literals, which must name the new field |
//! | property added to a response-only type | no | |
//! | type, required or nullable changed | yes | the Rust type changes (`T` ↔ `Option<T>`, another type) |
//! | enum value removed | yes | the variant is gone |
//! | enum value added | no | decodes (also into `UnknownValue` before the bump); an exhaustive `match` without `_` needs an arm |

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use std::path::Path;

use crate::repair;
use crate::spec;

/// One change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// `operation-added`, `operation-removed`, `schema-added`, `schema-removed`, `field-added`,
    /// `field-removed`, `field-changed`, `enum-value-added`, `enum-value-removed`.
    pub kind: &'static str,
    /// Whether code written against the old client may stop compiling or decoding.
    pub breaking: bool,
    /// `POST /path (operationId)`, `Schema`, `Schema.field`.
    pub location: String,
    /// What changed, in words.
    pub detail: String,
    /// Where the schema is used: `request`, `response`, `request+response` or `unused`.
    pub used_in: String,
    /// The product features it belongs to (`core`, a product, several, or `full`), comma
    /// separated: of the old spec for what was removed, of the new one otherwise.
    pub products: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub old_version: String,
    pub new_version: String,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    fn count(&self, kind: &str) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// One line: how many changes of each kind.
    pub fn summary(&self) -> String {
        format!(
            "{} changes, {} breaking: operations +{} -{}, schemas +{} -{}, fields +{} -{} ~{}, enum values +{} -{}",
            self.changes.len(),
            self.breaking(),
            self.count("operation-added"),
            self.count("operation-removed"),
            self.count("schema-added"),
            self.count("schema-removed"),
            self.count("field-added"),
            self.count("field-removed"),
            self.count("field-changed"),
            self.count("enum-value-added"),
            self.count("enum-value-removed"),
        )
    }

    /// One line: how many changes each product has (a change of a shared type counts for each).
    pub fn products_summary(&self) -> String {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &self.changes {
            for p in c.products.split(", ") {
                *counts.entry(p).or_default() += 1;
            }
        }
        let parts: Vec<String> = counts.iter().map(|(p, n)| format!("{p} {n}")).collect();
        format!("changes by product: {}", parts.join(", "))
    }

    /// Markdown for a pull-request description.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Plaid API changes: {} → {}\n\n**{}**\n\n{}\n",
            self.old_version,
            self.new_version,
            self.summary(),
            self.products_summary()
        );
        let breaking: Vec<&Change> = self.changes.iter().filter(|c| c.breaking).collect();
        if !breaking.is_empty() {
            out.push_str("\n## Breaking changes\n\n| change | where | products | used in | detail |\n|---|---|---|---|---|\n");
            for c in &breaking {
                out.push_str(&format!(
                    "| {} | `{}` | {} | {} | {} |\n",
                    c.kind, c.location, c.products, c.used_in, c.detail
                ));
            }
        }
        let sections: [(&str, &[&str]); 4] = [
            ("Operations", &["operation-added", "operation-removed"]),
            ("Schemas", &["schema-added", "schema-removed"]),
            ("Fields", &["field-added", "field-removed", "field-changed"]),
            ("Enum values", &["enum-value-added", "enum-value-removed"]),
        ];
        for (title, kinds) in sections {
            let items: Vec<&Change> = self
                .changes
                .iter()
                .filter(|c| kinds.contains(&c.kind))
                .collect();
            if items.is_empty() {
                continue;
            }
            out.push_str(&format!("\n## {title}\n\n"));
            for c in items {
                let mark = if c.breaking { " **(breaking)**" } else { "" };
                out.push_str(&format!(
                    "- {}: `{}` ({}): {}{mark}\n",
                    c.kind, c.location, c.products, c.detail
                ));
            }
        }
        out
    }
}

/// `cargo xtask spec diff OLD NEW`: print the report (Markdown or JSON), or write it to `out`.
pub fn run(
    root: &Path,
    old: &Path,
    new: &Path,
    format: Option<&str>,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let old = repair::load_normalized(root, Some(old.to_path_buf()))?;
    let new = repair::load_normalized(root, Some(new.to_path_buf()))?;
    let versions = (spec::version(&old.original), spec::version(&new.original));
    let report = compare(versions, &old.doc, &new.doc);
    let text = match format {
        None | Some("markdown") | Some("md") => report.markdown(),
        Some("json") => serde_json::to_string_pretty(&report)? + "\n",
        Some(other) => anyhow::bail!("unknown --format `{other}` (markdown, json)"),
    };
    match out {
        Some(out) => {
            std::fs::write(out, text)?;
            println!("{}\nwrote {}", report.summary(), out.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Compare two (raw) specs; both are normalized with `evidence` first.
pub fn diff(old: Value, new: Value, evidence: &repair::Evidence) -> Report {
    let versions = (spec::version(&old), spec::version(&new));
    let (old, _) = repair::normalize(old, evidence);
    let (new, _) = repair::normalize(new, evidence);
    compare(versions, &old, &new)
}

/// Compare two normalized specs, of these `(old, new)` versions.
fn compare((old_version, new_version): (String, String), old: &Value, new: &Value) -> Report {
    let mut changes = operation_changes(old, new);
    changes.extend(schema_changes(old, new));
    name_products(&mut changes, old, new);
    changes.sort_by(|x, y| (x.kind, &x.location).cmp(&(y.kind, &y.location)));
    Report {
        old_version,
        new_version,
        changes,
    }
}

fn component_schemas(doc: &Value) -> Option<&serde_json::Map<String, Value>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
}

/// Operations added and removed.
fn operation_changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let (oa, ob) = (operations(old), operations(new));
    for (k, id) in &ob {
        if !oa.contains_key(k) {
            changes.push(change(
                "operation-added",
                false,
                format!("{k} ({id})"),
                "new operation".into(),
                "-",
            ));
        }
    }
    for (k, id) in &oa {
        if !ob.contains_key(k) {
            changes.push(change(
                "operation-removed",
                true,
                format!("{k} ({id})"),
                "the client method is gone".into(),
                "-",
            ));
        }
    }
    changes
}

/// Component schemas added and removed, and the changes inside those both specs have.
fn schema_changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let empty = serde_json::Map::new();
    let sa = component_schemas(old).unwrap_or(&empty);
    let sb = component_schemas(new).unwrap_or(&empty);
    let (use_old, use_new) = (usage(old), usage(new));
    let unused = Usage {
        used_in: "unused".into(),
        sent: false,
    };
    let used = |uses: &BTreeMap<String, Usage>, name: &str| {
        uses.get(name).unwrap_or(&unused).used_in.clone()
    };
    for name in sb.keys().filter(|n| !sa.contains_key(*n)) {
        let used_in = used(&use_new, name);
        changes.push(change(
            "schema-added",
            false,
            name.clone(),
            "new type".into(),
            &used_in,
        ));
    }
    for name in sa.keys().filter(|n| !sb.contains_key(*n)) {
        let (detail, used_in) = ("the type is gone".into(), used(&use_old, name));
        changes.push(change(
            "schema-removed",
            true,
            name.clone(),
            detail,
            &used_in,
        ));
    }
    for (name, a) in sa {
        let Some(b) = sb.get(name) else { continue };
        let ctx = use_new.get(name).unwrap_or(&unused);
        compare_schema(name, a, b, ctx, &mut changes);
    }
    changes
}

fn change(
    kind: &'static str,
    breaking: bool,
    location: String,
    detail: String,
    used_in: &str,
) -> Change {
    Change {
        kind,
        breaking,
        location,
        detail,
        used_in: used_in.to_string(),
        products: String::new(),
    }
}

/// Name each change's products (`spec::products::places`): an operation by `METHOD /path`, a
/// schema, field or enum value by its schema's name (the location up to the first `.`).
fn name_products(changes: &mut [Change], old: &Value, new: &Value) {
    let (old, new) = (spec::products::places(old), spec::products::places(new));
    for c in changes.iter_mut() {
        let gone = matches!(c.kind, "operation-removed" | "schema-removed");
        let places = if gone { &old } else { &new };
        let found = if c.kind.starts_with("operation") {
            let key = c.location.split(" (").next().unwrap_or_default();
            places.operations.get(key).cloned()
        } else {
            let schema = c.location.split('.').next().unwrap_or_default();
            places
                .schemas
                .get(schema)
                .map(|s| s.iter().cloned().collect::<Vec<_>>().join(", "))
        };
        c.products = found.unwrap_or_else(|| "-".into());
    }
}

/// `METHOD /path` → operationId.
fn operations(doc: &Value) -> BTreeMap<String, String> {
    spec::lookup::operations(doc)
        .map(|o| {
            let id =
                o.op.get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("-");
            let key = format!("{} {}", o.method.to_ascii_uppercase(), o.path);
            (key, id.to_string())
        })
        .collect()
}

/// Component name → `request`, `response`, `request+response` or `unused`, by reachability
/// from request bodies and responses ([`spec::lookup::schema_uses`]), and whether it is only
/// ever sent.
fn usage(doc: &Value) -> BTreeMap<String, Usage> {
    spec::lookup::schema_uses(doc)
        .into_iter()
        .map(|(name, u)| {
            let tag = match (u.in_requests, u.in_responses) {
                (true, true) => "request+response",
                (true, false) => "request",
                (false, true) => "response",
                (false, false) => "unused",
            };
            let used = Usage {
                used_in: tag.to_string(),
                sent: u.only_sent,
            };
            (name, used)
        })
        .collect()
}

fn describe(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        // Members that only annotate (a description, an example) say nothing about the type.
        let typed: Vec<String> = all.iter().map(describe).filter(|d| d != "any").collect();
        return match typed.len() {
            0 => "any".into(),
            1 => typed[0].clone(),
            _ => format!("allOf({})", typed.join(" & ")),
        };
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(m) = s.get(k).and_then(Value::as_array) {
            return format!(
                "{k}({})",
                m.iter().map(describe).collect::<Vec<_>>().join(" | ")
            );
        }
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array<{}>",
            s.get("items").map(describe).unwrap_or_else(|| "any".into())
        ),
        Some("object") if s.get("properties").is_none() => match s.get("additionalProperties") {
            Some(ap @ Value::Object(_)) => format!("map<{}>", describe(ap)),
            _ => "object".into(),
        },
        Some(t) => match s.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t}({f})"),
            None => t.to_string(),
        },
        None => "any".into(),
    }
}

fn nullable(s: &Value) -> bool {
    s.get("nullable") == Some(&Value::Bool(true))
}

fn enum_values(s: &Value) -> Vec<String> {
    s.get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .collect()
}

/// Properties of an object schema, looking through `allOf` members that are inline objects.
fn properties(s: &Value) -> (BTreeMap<String, Value>, BTreeSet<String>) {
    let mut props = BTreeMap::new();
    let mut req = spec::lookup::required(s);
    if let Some(p) = s.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            props.insert(k.clone(), v.clone());
        }
    }
    for m in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if m.get("$ref").is_none() {
            let (p, r) = properties(m);
            props.extend(p);
            req.extend(r);
        }
    }
    (props, req)
}

/// Where a schema is used, for the breaking-or-not verdict.
struct Usage {
    /// `request`, `response`, `request+response` or `unused`.
    used_in: String,
    /// Only ever sent ([`spec::lookup::SchemaUse::only_sent`]): built with `new` and setters.
    sent: bool,
}

/// Whether adding a property breaks a caller, and why (appended to the change's detail).
/// `had_properties`: the old schema had properties (its Rust type is a struct; one without is a
/// JSON map, whose type changes shape when it gains a property).
fn added_field_verdict(
    usage: &Usage,
    required: bool,
    had_properties: bool,
) -> (bool, Option<&'static str>) {
    let in_request = usage.used_in.starts_with("request");
    match (usage.sent, required, had_properties) {
        (true, true, _) => (true, Some("`new` takes it")),
        (true, false, true) => (false, Some("a new setter; `new` is unchanged")),
        (true, false, false) => (
            true,
            Some("the type had no properties (a JSON map), so its Rust shape changes"),
        ),
        (false, _, _) if in_request => (
            true,
            Some("the type is also received, so it keeps struct literals, which must name it"),
        ),
        (false, _, _) => (false, None),
    }
}

fn compare_schema(name: &str, a: &Value, b: &Value, usage: &Usage, out: &mut Vec<Change>) {
    let ctx = usage.used_in.as_str();
    compare_enums(name, a, b, ctx, out);
    let (pa, ra) = properties(a);
    let (pb, rb) = properties(b);
    for (k, v) in &pb {
        if pa.contains_key(k) {
            continue;
        }
        let req = rb.contains(k);
        let what = format!(
            "new {} field `{k}`: {}{}",
            if req { "required" } else { "optional" },
            describe(v),
            if nullable(v) { ", nullable" } else { "" }
        );
        let (breaking, why) = added_field_verdict(usage, req, !pa.is_empty());
        let detail = match why {
            Some(why) => format!("{what}; {why}"),
            None => what,
        };
        out.push(change(
            "field-added",
            breaking,
            format!("{name}.{k}"),
            detail,
            ctx,
        ));
    }
    for k in pa.keys().filter(|k| !pb.contains_key(*k)) {
        out.push(change(
            "field-removed",
            true,
            format!("{name}.{k}"),
            "the field is gone".into(),
            ctx,
        ));
    }
    for (k, va) in &pa {
        let Some(vb) = pb.get(k) else { continue };
        let what = field_differences((va, ra.contains(k)), (vb, rb.contains(k)));
        if !what.is_empty() {
            out.push(change(
                "field-changed",
                true,
                format!("{name}.{k}"),
                what.join(", "),
                ctx,
            ));
        }
        compare_enums(&format!("{name}.{k}"), va, vb, ctx, out);
    }
}

/// How a field changed between two specs (each side: its schema and whether it is required):
/// type, required, nullable.
fn field_differences((va, qa): (&Value, bool), (vb, qb): (&Value, bool)) -> Vec<String> {
    let mut what = Vec::new();
    let (ta, tb) = (describe(va), describe(vb));
    if ta != tb {
        what.push(format!("type {ta} → {tb}"));
    }
    if qa != qb {
        what.push(if qb {
            "optional → required".to_string()
        } else {
            "required → optional".to_string()
        });
    }
    if nullable(va) != nullable(vb) {
        what.push(if nullable(vb) {
            "now nullable".to_string()
        } else {
            "no longer nullable".to_string()
        });
    }
    what
}

fn compare_enums(location: &str, a: &Value, b: &Value, ctx: &str, out: &mut Vec<Change>) {
    let (ea, eb) = (enum_values(a), enum_values(b));
    if ea.is_empty() && eb.is_empty() {
        return;
    }
    for v in eb.iter().filter(|v| !ea.contains(v)) {
        out.push(change(
            "enum-value-added",
            false,
            location.to_string(),
            format!("`{v}`"),
            ctx,
        ));
    }
    for v in ea.iter().filter(|v| !eb.contains(v)) {
        out.push(change(
            "enum-value-removed",
            true,
            location.to_string(),
            format!("`{v}`"),
            ctx,
        ));
    }
}

#[cfg(test)]
mod tests;
