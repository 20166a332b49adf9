//! What transfer tests share: an Item's account, an authorization of an amount, a transfer
//! made with it (docs: api-products-transfer).

use plaid_client_ext::types::{self, TransferNetwork, TransferType};
use plaid_client_ext::PlaidClient;

/// The id of the Item's first account.
pub async fn first_account(client: &PlaidClient, token: &str) -> String {
    let accounts = client.send(&types::AccountsGetRequest::new(token)).await;
    accounts.unwrap().accounts[0].account_id.clone()
}

/// A debit of `amount` from `account` over ACH, with a fresh idempotency key.
pub fn authorization(
    token: &str,
    account: &str,
    amount: &str,
) -> types::TransferAuthorizationCreateRequest {
    types::TransferAuthorizationCreateRequest::new(
        token,
        account,
        amount,
        TransferNetwork::Ach,
        TransferType::Debit,
        types::TransferAuthorizationUserInRequest::new("Ada Lovelace"),
    )
}

/// A transfer of `amount` from `account`, authorized then created: its id.
pub async fn transfer(client: &PlaidClient, token: &str, account: &str, amount: &str) -> String {
    let authorized = client.send(&authorization(token, account, amount)).await;
    let id = authorized.unwrap().authorization.id.clone();
    let create = types::TransferCreateRequest::new(token, account, id, "payment");
    client.send(&create).await.unwrap().transfer.id.to_string()
}
