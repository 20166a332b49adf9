//! The application `build-times --products` builds: the quickstart's calls
//! (`plaid-client-ext/examples/quickstart/main.rs`: a Sandbox Item, its accounts, a
//! transactions sync, a transfer), as a crate of its own outside the workspace that depends on
//! the ext as a user's does, so it can be built with its products only or with `full`.
//!
//! It is written under `target/build-times-app/` with a copy of the workspace's `Cargo.lock`
//! (the same dependency versions, so they are built once and shared with the workspace's
//! builds through the one target directory).

use std::path::{Path, PathBuf};

use anyhow::Context;

pub const PACKAGE: &str = "quickstart-calls";
/// The app's own features: its products, or everything.
pub const PRODUCTS: &str = "products";
pub const FULL: &str = "full";
/// The products the quickstart's calls need, as the README names them.
pub const PRODUCT_LIST: &str = "transactions,transfer";

const MANIFEST: &str = r#"[package]
name = "quickstart-calls"
version = "0.0.0"
edition = "2021"
publish = false

# Not a member of the plaid-rs workspace: built as a user's application is.
[workspace]

[features]
products = ["plaid-client-ext/transactions", "plaid-client-ext/transfer"]
full = ["plaid-client-ext/full"]

[dependencies]
plaid-client-ext = { path = "EXT", default-features = false, features = ["rustls"] }
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
"#;

/// The quickstart's calls, each request built as the quickstart builds it.
const MAIN: &str = r#"use plaid_client_ext::{types, Environment, PlaidClient};

type AnyError = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let client = PlaidClient::builder(Environment::Sandbox, "client-id", "secret").build()?;
    let products = vec![types::Products::Auth, types::Products::Transfer];
    let public = client
        .send(&types::SandboxPublicTokenCreateRequest::new(products, "ins_109508"))
        .await?;
    let item = client
        .send(&types::ItemPublicTokenExchangeRequest::new(public.public_token.as_str()))
        .await?;
    let token = item.access_token.clone();
    let accounts = client
        .send(&types::AccountsGetRequest::new(token.clone()))
        .await?;
    let account = accounts.accounts.first().ok_or("no accounts")?.account_id.clone();
    let sync = types::TransactionsSyncRequest::new(token.clone()).count(500);
    let _outcome = client.sync(sync).run().await?;
    let authorization = client
        .send(
            &types::TransferAuthorizationCreateRequest::new(
                token.expose(),
                account.as_str(),
                "12.34",
                types::TransferNetwork::Ach,
                types::TransferType::Debit,
                types::TransferAuthorizationUserInRequest::new("Anne Charleston"),
            )
            .ach_class(types::AchClass::Ppd),
        )
        .await?;
    let transfer = client
        .send(&types::TransferCreateRequest::new(
            token.expose(),
            account.as_str(),
            authorization.authorization.id.to_string(),
            "quickstart",
        ))
        .await?;
    println!("{}", transfer.transfer.id);
    Ok(())
}
"#;

/// Writes the app (idempotently) and returns its manifest's path.
pub fn write(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join("target").join("build-times-app");
    std::fs::create_dir_all(dir.join("src"))
        .with_context(|| format!("creating {}", dir.display()))?;
    let ext = root.join("plaid-client-ext");
    let manifest = MANIFEST.replace("EXT", &ext.display().to_string());
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(dir.join("src").join("main.rs"), MAIN)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .context("copying Cargo.lock for the build-times app")?;
    Ok(dir.join("Cargo.toml"))
}
