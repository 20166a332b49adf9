//! Payment Profiles through Link (issue 31; docs: api-products-transfer `/payment_profile/*`
//! and `PaymentProfileStatus`, transfer-payment-profiles, link-update-mode "Using update mode
//! for Payment Profiles", api-sandbox `/sandbox/payment_profile/reset_login`, errors-transfer
//! `PAYMENT_PROFILE_NOT_READY`), driven through plaid-client-ext as users do: a profile is
//! `PENDING` until Link runs with a link token made with `transfer.payment_profile_token`,
//! `READY` after; `reset_login` makes authorizations carry `PAYMENT_PROFILE_LOGIN_REQUIRED`
//! until update mode for the profile restores it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, CountryCode, Products};
use plaid_client_ext::{Error, ErrorCode, PlaidClient};
use plaid_emulator::Emulator;
use support::transfers::{authorization, first_account};
use support::{link_with, start};

/// A new Payment Profile's token.
async fn new_profile(client: &PlaidClient) -> String {
    let created = client
        .send(&types::PaymentProfileCreateRequest::new())
        .await
        .unwrap();
    created.payment_profile_token.expose().to_string()
}

async fn status(client: &PlaidClient, profile: &str) -> String {
    let get = types::PaymentProfileGetRequest::new(profile);
    client.send(&get).await.unwrap().data.status.to_string()
}

/// A link token request for `profile` (docs, transfer-payment-profiles: "transfer" the only
/// product; update mode, link-update-mode: no products).
fn link_request(profile: &str, products: Vec<Products>) -> types::LinkTokenCreateRequest {
    let transfer =
        types::LinkTokenCreateRequestTransfer::new().payment_profile_token(profile.to_string());
    let request = types::LinkTokenCreateRequest::new("emulator tests", vec![CountryCode::Us], "en")
        .user(types::LinkTokenCreateRequestUser::new("user-1"))
        .transfer(transfer);
    if products.is_empty() {
        request
    } else {
        request.products(products)
    }
}

/// Link completed for `profile` as the user would, with `products`: the Item's access token.
async fn run_link(
    emulator: &Emulator,
    client: &PlaidClient,
    profile: &str,
    products: Vec<Products>,
) -> String {
    let created = client.send(&link_request(profile, products)).await.unwrap();
    let public = emulator.complete_link(&created.link_token).unwrap();
    let exchange = types::ItemPublicTokenExchangeRequest::new(public);
    let exchanged = client.send(&exchange).await.unwrap();
    exchanged.access_token.expose().to_string()
}

/// A profile linked through Link: (profile token, access token, account id).
async fn linked_profile(emulator: &Emulator, client: &PlaidClient) -> (String, String, String) {
    let profile = new_profile(client).await;
    let access = run_link(emulator, client, &profile, vec![Products::Transfer]).await;
    let account = first_account(client, &access).await;
    (profile, access, account)
}

/// An authorization of a 12.34 debit with `profile`, and with the access token and account
/// the spec requires.
async fn authorize(
    client: &PlaidClient,
    access: &str,
    account: &str,
    profile: &str,
) -> Result<types::TransferAuthorization, Error> {
    let request = authorization(access, account, "12.34").payment_profile_token(profile.into());
    Ok(client.send(&request).await?.authorization.clone())
}

/// `(decision, rationale code)` of an authorization.
fn decided(authorization: &types::TransferAuthorization) -> (String, Option<String>) {
    let rationale = authorization.decision_rationale.as_ref();
    let code = rationale
        .and_then(|r| r.code.as_ref())
        .map(|c| c.to_string());
    (authorization.decision.to_string(), code)
}

/// `/sandbox/payment_profile/reset_login` for `profile`: its `reset_login`.
async fn reset_login(client: &PlaidClient, profile: &str) -> Result<bool, Error> {
    let reset = types::SandboxPaymentProfileResetLoginRequest::new(profile);
    Ok(client.send(&reset).await?.reset_login)
}

fn assert_not_ready(err: &Error) {
    let api = err.api().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(api.error_code, ErrorCode::PaymentProfileNotReady, "{err}");
    assert_eq!(api.error_type.to_string(), "TRANSFER_ERROR");
    assert_eq!(api.status, 400);
}

#[tokio::test]
async fn a_new_payment_profile_is_pending_until_link_runs_with_its_token() {
    let (emulator, client) = start().await;
    let profile = new_profile(&client).await;
    assert!(profile.starts_with("payment-profile-sandbox-"), "{profile}");
    assert_eq!(status(&client, &profile).await, "PENDING");

    let access = run_link(&emulator, &client, &profile, vec![Products::Transfer]).await;
    assert_eq!(status(&client, &profile).await, "READY");
    // Link gave an Item too, with the account the profile uses.
    let item = client
        .send(&types::ItemGetRequest::new(access.as_str()))
        .await
        .unwrap();
    let products: Vec<String> = item.item.products.iter().map(|p| p.to_string()).collect();
    assert_eq!(products, ["transfer"]);
}

#[tokio::test]
async fn an_authorization_with_a_pending_profile_is_payment_profile_not_ready() {
    let (_emulator, client) = start().await;
    let profile = new_profile(&client).await;
    let (access, _) = link_with(&client, vec![Products::Transfer], None).await;
    let account = first_account(&client, &access).await;
    let err = authorize(&client, &access, &account, &profile)
        .await
        .unwrap_err();
    assert_not_ready(&err);
}

#[tokio::test]
async fn an_authorization_with_a_ready_profile_is_approved_without_rationale() {
    let (emulator, client) = start().await;
    let (profile, access, account) = linked_profile(&emulator, &client).await;
    let approved = authorize(&client, &access, &account, &profile)
        .await
        .unwrap();
    assert_eq!(decided(&approved), ("approved".to_string(), None));
}

#[tokio::test]
async fn reset_login_makes_authorizations_carry_payment_profile_login_required() {
    let (emulator, client) = start().await;
    let (profile, access, account) = linked_profile(&emulator, &client).await;
    assert!(reset_login(&client, &profile).await.unwrap());

    let authorized = authorize(&client, &access, &account, &profile)
        .await
        .unwrap();
    let code = Some("PAYMENT_PROFILE_LOGIN_REQUIRED".to_string());
    // docs: "Plaid will offer approved as a transaction decision".
    assert_eq!(decided(&authorized), ("approved".to_string(), code));
    let description = &authorized.decision_rationale.as_ref().unwrap().description;
    assert!(description.contains("update mode"), "{description}");
    assert_eq!(status(&client, &profile).await, "READY");
}

#[tokio::test]
async fn update_mode_link_for_the_profile_restores_it() {
    let (emulator, client) = start().await;
    let (profile, access, account) = linked_profile(&emulator, &client).await;
    reset_login(&client, &profile).await.unwrap();

    // Update mode: the profile's token, no products; the same Item's access token back.
    let again = run_link(&emulator, &client, &profile, vec![]).await;
    assert_eq!(again, access);
    let approved = authorize(&client, &access, &account, &profile)
        .await
        .unwrap();
    assert_eq!(decided(&approved), ("approved".to_string(), None));
}

#[tokio::test]
async fn update_mode_for_a_profile_never_linked_needs_products() {
    let (_emulator, client) = start().await;
    let profile = new_profile(&client).await;
    let err = client
        .send(&link_request(&profile, vec![]))
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(&ErrorCode::MissingFields), "{err}");
}

#[tokio::test]
async fn a_removed_profile_is_removed_and_refused() {
    let (emulator, client) = start().await;
    let (profile, access, account) = linked_profile(&emulator, &client).await;
    let remove = types::PaymentProfileRemoveRequest::new(profile.as_str());
    client.send(&remove).await.unwrap();
    assert_eq!(status(&client, &profile).await, "REMOVED");

    let err = authorize(&client, &access, &account, &profile)
        .await
        .unwrap_err();
    assert_not_ready(&err);
    let link = client
        .send(&link_request(&profile, vec![Products::Transfer]))
        .await
        .unwrap_err();
    assert_eq!(link.error_code(), Some(&ErrorCode::InvalidField), "{link}");
    let reset = reset_login(&client, &profile).await.unwrap_err();
    assert_eq!(
        reset.error_code(),
        Some(&ErrorCode::InvalidField),
        "{reset}"
    );
}

#[tokio::test]
async fn reset_login_before_link_is_payment_profile_not_ready() {
    let (_emulator, client) = start().await;
    let profile = new_profile(&client).await;
    let err = reset_login(&client, &profile).await.unwrap_err();
    assert_not_ready(&err);
    assert_eq!(status(&client, &profile).await, "PENDING");
}

#[tokio::test]
async fn reset_login_of_an_unknown_payment_profile_is_invalid_field() {
    let (_emulator, client) = start().await;
    let unknown = "payment-profile-sandbox-00000000-0000-0000-0000-000000000000";
    let err = reset_login(&client, unknown).await.unwrap_err();
    assert_eq!(err.error_code(), Some(&ErrorCode::InvalidField), "{err}");
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_original_authorization_after_reset_login() {
    let (emulator, client) = start().await;
    let (profile, access, account) = linked_profile(&emulator, &client).await;
    let request = authorization(&access, &account, "12.34")
        .payment_profile_token(profile.as_str().into())
        .idempotency_key("profile-key-1".into());
    let first = client.send(&request).await.unwrap().authorization.clone();
    reset_login(&client, &profile).await.unwrap();

    let again = client.send(&request).await.unwrap().authorization.clone();
    assert_eq!(again.id, first.id);
    assert_eq!(decided(&again), ("approved".to_string(), None));
}
