//! `/auth/get` and `/identity/get` (docs: api-products-auth, api-products-identity): the Item's
//! own accounts, ids as `/accounts/get` answers them, with numbers and owners from the seed.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use plaid_client_ext::types::{self, Products};
use support::{link_with, start};

#[tokio::test]
async fn auth_and_identity_answer_the_items_own_accounts() {
    let (_emulator, client) = start().await;
    let (token, item_id) = link_with(&client, vec![Products::Auth, Products::Identity], None).await;
    let accounts = client
        .send(&types::AccountsGetRequest::new(token.as_str()))
        .await
        .unwrap();
    let ids: BTreeSet<String> = accounts
        .accounts
        .iter()
        .map(|a| a.account_id.clone())
        .collect();
    assert_eq!(ids.len(), 2);

    let auth = client
        .send(&types::AuthGetRequest::new(token.as_str()))
        .await
        .unwrap();
    assert_eq!(auth.item.item_id, item_id);
    let auth_ids: BTreeSet<String> = auth.accounts.iter().map(|a| a.account_id.clone()).collect();
    assert_eq!(auth_ids, ids);
    let ach_ids: BTreeSet<String> = auth
        .numbers
        .ach
        .iter()
        .map(|n| n.account_id.clone())
        .collect();
    assert_eq!(ach_ids, ids, "one ACH number per account");
    let numbers: BTreeSet<String> = auth.numbers.ach.iter().map(|n| n.account.clone()).collect();
    assert_eq!(numbers.len(), 2, "each account its own number: {numbers:?}");
    assert!(numbers
        .iter()
        .all(|n| n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit())));

    let identity = client
        .send(&types::IdentityGetRequest::new(token.as_str()))
        .await
        .unwrap();
    let identity_ids: BTreeSet<String> = identity
        .accounts
        .iter()
        .map(|a| a.account_id.clone())
        .collect();
    assert_eq!(identity_ids, ids);
    for account in &identity.accounts {
        assert_eq!(account.owners.len(), 1);
        assert_eq!(account.owners[0].names.len(), 1);
    }

    // The same seed, the same numbers: a second emulator links the same first Item.
    let (_again, other) = start().await;
    let (token, _) = link_with(&other, vec![Products::Auth], None).await;
    let repeat = other
        .send(&types::AuthGetRequest::new(token.as_str()))
        .await
        .unwrap();
    let repeated: BTreeSet<String> = repeat
        .numbers
        .ach
        .iter()
        .map(|n| n.account.clone())
        .collect();
    assert_eq!(repeated, numbers);
}
