//! `/sandbox/item/reset_login` and Link's update mode (docs: api-sandbox, errors-item,
//! api-items "Webhooks", link-update-mode): the Item's product calls answer
//! `ITEM_LOGIN_REQUIRED`, one `ITEM` / `ERROR` webhook arrives, `/item/get` shows the error, and
//! update-mode Link clears it without a new access token. A Sandbox Item's login also expires by
//! itself 30 days after it was linked or repaired (the spec's `/sandbox/item/reset_login`), on
//! the emulator's clock.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::AccountsGetRequest;
use plaid_client_ext::types::{self, CountryCode, Products, TransferNetwork, TransferType};
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::{Error, ErrorCode, ErrorType, PlaidClient};
use plaid_emulator::{Clock, Emulator, EmulatorConfig};
use std::time::{Duration, UNIX_EPOCH};
use support::{link_with, next_verified, nothing_more, receiver, start, start_with};

const MINUTE: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(86_400);

/// The error of a call that must fail with `ITEM_LOGIN_REQUIRED`, HTTP 400, `ITEM_ERROR`.
fn assert_login_required(result: Result<impl std::fmt::Debug, Error>, call: &str) {
    let error = result.expect_err(call);
    let api = error.api().unwrap_or_else(|| panic!("{call}: {error}"));
    assert_eq!(api.status, 400, "{call}");
    assert_eq!(api.error_type, ErrorType::ItemError, "{call}");
    assert_eq!(api.error_code, ErrorCode::ItemLoginRequired, "{call}");
}

/// `/item/get` shows the Item's `ITEM_LOGIN_REQUIRED`.
async fn assert_item_get_shows_login_required(client: &PlaidClient, token: &str) {
    let item = client
        .send(&types::ItemGetRequest::new(token))
        .await
        .unwrap();
    let shown = item.item.error.as_ref().expect("/item/get shows the error");
    assert_eq!(shown.error_code, "ITEM_LOGIN_REQUIRED");
}

async fn product_calls_fail(client: &PlaidClient, token: &str, account: &str) {
    let accounts = client.send(&types::AccountsGetRequest::new(token)).await;
    assert_login_required(accounts, "/accounts/get");
    let balance = client
        .send(&types::AccountsBalanceGetRequest::new(token))
        .await;
    assert_login_required(balance, "/accounts/balance/get");
    let sync = client
        .send(&types::TransactionsSyncRequest::new(token))
        .await;
    assert_login_required(sync, "/transactions/sync");
    let auth = client.send(&types::AuthGetRequest::new(token)).await;
    assert_login_required(auth, "/auth/get");
    let identity = client.send(&types::IdentityGetRequest::new(token)).await;
    assert_login_required(identity, "/identity/get");
    // An operation the emulator answers from the spec's example, not an emulated flow.
    let holdings = client
        .send(&types::InvestmentsHoldingsGetRequest::new(token))
        .await;
    assert_login_required(holdings, "/investments/holdings/get");
    let authorization = types::TransferAuthorizationCreateRequest::new(
        token,
        account,
        "1.00",
        TransferNetwork::Ach,
        TransferType::Debit,
        types::TransferAuthorizationUserInRequest::new("Ada Lovelace"),
    );
    let authorized = client.send(&authorization).await;
    assert_login_required(authorized, "/transfer/authorization/create");
}

#[tokio::test]
async fn reset_login_breaks_product_calls_fires_one_error_webhook_and_update_mode_repairs() {
    let (emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let products = vec![Products::Transactions, Products::Auth, Products::Identity];
    let (token, item_id) = link_with(&client, products, Some(url)).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(token.as_str()))
        .await
        .unwrap();
    let account = accounts.accounts[0].account_id.clone();

    let reset = types::SandboxItemResetLoginRequest::new(token.as_str());
    assert!(client.send(&reset).await.unwrap().reset_login);
    product_calls_fail(&client, &token, &account).await;
    match next_verified(&client, &mut received).await {
        WebhookEvent::ItemError(event) => {
            assert_eq!(event.item_id.to_string(), item_id);
            let error = event.error.expect("the webhook carries the error");
            assert_eq!(error.error_code, "ITEM_LOGIN_REQUIRED");
            assert_eq!(error.status, Some(400));
        }
        other => panic!("expected ITEM / ERROR, got {other:?}"),
    }
    assert!(
        nothing_more(&emulator, &mut received).await,
        "exactly one webhook"
    );
    assert_item_get_shows_login_required(&client, &token).await;

    // Update mode: a link token for the Item's access token, completed.
    let update = types::LinkTokenCreateRequest::new("app", vec![CountryCode::Us], "en")
        .access_token(token.clone());
    let link_token = client.send(&update).await.unwrap().link_token.clone();
    let public = emulator.complete_link(&link_token).unwrap();
    let repaired = client
        .send(&types::AccountsGetRequest::new(token.as_str()))
        .await
        .unwrap();
    assert_eq!(repaired.accounts.len(), 2);
    let item = client
        .send(&types::ItemGetRequest::new(token.as_str()))
        .await
        .unwrap();
    assert!(item.item.error.is_none(), "{:?}", item.item.error);
    // The access token did not change: the public token exchanges to the same one.
    let exchanged = client
        .send(&types::ItemPublicTokenExchangeRequest::new(public))
        .await
        .unwrap();
    assert_eq!(exchanged.access_token.expose(), token);
    // Repaired in the app's own update mode: no LOGIN_REPAIRED (nor anything else).
    assert!(nothing_more(&emulator, &mut received).await);
}

#[tokio::test]
async fn an_item_without_a_webhook_still_enters_the_error_state() {
    let (_emulator, client) = start().await;
    let (token, _) = link_with(&client, vec![Products::Transactions], None).await;
    let reset = types::SandboxItemResetLoginRequest::new(token.as_str());
    assert!(client.send(&reset).await.unwrap().reset_login);
    let sync = client
        .send(&types::TransactionsSyncRequest::new(token.as_str()))
        .await;
    assert_login_required(sync, "/transactions/sync");
    // Managing the Item still works: it can be removed.
    client
        .send(&types::ItemRemoveRequest::new(token.as_str()))
        .await
        .unwrap();
}

/// An emulator on a manual clock standing at 2026-01-01T00:00:00Z.
async fn on_a_manual_clock() -> (Emulator, PlaidClient) {
    let clock = Clock::Manual(UNIX_EPOCH + Duration::from_secs(1_767_225_600));
    start_with(EmulatorConfig {
        clock,
        ..EmulatorConfig::default()
    })
    .await
}

/// The next webhook is the Item's `ITEM` / `ERROR` carrying `ITEM_LOGIN_REQUIRED`.
async fn expect_login_required_webhook(
    client: &PlaidClient,
    received: &mut support::Received,
    item_id: &str,
) {
    match next_verified(client, received).await {
        WebhookEvent::ItemError(event) => {
            assert_eq!(event.item_id.to_string(), item_id);
            let error = event.error.expect("the webhook carries the error");
            assert_eq!(error.error_code, "ITEM_LOGIN_REQUIRED");
        }
        other => panic!("expected ITEM / ERROR, got {other:?}"),
    }
}

#[tokio::test]
async fn a_sandbox_items_login_expires_after_30_days_with_one_error_webhook() {
    let (emulator, client) = on_a_manual_clock().await;
    let (url, mut received) = receiver().await;
    let (token, item_id) = link_with(&client, vec![Products::Transactions], Some(url)).await;
    emulator.advance(30 * DAY - MINUTE);
    let accounts = client.send(&AccountsGetRequest::new(token.as_str())).await;
    assert!(accounts.is_ok(), "a minute short of 30 days: {accounts:?}");
    assert!(nothing_more(&emulator, &mut received).await);

    // The advance itself expires the login and announces it, before any request.
    emulator.advance(MINUTE);
    expect_login_required_webhook(&client, &mut received, &item_id).await;
    let accounts = client.send(&AccountsGetRequest::new(token.as_str())).await;
    assert_login_required(accounts, "/accounts/get after 30 days");
    assert_item_get_shows_login_required(&client, &token).await;
    // Time going on expires nothing twice.
    emulator.advance(40 * DAY);
    assert!(nothing_more(&emulator, &mut received).await, "one webhook");
}

#[tokio::test]
async fn update_mode_starts_a_sandbox_logins_30_days_again() {
    let (emulator, client) = on_a_manual_clock().await;
    let (url, mut received) = receiver().await;
    let (token, item_id) = link_with(&client, vec![Products::Transactions], Some(url)).await;
    emulator.advance(30 * DAY);
    expect_login_required_webhook(&client, &mut received, &item_id).await;

    emulator.advance(5 * DAY);
    let update = types::LinkTokenCreateRequest::new("app", vec![CountryCode::Us], "en")
        .access_token(token.clone());
    let link_token = client.send(&update).await.unwrap().link_token.clone();
    emulator.complete_link(&link_token).unwrap();
    emulator.advance(30 * DAY - MINUTE);
    let accounts = client.send(&AccountsGetRequest::new(token.as_str())).await;
    assert!(accounts.is_ok(), "29 days after the repair: {accounts:?}");
    emulator.advance(MINUTE);
    expect_login_required_webhook(&client, &mut received, &item_id).await;
    let accounts = client.send(&AccountsGetRequest::new(token.as_str())).await;
    assert_login_required(accounts, "/accounts/get 30 days after the repair");
    assert!(nothing_more(&emulator, &mut received).await);
}
