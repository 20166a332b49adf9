//! Quickstart: a Sandbox Item, its accounts, and a transfer made safely.
//!
//! ```sh
//! cargo run -p plaid-client-ext --example quickstart
//! ```
//!
//! With no credentials in the environment it runs offline against an embedded mock that behaves
//! like Plaid Sandbox for these calls, including one injected HTTP 500 on `/transfer/create`.
//! With `PLAID_CLIENT_ID` and `PLAID_SECRET` set (and `PLAID_ENV` unset or `sandbox`) it runs
//! the same calls against Plaid Sandbox.
//!
//! The flow: `/sandbox/public_token/create` → `/item/public_token/exchange` → `/accounts/get`
//! → `/transfer/authorization/create` → `/transfer/create`, one function per step. Every request
//! is built with its type's `new` (the required fields) and setters (the optional ones). Both
//! transfer requests carry the idempotency key their `new` filled, so the failed
//! `/transfer/create` is retried with the same key and Plaid creates exactly one transfer.

mod sandbox_mock;

use std::process::ExitCode;
use std::time::Duration;

use plaid_client_ext::retry::Backoff;
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::{types, Environment, PlaidClient};

type AnyError = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> ExitCode {
    // Retries are logged as warnings by the `plaid.request` span: show them.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The quickstart, one named step per call.
async fn run() -> Result<(), AnyError> {
    let mock = start_mock_unless_online().await?;
    let client = client_for(mock.as_ref())?;
    let access_token = create_sandbox_item(&client).await?;
    let account_id = show_accounts(&client, &access_token).await?;
    sync_transactions(&client, &access_token).await?;
    let authorization_id = authorize_transfer(&client, &access_token, &account_id).await?;
    let key = create_transfer(&client, &access_token, &account_id, authorization_id).await?;
    if let Some(m) = &mock {
        check_one_transfer(m, &key)?;
    }
    Ok(())
}

/// The embedded Sandbox mock, unless Plaid credentials are in the environment.
async fn start_mock_unless_online() -> Result<Option<sandbox_mock::SandboxMock>, AnyError> {
    let online = std::env::var("PLAID_CLIENT_ID").is_ok() && std::env::var("PLAID_SECRET").is_ok();
    Ok(if online {
        None
    } else {
        Some(sandbox_mock::SandboxMock::start().await?)
    })
}

/// A client for Plaid Sandbox (from the environment) or for the mock.
fn client_for(mock: Option<&sandbox_mock::SandboxMock>) -> Result<PlaidClient, AnyError> {
    let Some(m) = mock else {
        let builder = PlaidClient::builder_from_env()?;
        println!("mode: Plaid Sandbox ({})", builder_env_name());
        return Ok(builder.build()?);
    };
    println!(
        "mode: offline, embedded Sandbox mock at {}",
        m.server.base_url()
    );
    let client = PlaidClient::builder(
        Environment::Custom(m.server.base_url()),
        "quickstart-client-id",
        "quickstart-secret",
    )
    // Short waits keep the offline run quick; the defaults suit real traffic.
    .retry_policy(Backoff {
        initial_delay: Duration::from_millis(100),
        ..Backoff::default()
    })
    .build()?;
    Ok(client)
}

/// Steps 1 and 2: a public token for a Sandbox institution, as Link would give it, exchanged
/// for an access token.
async fn create_sandbox_item(client: &PlaidClient) -> Result<types::AccessToken, AnyError> {
    let products = vec![types::Products::Auth, types::Products::Transfer];
    let public_token = client
        .send(&types::SandboxPublicTokenCreateRequest::new(
            products,
            "ins_109508",
        ))
        .await?;
    println!(
        "1. public token created        ({})",
        public_token.public_token
    );
    let item = client
        .send(&types::ItemPublicTokenExchangeRequest::new(
            public_token.public_token.as_str(),
        ))
        .await?;
    // Keep access tokens out of logs: printed here only as a prefix.
    println!(
        "2. exchanged for access token  ({}…, item {})",
        item.access_token
            .expose()
            .chars()
            .take(15)
            .collect::<String>(),
        item.item_id
    );
    Ok(item.access_token.clone())
}

/// Step 3: the Item's accounts; returns the first account's id.
async fn show_accounts(
    client: &PlaidClient,
    access_token: &types::AccessToken,
) -> Result<String, AnyError> {
    let accounts = client
        .send(&types::AccountsGetRequest::new(access_token.clone()))
        .await?;
    println!("3. accounts: {}", accounts.accounts.len());
    for a in &accounts.accounts {
        let subtype = a.subtype.as_ref().map(|s| s.to_string());
        let current = a.balances.current.map(|c| format!("{c:.2}"));
        println!(
            "     {:<24} {:<12} current {:>10}",
            a.name,
            subtype.unwrap_or_default(),
            current.unwrap_or_else(|| "-".into())
        );
    }
    let first = accounts
        .accounts
        .first()
        .ok_or("the Item has no accounts")?;
    Ok(first.account_id.clone())
}

/// Step 3b: one consistent pass of /transactions/sync from no stored cursor (the whole
/// history). Plaid's restart rule is handled inside; store the cursor with the data.
async fn sync_transactions(
    client: &PlaidClient,
    access_token: &types::AccessToken,
) -> Result<(), AnyError> {
    let request = types::TransactionsSyncRequest::new(access_token.clone()).count(500);
    match client.sync(request).run().await? {
        SyncOutcome::Complete(batch) => println!(
            "   transactions synced: {} added, {} modified, {} removed in {} page(s); cursor to store {}…",
            batch.data.added.len(),
            batch.data.modified.len(),
            batch.data.removed.len(),
            batch.pages,
            batch.cursor.chars().take(12).collect::<String>()
        ),
        SyncOutcome::NotReady(_) => {
            println!("   transactions not ready yet: sync again after SYNC_UPDATES_AVAILABLE")
        }
    }
    Ok(())
}

/// Step 4: authorize a $12.34 ACH debit. `new` gave the request its idempotency key.
async fn authorize_transfer(
    client: &PlaidClient,
    access_token: &types::AccessToken,
    account_id: &str,
) -> Result<String, AnyError> {
    let request = types::TransferAuthorizationCreateRequest::new(
        access_token.expose(),
        account_id,
        "12.34",
        types::TransferNetwork::Ach,
        types::TransferType::Debit,
        types::TransferAuthorizationUserInRequest::new("Anne Charleston"),
    )
    .ach_class(types::AchClass::Ppd);
    let authorization = client.send(&request).await?;
    println!(
        "4. transfer authorized        ({}, decision {}, key {})",
        authorization.authorization.id,
        authorization.authorization.decision,
        authorization.idempotency_key.as_deref().unwrap_or("-")
    );
    Ok(authorization.authorization.id.to_string())
}

/// Step 5: create the transfer. The request carries the idempotency key `new` filled, so a real
/// application stores the request (or its key) before sending: after a crash it sends the same
/// value again and Plaid creates no second transfer. Returns the key.
async fn create_transfer(
    client: &PlaidClient,
    access_token: &types::AccessToken,
    account_id: &str,
    authorization_id: String,
) -> Result<String, AnyError> {
    let request = types::TransferCreateRequest::new(
        access_token.expose(),
        account_id,
        authorization_id,
        "quickstart",
    );
    let key = request
        .idempotency_key
        .as_ref()
        .map(|k| k.to_string())
        .ok_or("TransferCreateRequest::new fills an idempotency key")?;
    println!("5. creating transfer with idempotency key {key}");
    let transfer = client.send(&request).await?;
    let t = &transfer.transfer;
    println!(
        "   transfer created: id {} amount {} {} status {} ({} attempt(s))",
        t.id, t.amount, t.iso_currency_code, t.status, transfer.attempts
    );
    Ok(key)
}

/// Offline only: the mock saw every /transfer/create attempt with one key, and created one
/// transfer.
fn check_one_transfer(mock: &sandbox_mock::SandboxMock, key: &str) -> Result<(), AnyError> {
    let log = mock
        .transfers
        .lock()
        .map_err(|_| "mock log poisoned")?
        .clone();
    let created = log.iter().filter(|(status, _)| *status == 200).count();
    let same_key = log.iter().all(|(_, k)| k == key);
    println!(
        "   mock saw {} /transfer/create call(s): {}; transfers created: {created}; same key every time: {}",
        log.len(),
        log.iter().map(|(s, _)| s.to_string()).collect::<Vec<_>>().join(" then "),
        if same_key { "yes" } else { "NO" }
    );
    if created != 1 || !same_key {
        return Err("the transfer was not created exactly once with one key".into());
    }
    Ok(())
}

fn builder_env_name() -> String {
    std::env::var("PLAID_ENV").unwrap_or_else(|_| "sandbox".into())
}
