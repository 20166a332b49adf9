//! Users, their Sandbox operations and OAuth account selection, through `plaid-client-ext`
//! (docs: `api-products-income.txt` `/user/create`, the spec's `/sandbox/user/reset_login`,
//! `/sandbox/cra/cashflow_updates/update`, `/sandbox/oauth/select_accounts`, `link-oauth.txt`,
//! `errors-invalid-input.txt`, `errors-oauth.txt`): Items made with a user's token join it, the
//! user's reset puts them in `ITEM_LOGIN_REQUIRED`, Cash Flow Updates fire the requested
//! webhooks, and an OAuth hand-off's selected accounts are the new Item's accounts.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, CountryCode, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use plaid_emulator::{Emulator, LinkError};
use serde_json::{json, Value};
use support::{control, link_with, next_verified_json, nothing_more, receiver, start, Received};

/// A new user for `client_user_id`: its (`user_id`, `user_token`).
async fn user(client: &PlaidClient, client_user_id: &str) -> (String, types::UserToken) {
    let created = client
        .send(&types::UserCreateRequest::new(client_user_id))
        .await
        .unwrap();
    (
        created.user_id.0.clone(),
        created.user_token.clone().unwrap(),
    )
}

/// A link token for `user_token`'s user, with `webhook`.
async fn link_token(client: &PlaidClient, user: &types::UserToken, webhook: &str) -> String {
    let request = types::LinkTokenCreateRequest::new("users tests", vec![CountryCode::Us], "en")
        .products(vec![Products::Transactions])
        .user(types::LinkTokenCreateRequestUser::new("client-user"))
        .user_token(user.expose().to_string())
        .webhook(webhook.to_string());
    client.send(&request).await.unwrap().link_token.clone()
}

/// Link completed with `link_token`, the public token exchanged: (access token, item id).
async fn linked(emulator: &Emulator, client: &PlaidClient, link_token: &str) -> (String, String) {
    let public = emulator.complete_link(link_token).unwrap();
    exchange(client, public).await
}

async fn exchange(client: &PlaidClient, public_token: String) -> (String, String) {
    let exchange = types::ItemPublicTokenExchangeRequest::new(public_token);
    let exchanged = client.send(&exchange).await.unwrap();
    (
        exchanged.access_token.expose().to_string(),
        exchanged.item_id.clone(),
    )
}

/// The error code `/accounts/get` answers for `access_token`, `None` if it answers.
async fn accounts_error(client: &PlaidClient, access_token: &str) -> Option<String> {
    let request = types::AccountsGetRequest::new(access_token);
    match client.send(&request).await {
        Ok(_) => None,
        Err(e) => e.error_code().map(|c| c.as_str().to_string()),
    }
}

/// The next webhook's body, its signature verified.
async fn next_body(client: &PlaidClient, received: &mut Received) -> Value {
    next_verified_json(client, received).await.1
}

/// An emulator, a client, a webhook receiver and one user: what most tests here start from.
struct Scene {
    emulator: Emulator,
    client: PlaidClient,
    url: String,
    received: Received,
    user_id: String,
    token: types::UserToken,
}

async fn scene() -> Scene {
    let (emulator, client) = start().await;
    let (url, received) = receiver().await;
    let (user_id, token) = user(&client, "client-1").await;
    Scene {
        emulator,
        client,
        url,
        received,
        user_id,
        token,
    }
}

impl Scene {
    /// An Item linked for the user, its webhooks to the receiver: (access token, item id).
    async fn link(&self) -> (String, String) {
        let link = link_token(&self.client, &self.token, &self.url).await;
        linked(&self.emulator, &self.client, &link).await
    }

    /// Whether no more webhooks arrive.
    async fn nothing_more(&mut self) -> bool {
        nothing_more(&self.emulator, &mut self.received).await
    }
}

#[tokio::test]
async fn user_create_answers_the_same_user_for_a_repeated_client_user_id() {
    let (_emulator, client) = start().await;
    let (first_id, first_token) = user(&client, "client-1").await;
    let (again_id, again_token) = user(&client, "client-1").await;
    let (other_id, _) = user(&client, "client-2").await;
    assert_eq!(
        (again_id.as_str(), again_token.expose()),
        (first_id.as_str(), first_token.expose())
    );
    assert_ne!(other_id, first_id);
    assert!(first_token.expose().starts_with("user-sandbox-"));
    let get = types::UserGetRequest::new(types::NewUserId(first_id.clone()));
    assert_eq!(
        client.send(&get).await.unwrap().client_user_id.as_deref(),
        Some("client-1")
    );
}

#[tokio::test]
async fn user_reset_login_resets_every_item_of_the_user_with_a_webhook_each() {
    let mut scene = scene().await;
    let (first, first_id) = scene.link().await;
    let (second, second_id) = scene.link().await;
    let hook = Some(scene.url.clone());
    let (other, _) = link_with(&scene.client, vec![Products::Transactions], hook).await;

    let reset = types::SandboxUserResetLoginRequest::new().user_token(scene.token.clone());
    scene.client.send(&reset).await.unwrap();
    let login_required = Some("ITEM_LOGIN_REQUIRED".to_string());
    assert_eq!(accounts_error(&scene.client, &first).await, login_required);
    assert_eq!(accounts_error(&scene.client, &second).await, login_required);
    let untouched = accounts_error(&scene.client, &other).await;
    assert_eq!(untouched, None, "not the user's");
    let mut items = Vec::new();
    for _ in 0..2 {
        let body = next_body(&scene.client, &mut scene.received).await;
        assert_eq!(body["error"]["error_code"], json!("ITEM_LOGIN_REQUIRED"));
        items.push(body["item_id"].as_str().unwrap().to_string());
    }
    items.sort();
    let mut expected = vec![first_id, second_id];
    expected.sort();
    assert_eq!(items, expected);
    assert!(scene.nothing_more().await, "one webhook per Item");
}

#[tokio::test]
async fn user_reset_login_resets_only_the_listed_items() {
    let mut scene = scene().await;
    let (first, first_id) = scene.link().await;
    let (second, _) = scene.link().await;

    let reset = types::SandboxUserResetLoginRequest::new()
        .user_id(types::NewUserId(scene.user_id.clone()))
        .item_ids(vec![types::ItemId(first_id.clone())]);
    scene.client.send(&reset).await.unwrap();
    let first_error = accounts_error(&scene.client, &first).await;
    assert_eq!(first_error.as_deref(), Some("ITEM_LOGIN_REQUIRED"));
    assert_eq!(accounts_error(&scene.client, &second).await, None);
    let body = next_body(&scene.client, &mut scene.received).await;
    assert_eq!(body["item_id"], json!(first_id));
    assert!(scene.nothing_more().await);
}

#[tokio::test]
async fn user_reset_login_refuses_an_item_of_another_user() {
    let scene = scene().await;
    let (_, other_token) = user(&scene.client, "client-2").await;
    let link = link_token(&scene.client, &other_token, &scene.url).await;
    let (others, others_id) = linked(&scene.emulator, &scene.client, &link).await;
    let reset = types::SandboxUserResetLoginRequest::new()
        .user_token(scene.token.clone())
        .item_ids(vec![types::ItemId(others_id)]);
    let error = scene.client.send(&reset).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidField),
        "{error}"
    );
    let untouched = accounts_error(&scene.client, &others).await;
    assert_eq!(untouched, None, "nothing reset");
}

#[tokio::test]
async fn user_sandbox_operations_refuse_an_unknown_user_token() {
    let (_emulator, client) = start().await;
    let token = types::UserToken::from("user-sandbox-nobody");
    let reset = types::SandboxUserResetLoginRequest::new().user_token(token.clone());
    let error = client.send(&reset).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidUserToken),
        "{error}"
    );
    let update = types::SandboxCraCashflowUpdatesUpdateRequest::new().user_token(token);
    let error = client.send(&update).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidUserToken),
        "{error}"
    );
}

#[tokio::test]
async fn a_link_token_for_an_unknown_user_is_refused() {
    let (_emulator, client) = start().await;
    let token = types::UserToken::from("user-sandbox-nobody");
    let request = types::LinkTokenCreateRequest::new("users tests", vec![CountryCode::Us], "en")
        .products(vec![Products::Transactions])
        .user(types::LinkTokenCreateRequestUser::new("client-user"))
        .user_token(token.expose().to_string());
    let error = client.send(&request).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidUserToken),
        "{error}"
    );
    let update = types::UserUpdateRequest::new().user_token(token);
    let error = client.send(&update).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidUserToken),
        "{error}"
    );
}

#[tokio::test]
async fn an_unknown_user_id_is_user_not_found() {
    let (_emulator, client) = start().await;
    let nobody = types::NewUserId("usr_nobody".into());
    let reset = types::SandboxUserResetLoginRequest::new().user_id(nobody);
    let error = client.send(&reset).await.unwrap_err();
    let api = error.api().unwrap();
    let (status, code) = (api.status, api.error_code.as_str());
    assert_eq!((status, code), (400, "USER_NOT_FOUND"), "{error}");
}

#[tokio::test]
async fn items_made_with_a_users_token_are_the_users_items_until_it_is_removed() {
    let scene = scene().await;
    let client = &scene.client;
    let (_, linked_id) = scene.link().await;
    let sandbox =
        types::SandboxPublicTokenCreateRequest::new(vec![Products::Transactions], "ins_109508")
            .user_token(scene.token.clone());
    let public = client.send(&sandbox).await.unwrap().public_token.clone();
    let (sandbox_access, sandbox_id) = exchange(client, public).await;
    link_with(client, vec![Products::Transactions], None).await;

    let user_ref = types::NewUserId(scene.user_id.clone());
    let get = types::UserItemsGetRequest::new().user_id(user_ref);
    let items = client.send(&get).await.unwrap();
    let ids: Vec<_> = items.items.iter().map(|i| i.item_id.as_str()).collect();
    assert_eq!(ids, [linked_id.as_str(), sandbox_id.as_str()]);

    let remove = types::UserRemoveRequest::new().user_token(scene.token.clone());
    client.send(&remove).await.unwrap();
    let gone = accounts_error(client, &sandbox_access).await;
    assert_eq!(
        gone.as_deref(),
        Some("ITEM_NOT_FOUND"),
        "the user's Items go with it"
    );
    let reset = types::SandboxUserResetLoginRequest::new().user_token(scene.token.clone());
    let error = client.send(&reset).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidUserToken),
        "{error}"
    );
}

#[tokio::test]
async fn cashflow_updates_update_fires_the_requested_codes_to_the_subscribed_webhook() {
    let mut scene = scene().await;
    let subscribe = types::CraMonitoringInsightsSubscribeRequest::new(scene.url.clone())
        .user_token(scene.token.clone());
    scene.client.send(&subscribe).await.unwrap();
    let codes = vec![
        types::CashFlowUpdatesEventWebhookCodes::LowBalanceDetected,
        types::CashFlowUpdatesEventWebhookCodes::NsfOverdraftDetected,
    ];
    let update = types::SandboxCraCashflowUpdatesUpdateRequest::new()
        .user_token(scene.token.clone())
        .webhook_codes(codes);
    scene.client.send(&update).await.unwrap();
    for code in ["LOW_BALANCE_DETECTED", "NSF_OVERDRAFT_DETECTED"] {
        let body = next_body(&scene.client, &mut scene.received).await;
        assert_eq!(
            (
                &body["webhook_type"],
                &body["webhook_code"],
                &body["user_id"]
            ),
            (
                &json!("CASH_FLOW_UPDATES"),
                &json!(code),
                &json!(scene.user_id)
            )
        );
    }
    assert!(scene.nothing_more().await, "only the requested codes");
}

#[tokio::test]
async fn cashflow_updates_update_without_codes_fires_every_code_to_the_users_item_webhook() {
    let mut scene = scene().await;
    let none = types::SandboxCraCashflowUpdatesUpdateRequest::new().user_token(scene.token.clone());
    let error = scene.client.send(&none).await.unwrap_err();
    let code = error.error_code();
    assert_eq!(
        code,
        Some(&ErrorCode::SandboxWebhookInvalid),
        "no URL yet: {error}"
    );
    scene.link().await;
    let user_id = types::NewUserId(scene.user_id.clone());
    let update = types::SandboxCraCashflowUpdatesUpdateRequest::new().user_id(user_id);
    scene.client.send(&update).await.unwrap();
    let mut codes = Vec::new();
    for _ in 0..4 {
        let body = next_body(&scene.client, &mut scene.received).await;
        codes.push(body["webhook_code"].as_str().unwrap().to_string());
    }
    let every = [
        "LARGE_DEPOSIT_DETECTED",
        "LOW_BALANCE_DETECTED",
        "NEW_LOAN_PAYMENT_DETECTED",
        "NSF_OVERDRAFT_DETECTED",
    ];
    assert_eq!(codes, every);
    assert!(scene.nothing_more().await);
}

/// A link token at no institution in particular, for the OAuth tests.
async fn oauth_link_token(client: &PlaidClient) -> String {
    let request = types::LinkTokenCreateRequest::new("oauth tests", vec![CountryCode::Us], "en")
        .products(vec![Products::Transactions])
        .user(types::LinkTokenCreateRequestUser::new("client-user"));
    client.send(&request).await.unwrap().link_token.clone()
}

#[tokio::test]
async fn oauth_select_accounts_then_link_makes_an_item_with_only_those_accounts() {
    let (emulator, client) = start().await;
    let link = oauth_link_token(&client).await;
    let state_id = emulator.link_oauth_redirect(&link, None).unwrap();
    let select = types::SandboxOauthSelectAccountsRequest::new(
        vec!["Plaid Checking".to_string()],
        state_id.clone(),
    );
    client.send(&select).await.unwrap();
    let public = emulator.complete_link_oauth(&link, &state_id).unwrap();
    let (access, _) = exchange(&client, public).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(access))
        .await
        .unwrap();
    let names: Vec<_> = accounts.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Plaid Checking"]);
    assert_eq!(accounts.item.institution_id.as_deref(), Some("ins_127287"));
}

#[tokio::test]
async fn an_oauth_state_id_is_refused_when_unknown_or_used_twice() {
    let (emulator, client) = start().await;
    let select = types::SandboxOauthSelectAccountsRequest::new(vec![], "no-such-state".to_string());
    let error = client.send(&select).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::OauthStateIdNotFound),
        "{error}"
    );
    assert_eq!(error.api().unwrap().status, 404);

    let link = oauth_link_token(&client).await;
    let unknown = emulator
        .complete_link_oauth(&link, "no-such-state")
        .unwrap_err();
    assert!(
        matches!(unknown, LinkError::OAuthStateNotFound),
        "{unknown:?}"
    );
    let state_id = emulator.link_oauth_redirect(&link, None).unwrap();
    emulator.complete_link_oauth(&link, &state_id).unwrap();
    let again = emulator.complete_link_oauth(&link, &state_id).unwrap_err();
    assert!(matches!(again, LinkError::OAuthStateProcessed), "{again:?}");
}

#[tokio::test]
async fn oauth_select_accounts_refuses_an_account_the_bank_does_not_have() {
    let (emulator, client) = start().await;
    let link = oauth_link_token(&client).await;
    let state_id = emulator.link_oauth_redirect(&link, None).unwrap();
    let select =
        types::SandboxOauthSelectAccountsRequest::new(vec!["Plaid Yacht".to_string()], state_id);
    let error = client.send(&select).await.unwrap_err();
    assert_eq!(
        error.error_code(),
        Some(&ErrorCode::InvalidAccountId),
        "{error}"
    );
}

#[tokio::test]
async fn an_oauth_hand_off_needs_an_oauth_institution() {
    let (emulator, client) = start().await;
    let link = oauth_link_token(&client).await;
    let error = emulator
        .link_oauth_redirect(&link, Some("ins_109508"))
        .unwrap_err();
    assert!(matches!(error, LinkError::NotOAuth), "{error:?}");
}

#[tokio::test]
async fn the_oauth_flow_runs_over_the_http_control_api() {
    let (emulator, client) = start().await;
    let link = oauth_link_token(&client).await;
    let (status, redirect) = control(
        &emulator,
        "POST",
        "/link/oauth",
        json!({"link_token": link}),
    )
    .await;
    assert_eq!(status, 200, "{redirect}");
    let state_id = redirect["oauth_state_id"].as_str().unwrap().to_string();
    let select =
        types::SandboxOauthSelectAccountsRequest::new(vec!["6666".to_string()], state_id.clone());
    client.send(&select).await.unwrap();
    let body = json!({"link_token": link, "oauth_state_id": state_id});
    let (status, done) = control(&emulator, "POST", "/link/oauth/complete", body.clone()).await;
    assert_eq!(status, 200, "{done}");
    let (access, _) = exchange(&client, done["public_token"].as_str().unwrap().to_string()).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(access))
        .await
        .unwrap();
    let masks: Vec<_> = accounts.accounts.iter().map(|a| a.mask.clone()).collect();
    assert_eq!(masks, [Some("6666".to_string())]);
    let (status, again) = control(&emulator, "POST", "/link/oauth/complete", body).await;
    assert_eq!(
        (status, &again["error_code"]),
        (208, &json!("OAUTH_STATE_ID_ALREADY_PROCESSED"))
    );
}
