//! What every attempt of one request shares ([`Call`]): the body serialized once, the
//! idempotency key, whether a retry is safe, and the redactor errors use. `send.rs` makes and
//! retries calls; `answer.rs` reads them to build errors; neither depends on the other for it.

use std::time::Duration;

use plaid_client::Operation;

use super::RequestOptions;
use crate::error::Error;
use crate::idempotency;
use crate::redact::Redactor;
use crate::retry::RetryContext;

/// What every attempt of one request shares.
pub(super) struct Call<'a> {
    /// Serialized once; every attempt sends the same bytes (a reference-counted handle).
    pub(super) body: bytes::Bytes,
    /// The idempotency key sent, for keyed operations.
    pub(super) key: Option<String>,
    /// Whether sending it again cannot perform it twice: read-only, or keyed.
    pub(super) idempotent: bool,
    pub(super) options: &'a RequestOptions,
    operation: &'static str,
    /// The client's redactor, also knowing the credentials of this request's body; built the
    /// first time an error (or a recorded request id) needs it.
    redactor: std::sync::OnceLock<Redactor>,
}

impl<'a> Call<'a> {
    /// Fill the key on a copy only when one is missing (the caller's request stays as given),
    /// check it, serialize the request.
    pub(super) fn prepare<O: Operation>(
        request: &O::Request,
        options: &'a RequestOptions,
    ) -> Result<Self, Error>
    where
        O::Request: Clone,
    {
        let invalid = |reason| Error::InvalidRequest {
            operation: O::OPERATION_ID,
            reason,
        };
        let mut filled = idempotency::missing::<O>(request).then(|| request.clone());
        let key = match filled.as_mut() {
            Some(copy) => idempotency::ensure::<O>(copy),
            None => idempotency::checked::<O>(request),
        }
        .map_err(invalid)?;
        let to_send = filled.as_ref().unwrap_or(request);
        let body = bytes::Bytes::from(
            serde_json::to_vec(to_send)
                .map_err(|e| invalid(format!("the request does not serialize to JSON: {e}")))?,
        );
        Ok(Self {
            body,
            idempotent: O::READ_ONLY || key.is_some(),
            key,
            options,
            operation: O::OPERATION_ID,
            redactor: std::sync::OnceLock::new(),
        })
    }

    pub(super) fn redactor(&self, client: &Redactor) -> &Redactor {
        self.redactor
            .get_or_init(|| client.with_request(&self.body))
    }

    /// How long to wait before the next attempt, or `None` to return the error: never for a
    /// request that is not idempotent, nor after an answer over the size limit (the server
    /// would most likely send it again, at the limit's cost each time), else as the policy says.
    pub(super) fn retry_delay(
        &self,
        ctx: &RetryContext<'_>,
        span: &tracing::Span,
    ) -> Option<Duration> {
        let error = ctx.error;
        if matches!(error, Error::ResponseTooLarge { .. }) {
            return None;
        }
        if !self.idempotent {
            if error.is_transient() {
                span.in_scope(|| {
                    tracing::warn!(error = %error, operation = self.operation, "not retrying: a write without an idempotency key")
                });
            }
            return None;
        }
        let delay = self.options.retry.next_delay(ctx)?;
        span.in_scope(|| tracing::warn!(error = %error, ?delay, "retrying"));
        Some(delay)
    }
}
