//! Every one of plaid-client's generated operations answers (issue 30, item 4): a valid
//! request to each, over raw HTTP to a started emulator, is never answered 5xx or 404; a JSON
//! answer decodes into the operation's generated response type, a binary one is a document of
//! its declared type that a strict parser opens (`lopdf`, `zip`). Operations without an
//! emulated flow answer the spec's example (or, without one, a body synthesized from the
//! response schema) speaking of the request's Item. In CI's recorded run these bodies are
//! also held against the published spec by the served-bodies step.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::io::Read;

use plaid_client::{
    JsonOperation, JsonOperationVisitor, Operation, OperationVisitor, ResponseFormat,
};
use plaid_emulator::{Emulator, EmulatorConfig, ItemOptions};
use serde_json::{json, Value};
use support::requests::{minimal, schema_of, Fill};

/// The institution requests name: Sandbox's First Platypus Bank (`sandbox-institutions.txt`).
const INSTITUTION: &str = "ins_109508";

/// One operation, as the sweep sends it.
struct Op {
    id: &'static str,
    method: &'static str,
    path: &'static str,
    format: ResponseFormat,
    schema: Value,
}

/// An answer's body decoded into one operation's generated response type.
type Decoder = fn(&[u8]) -> Result<(), String>;

/// Every operation, and every JSON operation's decoder into its generated response type.
#[derive(Default)]
struct Catalog {
    ops: Vec<Op>,
    decoders: HashMap<&'static str, Decoder>,
}

impl OperationVisitor for Catalog {
    fn visit<O: Operation>(&mut self) {
        self.ops.push(Op {
            id: O::OPERATION_ID,
            method: O::METHOD,
            path: O::PATH,
            format: O::RESPONSE_FORMAT,
            schema: schema_of::<O::Request>(),
        });
    }
}

impl JsonOperationVisitor for Catalog {
    fn visit<O: JsonOperation>(&mut self) {
        fn decode<O: JsonOperation>(bytes: &[u8]) -> Result<(), String> {
            serde_json::from_slice::<O::Response>(bytes)
                .map(drop)
                .map_err(|e| e.to_string())
        }
        self.decoders.insert(O::PATH, decode::<O>);
    }
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::default();
    plaid_client::operations::visit_all(&mut catalog);
    plaid_client::operations::visit_json(&mut catalog);
    catalog
}

/// An emulator and raw HTTP to it, the keys in the headers.
struct Raw {
    emulator: Emulator,
    http: reqwest::Client,
    config: EmulatorConfig,
    /// Where the Items' webhooks go: a receiver on loopback, kept open (and unread).
    webhook: String,
    _received: support::Received,
}

/// An answer: status, content type, `Plaid-Content-Hash`, body.
struct Answer {
    status: u16,
    content_type: String,
    content_hash: Option<String>,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

impl Raw {
    async fn start() -> Self {
        let config = EmulatorConfig::default();
        let (emulator, _) = support::start_with(config.clone()).await;
        let http = reqwest::Client::new();
        let (webhook, received) = support::receiver().await;
        Self {
            emulator,
            http,
            config,
            webhook,
            _received: received,
        }
    }

    /// `method` `path` with the keys in the headers and, for a `POST`, `body`.
    async fn send(&self, method: &str, path: &str, body: &Value) -> Answer {
        let url = format!("{}{path}", self.emulator.base_url());
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(body),
        };
        let response = request
            .header("PLAID-CLIENT-ID", &self.config.client_id)
            .header("PLAID-SECRET", &self.config.secret)
            .send()
            .await
            .unwrap();
        let header = |name: &str| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some(value.to_string())
        };
        let (content_type, content_hash) = (header("content-type"), header("plaid-content-hash"));
        Answer {
            status: response.status().as_u16(),
            content_type: content_type.unwrap_or_default(),
            content_hash,
            bytes: response.bytes().await.unwrap().to_vec(),
        }
    }

    /// A new Item and the fill a request for it takes: its token, its accounts.
    async fn item_fill(&self, shared: &Fill) -> (Fill, String, Vec<Value>) {
        let mut options = ItemOptions::default();
        options.webhook = Some(self.webhook.clone());
        let item = self.emulator.create_item(options);
        let public = json!({"institution_id": INSTITUTION, "initial_products": ["transactions"]});
        let public = self
            .send("POST", "/sandbox/public_token/create", &public)
            .await;
        let accounts = self
            .send(
                "POST",
                "/accounts/get",
                &json!({"access_token": item.access_token}),
            )
            .await
            .json()["accounts"]
            .as_array()
            .cloned()
            .unwrap();
        let ids: Vec<Value> = accounts.iter().map(|a| a["account_id"].clone()).collect();
        let fill = shared
            .clone()
            .with("access_token", json!(item.access_token))
            .with("account_id", ids[0].clone())
            .with("account_ids", json!(ids))
            .with("item_id", json!(item.item_id))
            .with("institution_id", json!(INSTITUTION))
            .with("webhook", json!(self.webhook))
            .with("public_token", public.json()["public_token"].clone());
        (fill, item.item_id, accounts)
    }

    /// The ids the emulator holds state for, made once: an authorization, its transfer, a
    /// link token.
    async fn shared_fill(&self, catalog: &Catalog) -> Fill {
        let schema = |path: &str| &catalog.ops.iter().find(|o| o.path == path).unwrap().schema;
        let (fill, _, _) = self.item_fill(&Fill::default()).await;
        let mut shared = Fill::default();
        let auth = minimal(schema("/transfer/authorization/create"), &fill);
        let auth = self
            .send("POST", "/transfer/authorization/create", &auth)
            .await;
        let authorization_id = auth.json()["authorization"]["id"].clone();

        if authorization_id.is_string() {
            let fill = fill
                .clone()
                .with("authorization_id", authorization_id.clone());
            let transfer = minimal(schema("/transfer/create"), &fill);
            let transfer = self
                .send("POST", "/transfer/create", &transfer)
                .await
                .json();

            let transfer_id = transfer["transfer"]["id"].clone();
            shared = shared.with_optional("transfer_id", transfer_id);
            shared = shared.with_optional("authorization_id", authorization_id);
        }
        let processor = json!({"access_token": fill.get("access_token"),
            "account_id": fill.get("account_id"), "processor": "dwolla"});
        let processor = self
            .send("POST", "/processor/token/create", &processor)
            .await;
        shared = shared.with(
            "processor_token",
            processor.json()["processor_token"].clone(),
        );
        let link = json!({"client_name": "sweep", "language": "en", "country_codes": ["US"],
            "user": {"client_user_id": "u-1"}, "products": ["transactions"]});
        let link = self.send("POST", "/link/token/create", &link).await.json();
        shared.with("link_token", link["link_token"].clone())
    }
}

/// What a `{param}` of a `GET` path is sent as.
fn with_params(template: &str) -> String {
    let segment = |s: &str| if s.starts_with('{') { "x-1" } else { s }.to_string();
    template
        .split('/')
        .map(segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `answer` is what `op` declares; `Err` says why not.
fn conforms(op: &Op, answer: &Answer, catalog: &Catalog) -> Result<&'static str, String> {
    // A 404 is a missing route unless it is a Plaid error a flow documents with that status
    // (`OAUTH_STATE_ID_NOT_FOUND`, `errors-oauth.txt`).
    let code = answer.json()["error_code"].as_str().map(str::to_string);
    let unrouted = answer.status == 404 && code.is_none_or(|c| c == "NOT_FOUND");
    if answer.status >= 500 || unrouted {
        return Err(format!(
            "{} {}",
            answer.status,
            String::from_utf8_lossy(&answer.bytes)
        ));
    }
    if answer.status != 200 {
        return Ok("refused by its flow");
    }
    match op.format {
        ResponseFormat::Binary => document(answer).map(|_| "a document"),
        ResponseFormat::Json if answer.bytes.is_empty() => Ok("no content"),
        ResponseFormat::Json => {
            let decode = catalog.decoders[op.path];
            decode(&answer.bytes).map(|()| "JSON decoded")
        }
    }
}

/// A binary answer opened by a strict parser of its content type.
fn document(answer: &Answer) -> Result<(), String> {
    match answer.content_type.as_str() {
        "application/pdf" => pdf_text(&answer.bytes).map(drop),
        "application/zip" => {
            let entries = unzip(&answer.bytes)?;
            entries
                .iter()
                .try_for_each(|(_, bytes)| pdf_text(bytes).map(drop))
        }
        other => Err(format!("content type {other:?}")),
    }
}

/// The text of a PDF's pages, read by `lopdf`.
fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| e.to_string())?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.len() != 1 {
        return Err(format!("{} pages", pages.len()));
    }
    doc.extract_text(&pages).map_err(|e| e.to_string())
}

/// Every entry of a ZIP archive, read by the `zip` crate (which checks each entry's CRC-32).
fn unzip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut entries = Vec::new();
    for k in 0..archive.len() {
        let mut entry = archive.by_index(k).map_err(|e| e.to_string())?;
        let mut content = Vec::new();
        entry.read_to_end(&mut content).map_err(|e| e.to_string())?;
        entries.push((entry.name().to_string(), content));
    }
    Ok(entries)
}

#[tokio::test]
async fn every_operation_answers_a_valid_request_without_a_5xx_or_404() {
    let raw = Raw::start().await;
    let catalog = catalog();
    let shared = raw.shared_fill(&catalog).await;
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let (mut broken, mut refused) = (Vec::new(), Vec::new());
    for op in &catalog.ops {
        let (fill, _, _) = raw.item_fill(&shared).await;
        let body = minimal(&op.schema, &fill);
        let answer = raw.send(op.method, &with_params(op.path), &body).await;
        match conforms(op, &answer, &catalog) {
            Ok(kind) => {
                *kinds.entry(kind).or_default() += 1;
                if answer.status != 200 {
                    let code = answer.json()["error_code"].as_str().map(str::to_string);
                    refused.push(format!("{} {}", op.path, code.unwrap_or_default()));
                }
            }
            Err(why) => broken.push(format!("{} {} ({}): {why}", op.method, op.path, op.id)),
        }
    }
    let count = |k: &str| kinds.get(k).copied().unwrap_or(0);
    println!(
        "every operation: {} sent, {} answered JSON that decodes, {} a document, {} no content, \
         {} refused by their flow (4xx), {} broken",
        catalog.ops.len(),
        count("JSON decoded"),
        count("a document"),
        count("no content"),
        count("refused by its flow"),
        broken.len()
    );
    println!("refused by their flow: {}", refused.join(", "));
    assert!(catalog.ops.len() > 300, "{}", catalog.ops.len());
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[tokio::test]
async fn an_examples_answer_names_the_requests_item_and_its_accounts() {
    let raw = Raw::start().await;
    let (fill, item_id, accounts) = raw.item_fill(&Fill::default()).await;
    let token = json!({"access_token": fill.get("access_token").unwrap()});
    let answer = raw.send("POST", "/investments/holdings/get", &token).await;
    assert_eq!(answer.status, 200);
    let answer = answer.json();
    assert_eq!(answer["item"]["item_id"], json!(item_id));
    let served: Vec<&Value> = answer["accounts"].as_array().unwrap().iter().collect();
    assert_eq!(
        served.len(),
        accounts.len(),
        "the example's accounts beyond the Item's dropped"
    );
    for (served, mine) in served.iter().zip(&accounts) {
        for key in ["account_id", "name", "mask", "type", "subtype"] {
            assert_eq!(served[key], mine[key], "{key}");
        }
    }
    let ids: Vec<&Value> = accounts.iter().map(|a| &a["account_id"]).collect();
    for holding in answer["holdings"].as_array().unwrap() {
        assert!(ids.contains(&&holding["account_id"]), "{holding}");
    }
}

#[tokio::test]
async fn an_operation_without_an_example_answers_a_body_synthesized_from_its_schema() {
    let raw = Raw::start().await;
    let catalog = catalog();
    let (fill, item_id, _) = raw.item_fill(&Fill::default()).await;
    for path in ["/application/get", "/item/application/list"] {
        let op = catalog.ops.iter().find(|o| o.path == path).unwrap();
        let answer = raw.send("POST", path, &minimal(&op.schema, &fill)).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.json());
        catalog.decoders[path](&answer.bytes).unwrap();
        assert!(answer.json()["request_id"].is_string(), "{path}");
    }
    let list = minimal(
        &schema_of::<plaid_client::types::ItemApplicationListRequest>(),
        &fill,
    );
    let list = raw
        .send("POST", "/item/application/list", &list)
        .await
        .json();
    let text = list.to_string();
    assert!(
        !text.contains("item_id") || text.contains(&item_id),
        "{text}"
    );
}

#[tokio::test]
async fn binary_operations_answer_documents_a_strict_parser_opens() {
    let raw = Raw::start().await;
    let catalog = catalog();
    let (fill, _, _) = raw.item_fill(&Fill::default()).await;
    let binary = catalog
        .ops
        .iter()
        .filter(|o| o.format == ResponseFormat::Binary);
    let mut seen = 0;
    for op in binary {
        let answer = raw.send("POST", op.path, &minimal(&op.schema, &fill)).await;
        assert_eq!(answer.status, 200, "{}: {}", op.path, answer.json());
        let pdf = match answer.content_type.as_str() {
            "application/zip" => unzip(&answer.bytes).unwrap().remove(0).1,
            _ => answer.bytes.clone(),
        };
        let text = pdf_text(&pdf).unwrap();
        assert!(text.contains(op.id), "{}: {text:?}", op.path);
        seen += 1;
    }
    assert!(seen >= 9, "{seen}");
}

#[tokio::test]
async fn a_statement_download_carries_the_sha256_of_its_bytes() {
    use sha2::Digest;
    let raw = Raw::start().await;
    let (fill, _, _) = raw.item_fill(&Fill::default()).await;
    let body = minimal(
        &schema_of::<plaid_client::types::StatementsDownloadRequest>(),
        &fill,
    );
    let answer = raw.send("POST", "/statements/download", &body).await;
    assert_eq!(answer.content_type, "application/pdf");
    let hash: String = sha2::Sha256::digest(&answer.bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(answer.content_hash, Some(hash));
}

#[tokio::test]
async fn get_operations_answer_with_their_keys_in_headers_and_their_path_parameters() {
    let raw = Raw::start().await;
    let catalog = catalog();
    let answer = raw.send("GET", "/fdx/recipient/rcp-42", &Value::Null).await;
    assert_eq!(answer.status, 200, "{}", answer.json());
    catalog.decoders["/fdx/recipient/{recipientId}"](&answer.bytes).unwrap();
    assert_eq!(answer.json()["recipient_id"], "rcp-42");
    let answer = raw.send("GET", "/fdx/recipients", &Value::Null).await;
    assert_eq!(answer.status, 200, "{}", answer.json());
    let url = format!("{}/fdx/recipients", raw.emulator.base_url());
    let without_keys = raw.http.get(url).send().await.unwrap();
    assert_eq!(
        without_keys.status().as_u16(),
        400,
        "the keys are still required"
    );
}
