//! `cargo xtask`: the maintainer's tool for plaid-rs.
//!
//! It provisions the pinned Plaid OpenAPI spec, repairs its known defects with named rules,
//! generates `plaid-client` with progenitor, checks that the checked-in code is current, and
//! replays response examples against the generated types. It deliberately does not depend on
//! `plaid-client`, so that a broken checked-in client can always be regenerated.
//!
//! The stages, each a folder, depend on each other in one direction only:
//! `spec` ← `repair` ← `codegen` ← `check` ← `upgrade` (ARCHITECTURE.md has the map).
//! This file only parses arguments and hands off to the command's stage.

mod args;
mod check;
mod codegen;
mod repair;
mod spec;
mod upgrade;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use args::{split_positional, Opts, USAGE};

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
    let Some((cmd, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let root = workspace_root();
    match cmd.as_str() {
        "spec" => spec_command(&root, rest),
        "generate" => generate(&root, rest),
        "normalize" => normalize(&root, rest),
        "build-times" => build_times(&root, rest),
        "rules" => {
            print!("{}", repair::rules_markdown());
            Ok(ExitCode::SUCCESS)
        }
        "docs-examples" => docs_examples(&root, rest),
        "conformance" => {
            let mut o = Opts::parse(rest, &["--examples", "--spec"], &[])?;
            check::conformance::run(&root, o.take_path("--examples"), o.take_path("--spec"))
        }
        "response-schemas" => {
            let mut o = Opts::parse(rest, &["--spec"], &[])?;
            check::response_schemas::run(&root, o.take_path("--spec"))
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => anyhow::bail!("unknown command `{other}`\n{USAGE}"),
    }
}

fn spec_command(root: &Path, rest: &[String]) -> anyhow::Result<ExitCode> {
    match rest.split_first() {
        Some((sub, opts)) if sub == "fetch" => {
            let mut o = Opts::parse(opts, &["--from"], &[])?;
            spec::provision::fetch(root, o.take_path("--from").as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Some((sub, opts)) if sub == "diff" => spec_diff(root, opts),
        Some((sub, opts)) if sub == "bump" => {
            let mut o = Opts::parse(
                opts,
                &["--from", "--commit", "--version"],
                &["--skip-conformance"],
            )?;
            let bump_opts = upgrade::bump::Options {
                from: o.take_path("--from"),
                commit: o.take_string("--commit"),
                version: o.take_string("--version"),
                skip_conformance: o.flag("--skip-conformance"),
            };
            upgrade::bump::run(root, &bump_opts)
        }
        _ => anyhow::bail!("unknown `spec` subcommand\n{USAGE}"),
    }
}

fn spec_diff(root: &Path, opts: &[String]) -> anyhow::Result<ExitCode> {
    let (paths, options) = split_positional(opts);
    let [old, new] = &paths[..] else {
        anyhow::bail!("spec diff needs two spec files: OLD NEW\n{USAGE}");
    };
    let mut o = Opts::parse(&options, &["--format", "--out"], &[])?;
    let format = o.take_string("--format");
    upgrade::diff::run(
        root,
        Path::new(old),
        Path::new(new),
        format.as_deref(),
        o.take_path("--out").as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn generate(root: &Path, rest: &[String]) -> anyhow::Result<ExitCode> {
    let mut o = Opts::parse(rest, &["--spec", "--out", "--style"], &["--check"])?;
    let style = match o.take_string("--style").as_deref() {
        None | Some("positional") => progenitor::InterfaceStyle::Positional,
        Some("builder") => progenitor::InterfaceStyle::Builder,
        Some(other) => anyhow::bail!("unknown --style `{other}` (positional, builder)"),
    };
    let opts = codegen::Options {
        spec: o.take_path("--spec"),
        out: o.take_path("--out"),
        check: o.flag("--check"),
        style,
    };
    codegen::run(root, &opts)
}

fn normalize(root: &Path, rest: &[String]) -> anyhow::Result<ExitCode> {
    let mut o = Opts::parse(rest, &["--spec", "--out"], &[])?;
    repair::run(root, o.take_path("--spec"), o.take_path("--out").as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn build_times(root: &Path, rest: &[String]) -> anyhow::Result<ExitCode> {
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
    let options = check::build_times::Options {
        profiles: check::build_times::profiles(o.take_string("--profile").as_deref())?,
        manifest: o
            .take_path("--manifest-path")
            .unwrap_or_else(|| root.join("Cargo.toml")),
        package: o
            .take_string("--package")
            .unwrap_or_else(|| "plaid-client".into()),
        variants: check::build_times::variants(
            o.take_string("--features"),
            o.take_string("--also-features"),
        )?,
        write_readme: o.flag("--write-readme"),
    };
    check::build_times::run(root, &options)?;
    Ok(ExitCode::SUCCESS)
}

fn docs_examples(root: &Path, rest: &[String]) -> anyhow::Result<ExitCode> {
    let mut o = Opts::parse(rest, &["--docs", "--out", "--error-codes"], &[])?;
    let dir = o
        .take_path("--docs")
        .unwrap_or_else(|| root.join("..").join("shared").join("plaid-docs"));
    let out = o.take_path("--out").unwrap_or_else(|| {
        root.join("target")
            .join("conformance")
            .join("docs-examples.json")
    });
    let error_codes = o.take_path("--error-codes").unwrap_or_else(|| {
        spec::pin::evidence_dir(root)
            .join(repair::ERROR_CODES_DIR)
            .join("plaid-docs.json")
    });
    check::docs_examples::extract(&dir, &out, &error_codes)?;
    Ok(ExitCode::SUCCESS)
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
