//! The emulator's flows as a user sees them: through `plaid-client-ext`, over loopback HTTP,
//! checked against Plaid's documented behaviour (docs: api-sandbox, api-items,
//! api-products-transactions, errors-invalid-input, errors-invalid-request, errors-item).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;

use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::types::{self, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use serde_json::{json, Value};
use support::start;

/// Link an Item in Sandbox: a public token, exchanged for an access token.
async fn link(client: &PlaidClient) -> (String, String) {
    let create =
        types::SandboxPublicTokenCreateRequest::new(vec![Products::Transactions], "ins_109508");
    let public = client.send(&create).await.unwrap();
    let exchange = types::ItemPublicTokenExchangeRequest::new(public.public_token.clone());
    let exchanged = client.send(&exchange).await.unwrap();
    (
        exchanged.access_token.expose().to_string(),
        exchanged.item_id.clone(),
    )
}

#[tokio::test]
async fn a_public_token_is_exchanged_once() {
    let (_emulator, client) = start().await;
    let create = types::SandboxPublicTokenCreateRequest::new(vec![Products::Auth], "ins_109508");
    let public = client.send(&create).await.unwrap();
    let exchange = types::ItemPublicTokenExchangeRequest::new(public.public_token.clone());
    let first = client.send(&exchange).await.unwrap();
    assert!(first.access_token.expose().starts_with("access-sandbox-"));
    let again = client.send(&exchange).await.unwrap_err();
    assert_eq!(
        again.error_code(),
        Some(&ErrorCode::InvalidPublicToken),
        "{again}"
    );
}

#[tokio::test]
async fn an_item_answers_until_it_is_removed() {
    let (_emulator, client) = start().await;
    let (token, item_id) = link(&client).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(token.clone()))
        .await
        .unwrap();
    assert_eq!(accounts.accounts.len(), 2);
    assert_eq!(accounts.item.item_id, item_id);
    assert!(accounts.accounts[0].account_id.starts_with(&item_id));
    let item = client
        .send(&types::ItemGetRequest::new(token.clone()))
        .await
        .unwrap();
    assert_eq!(item.item.institution_id.as_deref(), Some("ins_109508"));
    client
        .send(&types::ItemRemoveRequest::new(token.clone()))
        .await
        .unwrap();
    let gone = client
        .send(&types::AccountsGetRequest::new(token))
        .await
        .unwrap_err();
    assert_eq!(gone.error_code(), Some(&ErrorCode::ItemNotFound), "{gone}");
}

#[tokio::test]
async fn a_full_sync_applies_to_the_net_history() {
    let (_emulator, client) = start().await;
    let (token, _) = link(&client).await;
    let request = types::TransactionsSyncRequest::new(token.clone()).count(7);
    let SyncOutcome::Complete(batch) = client.sync(request).run().await.unwrap() else {
        panic!("the emulator's history is ready at once");
    };
    assert!(batch.pages > 1, "count 7 pages the history");
    let mut ledger: BTreeMap<String, types::Transaction> = BTreeMap::new();
    for t in batch.data.added.iter().chain(&batch.data.modified) {
        ledger.insert(t.transaction_id.clone(), t.clone());
    }
    for r in &batch.data.removed {
        ledger.remove(&r.transaction_id);
    }
    assert_eq!(ledger.len(), 44, "40 posted and 4 that posted from pending");
    assert!(ledger.values().all(|t| !t.pending));
    let posted_from_pending = ledger
        .values()
        .filter(|t| t.pending_transaction_id.is_some())
        .count();
    assert_eq!(posted_from_pending, 4);
    // From the stored cursor: nothing new, and no more.
    let next = types::TransactionsSyncRequest::new(token).cursor(batch.cursor.clone());
    let page = client.send(&next).await.unwrap();
    assert!(page.added.is_empty() && !page.has_more);
    assert_eq!(page.next_cursor, batch.cursor);
}

#[tokio::test]
async fn another_items_cursor_is_refused() {
    let (_emulator, client) = start().await;
    let (first, _) = link(&client).await;
    let (second, _) = link(&client).await;
    let page = client
        .send(&types::TransactionsSyncRequest::new(first).count(5))
        .await
        .unwrap();
    let foreign = types::TransactionsSyncRequest::new(second).cursor(page.next_cursor.clone());
    let refused = client.send(&foreign).await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::InvalidField),
        "{refused}"
    );
}

#[tokio::test]
async fn operations_not_emulated_answer_the_specs_example() {
    let (_emulator, client) = start().await;
    let request =
        types::InstitutionsGetByIdRequest::new(vec![types::CountryCode::Us], "ins_109508");
    let answer = client.send(&request).await.unwrap();
    assert!(!answer.institution.name.is_empty());
}

/// A raw request: its headers and body, and the status and `error_code` it must get.
type Case<'a> = (&'a [(&'a str, &'a str)], String, u16, &'a str);

/// What a raw POST gets: status and body.
async fn raw(url: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(url).body(body.to_string());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn bad_requests_get_plaid_errors_and_the_emulator_keeps_serving() {
    let (emulator, client) = start().await;
    let url = format!("{}/accounts/get", emulator.base_url());
    let keys = [
        ("plaid-client-id", "emulator-client-id"),
        ("plaid-secret", "emulator-secret"),
    ];
    let wrong = [
        ("plaid-client-id", "emulator-client-id"),
        ("plaid-secret", "nope"),
    ];
    let cases: Vec<Case<'_>> = vec![
        (
            &[],
            json!({"access_token": "x"}).to_string(),
            400,
            "MISSING_FIELDS",
        ),
        (
            &wrong,
            json!({"access_token": "x"}).to_string(),
            400,
            "INVALID_API_KEYS",
        ),
        (&keys, "{not json".to_string(), 400, "INVALID_BODY"),
        (&keys, "[1, 2]".to_string(), 400, "INVALID_BODY"),
        (&keys, "x".repeat(2 * 1024 * 1024), 400, "INVALID_BODY"),
        (
            &keys,
            json!({"access_token": "access-sandbox-unknown"}).to_string(),
            400,
            "INVALID_ACCESS_TOKEN",
        ),
        (
            &keys,
            json!({"access_token": 7}).to_string(),
            400,
            "INVALID_FIELD",
        ),
    ];
    for (headers, body, status, code) in cases {
        let (got, error) = raw(&url, headers, &body).await;
        assert_eq!(
            (got, error["error_code"].as_str()),
            (status, Some(code)),
            "{error}"
        );
        assert!(error["request_id"].is_string());
    }
    let body = json!({"client_id": "emulator-client-id", "secret": "emulator-secret"});
    let (status, error) = raw(
        &format!("{}/no/such/path", emulator.base_url()),
        &[],
        &body.to_string(),
    )
    .await;
    assert_eq!(
        (status, error["error_code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    // Credentials in the body are accepted too, and the emulator still serves.
    let (token, _) = link(&client).await;
    let body = json!({"client_id": "emulator-client-id", "secret": "emulator-secret", "access_token": token});
    let (status, accounts) = raw(&url, &[], &body.to_string()).await;
    assert_eq!(status, 200, "{accounts}");
    assert_eq!(accounts["accounts"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data() {
    let (_a, first) = start().await;
    let (_b, second) = start().await;
    let (token_a, item_a) = link(&first).await;
    let (token_b, item_b) = link(&second).await;
    assert_eq!((token_a.clone(), item_a), (token_b.clone(), item_b));
    let page_a = first
        .send(&types::TransactionsSyncRequest::new(token_a))
        .await
        .unwrap();
    let page_b = second
        .send(&types::TransactionsSyncRequest::new(token_b))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&page_a.added).unwrap(),
        serde_json::to_value(&page_b.added).unwrap()
    );
}
