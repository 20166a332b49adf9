//! Transfers with Plaid's idempotency (docs: api-products-transfer): one authorization per
//! idempotency key, one transfer per authorization, also under concurrent retries.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use plaid_client_ext::types::{self, Products, TransferNetwork, TransferType};
use plaid_client_ext::PlaidClient;
use plaid_emulator::Emulator;

async fn linked() -> (Emulator, PlaidClient, String, String) {
    let (emulator, client) = support::start().await;
    let create =
        types::SandboxPublicTokenCreateRequest::new(vec![Products::Transfer], "ins_109508");
    let public = client.send(&create).await.unwrap();
    let item = client
        .send(&types::ItemPublicTokenExchangeRequest::new(
            public.public_token.clone(),
        ))
        .await
        .unwrap();
    let token = item.access_token.expose().to_string();
    let accounts = client
        .send(&types::AccountsGetRequest::new(token.clone()))
        .await
        .unwrap();
    let account = accounts.accounts[0].account_id.clone();
    (emulator, client, token, account)
}

fn authorization(token: &str, account: &str) -> types::TransferAuthorizationCreateRequest {
    types::TransferAuthorizationCreateRequest::new(
        token,
        account,
        "12.34",
        TransferNetwork::Ach,
        TransferType::Debit,
        types::TransferAuthorizationUserInRequest::new("Ada Lovelace"),
    )
}

#[tokio::test]
async fn one_key_one_authorization_one_transfer_even_concurrently() {
    let (_emulator, client, token, account) = linked().await;
    let request = authorization(&token, &account);
    let first = client.send(&request).await.unwrap();
    let again = client.send(&request).await.unwrap();
    assert_eq!(
        first.authorization.id, again.authorization.id,
        "the same key"
    );
    let other = client.send(&authorization(&token, &account)).await.unwrap();
    assert_ne!(
        first.authorization.id, other.authorization.id,
        "a fresh key"
    );

    let transfer = types::TransferCreateRequest::new(
        token.as_str(),
        account.as_str(),
        first.authorization.id.clone(),
        "payment",
    );
    let sends = (0..8).map(|_| {
        let (client, transfer) = (client.clone(), transfer.clone());
        tokio::spawn(async move { client.send(&transfer).await.unwrap().transfer.id.clone() })
    });
    let mut ids = BTreeSet::new();
    for send in sends {
        ids.insert(send.await.unwrap());
    }
    assert_eq!(
        ids.len(),
        1,
        "eight concurrent sends made one transfer: {ids:?}"
    );
    let id = ids.into_iter().next().unwrap();
    let got = client
        .send(&types::TransferGetRequest::new().transfer_id(id.clone()))
        .await
        .unwrap();
    assert_eq!(got.transfer.id, id);
    assert_eq!(got.transfer.amount.to_string(), "12.34");
}

#[tokio::test]
async fn an_account_of_another_item_is_refused() {
    let (_emulator, client, token, _) = linked().await;
    let refused = client
        .send(&authorization(&token, "not-an-account"))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("INVALID_FIELD"), "{refused}");
}
