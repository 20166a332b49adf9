//! A Sandbox-like Plaid on 127.0.0.1 for tests, the example and the benchmark: many Items,
//! each with a log of changes served page by page by `/transactions/sync`, faults on demand
//! (5xx, dropped connections, mutation errors, `ITEM_LOGIN_REQUIRED`), optional per-client and
//! per-Item rate limits that answer 429 like Plaid, a `/webhook_verification_key/get` key and
//! webhooks signed with it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use plaid_client_ext::webhooks::WebhookSigner;
use plaid_sync::Credential;
use serde_json::{json, Value};

/// One change in an Item's history.
#[derive(Debug, Clone)]
pub enum Change {
    /// A transaction appears (`added`).
    Add(Txn),
    /// A transaction changes (`modified`).
    Modify(Txn),
    /// A transaction disappears (`removed`).
    Remove(String),
}

/// What the mock knows of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Txn {
    pub id: String,
    pub account_id: String,
    pub amount: f64,
    pub pending: bool,
    pub pending_transaction_id: Option<String>,
    pub name: String,
}

/// The state the application should end with for one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub amount: f64,
    pub pending: bool,
    /// How many committed `added`/`modified` entries carried it: the handler's count of
    /// applications must equal this (once per entry, never twice).
    pub applications: i64,
}

/// Faults, each on every n-th `/transactions/sync` request (0: never).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub server_error_every: u64,
    pub drop_every: u64,
    /// A mutation error, only on a page after the first of a pass.
    pub mutation_every: u64,
    /// Latency of every answer.
    pub latency: Duration,
    /// Every n-th request is served (counted against the limits) but answered `slow_by` late,
    /// past a client's timeout.
    pub slow_every: u64,
    pub slow_by: Duration,
}

/// Rate limits enforced like Plaid's: at most `count` accepted requests in any `window`.
#[derive(Debug, Clone, Copy)]
pub struct MockLimits {
    pub per_client: (usize, Duration),
    pub per_item: (usize, Duration),
}

/// What the mock served.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    pub requests: u64,
    pub pages: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub dropped: u64,
    pub mutations: u64,
    pub slowed: u64,
    pub first_page: Option<Instant>,
    pub last_page: Option<Instant>,
}

#[derive(Debug, Default)]
struct MockItem {
    item_id: String,
    log: Vec<Change>,
    login_required: bool,
    window: VecDeque<Instant>,
}

#[derive(Debug, Default)]
struct MockState {
    items: HashMap<String, MockItem>,
    tokens: HashMap<String, String>,
    faults: Faults,
    limits: Option<MockLimits>,
    client_window: VecDeque<Instant>,
    counters: Counters,
}

/// The running mock. Cheap to clone.
#[derive(Clone)]
pub struct MockPlaid {
    pub url: String,
    state: Arc<Mutex<MockState>>,
    signer: Arc<WebhookSigner>,
}

pub const KEY_ID: &str = "mock-key-1";

impl MockPlaid {
    /// Start on 127.0.0.1 on a free port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let mock = Self {
            url,
            state: Arc::default(),
            signer: Arc::new(WebhookSigner::random(KEY_ID)),
        };
        let app = Router::new()
            .route("/transactions/sync", post(sync))
            .route("/webhook_verification_key/get", post(verification_key))
            .with_state(mock.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(mock)
    }

    fn lock(&self) -> MutexGuard<'_, MockState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Add an Item with `history` transactions (every fifth one pending); returns its token.
    pub fn add_item(&self, item_id: &str, history: usize) -> String {
        let token = format!("access-sandbox-{item_id}");
        let mut item = MockItem {
            item_id: item_id.to_string(),
            ..MockItem::default()
        };
        item.log = (0..history).map(|k| Change::Add(txn(item_id, k))).collect();
        let mut state = self.lock();
        state.tokens.insert(item_id.to_string(), token.clone());
        state.items.insert(token.clone(), item);
        token
    }

    /// A new update for an Item: `new` transactions added, every pending one posted (the
    /// posted one added with `pending_transaction_id`, the pending one removed), and the
    /// first `modify` non-pending ones modified.
    pub fn update(&self, item_id: &str, new: usize, modify: usize) {
        let mut state = self.lock();
        let Some(token) = state.tokens.get(item_id).cloned() else {
            return;
        };
        let Some(item) = state.items.get_mut(&token) else {
            return;
        };
        let current = apply(&item.log);
        let mut changes = Vec::new();
        for t in current.values().filter(|t| t.pending) {
            let mut posted = t.clone();
            posted.id = format!("{}-posted", t.id);
            posted.pending = false;
            posted.pending_transaction_id = Some(t.id.clone());
            posted.amount += 0.5;
            changes.push(Change::Add(posted));
            changes.push(Change::Remove(t.id.clone()));
        }
        for t in current.values().filter(|t| !t.pending).take(modify) {
            let mut changed = t.clone();
            changed.amount += 100.0;
            changes.push(Change::Modify(changed));
        }
        let base = item.log.len();
        changes.extend((0..new).map(|k| Change::Add(txn(item_id, base + k))));
        item.log.extend(changes);
    }

    /// The cursor a complete sync of the Item ends at.
    pub fn final_cursor(&self, item_id: &str) -> Option<String> {
        let state = self.lock();
        let token = state.tokens.get(item_id)?;
        let item = state.items.get(token)?;
        Some(cursor(&item.item_id, item.log.len()))
    }

    /// The rows an application should hold for the Item after a complete sync.
    pub fn expected(&self, item_id: &str) -> BTreeMap<String, Expected> {
        let state = self.lock();
        let Some(item) = state.tokens.get(item_id).and_then(|t| state.items.get(t)) else {
            return BTreeMap::new();
        };
        let mut counts: HashMap<&str, i64> = HashMap::new();
        for change in &item.log {
            if let Change::Add(t) | Change::Modify(t) = change {
                *counts.entry(t.id.as_str()).or_default() += 1;
            }
        }
        apply(&item.log)
            .into_iter()
            .map(|(id, t)| {
                let applications = counts.get(id.as_str()).copied().unwrap_or(0);
                let e = Expected {
                    amount: t.amount,
                    pending: t.pending,
                    applications,
                };
                (id, e)
            })
            .collect()
    }

    /// Access tokens of every Item, as the application's vault would hold them.
    pub fn tokens(&self) -> HashMap<String, Credential> {
        let state = self.lock();
        let pairs = state.tokens.iter();
        pairs
            .map(|(i, t)| (i.clone(), Credential::new(t)))
            .collect()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    pub fn set_limits(&self, limits: Option<MockLimits>) {
        self.lock().limits = limits;
    }

    pub fn set_login_required(&self, item_id: &str, required: bool) {
        let mut state = self.lock();
        if let Some(token) = state.tokens.get(item_id).cloned() {
            if let Some(item) = state.items.get_mut(&token) {
                item.login_required = required;
            }
        }
    }

    pub fn counters(&self) -> Counters {
        self.lock().counters.clone()
    }

    /// A webhook body for the Item, as Plaid sends it.
    pub fn webhook_body(webhook_type: &str, webhook_code: &str, item_id: &str) -> Value {
        let mut body = json!({"webhook_type": webhook_type, "webhook_code": webhook_code,
            "item_id": item_id, "environment": "sandbox"});
        match webhook_code {
            "SYNC_UPDATES_AVAILABLE" => {
                body["initial_update_complete"] = json!(true);
                body["historical_update_complete"] = json!(true);
            }
            "DEFAULT_UPDATE" | "INITIAL_UPDATE" | "HISTORICAL_UPDATE" => {
                body["new_transactions"] = json!(1);
                body["error"] = Value::Null;
            }
            "PENDING_EXPIRATION" => {
                body["consent_expiration_time"] = json!("2030-01-01T00:00:00Z");
            }
            "WEBHOOK_UPDATE_ACKNOWLEDGED" => {
                body["new_webhook_url"] = json!("https://example.com/plaid");
                body["error"] = Value::Null;
            }
            _ => {}
        }
        body
    }

    /// The `Plaid-Verification` JWT for `body`, signed with the key the mock serves.
    pub fn sign(&self, body: &[u8]) -> String {
        self.signer.sign_now(body)
    }

    /// The answer, and how long to hold it back beyond the usual latency.
    fn answer(&self, request: &Value) -> (Answer, Duration) {
        let answer = self.serve(request);
        let mut state = self.lock();
        let faults = state.faults.clone();
        let n = state.counters.requests;
        if matches!(answer, Answer::Json(200, _))
            && faults.slow_every > 0
            && n.is_multiple_of(faults.slow_every)
        {
            state.counters.slowed += 1;
            return (answer, faults.slow_by);
        }
        (answer, Duration::ZERO)
    }

    fn serve(&self, request: &Value) -> Answer {
        let mut guard = self.lock();
        let state = &mut *guard;
        state.counters.requests += 1;
        let n = state.counters.requests;
        let token = request["access_token"].as_str().unwrap_or_default();
        let position = request["cursor"]
            .as_str()
            .and_then(|c| c.rsplit(':').next()?.parse::<usize>().ok())
            .unwrap_or(0);
        let count = request["count"].as_u64().unwrap_or(100).max(1) as usize;
        let faults = state.faults.clone();
        let every = |k: u64| k > 0 && n.is_multiple_of(k);
        if every(faults.server_error_every) {
            state.counters.server_errors += 1;
            return error(500, "API_ERROR", "INTERNAL_SERVER_ERROR");
        }
        if every(faults.drop_every) {
            state.counters.dropped += 1;
            return Answer::Drop;
        }
        let Some(item) = state.items.get_mut(token) else {
            return error(400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
        };
        if item.login_required {
            return error(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
        }
        if position > 0 && every(faults.mutation_every) {
            state.counters.mutations += 1;
            return error(
                400,
                "TRANSACTIONS_ERROR",
                "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
            );
        }
        let now = Instant::now();
        if let Some(limits) = state.limits {
            let client_full = full(&mut state.client_window, limits.per_client, now);
            let item_full = full(&mut item.window, limits.per_item, now);
            if client_full || item_full {
                state.counters.rate_limited += 1;
                return error(429, "RATE_LIMIT_EXCEEDED", "TRANSACTIONS_SYNC_LIMIT");
            }
            state.client_window.push_back(now);
            item.window.push_back(now);
        }
        let page = page(item, position, count);
        state.counters.pages += 1;
        state.counters.first_page.get_or_insert(now);
        state.counters.last_page = Some(now);
        Answer::Json(200, page)
    }
}

/// Whether one more request would exceed `count` in the sliding `window`.
fn full(window: &mut VecDeque<Instant>, (count, period): (usize, Duration), now: Instant) -> bool {
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= period)
    {
        window.pop_front();
    }
    window.len() >= count
}

enum Answer {
    Json(u16, Value),
    Drop,
}

fn error(status: u16, error_type: &str, error_code: &str) -> Answer {
    Answer::Json(
        status,
        json!({"error_type": error_type, "error_code": error_code,
            "error_message": format!("mock: {error_code}"), "display_message": null,
            "request_id": "mock-request"}),
    )
}

fn cursor(item_id: &str, position: usize) -> String {
    format!("{item_id}:{position}")
}

fn txn(item_id: &str, k: usize) -> Txn {
    Txn {
        id: format!("{item_id}-t{k}"),
        account_id: format!("{item_id}-acc{}", k % 2),
        amount: k as f64 + 0.25,
        pending: k % 5 == 4,
        pending_transaction_id: None,
        name: format!("Purchase {k}"),
    }
}

/// Replay a log into the transactions it leaves.
fn apply(log: &[Change]) -> BTreeMap<String, Txn> {
    let mut out = BTreeMap::new();
    for change in log {
        match change {
            Change::Add(t) | Change::Modify(t) => {
                out.insert(t.id.clone(), t.clone());
            }
            Change::Remove(id) => {
                out.remove(id);
            }
        }
    }
    out
}

fn page(item: &MockItem, position: usize, count: usize) -> Value {
    let end = (position + count).min(item.log.len());
    let (mut added, mut modified, mut removed) = (vec![], vec![], vec![]);
    for change in item.log.get(position..end).unwrap_or_default() {
        match change {
            Change::Add(t) => added.push(transaction_json(t)),
            Change::Modify(t) => modified.push(transaction_json(t)),
            Change::Remove(id) => removed.push(json!({"transaction_id": id})),
        }
    }
    json!({"added": added, "modified": modified, "removed": removed, "accounts": [],
        "next_cursor": cursor(&item.item_id, end.max(position)), "has_more": end < item.log.len(),
        "request_id": "mock-request", "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE"})
}

/// A transaction as Plaid's docs show one (`api-products-transactions`, the sync example).
fn transaction_json(t: &Txn) -> Value {
    json!({
        "account_id": t.account_id, "amount": t.amount, "iso_currency_code": "USD",
        "unofficial_currency_code": null, "category": null, "category_id": null,
        "check_number": null, "date": "2024-02-03", "datetime": null,
        "authorized_date": null, "authorized_datetime": null,
        "location": {"address": null, "city": null, "region": null, "postal_code": null,
            "country": null, "lat": null, "lon": null, "store_number": null},
        "name": t.name, "merchant_name": null,
        "payment_meta": {"by_order_of": null, "payee": null, "payer": null,
            "payment_method": null, "payment_processor": null, "ppd_id": null, "reason": null,
            "reference_number": null},
        "payment_channel": "online", "pending": t.pending,
        "pending_transaction_id": t.pending_transaction_id,
        "personal_finance_category": null, "account_owner": null,
        "transaction_id": t.id, "transaction_code": null, "counterparties": []
    })
}

async fn sync(State(mock): State<MockPlaid>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (answer, slow_by) = mock.answer(&request);
    let latency = mock.lock().faults.latency + slow_by;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match answer {
        Answer::Json(status, value) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                [("content-type", "application/json")],
                value.to_string(),
            )
                .into_response()
        }
        // Headers go out, then the connection breaks in the middle of the body.
        Answer::Drop => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"{\"added\": [")),
                Err(std::io::Error::other("connection dropped by the mock")),
            ];
            let body = Body::from_stream(futures_util::stream::iter(chunks));
            (StatusCode::OK, [("content-type", "application/json")], body).into_response()
        }
    }
}

async fn verification_key(State(mock): State<MockPlaid>) -> Response {
    let body = mock.signer.key_response("mock-request");
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}
