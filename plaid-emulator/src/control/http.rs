//! The control API over HTTP, for tests in any language: the calls of [`crate::Emulator`] under
//! the reserved prefix `/emulator/` (no Plaid path starts with it), JSON in and out, no Plaid
//! credentials, neither journaled nor counted. The README's table lists the routes.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::reset::Start;
use super::ItemOptions;
use crate::api::link_login::{self, LinkLogin};
use crate::api::{changes, link, plaid_error};
use crate::model::changes::{Change, ControlError};
use crate::model::plaid_error::PlaidError;
use crate::transport::faults::{Fault, FaultKind, Times};
use crate::transport::rate_limits::RateLimits;
use crate::transport::Emulated;

/// The routes, relative to `/emulator`; `start` is what `/reset` returns to.
pub(crate) fn router(start: Arc<Start>) -> Router<Emulated> {
    Router::new()
        .route("/items", post(create_item))
        .route("/items/{id}", get(item))
        .route("/items/{id}/transactions", get(transactions))
        .route("/items/{id}/transactions/{change}", post(change))
        .route("/faults", post(inject).delete(clear_faults))
        .route("/rate_limits", post(rate_limits))
        .route("/journal", get(journal))
        .route("/counters", get(counters))
        .route("/reset", post(reset))
        .route("/clock", get(super::clock::now))
        .route("/clock/advance", post(super::clock::advance))
        .route("/link/complete", post(link_complete))
        .route("/link/oauth", post(super::oauth::redirect))
        .route("/link/oauth/complete", post(super::oauth::complete))
        .route("/webhooks", get(deliveries))
        .route("/webhooks/rotate_key", post(rotate_key))
        .fallback(|| async { refuse(StatusCode::NOT_FOUND, "no such control route") })
        .layer(Extension(start))
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (status, Json(json!({ "error": why }))).into_response()
}

/// The body as `T`; an empty body is `{}`.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, String> {
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

fn control_error(error: &ControlError) -> Response {
    let status = match error {
        ControlError::UnknownItem { .. } => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    refuse(status, &error.to_string())
}

/// The body of `POST /items`: [`ItemOptions`], and Sandbox credentials if given.
#[derive(Deserialize)]
struct CreateBody {
    #[serde(flatten)]
    options: ItemOptions,
    username: Option<String>,
    password: Option<String>,
}

async fn create_item(State(emu): State<Emulated>, body: Bytes) -> Response {
    let body = match parse::<CreateBody>(&body) {
        Ok(body) => body,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    if body.username.is_none() && body.password.is_none() {
        return Json(super::create_item(&emu, body.options)).into_response();
    }
    let username = body.username.as_deref().unwrap_or("user_good");
    let password = body.password.as_deref().unwrap_or("pass_good");
    match super::sandbox::create_item_as(&emu, body.options, username, password) {
        Ok(item) => Json(item).into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(error.body())).into_response()
        }
    }
}

async fn item(State(emu): State<Emulated>, Path(id): Path<String>) -> Response {
    match super::item(&emu, &id) {
        Some(view) => Json(view).into_response(),
        None => refuse(StatusCode::NOT_FOUND, "no such Item"),
    }
}

async fn transactions(State(emu): State<Emulated>, Path(id): Path<String>) -> Response {
    match super::transactions(&emu, &id) {
        Some(views) => Json(views).into_response(),
        None => refuse(StatusCode::NOT_FOUND, "no such Item"),
    }
}

/// The body of `/items/{id}/transactions/{add|modify|remove}`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ChangeBody {
    count: usize,
    transaction_id: String,
    amount: Option<f64>,
}

async fn change(
    State(emu): State<Emulated>,
    Path((id, what)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body: ChangeBody = match parse(&body) {
        Ok(body) => body,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    let change = match (what.as_str(), body.amount) {
        ("add", _) => Change::Add(body.count.max(1)),
        ("add_pending", _) => Change::AddPending(body.count.max(1)),
        ("post", _) => Change::Post(&body.transaction_id),
        ("modify", Some(amount)) => Change::Modify(&body.transaction_id, amount),
        ("modify", None) => return refuse(StatusCode::BAD_REQUEST, "modify needs an amount"),
        ("remove", _) => Change::Remove(&body.transaction_id),
        _ => {
            let known = "add, add_pending, post, modify or remove";
            return refuse(StatusCode::NOT_FOUND, known);
        }
    };
    match changes::change(&emu.api, &id, change) {
        Ok(added) => Json(json!({ "transaction_ids": added })).into_response(),
        Err(error) => control_error(&error),
    }
}

/// A fault as JSON: `{"kind": "server_error", "status": 503, "operation": "/accounts/get",
/// "item_id": null, "times": {"next": 2}}`; `delay_ms` for `delay`, `page` for
/// `mutation_during_pagination`; `times` is `{"next": n}`, `{"every": n}`, `{"share": f}` or
/// `"always"` (the default).
#[derive(Deserialize)]
struct FaultBody {
    kind: String,
    operation: Option<String>,
    item_id: Option<String>,
    status: Option<u16>,
    delay_ms: Option<u64>,
    page: Option<u32>,
    times: Option<Times>,
}

impl FaultBody {
    fn fault(self) -> Result<Fault, String> {
        let kind = match self.kind.as_str() {
            "server_error" => FaultKind::ServerError {
                status: self.status.unwrap_or(500),
            },
            "drop_connection" => FaultKind::DropConnection,
            "delay" => FaultKind::Delay(Duration::from_millis(self.delay_ms.unwrap_or(0))),
            "rate_limited" => FaultKind::RateLimited,
            "mutation_during_pagination" => FaultKind::MutationDuringPagination {
                page: self.page.unwrap_or(2),
            },
            "item_login_required" => FaultKind::ItemLoginRequired,
            other => return Err(format!("unknown fault kind {other:?}")),
        };
        let mut fault = Fault::new(kind).times(self.times.unwrap_or(Times::Always));
        fault.operation = self.operation;
        fault.item_id = self.item_id;
        Ok(fault)
    }
}

async fn inject(State(emu): State<Emulated>, body: Bytes) -> Response {
    match parse::<FaultBody>(&body).and_then(FaultBody::fault) {
        Ok(fault) => Json(json!({ "fault_id": emu.faults.inject(fault).0 })).into_response(),
        Err(why) => refuse(StatusCode::BAD_REQUEST, &why),
    }
}

async fn clear_faults(State(emu): State<Emulated>) -> Json<Value> {
    emu.faults.clear();
    Json(json!({}))
}

/// Rate limits as JSON: `{"limits": "plaid" | "off", "time_scale": 60.0, "custom": [{"path":
/// "/accounts/get", "per_client": [10, 1000], "per_item": [2, 1000]}]}` (windows in ms).
#[derive(Deserialize, Default)]
#[serde(default)]
struct LimitsBody {
    limits: Option<String>,
    time_scale: Option<f64>,
    custom: Vec<CustomLimit>,
}

#[derive(Deserialize)]
struct CustomLimit {
    path: String,
    per_client: Option<(u32, u64)>,
    per_item: Option<(u32, u64)>,
}

async fn rate_limits(State(emu): State<Emulated>, body: Bytes) -> Response {
    let body: LimitsBody = match parse(&body) {
        Ok(body) => body,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    let mut limits = match body.limits.as_deref() {
        Some("plaid") => RateLimits::plaid_documented(),
        None | Some("off") => RateLimits::off(),
        Some(other) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("unknown limits {other:?}"),
            )
        }
    };
    let limit = |l: Option<(u32, u64)>| {
        l.map_or((0, Duration::ZERO), |(n, ms)| {
            (n, Duration::from_millis(ms))
        })
    };
    for custom in body.custom {
        limits = limits.with(
            &custom.path,
            limit(custom.per_client),
            limit(custom.per_item),
        );
    }
    emu.limits
        .set(limits.time_scale(body.time_scale.unwrap_or(1.0)));
    Json(json!({})).into_response()
}

async fn journal(State(emu): State<Emulated>) -> Response {
    Json(emu.journal.entries()).into_response()
}

async fn counters(State(emu): State<Emulated>) -> Response {
    Json(emu.journal.counters()).into_response()
}

async fn reset(
    State(emu): State<Emulated>,
    Extension(start): Extension<Arc<Start>>,
) -> Json<Value> {
    super::reset::reset(&emu, &start);
    Json(json!({}))
}

/// The longest `GET /emulator/webhooks?settled_ms=` waits.
const MAX_SETTLE: Duration = Duration::from_secs(60);

/// `GET /emulator/webhooks`: the delivery log, [`crate::Emulator::deliveries`]; with
/// `?settled_ms=N`, once every webhook fired has finished
/// ([`crate::Emulator::wait_for_webhooks_settled`], up to N ms, at most a minute; else 408).
async fn deliveries(State(emu): State<Emulated>, uri: Uri) -> Response {
    let log = emu.api.webhooks.delivery.log();
    let settle = uri.query().unwrap_or_default().split('&').find_map(|pair| {
        let ms = pair.strip_prefix("settled_ms=")?;
        Some(ms.parse::<u64>().map_err(|e| format!("settled_ms: {e}")))
    });
    match settle {
        None => Json(log.deliveries()).into_response(),
        Some(Err(why)) => refuse(StatusCode::BAD_REQUEST, &why),
        Some(Ok(ms)) => match log.settled(Duration::from_millis(ms).min(MAX_SETTLE)).await {
            Ok(deliveries) => Json(deliveries).into_response(),
            Err(error) => refuse(StatusCode::REQUEST_TIMEOUT, &error.to_string()),
        },
    }
}

/// `POST /emulator/link/complete` `{"link_token"}` → `{"public_token"}`:
/// [`crate::Emulator::complete_link`] over HTTP; with `username` and `password` (and
/// `mfa_answers`, `institution_id`), [`crate::Emulator::complete_link_as`].
async fn link_complete(State(emu): State<Emulated>, body: Bytes) -> Response {
    plaid_answer(complete_link(&body, &emu))
}

/// [`link::complete`] for a JSON body `{"link_token": ...}`, for a test in another language;
/// a control call: it needs no credentials.
fn complete_link(body: &[u8], emu: &Emulated) -> Result<Vec<u8>, PlaidError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| PlaidError::invalid_body(&format!("the body is not JSON: {e}")))?;
    let link_token = request["link_token"]
        .as_str()
        .ok_or_else(|| PlaidError::missing_fields("link_token"))?;
    let public_token = match link_login(&request)? {
        Some(login) => link_login::complete_as(&emu.api, link_token, &login),
        None => link::complete(&emu.api, link_token),
    }
    .map_err(|e| e.plaid())?;
    serde_json::to_vec(&json!({"public_token": public_token}))
        .map_err(|e| PlaidError::internal(&e.to_string()))
}

/// The user a completion body names, if it names one: `username` and `password` go together.
fn link_login(request: &Value) -> Result<Option<LinkLogin>, PlaidError> {
    let text = |key: &str| request.get(key).and_then(Value::as_str);
    let (username, password) = match (text("username"), text("password")) {
        (None, None) => return Ok(None),
        (Some(u), Some(p)) => (u, p),
        (None, _) => return Err(PlaidError::missing_fields("username")),
        (_, None) => return Err(PlaidError::missing_fields("password")),
    };
    let answers = match request.get("mfa_answers") {
        None | Some(Value::Null) => Vec::new(),
        Some(rounds) => serde_json::from_value(rounds.clone()).map_err(|_| {
            PlaidError::invalid_field("mfa_answers is a list of rounds, each a list of strings")
        })?,
    };
    let mut login = LinkLogin::new(username, password).mfa_answers(answers);
    login.institution_id = text("institution_id").map(str::to_string);
    Ok(Some(login))
}

/// `POST /emulator/webhooks/rotate_key` → `{"kid"}`: [`crate::Emulator::rotate_webhook_key`].
async fn rotate_key(State(emu): State<Emulated>) -> Response {
    let kid = emu.api.webhooks.keys.rotate();
    let answer =
        serde_json::to_vec(&json!({"kid": kid})).map_err(|e| PlaidError::internal(&e.to_string()));
    plaid_answer(answer)
}

/// A control answer that is JSON, or a Plaid error object.
fn plaid_answer(answer: Result<Vec<u8>, PlaidError>) -> Response {
    match answer {
        Ok(json) => ([("content-type", "application/json")], json).into_response(),
        Err(error) => plaid_error::response(error, "emulator-control"),
    }
}
