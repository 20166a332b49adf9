//! A custom user's `mfa` asked by Link (docs: `sandbox-user-custom.txt`, "mfa": device code
//! `1234`, selections answered by the first option, questions `answer_<i>_<j>`;
//! `errors-item.txt` `INVALID_MFA`) when Link is completed without a browser
//! (`Emulator::complete_link_as`). The same over HTTP is in `link.rs`
//! (`POST /emulator/link/complete`), the browser panes' steps in `link_web.rs`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, CountryCode, Products};
use plaid_client_ext::PlaidClient;
use plaid_emulator::{Emulator, LinkError, LinkLogin};
use serde_json::{json, Value};
use support::start;

async fn link_token(client: &PlaidClient) -> String {
    let request = types::LinkTokenCreateRequest::new("emulator tests", vec![CountryCode::Us], "en")
        .products(vec![Products::Transactions])
        .user(types::LinkTokenCreateRequestUser::new("user-1"));
    client.send(&request).await.unwrap().link_token.clone()
}

/// A custom user with one named checking account and this `mfa`.
fn custom(mfa: Value) -> String {
    json!({"mfa": mfa, "override_accounts": [
        {"type": "depository", "subtype": "checking", "meta": {"name": "MFA Checking"}}]})
    .to_string()
}

fn rounds(answers: &[&[&str]]) -> Vec<Vec<String>> {
    answers
        .iter()
        .map(|round| round.iter().map(|a| a.to_string()).collect())
        .collect()
}

/// Link completed as `user_custom` with `config` and `answers`.
async fn complete(
    emulator: &Emulator,
    client: &PlaidClient,
    config: &str,
    answers: &[&[&str]],
) -> Result<String, LinkError> {
    let token = link_token(client).await;
    let login = LinkLogin::new("user_custom", config).mfa_answers(rounds(answers));
    emulator.complete_link_as(&token, &login)
}

fn invalid_mfa(result: Result<String, LinkError>) -> bool {
    matches!(
        result,
        Err(LinkError::Login {
            error_code: "INVALID_MFA",
            status: 400,
            ..
        })
    )
}

#[tokio::test]
async fn a_custom_users_device_mfa_answered_1234_links_its_configured_accounts() {
    let (emulator, client) = start().await;
    let config = custom(json!({"type": "device"}));
    let public = complete(&emulator, &client, &config, &[&["1234"]])
        .await
        .unwrap();
    let exchange = types::ItemPublicTokenExchangeRequest::new(public);
    let access = client
        .send(&exchange)
        .await
        .unwrap()
        .access_token
        .expose()
        .to_string();
    let accounts = client
        .send(&types::AccountsGetRequest::new(access))
        .await
        .unwrap();
    let names: Vec<&str> = accounts.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["MFA Checking"]);
}

#[tokio::test]
async fn a_custom_users_device_mfa_answered_wrong_or_not_at_all_is_invalid_mfa() {
    let (emulator, client) = start().await;
    let config = custom(json!({"type": "device"}));
    assert!(invalid_mfa(
        complete(&emulator, &client, &config, &[&["1111"]]).await
    ));
    assert!(invalid_mfa(
        complete(&emulator, &client, &config, &[]).await
    ));
    assert!(invalid_mfa(
        complete(&emulator, &client, &config, &[&["1234"], &["1234"]]).await
    ));
}

#[tokio::test]
async fn a_custom_users_question_rounds_each_need_their_answers() {
    let (emulator, client) = start().await;
    let config =
        custom(json!({"type": "questions", "question_rounds": 2, "questions_per_round": 2}));
    let right: &[&[&str]] = &[&["answer_0_0", "answer_0_1"], &["answer_1_0", "answer_1_1"]];
    assert!(complete(&emulator, &client, &config, right).await.is_ok());
    let first_only: &[&[&str]] = &[&["answer_0_0", "answer_0_1"]];
    assert!(invalid_mfa(
        complete(&emulator, &client, &config, first_only).await
    ));
    let wrong_second: &[&[&str]] = &[&["answer_0_0", "answer_0_1"], &["answer_1_0", "answer_0_1"]];
    assert!(invalid_mfa(
        complete(&emulator, &client, &config, wrong_second).await
    ));
}

#[tokio::test]
async fn a_custom_users_selections_are_answered_by_the_first_option() {
    let (emulator, client) = start().await;
    // The docs' defaults: one round of 2 questions of 2 options.
    let config = custom(json!({"type": "selections"}));
    let first: &[&[&str]] = &[&["answer_1_1_0", "answer_1_2_0"]];
    assert!(complete(&emulator, &client, &config, first).await.is_ok());
    let second: &[&[&str]] = &[&["answer_1_1_1", "answer_1_2_0"]];
    assert!(invalid_mfa(
        complete(&emulator, &client, &config, second).await
    ));
}

#[test]
fn a_link_logins_debug_shows_neither_password_nor_answers() {
    let login = LinkLogin::new("user_custom", r#"{"seed": "secret-seed"}"#)
        .mfa_answers(rounds(&[&["answer-secret"]]));
    let shown = format!("{login:?}");
    assert!(!shown.contains("secret"), "{shown}");
    assert!(
        shown.contains("user_custom") && shown.contains("mfa_rounds: 1"),
        "{shown}"
    );
}
