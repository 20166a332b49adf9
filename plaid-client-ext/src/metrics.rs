//! Metrics of every request, through the [`metrics`](https://docs.rs/metrics) facade (feature
//! `metrics`, off by default; with it off, every function here is empty and inlined away).
//!
//! Names and attributes follow OpenTelemetry's HTTP client conventions where one exists:
//!
//! | metric | kind | attributes |
//! |---|---|---|
//! | `http.client.request.duration` | histogram, seconds, one per attempt | `plaid.operation`, `http.request.method`, `server.address`, `http.response.status_code` (when an answer came), `error.type` (when the attempt failed) |
//! | `plaid.client.requests` | counter, one per attempt | `plaid.operation`, `outcome` (`2xx`, `4xx`, `5xx`, `timeout`, `transport`, `redirect`, `too_large`, `invalid`), `error.type` |
//! | `plaid.client.retries` | counter, one per retry | `plaid.operation`, `error.type` |
//! | `plaid.client.rate_limit.wait` | histogram, seconds, one per retry after a 429 | `plaid.operation` |
//!
//! `error.type` is Plaid's `error_code` for an error object (`RATE_LIMIT_EXCEEDED`,
//! `ITEM_LOGIN_REQUIRED`, ...), else the kind of failure (`timeout`, `transport`, `decode`,
//! `redirect`, `too_large`). No attribute carries a credential, a token or a request body.
//!
//! Any `metrics` recorder receives them; with Prometheus (`metrics-exporter-prometheus`),
//! `PrometheusBuilder::new().install()?` before building the client is all it takes.

use std::time::Duration;

use crate::error::Error;

/// The start of one attempt: a real clock with the feature, nothing without it.
#[derive(Clone, Copy)]
pub(crate) struct AttemptTimer {
    #[cfg(feature = "metrics")]
    started: std::time::Instant,
}

impl AttemptTimer {
    #[inline(always)]
    pub(crate) fn start() -> Self {
        Self {
            #[cfg(feature = "metrics")]
            started: std::time::Instant::now(),
        }
    }
}

/// What one attempt of a request is known by.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
pub(crate) struct RequestLabels<'a> {
    pub(crate) operation: &'static str,
    pub(crate) server_address: &'a str,
}

/// `error.type` of a failed attempt (also recorded on the `plaid.request` span).
pub(crate) fn error_type(error: &Error) -> String {
    match error {
        Error::Api(e) => e.error_code.as_str().to_string(),
        Error::Timeout { .. } => "timeout".into(),
        Error::Transport { .. } => "transport".into(),
        Error::Decode(_) => "decode".into(),
        Error::Redirect { .. } => "redirect".into(),
        Error::ResponseTooLarge { .. } => "too_large".into(),
        _ => "invalid".into(),
    }
}

/// `outcome` of an attempt: the status class of the answer, or the kind of failure.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
fn outcome(status: Option<u16>, error: Option<&Error>) -> &'static str {
    match (status, error) {
        (_, Some(Error::Timeout { .. })) => "timeout",
        (_, Some(Error::Transport { .. })) => "transport",
        (_, Some(Error::Redirect { .. })) => "redirect",
        (_, Some(Error::ResponseTooLarge { .. })) => "too_large",
        (Some(200..=299), _) => "2xx",
        (Some(400..=499), _) => "4xx",
        (Some(500..=599), _) => "5xx",
        _ => "invalid",
    }
}

/// The HTTP status an error came with, when an answer arrived.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
pub(crate) fn status_of(error: &Error) -> Option<u16> {
    match error {
        Error::Api(e) => Some(e.status),
        Error::Decode(d) => Some(d.status),
        Error::Redirect { status, .. } | Error::ResponseTooLarge { status, .. } => Some(*status),
        _ => None,
    }
}

/// Record one attempt: its duration and its outcome.
#[cfg(feature = "metrics")]
pub(crate) fn attempt(
    labels: &RequestLabels<'_>,
    timer: AttemptTimer,
    status: Option<u16>,
    error: Option<&Error>,
) {
    let elapsed = timer.started.elapsed().as_secs_f64();
    let mut attributes = vec![
        ("plaid.operation", labels.operation.to_string()),
        ("http.request.method", "POST".to_string()),
        ("server.address", labels.server_address.to_string()),
    ];
    if let Some(status) = status {
        attributes.push(("http.response.status_code", status.to_string()));
    }
    let error_type = error.map(error_type);
    if let Some(kind) = &error_type {
        attributes.push(("error.type", kind.clone()));
    }
    metrics::histogram!("http.client.request.duration", &attributes).record(elapsed);
    let mut counted = vec![
        ("plaid.operation", labels.operation.to_string()),
        ("outcome", outcome(status, error).to_string()),
    ];
    if let Some(kind) = error_type {
        counted.push(("error.type", kind));
    }
    metrics::counter!("plaid.client.requests", &counted).increment(1);
}

/// Record one attempt (feature `metrics` off: nothing).
#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn attempt(
    _labels: &RequestLabels<'_>,
    _timer: AttemptTimer,
    _status: Option<u16>,
    _error: Option<&Error>,
) {
}

/// Record a retry after `error`, waiting `delay`.
#[cfg(feature = "metrics")]
pub(crate) fn retry(labels: &RequestLabels<'_>, error: &Error, delay: Duration) {
    let operation = ("plaid.operation", labels.operation.to_string());
    metrics::counter!(
        "plaid.client.retries",
        &[operation.clone(), ("error.type", error_type(error))]
    )
    .increment(1);
    if error.is_rate_limited() {
        metrics::histogram!("plaid.client.rate_limit.wait", &[operation])
            .record(delay.as_secs_f64());
    }
}

/// Record a retry (feature `metrics` off: nothing).
#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn retry(_labels: &RequestLabels<'_>, _error: &Error, _delay: Duration) {}
