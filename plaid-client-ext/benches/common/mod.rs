//! Shared by the bench binaries: a local mock Plaid (axum on 127.0.0.1) serving generated
//! `/transactions/sync` pages, and a counting allocator for peak-heap figures.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use plaid_client::mock::example;
use plaid_client::operations;

/// A `/transactions/sync` transaction as JSON text, from the spec's example with a fresh id.
pub fn transaction_template() -> String {
    let page = example::<operations::TransactionsSync>().expect("the spec has an example");
    let mut t = serde_json::to_value(&page.added[0]).expect("serializes");
    t["transaction_id"] = serde_json::Value::String("TXID".into());
    serde_json::to_string(&t).expect("serializes")
}

/// Page `page` (0-based) of `pages`, with `per_page` transactions whose ids are unique.
pub fn sync_page_body(template: &str, page: usize, pages: usize, per_page: usize) -> String {
    let mut body = String::with_capacity(per_page * (template.len() + 16) + 512);
    body.push_str("{\"accounts\":[],\"added\":[");
    for i in 0..per_page {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&template.replace("TXID", &format!("tx-{page}-{i}")));
    }
    let has_more = page + 1 < pages;
    body.push_str(&format!(
        "],\"modified\":[],\"removed\":[],\"next_cursor\":\"cursor-{}\",\"has_more\":{has_more},\
         \"request_id\":\"bench\",\"transactions_update_status\":\"HISTORICAL_UPDATE_COMPLETE\"}}",
        page + 1
    ));
    body
}

/// Serve `/transactions/sync` for a history of `pages` pages of `per_page` transactions: the
/// request's `cursor` (`cursor-N`, or none) selects the page. Returns the base URL.
pub async fn serve_sync(pages: usize, per_page: usize) -> String {
    use axum::{routing::post, Router};
    let template = std::sync::Arc::new(transaction_template());
    let app = Router::new().route(
        "/transactions/sync",
        post(move |body: String| {
            let template = template.clone();
            async move {
                let request: serde_json::Value =
                    serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
                let page = request["cursor"]
                    .as_str()
                    .and_then(|c| c.strip_prefix("cursor-"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0usize);
                (
                    [("content-type", "application/json")],
                    sync_page_body(&template, page, pages, per_page),
                )
            }
        }),
    );
    serve(app).await
}

/// Serve a fixed JSON body on `POST path`. Returns the base URL.
pub async fn serve_fixed(path: &'static str, body: String) -> String {
    use axum::{routing::post, Router};
    let body = std::sync::Arc::new(body);
    let app = Router::new().route(
        path,
        post(move || {
            let body = body.clone();
            async move {
                (
                    [("content-type", "application/json")],
                    body.as_str().to_owned(),
                )
            }
        }),
    );
    serve(app).await
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// The bench binaries' global allocator: counts live heap bytes and their peak
/// (`#[global_allocator] static ALLOC: common::Counting = common::Counting;`). The `peak_alloc`
/// crate holds the one `unsafe impl GlobalAlloc`, so this workspace forbids `unsafe_code`.
pub use peak_alloc::PeakAlloc as Counting;

/// Live heap bytes now.
pub fn heap_now() -> usize {
    Counting.current_usage()
}

/// Start a new peak measurement from the current level.
pub fn reset_peak() {
    Counting.reset_peak_usage();
}

/// Peak live heap bytes since [`reset_peak`].
pub fn heap_peak() -> usize {
    Counting.peak_usage()
}

pub fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
