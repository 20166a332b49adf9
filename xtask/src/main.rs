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

use args::{BuildTimesArgs, Cli, Command, SpecCommand, Style};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    match command {
        Command::Spec(sub) => spec_command(&root, sub),
        Command::Generate(a) => {
            let style = match a.style {
                Style::Positional => progenitor::InterfaceStyle::Positional,
                Style::Builder => progenitor::InterfaceStyle::Builder,
            };
            let opts = codegen::Options {
                spec: a.spec,
                out: a.out,
                check: a.check,
                style,
            };
            codegen::run(&root, &opts)
        }
        Command::Normalize { spec, out } => {
            repair::run(&root, spec, out.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::BuildTimes(a) => build_times(&root, a),
        Command::Rules => {
            print!("{}", repair::rules_markdown());
            Ok(ExitCode::SUCCESS)
        }
        Command::DocsExamples {
            docs,
            out,
            error_codes,
        } => docs_examples(&root, docs, out, error_codes),
        Command::Conformance { examples, spec } => check::conformance::run(&root, examples, spec),
        Command::ResponseSchemas { spec } => check::response_schemas::run(&root, spec),
        Command::ServedBodies { file } => check::served_bodies::run(&root, &file),
    }
}

fn spec_command(root: &Path, command: SpecCommand) -> anyhow::Result<ExitCode> {
    match command {
        SpecCommand::Fetch { from } => spec::provision::fetch(root, from.as_deref())?,
        SpecCommand::Diff {
            old,
            new,
            format,
            out,
        } => upgrade::diff::run(root, &old, &new, format.as_deref(), out.as_deref())?,
        SpecCommand::Bump {
            from,
            commit,
            version,
            skip_conformance,
        } => {
            let bump_opts = upgrade::bump::Options {
                from,
                commit,
                version,
                skip_conformance,
            };
            return upgrade::bump::run(root, &bump_opts);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn build_times(root: &Path, a: BuildTimesArgs) -> anyhow::Result<ExitCode> {
    let options = check::build_times::Options {
        profiles: check::build_times::profiles(a.profile.as_deref())?,
        manifest: a.manifest_path.unwrap_or_else(|| root.join("Cargo.toml")),
        package: a.package,
        variants: check::build_times::variants(a.features, a.also_features)?,
        products: a.products,
        write_readme: a.write_readme,
    };
    check::build_times::run(root, &options)?;
    Ok(ExitCode::SUCCESS)
}

fn docs_examples(
    root: &Path,
    docs: Option<PathBuf>,
    out: Option<PathBuf>,
    error_codes: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let dir = docs.unwrap_or_else(|| root.join("..").join("shared").join("plaid-docs"));
    let out = out.unwrap_or_else(|| {
        root.join("target")
            .join("conformance")
            .join("docs-examples.json")
    });
    let error_codes = error_codes.unwrap_or_else(|| {
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
