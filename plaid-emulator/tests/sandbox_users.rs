//! Sandbox's special users through `plaid-client-ext`: `user_custom` with its JSON
//! configuration (docs: `sandbox-user-custom.txt`), `user_transactions_dynamic`
//! (<https://plaid.com/docs/sandbox/test-credentials/>), and Houndstooth Bank's Auth flows
//! (`auth-coverage-testing.txt`, `auth-coverage-automated.txt`, `api-sandbox.txt`
//! `/sandbox/item/set_verification_status`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;

use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::types::{self, Products};
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::{ErrorCode, PlaidClient};
use serde_json::json;
use support::{next_verified, receiver, start};

/// Link as `username`/`password` at `institution` with `products`, webhooks to `webhook`:
/// (access token, item id).
async fn link_as(
    client: &PlaidClient,
    institution: &str,
    products: Vec<Products>,
    (username, password): (&str, &str),
    webhook: Option<&str>,
) -> Result<(String, String), plaid_client_ext::Error> {
    let mut options = types::SandboxPublicTokenCreateRequestOptions::new()
        .override_username(types::SandboxOverrideUsername(username.into()))
        .override_password(password.into());
    if let Some(url) = webhook {
        options = options.webhook(url.to_string());
    }
    let create =
        types::SandboxPublicTokenCreateRequest::new(products, institution).options(options);
    let public = client.send(&create).await?;
    let exchange = types::ItemPublicTokenExchangeRequest::new(public.public_token.clone());
    let exchanged = client.send(&exchange).await?;
    Ok((
        exchanged.access_token.expose().to_string(),
        exchanged.item_id.clone(),
    ))
}

/// A custom user with a checking and a credit account, three transactions (one posting in
/// 2999, so pending), numbers and an owner.
fn config() -> String {
    json!({
        "seed": "tests",
        "override_accounts": [
            {"type": "depository", "subtype": "checking", "starting_balance": 1234.5,
             "meta": {"name": "Everyday", "official_name": "Everyday Checking", "mask": "4321"},
             "numbers": {"account": "99887766554321", "ach_routing": "011000015"},
             "identity": {"names": ["Ada Custom"],
                "emails": [{"data": "ada@example.com", "primary": true, "type": "primary"}]},
             "transactions": [
                {"date_transacted": "2026-01-01", "date_posted": "2026-01-03", "amount": 12.34, "description": "Coffee"},
                {"date_posted": "2999-01-01", "amount": 50, "description": "Hotel hold"}]},
            {"type": "credit", "subtype": "credit card", "starting_balance": 300,
             "meta": {"limit": 5000},
             "transactions": [
                {"date_posted": "2026-01-05", "amount": -20, "description": "Refund"}]}
        ]
    })
    .to_string()
}

/// A complete sync from `cursor`: (added, modified, removed ids, next cursor).
async fn sync(
    client: &PlaidClient,
    token: &str,
    cursor: Option<String>,
) -> (
    Vec<types::Transaction>,
    Vec<types::Transaction>,
    Vec<String>,
    String,
) {
    let mut request = types::TransactionsSyncRequest::new(token.to_string());
    if let Some(cursor) = cursor {
        request = request.cursor(cursor);
    }
    let SyncOutcome::Complete(batch) = client.sync(request).run().await.unwrap() else {
        panic!("the emulator's data is ready at once");
    };
    let removed = batch
        .data
        .removed
        .iter()
        .map(|r| r.transaction_id.clone())
        .collect();
    (batch.data.added, batch.data.modified, removed, batch.cursor)
}

/// An Item of the custom user of [`config`] with `products`: (access token, item id).
async fn link_custom(client: &PlaidClient, products: Vec<Products>) -> (String, String) {
    let credentials = ("user_custom", config());
    let credentials = (credentials.0, credentials.1.as_str());
    link_as(client, "ins_109508", products, credentials, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_custom_users_accounts_are_exactly_its_configuration() {
    let (_emulator, client) = start().await;
    let (token, _) = link_custom(&client, vec![Products::Transactions]).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(token))
        .await
        .unwrap();
    let got: Vec<_> = accounts
        .accounts
        .iter()
        .map(|a| {
            let v = serde_json::to_value(a).unwrap();
            (
                v["name"].clone(),
                v["mask"].clone(),
                v["type"].clone(),
                v["subtype"].clone(),
                v["balances"]["current"].clone(),
                v["balances"]["limit"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                json!("Everyday"),
                json!("4321"),
                json!("depository"),
                json!("checking"),
                json!(1234.5),
                json!(null)
            ),
            (
                json!("Plaid credit card"),
                json!(null),
                json!("credit"),
                json!("credit card"),
                json!(300.0),
                json!(5000.0)
            ),
        ]
    );
}

/// The configured transactions arrive through `/transactions/sync` exactly (a future
/// `date_posted` pending); an edit then arrives as `modified`, a removal as `removed`.
#[tokio::test]
async fn a_custom_users_transactions_sync_exactly_then_edits_arrive_as_modified_and_removed() {
    let (emulator, client) = start().await;
    let (token, item_id) = link_custom(&client, vec![Products::Transactions]).await;
    let (added, modified, removed, cursor) = sync(&client, &token, None).await;
    assert!(modified.is_empty() && removed.is_empty());
    let seen: Vec<_> = added
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                t.amount,
                t.date.to_string(),
                t.pending,
                t.account_id.ends_with("-acc-1"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "Coffee".to_string(),
                12.34,
                "2026-01-03".to_string(),
                false,
                false
            ),
            (
                "Hotel hold".to_string(),
                50.0,
                "2999-01-01".to_string(),
                true,
                false
            ),
            (
                "Refund".to_string(),
                -20.0,
                "2026-01-05".to_string(),
                false,
                true
            ),
        ]
    );
    assert_eq!(
        added[0].authorized_date.map(|d| d.to_string()).as_deref(),
        Some("2026-01-01")
    );
    let coffee = added[0].transaction_id.clone();
    let refund = added[2].transaction_id.clone();
    emulator
        .modify_transaction(&item_id, &coffee, 13.0)
        .unwrap();
    emulator.remove_transaction(&item_id, &refund).unwrap();
    let (added, modified, removed, _) = sync(&client, &token, Some(cursor)).await;
    assert!(added.is_empty());
    assert_eq!(
        modified
            .iter()
            .map(|t| (t.transaction_id.clone(), t.amount))
            .collect::<Vec<_>>(),
        [(coffee, 13.0)]
    );
    assert_eq!(removed, [refund]);
}

#[tokio::test]
async fn a_custom_users_identity_and_numbers_are_served() {
    let (_emulator, client) = start().await;
    let (token, _) = link_custom(&client, vec![Products::Auth, Products::Identity]).await;
    let identity = client
        .send(&types::IdentityGetRequest::new(token.clone()))
        .await
        .unwrap();
    let owner = serde_json::to_value(&identity.accounts[0].owners[0]).unwrap();
    assert_eq!(owner["names"], json!(["Ada Custom"]));
    assert_eq!(owner["emails"][0]["data"], "ada@example.com");
    let auth = client
        .send(&types::AuthGetRequest::new(token))
        .await
        .unwrap();
    let ach = serde_json::to_value(&auth.numbers.ach).unwrap();
    assert_eq!(
        (ach[0]["account"].as_str(), ach[0]["routing"].as_str()),
        (Some("99887766554321"), Some("011000015"))
    );
}

#[tokio::test]
async fn an_invalid_custom_configuration_is_refused_naming_the_fault() {
    let (_emulator, client) = start().await;
    let bad = r#"{"override_accounts": [{"meta": {"mask": "too-long"}}]}"#;
    let error = link_as(
        &client,
        "ins_109508",
        vec![Products::Transactions],
        ("user_custom", bad),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidField),
        "{error}"
    );
    assert!(
        error.api().unwrap().error_message.contains("mask"),
        "{error}"
    );
    let forced = r#"{"force_error": "ITEM_LOCKED"}"#;
    let error = link_as(
        &client,
        "ins_109508",
        vec![Products::Transactions],
        ("user_custom", forced),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::ItemLocked), "{error}");
}

/// Each `/transactions/refresh` posts what the previous one added pending and adds new
/// pending transactions, announced by `SYNC_UPDATES_AVAILABLE`.
#[tokio::test]
async fn user_transactions_dynamic_moves_on_each_refresh_with_its_webhook() {
    let (_emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let creds = ("user_transactions_dynamic", "any");
    let (token, _) = link_as(
        &client,
        "ins_109508",
        vec![Products::Transactions],
        creds,
        Some(&url),
    )
    .await
    .unwrap();
    let (_, _, _, cursor) = sync(&client, &token, None).await;
    let refresh = types::TransactionsRefreshRequest::new(token.clone());
    client.send(&refresh).await.unwrap();
    let event = next_verified(&client, &mut received).await;
    assert!(
        matches!(event, WebhookEvent::SyncUpdatesAvailable(_)),
        "{event:?}"
    );
    let (added, _, removed, cursor) = sync(&client, &token, Some(cursor)).await;
    assert!(removed.is_empty());
    assert_eq!(
        added.iter().filter(|t| t.pending).count(),
        2,
        "two new pending"
    );
    let pending: Vec<String> = added.iter().map(|t| t.transaction_id.clone()).collect();
    client.send(&refresh).await.unwrap();
    next_verified(&client, &mut received).await;
    let (added, _, removed, _) = sync(&client, &token, Some(cursor)).await;
    assert_eq!(removed, pending, "the pending ones post: removed...");
    let posted: BTreeMap<_, _> = added
        .iter()
        .filter_map(|t| t.pending_transaction_id.clone().map(|p| (p, t.pending)))
        .collect();
    assert_eq!(
        posted.keys().cloned().collect::<Vec<_>>(),
        pending,
        "...and added, naming them"
    );
    assert!(posted.values().all(|pending| !pending));
    assert_eq!(
        added.iter().filter(|t| t.pending).count(),
        2,
        "and two new pending"
    );
}

/// Houndstooth Bank, `pass_good`: Instant Match's documented accounts and numbers.
#[tokio::test]
async fn houndstooth_instant_match_has_the_documented_numbers() {
    let (_emulator, client) = start().await;
    let (token, _) = link_as(
        &client,
        "ins_109512",
        vec![Products::Auth],
        ("user_good", "pass_good"),
        None,
    )
    .await
    .unwrap();
    let auth = client
        .send(&types::AuthGetRequest::new(token))
        .await
        .unwrap();
    let ach = serde_json::to_value(&auth.numbers.ach).unwrap();
    let numbers: Vec<_> = ach
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["account"].clone(), n["routing"].clone()))
        .collect();
    assert_eq!(
        numbers,
        [
            (json!("1111222233330000"), json!("021000021")),
            (json!("1111222233331111"), json!("021000021"))
        ]
    );
}

/// A Houndstooth Bank Item linked with `microdeposits_good`, webhooks to `url`: its access
/// token and its accounts.
async fn micro_deposit_item(
    client: &PlaidClient,
    url: &str,
) -> (String, types::AccountsGetResponse) {
    let creds = ("user_good", "microdeposits_good");
    let products = vec![Products::Auth];
    let (token, _) = link_as(client, "ins_109512", products, creds, Some(url))
        .await
        .unwrap();
    let request = types::AccountsGetRequest::new(token.clone());
    (token, client.send(&request).await.unwrap().into_inner())
}

/// Houndstooth Bank, `microdeposits_good`: `/auth/get` is `PRODUCT_NOT_READY` until
/// `/sandbox/item/set_verification_status` verifies the account, which fires
/// `AUTOMATICALLY_VERIFIED`; then the documented numbers.
#[tokio::test]
async fn automated_micro_deposits_verify_through_set_verification_status() {
    let (_emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let (token, accounts) = micro_deposit_item(&client, &url).await;
    let account = serde_json::to_value(&accounts.accounts[0]).unwrap();
    assert_eq!(accounts.accounts.len(), 1);
    assert_eq!(
        account["verification_status"],
        "pending_automatic_verification"
    );
    let not_ready = client
        .send(&types::AuthGetRequest::new(token.clone()))
        .await
        .unwrap_err();
    assert_eq!(
        not_ready.error_code(),
        Some(&ErrorCode::ProductNotReady),
        "{not_ready}"
    );
    let account_id = account["account_id"].as_str().unwrap().to_string();
    let verify = types::SandboxItemSetVerificationStatusRequest::new(
        token.clone(),
        account_id.clone(),
        types::SandboxItemSetVerificationStatusRequestVerificationStatus::AutomaticallyVerified,
    );
    client.send(&verify).await.unwrap();
    let event = next_verified(&client, &mut received).await;
    assert!(
        matches!(&event, WebhookEvent::AutomaticallyVerified(w) if w.account_id == account_id),
        "{event:?}"
    );
    let auth = client
        .send(&types::AuthGetRequest::new(token.clone()))
        .await
        .unwrap();
    let ach = serde_json::to_value(&auth.numbers.ach).unwrap();
    assert_eq!(ach[0]["account"], "1111222233330000");
    // Verified, the account awaits nothing: setting it again is refused.
    let again = client.send(&verify).await.unwrap_err();
    assert_eq!(
        again.error_code(),
        Some(&ErrorCode::InvalidField),
        "{again}"
    );
}

#[tokio::test]
async fn expired_micro_deposits_fire_verification_expired_and_give_no_numbers() {
    let (_emulator, client) = start().await;
    let (url, mut received) = receiver().await;
    let (token, accounts) = micro_deposit_item(&client, &url).await;
    let expire = types::SandboxItemSetVerificationStatusRequest::new(
        token.clone(),
        accounts.accounts[0].account_id.clone(),
        types::SandboxItemSetVerificationStatusRequestVerificationStatus::VerificationExpired,
    );
    client.send(&expire).await.unwrap();
    let event = next_verified(&client, &mut received).await;
    assert!(
        matches!(
            event,
            WebhookEvent::VerificationExpired(_)
                | WebhookEvent::FallbackAuthMicrodepositVerificationExpired(_)
        ),
        "{event:?}"
    );
    let auth = client
        .send(&types::AuthGetRequest::new(token.clone()))
        .await
        .unwrap();
    assert!(auth.numbers.ach.is_empty());
    let unknown = types::SandboxItemSetVerificationStatusRequest::new(
        token,
        "no-such-account".to_string(),
        types::SandboxItemSetVerificationStatusRequestVerificationStatus::AutomaticallyVerified,
    );
    let error = client.send(&unknown).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidAccountId),
        "{error}"
    );
}

/// `inflow_model` `monthly-income`: the income on its payday of each of the last three months
/// up to today on the emulator's clock (a manual one here, 2026-03-15), as money in.
#[tokio::test]
async fn a_custom_users_monthly_income_arrives_on_its_paydays() {
    let march_15 = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_773_532_800);
    let config = plaid_emulator::EmulatorConfig {
        clock: plaid_emulator::Clock::Manual(march_15),
        ..plaid_emulator::EmulatorConfig::default()
    };
    let (_emulator, client) = support::start_with(config).await;
    let income = json!({"override_accounts": [{"type": "depository", "subtype": "checking",
        "inflow_model": {"type": "monthly-income", "income_amount": 2500,
            "payment_day_of_month": 1, "transaction_name": "Payroll"}}]})
    .to_string();
    let credentials = ("user_custom", income.as_str());
    let products = vec![Products::Transactions];
    let (token, _) = link_as(&client, "ins_109508", products, credentials, None)
        .await
        .unwrap();
    let (added, _, _, _) = sync(&client, &token, None).await;
    let paid: Vec<_> = added
        .iter()
        .map(|t| (t.date.to_string(), t.amount, t.name.clone()))
        .collect();
    let payroll = |date: &str| (date.to_string(), -2500.0, "Payroll".to_string());
    assert_eq!(
        paid,
        [
            payroll("2026-01-01"),
            payroll("2026-02-01"),
            payroll("2026-03-01")
        ]
    );
}
