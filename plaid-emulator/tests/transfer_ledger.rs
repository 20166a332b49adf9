//! The Plaid Ledger (the spec's `/transfer/ledger/*` and `/sandbox/transfer/ledger/*`): a
//! deposit is pending until `simulate_available`, a withdrawal comes out of the available
//! balance, sweeps move only as the spec's simulation transitions allow, and a failed or
//! returned sweep gives its money back.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client_ext::types::{self, TransferLedgerSweepSimulateEventType as Event};
use plaid_client_ext::{ErrorCode, PlaidClient};
use support::start;

/// (available, pending) of the default ledger.
async fn balance(client: &PlaidClient) -> (String, String) {
    let got = client
        .send(&types::TransferLedgerGetRequest::new())
        .await
        .unwrap();
    (got.balance.available.clone(), got.balance.pending.clone())
}

async fn deposit(client: &PlaidClient, amount: &str) -> String {
    let deposit = types::TransferLedgerDepositRequest::new(amount, types::TransferAchNetwork::Ach);
    client.send(&deposit).await.unwrap().sweep.id.to_string()
}

async fn withdraw(client: &PlaidClient, amount: &str) -> Result<String, plaid_client_ext::Error> {
    let withdraw = types::TransferLedgerWithdrawRequest::new(amount, types::TransferNetwork::Ach);
    Ok(client.send(&withdraw).await?.sweep.id.to_string())
}

async fn deposit_event(
    client: &PlaidClient,
    sweep: &str,
    event: Event,
) -> Result<(), plaid_client_ext::Error> {
    let simulate = types::SandboxTransferLedgerDepositSimulateRequest::new(event, sweep);
    client.send(&simulate).await.map(drop)
}

async fn make_available(client: &PlaidClient) {
    let simulate = types::SandboxTransferLedgerSimulateAvailableRequest::new();
    client.send(&simulate).await.unwrap();
}

fn pair(available: &str, pending: &str) -> (String, String) {
    (available.to_string(), pending.to_string())
}

#[tokio::test]
async fn a_deposit_is_pending_until_simulate_available_makes_it_available() {
    let (_emulator, client) = start().await;
    assert_eq!(balance(&client).await, pair("0.00", "0.00"));
    let sweep = deposit(&client, "25.00").await;
    assert_eq!(balance(&client).await, pair("0.00", "25.00"));
    deposit_event(&client, &sweep, Event::SweepPosted)
        .await
        .unwrap();
    deposit_event(&client, &sweep, Event::SweepSettled)
        .await
        .unwrap();
    make_available(&client).await;
    assert_eq!(balance(&client).await, pair("25.00", "0.00"));
}

#[tokio::test]
async fn a_failed_deposit_leaves_the_pending_balance_and_transitions_are_checked() {
    let (_emulator, client) = start().await;
    let sweep = deposit(&client, "10.00").await;
    let early = deposit_event(&client, &sweep, Event::SweepSettled)
        .await
        .unwrap_err();
    assert_eq!(
        early.error_code(),
        Some(&ErrorCode::SandboxTransferEventTransitionInvalid),
        "{early}"
    );
    deposit_event(&client, &sweep, Event::SweepFailed)
        .await
        .unwrap();
    assert_eq!(balance(&client).await, pair("0.00", "0.00"));
    let unknown = deposit_event(&client, "no-such-sweep", Event::SweepPosted)
        .await
        .unwrap_err();
    assert_eq!(unknown.error_code(), Some(&ErrorCode::InvalidField));
}

#[tokio::test]
async fn a_withdrawal_comes_out_of_the_available_balance_and_a_returned_one_comes_back() {
    let (_emulator, client) = start().await;
    let refused = withdraw(&client, "1.00").await.unwrap_err();
    assert_eq!(
        refused.error_code(),
        Some(&ErrorCode::InvalidField),
        "nothing available"
    );
    deposit(&client, "30.00").await;
    make_available(&client).await;
    let sweep = withdraw(&client, "12.50").await.unwrap();
    assert_eq!(balance(&client).await, pair("17.50", "0.00"));
    let simulate =
        |event| types::SandboxTransferLedgerWithdrawSimulateRequest::new(event, sweep.as_str());
    client.send(&simulate(Event::SweepPosted)).await.unwrap();
    client.send(&simulate(Event::SweepReturned)).await.unwrap();
    assert_eq!(balance(&client).await, pair("30.00", "0.00"));
}
