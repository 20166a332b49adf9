//! `cargo xtask generate [--check] [--spec PATH] [--out DIR]`.
//!
//! Pipeline: load + validate → normalize (counted rules) → progenitor → post-process (open
//! enums) → operations table → format (prettyplease) → split into files → write or compare.
//! Nothing touches the checked-in code until every step has succeeded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use quote::quote;

use crate::{
    mocks, normalize, operations, pagination, pin, postprocess, spec, struct_serde, webhooks,
};

pub struct Options {
    pub spec: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub check: bool,
    pub style: progenitor::InterfaceStyle,
}

/// The crate-relative directory that holds every generated file, and nothing else.
pub const GENERATED_DIR: &str = "src/generated";

pub fn run(root: &Path, opts: &Options) -> anyhow::Result<ExitCode> {
    let spec_path = spec::resolve(root, opts.spec.clone())?;
    let original = spec::load(&spec_path)?;
    let version = original
        .pointer("/info/version")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_string();
    let evidence = normalize::Evidence::load_dir(&pin::evidence_dir(root))?;
    let (normalized, report) = normalize::normalize(original.clone(), &evidence);
    report.print();
    let files = generate_files(
        &spec_path,
        &original,
        normalized,
        &version,
        opts.style.clone(),
    )?;

    let crate_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| root.join("plaid-client"));
    let dir = crate_dir.join(GENERATED_DIR);
    if opts.check {
        let diffs = compare(&dir, &files)?;
        if diffs.is_empty() {
            println!(
                "generated code in {} is current for spec {version}",
                dir.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        for d in &diffs {
            eprintln!("{d}");
        }
        eprintln!(
            "error: {} generated file(s) differ from what spec {version} produces; \
             run `cargo xtask generate` and commit the result",
            diffs.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    if opts.out.is_some() && !crate_dir.join("Cargo.toml").exists() {
        scaffold(root, &crate_dir)?;
        if matches!(opts.style, progenitor::InterfaceStyle::Builder) {
            // The builder output (for measurement) has only the client and its types, so the
            // crate root declares only what they use.
            std::fs::write(crate_dir.join("src/lib.rs"), BUILDER_LIB_RS)?;
        }
    }
    write(&dir, &files)?;
    if opts.out.is_some() {
        println!(
            "compile it with: cargo check --manifest-path {}",
            crate_dir.join("Cargo.toml").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The crate root of a builder-style scratch crate: no operations table, webhooks or mocks.
const BUILDER_LIB_RS: &str = r#"//! plaid-client in progenitor's builder style, for measurement (`cargo xtask build-times`).
#[rustfmt::skip]
mod generated;
mod headers;
#[doc(hidden)]
pub mod open_enum;
#[doc(hidden)]
pub mod struct_serde;

pub use generated::*;
pub use headers::{InvalidHeader, RequestHeaders};
"#;

/// Make `dir` a standalone copy of the `plaid-client` crate (its hand-written files, and its
/// dependencies with the workspace's versions spelled out), for trying another spec version
/// without touching the checked-in client.
fn scaffold(root: &Path, dir: &Path) -> anyhow::Result<()> {
    let client = root.join("plaid-client");
    let workspace: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml"))?)?;
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(client.join("Cargo.toml"))?)?;
    let ws_deps = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default();
    // The member's dependencies with `workspace = true` resolved against the workspace's table.
    let resolve = |section: &str| -> anyhow::Result<toml::Table> {
        let mut deps = toml::Table::new();
        for (name, spec) in manifest
            .get(section)
            .and_then(|d| d.as_table())
            .into_iter()
            .flatten()
        {
            let inherited = spec.get("workspace").and_then(|w| w.as_bool()) == Some(true);
            let resolved = if inherited {
                let base = ws_deps
                    .get(name)
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("workspace dependency {name} not found"))?;
                // `optional`/`features` stay with the member's entry, on top of the workspace's.
                let mut table = match base {
                    toml::Value::String(version) => {
                        let mut t = toml::Table::new();
                        t.insert("version".into(), version.into());
                        t
                    }
                    toml::Value::Table(t) => t,
                    other => anyhow::bail!("workspace dependency {name}: unexpected {other}"),
                };
                for (k, v) in spec.as_table().into_iter().flatten() {
                    if k != "workspace" {
                        table.insert(k.clone(), v.clone());
                    }
                }
                toml::Value::Table(table)
            } else {
                spec.clone()
            };
            deps.insert(name.clone(), resolved);
        }
        Ok(deps)
    };
    let deps = resolve("dependencies")?;
    // For `cargo test` in a scratch copy made from a Plaid spec (its unit tests name Plaid types).
    let dev_deps = resolve("dev-dependencies")?;
    let mut package = toml::Table::new();
    package.insert("name".into(), "plaid-client".into());
    package.insert("version".into(), "0.0.0".into());
    package.insert("edition".into(), "2021".into());
    package.insert("publish".into(), false.into());
    let mut out = toml::Table::new();
    out.insert("package".into(), package.into());
    if let Some(features) = manifest.get("features") {
        out.insert("features".into(), features.clone());
    }
    out.insert("dependencies".into(), deps.into());
    if !dev_deps.is_empty() {
        out.insert("dev-dependencies".into(), dev_deps.into());
    }
    out.insert("workspace".into(), toml::Table::new().into());
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "# A scratch copy of plaid-client made by `cargo xtask generate --out`.\n{}",
            toml::to_string(&out)?
        ),
    )?;
    // Every hand-written file of the crate: build.rs and src/ except the generated module.
    std::fs::copy(client.join("build.rs"), dir.join("build.rs")).context("copying build.rs")?;
    let generated = client.join(GENERATED_DIR);
    let mut stack = vec![client.join("src")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.starts_with(&generated) {
                continue;
            }
            let rel = path.strip_prefix(&client)?;
            if path.is_dir() {
                std::fs::create_dir_all(dir.join(rel))?;
                stack.push(path);
            } else {
                std::fs::copy(&path, dir.join(rel))
                    .with_context(|| format!("copying {}", rel.display()))?;
            }
        }
    }
    // Share the lock file so the scratch crate builds with the same dependency versions.
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    println!(
        "scaffolded a standalone plaid-client crate in {}",
        dir.display()
    );
    Ok(())
}

/// Everything the generator writes, by path relative to `src/generated`.
pub fn generate_files(
    spec_path: &Path,
    original: &serde_json::Value,
    normalized: serde_json::Value,
    version: &str,
    style: progenitor::InterfaceStyle,
) -> anyhow::Result<BTreeMap<String, String>> {
    let api: openapiv3::OpenAPI = serde_json::from_value(normalized).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a valid OpenAPI 3.0 document after normalization: {e}",
            spec_path.display()
        )
    })?;

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(style.clone())
        .with_tag(progenitor::TagStyle::Merged)
        // progenitor ignores securitySchemes: credentials and Plaid-Version travel as headers
        // held by the client and set on every request (plaid-client/src/headers.rs).
        .with_inner_type(quote!(crate::RequestHeaders))
        .with_pre_hook(quote!(crate::RequestHeaders::apply));
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = run_progenitor(spec_path, "progenitor", || generator.generate_tokens(&api))?;

    let mut file: syn::File =
        syn::parse2(tokens).context("progenitor produced tokens that do not parse as Rust")?;

    // Split off the `types` module so it can be post-processed and written in chunks.
    let mut types_items = Vec::new();
    file.items.retain_mut(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => {
            if let Some((_, items)) = m.content.take() {
                types_items = items;
            }
            false
        }
        _ => true,
    });
    if types_items.is_empty() {
        anyhow::bail!("progenitor output has no `types` module");
    }
    let opened = postprocess::open_string_enums(&mut types_items)?;
    let redacted = postprocess::redact_credentials(&mut types_items);
    let serde_impls = struct_serde::rewrite(&mut types_items);
    println!("serde: {serde_impls}");

    if matches!(&style, progenitor::InterfaceStyle::Builder) {
        // Measurement only (README: "Interface style"): the operations table reads the
        // positional methods, so a builder-style client gets only client.rs and types/.
        return builder_files(file, types_items, version);
    }
    let ops = operations::collect(&file, original)?;
    // Typed httpmock helpers for every operation (plaid-client feature `mock`), from the same
    // generator, whose type space already holds every schema.
    let mock_tokens = run_progenitor(spec_path, "progenitor's httpmock generation", || {
        generator.httpmock(&api, "crate")
    })?;
    let paging = pagination::detect(&ops, &types_items, original);
    println!("pagination: {}", paging.counts);
    let keyed = ops.iter().filter(|o| o.idempotency_key.is_some()).count();
    let read_only = ops.iter().filter(|o| o.read_only()).count();
    let mut expected = 0;
    for item in original
        .get("paths")
        .and_then(|p| p.as_object())
        .into_iter()
        .flat_map(|m| m.values())
    {
        expected += item
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| normalize::is_http_method(k))
            .count();
    }
    println!(
        "generated {} of {expected} operations as client methods ({} JSON, {} binary; {read_only} read-only; {keyed} with an idempotency_key); {opened} string enums opened; {redacted} types redact credentials in Debug",
        ops.len(),
        ops.iter().filter(|o| !o.binary_response).count(),
        ops.iter().filter(|o| o.binary_response).count(),
    );
    if ops.len() != expected {
        anyhow::bail!(
            "{}: the spec has {expected} operations but the client has {} methods",
            spec_path.display(),
            ops.len()
        );
    }

    let header = format!(
        "// @generated by `cargo xtask generate` from Plaid OpenAPI spec {version}.\n\
         // Do not edit by hand: change the generator (xtask/) and regenerate.\n\n"
    );
    let mut files = BTreeMap::new();

    // Client, methods and everything else progenitor emits outside `types`.
    files.insert(
        "client.rs".to_string(),
        format!("{header}{}", prettyplease::unparse(&file)),
    );

    // `types`: the module's own items (uses, `error`, `builder`...) in types/mod.rs, the types in
    // one file per initial letter so that a spec bump's diff stays reviewable file by file.
    let (head, chunks) = split_types(types_items);
    let mut includes = Vec::new();
    for (letter, items) in &chunks {
        let name = format!("types/{letter}.rs");
        let f = syn::File {
            shebang: None,
            attrs: vec![],
            items: items.clone(),
        };
        files.insert(name, format!("{header}{}", prettyplease::unparse(&f)));
        let inc = format!("{letter}.rs");
        includes.push(quote!(include!(#inc);));
    }
    let types_mod = syn::File {
        shebang: None,
        attrs: vec![],
        items: head,
    };
    files.insert(
        "types/mod.rs".to_string(),
        format!(
            "{header}{}\n{}",
            prettyplease::unparse(&types_mod),
            includes
                .iter()
                .map(|t| format!("{t}\n"))
                .collect::<String>()
                .replace(" !", "!")
                .replace("( \"", "(\"")
                .replace("\" )", "\")")
                .replace(" ;", ";")
        ),
    );

    let type_names: Vec<String> = types_items_names(&chunks);
    let (hooks, skipped_hooks) = webhooks::collect(original, &type_names);
    println!(
        "webhook events: {} schemas typed ({skipped_hooks} without readable type/code literals left to WebhookEvent::Unknown)",
        hooks.len()
    );
    let hooks_file: syn::File = syn::parse2(webhooks::emit(&hooks)?)?;
    files.insert(
        "webhooks.rs".to_string(),
        format!("{header}{}", prettyplease::unparse(&hooks_file)),
    );

    let ops_file: syn::File = syn::parse2(operations::emit(
        &ops,
        &paging.shapes,
        &paging.cursor_newtypes,
    ))?;
    files.insert(
        "operations.rs".to_string(),
        format!("{header}{}", prettyplease::unparse(&ops_file)),
    );

    let mock_file = mocks::finish(mock_tokens, &ops, original)?;
    println!("{}", mock_file.summary);
    files.insert(
        "mock.rs".to_string(),
        format!("{header}{}", prettyplease::unparse(&mock_file.file)),
    );

    files.insert(
        "mod.rs".to_string(),
        format!(
            "{header}//! The low-level client generated by progenitor from the Plaid OpenAPI spec.\n\
             \n\
             #![allow(clippy::all, clippy::pedantic, unused_imports, unused_mut, dead_code)]\n\
             #![allow(rustdoc::all, missing_docs, irrefutable_let_patterns, deprecated)]\n\
             \n\
             include!(\"client.rs\");\n\
             \n\
             /// Request, response and error types.\n\
             pub mod types;\n\
             \n\
             /// One marker type per operation, implementing [`crate::Operation`].\n\
             pub mod operations;\n\
             \n\
             /// Webhook bodies typed by `webhook_type` and `webhook_code`.\n\
             pub mod webhooks;\n\
             \n\
             /// Typed httpmock helpers for every operation, and the spec's example responses.\n\
             #[cfg(feature = \"mock\")]\n\
             pub mod mock;\n"
        ),
    );
    Ok(files)
}

/// Run one progenitor step, turning its panics (progenitor panics on some specs it cannot take)
/// and errors into errors that name the spec.
fn run_progenitor<T>(
    spec_path: &Path,
    what: &str,
    step: impl FnOnce() -> Result<T, progenitor::Error>,
) -> anyhow::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step))
        .map_err(|_| anyhow::anyhow!("{}: {what} panicked (see above)", spec_path.display()))?
        .map_err(|e| anyhow::anyhow!("{}: {what} failed: {e}", spec_path.display()))
}

/// The names of the structs and enums among the type chunks.
fn types_items_names(chunks: &BTreeMap<char, Vec<syn::Item>>) -> Vec<String> {
    chunks
        .values()
        .flatten()
        .filter_map(|i| match i {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// The files of a builder-style client (for measuring it against the positional one).
fn builder_files(
    file: syn::File,
    types_items: Vec<syn::Item>,
    version: &str,
) -> anyhow::Result<BTreeMap<String, String>> {
    let header =
        format!("// @generated (builder style, for measurement) from Plaid spec {version}.\n\n");
    let types = syn::File {
        shebang: None,
        attrs: vec![],
        items: types_items,
    };
    let mut files = BTreeMap::new();
    files.insert(
        "client.rs".into(),
        format!("{header}{}", prettyplease::unparse(&file)),
    );
    files.insert(
        "types.rs".into(),
        format!("{header}{}", prettyplease::unparse(&types)),
    );
    files.insert(
        "mod.rs".into(),
        format!("{header}#![allow(clippy::all, unused_imports, dead_code)]\ninclude!(\"client.rs\");\npub mod types {{ include!(\"types.rs\"); }}\n"),
    );
    Ok(files)
}

/// Split the `types` module's items into its head (uses, nested modules, anything not owned by a
/// type) and per-letter chunks of types with their impls, keeping progenitor's order.
fn split_types(items: Vec<syn::Item>) -> (Vec<syn::Item>, BTreeMap<char, Vec<syn::Item>>) {
    let mut head = Vec::new();
    let mut chunks: BTreeMap<char, Vec<syn::Item>> = BTreeMap::new();
    for item in items {
        let owner = match &item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            // `impl X` / `impl Trait for X` belong to X; `impl From<X> for String` to X too.
            syn::Item::Impl(i) => crate::syntax::local_type_name(&i.self_ty).or_else(|| {
                let (_, path, _) = i.trait_.as_ref()?;
                match &path.segments.last()?.arguments {
                    syn::PathArguments::AngleBracketed(ab) => {
                        ab.args.iter().find_map(|a| match a {
                            syn::GenericArgument::Type(t) => crate::syntax::local_type_name(t),
                            _ => None,
                        })
                    }
                    _ => None,
                }
            }),
            _ => None,
        };
        match owner.and_then(|o| o.chars().next()) {
            Some(c) if c.is_ascii_alphabetic() => {
                chunks.entry(c.to_ascii_lowercase()).or_default().push(item)
            }
            _ => head.push(item),
        }
    }
    (head, chunks)
}

/// Differences between the files on disk and the expected ones, each as a readable message.
fn compare(dir: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<Vec<String>> {
    let mut diffs = Vec::new();
    for (name, want) in files {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(have) if &have == want => {}
            Ok(have) => diffs.push(format!(
                "{} differs:\n{}",
                path.display(),
                short_diff(&have, want)
            )),
            Err(_) => diffs.push(format!("{} is missing", path.display())),
        }
    }
    for name in existing_files(dir)? {
        if !files.contains_key(&name) {
            diffs.push(format!(
                "{} is not produced by the generator (stale file)",
                dir.join(&name).display()
            ));
        }
    }
    Ok(diffs)
}

fn short_diff(have: &str, want: &str) -> String {
    const MAX_LINES: usize = 80;
    let diff = similar::TextDiff::from_lines(have, want);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("checked in", "generated")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() > MAX_LINES {
        format!(
            "{}\n... ({} more diff lines)",
            lines[..MAX_LINES].join("\n"),
            lines.len() - MAX_LINES
        )
    } else {
        text
    }
}

/// Every file under `dir`, relative, with `/` separators.
fn existing_files(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in rd {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Write the files, remove stale ones, and touch nothing that is already identical.
fn write(dir: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let mut written = 0;
    for (name, text) in files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written += 1;
    }
    let mut removed = 0;
    for name in existing_files(dir)? {
        if !files.contains_key(&name) {
            std::fs::remove_file(dir.join(&name))?;
            removed += 1;
        }
    }
    let bytes: usize = files.values().map(String::len).sum();
    let lines: usize = files.values().map(|t| t.lines().count()).sum();
    println!(
        "wrote {} ({} files, {lines} lines, {bytes} bytes; {written} changed, {removed} removed)",
        dir.display(),
        files.len()
    );
    let _ = pin::provisioned_path; // keep the module's paths in one place
    Ok(())
}
