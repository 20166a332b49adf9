//! The options of one request (timeout, retry policy, response size limit) and the one
//! implementation of `send`, `send_operation` and `download` that [`PlaidClient`]'s methods of the
//! same names use.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use plaid_client::{BinaryOperation, JsonOperation, PostOperation, RequestBody};

use super::text::decode;
use super::{PlaidClient, Response, ResponseOf};
use crate::error::Error;
use crate::retry::{NoRetry, RetryPolicy};

/// How one request is sent: its timeout, retry policy and response size limit. The client's defaults come from
/// [`ClientBuilder`]; [`PlaidClient::customize`] changes them for one request.
#[derive(Clone)]
pub(crate) struct RequestOptions {
    /// The timeout of one attempt, from sending to the end of the body.
    pub(crate) timeout: Duration,
    pub(crate) retry: Arc<dyn RetryPolicy>,
    /// The largest body an answer may have, in bytes.
    pub(crate) max_response_bytes: u64,
}

/// One request sent with its own timeout or retry policy, built by [`PlaidClient::customize`]
/// (after async-stripe's `customize()`); everything else (credentials, idempotency keys, typed
/// errors) is the client's.
///
/// ```no_run
/// # async fn run(client: plaid_client_ext::PlaidClient,
/// #     request: plaid_client_ext::types::AccountsBalanceGetRequest)
/// #     -> Result<(), plaid_client_ext::Error> {
/// use std::time::Duration;
///
/// // `/accounts/balance/get` waits on the bank: give it longer, and fail fast instead of retrying.
/// let balances = client
///     .customize()
///     .timeout(Duration::from_secs(120))
///     .no_retries()
///     .send(&request)
///     .await?;
/// # let _ = balances;
/// # Ok(())
/// # }
/// ```
#[must_use = "a customized request does nothing until it is sent"]
pub struct Customize<'c> {
    pub(super) client: &'c PlaidClient,
    /// Borrowed from the client until a setter changes it: `PlaidClient::send` copies nothing.
    pub(super) options: Cow<'c, RequestOptions>,
}

impl fmt::Debug for Customize<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Customize")
            .field("timeout", &self.options.timeout)
            .field("retry", &self.options.retry)
            .field("max_response_bytes", &self.options.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl Customize<'_> {
    /// The timeout of each attempt of this request, from sending to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.to_mut().timeout = timeout;
        self
    }

    /// The retry policy of this request. Whatever it says, a write without an idempotency key is
    /// never retried.
    pub fn retry_policy(mut self, policy: impl RetryPolicy) -> Self {
        self.options.to_mut().retry = Arc::new(policy);
        self
    }

    /// The largest body this request's answer may have, in bytes (the client's default is
    /// [`crate::ClientBuilder::max_response_bytes`]): a larger one fails with
    /// [`crate::Error::ResponseTooLarge`]. For one unusually large download or Asset Report.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.options.to_mut().max_response_bytes = limit;
        self
    }

    /// Send this request once, whatever the client's retry policy.
    pub fn no_retries(self) -> Self {
        self.retry_policy(NoRetry)
    }

    /// [`PlaidClient::send`] with these options.
    pub async fn send<R>(&self, request: &R) -> Result<Response<ResponseOf<R>>, Error>
    where
        R: RequestBody + Clone,
        R::Operation: JsonOperation + PostOperation,
    {
        self.send_operation::<R::Operation>(request).await
    }

    /// [`PlaidClient::send_operation`] with these options.
    pub async fn send_operation<O>(
        &self,
        request: &O::Request,
    ) -> Result<Response<O::Response>, Error>
    where
        O: JsonOperation + PostOperation,
        O::Request: Clone,
    {
        self.client
            .execute::<O, _>(request, decode::<O::Response>, &self.options)
            .await
    }

    /// [`PlaidClient::download`] with these options.
    pub async fn download<R>(&self, request: &R) -> Result<Response<bytes::Bytes>, Error>
    where
        R: RequestBody + Clone,
        R::Operation: BinaryOperation + PostOperation,
    {
        self.client
            .execute::<R::Operation, _>(request, |b| Ok(b.clone()), &self.options)
            .await
    }
}
