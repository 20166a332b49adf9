//! Link for the web as the emulator serves it (docs: `link-web.txt`): the script at Plaid's CDN
//! path, the iframe's page, and the steps its panes take, over raw HTTP as the iframe sends
//! them (the browser itself drives them in plaid-client-ext's `quickstart_browser` tests).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, CountryCode, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use plaid_emulator::Emulator;
use serde_json::{json, Value};

/// The emulator, a client, and a link token for a new Item with transactions.
async fn start() -> (Emulator, PlaidClient, String) {
    let (emulator, client) = support::start().await;
    let token = link_token(&client, None).await;
    (emulator, client, token)
}

async fn link_token(client: &PlaidClient, access_token: Option<&str>) -> String {
    let mut request =
        types::LinkTokenCreateRequest::new("Quickstart Test", vec![CountryCode::Us], "en")
            .user(types::LinkTokenCreateRequestUser::new("user-1"));
    request = match access_token {
        Some(token) => request.access_token(token.to_string()),
        None => request.products(vec![Products::Transactions]),
    };
    client.send(&request).await.unwrap().link_token.clone()
}

async fn get(emulator: &Emulator, path: &str) -> (u16, String, String) {
    let url = format!("{}/link/v2/stable/{path}", emulator.base_url());
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, kind, response.text().await.unwrap())
}

/// A pane's step: the status and the JSON answer.
async fn step(emulator: &Emulator, name: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/link/v2/stable/api/{name}", emulator.base_url());
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn exchange(client: &PlaidClient, public_token: &str) -> String {
    let request = types::ItemPublicTokenExchangeRequest::new(public_token.to_string());
    let exchanged = client.send(&request).await.unwrap();
    exchanged.access_token.expose().to_string()
}

#[tokio::test]
async fn link_initialize_js_is_served_at_plaids_cdn_path_and_defines_plaid_create() {
    let (emulator, _, _) = start().await;
    let (status, kind, script) = get(&emulator, "link-initialize.js").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/javascript"), "{kind}");
    assert!(script.contains("window.Plaid = { create: create"));
    for function in ["open:", "exit:", "destroy:", "submit:", "onLoad"] {
        assert!(script.contains(function), "no {function}");
    }
    let (status, kind, page) = get(&emulator, "link.html").await;
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    for label in [
        ">Username</label>",
        ">Password</label>",
        "Search for your bank",
    ] {
        assert!(page.contains(label), "no {label}");
    }
    assert_eq!(get(&emulator, "link.js").await.0, 200);
    assert_eq!(get(&emulator, "link.css").await.0, 200);
    assert_eq!(get(&emulator, "nothing.js").await.0, 404);
}

#[tokio::test]
async fn user_good_links_an_item_at_the_chosen_institution_with_the_selected_account() {
    let (emulator, client, token) = start().await;
    let (status, session) = step(&emulator, "session", json!({"link_token": token})).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["client_name"], "Quickstart Test");
    assert_eq!(session["update_mode"], false);
    assert_eq!(session["products"], json!(["transactions"]));
    let (_, found) = step(
        &emulator,
        "institutions",
        json!({"link_token": token, "query": "first GINGHAM"}),
    )
    .await;
    assert_eq!(
        found["institutions"],
        json!([{"institution_id": "ins_109509", "name": "First Gingham Credit Union"}])
    );
    let login = json!({"link_token": token, "institution_id": "ins_109509",
        "username": "user_good", "password": "pass_good"});
    let (_, next) = step(&emulator, "credentials", login.clone()).await;
    assert_eq!(next["next"], "accounts");
    let offered = next["accounts"].as_array().unwrap();
    assert_eq!(offered.len(), 2);
    let mut connect = login;
    connect["account_ids"] = json!(["1"]);
    let (status, linked) = step(&emulator, "connect", connect).await;
    assert_eq!(status, 200, "{linked}");
    let metadata = &linked["metadata"];
    assert_eq!(
        metadata["institution"],
        json!({"name": "First Gingham Credit Union", "institution_id": "ins_109509"})
    );
    assert_eq!(metadata["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(metadata["accounts"][0]["name"], offered[1]["name"]);
    let access_token = exchange(&client, linked["public_token"].as_str().unwrap()).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(access_token))
        .await
        .unwrap();
    assert_eq!(accounts.accounts.len(), 1);
    assert_eq!(
        json!(accounts.accounts[0].account_id),
        metadata["accounts"][0]["id"]
    );
}

#[tokio::test]
async fn an_error_password_ends_link_with_its_documented_error() {
    let (emulator, _, token) = start().await;
    let login = json!({"link_token": token, "username": "user_good",
        "password": "error_ITEM_LOCKED"});
    let (status, answer) = step(&emulator, "credentials", login.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["error_type"], "ITEM_ERROR");
    assert_eq!(answer["error"]["error_code"], "ITEM_LOCKED");
    let (status, answer) = step(&emulator, "connect", login).await;
    assert_eq!(
        (status, &answer["error"]["error_code"]),
        (400, &json!("ITEM_LOCKED"))
    );
}

#[tokio::test]
async fn mfa_device_asks_for_the_code_and_only_1234_passes() {
    let (emulator, _, token) = start().await;
    let login = |answers: Value| {
        json!({"link_token": token, "username": "user_good", "password": "mfa_device",
            "mfa_answers": answers})
    };
    let (_, asked) = step(&emulator, "credentials", login(json!([]))).await;
    assert_eq!(asked["next"], "mfa");
    assert_eq!(asked["mfa_type"], "code");
    let (status, wrong) = step(&emulator, "credentials", login(json!([["1111"]]))).await;
    assert_eq!(
        (status, &wrong["error"]["error_code"]),
        (400, &json!("INVALID_MFA"))
    );
    let (_, right) = step(&emulator, "credentials", login(json!([["1234"]]))).await;
    assert_eq!(right["next"], "accounts");
    let (status, linked) = step(&emulator, "connect", login(json!([["1234"]]))).await;
    assert_eq!(status, 200, "{linked}");
}

#[tokio::test]
async fn an_unknown_link_token_is_invalid_link_token() {
    let (emulator, _, _) = start().await;
    let (status, answer) = step(&emulator, "session", json!({"link_token": "link-nope"})).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["error_code"], "INVALID_LINK_TOKEN");
}

#[tokio::test]
async fn update_mode_repairs_an_item_in_item_login_required() {
    let (emulator, client, token) = start().await;
    let login = json!({"link_token": token, "username": "user_good", "password": "pass_good"});
    let (_, linked) = step(&emulator, "connect", login).await;
    let access_token = exchange(&client, linked["public_token"].as_str().unwrap()).await;
    let reset = types::SandboxItemResetLoginRequest::new(access_token.clone());
    client.send(&reset).await.unwrap();
    let accounts = types::AccountsGetRequest::new(access_token.clone());
    let refused = client.send(&accounts).await.unwrap_err();
    assert_eq!(refused.error_code(), Some(&ErrorCode::ItemLoginRequired));

    let update = link_token(&client, Some(&access_token)).await;
    let (_, session) = step(&emulator, "session", json!({"link_token": update})).await;
    assert_eq!(session["update_mode"], true);
    assert_eq!(session["institution"]["institution_id"], "ins_109508");
    let login = json!({"link_token": update, "username": "user_good", "password": "pass_good"});
    let (_, next) = step(&emulator, "credentials", login.clone()).await;
    assert_eq!(next["next"], "connect");
    let (status, repaired) = step(&emulator, "connect", login).await;
    assert_eq!(status, 200, "{repaired}");
    assert_eq!(client.send(&accounts).await.unwrap().accounts.len(), 2);
}

#[tokio::test]
async fn a_custom_users_question_rounds_are_asked_one_by_one() {
    // docs: `sandbox-user-custom.txt` ("mfa": questions answered `answer_<i>_<j>`).
    let (emulator, client, token) = start().await;
    let config = json!({"mfa": {"type": "questions", "question_rounds": 2, "questions_per_round": 1},
        "override_accounts": [{"type": "depository", "subtype": "checking", "meta": {"name": "MFA Checking"}}]})
    .to_string();
    let login = |answers: Value| {
        json!({"link_token": token, "username": "user_custom", "password": config,
            "mfa_answers": answers})
    };
    let (_, asked) = step(&emulator, "credentials", login(json!([]))).await;
    let shown = (&asked["next"], &asked["mfa_type"], &asked["round"]);
    assert_eq!(shown, (&json!("mfa"), &json!("questions"), &json!(0)));
    let (_, asked) = step(&emulator, "credentials", login(json!([["answer_0_0"]]))).await;
    assert_eq!(
        (&asked["next"], &asked["round"]),
        (&json!("mfa"), &json!(1))
    );
    let wrong = login(json!([["answer_0_0"], ["nope"]]));
    let (status, wrong) = step(&emulator, "credentials", wrong).await;
    assert_eq!(
        (status, &wrong["error"]["error_code"]),
        (400, &json!("INVALID_MFA"))
    );
    let right = login(json!([["answer_0_0"], ["answer_1_0"]]));
    let (_, done) = step(&emulator, "credentials", right.clone()).await;
    assert_eq!(done["next"], "accounts", "{done}");
    // The account-selection pane lists the configured accounts, not Sandbox's.
    let listed = (
        &done["accounts"][0]["name"],
        done["accounts"].as_array().unwrap().len(),
    );
    assert_eq!(listed, (&json!("MFA Checking"), 1), "{done}");
    let mut selected = right;
    selected["account_ids"] = json!(["0"]);
    let (status, linked) = step(&emulator, "connect", selected).await;
    assert_eq!(status, 200, "{linked}");
    let public = linked["public_token"].as_str().unwrap();
    let access = exchange(&client, public).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(access))
        .await
        .unwrap();
    let names: Vec<&str> = accounts.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["MFA Checking"]);
}
