//! Repayments of returned transfers (the spec's `/sandbox/transfer/repayment/simulate`: "a
//! repayment is created that includes all unreimbursed returns of guaranteed transfers. If there
//! are no such returns, an 400 error is returned"; `/transfer/repayment/list`,
//! `/transfer/repayment/return/list`), driven through plaid-client-ext.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use support::transfers::{first_account, transfer};
use support::{link_with, start};

/// A transfer of `amount`, posted then returned.
async fn returned(client: &PlaidClient, token: &str, account: &str, amount: &str) -> String {
    let id = transfer(client, token, account, amount).await;
    for event in ["posted", "returned"] {
        let simulate = types::SandboxTransferSimulateRequest::new(event, id.as_str());
        client.send(&simulate).await.unwrap();
    }
    id
}

async fn repayments(client: &PlaidClient) -> Vec<(String, String)> {
    let list = types::TransferRepaymentListRequest::new();
    let answer = client.send(&list).await.unwrap().data;
    answer
        .repayments
        .iter()
        .map(|r| (r.repayment_id.clone(), r.amount.clone()))
        .collect()
}

#[tokio::test]
async fn repayment_simulate_repays_every_unrepaid_return_once() {
    let (_emulator, client) = start().await;
    let (token, _) = link_with(&client, vec![Products::Transfer], None).await;
    let account = first_account(&client, &token).await;
    let a = returned(&client, &token, &account, "10.00").await;
    let b = returned(&client, &token, &account, "2.50").await;
    let _kept = transfer(&client, &token, &account, "7.00").await;

    let simulate = types::SandboxTransferRepaymentSimulateRequest::new();
    client.send(&simulate).await.unwrap();
    let listed = repayments(&client).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].1, "12.50");

    let returns = types::TransferRepaymentReturnListRequest::new(listed[0].0.as_str());
    let answer = client.send(&returns).await.unwrap().data;
    let repaid: Vec<(String, String)> = answer
        .repayment_returns
        .iter()
        .map(|r| (r.transfer_id.clone(), r.amount.clone()))
        .collect();
    assert_eq!(repaid, [(a, "10.00".to_string()), (b, "2.50".to_string())]);

    // Nothing left to repay: the spec's 400, and no second repayment.
    let again = client.send(&simulate).await.unwrap_err();
    assert_eq!(
        again.error_code(),
        Some(&ErrorCode::InvalidField),
        "{again}"
    );
    assert_eq!(repayments(&client).await.len(), 1);
}
