//! Retry policies.
//!
//! A policy only decides *when* to try again; *whether* a retry is safe is decided by the client
//! before the policy is asked: an operation is retried only when it is read-only
//! (`Operation::READ_ONLY`) or carries an idempotency key, so a retry can never create a second
//! transfer. Which failures are worth retrying is [`crate::Error::is_transient`]: transport
//! errors, timeouts, HTTP 429/`RATE_LIMIT_EXCEEDED` and 5xx (`INTERNAL_SERVER_ERROR`,
//! `PLANNED_MAINTENANCE`). An answer over the size limit ([`crate::Error::ResponseTooLarge`])
//! is never retried, whatever the policy says.
//!
//! Rate limits get their own pace. Plaid counts its limits per minute (docs:
//! `errors-rate-limit-exceeded`, "15 per minute" per Item for `/accounts/get`) and its 429
//! carries no `Retry-After` (none of the documented error responses shows one), so retrying a
//! `RATE_LIMIT_EXCEEDED` after 250 ms would only spend another request of the same window.
//! Without `Retry-After`, [`Backoff`] waits [`Backoff::rate_limit_delay`] (15 s), then twice that,
//! with jitter in the upper half, so its retries reach into the next window.
//!
//! A policy can be set for the client ([`crate::ClientBuilder::retry_policy`]) or for one
//! request ([`crate::PlaidClient::customize`]).

use std::fmt;
use std::time::Duration;

use crate::Error;

/// What a policy knows when it is asked about a failed attempt.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryContext<'a> {
    /// The operation (`operationId`).
    pub operation: &'static str,
    /// The attempt that just failed, from 1.
    pub attempt: u32,
    /// Time since the first attempt started.
    pub elapsed: Duration,
    /// Why it failed.
    pub error: &'a Error,
}

/// Decides whether and when to try a failed, retry-safe request again.
///
/// ```
/// use std::time::Duration;
/// use plaid_client_ext::retry::{RetryContext, RetryPolicy};
///
/// /// Retry rate limits only, once a second, three times.
/// #[derive(Debug)]
/// struct RateLimitsOnly;
/// impl RetryPolicy for RateLimitsOnly {
///     fn next_delay(&self, ctx: &RetryContext<'_>) -> Option<Duration> {
///         (ctx.error.is_rate_limited() && ctx.attempt < 3).then(|| Duration::from_secs(1))
///     }
/// }
/// ```
pub trait RetryPolicy: fmt::Debug + Send + Sync + 'static {
    /// `Some(delay)` to try again after `delay`, `None` to give up and return the error.
    fn next_delay(&self, ctx: &RetryContext<'_>) -> Option<Duration>;
}

/// Never retry.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetry;

impl RetryPolicy for NoRetry {
    fn next_delay(&self, _: &RetryContext<'_>) -> Option<Duration> {
        None
    }
}

/// Exponential backoff with full jitter, capped in attempts and in total time, honouring
/// `Retry-After`, and slower for rate limits.
///
/// The n-th retry waits a random time in `[0, min(max_delay, initial * 2^(n-1))]`, or exactly
/// what `Retry-After` asks (if that is within `max_delay`, else the policy gives up). A
/// rate-limit error without `Retry-After` waits a random time in `[d/2, d]` with
/// `d = min(60 s, rate_limit_delay * 2^(n-1))` (Plaid's limits are per minute). No retry starts
/// after `max_elapsed` from the first attempt.
///
/// The defaults fit the client's default timeouts: `max_elapsed` (90 s) is longer than one
/// attempt's timeout (60 s, [`crate::config::DEFAULT_REQUEST_TIMEOUT`]), so a read that timed out
/// is retried once; a call gives up after about two attempts' time in the worst case.
///
/// ```
/// use std::time::Duration;
/// use plaid_client_ext::retry::Backoff;
///
/// let policy = Backoff {
///     max_attempts: 5,
///     max_elapsed: Duration::from_secs(60),
///     ..Backoff::default()
/// };
/// assert_eq!(policy.initial_delay, Duration::from_millis(250));
/// ```
#[derive(Debug, Clone)]
pub struct Backoff {
    /// Attempts in all, the first included (default 4).
    pub max_attempts: u32,
    /// The first backoff ceiling (default 250 ms).
    pub initial_delay: Duration,
    /// The largest single wait, `Retry-After` included (default 10 s).
    pub max_delay: Duration,
    /// No retry starts later than this after the first attempt (default 90 s).
    pub max_elapsed: Duration,
    /// The first wait after a rate-limit error (`RATE_LIMIT_EXCEEDED`, 429) that came without
    /// `Retry-After` (default 15 s; doubled per retry, at most 60 s).
    pub rate_limit_delay: Duration,
    /// Randomize waits (full jitter; default on). Off gives the ceilings themselves.
    pub jitter: bool,
}

/// The longest wait for a rate limit without `Retry-After`: Plaid's limits are per minute.
pub const MAX_RATE_LIMIT_DELAY: Duration = Duration::from_secs(60);

impl Default for Backoff {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(90),
            rate_limit_delay: Duration::from_secs(15),
            jitter: true,
        }
    }
}

impl RetryPolicy for Backoff {
    fn next_delay(&self, ctx: &RetryContext<'_>) -> Option<Duration> {
        if !ctx.error.is_transient() || ctx.attempt >= self.max_attempts {
            return None;
        }
        let exp = ctx.attempt.saturating_sub(1).min(30);
        // Full jitter for transient failures; the upper half for rate limits, so a retry
        // still reaches into Plaid's next per-minute window.
        let delay = match ctx.error.retry_after() {
            Some(asked) if asked > self.max_delay => return None,
            Some(asked) => asked,
            None if ctx.error.is_rate_limited() => {
                let floor = if self.jitter { 0.5 } else { 1.0 };
                backoff_delay(self.rate_limit_delay, MAX_RATE_LIMIT_DELAY, exp, floor)
            }
            None => {
                let floor = if self.jitter { 0.0 } else { 1.0 };
                backoff_delay(self.initial_delay, self.max_delay, exp, floor)
            }
        };
        (ctx.elapsed + delay <= self.max_elapsed).then_some(delay)
    }
}

/// One exponential backoff delay: the ceiling `min(cap, base × 2^doublings)`, randomized to a
/// uniform time in `[floor × ceiling, ceiling]` (`floor` 0: full jitter; 0.5: the upper half;
/// 1 or more: exactly the ceiling, no randomness).
///
/// The one backoff formula of the workspace: [`Backoff`] uses it for its retries, and
/// plaid-sync for the backoff of a failed pass.
///
/// ```
/// use std::time::Duration;
/// use plaid_client_ext::retry::backoff_delay;
///
/// let (base, cap) = (Duration::from_secs(1), Duration::from_secs(600));
/// assert_eq!(backoff_delay(base, cap, 3, 1.0), Duration::from_secs(8));
/// assert_eq!(backoff_delay(base, cap, 20, 1.0), cap);
/// let jittered = backoff_delay(base, cap, 3, 0.5);
/// assert!(jittered >= Duration::from_secs(4) && jittered <= Duration::from_secs(8));
/// ```
pub fn backoff_delay(base: Duration, cap: Duration, doublings: u32, floor: f64) -> Duration {
    let factor = 1u32.checked_shl(doublings).unwrap_or(u32::MAX);
    let ceiling = base.saturating_mul(factor).min(cap);
    if floor >= 1.0 {
        return ceiling;
    }
    let floor = floor.max(0.0);
    ceiling.mul_f64(floor + fastrand::f64() * (1.0 - floor))
}

/// Parse a `Retry-After` header: delay-seconds (RFC 9110 also allows an HTTP date, which Plaid
/// does not send; such a value is ignored rather than guessed at).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    v.parse::<u64>().ok().map(Duration::from_secs).or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0 && *s < 86_400.0)
            .map(Duration::from_secs_f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportKind;

    fn transport() -> Error {
        Error::Transport {
            operation: "accountsGet",
            kind: TransportKind::Io,
            message: "reset".into(),
            idempotency_key: None,
            idempotent: true,
        }
    }

    fn ctx(attempt: u32, elapsed: Duration, error: &Error) -> RetryContext<'_> {
        RetryContext {
            operation: "accountsGet",
            attempt,
            elapsed,
            error,
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_stops_at_max_attempts() {
        let p = Backoff {
            jitter: false,
            max_attempts: 6,
            max_delay: Duration::from_secs(1),
            ..Backoff::default()
        };
        let e = transport();
        let delays: Vec<_> = (1..=6)
            .map(|a| p.next_delay(&ctx(a, Duration::ZERO, &e)))
            .collect();
        assert_eq!(
            delays,
            vec![
                Some(Duration::from_millis(250)),
                Some(Duration::from_millis(500)),
                Some(Duration::from_secs(1)),
                Some(Duration::from_secs(1)),
                Some(Duration::from_secs(1)),
                None
            ]
        );
    }

    #[test]
    fn jitter_stays_within_the_ceiling() {
        let p = Backoff::default();
        let e = transport();
        for _ in 0..200 {
            let d = p.next_delay(&ctx(3, Duration::ZERO, &e)).unwrap();
            assert!(d <= Duration::from_secs(1), "{d:?}");
        }
    }

    #[test]
    fn total_time_cap_and_non_retryable_errors_stop_retries() {
        let p = Backoff {
            jitter: false,
            ..Backoff::default()
        };
        let e = transport();
        assert_eq!(p.next_delay(&ctx(1, Duration::from_secs(90), &e)), None);
        let invalid = Error::InvalidRequest {
            operation: "x",
            reason: "y".into(),
        };
        assert_eq!(p.next_delay(&ctx(1, Duration::ZERO, &invalid)), None);
        assert_eq!(NoRetry.next_delay(&ctx(1, Duration::ZERO, &e)), None);
    }

    fn rate_limited(retry_after: Option<Duration>) -> Error {
        Error::Api(Box::new(crate::error::ApiError {
            operation: "accountsGet",
            status: 429,
            request_id: None,
            error_type: crate::ErrorType::RateLimitExceeded,
            error_code: crate::ErrorCode::AccountsLimit,
            error_message: String::new(),
            display_message: None,
            documentation_url: None,
            suggested_action: None,
            causes: Vec::new(),
            causes_omitted: 0,
            retry_after,
            idempotency_key: None,
            idempotent: true,
        }))
    }

    /// Plaid's limits are per minute and its 429 has no `Retry-After`: the default policy waits
    /// seconds, not milliseconds, and still fits a retry in its time budget.
    #[test]
    fn rate_limits_without_retry_after_wait_into_the_next_window() {
        let p = Backoff::default();
        let e = rate_limited(None);
        for _ in 0..100 {
            let first = p.next_delay(&ctx(1, Duration::ZERO, &e)).expect("retried");
            assert!(
                first >= Duration::from_millis(7_500) && first <= Duration::from_secs(15),
                "{first:?}"
            );
            let second = p.next_delay(&ctx(2, first, &e)).expect("retried again");
            assert!(second >= Duration::from_secs(15), "{second:?}");
        }
        // Retry-After still wins when Plaid (or a proxy) sends one.
        let asked = rate_limited(Some(Duration::from_secs(2)));
        assert_eq!(
            p.next_delay(&ctx(1, Duration::ZERO, &asked)),
            Some(Duration::from_secs(2))
        );
        let fixed = Backoff {
            jitter: false,
            ..Backoff::default()
        };
        let delays: Vec<_> = (1..=3)
            .map(|a| fixed.next_delay(&ctx(a, Duration::ZERO, &e)))
            .collect();
        assert_eq!(
            delays,
            [15, 30, 60].map(|s| Some(Duration::from_secs(s))).to_vec()
        );
    }

    /// The default budget outlasts one attempt's default timeout: a timed-out read is retried.
    #[test]
    fn a_timed_out_read_is_retried_with_the_defaults() {
        let timeout = Error::Timeout {
            operation: "accountsGet",
            phase: crate::error::TimeoutPhase::Response,
            timeout: Some(crate::config::DEFAULT_REQUEST_TIMEOUT),
            idempotency_key: None,
            idempotent: true,
        };
        let elapsed = crate::config::DEFAULT_REQUEST_TIMEOUT;
        assert!(Backoff::default()
            .next_delay(&ctx(1, elapsed, &timeout))
            .is_some());
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("NaN"), None);
    }
}
