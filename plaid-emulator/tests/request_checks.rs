//! Every request checked like Plaid checks it (docs: `errors-invalid-request.txt`,
//! `errors-invalid-input.txt`, `errors-item.txt`), on an emulated operation and on one answered
//! by the spec's example, over raw HTTP: a typed client cannot send a wrong body.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use plaid_client::{Operation, OperationVisitor};
use plaid_emulator::{Emulator, EmulatorConfig, ItemOptions};
use serde_json::{json, Value};
use support::requests::{minimal, schema_of, Fill};

/// An emulated operation and one the spec's example answers, both with an `access_token`.
const PATHS: [&str; 4] = [
    "/accounts/get",
    "/transactions/sync",
    "/investments/holdings/get",
    "/liabilities/get",
];

/// The codes the request checks answer (an `INVALID_FIELD` of theirs starts "the field ").
const CHECK_CODES: [&str; 5] = [
    "MISSING_FIELDS",
    "UNKNOWN_FIELDS",
    "INVALID_BODY",
    "INVALID_ACCESS_TOKEN",
    "ITEM_NOT_FOUND",
];

/// A field the schema leaves optional but a flow requires in some cases, so a request of
/// required fields only is refused by the flow, not by the checks: `/link/token/create` needs
/// `products` unless it updates an Item (docs, `api-tokens.txt`); `/sandbox/income/fire_webhook`
/// names an Item by `item_id`, which a minimal request's text does not match
/// (`ITEM_NOT_FOUND`); the user operations need one of `user_id` and `user_token`, which the
/// schema leaves both optional.
const CONDITIONAL: [(&str, &str); 8] = [
    ("/link/token/create", "MISSING_FIELDS"),
    ("/sandbox/income/fire_webhook", "ITEM_NOT_FOUND"),
    ("/cra/monitoring_insights/subscribe", "MISSING_FIELDS"),
    ("/sandbox/cra/cashflow_updates/update", "MISSING_FIELDS"),
    ("/sandbox/user/reset_login", "MISSING_FIELDS"),
    ("/user/items/get", "MISSING_FIELDS"),
    ("/user/remove", "MISSING_FIELDS"),
    ("/user/update", "MISSING_FIELDS"),
];

struct Raw {
    emulator: Emulator,
    http: reqwest::Client,
    config: EmulatorConfig,
}

impl Raw {
    async fn start() -> Self {
        let config = EmulatorConfig::default();
        let (emulator, _) = support::start_with(config.clone()).await;
        Self {
            emulator,
            http: reqwest::Client::new(),
            config,
        }
    }

    fn token(&self) -> String {
        self.emulator
            .create_item(ItemOptions::default())
            .access_token
    }

    /// `body` POSTed to `path` with the keys in the headers: the status and the JSON answer.
    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let url = format!("{}{path}", self.emulator.base_url());
        let response = self
            .http
            .post(url)
            .header("PLAID-CLIENT-ID", &self.config.client_id)
            .header("PLAID-SECRET", &self.config.secret)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The error code and message of `path`'s answer to `body`; panics on a success.
    async fn refused(&self, path: &str, body: &Value) -> (String, String) {
        let (status, answer) = self.post(path, body).await;
        assert_eq!(status, 400, "{path} {body}: {answer}");
        let text = |k: &str| answer[k].as_str().unwrap_or_default().to_string();
        (text("error_code"), text("error_message"))
    }
}

#[tokio::test]
async fn an_empty_body_is_missing_fields_naming_access_token() {
    let raw = Raw::start().await;
    for path in PATHS {
        let (code, message) = raw.refused(path, &json!({})).await;
        assert_eq!(code, "MISSING_FIELDS", "{path}");
        assert!(message.contains("access_token"), "{path}: {message}");
    }
}

#[tokio::test]
async fn a_number_for_access_token_is_invalid_field_naming_it() {
    let raw = Raw::start().await;
    for path in PATHS {
        let (code, message) = raw.refused(path, &json!({"access_token": 12})).await;
        assert_eq!(code, "INVALID_FIELD", "{path}");
        assert!(message.contains("access_token"), "{path}: {message}");
    }
}

#[tokio::test]
async fn an_unknown_field_is_unknown_fields_naming_it() {
    let raw = Raw::start().await;
    for path in PATHS {
        let body = json!({"access_token": raw.token(), "colour": "blue"});
        let (code, message) = raw.refused(path, &body).await;
        assert_eq!(code, "UNKNOWN_FIELDS", "{path}");
        assert!(message.ends_with("colour"), "{path}: {message}");
    }
}

#[tokio::test]
async fn client_id_and_secret_in_the_body_are_accepted() {
    let raw = Raw::start().await;
    for path in PATHS {
        let body = json!({"access_token": raw.token(), "client_id": raw.config.client_id,
            "secret": raw.config.secret, "options": null});
        let (status, answer) = raw.post(path, &body).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
}

#[tokio::test]
async fn an_unknown_or_malformed_access_token_is_invalid_access_token() {
    let raw = Raw::start().await;
    for path in PATHS {
        for token in [
            "access-sandbox-00000000-0000-0000-0000-000000000000",
            "nonsense",
        ] {
            let (code, _) = raw.refused(path, &json!({"access_token": token})).await;
            assert_eq!(code, "INVALID_ACCESS_TOKEN", "{path} {token}");
        }
    }
}

#[tokio::test]
async fn a_removed_item_is_item_not_found() {
    let raw = Raw::start().await;
    for path in PATHS {
        let body = json!({"access_token": raw.token()});
        let (status, answer) = raw.post("/item/remove", &body).await;
        assert_eq!(status, 200, "{answer}");
        let (code, _) = raw.refused(path, &body).await;
        assert_eq!(code, "ITEM_NOT_FOUND", "{path}");
    }
}

#[tokio::test]
async fn a_known_path_with_another_method_is_not_found() {
    let raw = Raw::start().await;
    let url = format!("{}/accounts/get", raw.emulator.base_url());
    let response = raw.http.get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error_code"], "NOT_FOUND");
}

/// Every `POST` operation's path and request schema.
struct Posts(Vec<(&'static str, Value)>);

impl OperationVisitor for Posts {
    fn visit<O: Operation>(&mut self) {
        if O::METHOD == "POST" {
            self.0.push((O::PATH, schema_of::<O::Request>()));
        }
    }
}

#[tokio::test]
async fn a_valid_minimal_request_to_every_post_operation_passes_the_checks() {
    let raw = Raw::start().await;
    let mut posts = Posts(Vec::new());
    plaid_client::operations::visit_all(&mut posts);
    let mut refused = Vec::new();
    for (path, schema) in &posts.0 {
        let token = raw.token();
        let body = minimal(schema, &Fill::token(&token));
        let (status, answer) = raw.post(path, &body).await;
        let code = answer["error_code"].as_str().unwrap_or_default();
        let message = answer["error_message"].as_str().unwrap_or_default();
        let by_check = CHECK_CODES.contains(&code)
            || (code == "INVALID_FIELD" && message.starts_with("the field "));
        if by_check && !CONDITIONAL.contains(&(*path, code)) {
            refused.push(format!("{path} {status} {code} {message}: {body}"));
        }
    }
    println!(
        "valid minimal requests sent to {} POST operations",
        posts.0.len()
    );
    assert!(posts.0.len() > 300, "{}", posts.0.len());
    assert!(refused.is_empty(), "{}", refused.join("\n"));
}

#[tokio::test]
async fn account_ids_select_accounts_and_an_unknown_one_is_invalid_account_id() {
    let raw = Raw::start().await;
    let token = raw.token();
    let (_, accounts) = raw
        .post("/accounts/get", &json!({"access_token": token}))
        .await;
    let first = accounts["accounts"][0]["account_id"].clone();
    assert!(accounts["accounts"].as_array().unwrap().len() > 1);
    for path in ["/auth/get", "/identity/get"] {
        let body = json!({"access_token": token, "options": {"account_ids": [first]}});
        let (status, answer) = raw.post(path, &body).await;
        assert_eq!(status, 200, "{path}: {answer}");
        let ids: Vec<&Value> = answer["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["account_id"])
            .collect();
        assert_eq!(ids, [&first], "{path}");
        let body = json!({"access_token": token, "options": {"account_ids": ["nope"]}});
        let (code, _) = raw.refused(path, &body).await;
        assert_eq!(code, "INVALID_ACCOUNT_ID", "{path}");
    }
}
