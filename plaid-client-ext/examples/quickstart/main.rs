//! Quickstart: a Sandbox Item, its accounts, and a transfer made safely.
//!
//! ```sh
//! cargo run -p plaid-client-ext --example quickstart
//! ```
//!
//! With no credentials in the environment it runs offline against the embedded emulator
//! (`plaid-emulator`, a stateful stand-in for Plaid Sandbox), with one HTTP 500 injected on
//! `/transfer/create`.
//! With `PLAID_CLIENT_ID` and `PLAID_SECRET` set (and `PLAID_ENV` unset or `sandbox`) it runs
//! the same calls against Plaid Sandbox.
//!
//! The flow: `/sandbox/public_token/create` → `/item/public_token/exchange` → `/accounts/get`
//! → `/transfer/authorization/create` → `/transfer/create`, one function per step. Every request
//! is built with its type's `new` (the required fields) and setters (the optional ones). Both
//! transfer requests carry the idempotency key their `new` filled, so the failed
//! `/transfer/create` is retried with the same key and Plaid creates exactly one transfer.

use std::process::ExitCode;
use std::time::Duration;

use plaid_client_ext::retry::Backoff;
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::{types, Environment, PlaidClient};
use plaid_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, Times};

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
    let emulator = start_emulator_unless_online().await?;
    let client = client_for(emulator.as_ref())?;
    let access_token = create_sandbox_item(&client).await?;
    let account_id = show_accounts(&client, &access_token).await?;
    sync_transactions(&client, &access_token).await?;
    let authorization_id = authorize_transfer(&client, &access_token, &account_id).await?;
    let key = create_transfer(&client, &access_token, &account_id, authorization_id).await?;
    if let Some(e) = &emulator {
        check_one_transfer(e, &client, &key).await?;
    }
    Ok(())
}

/// The embedded emulator, unless Plaid credentials are in the environment. Its first
/// `/transfer/create` answers HTTP 500 (an HTML page, as a load balancer sends), so the run
/// shows a safe retry.
async fn start_emulator_unless_online() -> Result<Option<Emulator>, AnyError> {
    let online = std::env::var("PLAID_CLIENT_ID").is_ok() && std::env::var("PLAID_SECRET").is_ok();
    if online {
        return Ok(None);
    }
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    emulator.inject(
        Fault::new(FaultKind::ServerError { status: 500 })
            .operation("/transfer/create")
            .times(Times::Next(1)),
    );
    Ok(Some(emulator))
}

/// A client for Plaid Sandbox (from the environment) or for the emulator.
fn client_for(emulator: Option<&Emulator>) -> Result<PlaidClient, AnyError> {
    let Some(e) = emulator else {
        let builder = PlaidClient::builder_from_env()?;
        println!("mode: Plaid Sandbox ({})", builder_env_name());
        return Ok(builder.build()?);
    };
    println!("mode: offline, embedded Plaid emulator at {}", e.base_url());
    let config = EmulatorConfig::default();
    let client = PlaidClient::builder(
        Environment::Custom(e.base_url().into()),
        config.client_id,
        config.secret,
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

/// Offline only: the emulator's journal shows every `/transfer/create` attempt carrying one
/// key, and `/transfer/list` shows one transfer.
async fn check_one_transfer(
    emulator: &Emulator,
    client: &PlaidClient,
    key: &str,
) -> Result<(), AnyError> {
    let attempts: Vec<_> = emulator
        .journal()
        .into_iter()
        .filter(|e| e.path == "/transfer/create")
        .collect();
    let statuses: Vec<String> = attempts
        .iter()
        .map(|e| e.status.map_or("dropped".into(), |s| s.to_string()))
        .collect();
    let same_key = attempts
        .iter()
        .all(|e| e.request["idempotency_key"].as_str() == Some(key));
    let transfers = client.send(&types::TransferListRequest::new()).await?;
    println!(
        "   emulator saw {} /transfer/create call(s): {}; transfers: {}; same key every time: {}",
        attempts.len(),
        statuses.join(" then "),
        transfers.transfers.len(),
        if same_key { "yes" } else { "NO" }
    );
    if transfers.transfers.len() != 1 || !same_key {
        return Err("the transfer was not created exactly once with one key".into());
    }
    Ok(())
}

fn builder_env_name() -> String {
    std::env::var("PLAID_ENV").unwrap_or_else(|_| "sandbox".into())
}
