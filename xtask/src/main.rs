//! `cargo xtask`: the maintainer's tool for plaid-rs.
//!
//! It provisions the pinned Plaid OpenAPI spec, repairs its known defects with named rules,
//! generates `plaid-client` with progenitor, checks that the checked-in code is current, and
//! replays response examples against the generated types. It deliberately does not depend on
//! `plaid-client`, so that a broken checked-in client can always be regenerated.

mod buildtime;
mod bump;
mod conformance;
mod diff;
mod docs;
mod generate;
mod mocks;
mod normalize;
mod operations;
mod pagination;
mod pin;
mod postprocess;
mod spec;
mod struct_serde;
mod syntax;
mod webhooks;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  spec fetch [--from PATH]        provision the pinned spec into openapi/plaid-openapi.yml
                                  (from PATH, else ../shared/plaid-openapi/, else the pinned URL;
                                  always verifies the pinned sha256)
  spec diff OLD NEW [--format markdown|json] [--out FILE]
                                  the API changes between two spec files, each marked breaking or
                                  not for a Rust caller (both normalized first)
  spec bump (--from PATH | --commit SHA) [--commit SHA] [--version V] [--skip-conformance]
                                  update the pin, provision, regenerate, run conformance and print
                                  the API diff; on any failure everything is put back
                                  (--version: refuse a file whose info.version is not V)
  generate [--check] [--spec PATH] [--out DIR]
                                  normalize the spec and write the generated client
                                  (--check: compare with the checked-in code instead of writing;
                                   --spec: generate from another spec file instead of the pin;
                                   --out: write into another crate directory)
  normalize [--spec PATH] [--out FILE]
                                  print the rule counts and write the normalized spec as JSON
  build-times [--profile dev|release|both] [--manifest-path PATH] [--package NAME]
              [--features F | --also-features F] [--write-readme]
                                  time a clean build of the generated client crate (deps prebuilt)
                                  and its peak memory; --write-readme records the figures
  rules                           print the normalization rules as a Markdown table
  docs-examples [--docs DIR] [--out FILE]
                                  extract the JSON response examples of Plaid's docs (text pages,
                                  default ../shared/plaid-docs) as conformance records
  conformance [--examples FILE] [--spec PATH]
                                  decode every response example of the spec (or the records in
                                  FILE: [{\"endpoint\": \"/accounts/get\", \"example\": {..}}])
                                  into the generated response types
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => {
            eprint!("{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    let root = workspace_root();
    match cmd {
        "spec" => match rest.split_first() {
            Some((sub, opts)) if sub == "fetch" => {
                let mut o = Opts::parse(opts, &["--from"], &[])?;
                let from = o.take_path("--from");
                spec::fetch(&root, from.as_deref())?;
                Ok(ExitCode::SUCCESS)
            }
            Some((sub, opts)) if sub == "diff" => {
                let (paths, opts): (Vec<&String>, Vec<&String>) = {
                    let mut paths = Vec::new();
                    let mut rest = Vec::new();
                    let mut it = opts.iter();
                    while let Some(a) = it.next() {
                        if a.starts_with("--") {
                            rest.push(a);
                            if let Some(v) = it.next() {
                                rest.push(v);
                            }
                        } else {
                            paths.push(a);
                        }
                    }
                    (paths, rest)
                };
                let [old, new] = paths[..] else {
                    anyhow::bail!("spec diff needs two spec files: OLD NEW\n{USAGE}");
                };
                let owned: Vec<String> = opts.into_iter().cloned().collect();
                let mut o = Opts::parse(&owned, &["--format", "--out"], &[])?;
                let format = o.take_path("--format").map(|p| p.display().to_string());
                let evidence = normalize::Evidence::load_dir(&pin::evidence_dir(&root))?;
                let report = diff::diff(
                    spec::load(std::path::Path::new(old))?,
                    spec::load(std::path::Path::new(new))?,
                    &evidence,
                );
                let text = match format.as_deref() {
                    None | Some("markdown") | Some("md") => report.markdown(),
                    Some("json") => serde_json::to_string_pretty(&report)? + "\n",
                    Some(other) => anyhow::bail!("unknown --format `{other}` (markdown, json)"),
                };
                match o.take_path("--out") {
                    Some(out) => {
                        std::fs::write(&out, text)?;
                        println!("{}\nwrote {}", report.summary(), out.display());
                    }
                    None => print!("{text}"),
                }
                Ok(ExitCode::SUCCESS)
            }
            Some((sub, opts)) if sub == "bump" => {
                let mut o = Opts::parse(
                    opts,
                    &["--from", "--commit", "--version"],
                    &["--skip-conformance"],
                )?;
                let bump_opts = bump::Options {
                    from: o.take_path("--from"),
                    commit: o.take_path("--commit").map(|p| p.display().to_string()),
                    version: o.take_path("--version").map(|p| p.display().to_string()),
                    skip_conformance: o.flag("--skip-conformance"),
                };
                bump::run(&root, &bump_opts)
            }
            _ => anyhow::bail!("unknown `spec` subcommand\n{USAGE}"),
        },
        "generate" => {
            let mut o = Opts::parse(rest, &["--spec", "--out", "--style"], &["--check"])?;
            let style = match o.take_path("--style").as_deref().and_then(|p| p.to_str()) {
                None | Some("positional") => progenitor::InterfaceStyle::Positional,
                Some("builder") => progenitor::InterfaceStyle::Builder,
                Some(other) => anyhow::bail!("unknown --style `{other}` (positional, builder)"),
            };
            let opts = generate::Options {
                spec: o.take_path("--spec"),
                out: o.take_path("--out"),
                check: o.flag("--check"),
                style,
            };
            generate::run(&root, &opts)
        }
        "normalize" => {
            let mut o = Opts::parse(rest, &["--spec", "--out"], &[])?;
            let spec_path = spec::resolve(&root, o.take_path("--spec"))?;
            let doc = spec::load(&spec_path)?;
            let evidence = normalize::Evidence::load_dir(&pin::evidence_dir(&root))?;
            let (doc, report) = normalize::normalize(doc, &evidence);
            report.print();
            if let Some(out) = o.take_path("--out") {
                std::fs::write(&out, serde_json::to_vec_pretty(&doc)?)?;
                println!("wrote {}", out.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        "build-times" => {
            let mut o = Opts::parse(
                rest,
                &[
                    "--profile",
                    "--manifest-path",
                    "--package",
                    "--features",
                    "--also-features",
                ],
                &["--write-readme"],
            )?;
            let profile = o.take_path("--profile").map(|p| p.display().to_string());
            let profiles: Vec<&str> = match profile.as_deref() {
                None | Some("both") => vec!["dev", "release"],
                Some("dev") => vec!["dev"],
                Some("release") => vec!["release"],
                Some(other) => anyhow::bail!("unknown --profile `{other}` (dev, release, both)"),
            };
            let manifest = o
                .take_path("--manifest-path")
                .unwrap_or_else(|| root.join("Cargo.toml"));
            let package = o
                .take_path("--package")
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "plaid-client".into());
            let only = o.take_path("--features").map(|p| p.display().to_string());
            let also = o
                .take_path("--also-features")
                .map(|p| p.display().to_string());
            let variants: Vec<Option<&str>> = match (only.as_deref(), also.as_deref()) {
                (Some(_), Some(_)) => {
                    anyhow::bail!("give --features or --also-features, not both")
                }
                (Some(f), None) => vec![Some(f)],
                (None, Some(f)) => vec![None, Some(f)],
                (None, None) => vec![None],
            };
            buildtime::run(
                &root,
                &manifest,
                &package,
                &profiles,
                &variants,
                o.flag("--write-readme"),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        "rules" => {
            print!("{}", normalize::rules_markdown());
            Ok(ExitCode::SUCCESS)
        }
        "docs-examples" => {
            let mut o = Opts::parse(rest, &["--docs", "--out"], &[])?;
            let dir = o
                .take_path("--docs")
                .unwrap_or_else(|| root.join("..").join("shared").join("plaid-docs"));
            let out = o.take_path("--out").unwrap_or_else(|| {
                root.join("target")
                    .join("conformance")
                    .join("docs-examples.json")
            });
            docs::extract(&dir, &out)?;
            Ok(ExitCode::SUCCESS)
        }
        "conformance" => {
            let mut o = Opts::parse(rest, &["--examples", "--spec"], &[])?;
            conformance::run(&root, o.take_path("--examples"), o.take_path("--spec"))
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => anyhow::bail!("unknown command `{other}`\n{USAGE}"),
    }
}

/// The workspace root: the parent of this crate's manifest directory, or `XTASK_ROOT` (for
/// tests that run a command against a scratch copy of the tree).
fn workspace_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(dir);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// A tiny option parser: `--name VALUE` options and boolean flags, nothing else.
struct Opts {
    values: Vec<(String, String)>,
    flags: Vec<String>,
}

impl Opts {
    fn parse(args: &[String], with_value: &[&str], flags: &[&str]) -> anyhow::Result<Self> {
        let mut values = Vec::new();
        let mut set = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if with_value.contains(&a.as_str()) {
                let v = it
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("`{a}` needs a value"))?;
                values.push((a.clone(), v.clone()));
            } else if flags.contains(&a.as_str()) {
                set.push(a.clone());
            } else {
                anyhow::bail!("unexpected argument `{a}`\n{USAGE}");
            }
        }
        Ok(Self { values, flags: set })
    }

    fn take_path(&mut self, name: &str) -> Option<PathBuf> {
        let i = self.values.iter().position(|(k, _)| k == name)?;
        Some(PathBuf::from(self.values.remove(i).1))
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }
}
