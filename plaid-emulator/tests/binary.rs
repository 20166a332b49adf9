//! The binary, as another language's CI runs it: the base URL is the first line of stdout, and
//! it serves until killed.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn prints_its_base_url_first_and_serves_until_killed() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_plaid-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--client-id",
            "ci-id",
            "--secret",
            "ci-secret",
            "--rate-limits",
            "plaid",
            "--time-scale",
            "60",
        ])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = lines.next_line().await.unwrap().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let answer = reqwest::Client::new()
        .post(format!("{url}/institutions/get_by_id"))
        .header("plaid-client-id", "ci-id")
        .header("plaid-secret", "ci-secret")
        .body(r#"{"institution_id": "ins_109508", "country_codes": ["US"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    // The control API needs no credentials, and counts the Plaid request only.
    let counters: serde_json::Value = reqwest::get(format!("{url}/emulator/counters"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["requests"], 1, "{counters}");
    child.kill().await.unwrap();
}

#[test]
fn help_documents_every_flag() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plaid-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let flags = [
        "--listen",
        "--client-id",
        "--secret",
        "--seed",
        "--rate-limits",
        "--time-scale",
        "--transfer-webhook",
        "--webhook-delivery",
    ];
    for flag in flags {
        assert!(help.contains(flag), "{help}");
    }
}
