//! Payment Initiation payments on state (issue 31, item 3; api-products-payment-initiation, the
//! spec's `/sandbox/payment/simulate`), driven through plaid-client-ext as users do. Payment
//! Profiles and their Sandbox `reset_login` are `payment_profiles.rs`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types;
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::{ErrorCode, PlaidClient};
use support::{next_verified, nothing_more, receiver, start};

/// A payment of GBP 100.00 to a new recipient, awaiting the user's input.
async fn payment(client: &PlaidClient) -> String {
    let recipient = types::PaymentInitiationRecipientCreateRequest::new("Alice")
        .iban("GB33BUKB20201555555555".to_string());
    let recipient_id = client.send(&recipient).await.unwrap().data.recipient_id;
    let amount = types::PaymentAmount {
        currency: types::PaymentAmountCurrency::Gbp,
        value: 100.0,
    };
    let create = types::PaymentInitiationPaymentCreateRequest::new(amount, recipient_id, "Ref 1");
    let created = client.send(&create).await.unwrap().data;
    assert_eq!(created.status.to_string(), "PAYMENT_STATUS_INPUT_NEEDED");
    created.payment_id
}

async fn payment_status(client: &PlaidClient, payment_id: &str) -> String {
    let get = types::PaymentInitiationPaymentGetRequest::new(payment_id);
    client.send(&get).await.unwrap().data.status.to_string()
}

#[tokio::test]
async fn payment_simulate_sets_the_status_and_fires_payment_status_update() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let id = payment(&client).await;
    assert_eq!(
        payment_status(&client, &id).await,
        "PAYMENT_STATUS_INPUT_NEEDED"
    );

    let simulate =
        types::SandboxPaymentSimulateRequest::new(id.as_str(), "PAYMENT_STATUS_EXECUTED", url);
    let answer = client.send(&simulate).await.unwrap().data;
    assert_eq!(answer.old_status.to_string(), "PAYMENT_STATUS_INPUT_NEEDED");
    assert_eq!(answer.new_status.to_string(), "PAYMENT_STATUS_EXECUTED");
    assert_eq!(
        payment_status(&client, &id).await,
        "PAYMENT_STATUS_EXECUTED"
    );

    let WebhookEvent::PaymentStatusUpdate(webhook) = next_verified(&client, &mut received).await
    else {
        panic!("not PAYMENT_STATUS_UPDATE");
    };
    assert_eq!(webhook.payment_id, id);
    assert_eq!(
        webhook.old_payment_status.to_string(),
        "PAYMENT_STATUS_INPUT_NEEDED"
    );
    assert_eq!(
        webhook.new_payment_status.to_string(),
        "PAYMENT_STATUS_EXECUTED"
    );
    assert!(nothing_more(&emulator, &mut received).await);
}

#[tokio::test]
async fn payment_simulate_refuses_a_status_it_does_not_list_and_an_unknown_payment() {
    let (_emulator, client) = start().await;
    let id = payment(&client).await;
    let url = "http://127.0.0.1:9/hook";
    let blocked =
        types::SandboxPaymentSimulateRequest::new(id.as_str(), "PAYMENT_STATUS_BLOCKED", url);
    let err = client.send(&blocked).await.unwrap_err();
    assert_eq!(err.error_code(), Some(&ErrorCode::InvalidField), "{err}");
    assert_eq!(
        payment_status(&client, &id).await,
        "PAYMENT_STATUS_INPUT_NEEDED"
    );
    let unknown = types::SandboxPaymentSimulateRequest::new(
        "payment-id-sandbox-0",
        "PAYMENT_STATUS_EXECUTED",
        url,
    );
    let err = client.send(&unknown).await.unwrap_err();
    assert_eq!(err.error_code(), Some(&ErrorCode::InvalidField), "{err}");
}
