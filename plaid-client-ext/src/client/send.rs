//! The one request path: prepare a request once ([`Call`]), then attempt it and retry as the
//! policy allows, each attempt in a `plaid.request` span and within its timeout, body included.

use std::time::Instant;

use plaid_client::Operation;
use tracing::Instrument;

use super::answer::{Answer, SERVER_TEXT_CHARS};
use super::body::read_bounded;
use super::call::Call;
use super::text::{body_request_id, header};
use super::{PlaidClient, RequestOptions, Response};
use crate::error::Error;
use crate::metrics::{self, AttemptTimer, RequestLabels};
use crate::retry::RetryContext;

impl PlaidClient {
    /// The one request path: fill and check the idempotency key, serialize once, then attempt
    /// and retry as the policy allows, decoding a success body with `decode_body`.
    pub(super) async fn execute<O, T>(
        &self,
        request: &O::Request,
        decode_body: fn(&bytes::Bytes) -> Result<T, String>,
        options: &RequestOptions,
    ) -> Result<Response<T>, Error>
    where
        O: Operation,
        O::Request: Clone,
    {
        let call = Call::prepare::<O>(request, options)?;
        let labels = RequestLabels {
            operation: O::OPERATION_ID,
            server_address: &self.inner.server_address,
        };
        let started = Instant::now();
        let mut attempt: u32 = 1;
        loop {
            let span = self.request_span::<O>(&call, attempt);
            let timer = AttemptTimer::start();
            let outcome = self
                .attempt::<O, T>(&call, decode_body)
                .instrument(span.clone())
                .await;
            let error = match outcome {
                Ok((status, data)) => {
                    metrics::attempt(&labels, timer, Some(status), None);
                    return Ok(Response {
                        data,
                        status,
                        idempotency_key: call.key,
                        attempts: attempt,
                    });
                }
                Err(e) => {
                    metrics::attempt(&labels, timer, metrics::status_of(&e), Some(&e));
                    span.record("error.type", metrics::error_type(&e).as_str());
                    span.in_scope(|| tracing::debug!(error = %e, "attempt failed"));
                    e
                }
            };
            let ctx = RetryContext {
                operation: O::OPERATION_ID,
                attempt,
                elapsed: started.elapsed(),
                error: &error,
            };
            let Some(delay) = call.retry_delay(&ctx, &span) else {
                return Err(error);
            };
            metrics::retry(&labels, &error, delay);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// The `plaid.request` span of one attempt, its attributes named after OpenTelemetry's HTTP
    /// client conventions; the status, error type and request id are recorded when known.
    fn request_span<O: Operation>(&self, call: &Call<'_>, attempt: u32) -> tracing::Span {
        tracing::info_span!(
            "plaid.request",
            operation = O::OPERATION_ID,
            path = O::PATH,
            attempt,
            idempotency_key = call.key.as_deref(),
            http.request.method = "POST",
            server.address = %self.inner.server_address,
            http.response.status_code = tracing::field::Empty,
            "error.type" = tracing::field::Empty,
            request_id = tracing::field::Empty,
        )
    }

    /// One HTTP exchange: the status and decoded body, or what went wrong. The attempt's
    /// timeout runs from here to the end of the body.
    async fn attempt<O: Operation, T>(
        &self,
        call: &Call<'_>,
        decode_body: fn(&bytes::Bytes) -> Result<T, String>,
    ) -> Result<(u16, T), Error> {
        let deadline = tokio::time::Instant::now().checked_add(call.options.timeout);
        let response = self.send_request::<O>(call).await?;
        let answer = self.read_answer::<O>(response, call, deadline).await?;
        let request_id = self.request_id(call, &answer, &tracing::Span::current());
        if answer.is_success() {
            decode_body(&answer.bytes)
                .map(|data| (answer.status, data))
                .map_err(|reason| self.decode_error::<O>(call, &answer, request_id, &reason))
        } else {
            Err(self.api_error::<O>(call, &answer, request_id))
        }
    }

    /// Send the request; the answer's head, or what went wrong before one arrived.
    async fn send_request<O: Operation>(
        &self,
        call: &Call<'_>,
    ) -> Result<reqwest::Response, Error> {
        let url = format!("{}{}", self.inner.base_url, O::PATH);
        let http = &self.inner.http;
        // The headers are set as a whole, not merged one by one into the builder's empty map.
        let mut builder = http.post(url).body(call.body.clone());
        // The client this crate built already times out at the default; only another
        // timeout (`customize().timeout(..)`, or a caller's client) needs one of its own.
        if self.inner.client_timeout != Some(call.options.timeout) {
            builder = builder.timeout(call.options.timeout);
        }
        let request = builder.build().map(|mut request| {
            *request.headers_mut() = self.inner.post_headers.clone();
            request
        });
        let sent = match request {
            Ok(request) => http.execute(request).await,
            Err(e) => Err(e),
        };
        sent.map_err(|e| self.transport_error::<O>(e, false, call))
    }

    /// The whole answer: its status, headers and body, the body read within the size limit and
    /// before `deadline` (see `body.rs`). A redirect is refused before its body is read.
    async fn read_answer<O: Operation>(
        &self,
        mut response: reqwest::Response,
        call: &Call<'_>,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<Answer, Error> {
        let status = response.status().as_u16();
        tracing::Span::current().record("http.response.status_code", status);
        if let Some(refused) = self.redirect_error::<O>(&response, call) {
            return Err(refused);
        }
        // Moved out, not cloned: the answer keeps them; the response is dropped after its body.
        let headers = std::mem::take(response.headers_mut());
        let limit = call.options.max_response_bytes;
        match read_bounded(&mut response, &headers, limit, deadline).await {
            Ok(bytes) => Ok(Answer {
                status,
                headers,
                bytes,
            }),
            Err(e) => Err(self.body_error::<O>(e, status, call)),
        }
    }

    /// Plaid's request id (the `Plaid-Request-Id` header, else the body's `request_id`),
    /// redacted and capped like every text from the server, and recorded on the span. A success
    /// body carries it in the typed response; it is looked for there only when a subscriber
    /// records the span. Errors always need it.
    fn request_id(&self, call: &Call<'_>, answer: &Answer, span: &tracing::Span) -> Option<String> {
        if answer.is_success() && span.is_disabled() {
            return None;
        }
        let raw = header(&answer.headers, "plaid-request-id")
            .or_else(|| body_request_id(&answer.bytes))?;
        let id = call
            .redactor(&self.inner.redactor)
            .redact_capped(&raw, SERVER_TEXT_CHARS);
        span.record("request_id", id.as_str());
        Some(id)
    }
}
