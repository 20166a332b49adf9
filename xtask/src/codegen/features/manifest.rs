//! The product features in the manifests: `plaid-client` declares them, `plaid-client-ext` and
//! `plaid-sync` forward them. Each manifest holds them between two marker lines that only the
//! generator writes; everything else in the manifest is hand-written (`default`, `mock`, ...).

use std::path::Path;

use super::{Features, FULL};

const BEGIN: &str = "# @generated features begin: `cargo xtask generate` writes these lines, one feature per Plaid product (README.md, \"Features\"); do not edit.";
const END: &str = "# @generated features end";

/// Each manifest with the features, relative to the repository root, and the dependency its
/// features forward to (`None`: it declares them).
pub const MANIFESTS: &[(&str, Option<&str>)] = &[
    ("plaid-client/Cargo.toml", None),
    ("plaid-client-ext/Cargo.toml", Some("plaid-client")),
    ("plaid-sync/Cargo.toml", Some("plaid-client-ext")),
];

/// The generated lines of one manifest.
pub fn block(features: &Features, forward: Option<&str>) -> String {
    let names = features.products.features();
    let quoted: Vec<String> = names.iter().map(|f| format!("\"{f}\"")).collect();
    let target = |f: &str| match forward {
        Some(dep) => format!("[\"{dep}/{f}\"]"),
        None => "[]".to_string(),
    };
    let mut out = format!("{BEGIN}\n");
    let full = match forward {
        Some(dep) => format!("\"{dep}/{FULL}\""),
        None => quoted.join(", "),
    };
    out.push_str(&format!("{FULL} = [{full}]\n"));
    for name in &names {
        let info = features
            .info
            .get(&Some(name.clone()))
            .cloned()
            .unwrap_or_default();
        out.push_str(&format!(
            "# {} operations, {} types, {} webhooks\n{name} = {}\n",
            info.operations.len(),
            info.types,
            info.webhooks,
            target(name)
        ));
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// `text` with its generated block replaced by `block` (or, in a manifest that has none yet,
/// added at the top of `[features]`).
pub fn splice(text: &str, block: &str) -> anyhow::Result<String> {
    if let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) {
        anyhow::ensure!(
            begin < end,
            "the generated features markers are out of order"
        );
        let after = text[end..].find('\n').map_or(text.len(), |n| end + n + 1);
        return Ok(format!("{}{block}{}", &text[..begin], &text[after..]));
    }
    match text.find("[features]\n") {
        Some(at) => {
            let body = at + "[features]\n".len();
            Ok(format!("{}{block}{}", &text[..body], &text[body..]))
        }
        None => Ok(format!("{text}\n[features]\n{block}")),
    }
}

/// The feature names the generated block of `text` declares (a manifest's product features and
/// `full`), so a copy of the manifest can leave them to its own block.
pub fn generated_names(text: &str) -> Vec<String> {
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Vec::new();
    };
    text.get(begin..end)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(name, _)| name.trim().to_string()))
        .collect()
}

/// Write (or, with `check`, compare) the block of each manifest in `manifests` under `root`.
/// Returns the manifests that differ (with `check`) or were rewritten.
pub fn sync(
    root: &Path,
    manifests: &[(&str, Option<&str>)],
    features: &Features,
    check: bool,
) -> anyhow::Result<Vec<String>> {
    let mut changed = Vec::new();
    for (rel, forward) in manifests {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        let want = splice(&text, &block(features, *forward))?;
        if want != text {
            changed.push(path.display().to_string());
            if !check {
                std::fs::write(&path, want)?;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_are_read_off_the_block() {
        let text = format!(
            "[features]\nmock = []\n{BEGIN}\nfull = [\"a\"]\n# 1 operation\na = []\n{END}\n"
        );
        assert_eq!(generated_names(&text), ["full", "a"]);
        assert!(generated_names("[features]\nmock = []\n").is_empty());
    }

    #[test]
    fn splice_replaces_only_the_block() {
        let text =
            format!("[features]\ndefault = [\"full\"]\n{BEGIN}\nold = []\n{END}\nmock = []\n");
        let out = splice(&text, &format!("{BEGIN}\nnew = []\n{END}\n")).unwrap();
        assert_eq!(
            out,
            format!("[features]\ndefault = [\"full\"]\n{BEGIN}\nnew = []\n{END}\nmock = []\n")
        );
        let fresh = splice("[package]\n[features]\nmock = []\n", "B\n").unwrap();
        assert_eq!(fresh, "[package]\n[features]\nB\nmock = []\n");
        assert_eq!(
            splice("[package]\n", "B\n").unwrap(),
            "[package]\n\n[features]\nB\n"
        );
    }
}
