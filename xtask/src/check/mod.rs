//! Checking and measuring the generated client: replaying response examples (conformance),
//! comparing the response types' JSON Schemas with the spec (response_schemas), extracting
//! Plaid's docs examples, checking the bodies an emulator served (served_bodies), and timing
//! clean builds.

pub mod build_times;
pub mod conformance;
pub mod docs_examples;
pub mod response_schemas;
pub mod served_bodies;

/// Where CI keeps the conformance binaries its test build made: with this set to a directory
/// (`target/debug`), the checks run the binaries found there instead of `cargo run -p
/// conformance`, which resolves plaid-client's dependencies for that one package and so builds
/// the whole generated client a second time. `cargo test --workspace` builds both binaries
/// (`conformance/tests/binaries.rs` runs them).
pub const PREBUILT_BINS: &str = "PLAID_CONFORMANCE_BINS";

/// Run one binary of the conformance crate (it links plaid-client, which xtask must not) with
/// `file` as its argument; whether it succeeded. Built by Cargo here, or the one under
/// [`PREBUILT_BINS`] if that is set and the binary is newer than every source it was built from.
fn run_conformance_bin(
    root: &std::path::Path,
    bin: &str,
    file: &std::path::Path,
) -> anyhow::Result<bool> {
    use anyhow::Context;
    let mut command = match std::env::var_os(PREBUILT_BINS) {
        Some(dir) => {
            std::process::Command::new(prebuilt(root, &std::path::PathBuf::from(dir), bin)?)
        }
        None => {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut c = std::process::Command::new(cargo);
            c.current_dir(root).args([
                "run",
                "--quiet",
                "--package",
                "conformance",
                "--bin",
                bin,
                "--",
            ]);
            c
        }
    };
    let status = command
        .arg(file)
        .status()
        .with_context(|| format!("running the conformance crate's {bin}"))?;
    Ok(status.success())
}

/// The prebuilt `bin` in `dir`, refused if it is missing or older than a source it is built
/// from (a stale binary would check another client): plaid-client's, the conformance crate's
/// manifest, and the binary's own files (`src/bin/<bin>.rs`, or `src/` without `src/bin/` for
/// the crate's main binary, which Cargo relinks only when those change).
fn prebuilt(
    root: &std::path::Path,
    dir: &std::path::Path,
    bin: &str,
) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context;
    let path = dir.join(bin);
    let built = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .with_context(|| format!("{PREBUILT_BINS}: no binary {}", path.display()))?;
    let own_bin = root.join("conformance/src/bin").join(format!("{bin}.rs"));
    let own = if own_bin.is_file() {
        own_bin
    } else {
        root.join("conformance/src")
    };
    let sources = [
        root.join("plaid-client/src"),
        root.join("plaid-client/Cargo.toml"),
        root.join("conformance/Cargo.toml"),
        own,
    ];
    let other_bins = root.join("conformance/src/bin");
    for source in sources {
        if let Some(newer) = newer_file(&source, built, &other_bins)? {
            anyhow::bail!(
                "{PREBUILT_BINS}: {} is older than {} (build it again: cargo test --workspace)",
                path.display(),
                newer.display()
            );
        }
    }
    Ok(path)
}

/// A file under `path` (or `path` itself), outside `skip`, modified after `than`, if any.
fn newer_file(
    path: &std::path::Path,
    than: std::time::SystemTime,
    skip: &std::path::Path,
) -> anyhow::Result<Option<std::path::PathBuf>> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        return Ok((meta.modified()? > than).then(|| path.to_path_buf()));
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?.path();
        if entry == skip {
            continue;
        }
        if let Some(newer) = newer_file(&entry, than, skip)? {
            return Ok(Some(newer));
        }
    }
    Ok(None)
}
