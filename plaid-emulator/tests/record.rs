//! The served-bodies record (`PLAID_EMULATOR_RECORD`), as CI uses it: the binary appends one
//! JSON line per answered request, successes and Plaid errors alike, and nothing for control
//! calls.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

async fn post(url: &str, path: &str, body: &str) -> u16 {
    let answer = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .header("plaid-client-id", "emulator-client-id")
        .header("plaid-secret", "emulator-secret")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    answer.status().as_u16()
}

#[tokio::test]
async fn every_answered_request_is_one_line_of_the_record() {
    let record = std::env::temp_dir().join(format!(
        "plaid-emulator-served-{}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&record);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_plaid-emulator"))
        .env("PLAID_EMULATOR_RECORD", &record)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let url = BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .unwrap()
        .unwrap();
    let create = r#"{"institution_id": "ins_109508", "initial_products": ["auth"]}"#;
    assert_eq!(
        post(&url, "/sandbox/public_token/create", create).await,
        200
    );
    let bad = r#"{"access_token": "access-sandbox-nobody"}"#;
    assert_eq!(post(&url, "/accounts/get", bad).await, 400);
    assert_eq!(
        post(&url, "/emulator/link/complete", r#"{"link_token": "x"}"#).await,
        400
    );
    child.kill().await.unwrap();

    let text = std::fs::read_to_string(&record).unwrap();
    let _ = std::fs::remove_file(&record);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "the control call is not recorded: {text}");
    assert_eq!(lines[0]["path"], "/sandbox/public_token/create");
    assert_eq!(lines[0]["status"], 200);
    assert!(lines[0]["body"]["public_token"].is_string());
    assert_eq!(lines[1]["path"], "/accounts/get");
    assert_eq!(lines[1]["status"], 400);
    assert_eq!(lines[1]["body"]["error_code"], "INVALID_ACCESS_TOKEN");
}
