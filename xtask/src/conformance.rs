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

use crate::{normalize, spec};

pub fn run(
    root: &Path,
    examples: Option<PathBuf>,
    spec_path: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let file = match examples {
        Some(f) => f,
        None => {
            let spec_path = spec::resolve(root, spec_path)?;
            let doc = spec::load(&spec_path)?;
            let records = spec_examples(&doc);
            println!(
                "extracted {} response examples from {}",
                records.len(),
                spec_path.display()
            );
            let dir = root.join("target").join("conformance");
            std::fs::create_dir_all(&dir)?;
            let out = dir.join("spec-examples.json");
            std::fs::write(&out, serde_json::to_vec_pretty(&records)?)
                .with_context(|| format!("writing {}", out.display()))?;
            out
        }
    };
    let file = std::fs::canonicalize(&file).with_context(|| format!("reading {}", file.display()))?;
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

/// Every JSON response example of every operation: `{endpoint, status, name, example}`.
/// Error examples under `default` or a range are given status 400.
pub fn spec_examples(doc: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !normalize::is_http_method(method) {
                continue;
            }
            for (code, resp) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let status: u16 = code.parse().unwrap_or(400);
                let Some(media) = resp.pointer("/content/application~1json") else {
                    continue;
                };
                let op_id = op.get("operationId").and_then(Value::as_str).unwrap_or(path);
                if let Some(ex) = media.get("example") {
                    out.push(json!({"endpoint": path, "status": status,
                        "name": format!("{op_id} {code} example"), "example": ex}));
                }
                for (name, ex) in media
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = ex.get("value") {
                        out.push(json!({"endpoint": path, "status": status,
                            "name": format!("{op_id} {code} {name}"), "example": v}));
                    }
                }
            }
        }
    }
    out
}
