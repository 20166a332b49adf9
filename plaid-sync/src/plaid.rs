//! The one place where plaid-sync touches `plaid-client-ext` and the generated types.
//!
//! Every request type, every ext API and every generated webhook type the engine uses is named
//! here, so a change of the ext (request constructors, renamed modules) is a change of this
//! file only. The rest of the crate sees [`SyncPage`], `PageStream`, `WebhookMeaning` and
//! `Failure`.

use std::time::Duration;

use futures_util::stream::BoxStream;
use plaid_client_ext::retry::{RetryContext, RetryPolicy};
use plaid_client_ext::sync::SyncEvent;
use plaid_client_ext::webhooks::WebhookEvent;
use plaid_client_ext::{types, ErrorCode};

/// Plaid's documented rate limits: the one table, in `plaid-client`, that the emulator enforces too.
pub use plaid_client_ext::plaid_client::rate_limits;
pub(crate) use plaid_client_ext::retry::backoff_delay;
pub use plaid_client_ext::retry::Backoff;
pub use plaid_client_ext::webhooks::WebhookVerifier;
pub use plaid_client_ext::{Credential, Environment, Error as PlaidError, PlaidClient};

/// One page of `/transactions/sync`: `added`, `modified`, `removed`, `accounts`, `has_more`.
pub type SyncPage = types::TransactionsSyncResponse;
/// A transaction of [`SyncPage::added`] or [`SyncPage::modified`].
pub type Transaction = types::Transaction;
/// An entry of [`SyncPage::removed`].
pub type RemovedTransaction = types::RemovedTransaction;
/// The verified webhook a [`crate::Store::record_webhook`] call takes.
pub type Webhook = WebhookEvent;

/// The steps of one pass of `/transactions/sync` (see `plaid_client_ext::sync`).
pub(crate) type PageStream<'c> = BoxStream<'c, Result<SyncEvent<SyncPage>, PlaidError>>;

pub(crate) use plaid_client_ext::sync::SyncEvent as Step;
/// How often a pass restarts from its first cursor before giving up.
pub(crate) use plaid_client_ext::sync::DEFAULT_MAX_RESTARTS;

/// The endpoint the engine calls, as Plaid's rate-limit table names it.
pub(crate) const SYNC_ENDPOINT: &str = "/transactions/sync";

/// Start one pass of `/transactions/sync` for an Item from `cursor` (`None`: full history).
/// The stream sends a request only when polled, which is what lets the engine pace each page.
pub(crate) fn sync_pages(
    client: &PlaidClient,
    access_token: &str,
    cursor: Option<String>,
    page_size: i64,
) -> PageStream<'static> {
    let mut request = types::TransactionsSyncRequest::new(access_token);
    request.cursor = cursor;
    client.sync(request).page_size(page_size).pages()
}

/// Whether the next poll of a pass's stream sends a request: not after the last page, whose
/// cursor the stream hands out without asking Plaid again.
pub(crate) fn more_pages(page: &SyncPage) -> bool {
    page.has_more
}

/// What a webhook means for the sync engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WebhookMeaning {
    /// New data to fetch with `/transactions/sync`.
    SyncNeeded { item_id: String },
    /// The Item needs its user in Link's update mode; `reason` is the webhook code or the
    /// error code it carries.
    NeedsUser { item_id: String, reason: String },
    /// `LOGIN_REPAIRED`: the user fixed it; sync again.
    Repaired { item_id: String },
    /// `NEW_ACCOUNTS_AVAILABLE`: the user may share more accounts.
    NewAccounts { item_id: String },
    /// A webhook the engine acts on whose body lacks what it needs (`reason` says what).
    Invalid { reason: String },
    /// Nothing for the sync engine (another product's webhook, or an unknown one).
    Ignored { item_id: Option<String> },
}

impl WebhookMeaning {
    /// The Item the webhook is about, if it names one.
    pub(crate) fn item_id(&self) -> Option<&str> {
        match self {
            Self::SyncNeeded { item_id }
            | Self::NeedsUser { item_id, .. }
            | Self::Repaired { item_id }
            | Self::NewAccounts { item_id } => Some(item_id),
            Self::Ignored { item_id } => item_id.as_deref(),
            Self::Invalid { .. } => None,
        }
    }
}

/// The webhooks that mean "sync this Item" (see [`webhook_meaning`]).
const SYNC_WEBHOOKS: &[&str] = &[
    "SYNC_UPDATES_AVAILABLE",
    "DEFAULT_UPDATE",
    "INITIAL_UPDATE",
    "HISTORICAL_UPDATE",
    "TRANSACTIONS_REMOVED",
];

/// The `ITEM` webhooks that park an Item until its user acts.
const USER_WEBHOOKS: &[&str] = &[
    "ERROR",
    "PENDING_EXPIRATION",
    "PENDING_DISCONNECT",
    "USER_PERMISSION_REVOKED",
];

/// Read a verified webhook.
///
/// Plaid docs, `transactions-webhooks` / `api-products-transactions`: `SYNC_UPDATES_AVAILABLE`
/// is the webhook for `/transactions/sync`; `DEFAULT_UPDATE`, `INITIAL_UPDATE`,
/// `HISTORICAL_UPDATE` and `TRANSACTIONS_REMOVED` are still sent "to maintain backwards
/// compatibility", often for the same update, so each of them also just marks the Item due
/// (the engine's dedup turns them into one pass). `api-items`: `ERROR` and
/// `PENDING_EXPIRATION` "can be resolved by having the user go through Link's update mode";
/// after `USER_PERMISSION_REVOKED` "a new Item must be created".
///
/// A body that matched no schema (kept by the verifier as `Unknown`) is read by its
/// `webhook_type`, `webhook_code` and `item_id` alone ([`unknown_meaning`]).
pub(crate) fn webhook_meaning(event: &WebhookEvent) -> WebhookMeaning {
    use WebhookEvent as W;
    let sync = |id: &str| WebhookMeaning::SyncNeeded {
        item_id: id.to_string(),
    };
    let user = |id: &str, reason: &str| WebhookMeaning::NeedsUser {
        item_id: id.to_string(),
        reason: reason.to_string(),
    };
    match event {
        W::SyncUpdatesAvailable(e) => sync(&e.item_id),
        W::DefaultUpdate(e) => sync(&e.item_id),
        W::InitialUpdate(e) => sync(&e.item_id),
        W::HistoricalUpdate(e) => sync(&e.item_id),
        W::TransactionsRemoved(e) => sync(&e.item_id),
        W::ItemError(e) => {
            let reason = e.error.as_ref().map(|x| x.error_code.as_str());
            user(&e.item_id, reason.unwrap_or("ERROR"))
        }
        W::PendingExpiration(e) => user(&e.item_id, "PENDING_EXPIRATION"),
        W::PendingDisconnect(e) => user(&e.item_id, "PENDING_DISCONNECT"),
        W::UserPermissionRevoked(e) => user(&e.item_id, "USER_PERMISSION_REVOKED"),
        W::ItemLoginRepaired(e) => WebhookMeaning::Repaired {
            item_id: e.item_id.as_str().to_string(),
        },
        W::NewAccountsAvailable(e) => match &e.item_id {
            Some(id) => WebhookMeaning::NewAccounts {
                item_id: id.as_str().to_string(),
            },
            None => WebhookMeaning::Ignored { item_id: None },
        },
        W::Unknown {
            webhook_type,
            webhook_code,
            body,
        } => unknown_meaning(webhook_type, webhook_code, body),
        _ => WebhookMeaning::Ignored { item_id: None },
    }
}

/// What a verified body that matched no schema means: a webhook the engine acts on needs only
/// its `item_id` (without one it is [`WebhookMeaning::Invalid`], said so by name, where the
/// generated decoder would report the missing field of whichever schema it tried last).
fn unknown_meaning(
    webhook_type: &str,
    webhook_code: &str,
    body: &serde_json::Value,
) -> WebhookMeaning {
    let item_id = body
        .get("item_id")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let acted_on = match webhook_type {
        "TRANSACTIONS" => SYNC_WEBHOOKS.contains(&webhook_code),
        "ITEM" => USER_WEBHOOKS.contains(&webhook_code) || webhook_code == "LOGIN_REPAIRED",
        _ => false,
    };
    match (acted_on, item_id) {
        (false, item_id) => WebhookMeaning::Ignored { item_id },
        (true, None) => WebhookMeaning::Invalid {
            reason: format!("a {webhook_type} {webhook_code} webhook without `item_id`"),
        },
        (true, Some(item_id)) if webhook_type == "TRANSACTIONS" => {
            WebhookMeaning::SyncNeeded { item_id }
        }
        (true, Some(item_id)) if webhook_code == "LOGIN_REPAIRED" => {
            WebhookMeaning::Repaired { item_id }
        }
        (true, Some(item_id)) => WebhookMeaning::NeedsUser {
            item_id,
            reason: webhook_code.to_string(),
        },
    }
}

/// Decode a webhook body (already verified, see [`WebhookVerifier::verify`], which decodes as
/// this does): a webhook plaid-sync acts on that lacks its `item_id` is an error that says so
/// ([`crate::Error::InvalidWebhook`]); any other body that matches no schema is kept as
/// `Unknown`, as the verifier keeps it.
///
/// ```
/// let body = br#"{"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
///     "initial_update_complete": true, "historical_update_complete": true}"#;
/// let error = plaid_sync::plaid::decode_webhook(body).unwrap_err();
/// assert!(error.to_string().contains("without `item_id`"), "{error}");
/// ```
pub fn decode_webhook(body: &[u8]) -> crate::Result<Webhook> {
    let error = match WebhookEvent::from_json(body) {
        Ok(event) => return Ok(event),
        Err(error) => error,
    };
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| crate::Error::InvalidWebhook(format!("not JSON: {e}")))?;
    let field = |k: &str| {
        value
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (webhook_type, webhook_code) = (field("webhook_type"), field("webhook_code"));
    if webhook_type.is_empty() || webhook_code.is_empty() {
        return Err(crate::Error::InvalidWebhook(format!(
            "no `webhook_type` or `webhook_code`: {error}"
        )));
    }
    if let WebhookMeaning::Invalid { reason } =
        unknown_meaning(&webhook_type, &webhook_code, &value)
    {
        return Err(crate::Error::InvalidWebhook(reason));
    }
    Ok(WebhookEvent::Unknown {
        webhook_type,
        webhook_code,
        body: value,
    })
}

/// `(webhook_type, webhook_code)` of a webhook, for the webhook log.
pub(crate) fn webhook_name(event: &WebhookEvent) -> (String, String) {
    (
        event.webhook_type().to_string(),
        event.webhook_code().to_string(),
    )
}

/// How a failed pass ends, from the ext's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// `RATE_LIMIT_EXCEEDED` / HTTP 429: back off the Item and the endpoint.
    RateLimited { retry_after: Option<Duration> },
    /// The Item needs its user (Plaid docs, `errors-item`: `ITEM_LOGIN_REQUIRED`, ...).
    NeedsUser { reason: String },
    /// Anything else: try again later with backoff.
    Other,
}

/// Classify a failed pass.
pub(crate) fn failure(error: &PlaidError) -> Failure {
    if error.is_rate_limited() {
        return Failure::RateLimited {
            retry_after: error.retry_after(),
        };
    }
    match error.error_code() {
        Some(
            code @ (ErrorCode::ItemLoginRequired
            | ErrorCode::UserPermissionRevoked
            | ErrorCode::AccessNotGranted
            | ErrorCode::NoAccounts
            | ErrorCode::ItemNotFound
            | ErrorCode::ItemLocked
            | ErrorCode::UserSetupRequired
            | ErrorCode::AdditionalConsentRequired
            | ErrorCode::InvalidAccessToken),
        ) => Failure::NeedsUser {
            reason: code.as_str().to_string(),
        },
        _ => Failure::Other,
    }
}

/// The retry policy for the [`PlaidClient`] a worker uses: no retries inside the client.
///
/// Every request that reaches Plaid counts against its rate limits, a retry as much as a first
/// attempt, and a request that timed out on our side may still have been served and counted.
/// So the engine retries transient failures (5xx, timeouts, dropped connections) itself, each
/// attempt under a pacing permit like any other request ([`crate::WorkerConfig::page_retries`]),
/// and backs off the Item and the endpoint after a 429. A client that retried on its own would
/// send requests the pacer never counted.
///
/// ```
/// use plaid_sync::{plaid::{Environment, PlaidClient}, plaid::SyncRetryPolicy};
///
/// let client = PlaidClient::builder(Environment::Sandbox, "id", "secret")
///     .retry_policy(SyncRetryPolicy)
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncRetryPolicy;

impl RetryPolicy for SyncRetryPolicy {
    fn next_delay(&self, _: &RetryContext<'_>) -> Option<Duration> {
        None
    }
}

/// Whether the engine retries a failed page request (under the pacer): a transient failure
/// that is not a rate limit.
pub(crate) fn retryable(error: &PlaidError) -> bool {
    error.is_transient() && !error.is_rate_limited()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: serde_json::Value) -> WebhookEvent {
        WebhookEvent::from_json(json.to_string().as_bytes()).expect("a webhook")
    }

    #[test]
    fn webhooks_map_to_what_they_mean() {
        let sync = event(serde_json::json!({"webhook_type": "TRANSACTIONS",
            "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": "i1",
            "initial_update_complete": true, "historical_update_complete": false,
            "environment": "sandbox"}));
        assert_eq!(
            webhook_meaning(&sync),
            WebhookMeaning::SyncNeeded {
                item_id: "i1".into()
            }
        );
        let login = event(
            serde_json::json!({"webhook_type": "ITEM", "webhook_code": "ERROR",
            "item_id": "i2", "environment": "sandbox", "error": {"error_type": "ITEM_ERROR",
            "error_code": "ITEM_LOGIN_REQUIRED", "error_message": "m", "display_message": null,
            "request_id": "r", "causes": [], "status": 400, "documentation_url": "",
            "suggested_action": null}}),
        );
        assert_eq!(
            webhook_meaning(&login),
            WebhookMeaning::NeedsUser {
                item_id: "i2".into(),
                reason: "ITEM_LOGIN_REQUIRED".into()
            }
        );
        let unknown = event(serde_json::json!({"webhook_type": "TRANSACTIONS",
            "webhook_code": "SOMETHING_NEW", "item_id": "i3"}));
        assert_eq!(
            webhook_meaning(&unknown),
            WebhookMeaning::Ignored {
                item_id: Some("i3".into())
            }
        );
    }
}
