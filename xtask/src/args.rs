//! The command line, declared with clap's derive: the doc comments below are `cargo xtask
//! --help` and each command's `--help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// The maintainer's tool for plaid-rs: provision the pinned Plaid OpenAPI spec, repair its
/// known defects, generate plaid-client, and check the generated code.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The spec: provision the pinned file, compare two spec files, bump the pin.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Normalize the spec and write the generated client.
    Generate(GenerateArgs),
    /// Print the rule counts and write the normalized spec as JSON.
    Normalize {
        /// Normalize this spec file instead of the pinned one.
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
        /// Write the normalized spec (JSON) here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Time a clean build of the generated client crate (dependencies prebuilt) and its peak
    /// memory.
    BuildTimes(BuildTimesArgs),
    /// Print the normalization rules as a Markdown table.
    Rules,
    /// Extract the JSON response examples of Plaid's docs (text pages) as conformance records,
    /// and the documented error codes.
    DocsExamples {
        /// The docs' text pages [default: ../shared/plaid-docs].
        #[arg(long, value_name = "DIR")]
        docs: Option<PathBuf>,
        /// Where the records go [default: target/conformance/docs-examples.json].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Where the error codes go [default: openapi/evidence/error-codes/plaid-docs.json].
        #[arg(long, value_name = "FILE")]
        error_codes: Option<PathBuf>,
    },
    /// Decode every response example of the spec (and its null and absent probes) into the
    /// generated response types.
    Conformance {
        /// Replay these records instead: `[{"endpoint": "/accounts/get", "example": {..},
        /// "status": 200}]` (status defaults to 200).
        #[arg(long, value_name = "FILE")]
        examples: Option<PathBuf>,
        /// Read the examples from this spec file instead of the pinned one.
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
    },
    /// Compare the JSON Schema of every generated response type (plaid-client feature
    /// `schemars`) with the normalized spec's: fields, required, nullable, kinds, enum members;
    /// fails on any difference.
    ResponseSchemas {
        /// Compare with this spec file instead of the pinned one.
        #[arg(long, value_name = "PATH")]
        spec: Option<PathBuf>,
    },
    /// Check the bodies plaid-emulator served (the file `PLAID_EMULATOR_RECORD` named): each
    /// decodes into its generated type and matches that type's JSON Schema; fails on none.
    ServedBodies {
        /// The JSON-lines file the emulator wrote.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Provision the pinned spec into openapi/plaid-openapi.yml (from PATH, else
    /// ../shared/plaid-openapi/, else the pinned URL); always verifies the pinned sha256.
    Fetch {
        #[arg(long, value_name = "PATH")]
        from: Option<PathBuf>,
    },
    /// The API changes between two spec files, each marked breaking or not for a Rust caller
    /// (both normalized first).
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_name = "FORMAT", value_parser = ["markdown", "md", "json"])]
        format: Option<String>,
        /// Write the report here and print only its summary.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Update the pin, provision, regenerate, run conformance and print the API diff; on any
    /// failure everything is put back. Needs --from or --commit.
    Bump {
        /// The new spec file (else it is downloaded for --commit).
        #[arg(long, value_name = "PATH")]
        from: Option<PathBuf>,
        /// The plaid/plaid-openapi commit that published the new spec.
        #[arg(long, value_name = "SHA")]
        commit: Option<String>,
        /// Refuse a file whose info.version is not V.
        #[arg(long, value_name = "V")]
        version: Option<String>,
        /// Do not replay the spec's examples after regenerating.
        #[arg(long)]
        skip_conformance: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Compare with the checked-in code instead of writing (exit 1, with a diff, if it differs).
    #[arg(long)]
    pub check: bool,
    /// Generate from another spec file instead of the pin.
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,
    /// Write into another crate directory (a standalone crate if it has no Cargo.toml).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The interface style of progenitor's client.
    #[arg(long, value_enum, default_value_t = Style::Positional)]
    pub style: Style,
}

/// progenitor's interface styles (MAINTAINERS.md compares them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// `client.accounts_get(&body)`.
    Positional,
    /// `client.accounts_get().body(..).send()`, with struct builders.
    Builder,
}

#[derive(Debug, clap::Args)]
pub struct BuildTimesArgs {
    /// Which profiles to build [default: both].
    #[arg(long, value_parser = ["dev", "release", "both"])]
    pub profile: Option<String>,
    /// The crate's workspace manifest [default: ./Cargo.toml].
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// The crate to measure.
    #[arg(long, value_name = "NAME", default_value = "plaid-client")]
    pub package: String,
    /// Measure with these features instead of the defaults.
    #[arg(long, value_name = "F", conflicts_with = "also_features")]
    pub features: Option<String>,
    /// Measure the defaults, then with these features too.
    #[arg(long, value_name = "F", conflicts_with = "products")]
    pub also_features: Option<String>,
    /// Measure what the product features save, side by side: plaid-client with `full`,
    /// `transactions` and `transactions,auth,transfer`; the ext on `transactions`; an
    /// application making the quickstart's calls with its products and with `full`.
    #[arg(long, conflicts_with_all = ["features", "package", "manifest_path"])]
    pub products: bool,
    /// Write the figures between the build-times markers of README.md.
    #[arg(long)]
    pub write_readme: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn ci_invocations_parse() {
        for line in [
            "spec fetch",
            "spec fetch --from x.yml",
            "generate --check",
            "generate --style builder --out d --spec s",
            "conformance",
            "conformance --examples f.json",
            "response-schemas",
            "served-bodies target/emulator-served.jsonl",
            "spec bump --from p --commit abc --skip-conformance",
            "spec diff a.yml b.yml --format json --out r.json",
            "spec diff --format md a.yml b.yml",
            "build-times --also-features mock --write-readme",
            "build-times --products --profile dev --write-readme",
            "docs-examples --docs d --out o --error-codes e",
            "normalize --spec s --out o",
            "rules",
        ] {
            let args = std::iter::once("xtask").chain(line.split(' '));
            if let Err(e) = Cli::try_parse_from(args) {
                panic!("`{line}`: {e}");
            }
        }
    }

    #[test]
    fn misspellings_are_rejected() {
        for line in [
            "generate --style fancy",
            "spec diff a.yml",
            "build-times --features a --also-features b",
            "build-times --products --features a",
            "generate --chek",
            "frobnicate",
        ] {
            let args = std::iter::once("xtask").chain(line.split(' '));
            assert!(Cli::try_parse_from(args).is_err(), "`{line}` parsed");
        }
    }
}
