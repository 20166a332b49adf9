//! `generate --out DIR`: make DIR a standalone copy of the `plaid-client` crate (its
//! hand-written files, and its dependencies with the workspace's versions spelled out), for
//! trying another spec version without touching the checked-in client.

use std::path::Path;

use anyhow::Context;

use super::GENERATED_DIR;

/// The crate root of a builder-style scratch crate: no operations table, webhooks or mocks.
const BUILDER_LIB_RS: &str = r#"//! plaid-client in progenitor's builder style, for measurement (`cargo xtask build-times`).
#[rustfmt::skip]
mod generated;
#[path = "runtime/headers.rs"]
mod headers;
#[doc(hidden)]
#[path = "runtime/open_enum.rs"]
pub mod open_enum;
#[doc(hidden)]
#[path = "runtime/struct_serde.rs"]
pub mod struct_serde;

pub use generated::*;
pub use headers::{InvalidHeader, RequestHeaders};
"#;

pub fn scaffold(root: &Path, dir: &Path, style: &progenitor::InterfaceStyle) -> anyhow::Result<()> {
    let client = root.join("plaid-client");
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(dir.join("Cargo.toml"), manifest(root)?)?;
    copy_hand_written(&client, dir)?;
    if matches!(style, progenitor::InterfaceStyle::Builder) {
        // The builder output (for measurement) has only the client and its types, so the
        // crate root declares only what they use.
        std::fs::write(dir.join("src/lib.rs"), BUILDER_LIB_RS)?;
    }
    // Share the lock file so the scratch crate builds with the same dependency versions.
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    println!(
        "scaffolded a standalone plaid-client crate in {}",
        dir.display()
    );
    Ok(())
}

/// The scratch crate's manifest: plaid-client's, with `workspace = true` resolved.
fn manifest(root: &Path) -> anyhow::Result<String> {
    let workspace: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml"))?)?;
    let client_manifest = std::fs::read_to_string(root.join("plaid-client").join("Cargo.toml"))?;
    let mut manifest: toml::Table = toml::from_str(&client_manifest)?;
    // The product features are the scratch spec's own: `generate` writes its block after this.
    let generated = super::features::manifest::generated_names(&client_manifest);
    if let Some(features) = manifest.get_mut("features").and_then(|f| f.as_table_mut()) {
        features.retain(|name, _| !generated.iter().any(|g| g == name));
    }
    let ws_deps = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default();
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
    out.insert(
        "dependencies".into(),
        resolve_deps(&manifest, "dependencies", &ws_deps)?.into(),
    );
    // For `cargo test` in a scratch copy made from a Plaid spec (its unit tests name Plaid types).
    let dev_deps = resolve_deps(&manifest, "dev-dependencies", &ws_deps)?;
    if !dev_deps.is_empty() {
        out.insert("dev-dependencies".into(), dev_deps.into());
    }
    out.insert("workspace".into(), toml::Table::new().into());
    Ok(format!(
        "# A scratch copy of plaid-client made by `cargo xtask generate --out`.\n{}",
        toml::to_string(&out)?
    ))
}

/// A member's dependency table with `workspace = true` resolved against the workspace's table;
/// `optional`/`features` stay with the member's entry, on top of the workspace's.
fn resolve_deps(
    manifest: &toml::Table,
    section: &str,
    ws_deps: &toml::Table,
) -> anyhow::Result<toml::Table> {
    let mut deps = toml::Table::new();
    for (name, spec) in manifest
        .get(section)
        .and_then(|d| d.as_table())
        .into_iter()
        .flatten()
    {
        let inherited = spec.get("workspace").and_then(|w| w.as_bool()) == Some(true);
        if !inherited {
            deps.insert(name.clone(), spec.clone());
            continue;
        }
        let base = ws_deps
            .get(name)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("workspace dependency {name} not found"))?;
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
        // A path dependency of the workspace is not there for a scratch crate elsewhere.
        table.remove("path");
        deps.insert(name.clone(), toml::Value::Table(table));
    }
    Ok(deps)
}

/// Every hand-written file of the crate: `src/` except the generated module.
fn copy_hand_written(client: &Path, dir: &Path) -> anyhow::Result<()> {
    let generated = client.join(GENERATED_DIR);
    let mut stack = vec![client.join("src")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.starts_with(&generated) {
                continue;
            }
            let rel = path.strip_prefix(client)?;
            if path.is_dir() {
                std::fs::create_dir_all(dir.join(rel))?;
                stack.push(path);
            } else {
                std::fs::copy(&path, dir.join(rel))
                    .with_context(|| format!("copying {}", rel.display()))?;
            }
        }
    }
    Ok(())
}
