//! The one request path: prepare a request once ([`Call`]), then attempt it and retry as the
//! policy allows, each attempt in a `plaid.request` span.

use std::time::Instant;

use plaid_client::Operation;
use tracing::Instrument;

use super::answer::{Answer, SERVER_TEXT_CHARS};
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

    /// One HTTP exchange: the status and decoded body, or what went wrong.
    async fn attempt<O: Operation, T>(
        &self,
        call: &Call<'_>,
        decode_body: fn(&bytes::Bytes) -> Result<T, String>,
    ) -> Result<(u16, T), Error> {
        let span = tracing::Span::current();
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
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return Err(self.transport_error::<O>(e, false, call)),
        };
        let status = response.status().as_u16();
        span.record("http.response.status_code", status);
        if let Some(refused) = self.redirect_error::<O>(&response, call) {
            return Err(refused);
        }
        // Moved out, not cloned: the body read below consumes the response.
        let headers = std::mem::take(response.headers_mut());
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.transport_error::<O>(e, true, call)),
        };
        let answer = Answer {
            status,
            headers,
            bytes,
        };
        let request_id = self.request_id(call, &answer, &span);
        let result = if answer.is_success() {
            decode_body(&answer.bytes)
                .map(|data| (status, data))
                .map_err(|reason| self.decode_error::<O>(call, &answer, request_id, &reason))
        } else {
            Err(self.api_error::<O>(call, &answer, request_id))
        };
        if let Err(e) = &result {
            span.record("error.type", metrics::error_type(e).as_str());
            tracing::debug!(error = %e, "attempt failed");
        }
        result
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
