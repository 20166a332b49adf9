//! The emulator's clock over HTTP (`model/clock.rs` is the clock): `GET /emulator/clock` reads
//! it and `POST /emulator/clock/advance` `{"ms": N}` moves it, as [`crate::Emulator::now`] and
//! [`crate::Emulator::advance`] do in process. Both answer the time then, as
//! `{"now": "2026-01-01T00:31:00Z", "unix_ms": 1767227460000}`. Whatever follows the clock is
//! brought up to it after each advance ([`moved`]).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::transport::Emulated;

/// The longest one advance may move the clock: ten years, so no arithmetic overflows.
const MAX_ADVANCE: Duration = Duration::from_secs(10 * 366 * 86_400);

/// The body of `POST /emulator/clock/advance`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    /// How far to move the clock, in milliseconds.
    ms: u64,
}

/// The time `at` as the clock routes answer it.
fn time(at: SystemTime) -> Json<Value> {
    let unix_ms = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Json(json!({"now": rfc3339(at), "unix_ms": unix_ms}))
}

/// `GET /emulator/clock`.
pub(crate) async fn now(State(emu): State<Emulated>) -> Json<Value> {
    time(emu.api.model.now())
}

/// `POST /emulator/clock/advance` `{"ms": N}`: the clock moved N ms forward (at most ten years).
pub(crate) async fn advance(State(emu): State<Emulated>, body: Bytes) -> Response {
    let advance: Advance = match serde_json::from_slice(&body) {
        Ok(advance) => advance,
        Err(e) => return refuse(&format!("expected {{\"ms\": N}}: {e}")),
    };
    let by = Duration::from_millis(advance.ms);
    if by > MAX_ADVANCE {
        return refuse("ms must be at most ten years");
    }
    moved(&emu.api, by);
    time(emu.api.model.now()).into_response()
}

/// Move the emulator's clock `by` forward, and bring what follows it up to the new time:
/// recurring transfers bound to no test clock originate what came due, and every Item's
/// pending transactions whose posting day came post and Sandbox logins 30 days old expire
/// (`api::item_clock::catch_up_all`, with their webhooks). [`crate::Emulator::advance`] and
/// `POST /emulator/clock/advance` both come here; call it within the emulator's runtime, which
/// delivers the webhooks.
pub(crate) fn moved(api: &Api, by: Duration) {
    api.model.clock.advance(by);
    // A failure here (the spec's example missing) shows on the recurring transfers' next
    // read, which catches up again.
    let _ = crate::api::transfer_recurring::catch_up(api);
    crate::api::item_clock::catch_up_all(api);
}

fn refuse(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": why }))).into_response()
}
