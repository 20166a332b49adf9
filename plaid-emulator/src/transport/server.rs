//! Every Plaid request: read within a size limit, decided by the injected faults, checked like
//! Plaid checks it (credentials, a JSON object body, a known path) and against the rate limits,
//! then answered by `api/` (the emulated flow of its path, or the spec's example), recorded
//! and journaled. Bad input gets a Plaid error and the emulator keeps serving.

use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::connection::Cut;
use super::faults::{FaultKind, Target};
use super::journal::JournalEntry;
use super::record;
use crate::api::{dispatch, link_web, plaid_error, transactions};
use crate::model::plaid_error::PlaidError;
use crate::transport::Emulated;

/// The largest request body the emulator reads; a larger one is `INVALID_BODY`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How one request was answered, for the journal.
struct Answered {
    response: Response,
    status: Option<u16>,
    error_code: Option<&'static str>,
    rate_limited: bool,
}

impl Answered {
    fn plaid(result: Result<dispatch::Body, PlaidError>, request_id: &str) -> Self {
        match result {
            Ok(body) => Self {
                response: success(body, request_id),
                status: Some(200),
                error_code: None,
                rate_limited: false,
            },
            Err(error) => Self {
                status: Some(error.status),
                error_code: Some(error.error_code),
                rate_limited: error.rate_limited,
                response: plaid_error::response(error, request_id),
            },
        }
    }
}

/// A successful answer: its body with its content type (JSON, a PDF, a ZIP, or none), the
/// request id (docs, `api.txt`: binary answers carry it only in `Plaid-Request-ID`) and a
/// statement's `Plaid-Content-Hash`.
fn success(body: dispatch::Body, request_id: &str) -> Response {
    let mut response = (StatusCode::OK, Body::from(body.bytes)).into_response();
    let headers = response.headers_mut();
    let named = [
        ("content-type", body.content_type.map(str::to_string)),
        ("plaid-request-id", Some(request_id.to_string())),
        ("plaid-content-hash", body.content_hash),
    ];
    for (name, value) in named {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    response
}

/// Every Plaid request (every path outside `/emulator/`; Link for the web's, under
/// `link_web::PREFIX`, are answered at once by `api/link_web/`), answered in a task of its own: a
/// client that gives up (a timeout past an injected delay) closes its connection, which drops
/// this future but not the task, so the request is still served, counted against the limits
/// and journaled, as Plaid would.
pub(crate) async fn handle(State(emu): State<Emulated>, request: Request) -> Response {
    if link_web::serves(request.uri().path()) {
        return link_web_answer(&emu, request).await;
    }
    match tokio::spawn(respond(emu, request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Link for the web (`api/link_web/`): its pages and its panes' steps, which are no API
/// operation, so neither checked for keys, faulted, rate limited nor journaled.
async fn link_web_answer(emu: &Emulated, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, link_web::MAX_STEP_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the body is too large").into_response();
    };
    let answer = link_web::answer(&emu.api, parts.method.as_str(), parts.uri.path(), &bytes);
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = [
        ("content-type", answer.content_type),
        ("cache-control", "no-store"),
    ];
    (status, headers, answer.body).into_response()
}

/// One Plaid request: read, decided by the faults, answered, journaled.
async fn respond(emu: Emulated, request: Request) -> Response {
    let time = SystemTime::now();
    let cut = request
        .extensions()
        .get::<ConnectInfo<Cut>>()
        .map(|c| c.0.clone());
    let request_id = emu.request_id();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
    let parsed: Option<Value> = match bytes.as_ref() {
        // A `GET` operation has no body (`/fdx/recipients`): its request is empty.
        Ok(b) if b.is_empty() && parts.method == Method::GET => Some(Value::Object(Map::new())),
        Ok(b) => serde_json::from_slice(b).ok(),
        Err(_) => None,
    };
    let (item_id, sync_page) = target_of(&emu, path, parsed.as_ref());
    let target = Target {
        path,
        item_id: item_id.as_deref(),
        sync_page,
    };
    let fault = emu.faults.decide(&target, emu.api.model.seed);
    let read = Read {
        parts: &parts,
        bytes: &bytes,
        parsed: parsed.as_ref(),
    };
    let answered = match &fault {
        Some(FaultKind::Delay(delay)) => {
            // Plaid checks a request and counts it against the rate limits when it arrives; a
            // slow answer is slow after that. Counting it when the delay ends instead would
            // move it a whole delay later in the windows than the client that paced it sent
            // it (the flake of issue 29: a 1 s delay against 200 ms of pacing slack).
            let admitted = admit(&emu, &read, &target);
            tokio::time::sleep(*delay).await;
            serve(&emu, admitted, &target, &request_id)
        }
        Some(kind) => faulted(kind, path, cut.as_ref(), &request_id),
        None => serve(&emu, admit(&emu, &read, &target), &target, &request_id),
    };
    if let (Some(200), Some(item)) = (answered.status, target.item_id) {
        emu.faults.item_served(item);
    }
    let entry = JournalEntry {
        time,
        path: path.to_string(),
        item_id: item_id.clone(),
        status: answered.status,
        error_code: answered.error_code.map(str::to_string),
        fault: fault.as_ref().map(FaultKind::name),
        request: parsed.unwrap_or(Value::Null),
    };
    emu.journal.record(entry, answered.rate_limited);
    answered.response
}

/// The answer a fault (other than a delay) gives instead of the handler's.
fn faulted(kind: &FaultKind, path: &str, cut: Option<&Cut>, request_id: &str) -> Answered {
    let error = match kind {
        FaultKind::DropConnection => {
            if let Some(cut) = cut {
                cut.cut();
            }
            return Answered {
                response: StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                status: None,
                error_code: None,
                rate_limited: false,
            };
        }
        FaultKind::ServerError { status } => return server_error(*status),
        FaultKind::RateLimited => PlaidError::rate_limited(path),
        FaultKind::MutationDuringPagination { .. } => PlaidError::mutation_during_pagination(),
        FaultKind::ItemLoginRequired => PlaidError::item_login_required(),
        FaultKind::Delay(_) => PlaidError::internal("a delay is not an answer"),
    };
    Answered::plaid(Err(error), request_id)
}

/// A request as read: its head, its body, and the body as JSON if it is JSON.
struct Read<'a> {
    parts: &'a axum::http::request::Parts,
    bytes: &'a Result<axum::body::Bytes, axum::Error>,
    parsed: Option<&'a Value>,
}

/// The answer of the emulated flow (or the spec's example) to an admitted request.
fn serve(
    emu: &Emulated,
    admitted: Result<(&str, &Value), PlaidError>,
    target: &Target<'_>,
    request_id: &str,
) -> Answered {
    let result = admitted.and_then(|(method, request)| {
        dispatch::answer(&emu.api, method, target.path, request, request_id)
    });
    let bytes = result.as_ref().map(|body| body.bytes.as_slice());
    record::answered(emu.record.as_deref(), target.path, bytes, request_id);
    Answered::plaid(result, request_id)
}

/// A load balancer's error page: HTML, no Plaid error object.
fn server_error(status: u16) -> Answered {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let reason = code.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<html>\r\n<head><title>{0} {reason}</title></head>\r\n<body>\r\n<center><h1>{0} {reason}</h1></center>\r\n</body>\r\n</html>\r\n",
        code.as_u16()
    );
    Answered {
        response: (code, [("content-type", "text/html")], page).into_response(),
        status: Some(code.as_u16()),
        error_code: None,
        rate_limited: false,
    }
}

/// The Item a request's `access_token` names, and for `/transactions/sync` the page of its
/// pass the request asks for.
fn target_of(emu: &Emulated, path: &str, request: Option<&Value>) -> (Option<String>, Option<u32>) {
    let Some(token) = request
        .and_then(|r| r.get("access_token"))
        .and_then(Value::as_str)
    else {
        return (None, None);
    };
    let state = emu.api.model.lock();
    let Some(item) = state
        .access_tokens
        .get(token)
        .and_then(|id| state.items.get(id))
    else {
        return (None, None);
    };
    let page = (path == "/transactions/sync").then(|| {
        let cursor = request
            .and_then(|r| r.get("cursor"))
            .and_then(Value::as_str);
        transactions::pass_page(item, cursor)
    });
    (Some(item.item_id.clone()), page)
}

/// What Plaid checks when a request arrives, in its order: the body's size, a known operation,
/// a JSON object, the credentials, then the rate limits, which count the request if it passes.
fn admit<'a>(
    emu: &Emulated,
    read: &Read<'a>,
    target: &Target<'_>,
) -> Result<(&'a str, &'a Value), PlaidError> {
    let path = target.path;
    let body = read
        .bytes
        .as_ref()
        .map_err(|_| PlaidError::invalid_body("the request body is larger than 1 MiB"))?;
    dispatch::route(&emu.api.routes, read.parts.method.as_str(), path)?;
    let Some(request) = read.parsed else {
        let why = serde_json::from_slice::<Value>(body).err();
        let why = why.map_or_else(String::new, |e| e.to_string());
        return Err(PlaidError::invalid_body(&format!(
            "the body is not JSON: {why}"
        )));
    };
    if !request.is_object() {
        return Err(PlaidError::invalid_body("the body is not a JSON object"));
    }
    check_keys(emu, &read.parts.headers, request)?;
    let method = read.parts.method.as_str();
    if !emu.limits.admit(path, target.item_id, emu.api.model.now()) {
        return Err(PlaidError::rate_limited(path).counted());
    }
    Ok((method, request))
}

/// The credentials, from the `PLAID-CLIENT-ID`/`PLAID-SECRET` headers or the body's
/// `client_id`/`secret` (docs, `api.txt`: either way is accepted).
fn check_keys(emu: &Emulated, headers: &HeaderMap, request: &Value) -> Result<(), PlaidError> {
    let read = |header: &str, field: &str| {
        headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.get(field).and_then(Value::as_str))
    };
    match (
        read("plaid-client-id", "client_id"),
        read("plaid-secret", "secret"),
    ) {
        (Some(id), Some(secret)) => {
            if id == emu.keys.client_id && secret == emu.keys.secret {
                Ok(())
            } else {
                Err(PlaidError::invalid_api_keys())
            }
        }
        (None, None) => Err(PlaidError::missing_fields("client_id, secret")),
        (None, _) => Err(PlaidError::missing_fields("client_id")),
        (_, None) => Err(PlaidError::missing_fields("secret")),
    }
}
