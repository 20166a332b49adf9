//! `cargo xtask spec bump (--from PATH | --commit SHA) [--commit SHA] [--version V] [--skip-conformance]`.
//!
//! The maintainer's path to a new Plaid spec, in one transaction: update the pin (version from
//! the file's `info.version`, commit, URL, sha256), provision the file, regenerate the client,
//! replay the spec's examples against it, and print what changed in the API. If any step fails
//! the pin, the provisioned spec and the generated code are put back exactly as they were.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::check::conformance;
use crate::codegen;
use crate::repair;
use crate::spec::{self, pin};
use crate::upgrade::release::{self, Release};
use crate::upgrade::{changelog, diff};

/// The upstream file of a commit of plaid/plaid-openapi.
pub fn upstream_url(commit: &str) -> String {
    format!("https://raw.githubusercontent.com/plaid/plaid-openapi/{commit}/2020-09-14.yml")
}

pub struct Options {
    pub from: Option<PathBuf>,
    pub commit: Option<String>,
    /// The `info.version` the new file must have (a guard against bumping to the wrong file).
    pub version: Option<String>,
    pub skip_conformance: bool,
}

/// Everything a bump may change, as it was before.
struct Snapshot {
    pin: Vec<u8>,
    provisioned: Option<Vec<u8>>,
    generated: BTreeMap<PathBuf, Vec<u8>>,
    /// CHANGELOG.md, Cargo.lock and the manifests whose versions a bump sets.
    release_files: BTreeMap<PathBuf, Vec<u8>>,
}

/// The files besides the pin and the generated code that a bump writes.
fn release_files(root: &Path, release: &Release) -> Vec<PathBuf> {
    let mut files = vec![
        root.join("CHANGELOG.md"),
        root.join("Cargo.toml"),
        root.join("Cargo.lock"),
    ];
    files.extend(
        release
            .crates
            .keys()
            .map(|k| root.join(k).join("Cargo.toml")),
    );
    files
}

fn files_under(dir: &Path) -> anyhow::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p)?);
            }
        }
    }
    Ok(out)
}

impl Snapshot {
    fn take(root: &Path, release: &Release) -> anyhow::Result<Self> {
        let mut files = BTreeMap::new();
        for path in release_files(root, release) {
            if let Ok(bytes) = std::fs::read(&path) {
                files.insert(path, bytes);
            }
        }
        Ok(Self {
            pin: std::fs::read(pin::pin_path(root))?,
            provisioned: std::fs::read(pin::provisioned_path(root)).ok(),
            generated: files_under(&root.join("plaid-client").join(codegen::GENERATED_DIR))?,
            release_files: files,
        })
    }

    fn restore(&self, root: &Path) -> anyhow::Result<()> {
        std::fs::write(pin::pin_path(root), &self.pin)?;
        let prov = pin::provisioned_path(root);
        match &self.provisioned {
            Some(bytes) => std::fs::write(&prov, bytes)?,
            None => {
                let _ = std::fs::remove_file(&prov);
            }
        }
        let dir = root.join("plaid-client").join(codegen::GENERATED_DIR);
        for path in files_under(&dir)?.keys() {
            if !self.generated.contains_key(path) {
                std::fs::remove_file(path)?;
            }
        }
        for (path, bytes) in self.generated.iter().chain(&self.release_files) {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }
}

pub fn run(root: &Path, opts: &Options) -> anyhow::Result<ExitCode> {
    let old_pin = pin::load(root)?;
    let (bytes, source) = read_new_spec(opts)?;
    // Validate before touching anything.
    let new_doc = spec::parse(&bytes).map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    let new_pin = new_pin(opts, &new_doc, &bytes, &source)?;
    // The old spec, for the API diff: the provisioned file if it is the pinned one.
    let old_bytes = std::fs::read(pin::provisioned_path(root))
        .ok()
        .filter(|b| pin::sha256_hex(b) == old_pin.sha256);
    let old_doc = old_bytes.as_deref().and_then(|b| spec::parse(b).ok());
    let release = release::load(root)?;

    let snapshot = Snapshot::take(root, &release)?;
    let known_specs = [bytes.as_slice(), old_bytes.as_deref().unwrap_or_default()];
    let applied = apply(root, &new_pin, &bytes, opts.skip_conformance).and_then(|()| {
        let released_doc = release.spec_document(root, &known_specs)?;
        record_release_changes(root, &release, released_doc, &new_doc, &new_pin)
    });
    if let Err(e) = applied {
        snapshot
            .restore(root)
            .context("restoring the pin and generated code after a failed bump")?;
        return Err(e.context(
            "spec bump failed; the pin, the provisioned spec, the generated code, the changelog \
             and the versions are unchanged",
        ));
    }
    println!("bumped the spec {} → {}", old_pin.version, new_pin.version);
    match old_doc {
        Some(old) => {
            let evidence = repair::load_evidence(root)?;
            let report = diff::diff(old, new_doc, &evidence);
            println!("API changes: {}", report.summary());
            println!("(full report: cargo xtask spec diff OLD NEW)");
        }
        None => println!("the old spec was not provisioned, so no API diff was made"),
    }
    println!(
        "review `git diff`, then commit openapi/pin.toml with plaid-client/src/generated, \
         CHANGELOG.md and the manifests"
    );
    Ok(ExitCode::SUCCESS)
}

/// Write CHANGELOG.md's Unreleased section and the crates' versions for the API changes since
/// the last release, and print them.
fn record_release_changes(
    root: &Path,
    release: &Release,
    released_doc: serde_json::Value,
    new_doc: &serde_json::Value,
    new_pin: &pin::Pin,
) -> anyhow::Result<()> {
    let evidence = repair::load_evidence(root)?;
    let report = diff::diff(released_doc, new_doc.clone(), &evidence);
    let versions = changelog::apply(root, release, new_pin, &report)?;
    println!(
        "since the last release ({}): {}",
        release.spec.version,
        report.summary()
    );
    for v in &versions {
        println!("version of {}: {} → {}", v.krate, v.from, v.to);
    }
    println!("CHANGELOG.md: the Unreleased section is written from that diff");
    Ok(())
}

/// The new spec's bytes, from `--from PATH` or downloaded for `--commit SHA`, and where from.
fn read_new_spec(opts: &Options) -> anyhow::Result<(Vec<u8>, String)> {
    match (&opts.from, &opts.commit) {
        (Some(path), _) => Ok((
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            path.display().to_string(),
        )),
        (None, Some(commit)) => {
            let url = upstream_url(commit);
            let out = std::process::Command::new("curl")
                .args([
                    "--fail",
                    "--silent",
                    "--show-error",
                    "--location",
                    "--max-time",
                    "120",
                ])
                .arg(&url)
                .output()
                .context("running curl")?;
            anyhow::ensure!(
                out.status.success(),
                "downloading {url} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            Ok((out.stdout, url))
        }
        (None, None) => anyhow::bail!("spec bump needs --from PATH or --commit SHA"),
    }
}

/// The pin of the new spec; refuses a file whose `info.version` is not the `--version` asked.
fn new_pin(
    opts: &Options,
    new_doc: &serde_json::Value,
    bytes: &[u8],
    source: &str,
) -> anyhow::Result<pin::Pin> {
    let version = new_doc
        .pointer("/info/version")
        .and_then(|v| v.as_str())
        .ok_or_else(|| anyhow::anyhow!("{source}: no info.version"))?
        .to_string();
    if let Some(expected) = &opts.version {
        anyhow::ensure!(
            *expected == version,
            "{source} is version {version}, not the requested {expected}; nothing was changed"
        );
    }
    let commit = opts.commit.clone().unwrap_or_default();
    let url = if commit.is_empty() {
        println!(
            "note: no --commit given; the pin records no upstream URL, so `spec fetch` can provision \
             this version only from a local copy (../shared/plaid-openapi/{version}.yml or --from)"
        );
        String::new()
    } else {
        upstream_url(&commit)
    };
    Ok(pin::Pin {
        version,
        url,
        commit,
        sha256: pin::sha256_hex(bytes),
    })
}

fn apply(
    root: &Path,
    new_pin: &pin::Pin,
    bytes: &[u8],
    skip_conformance: bool,
) -> anyhow::Result<()> {
    std::fs::write(pin::provisioned_path(root), bytes)?;
    std::fs::write(pin::pin_path(root), pin::to_toml(new_pin)?)?;
    let gen = codegen::run(
        root,
        &codegen::Options {
            spec: None,
            out: None,
            check: false,
            style: progenitor::InterfaceStyle::Positional,
        },
    )?;
    anyhow::ensure!(gen == ExitCode::SUCCESS, "generation failed");
    if !skip_conformance {
        let conf = conformance::run(root, None, None)?;
        anyhow::ensure!(
            conf == ExitCode::SUCCESS,
            "conformance failed on the new spec"
        );
    }
    Ok(())
}
