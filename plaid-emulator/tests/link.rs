//! Link without a browser (docs: api-tokens `/link/token/create`, errors-invalid-input
//! `INVALID_LINK_TOKEN`): a link token, completed by the test as the user would complete
//! Link, gives a public token for a new Item with the token's products and webhook.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use plaid_client_ext::types::{self, CountryCode, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use plaid_emulator::LinkError;
use serde_json::{json, Value};
use support::start;

fn link_token_request(products: Vec<Products>) -> types::LinkTokenCreateRequest {
    types::LinkTokenCreateRequest::new("emulator tests", vec![CountryCode::Us], "en")
        .products(products)
        .user(types::LinkTokenCreateRequestUser::new("user-1"))
}

/// Seconds from now until `expiration`.
fn seconds_left(expiration: i64) -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    expiration - i64::try_from(now).unwrap()
}

async fn exchange(client: &PlaidClient, public: String) -> (String, String) {
    let exchange = types::ItemPublicTokenExchangeRequest::new(public);
    let exchanged = client.send(&exchange).await.unwrap();
    (
        exchanged.access_token.expose().to_string(),
        exchanged.item_id.clone(),
    )
}

#[tokio::test]
async fn a_completed_link_token_makes_an_item_with_its_products_and_webhook() {
    let (emulator, client) = start().await;
    let request = link_token_request(vec![Products::Transactions, Products::Auth])
        .webhook("http://127.0.0.1:9/hook".to_string());
    let created = client.send(&request).await.unwrap();
    assert!(created.link_token.starts_with("link-sandbox-"));
    // docs: a link token for a new Item expires after 4 hours.
    let left = seconds_left(created.expiration.timestamp());
    assert!((4 * 3600 - 60..=4 * 3600).contains(&left), "{left}");

    let public = emulator.complete_link(&created.link_token).unwrap();
    let (token, item_id) = exchange(&client, public).await;
    let item = client
        .send(&types::ItemGetRequest::new(token.as_str()))
        .await
        .unwrap();
    assert_eq!(item.item.item_id, item_id);
    assert_eq!(
        item.item.webhook.as_deref(),
        Some("http://127.0.0.1:9/hook")
    );
    let products: Vec<String> = item
        .item
        .products
        .iter()
        .map(|p| json!(p).to_string())
        .collect();
    assert_eq!(products, ["\"transactions\"", "\"auth\""]);
    let accounts = client
        .send(&types::AccountsGetRequest::new(token.as_str()))
        .await
        .unwrap();
    assert_eq!(accounts.accounts.len(), 2);

    // In Sandbox a link token can be used again (docs): another Item.
    let again = emulator.complete_link(&created.link_token).unwrap();
    let (_, other_item) = exchange(&client, again).await;
    assert_ne!(other_item, item_id);
}

#[tokio::test]
async fn unknown_link_tokens_and_missing_products_are_refused() {
    let (emulator, client) = start().await;
    assert_eq!(
        emulator.complete_link("link-sandbox-not-a-token"),
        Err(LinkError::UnknownToken)
    );
    let no_products = types::LinkTokenCreateRequest::new("app", vec![CountryCode::Us], "en");
    let refused = client.send(&no_products).await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::MissingFields),
        "{refused}"
    );
    // Update mode for an access token that names no Item.
    let unknown = no_products.access_token("access-sandbox-nobody".to_string());
    let refused = client.send(&unknown).await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::InvalidAccessToken),
        "{refused}"
    );
}

#[tokio::test]
async fn update_mode_tokens_last_30_minutes() {
    let (_emulator, client) = start().await;
    let (token, _) = support::link_with(&client, vec![Products::Auth], None).await;
    let update =
        types::LinkTokenCreateRequest::new("app", vec![CountryCode::Us], "en").access_token(token);
    let created = client.send(&update).await.unwrap();
    let left = seconds_left(created.expiration.timestamp());
    assert!((30 * 60 - 60..=30 * 60).contains(&left), "{left}");
}

/// A POST to the control route, without credentials.
async fn complete_over_http(base: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/emulator/link/complete"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn link_completes_over_http_without_credentials() {
    let (emulator, client) = start().await;
    let created = client
        .send(&link_token_request(vec![Products::Auth]))
        .await
        .unwrap();
    let body = json!({"link_token": created.link_token});
    let (status, answer) = complete_over_http(emulator.base_url(), body).await;
    assert_eq!(status, 200, "{answer}");
    let public = answer["public_token"].as_str().unwrap().to_string();
    let (token, _) = exchange(&client, public).await;
    assert!(token.starts_with("access-sandbox-"));

    let body = json!({"link_token": "link-sandbox-unknown"});
    let (status, answer) = complete_over_http(emulator.base_url(), body).await;
    assert_eq!(
        (status, &answer["error_code"]),
        (400, &json!("INVALID_LINK_TOKEN"))
    );
    let (status, answer) = complete_over_http(emulator.base_url(), json!({})).await;
    assert_eq!(
        (status, &answer["error_code"]),
        (400, &json!("MISSING_FIELDS"))
    );
}

#[tokio::test]
async fn link_completes_over_http_as_a_custom_user_with_mfa_answers() {
    // docs: `sandbox-user-custom.txt` ("mfa", device code 1234), `errors-item.txt` INVALID_MFA.
    let (emulator, client) = start().await;
    let config = json!({"mfa": {"type": "device"}}).to_string();
    let created = client
        .send(&link_token_request(vec![Products::Auth]))
        .await
        .unwrap();
    let body = |answers: Value| {
        json!({"link_token": created.link_token, "username": "user_custom",
            "password": config, "mfa_answers": answers})
    };
    let (status, answer) = complete_over_http(emulator.base_url(), body(json!([["1234"]]))).await;
    assert_eq!(status, 200, "{answer}");
    let public = answer["public_token"].as_str().unwrap().to_string();
    let (token, _) = exchange(&client, public).await;
    assert!(token.starts_with("access-sandbox-"));
    let (status, answer) = complete_over_http(emulator.base_url(), body(json!([["4321"]]))).await;
    assert_eq!(
        (status, &answer["error_code"]),
        (400, &json!("INVALID_MFA")),
        "{answer}"
    );
    let no_password = json!({"link_token": created.link_token, "username": "user_custom"});
    let (status, answer) = complete_over_http(emulator.base_url(), no_password).await;
    assert_eq!(
        (status, &answer["error_code"]),
        (400, &json!("MISSING_FIELDS")),
        "{answer}"
    );
}
