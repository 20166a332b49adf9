//! Plaid's quickstart (docs: `quickstart.txt`) as a Rust web app: a page that loads Link, and
//! the quickstart's routes behind it (create a link token, exchange the public token, accounts,
//! balances, transactions by cursor sync, auth, identity, one transfer).
//!
//! ```sh
//! cargo run -p plaid-client-ext --example quickstart_web
//! # then open the URL it prints and link with user_good / pass_good
//! ```
//!
//! Offline by default: the embedded emulator (`plaid-emulator`) answers the API and serves
//! Link for the web. With `PLAID_ENV=sandbox`, `PLAID_CLIENT_ID` and `PLAID_SECRET` it runs
//! against Plaid Sandbox unchanged, loading Link from Plaid's CDN. `QUICKSTART_ADDR` sets the
//! address it listens on (default `127.0.0.1:8000`); `PLAID_PRODUCTS` the products its link
//! tokens ask for (default `auth,transactions`).

mod app;

use std::process::ExitCode;
use std::sync::Arc;

use app::AnyError;
use plaid_client_ext::{types, PlaidClient};

/// Where Plaid serves Link for the web (docs, `link-web.txt`: "It must always be loaded
/// directly from https://cdn.plaid.com").
const PLAID_LINK_SCRIPT: &str = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), AnyError> {
    let online = std::env::var("PLAID_ENV").is_ok_and(|e| e.eq_ignore_ascii_case("sandbox"));
    // Kept alive for as long as the app serves.
    let mut emulator = None;
    let (client, link_script) = if online {
        let client = PlaidClient::builder_from_env()?.build()?;
        println!("mode: Plaid Sandbox; Link from {PLAID_LINK_SCRIPT}");
        (client, PLAID_LINK_SCRIPT.to_string())
    } else {
        let (e, client, script) = app::offline().await?;
        println!("mode: offline, embedded Plaid emulator at {}", e.base_url());
        emulator = Some(e);
        (client, script)
    };
    let app = Arc::new(app::App::new(client, link_script, products()?));
    let address = std::env::var("QUICKSTART_ADDR").unwrap_or_else(|_| "127.0.0.1:8000".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("open http://{}/ (Ctrl-C stops)", listener.local_addr()?);
    axum::serve(listener, app::router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    drop(emulator);
    Ok(())
}

/// `PLAID_PRODUCTS`, comma-separated (default `auth,transactions`).
fn products() -> Result<Vec<types::Products>, AnyError> {
    let listed = std::env::var("PLAID_PRODUCTS").unwrap_or_else(|_| "auth,transactions".into());
    listed
        .split(',')
        .map(|p| {
            serde_json::from_value(serde_json::Value::String(p.trim().to_string()))
                .map_err(|e| format!("PLAID_PRODUCTS: {p}: {e}").into())
        })
        .collect()
}
