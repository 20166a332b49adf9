//! `cargo xtask conformance [--examples FILE] [--spec PATH]`.
//!
//! Extracts every response example embedded in the spec (or takes the records in FILE) and runs
//! the `conformance` crate on them, which decodes each into the generated type. Beside the
//! examples themselves it replays two kinds of probes, one per example and nullable field: the
//! field set to `null` (null probes), and the field left out (absent probes). The decoding
//! lives in its own crate because it must link `plaid-client`, which this xtask must not (a
//! broken checked-in client must never stop `cargo xtask generate` from repairing it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{json, Value};

use crate::spec;
use crate::spec::lookup::spec_examples;

pub fn run(
    root: &Path,
    examples: Option<PathBuf>,
    spec_path: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    if let Some(f) = examples {
        return replay(root, &f);
    }
    let spec_path = spec::resolve(root, spec_path)?;
    let doc = spec::load(&spec_path)?;
    let records = spec_examples(&doc);
    let probes = null_probes(&doc, &records);
    let absent = absent_probes(&doc, &records);
    let dir = root.join("target").join("conformance");
    std::fs::create_dir_all(&dir)?;
    let examples_file = dir.join("spec-examples.json");
    let probes_file = dir.join("null-probes.json");
    let absent_file = dir.join("absent-probes.json");
    for (file, recs) in [
        (&examples_file, &records),
        (&probes_file, &probes),
        (&absent_file, &absent),
    ] {
        std::fs::write(file, serde_json::to_vec_pretty(recs)?)
            .with_context(|| format!("writing {}", file.display()))?;
    }
    println!(
        "response examples in {}: {} (replaying them into the generated types)",
        spec_path.display(),
        records.len()
    );
    let examples_ok = replay(root, &examples_file)?;
    println!(
        "null probes: {} (each example with one field the spec marks nullable set to null)",
        probes.len()
    );
    let probes_ok = replay(root, &probes_file)?;
    println!(
        "absent probes: {} (each example with one field the spec marks nullable left out)",
        absent.len()
    );
    let absent_ok = replay(root, &absent_file)?;
    let all_ok = [examples_ok, probes_ok, absent_ok]
        .iter()
        .all(|c| *c == ExitCode::SUCCESS);
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Run the conformance crate on one records file.
fn replay(root: &Path, file: &Path) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::canonicalize(file).with_context(|| format!("reading {}", file.display()))?;
    Ok(if super::run_conformance_bin(root, "conformance", &file)? {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// For every example and every field in it whose schema in the *original* spec is nullable (the
/// field's own `nullable: true`, a `$ref` to a nullable component, or an enum listing `null`),
/// a copy of the example with that one field set to `null`.
pub fn null_probes(doc: &Value, records: &[Value]) -> Vec<Value> {
    probes(doc, records, "with null at", |parent, key| {
        parent.get_mut(key).map(|v| *v = Value::Null).is_some()
    })
}

/// Like [`null_probes`], but each copy leaves the nullable field out altogether, as Plaid's real
/// responses do (`iso_currency_code`, `consent_expiration_time`): the generated types must decode
/// an absent nullable field as `None`, whether the spec lists it as required or not.
pub fn absent_probes(doc: &Value, records: &[Value]) -> Vec<Value> {
    probes(doc, records, "without", |parent, key| {
        parent.remove(key).is_some()
    })
}

/// One probe per example and nullable field in it: a copy where `edit` changed the field in its
/// parent object (`false` when it could not).
fn probes(
    doc: &Value,
    records: &[Value],
    label: &str,
    edit: impl Fn(&mut serde_json::Map<String, Value>, &str) -> bool,
) -> Vec<Value> {
    let mut out = Vec::new();
    for rec in records {
        let (Some(ep), Some(status), Some(ex)) = (
            rec.get("endpoint").and_then(Value::as_str),
            rec.get("status").and_then(Value::as_u64),
            rec.get("example"),
        ) else {
            continue;
        };
        let Some(schema) = response_schema(doc, ep, status as u16) else {
            continue;
        };
        let mut spots = Vec::new();
        nullable_spots(doc, schema, ex, String::new(), 0, &mut spots);
        for ptr in spots {
            // Every spot is a field of an object: `<parent>/<escaped key>`.
            let Some((parent_ptr, escaped)) = ptr.rsplit_once('/') else {
                continue;
            };
            let key = escaped.replace("~1", "/").replace("~0", "~");
            let mut probe = ex.clone();
            let edited = probe
                .pointer_mut(parent_ptr)
                .and_then(Value::as_object_mut)
                .is_some_and(|parent| edit(parent, &key));
            if edited {
                let name = rec.get("name").and_then(Value::as_str).unwrap_or(ep);
                out.push(json!({"endpoint": ep, "status": status,
                    "name": format!("{name} {label} {ptr}"), "example": probe}));
            }
        }
    }
    out
}

fn response_schema<'a>(doc: &'a Value, endpoint: &str, status: u16) -> Option<&'a Value> {
    crate::spec::lookup::operations(doc)
        .filter(|o| o.path == endpoint)
        .find_map(|o| {
            let r = o.op.get("responses")?.get(status.to_string())?;
            r.pointer("/content/application~1json/schema")
        })
}

fn is_nullable(doc: &Value, schema: &Value) -> bool {
    let s = crate::spec::lookup::deref(doc, schema);
    schema.get("nullable") == Some(&Value::Bool(true))
        || s.get("nullable") == Some(&Value::Bool(true))
        || s.get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.iter().any(Value::is_null))
}

/// JSON pointers (into `example`) of the non-null values whose schema is nullable.
fn nullable_spots(
    doc: &Value,
    schema: &Value,
    example: &Value,
    at: String,
    depth: u8,
    out: &mut Vec<String>,
) {
    if depth > 64 {
        return;
    }
    let s = crate::spec::lookup::deref(doc, schema);
    for member in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        nullable_spots(doc, member, example, at.clone(), depth + 1, out);
    }
    match example {
        Value::Object(fields) => {
            for (k, v) in fields {
                let child_at = format!("{at}/{}", spec::pointer_escape(k));
                let Some(child) = s.get("properties").and_then(|p| p.get(k)) else {
                    continue;
                };
                if !v.is_null() && is_nullable(doc, child) {
                    out.push(child_at.clone());
                }
                nullable_spots(doc, child, v, child_at, depth + 1, out);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.get("items") {
                for (i, v) in items.iter().enumerate() {
                    nullable_spots(doc, item_schema, v, format!("{at}/{i}"), depth + 1, out);
                }
            }
        }
        _ => {}
    }
    out.sort();
    out.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_null_or_remove_each_nullable_field_of_each_example() {
        let doc = json!({"paths": {"/x": {"post": {"responses": {"200": {"content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/R"}}}}}}}},
            "components": {"schemas": {
                "R": {"type": "object", "required": ["a", "b"], "properties": {
                    "a": {"type": "string", "nullable": true},
                    "b": {"type": "array", "items": {"$ref": "#/components/schemas/I"}},
                    "c": {"type": "string"}}},
                "I": {"type": "object", "properties": {"a/b": {"type": "integer", "nullable": true}}}}}});
        let records = vec![json!({"endpoint": "/x", "status": 200, "name": "ex",
            "example": {"a": "1", "b": [{"a/b": 2}], "c": "3"}})];
        let nulls = null_probes(&doc, &records);
        let absent = absent_probes(&doc, &records);
        assert_eq!(nulls.len(), 2);
        assert_eq!(absent.len(), 2);
        assert_eq!(absent[0]["example"], json!({"b": [{"a/b": 2}], "c": "3"}));
        assert_eq!(absent[1]["example"], json!({"a": "1", "b": [{}], "c": "3"}));
        assert_eq!(absent[1]["name"], "ex without /b/0/a~1b");
        assert_eq!(nulls[0]["example"]["a"], Value::Null);
        assert_eq!(nulls[1]["example"]["b"][0]["a/b"], Value::Null);
    }
}
