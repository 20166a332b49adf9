//! The conformance crate's two binaries, run as xtask runs them. Beside checking them, this
//! test makes `cargo test --workspace` build both binaries with the workspace's features, so
//! CI's conformance steps can run them as built (`PLAID_CONFORMANCE_BINS`, see
//! `xtask/src/check/mod.rs`) instead of building plaid-client a second time.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

/// A file of this test's own in the system's temporary dir.
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("conformance-{}-{name}", std::process::id()))
}

/// Run the `conformance` binary on `records`; its exit code and standard output.
fn replay(name: &str, records: serde_json::Value) -> (Option<i32>, String) {
    let file = scratch(name);
    std::fs::write(&file, records.to_string()).expect("write the records");
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .arg(&file)
        .output()
        .expect("run conformance");
    let _ = std::fs::remove_file(&file);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_body_of_the_responses_type_passes() {
    let (code, out) = replay(
        "good.json",
        serde_json::json!([{"endpoint": "/item/remove", "example": {"request_id": "abc"}}]),
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("1 passed, 0 failed"), "{out}");
}

#[test]
fn a_body_that_does_not_decode_fails_naming_its_field() {
    let (code, out) = replay(
        "bad.json",
        serde_json::json!([
            {"endpoint": "/item/remove", "example": {"request_id": 5}, "name": "wrong type"},
            {"endpoint": "/no/such/operation", "example": {}}
        ]),
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("request_id") && out.contains("wrong type"),
        "{out}"
    );
    assert!(out.contains("/no/such/operation"), "{out}");
    assert!(out.contains("0 passed, 2 failed"), "{out}");
}

#[test]
fn response_schemas_writes_every_json_operations_schema() {
    let file = scratch("schemas.json");
    let status = Command::new(env!("CARGO_BIN_EXE_response-schemas"))
        .arg(&file)
        .status()
        .expect("run response-schemas");
    let written = std::fs::read(&file).expect("read what it wrote");
    let _ = std::fs::remove_file(&file);
    assert!(status.success());
    let document: serde_json::Value = serde_json::from_slice(&written).expect("JSON");
    assert_eq!(document["spec_version"], plaid_client::SPEC_VERSION);
    let responses = document["responses"].as_array().expect("responses");
    let mut count = Counter(0);
    plaid_client::operations::visit_json(&mut count);
    assert_eq!(responses.len(), count.0);
    assert!(document["definitions"]
        .as_object()
        .is_some_and(|d| !d.is_empty()));
}

/// Counts the generated client's JSON operations.
struct Counter(usize);

impl plaid_client::JsonOperationVisitor for Counter {
    fn visit<O: plaid_client::JsonOperation>(&mut self) {
        self.0 += 1;
    }
}
