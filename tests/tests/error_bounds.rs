//! Issue 24, item 2: an error is bounded in total, not only per field. Whatever the shape of
//! Plaid's error body (many causes, wide or deep causes, long lists, escapes), the `Display` and
//! `Debug` of the `Error` stay under 64 KiB, and what was cut says how much. Plaid is a real
//! HTTP server on loopback answering the hostile body raw.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/setup.rs"]
mod setup;

use httpmock::prelude::*;
use plaid_client_ext::{types, Error};
use serde_json::{json, Value};
use setup::{client, ACCESS_TOKEN};

/// The documented cap on an error's `Display` and `Debug`.
const CAP: usize = 64 * 1024;

/// What `send` returns when Plaid answers `/item/get` with HTTP 400 and `causes`.
async fn error_with_causes(causes: Value) -> Error {
    let body = json!({"error_type": "ASSET_REPORT_ERROR", "error_code": "PRODUCT_NOT_READY",
        "error_message": "not ready", "display_message": null, "request_id": "req-1",
        "causes": causes});
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(400)
                .header("content-type", "application/json")
                .body(body.to_string());
        })
        .await;
    client(&server)
        .send(&types::ItemGetRequest::new(ACCESS_TOKEN))
        .await
        .expect_err("a 400")
}

fn assert_bounded(e: &Error, what: &str) -> String {
    let debug = format!("{e:?}");
    let display = e.to_string();
    assert!(debug.len() < CAP, "{what}: Debug is {} bytes", debug.len());
    assert!(
        display.len() < CAP,
        "{what}: Display is {} bytes",
        display.len()
    );
    debug
}

#[tokio::test]
async fn two_hundred_thousand_causes_keep_a_few_and_count_the_rest() {
    let causes: Vec<Value> = (0..200_000)
        .map(|i| json!({"item_id": format!("item-{i}"), "error_code": "ITEM_LOGIN_REQUIRED"}))
        .collect();
    let e = error_with_causes(Value::Array(causes)).await;
    assert_bounded(&e, "many causes");
    let api = e.api().unwrap();
    assert!(!api.causes.is_empty());
    assert!(api.causes_omitted > 0);
    assert_eq!(api.causes.len() + api.causes_omitted, 200_000);
    assert_eq!(
        api.causes[0]["item_id"], "item-0",
        "the first causes are kept as sent"
    );
}

#[tokio::test]
async fn a_cause_with_a_hundred_thousand_fields_is_cut_and_says_so() {
    let wide: serde_json::Map<String, Value> = (0..100_000)
        .map(|i| (format!("field_{i}"), json!(i)))
        .collect();
    let e = error_with_causes(json!([wide])).await;
    let debug = assert_bounded(&e, "a wide cause");
    assert!(debug.contains("more fields omitted"), "{}", &debug[..500]);
}

#[tokio::test]
async fn a_long_list_of_numbers_inside_a_cause_is_cut_and_says_so() {
    let numbers: Vec<u32> = (0..1_000_000).collect();
    let e = error_with_causes(json!([{"amounts": numbers}])).await;
    let debug = assert_bounded(&e, "a long list");
    assert!(debug.contains("more entries omitted"), "{}", &debug[..500]);
}

#[tokio::test]
async fn deep_nesting_is_cut_at_a_fixed_depth() {
    // serde_json refuses more than 128 levels; each step adds two (an object and a list).
    let mut deep = json!("bottom");
    for _ in 0..60 {
        deep = json!({"inner": [deep]});
    }
    let e = error_with_causes(json!([deep])).await;
    let debug = assert_bounded(&e, "deep nesting");
    assert!(debug.contains("nested too deep"), "{debug}");
    assert!(!debug.contains("bottom"));
}

#[tokio::test]
async fn strings_of_escapes_in_many_causes_stay_under_the_cap() {
    // Each control character prints as `\u{1b}` (6 bytes) in Debug: the worst expansion.
    let nasty = "\u{1b}".repeat(2_000);
    let causes: Vec<Value> = (0..1_000)
        .map(|_| json!({"error_message": nasty, "display_message": nasty}))
        .collect();
    let e = error_with_causes(Value::Array(causes)).await;
    assert_bounded(&e, "escapes");
    assert!(e.api().unwrap().causes_omitted > 0);
}
