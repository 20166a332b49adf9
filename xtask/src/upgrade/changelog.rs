//! CHANGELOG.md's "Unreleased" API section and the crates' next versions.
//!
//! Both are computed from one API diff: the spec of the last release (`openapi/release.toml`)
//! against the newly pinned one. They are a function of that pair, not a log of bumps: bumping
//! twice to the same spec writes the same files, and bumping back to the released spec
//! removes the section and restores the released versions.
//!
//! Versions follow Cargo's semver rules: for `0.y.z` a breaking change raises `y` (anything
//! else `z`), for `0.0.z` every change raises `z`, from 1.0 on a breaking change raises the
//! major version.

use std::path::Path;

use anyhow::Context;

use super::diff::{Change, Report};
use super::release::Release;
use crate::spec::pin::Pin;

const START: &str = "<!-- spec-bump:start -->";
const END: &str = "<!-- spec-bump:end -->";

/// How much a set of API changes moves a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// No API change.
    None,
    /// Additions and other compatible changes.
    Compatible,
    /// Something a caller's code may stop compiling or decoding over.
    Breaking,
}

pub fn severity(report: &Report) -> Severity {
    if report.changes.iter().any(|c| c.breaking) {
        Severity::Breaking
    } else if report.changes.is_empty() {
        Severity::None
    } else {
        Severity::Compatible
    }
}

/// The version after `released` for changes of `severity`, by Cargo's semver rules.
pub fn next_version(released: &str, severity: Severity) -> anyhow::Result<String> {
    let parts: Vec<u64> = released
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("`{released}` is not a MAJOR.MINOR.PATCH version"))?;
    let [major, minor, patch] = parts[..] else {
        anyhow::bail!("`{released}` is not a MAJOR.MINOR.PATCH version");
    };
    Ok(match (severity, major, minor) {
        (Severity::None, ..) => released.to_string(),
        (Severity::Breaking, 0, 0) | (Severity::Compatible, ..) => {
            format!("{major}.{minor}.{}", patch + 1)
        }
        (Severity::Breaking, 0, _) => format!("0.{}.0", minor + 1),
        (Severity::Breaking, ..) => format!("{}.0.0", major + 1),
    })
}

/// One crate's version move.
pub struct VersionChange {
    pub krate: String,
    pub from: String,
    pub to: String,
}

/// Write the Unreleased section of CHANGELOG.md and set every released crate's version for
/// `report` (the diff from the released spec to `pin`). Returns the versions set.
pub fn apply(
    root: &Path,
    release: &Release,
    pin: &Pin,
    report: &Report,
) -> anyhow::Result<Vec<VersionChange>> {
    let severity = severity(report);
    let mut versions = Vec::new();
    for (krate, released) in &release.crates {
        versions.push(VersionChange {
            krate: krate.clone(),
            from: released.clone(),
            to: next_version(released, severity)?,
        });
    }
    for v in &versions {
        set_crate_version(root, &v.krate, &v.to)?;
    }
    let path = root.join("CHANGELOG.md");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let section = section(release, pin, report, &versions);
    std::fs::write(&path, replace_between_markers(&text, &section)?)?;
    Ok(versions)
}

/// The Unreleased section's text for `report`: empty when nothing changed since the release.
pub fn section(
    release: &Release,
    pin: &Pin,
    report: &Report,
    versions: &[VersionChange],
) -> String {
    if report.changes.is_empty() {
        return String::new();
    }
    let moved: Vec<String> = versions
        .iter()
        .map(|v| format!("`{}` {} → {}", v.krate, v.from, v.to))
        .collect();
    let mut out = format!(
        "### Plaid spec {} (plaid/plaid-openapi commit `{}`), from {}\n\n\
         {}; {}. Versions: {}.\n",
        pin.version,
        if pin.commit.is_empty() {
            "unknown"
        } else {
            &pin.commit
        },
        release.spec.version,
        report.summary(),
        report.products_summary(),
        moved.join(", ")
    );
    type Belongs = fn(&Change) -> bool;
    let groups: [(&str, Belongs); 4] = [
        ("Breaking", |c| c.breaking),
        ("Added", |c| !c.breaking && c.kind.ends_with("-added")),
        ("Changed", |c| !c.breaking && c.kind.ends_with("-changed")),
        ("Removed", |c| !c.breaking && c.kind.ends_with("-removed")),
    ];
    for (title, belongs) in groups {
        let items: Vec<&Change> = report.changes.iter().filter(|c| belongs(c)).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n#### {title}\n\n"));
        for c in items {
            out.push_str(&format!(
                "- {}: `{}` ({}): {}\n",
                c.kind, c.location, c.products, c.detail
            ));
        }
    }
    out
}

fn replace_between_markers(text: &str, section: &str) -> anyhow::Result<String> {
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        anyhow::bail!("CHANGELOG.md has no {START} ... {END} block");
    };
    anyhow::ensure!(a < b, "CHANGELOG.md: {END} comes before {START}");
    let body = if section.is_empty() {
        String::from("\n")
    } else {
        format!("\n{section}\n")
    };
    Ok(format!("{}{START}{body}{}", &text[..a], &text[b..]))
}

/// Set `krate`'s `[package] version` and the version of its entry in the workspace's
/// `[workspace.dependencies]`, editing only those lines.
fn set_crate_version(root: &Path, krate: &str, version: &str) -> anyhow::Result<()> {
    let manifest = root.join(krate).join("Cargo.toml");
    edit_lines(&manifest, |line| {
        line.starts_with("version = \"")
            .then(|| format!("version = \"{version}\""))
    })
    .with_context(|| format!("setting the version of {krate}"))?;
    // A crate other members depend on has a `[workspace.dependencies]` entry; one that nobody
    // depends on (plaid-sync) has none.
    let workspace = root.join("Cargo.toml");
    let listed = std::fs::read_to_string(&workspace)?
        .lines()
        .any(|l| l.starts_with(&format!("{krate} = ")));
    if !listed {
        return Ok(());
    }
    let prefix = format!("{krate} = {{ path = \"{krate}\", version = \"");
    // Only the version changes: the rest of the entry (`default-features = false`, …) stays.
    edit_lines(&workspace, |line| {
        let rest = line.strip_prefix(&prefix)?;
        let after = &rest[rest.find('"')?..];
        Some(format!("{prefix}{version}{after}"))
    })
    .with_context(|| format!("setting the workspace dependency version of {krate}"))
}

/// Replace the first line for which `edit` returns a new line; fail if none does.
fn edit_lines(path: &Path, edit: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| match (done, edit(l)) {
            (false, Some(new)) => {
                done = true;
                new
            }
            _ => l.to_string(),
        })
        .collect();
    anyhow::ensure!(done, "{}: no line to change", path.display());
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    std::fs::write(path, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_cargo_semver_for_0x() {
        assert_eq!(next_version("0.1.0", Severity::Breaking).unwrap(), "0.2.0");
        assert_eq!(
            next_version("0.1.3", Severity::Compatible).unwrap(),
            "0.1.4"
        );
        assert_eq!(next_version("0.1.3", Severity::None).unwrap(), "0.1.3");
        assert_eq!(next_version("0.0.4", Severity::Breaking).unwrap(), "0.0.5");
        assert_eq!(next_version("1.2.3", Severity::Breaking).unwrap(), "2.0.0");
        assert_eq!(
            next_version("1.2.3", Severity::Compatible).unwrap(),
            "1.2.4"
        );
        assert!(next_version("1.2", Severity::Breaking).is_err());
        assert!(next_version("x.1.0", Severity::Breaking).is_err());
    }

    #[test]
    fn the_section_is_replaced_not_appended() {
        let text = format!("# Changelog\n\n## [Unreleased]\n\n{START}\n{END}\n\n## [0.1.0]\n");
        let once = replace_between_markers(&text, "### Plaid spec X\n").unwrap();
        let twice = replace_between_markers(&once, "### Plaid spec X\n").unwrap();
        assert_eq!(once, twice);
        assert!(once.contains(&format!("{START}\n### Plaid spec X\n\n{END}")));
        assert_eq!(replace_between_markers(&once, "").unwrap(), text);
        assert!(replace_between_markers("no markers", "x").is_err());
    }

    #[test]
    fn only_the_package_and_workspace_version_lines_change() {
        let root = std::env::temp_dir().join(format!("changelog-test-{}", std::process::id()));
        std::fs::create_dir_all(root.join("plaid-client")).unwrap();
        std::fs::write(
            root.join("plaid-client/Cargo.toml"),
            "[package]\nname = \"plaid-client\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = { version = \"1\" }\n",
        )
        .unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace.dependencies]\nserde = \"1\"\nplaid-client = { path = \"plaid-client\", version = \"0.1.0\", default-features = false }\n",
        )
        .unwrap();
        set_crate_version(&root, "plaid-client", "0.2.0").unwrap();
        let member = std::fs::read_to_string(root.join("plaid-client/Cargo.toml")).unwrap();
        assert!(
            member.contains("version = \"0.2.0\"\n\n[dependencies]\nserde = { version = \"1\" }")
        );
        let ws = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(ws.contains(
            "plaid-client = { path = \"plaid-client\", version = \"0.2.0\", default-features = false }"
        ));
        assert!(ws.contains("serde = \"1\""));
        assert!(set_crate_version(&root, "missing", "1.0.0").is_err());
        // A crate with a manifest but no workspace entry: only its own version changes.
        std::fs::create_dir_all(root.join("leaf")).unwrap();
        std::fs::write(
            root.join("leaf/Cargo.toml"),
            "[package]\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        set_crate_version(&root, "leaf", "0.1.1").unwrap();
        let leaf = std::fs::read_to_string(root.join("leaf/Cargo.toml")).unwrap();
        assert_eq!(leaf, "[package]\nversion = \"0.1.1\"\n");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
