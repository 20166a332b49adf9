//! A Plaid webhook endpoint in axum, with verification.
//!
//! ```sh
//! cargo run -p plaid-client-ext --example webhook_server
//! ```
//!
//! Offline, as here, Plaid is the emulator (`plaid-emulator`): the endpoint's Item is linked
//! with its webhook URL, `/sandbox/item/fire_webhook` makes the emulator POST a webhook signed
//! the way Plaid signs them, and the endpoint verifies it against the key the emulator serves at
//! `/webhook_verification_key/get`. Then two forgeries arrive: the genuine signature on another
//! body, and a body signed with a key Plaid never issued; both are refused. In production you
//! build the verifier from `PlaidClient::from_env()` and give Plaid `/plaid/webhook`'s URL.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use plaid_client_ext::webhooks::{WebhookEvent, WebhookSigner, WebhookVerifier};
use plaid_client_ext::{types, Environment, PlaidClient};
use plaid_emulator::{Emulator, EmulatorConfig};
use tokio::sync::mpsc;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The endpoint's state: the verifier, and (for this example only) a report of each webhook.
#[derive(Clone)]
struct Endpoint {
    verifier: Arc<WebhookVerifier>,
    seen: mpsc::UnboundedSender<(bool, String)>,
    /// The last `Plaid-Verification` header, so the example can replay it on a forged body.
    last_signature: Arc<Mutex<Option<String>>>,
}

/// The handler: verify against the raw bytes, then act on the typed event.
async fn plaid_webhook(
    State(endpoint): State<Endpoint>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    if let Some(sig) = headers
        .get("plaid-verification")
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(mut last) = endpoint.last_signature.lock() {
            last.get_or_insert_with(|| sig.to_string());
        }
    }
    let (status, text) = match endpoint.verifier.verify(&headers, &body).await {
        Ok(WebhookEvent::SyncUpdatesAvailable(e)) => (
            StatusCode::OK,
            format!(
                "accepted: new transactions to sync for item {}",
                e.item_id.as_str()
            ),
        ),
        Ok(other) => (
            StatusCode::OK,
            format!(
                "accepted: {} {}",
                other.webhook_type(),
                other.webhook_code()
            ),
        ),
        // Say which check failed in your logs; tell the sender only that it was refused.
        Err(e) => (StatusCode::BAD_REQUEST, format!("rejected: {e}")),
    };
    let _ = endpoint.seen.send((status.is_success(), text.clone()));
    (status, text)
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let config = EmulatorConfig::default();
    let plaid = Emulator::start(config.clone()).await?;
    let client = PlaidClient::builder(
        Environment::Custom(plaid.base_url().into()),
        config.client_id.as_str(),
        config.secret.as_str(),
    )
    .build()?;
    let (url, endpoint, mut seen) = serve_endpoint(&client).await?;
    println!("webhook endpoint listening at {url}");

    let access_token = link_item_with_webhook(&client, &url).await?;
    client
        .send(&types::SandboxItemFireWebhookRequest::new(
            access_token,
            types::SandboxItemFireWebhookRequestWebhookCode::SyncUpdatesAvailable,
        ))
        .await?;
    let (accepted, text) = tokio::time::timeout(Duration::from_secs(10), seen.recv())
        .await?
        .ok_or("the endpoint stopped")?;
    println!("{:<32} -> {text}", "signed by Plaid (the emulator)");
    if !accepted {
        return Err("the genuine webhook was refused".into());
    }
    send_forgeries(&url, &endpoint).await?;
    Ok(())
}

/// Start the endpoint on a loopback port; returns its URL, its state and its reports.
async fn serve_endpoint(
    client: &PlaidClient,
) -> Result<(String, Endpoint, mpsc::UnboundedReceiver<(bool, String)>), AnyError> {
    let (tx, rx) = mpsc::unbounded_channel();
    let endpoint = Endpoint {
        verifier: Arc::new(WebhookVerifier::new(client.clone())),
        seen: tx,
        last_signature: Arc::default(),
    };
    let app = Router::new()
        .route("/plaid/webhook", post(plaid_webhook))
        .with_state(endpoint.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/plaid/webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, endpoint, rx))
}

/// A Sandbox Item whose webhooks go to `url` (`options.webhook`).
async fn link_item_with_webhook(
    client: &PlaidClient,
    url: &str,
) -> Result<types::AccessToken, AnyError> {
    let options = types::SandboxPublicTokenCreateRequestOptions::new().webhook(url.to_string());
    let public = client
        .send(
            &types::SandboxPublicTokenCreateRequest::new(
                vec![types::Products::Transactions],
                "ins_109508",
            )
            .options(options),
        )
        .await?;
    let item = client
        .send(&types::ItemPublicTokenExchangeRequest::new(
            public.public_token.as_str(),
        ))
        .await?;
    Ok(item.access_token.clone())
}

/// Two forgeries, each of which must be refused.
async fn send_forgeries(url: &str, endpoint: &Endpoint) -> Result<(), AnyError> {
    let genuine = endpoint
        .last_signature
        .lock()
        .map_err(|_| "poisoned")?
        .clone()
        .ok_or("no signature was seen")?;
    let swapped = br#"{"webhook_type":"TRANSFER","webhook_code":"TRANSFER_EVENTS_UPDATE","environment":"sandbox"}"#;
    let impostor = WebhookSigner::random("a-key-plaid-never-issued");
    let http = reqwest::Client::new();
    for (label, token, payload) in [
        ("Plaid's signature, another body", genuine, swapped.to_vec()),
        (
            "signed with an unknown key",
            impostor.sign_now(swapped),
            swapped.to_vec(),
        ),
    ] {
        let resp = http
            .post(url)
            .header("Plaid-Verification", token)
            .body(payload)
            .send()
            .await?;
        let status = resp.status();
        println!("{label:<32} -> {} {}", status.as_u16(), resp.text().await?);
        if status.is_success() {
            return Err(format!("a forgery was accepted: {label}").into());
        }
    }
    Ok(())
}
