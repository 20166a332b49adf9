//! The web quickstart's routes (`examples/quickstart_web/app.rs`; docs: `quickstart.txt`) over
//! HTTP, without a browser: Link is completed through the emulator's control call, then each
//! route answers from the linked Item. (The browser drives the same app in
//! `quickstart_browser.rs`.)

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../examples/quickstart_web/app.rs"]
mod app;

use std::sync::Arc;

use plaid_client_ext::types;
use plaid_emulator::Emulator;
use serde_json::{json, Value};

/// The emulator, and the quickstart's base URL in front of it.
async fn start() -> (Emulator, String) {
    let (emulator, client, _) = app::offline().await.unwrap();
    let products = vec![types::Products::Auth, types::Products::Transactions];
    let app = Arc::new(app::App::new(client, "/link.js".into(), products));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app::router(app)).await });
    (emulator, url)
}

async fn call(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let http = reqwest::Client::new();
    let request = match method {
        "POST" => http.post(url).json(&body.unwrap_or(json!({}))),
        _ => http.get(url),
    };
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_page_loads_link_from_the_configured_script() {
    let (_emulator, url) = start().await;
    let page = reqwest::get(format!("{url}/")).await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script src="/link.js"></script>"#));
    assert!(html.contains("Plaid.create"));
}

#[tokio::test]
async fn every_route_answers_for_the_item_link_made() {
    let (emulator, url) = start().await;
    let (status, before) = call("GET", &format!("{url}/api/accounts"), None).await;
    assert_eq!(
        (status, &before["error"]["error_code"]),
        (400, &json!("NO_ITEM"))
    );
    let (_, token) = call("POST", &format!("{url}/api/create_link_token"), None).await;
    let public_token = emulator
        .complete_link(token["link_token"].as_str().unwrap())
        .unwrap();
    let body = json!({ "public_token": public_token });
    let (status, item) = call("POST", &format!("{url}/api/set_access_token"), Some(body)).await;
    assert_eq!(status, 200, "{item}");
    assert!(item["item_id"].as_str().unwrap().starts_with("item-"));

    for route in ["accounts", "balance"] {
        let (status, answer) = call("GET", &format!("{url}/api/{route}"), None).await;
        assert_eq!(status, 200, "{route}: {answer}");
        assert_eq!(answer["accounts"].as_array().unwrap().len(), 2, "{route}");
    }
    let (_, transactions) = call("GET", &format!("{url}/api/transactions"), None).await;
    assert_eq!(transactions["ready"], true);
    assert!(transactions["total"].as_u64().unwrap() > 0);
    assert!(transactions["latest"].as_array().unwrap().len() <= 10);
    let (_, auth) = call("GET", &format!("{url}/api/auth"), None).await;
    let ach = auth["ach"].as_array().unwrap();
    assert!(!ach.is_empty());
    assert_eq!(ach[0]["account_last4"].as_str().unwrap().len(), 4);
    let (_, identity) = call("GET", &format!("{url}/api/identity"), None).await;
    assert!(!identity["owners"].as_array().unwrap().is_empty());
    let (status, transfer) = call("POST", &format!("{url}/api/transfer"), None).await;
    assert_eq!(status, 200, "{transfer}");
    assert_eq!(transfer["amount"], "1.00");
}

#[tokio::test]
async fn an_update_mode_link_token_needs_a_linked_item() {
    let (_emulator, url) = start().await;
    let body = Some(json!({"update": true}));
    let (status, answer) = call("POST", &format!("{url}/api/create_link_token"), body).await;
    assert_eq!(
        (status, &answer["error"]["error_code"]),
        (400, &json!("NO_ITEM"))
    );
}
