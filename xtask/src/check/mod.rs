//! Checking and measuring the generated client: replaying response examples (conformance),
//! comparing the response types' JSON Schemas with the spec (response_schemas), extracting
//! Plaid's docs examples, checking the bodies an emulator served (served_bodies), and timing
//! clean builds.

pub mod build_times;
pub mod conformance;
pub mod docs_examples;
pub mod response_schemas;
pub mod served_bodies;

/// Run one binary of the conformance crate (it links plaid-client, which xtask must not) with
/// `file` as its argument; whether it succeeded.
fn run_conformance_bin(
    root: &std::path::Path,
    bin: &str,
    file: &std::path::Path,
) -> anyhow::Result<bool> {
    use anyhow::Context;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--package",
            "conformance",
            "--bin",
            bin,
            "--",
        ])
        .arg(file)
        .status()
        .with_context(|| format!("running the conformance crate's {bin}"))?;
    Ok(status.success())
}
