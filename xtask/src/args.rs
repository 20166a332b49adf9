//! The command line: the usage text and a tiny option parser.

use std::path::PathBuf;

pub const USAGE: &str = "\
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
  docs-examples [--docs DIR] [--out FILE] [--error-codes FILE]
                                  extract the JSON response examples of Plaid's docs (text pages,
                                  default ../shared/plaid-docs) as conformance records, and the
                                  documented error codes (default
                                  openapi/evidence/error-codes/plaid-docs.json)
  conformance [--examples FILE] [--spec PATH]
                                  decode every response example of the spec (or the records in
                                  FILE: [{\"endpoint\": \"/accounts/get\", \"example\": {..}}])
                                  into the generated response types
  response-schemas [--spec PATH]  compare the JSON Schema of every generated response type
                                  (plaid-client feature `schemars`) with the normalized spec's:
                                  fields, required, nullable, kinds, enum members; fails on any
                                  difference
";

/// A tiny option parser: `--name VALUE` options and boolean flags, nothing else.
pub struct Opts {
    values: Vec<(String, String)>,
    flags: Vec<String>,
}

impl Opts {
    pub fn parse(args: &[String], with_value: &[&str], flags: &[&str]) -> anyhow::Result<Self> {
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

    pub fn take_path(&mut self, name: &str) -> Option<PathBuf> {
        let i = self.values.iter().position(|(k, _)| k == name)?;
        Some(PathBuf::from(self.values.remove(i).1))
    }

    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }
}

impl Opts {
    /// A value option as text.
    pub fn take_string(&mut self, name: &str) -> Option<String> {
        self.take_path(name).map(|p| p.display().to_string())
    }
}

/// Split `args` into positional arguments and `--name VALUE` pairs.
pub fn split_positional(args: &[String]) -> (Vec<String>, Vec<String>) {
    let mut positional = Vec::new();
    let mut options = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.starts_with("--") {
            options.push(a.clone());
            if let Some(v) = it.next() {
                options.push(v.clone());
            }
        } else {
            positional.push(a.clone());
        }
    }
    (positional, options)
}
