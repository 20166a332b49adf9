//! `openapi/release.toml`: the spec and crate versions of the last published release, the base
//! that `spec bump` measures API changes (and so version numbers) against.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

use crate::spec::{self, pin, pin::Pin};

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    /// The spec the release was generated from.
    pub spec: Pin,
    /// Crate name → released version, for every published crate whose API includes the
    /// generated types.
    pub crates: BTreeMap<String, String>,
}

pub fn path(root: &Path) -> PathBuf {
    root.join("openapi").join("release.toml")
}

pub fn load(root: &Path) -> anyhow::Result<Release> {
    let path = path(root);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

impl Release {
    /// The released spec document: one of `candidates` when it is that file (same sha256),
    /// else a local copy or the pinned URL (as `spec fetch` finds them), verified by sha256.
    pub fn spec_document(&self, root: &Path, candidates: &[&[u8]]) -> anyhow::Result<Value> {
        let known = candidates
            .iter()
            .find(|b| pin::sha256_hex(b) == self.spec.sha256);
        let bytes = match known {
            Some(b) => b.to_vec(),
            None => {
                let (bytes, source) = spec::provision::obtain(root, &self.spec, None)?;
                anyhow::ensure!(
                    pin::sha256_hex(&bytes) == self.spec.sha256,
                    "the released spec {} from {source} does not have the sha256 in {}",
                    self.spec.version,
                    path(root).display()
                );
                bytes
            }
        };
        spec::parse(&bytes).map_err(|e| anyhow::anyhow!("released spec {}: {e}", self.spec.version))
    }
}
