//! ARCHITECTURE.md stays true: every path it names in backticks exists, every file name it
//! names exists somewhere in the tree, and every folder of the repository has its place in it
//! (a backticked path that is the folder or lies inside it). Paths the repository ignores
//! (the provisioned spec) are exempt.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// File endings that make a backticked word a file name.
const FILE_ENDINGS: [&str; 7] = [".rs", ".toml", ".md", ".sql", ".sh", ".json", ".yml"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `...` span of the text.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Backticked words that are paths or file names: no spaces, placeholders or Rust paths.
fn path_like(word: &str) -> bool {
    let plain = !word.is_empty()
        && !word.contains(char::is_whitespace)
        && !word.contains(['<', '>', '{', '}', '*', ':', '(', '&']);
    plain && (word.contains('/') || FILE_ENDINGS.iter().any(|e| word.ends_with(e)))
}

/// The repository's folders and file names, without `.git` and `target`.
fn walk(dir: &Path, base: &Path, folders: &mut BTreeSet<String>, names: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name == ".git" || name == "target" {
                continue;
            }
            let relative = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .to_string();
            folders.insert(relative);
            walk(&path, base, folders, names);
        } else {
            names.insert(name);
        }
    }
}

fn ignored(word: &str) -> bool {
    let gitignore = std::fs::read_to_string(root().join(".gitignore")).unwrap();
    gitignore
        .lines()
        .any(|line| !line.starts_with('#') && line.trim_start_matches('/') == word)
}

#[test]
fn every_path_architecture_md_names_exists() {
    let root = root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let (mut folders, mut names) = (BTreeSet::new(), BTreeSet::new());
    walk(&root, &root, &mut folders, &mut names);
    let missing: Vec<&str> = backticked(&text)
        .into_iter()
        .filter(|w| path_like(w) && !ignored(w))
        .filter(|w| {
            if w.contains('/') {
                !root.join(w.trim_end_matches('/')).exists()
            } else {
                !names.contains(*w)
            }
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn every_folder_has_its_place_in_architecture_md() {
    let root = root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let named: Vec<String> = backticked(&text)
        .into_iter()
        .filter(|w| path_like(w))
        .map(|w| w.trim_end_matches('/').to_string())
        .collect();
    let (mut folders, mut names) = (BTreeSet::new(), BTreeSet::new());
    walk(&root, &root, &mut folders, &mut names);
    let unplaced: Vec<&String> = folders
        .iter()
        .filter(|folder| {
            !named
                .iter()
                .any(|p| p == *folder || p.starts_with(&format!("{folder}/")))
        })
        .collect();
    assert!(
        unplaced.is_empty(),
        "folders ARCHITECTURE.md does not place: {unplaced:?}"
    );
}

#[test]
fn the_checks_see_a_missing_path() {
    assert!(path_like("plaid-sync/src/store/"));
    assert!(path_like("client.rs"));
    assert!(!path_like("cargo xtask generate"));
    assert!(!path_like("plaid_client::raw::Client"));
    assert!(!root().join("plaid-sync/src/store").exists());
    assert!(ignored("openapi/plaid-openapi.yml"));
}
