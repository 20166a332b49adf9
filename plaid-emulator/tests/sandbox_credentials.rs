//! Sandbox's test credentials and institutions where they enter, through `plaid-client-ext`
//! as a user sends them (docs: `sandbox-test-credentials.txt`, `sandbox-institutions.txt`,
//! `api-sandbox.txt`, `errors-item.txt`, `errors-institution.txt`, `errors-invalid-input.txt`,
//! `errors-recaptcha.txt`), and the same through the control API.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::retry::NoRetry;
use plaid_client_ext::types::{self, Products};
use plaid_client_ext::{Error, PlaidClient};
use plaid_emulator::{Emulator, EmulatorConfig, ItemOptions};
use support::client_of;

/// A started emulator and a client that does not retry (a 500 is asserted, not retried).
async fn start() -> (Emulator, PlaidClient) {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = client_of(&emulator, NoRetry);
    (emulator, client)
}

/// `/sandbox/public_token/create` at `institution` for `products` as `username`/`password`.
async fn create(
    client: &PlaidClient,
    institution: &str,
    products: Vec<Products>,
    credentials: Option<(&str, &str)>,
) -> Result<String, Error> {
    let mut options = types::SandboxPublicTokenCreateRequestOptions::new();
    if let Some((username, password)) = credentials {
        options = options
            .override_username(types::SandboxOverrideUsername(username.into()))
            .override_password(password.into());
    }
    let request =
        types::SandboxPublicTokenCreateRequest::new(products, institution).options(options);
    client.send(&request).await.map(|r| r.public_token.clone())
}

/// The error's (status, type, code), as the client decoded them.
fn plaid_error(error: &Error) -> (u16, String, String) {
    let api = error
        .api()
        .unwrap_or_else(|| panic!("not a Plaid error: {error}"));
    let error_type = serde_json::to_value(&api.error_type).unwrap();
    (
        api.status,
        error_type.as_str().unwrap().to_string(),
        api.error_code.as_str().to_string(),
    )
}

#[tokio::test]
async fn user_good_pass_good_links_an_item() {
    let (_emulator, client) = start().await;
    let token = create(
        &client,
        "ins_109508",
        vec![Products::Transactions],
        Some(("user_good", "pass_good")),
    )
    .await
    .unwrap();
    assert!(token.starts_with("public-sandbox-"), "{token}");
}

/// Every password of the docs' list, `error_<CODE>`, fails with its code, type and status;
/// a failure names the password.
#[tokio::test]
async fn each_error_password_fails_with_its_documented_error() {
    let (_emulator, client) = start().await;
    let documented = [
        ("COUNTRY_NOT_SUPPORTED", "ITEM_ERROR", 400),
        ("INSTITUTION_DOWN", "INSTITUTION_ERROR", 400),
        ("INSTITUTION_NOT_RESPONDING", "INSTITUTION_ERROR", 400),
        ("INSTITUTION_NO_LONGER_SUPPORTED", "INSTITUTION_ERROR", 400),
        ("INSUFFICIENT_CREDENTIALS", "ITEM_ERROR", 400),
        ("INTERNAL_SERVER_ERROR", "API_ERROR", 500),
        ("INVALID_CREDENTIALS", "ITEM_ERROR", 400),
        ("INVALID_MFA", "ITEM_ERROR", 400),
        ("INVALID_SEND_METHOD", "ITEM_ERROR", 400),
        ("ITEM_LOCKED", "ITEM_ERROR", 400),
        ("ITEM_NOT_SUPPORTED", "ITEM_ERROR", 400),
        ("MFA_NOT_SUPPORTED", "ITEM_ERROR", 400),
        ("NO_ACCOUNTS", "ITEM_ERROR", 400),
        ("PAYMENT_INVALID_RECIPIENT", "PAYMENT_ERROR", 400),
        ("PRODUCTS_NOT_SUPPORTED", "ITEM_ERROR", 400),
        ("USER_INPUT_TIMEOUT", "ITEM_ERROR", 400),
        ("USER_SETUP_REQUIRED", "ITEM_ERROR", 400),
    ];
    for (code, error_type, status) in documented {
        let password = format!("error_{code}");
        let error = create(
            &client,
            "ins_109508",
            vec![Products::Auth],
            Some(("user_good", &password)),
        )
        .await
        .expect_err(&password);
        assert_eq!(
            plaid_error(&error),
            (status, error_type.to_string(), code.to_string()),
            "password {password}"
        );
    }
}

#[tokio::test]
async fn wrong_credentials_are_invalid_credentials() {
    let (_emulator, client) = start().await;
    for (username, password) in [
        ("user_bad", "pass_good"),
        ("user_good", "pass_bad"),
        ("user_good", "error_NOT_A_CODE"),
    ] {
        let error = create(
            &client,
            "ins_109508",
            vec![Products::Auth],
            Some((username, password)),
        )
        .await
        .unwrap_err();
        assert_eq!(
            plaid_error(&error).2,
            "INVALID_CREDENTIALS",
            "{username}/{password}"
        );
    }
}

/// `/sandbox/public_token/create` bypasses Link, so an MFA password links at once.
#[tokio::test]
async fn mfa_passwords_link_through_the_sandbox_endpoint() {
    let (_emulator, client) = start().await;
    for password in [
        "mfa_device",
        "mfa_questions_2_3",
        "mfa_selections",
        "mfa_selections_1_2_3",
    ] {
        create(
            &client,
            "ins_109508",
            vec![Products::Auth],
            Some(("user_good", password)),
        )
        .await
        .unwrap_or_else(|e| panic!("{password}: {e}"));
    }
}

#[tokio::test]
async fn a_bad_recaptcha_is_recaptcha_bad() {
    let (_emulator, client) = start().await;
    let bad = create(
        &client,
        "ins_109508",
        vec![Products::Auth],
        Some(("user_good", r#"{"recaptcha":"bad"}"#)),
    )
    .await
    .unwrap_err();
    assert_eq!(
        plaid_error(&bad),
        (400, "RECAPTCHA_ERROR".into(), "RECAPTCHA_BAD".into())
    );
    create(
        &client,
        "ins_109508",
        vec![Products::Auth],
        Some(("user_good", r#"{"recaptcha":"good"}"#)),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_unknown_institution_is_invalid_institution() {
    let (_emulator, client) = start().await;
    let error = create(&client, "ins_nonexistent", vec![Products::Auth], None)
        .await
        .unwrap_err();
    assert_eq!(
        plaid_error(&error),
        (400, "INVALID_INPUT".into(), "INVALID_INSTITUTION".into())
    );
}

#[tokio::test]
async fn a_product_the_institution_lacks_is_products_not_supported() {
    let (_emulator, client) = start().await;
    // Payment Initiation is a UK product: First Platypus Bank (US) lacks it.
    let error = create(
        &client,
        "ins_109508",
        vec![Products::PaymentInitiation],
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(plaid_error(&error).2, "PRODUCTS_NOT_SUPPORTED");
}

#[tokio::test]
async fn oauth_institutions_are_refused_by_the_sandbox_endpoint() {
    let (emulator, client) = start().await;
    let error = create(&client, "ins_127287", vec![Products::Auth], None)
        .await
        .unwrap_err();
    assert_eq!(plaid_error(&error).2, "INVALID_INSTITUTION");
    // Link (and the control API, which stands in for it) can link there.
    let options = ItemOptions::default().institution_id("ins_127287");
    emulator
        .create_item_as(options, "user_good", "pass_good")
        .unwrap();
}

#[tokio::test]
async fn unhealthy_platypus_bank_down_is_institution_down() {
    let (_emulator, client) = start().await;
    let error = create(&client, "ins_132361", vec![Products::Auth], None)
        .await
        .unwrap_err();
    assert_eq!(
        plaid_error(&error),
        (400, "INSTITUTION_ERROR".into(), "INSTITUTION_DOWN".into())
    );
}

#[tokio::test]
async fn unhealthy_platypus_bank_degraded_still_links() {
    let (_emulator, client) = start().await;
    create(&client, "ins_132363", vec![Products::Transactions], None)
        .await
        .unwrap();
}

#[tokio::test]
async fn unsupported_platypus_bank_is_no_longer_supported() {
    let (_emulator, client) = start().await;
    let error = create(&client, "ins_133402", vec![Products::Auth], None)
        .await
        .unwrap_err();
    assert_eq!(plaid_error(&error).2, "INSTITUTION_NO_LONGER_SUPPORTED");
}

#[tokio::test]
async fn the_control_api_takes_the_same_credentials() {
    let (emulator, _client) = start().await;
    let locked = emulator
        .create_item_as(ItemOptions::default(), "user_good", "error_ITEM_LOCKED")
        .unwrap_err();
    assert_eq!(
        (locked.status, locked.error_code.as_str()),
        (400, "ITEM_LOCKED")
    );
    let unknown = emulator
        .create_item_as(
            ItemOptions::default().institution_id("ins_nonexistent"),
            "user_good",
            "pass_good",
        )
        .unwrap_err();
    assert_eq!(unknown.error_code, "INVALID_INSTITUTION");
    // Over HTTP: the same body as `ItemOptions`, with `username` and `password`.
    let http = reqwest::Client::new();
    let url = format!("{}/emulator/items", emulator.base_url());
    let refused = http
        .post(&url)
        .body(r#"{"username": "user_good", "password": "error_NO_ACCOUNTS"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error_code"], "NO_ACCOUNTS", "{body}");
    let linked = http
        .post(&url)
        .body(r#"{"username": "user_good", "password": "pass_good", "products": ["auth"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status().as_u16(), 200);
    let body: serde_json::Value = linked.json().await.unwrap();
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("access-sandbox-"),
        "{body}"
    );
}

/// A product name Plaid does not have is refused before any Item is made (raw HTTP: the typed
/// client cannot send one).
#[tokio::test]
async fn an_unknown_product_is_refused() {
    let (emulator, _client) = start().await;
    let config = EmulatorConfig::default();
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/sandbox/public_token/create",
            emulator.base_url()
        ))
        .header("plaid-client-id", config.client_id)
        .header("plaid-secret", config.secret)
        .body(r#"{"institution_id": "ins_109508", "initial_products": ["not_a_product"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["error_code"], "INVALID_FIELD", "{body}");
    assert!(
        body["error_message"]
            .as_str()
            .unwrap()
            .contains("initial_products"),
        "{body}"
    );
}
