//! `cargo xtask conformance [--examples FILE] [--spec PATH]`.
//!
//! Extracts every response example embedded in the spec (or takes the records in FILE) and runs
//! the `conformance` crate on them, which decodes each into the generated type. The decoding
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
    let dir = root.join("target").join("conformance");
    std::fs::create_dir_all(&dir)?;
    let examples_file = dir.join("spec-examples.json");
    let probes_file = dir.join("null-probes.json");
    for (file, recs) in [(&examples_file, &records), (&probes_file, &probes)] {
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
    Ok(
        if examples_ok == ExitCode::SUCCESS && probes_ok == ExitCode::SUCCESS {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

/// Run the conformance crate on one records file.
fn replay(root: &Path, file: &Path) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::canonicalize(file).with_context(|| format!("reading {}", file.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--package", "conformance", "--"])
        .arg(&file)
        .status()
        .context("running the conformance crate")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// For every example and every field in it whose schema in the *original* spec is nullable (the
/// field's own `nullable: true`, a `$ref` to a nullable component, or an enum listing `null`),
/// a copy of the example with that one field set to `null`.
pub fn null_probes(doc: &Value, records: &[Value]) -> Vec<Value> {
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
            let mut probe = ex.clone();
            if let Some(slot) = probe.pointer_mut(&ptr) {
                *slot = Value::Null;
                let name = rec.get("name").and_then(Value::as_str).unwrap_or(ep);
                out.push(json!({"endpoint": ep, "status": status,
                    "name": format!("{name} with null at {ptr}"), "example": probe}));
            }
        }
    }
    out
}

fn response_schema<'a>(doc: &'a Value, endpoint: &str, status: u16) -> Option<&'a Value> {
    let item = doc.get("paths")?.get(endpoint)?.as_object()?;
    item.iter()
        .filter(|(m, _)| crate::spec::lookup::is_http_method(m))
        .find_map(|(_, op)| {
            let r = op.get("responses")?.get(status.to_string())?;
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
