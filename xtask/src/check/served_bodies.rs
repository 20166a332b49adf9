//! `cargo xtask served-bodies FILE`: every body an emulator served, checked as a client reads it.
//!
//! `FILE` is what plaid-emulator writes when `PLAID_EMULATOR_RECORD` names it: one JSON line per
//! answer, `{"path": "/accounts/get", "status": 200, "body": {...}}`. Two checks, both needed:
//!
//! 1. the conformance replayer decodes each body into the operation's generated response type
//!    (an error status into its error type) and, for successes, writes it back unchanged — the
//!    same replay as `cargo xtask conformance --examples`;
//! 2. each success body is validated against the JSON Schema of its generated response type (the
//!    `response-schemas` binary's document, JSON Schema 2020-12), which `cargo xtask
//!    response-schemas` in turn checks against the normalized spec. A body can decode and still
//!    break the schema (a number where the spec says integer, a missing required key that serde
//!    reads as `null`); this catches those;
//! 3. every body, successes and errors, is validated against its operation's response schema in
//!    the spec *as published* (`published.rs`, over `spec::strict`). The normalized schemas of
//!    check 2 are lenient where the repairs relaxed them (a required key Plaid's examples omit is
//!    optional there); a server must send what the published spec requires.
//!
//! A recorded path of a templated operation (`/fdx/recipient/abc`) is checked as its template's.
//!
//! It fails when the file holds no body at all, so a CI step whose tests stopped recording
//! cannot pass by checking nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{json, Value};

use crate::spec;

mod published;

/// How many schema errors are printed for one body.
const ERRORS_PER_BODY: usize = 3;

/// One answer the emulator recorded.
struct Served {
    path: String,
    status: u16,
    body: Value,
}

pub fn run(root: &Path, file: &Path) -> anyhow::Result<ExitCode> {
    let served = read(file)?;
    anyhow::ensure!(
        !served.is_empty(),
        "{} holds no served JSON bodies: did the tests run with PLAID_EMULATOR_RECORD set?",
        file.display()
    );
    let published_spec = spec::load(&spec::resolve(root, None)?)?;
    let served = as_templates(&published_spec, served);
    let schemas = super::response_schemas::generated_schemas(root)?;
    let (served, unknown_paths) = split_unknown_paths(&schemas, served);
    let records_file = write_records(root, &served)?;
    let decoded = super::run_conformance_bin(root, "conformance", &records_file)?;
    let failures = validate(&schemas, &served)? + unknown_paths;
    let strict = published::check(&published_spec, &served)?;
    for line in &strict.lines {
        println!("{line}");
    }
    let paths: BTreeSet<&str> = served.iter().map(|s| s.path.as_str()).collect();
    println!(
        "served bodies: {} bodies of {} operations; decoded: {}; JSON Schema: {} failed",
        served.len(),
        paths.len(),
        if decoded { "all" } else { "FAILURES above" },
        failures
    );
    println!("{}", strict.summary());
    Ok(if decoded && failures == 0 && strict.failures() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Each recorded path that is not an operation's but fits a templated one (`{param}` for one
/// segment) replaced by the template, which is how the generated types and the spec name it.
fn as_templates(published: &Value, served: Vec<Served>) -> Vec<Served> {
    let ops: Vec<&str> = spec::lookup::operations(published)
        .map(|o| o.path)
        .collect();
    served
        .into_iter()
        .map(|mut s| {
            if !ops.contains(&s.path.as_str()) {
                if let Some(t) = ops
                    .iter()
                    .find(|t| spec::strict::matches_template(t, &s.path))
                {
                    s.path = (*t).to_string();
                }
            }
            s
        })
        .collect()
}

/// The recorded lines with a JSON body (binary answers, such as PDFs, are recorded without one).
fn read(file: &Path) -> anyhow::Result<Vec<Served>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON line", file.display(), n + 1))?;
        let (Some(path), Some(status)) = (v["path"].as_str(), v["status"].as_u64()) else {
            anyhow::bail!("{}:{}: no `path` or `status`", file.display(), n + 1);
        };
        if v["body"].is_object() {
            out.push(Served {
                path: path.to_string(),
                status: u16::try_from(status).unwrap_or(u16::MAX),
                body: v["body"].clone(),
            });
        }
    }
    Ok(out)
}

/// Answers to paths no JSON operation has (a test of the emulator's 404) are not any
/// operation's body: each must be an error status with a Plaid error object, and is then
/// dropped. Returns the rest and how many of those failed.
fn split_unknown_paths(schemas: &Value, served: Vec<Served>) -> (Vec<Served>, usize) {
    let known: BTreeSet<&str> = schemas["responses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["path"].as_str())
        .collect();
    let mut failed = 0;
    let kept = served
        .into_iter()
        .filter(|s| {
            if known.contains(s.path.as_str()) {
                return true;
            }
            let plaid_error = s.body["error_type"].is_string() && s.body["error_code"].is_string();
            if s.status < 400 || !plaid_error {
                println!(
                    "FAIL {} status {}: an unknown path answered without a Plaid error",
                    s.path, s.status
                );
                failed += 1;
            }
            false
        })
        .collect();
    (kept, failed)
}

/// The conformance replayer's records (`{"endpoint", "example", "status", "name"}`).
fn write_records(root: &Path, served: &[Served]) -> anyhow::Result<std::path::PathBuf> {
    let records: Vec<Value> = served
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({ "endpoint": s.path, "example": s.body, "status": s.status,
                    "name": format!("served #{i}") })
        })
        .collect();
    let dir = root.join("target").join("conformance");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("served-bodies.json");
    std::fs::write(&file, serde_json::to_vec(&records)?)?;
    Ok(file)
}

/// Validate every success body against its response type's schema; prints each failure and
/// returns how many bodies failed.
fn validate(schemas: &Value, served: &[Served]) -> anyhow::Result<usize> {
    let definitions = schemas.get("definitions").cloned().unwrap_or(json!({}));
    let mut by_path: BTreeMap<&str, &Value> = BTreeMap::new();
    for r in schemas["responses"].as_array().into_iter().flatten() {
        if let Some(path) = r["path"].as_str() {
            by_path.insert(path, &r["schema"]);
        }
    }
    let mut validators: BTreeMap<&str, jsonschema::Validator> = BTreeMap::new();
    let mut failed = 0;
    for (i, s) in served.iter().enumerate() {
        if !(200..300).contains(&s.status) {
            continue;
        }
        let Some(schema) = by_path.get(s.path.as_str()) else {
            println!(
                "FAIL {} [served #{i}]: no generated response type has this path",
                s.path
            );
            failed += 1;
            continue;
        };
        if !validators.contains_key(s.path.as_str()) {
            let mut root = (*schema).clone();
            root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
            root["$defs"] = definitions.clone();
            let v = jsonschema::validator_for(&root)
                .map_err(|e| anyhow::anyhow!("the schema of {} does not compile: {e}", s.path))?;
            validators.insert(s.path.as_str(), v);
        }
        let Some(validator) = validators.get(s.path.as_str()) else {
            continue;
        };
        let errors: Vec<String> = validator
            .iter_errors(&s.body)
            .take(ERRORS_PER_BODY)
            .map(|e| format!("at `{}`: {e}", e.instance_path()))
            .collect();
        if !errors.is_empty() {
            failed += 1;
            println!(
                "FAIL {} [served #{i}] status {}: {}",
                s.path,
                s.status,
                errors.join("; ")
            );
        }
    }
    Ok(failed)
}
