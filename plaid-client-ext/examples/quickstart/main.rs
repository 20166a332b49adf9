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
//! → `/transfer/authorization/create` → `/transfer/create`. Both transfer calls carry an
//! idempotency key, so the failed `/transfer/create` is retried with the same key and Plaid
//! creates exactly one transfer.

mod sandbox_mock;

use std::process::ExitCode;
use std::time::Duration;

use plaid_client_ext::retry::Backoff;
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::{types, Environment, PlaidClient};
use serde_json::json;

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

async fn run() -> Result<(), AnyError> {
    let online = std::env::var("PLAID_CLIENT_ID").is_ok() && std::env::var("PLAID_SECRET").is_ok();
    let mock = if online {
        None
    } else {
        Some(sandbox_mock::SandboxMock::start().await?)
    };
    let client = match &mock {
        None => {
            let builder = PlaidClient::builder_from_env()?;
            println!("mode: Plaid Sandbox ({})", builder_env_name());
            builder.build()?
        }
        Some(m) => {
            println!(
                "mode: offline, embedded Sandbox mock at {}",
                m.server.base_url()
            );
            PlaidClient::builder(
                Environment::Custom(m.server.base_url()),
                "quickstart-client-id",
                "quickstart-secret",
            )
            // Short waits keep the offline run quick; the defaults suit real traffic.
            .retry_policy(Backoff {
                initial_delay: Duration::from_millis(100),
                ..Backoff::default()
            })
            .build()?
        }
    };

    // 1. A public token for a Sandbox institution, as Link would give it.
    let public_token = client
        .send(&types::SandboxPublicTokenCreateRequest {
            institution_id: "ins_109508".into(),
            initial_products: vec![types::Products::Auth, types::Products::Transfer],
            client_id: None,
            secret: None,
            options: None,
            user_id: None,
            user_token: None,
        })
        .await?;
    println!(
        "1. public token created        ({})",
        public_token.public_token
    );

    // 2. Exchange it for an access token. (Keep access tokens out of logs: printed here
    //    only as a prefix.)
    let item = client
        .send(&types::ItemPublicTokenExchangeRequest {
            public_token: public_token.public_token.clone(),
            client_id: None,
            secret: None,
        })
        .await?;
    let access_token = item.access_token.clone();
    println!(
        "2. exchanged for access token  ({}…, item {})",
        access_token.expose().chars().take(15).collect::<String>(),
        item.item_id
    );

    // 3. The Item's accounts.
    let accounts = client
        .send(&types::AccountsGetRequest {
            access_token: access_token.clone(),
            client_id: None,
            secret: None,
            options: None,
        })
        .await?;
    println!("3. accounts: {}", accounts.accounts.len());
    for a in &accounts.accounts {
        println!(
            "     {:<24} {:<12} current {:>10}",
            a.name,
            a.subtype
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            a.balances
                .current
                .map(|c| format!("{c:.2}"))
                .unwrap_or_else(|| "-".into())
        );
    }
    let account_id = accounts
        .accounts
        .first()
        .map(|a| a.account_id.clone())
        .ok_or("the Item has no accounts")?;

    // 3b. Transactions: one consistent pass of /transactions/sync from no stored cursor (the
    //     whole history). Plaid's restart rule is handled inside; store the cursor with the data.
    let sync = client
        .sync(types::TransactionsSyncRequest {
            access_token: access_token.clone(),
            client_id: None,
            count: 500,
            cursor: None,
            options: None,
            secret: None,
        })
        .run()
        .await?;
    match sync {
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

    // 4. Authorize a $12.34 debit. The client fills the idempotency key.
    let authorization_request: types::TransferAuthorizationCreateRequest =
        serde_json::from_value(json!({
            "access_token": access_token.expose(),
            "account_id": account_id,
            "type": "debit",
            "network": "ach",
            "amount": "12.34",
            "ach_class": "ppd",
            "user": {"legal_name": "Anne Charleston"}
        }))?;
    let authorization = client.send(&authorization_request).await?;
    println!(
        "4. transfer authorized        ({}, decision {}, key {})",
        authorization.authorization.id,
        authorization.authorization.decision,
        authorization.idempotency_key.as_deref().unwrap_or("-")
    );

    // 5. Create the transfer. Assigning the key first lets a real application store it before
    //    sending: after a crash it can send the same request again without a second transfer.
    let mut transfer_request: types::TransferCreateRequest = serde_json::from_value(json!({
        "access_token": access_token.expose(),
        "account_id": account_id,
        "authorization_id": authorization.authorization.id,
        "description": "quickstart"
    }))?;
    let key = client
        .assign_idempotency_key(&mut transfer_request)?
        .ok_or("transfer/create takes an idempotency key")?;
    println!("5. creating transfer with idempotency key {key}");
    let transfer = client.send(&transfer_request).await?;
    let t = &transfer.transfer;
    println!(
        "   transfer created: id {} amount {} {} status {} ({} attempt(s))",
        t.id, t.amount, t.iso_currency_code, t.status, transfer.attempts
    );

    if let Some(m) = &mock {
        let log = m.transfers.lock().map_err(|_| "mock log poisoned")?.clone();
        let created = log.iter().filter(|(status, _)| *status == 200).count();
        let same_key = log.iter().all(|(_, k)| k == key.as_str());
        println!(
            "   mock saw {} /transfer/create call(s): {}; transfers created: {created}; same key every time: {}",
            log.len(),
            log.iter().map(|(s, _)| s.to_string()).collect::<Vec<_>>().join(" then "),
            if same_key { "yes" } else { "NO" }
        );
        if created != 1 || !same_key {
            return Err("the transfer was not created exactly once with one key".into());
        }
    }
    Ok(())
}

fn builder_env_name() -> String {
    std::env::var("PLAID_ENV").unwrap_or_else(|_| "sandbox".into())
}
