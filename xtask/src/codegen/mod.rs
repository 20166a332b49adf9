//! `cargo xtask generate`: from the repaired spec to the files of `plaid-client/src/generated/`.
//!
//! Pipeline, one step per module:
//!
//! 1. [`progenitor_output`]: run progenitor on the repaired spec; split its `types` module off.
//! 2. [`tables::operations::collect`]: read the operations off progenitor's methods and the
//!    original spec (the passes need each operation's request, response and key field).
//! 3. [`passes`]: edit the types on the syntax tree (open enums, redacted credentials,
//!    constructors for what is sent, JSON Schema impls, serde impls).
//! 4. [`tables`]: the tables the runtime uses (operations, paging shapes, webhook events, typed
//!    mocks, credentials, error codes).
//! 5. [`files`]: format (prettyplease) and lay the items out in files; write them, or compare
//!    them with the checked-in ones (`--check`).
//!
//! Nothing touches the checked-in code until every step has succeeded.

pub mod features;
pub mod files;
pub mod passes;
pub mod progenitor_output;
pub mod scaffold;
pub mod tables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;

use crate::repair;
use crate::spec;

pub struct Options {
    pub spec: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub check: bool,
    pub style: progenitor::InterfaceStyle,
}

/// The crate-relative directory that holds every generated file, and nothing else.
pub const GENERATED_DIR: &str = "src/generated";

/// What the generator knows about the spec it generates from.
pub struct Input<'a> {
    pub spec_path: &'a Path,
    /// The spec as published (facts the repairs relax, such as length limits, are read here).
    pub original: &'a Value,
    /// `info.version`, written once into `generated/mod.rs`.
    pub version: String,
    /// `openapi/evidence/`: recorded responses and the error codes Plaid documents.
    pub evidence: &'a repair::Evidence,
}

pub fn run(root: &Path, opts: &Options) -> anyhow::Result<ExitCode> {
    let repair::Normalized {
        path,
        original,
        doc,
        report,
        evidence,
    } = repair::load_normalized(root, opts.spec.clone())?;
    report.print();
    let input = Input {
        spec_path: &path,
        original: &original,
        version: spec::version(&original),
        evidence: &evidence,
    };
    let Generated { files, features } = generate_files(&input, doc, opts.style.clone())?;

    let crate_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| root.join("plaid-client"));
    let dir = crate_dir.join(GENERATED_DIR);
    // What the features write outside `src/generated`: the workspace's manifests and README, or
    // a scratch crate's own manifest.
    let outside = if opts.out.is_some() {
        crate_dir.as_path()
    } else {
        root
    };
    if opts.check {
        let code = files::check(&dir, &files, &input.version)?;
        let stale = features.as_ref().map_or(Ok(Vec::new()), |f| {
            features::sync_outside(outside, opts.out.is_some(), f, true)
        })?;
        for path in &stale {
            eprintln!("{path}: its generated features differ; run `cargo xtask generate`");
        }
        return Ok(if stale.is_empty() {
            code
        } else {
            ExitCode::FAILURE
        });
    }
    if opts.out.is_some() && !crate_dir.join("Cargo.toml").exists() {
        scaffold::scaffold(root, &crate_dir, &opts.style)?;
    }
    files::write(&dir, &files)?;
    if let Some(f) = &features {
        for path in features::sync_outside(outside, opts.out.is_some(), f, false)? {
            println!("wrote the generated features of {path}");
        }
    }
    if opts.out.is_some() {
        println!(
            "compile it with: cargo check --manifest-path {}",
            crate_dir.join("Cargo.toml").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Everything the generator writes: the files by path relative to `src/generated`, and the
/// product features (for the manifests and the README; none for the builder style).
pub struct Generated {
    pub files: BTreeMap<String, String>,
    pub features: Option<features::Features>,
}

/// Everything the generator writes.
pub fn generate_files(
    input: &Input<'_>,
    normalized: Value,
    style: progenitor::InterfaceStyle,
) -> anyhow::Result<Generated> {
    let builder = matches!(style, progenitor::InterfaceStyle::Builder);
    // Read before progenitor takes the normalized document: where it is laxer than the published.
    let conform = tables::conform::emit(input.original, &normalized)?;
    let mut output = progenitor_output::generate(input.spec_path, normalized, style)?;
    let headers = crate::spec::lookup::api_key_headers(input.original);
    if builder {
        // Measurement only (ARCHITECTURE.md, "Interface style"): the operations table reads the
        // positional methods, so a builder-style client gets only the client and its types
        // (without the constructors, which need the operations).
        let passes = passes::apply(&mut output.types, &headers, None)?;
        println!("serde: {}", passes.serde_impls);
        let files = files::builder_files(output.client, output.types, &input.version)?;
        return Ok(Generated {
            files,
            features: None,
        });
    }
    let ops = tables::operations::collect(&output.client, input.original)?;
    let requests = tables::operations::requests(&ops);
    let passes = passes::apply(&mut output.types, &headers, Some(&requests))?;
    println!("serde: {}", passes.serde_impls);
    println!("schemars: {}", passes.json_schema);
    if let Some(counts) = &passes.constructors {
        println!("constructors: {counts}");
    }
    println!("{}", conform.summary);
    let tables = tables::build(input, &output, ops, &passes.credentials, conform.file)?;
    println!(
        "{}; {} string enums opened",
        tables.operations_summary, passes.opened_enums
    );
    let (files, features) = files::layout(input, output, tables)?;
    Ok(Generated {
        files,
        features: Some(features),
    })
}
