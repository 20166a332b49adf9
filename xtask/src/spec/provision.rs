//! `cargo xtask spec fetch`: the pinned spec file, provisioned and verified by its sha256.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::pin::{self, Pin};

/// `cargo xtask spec fetch`: put the pinned spec at `openapi/plaid-openapi.yml`, verified.
pub fn fetch(root: &Path, from: Option<&Path>) -> anyhow::Result<()> {
    let pin = pin::load(root)?;
    let dest = pin::provisioned_path(root);
    if let Ok(existing) = std::fs::read(&dest) {
        if pin::sha256_hex(&existing) == pin.sha256 {
            println!(
                "spec {} already provisioned at {} (sha256 ok)",
                pin.version,
                dest.display()
            );
            return Ok(());
        }
    }
    let (bytes, source) = obtain(root, &pin, from)?;
    let got = pin::sha256_hex(&bytes);
    if got != pin.sha256 {
        anyhow::bail!(
            "sha256 mismatch for spec from {source}: expected {} (openapi/pin.toml), got {got}; \
             nothing was written",
            pin.sha256
        );
    }
    std::fs::write(&dest, &bytes).with_context(|| format!("writing {}", dest.display()))?;
    println!(
        "provisioned spec {} from {source} into {} ({} bytes, sha256 ok)",
        pin.version,
        dest.display(),
        bytes.len()
    );
    Ok(())
}

/// The candidate file names of a version in a local folder of specs such as `../shared/plaid-openapi`.
fn shared_candidates(root: &Path, pin: &Pin) -> Vec<PathBuf> {
    let dir = root.join("..").join("shared").join("plaid-openapi");
    vec![dir.join(format!("{}.yml", pin.version))]
}

pub fn obtain(root: &Path, pin: &Pin, from: Option<&Path>) -> anyhow::Result<(Vec<u8>, String)> {
    if let Some(path) = from {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok((bytes, path.display().to_string()));
    }
    for cand in shared_candidates(root, pin) {
        if let Ok(bytes) = std::fs::read(&cand) {
            return Ok((bytes, cand.display().to_string()));
        }
    }
    // No local copy: download the pinned URL. curl is on every machine we build on, and keeps an
    // HTTP stack out of the xtask.
    let out = std::process::Command::new("curl")
        .args([
            "--fail",
            "--silent",
            "--show-error",
            "--location",
            "--max-time",
            "120",
        ])
        .arg(&pin.url)
        .output()
        .context("running curl to download the pinned spec (is curl installed?)")?;
    if !out.status.success() {
        anyhow::bail!(
            "no local copy of spec {} (tried --from, ../shared/plaid-openapi/) and downloading {} \
             failed: {}",
            pin.version,
            pin.url,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok((out.stdout, pin.url.clone()))
}

/// The spec to work on: `--spec PATH` if given, else the provisioned pinned spec (verified).
pub fn resolve(root: &Path, explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    let pin = pin::load(root)?;
    let path = pin::provisioned_path(root);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "the pinned spec is not provisioned at {}; run `cargo xtask spec fetch` first",
            path.display()
        )
    })?;
    let got = pin::sha256_hex(&bytes);
    if got != pin.sha256 {
        anyhow::bail!(
            "{} has sha256 {got}, but openapi/pin.toml pins {}; run `cargo xtask spec fetch`",
            path.display(),
            pin.sha256
        );
    }
    Ok(path)
}
