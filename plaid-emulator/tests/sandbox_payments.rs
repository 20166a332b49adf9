//! The last four Sandbox operations on state (issue 31, item 3): Payment Profiles
//! (api-products-transfer `/payment_profile/*`, api-sandbox `/sandbox/payment_profile/reset_login`),
//! driven through plaid-client-ext as users do.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types;
use plaid_client_ext::{ErrorCode, PlaidClient};
use support::start;

async fn profile_status(client: &PlaidClient, token: &str) -> String {
    let get = types::PaymentProfileGetRequest::new(token);
    client.send(&get).await.unwrap().data.status.to_string()
}

#[tokio::test]
async fn reset_login_puts_a_ready_payment_profile_back_to_pending() {
    let (_emulator, client) = start().await;
    let created = client
        .send(&types::PaymentProfileCreateRequest::new())
        .await
        .unwrap();
    let token = created.payment_profile_token.expose().to_string();
    assert!(token.starts_with("payment-profile-sandbox-"), "{token}");
    assert_eq!(profile_status(&client, &token).await, "READY");

    let reset = types::SandboxPaymentProfileResetLoginRequest::new(token.as_str());
    assert!(client.send(&reset).await.unwrap().reset_login);
    assert_eq!(profile_status(&client, &token).await, "PENDING");

    let remove = types::PaymentProfileRemoveRequest::new(token.as_str());
    client.send(&remove).await.unwrap();
    assert_eq!(profile_status(&client, &token).await, "REMOVED");
    let again = client.send(&reset).await.unwrap_err();
    assert_eq!(
        again.error_code(),
        Some(&ErrorCode::InvalidField),
        "{again}"
    );
}

#[tokio::test]
async fn reset_login_of_an_unknown_payment_profile_is_invalid_field() {
    let (_emulator, client) = start().await;
    let reset = types::SandboxPaymentProfileResetLoginRequest::new(
        "payment-profile-sandbox-00000000-0000-0000-0000-000000000000",
    );
    let err = client.send(&reset).await.unwrap_err();
    assert_eq!(err.error_code(), Some(&ErrorCode::InvalidField), "{err}");
}
