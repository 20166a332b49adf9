//! The pinned spec version (`openapi/pin.toml`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// What `openapi/pin.toml` says: which published Plaid spec we generate from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Pin {
    /// `info.version` of the spec, e.g. `2020-09-14_1.697.4`.
    pub version: String,
    /// The plaid/plaid-openapi commit that published it.
    pub commit: String,
    /// Where the file can be downloaded.
    pub url: String,
    /// Lower-case hex sha256 of the file's bytes.
    pub sha256: String,
}

pub fn pin_path(root: &Path) -> PathBuf {
    root.join("openapi").join("pin.toml")
}

/// Where the provisioned (git-ignored) spec file lives.
pub fn provisioned_path(root: &Path) -> PathBuf {
    root.join("openapi").join("plaid-openapi.yml")
}

/// Where the normalization's evidence files live (recorded responses, docs examples).
pub fn evidence_dir(root: &Path) -> PathBuf {
    root.join("openapi").join("evidence")
}

pub fn load(root: &Path) -> anyhow::Result<Pin> {
    let path = pin_path(root);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let pin: Pin = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    if pin.sha256.len() != 64 || !pin.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        anyhow::bail!("{}: `sha256` is not 64 hex digits", path.display());
    }
    Ok(pin)
}

/// The pin file's text: the header comment and the four fields.
pub fn to_toml(pin: &Pin) -> anyhow::Result<String> {
    Ok(format!(
        "# The Plaid OpenAPI spec this repository generates `plaid-client` from.\n\
         # Change it only with `cargo xtask spec bump` (it updates every field together).\n\
         # The spec file itself is provisioned by `cargo xtask spec fetch` into\n\
         # `openapi/plaid-openapi.yml` (git-ignored), never committed.\n{}",
        toml::to_string(pin)?
    ))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
