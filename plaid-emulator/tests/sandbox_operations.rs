//! Sandbox operations that act on the emulated state, through `plaid-client-ext` (docs:
//! `api-sandbox.txt`, `api-processors.txt`, `api-institutions.txt`, `errors-invalid-input.txt`,
//! `errors-sandbox.txt`): processor tokens `/processor/*` accepts, Sandbox's institutions with
//! their health, the Income webhooks fired on demand, and an application's seeded Item.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, CountryCode, Products};
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::ErrorCode;
use serde_json::json;
use support::{link_with, next_verified, receiver, start};

/// A processor token for a new Item as `username`/`password` at First Platypus Bank.
fn processor_request(username: &str, password: &str) -> types::SandboxProcessorTokenCreateRequest {
    let options = types::SandboxProcessorTokenCreateRequestOptions::new()
        .override_username(types::SandboxOverrideUsername(username.into()))
        .override_password(password.into());
    types::SandboxProcessorTokenCreateRequest::new("ins_109508").options(options)
}

#[tokio::test]
async fn a_sandbox_processor_token_is_accepted_by_the_processor_endpoints() {
    let (_emulator, client) = start().await;
    let created = client
        .send(&processor_request("user_good", "pass_good"))
        .await
        .unwrap();
    let token = types::ProcessorToken::from(created.processor_token.as_str());
    assert!(token.expose().starts_with("processor-sandbox-"));
    let auth = client
        .send(&types::ProcessorAuthGetRequest::new(token.clone()))
        .await
        .unwrap();
    let numbers = serde_json::to_value(&auth.numbers).unwrap();
    assert_eq!(numbers["ach"]["account_id"], json!(auth.account.account_id));
    assert_eq!(numbers["ach"]["routing"], "011401533");
    let balance = client
        .send(&types::ProcessorBalanceGetRequest::new(token.clone()))
        .await
        .unwrap();
    assert_eq!(balance.account.account_id, auth.account.account_id);
    let account = client
        .send(&types::ProcessorAccountGetRequest::new(token.clone()))
        .await
        .unwrap();
    assert_eq!(account.institution_id, "ins_109508");
    let identity = client
        .send(&types::ProcessorIdentityGetRequest::new(token))
        .await
        .unwrap();
    assert_eq!(identity.account.owners.len(), 1);
}

#[tokio::test]
async fn an_unknown_processor_token_is_invalid_processor_token() {
    let (_emulator, client) = start().await;
    let token = types::ProcessorToken::from("processor-sandbox-nothing");
    let error = client
        .send(&types::ProcessorAuthGetRequest::new(token))
        .await
        .unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidProcessorToken),
        "{error}"
    );
}

#[tokio::test]
async fn a_processor_token_takes_sandboxs_test_credentials() {
    let (_emulator, client) = start().await;
    let locked = client
        .send(&processor_request("user_good", "error_ITEM_LOCKED"))
        .await
        .unwrap_err();
    assert_eq!(
        locked.error_code(),
        Some(&ErrorCode::ItemLocked),
        "{locked}"
    );
}

#[tokio::test]
async fn institutions_get_by_id_answers_sandboxs_institution_and_refuses_an_unknown_one() {
    let (_emulator, client) = start().await;
    let request = types::InstitutionsGetByIdRequest::new(vec![CountryCode::Us], "ins_109512");
    let houndstooth = client.send(&request).await.unwrap();
    assert_eq!(houndstooth.institution.name, "Houndstooth Bank");
    assert_eq!(houndstooth.institution.routing_numbers, ["021000021"]);
    assert!(!houndstooth.institution.oauth);
    let unknown = types::InstitutionsGetByIdRequest::new(vec![CountryCode::Us], "ins_nonexistent");
    let error = client.send(&unknown).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidInstitution),
        "{error}"
    );
}

/// "Unhealthy Platypus Bank - Down" and "- Degraded" report the health their names say.
#[tokio::test]
async fn unhealthy_platypus_banks_report_their_status() {
    let (_emulator, client) = start().await;
    for (id, status) in [
        ("ins_132361", "DOWN"),
        ("ins_132363", "DEGRADED"),
        ("ins_109508", "HEALTHY"),
    ] {
        let options = types::InstitutionsGetByIdRequestOptions::new().include_status(true);
        let request =
            types::InstitutionsGetByIdRequest::new(vec![CountryCode::Us], id).options(options);
        let answer = client.send(&request).await.unwrap();
        let value = serde_json::to_value(&answer.institution).unwrap();
        assert_eq!(
            value["status"]["item_logins"]["status"], status,
            "{id}: {value}"
        );
    }
}

#[tokio::test]
async fn institutions_get_filters_by_country_oauth_and_product() {
    let (_emulator, client) = start().await;
    let all = client
        .send(&types::InstitutionsGetRequest::new(
            500,
            vec![CountryCode::Us],
            0,
        ))
        .await
        .unwrap();
    assert_eq!(all.total, 12, "the US ones of the docs' list");
    let oauth = types::InstitutionsGetRequestOptions::new().oauth(true);
    let request =
        types::InstitutionsGetRequest::new(500, vec![CountryCode::Us, CountryCode::Gb], 0)
            .options(oauth);
    let answer = client.send(&request).await.unwrap();
    let ids: Vec<_> = answer
        .institutions
        .iter()
        .map(|i| i.institution_id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "ins_116834",
            "ins_117650",
            "ins_127287",
            "ins_132241",
            "ins_117181"
        ]
    );
    let uk =
        types::InstitutionsGetRequestOptions::new().products(vec![Products::PaymentInitiation]);
    let request = types::InstitutionsGetRequest::new(2, vec![CountryCode::Gb], 1).options(uk);
    let page = client.send(&request).await.unwrap();
    assert_eq!(
        (page.total, page.institutions.len()),
        (3, 2),
        "offset 1, count 2 of the 3 UK banks"
    );
}

#[tokio::test]
async fn institutions_search_matches_every_word_of_the_query() {
    let (_emulator, client) = start().await;
    let request =
        types::InstitutionsSearchRequest::new(vec![CountryCode::Us], "platypus unhealthy");
    let found = client.send(&request).await.unwrap();
    let names: Vec<_> = found.institutions.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Unhealthy Platypus Bank - Degraded",
            "Unhealthy Platypus Bank - Down"
        ]
    );
}

#[tokio::test]
async fn the_income_webhook_goes_to_the_requested_url() {
    let (_emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let (_, item_id) = link_with(&client, vec![Products::Transactions], None).await;
    let fire = types::SandboxIncomeFireWebhookRequest::new(
        item_id.clone(),
        url,
        types::SandboxIncomeWebhookFireRequestWebhookCode::IncomeVerification,
    )
    .verification_status(types::SandboxIncomeFireWebhookRequestVerificationStatus::VerificationStatusProcessingFailed);
    client.send(&fire).await.unwrap();
    let event = next_verified(&client, &mut received).await;
    let WebhookEvent::IncomeVerificationStatus(webhook) = event else {
        panic!("{event:?}");
    };
    assert_eq!(
        (
            webhook.item_id.as_str(),
            webhook.verification_status.as_str()
        ),
        (item_id.as_str(), "VERIFICATION_STATUS_PROCESSING_FAILED")
    );
    let unknown = types::SandboxIncomeFireWebhookRequest::new(
        "item-nothing".to_string(),
        "http://127.0.0.1:9/hook".to_string(),
        types::SandboxIncomeWebhookFireRequestWebhookCode::IncomeVerification,
    );
    let error = client.send(&unknown).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::ItemNotFound),
        "{error}"
    );
}

#[tokio::test]
async fn the_bank_income_webhook_needs_a_url_and_carries_its_result() {
    let (_emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let fields = types::SandboxBankIncomeWebhookFireRequestWebhookFields::new("user-1".to_string())
        .bank_income_refresh_complete_result(types::BankIncomeRefreshCompleteResult::Failure);
    let code = types::SandboxBankIncomeWebhookFireRequestWebhookCode::BankIncomeRefreshComplete;
    let without = types::SandboxBankIncomeFireWebhookRequest::new(code.clone(), fields.clone());
    let error = client.send(&without).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::SandboxWebhookInvalid),
        "{error}"
    );
    let fire = types::SandboxBankIncomeFireWebhookRequest::new(code, fields).webhook_override(url);
    client.send(&fire).await.unwrap();
    let event = next_verified(&client, &mut received).await;
    let WebhookEvent::BankIncomeRefreshComplete(webhook) = event else {
        panic!("{event:?}");
    };
    assert_eq!(webhook.user_id, "user-1");
    assert_eq!(
        webhook.result,
        types::BankIncomeRefreshCompleteResult::Failure
    );
}

#[tokio::test]
async fn an_application_seed_makes_a_new_item_at_the_same_institution() {
    let (emulator, client) = start().await;
    let (token, item_id) = link_with(&client, vec![Products::Transactions], None).await;
    let seed =
        types::SandboxItemApplicationSeedRequest::new(token, types::ApplicationId("app-1".into()));
    let seeded = client.send(&seed).await.unwrap();
    assert_ne!(seeded.item_id, item_id);
    assert!(
        emulator.item(&seeded.item_id).is_some(),
        "the seeded Item exists"
    );
}
