//! ARCHITECTURE.md stays true: every path it names in backticks exists, every file name it
//! names exists somewhere in the tree, and every folder of the repository has its place in it
//! (a backticked path that is the folder or lies inside it). Paths the repository ignores
//! (the provisioned spec) are exempt. Its dependency table, and the dev-dependencies its
//! picture lists, are what the workspace members' manifests say.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
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

/// Each crate's workspace dependencies: `(depends on, dev-depends on)`, by package name.
type Edges = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;

/// The header of ARCHITECTURE.md's dependency table.
const TABLE_HEADER: &str = "| crate | depends on | dev-depends on |";

/// ARCHITECTURE.md's dependency table: the backticked names of each row's three cells.
fn documented_edges(text: &str) -> Edges {
    let names = |cell: &str| -> BTreeSet<String> {
        backticked(cell).into_iter().map(str::to_string).collect()
    };
    let rows = text
        .lines()
        .skip_while(|line| line.trim() != TABLE_HEADER)
        .skip(2)
        .take_while(|line| line.starts_with('|'));
    let mut edges = Edges::new();
    for row in rows {
        let cells: Vec<&str> = row.trim().trim_matches('|').split('|').collect();
        let [krate, deps, dev] = cells[..] else {
            panic!("the dependency table's row {row:?} does not have three cells");
        };
        let krate = backticked(krate).concat();
        assert!(
            edges
                .insert(krate.clone(), (names(deps), names(dev)))
                .is_none(),
            "the dependency table has two rows for {krate}"
        );
    }
    edges
}

fn manifest(path: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// What the manifests say: each member of the workspace (by package name), with the
/// workspace packages its `[dependencies]` and `[build-dependencies]`, and its
/// `[dev-dependencies]`, name (`[target.*]` tables too; a renamed one by its `package`).
fn manifest_edges(root: &Path) -> Edges {
    let workspace = manifest(&root.join("Cargo.toml"));
    let manifests: Vec<toml::Table> = workspace["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| manifest(&root.join(m.as_str().unwrap()).join("Cargo.toml")))
        .collect();
    let package = |m: &toml::Table| m["package"]["name"].as_str().unwrap().to_string();
    let packages: BTreeSet<String> = manifests.iter().map(package).collect();
    let named = |m: &toml::Table, sections: &[&str]| -> BTreeSet<String> {
        sections
            .iter()
            .flat_map(|section| workspace_deps(m, section, &packages))
            .collect()
    };
    manifests
        .iter()
        .map(|m| {
            let deps = named(m, &["dependencies", "build-dependencies"]);
            (package(m), (deps, named(m, &["dev-dependencies"])))
        })
        .collect()
}

/// The workspace packages that a manifest's `section` names, at its top and under `[target.*]`.
fn workspace_deps(m: &toml::Table, section: &str, packages: &BTreeSet<String>) -> Vec<String> {
    let targets = m
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|targets| targets.values())
        .filter_map(|target| target.get(section));
    m.get(section)
        .into_iter()
        .chain(targets)
        .filter_map(toml::Value::as_table)
        .flat_map(|deps| deps.iter())
        .map(|(key, spec)| {
            let renamed = spec.get("package").and_then(toml::Value::as_str);
            renamed.unwrap_or(key).to_string()
        })
        .filter(|name| packages.contains(name))
        .collect()
}

/// The crates on which `documented` and `actual` disagree, each with both sides.
fn disagreements(documented: &Edges, actual: &Edges) -> Vec<String> {
    let crates: BTreeSet<&String> = documented.keys().chain(actual.keys()).collect();
    crates
        .into_iter()
        .filter(|c| documented.get(*c) != actual.get(*c))
        .map(|c| {
            format!(
                "{c}: the table says {:?}, the manifests say {:?}",
                documented.get(c),
                actual.get(c)
            )
        })
        .collect()
}

#[test]
fn the_dependency_table_is_what_the_manifests_say() {
    let root = root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let wrong = disagreements(&documented_edges(&text), &manifest_edges(&root));
    assert!(
        wrong.is_empty(),
        "ARCHITECTURE.md's dependency table (depends on, dev-depends on) is not the manifests':\n{}",
        wrong.join("\n")
    );
}

/// The picture's `crate ┄┄▶ a, b` lines and its `x, y: none` line, as dev-dependencies.
fn pictured_dev_edges(
    text: &str,
    crates: &BTreeSet<&String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let list = |names: &str| -> BTreeSet<String> {
        names.split(',').map(|n| n.trim().to_string()).collect()
    };
    let mut pictured = BTreeMap::new();
    let picture = text.split("```").nth(1).unwrap_or_default();
    for line in picture.lines() {
        if let Some((left, right)) = line.split_once("┄┄▶") {
            let krate = left.split_whitespace().last().unwrap_or_default();
            if crates.iter().any(|c| *c == krate) {
                pictured.insert(krate.to_string(), list(right));
            }
        } else if let Some((names, _)) = line.trim_end().rsplit_once(": none") {
            let none = names.rsplit("   ").next().unwrap_or_default();
            for krate in list(none) {
                pictured.insert(krate, BTreeSet::new());
            }
        }
    }
    pictured
}

#[test]
fn the_picture_lists_every_crates_dev_dependencies() {
    let root = root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let actual = manifest_edges(&root);
    let crates: BTreeSet<&String> = actual.keys().collect();
    let picture = text.split("```").nth(1).unwrap_or_default();
    let unpictured: Vec<&&String> = crates
        .iter()
        .filter(|c| !picture.contains(c.as_str()))
        .collect();
    assert!(
        unpictured.is_empty(),
        "crates the picture does not show: {unpictured:?}"
    );
    let dev: BTreeMap<String, BTreeSet<String>> = actual
        .iter()
        .map(|(c, (_, dev))| (c.clone(), dev.clone()))
        .collect();
    assert_eq!(
        pictured_dev_edges(&text, &crates),
        dev,
        "the picture's ┄┄▶ lines (left) are not the manifests' dev-dependencies (right)"
    );
}

#[test]
fn the_dependency_check_sees_a_stale_row() {
    let text = format!(
        "{TABLE_HEADER}\n|---|---|---|\n| `a` | `b` | — |\n| `b` | — | `a`, `b` |\n\nafter"
    );
    let documented = documented_edges(&text);
    let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
    let mut actual = Edges::new();
    actual.insert("a".into(), (set(&["b"]), set(&[])));
    actual.insert("b".into(), (set(&[]), set(&["a", "b"])));
    assert!(disagreements(&documented, &actual).is_empty());
    actual.get_mut("a").unwrap().1.insert("c".into());
    actual.insert("c".into(), (set(&[]), set(&[])));
    assert_eq!(disagreements(&documented, &actual).len(), 2);
}
