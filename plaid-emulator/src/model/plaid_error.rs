//! Plaid's error object as a value, with the codes and HTTP statuses Plaid documents (docs:
//! `errors-invalid-input.txt`, `errors-invalid-request.txt`, `errors-item.txt`): what a
//! request is refused with, what an Item's error is, what a webhook carries. How it is sent
//! over HTTP is `api/plaid_error.rs`.

use serde_json::json;

/// One Plaid error: its type, code and status.
#[derive(Debug, Clone)]
pub(crate) struct PlaidError {
    /// The HTTP status it is answered with.
    pub(crate) status: u16,
    pub(crate) error_type: &'static str,
    pub(crate) error_code: &'static str,
    pub(crate) message: String,
    /// Refused by the emulated rate limits (the journal counts it in `Counters::rate_limited`).
    pub(crate) rate_limited: bool,
}

impl PlaidError {
    /// An error of this status, type, code and message.
    pub(crate) fn new(
        status: u16,
        error_type: &'static str,
        error_code: &'static str,
        message: &str,
    ) -> Self {
        Self {
            status,
            error_type,
            error_code,
            message: message.to_string(),
            rate_limited: false,
        }
    }

    /// `INVALID_INPUT` / `INVALID_API_KEYS`: the client id or secret is wrong.
    pub(crate) fn invalid_api_keys() -> Self {
        Self::new(
            400,
            "INVALID_INPUT",
            "INVALID_API_KEYS",
            "invalid client_id or secret provided",
        )
    }

    /// `INVALID_REQUEST` / `MISSING_FIELDS`.
    pub(crate) fn missing_fields(what: &str) -> Self {
        let message = format!("the following required fields are missing: {what}");
        Self::new(400, "INVALID_REQUEST", "MISSING_FIELDS", &message)
    }

    /// `INVALID_REQUEST` / `INVALID_BODY`: not JSON, or too large.
    pub(crate) fn invalid_body(why: &str) -> Self {
        Self::new(400, "INVALID_REQUEST", "INVALID_BODY", why)
    }

    /// `INVALID_REQUEST` / `UNKNOWN_FIELDS`: fields the endpoint does not have (docs,
    /// `errors-invalid-request.txt`).
    pub(crate) fn unknown_fields(what: &str) -> Self {
        let message = format!("the following fields are not recognized by this endpoint: {what}");
        Self::new(400, "INVALID_REQUEST", "UNKNOWN_FIELDS", &message)
    }

    /// `INVALID_REQUEST` / `INVALID_FIELD`.
    pub(crate) fn invalid_field(why: &str) -> Self {
        Self::new(400, "INVALID_REQUEST", "INVALID_FIELD", why)
    }

    /// `INVALID_REQUEST` / `NOT_FOUND`: no such endpoint (docs, `errors-invalid-request.txt`:
    /// "The endpoint requested does not exist"), also a known path with another method, since
    /// Plaid's endpoints are `POST` only and its docs give no 405. Plaid's error page says HTTP
    /// 400; the emulator answers 404, so a wrong base path is told apart from a wrong body at a
    /// glance.
    pub(crate) fn not_found() -> Self {
        Self::new(404, "INVALID_REQUEST", "NOT_FOUND", "not found")
    }

    /// `INVALID_INPUT` / `INVALID_PUBLIC_TOKEN`: unknown, expired or already exchanged.
    pub(crate) fn invalid_public_token() -> Self {
        Self::new(400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN", "provided public token is in an invalid format. expected format: public-<environment>-<identifier>")
    }

    /// `INVALID_INPUT` / `INVALID_ACCESS_TOKEN`.
    pub(crate) fn invalid_access_token() -> Self {
        Self::new(400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", "provided access token is in an invalid format. expected format: access-<environment>-<identifier>")
    }

    /// `INVALID_INPUT` / `INVALID_ACCOUNT_ID`: an `account_ids` entry the Item does not have
    /// (docs, `errors-invalid-input.txt`, HTTP 400).
    pub(crate) fn invalid_account_id() -> Self {
        Self::new(
            400,
            "INVALID_INPUT",
            "INVALID_ACCOUNT_ID",
            "failed to find requested account ID for requested item",
        )
    }

    /// `ITEM_ERROR` / `ITEM_NOT_FOUND`: the Item was removed.
    pub(crate) fn item_not_found() -> Self {
        Self::new(400, "ITEM_ERROR", "ITEM_NOT_FOUND", "The Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.")
    }

    /// `INVALID_INPUT` / `INVALID_WEBHOOK_VERIFICATION_KEY_ID`: no key of that `kid`.
    pub(crate) fn invalid_webhook_key_id() -> Self {
        Self::new(
            400,
            "INVALID_INPUT",
            "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
            "invalid key_id provided",
        )
    }

    /// `RATE_LIMIT_EXCEEDED` with `path`'s code, HTTP 429 (docs: `errors-rate-limit-exceeded.txt`).
    pub(crate) fn rate_limited(path: &str) -> Self {
        Self::new(
            429,
            "RATE_LIMIT_EXCEEDED",
            rate_limit_code(path),
            "rate limit exceeded for attempts to access this item. please try again later",
        )
    }

    /// This error came from the emulated rate limits.
    pub(crate) fn counted(mut self) -> Self {
        self.rate_limited = true;
        self
    }

    /// `TRANSACTIONS_ERROR` / `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION` (docs:
    /// `errors-transactions.txt`).
    pub(crate) fn mutation_during_pagination() -> Self {
        Self::new(400, "TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION", "Underlying transaction data changed since last page was fetched. Please restart pagination from last update.")
    }

    /// `ITEM_ERROR` / `ITEM_LOGIN_REQUIRED`: the Item needs Link's update mode (docs,
    /// `errors-item.txt`: HTTP 400, "frequently encountered during a /[product]/get request").
    pub(crate) fn item_login_required() -> Self {
        Self::new(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state")
    }

    /// `ITEM_ERROR` / `USER_PERMISSION_REVOKED` (docs, `api-items.txt`, its webhook).
    pub(crate) fn user_permission_revoked() -> Self {
        Self::new(400, "ITEM_ERROR", "USER_PERMISSION_REVOKED", "the holder of this account has revoked their permission for your application to access it")
    }

    /// `INVALID_INPUT` / `INVALID_LINK_TOKEN`: unknown or expired (docs,
    /// `errors-invalid-input.txt`).
    pub(crate) fn invalid_link_token() -> Self {
        Self::new(
            400,
            "INVALID_INPUT",
            "INVALID_LINK_TOKEN",
            "invalid link_token provided",
        )
    }

    /// `SANDBOX_ERROR` / `SANDBOX_PRODUCT_NOT_ENABLED` (docs, `errors-sandbox.txt`).
    pub(crate) fn sandbox_product_not_enabled(product: &str) -> Self {
        let message = format!("The {product} product is not enabled on this item");
        Self::new(
            400,
            "SANDBOX_ERROR",
            "SANDBOX_PRODUCT_NOT_ENABLED",
            &message,
        )
    }

    /// `SANDBOX_ERROR` / `SANDBOX_WEBHOOK_INVALID`: the Item has no webhook URL.
    pub(crate) fn sandbox_webhook_invalid() -> Self {
        Self::new(400, "SANDBOX_ERROR", "SANDBOX_WEBHOOK_INVALID", "Webhook for this item is either not set up, or invalid. Please update the item's webhook and try again.")
    }

    /// `SANDBOX_ERROR` / `SANDBOX_TRANSFER_EVENT_TRANSITION_INVALID`.
    pub(crate) fn transfer_event_transition_invalid() -> Self {
        Self::new(
            400,
            "SANDBOX_ERROR",
            "SANDBOX_TRANSFER_EVENT_TRANSITION_INVALID",
            "The provided simulated event type is incompatible with the current transfer status",
        )
    }

    /// `TRANSFER_ERROR` / `TRANSFER_NOT_CANCELLABLE` (docs, `errors-transfer.txt`: "already
    /// been sent to the network for execution and cannot be cancelled at this stage").
    pub(crate) fn transfer_not_cancellable() -> Self {
        Self::new(
            400,
            "TRANSFER_ERROR",
            "TRANSFER_NOT_CANCELLABLE",
            "transfer is not cancellable",
        )
    }

    /// The error object as a webhook or `/item/get` carries it: with `status`, without
    /// `request_id` (docs, `api-items.txt`, webhook `ERROR`).
    pub(crate) fn object(&self) -> serde_json::Value {
        json!({
            "error_type": self.error_type,
            "error_code": self.error_code,
            "error_message": self.message,
            "display_message": null,
            "status": self.status,
        })
    }

    /// The code as plaid-client's generated `ErrorCode` (`Other` for a code Plaid does not
    /// document, which the tests forbid).
    #[cfg(test)]
    pub(crate) fn code(&self) -> plaid_client::error_codes::ErrorCode {
        plaid_client::error_codes::ErrorCode::from(self.error_code)
    }

    /// One of each named error, for the tests that hold them against the spec.
    #[cfg(test)]
    pub(crate) fn named() -> Vec<Self> {
        vec![
            Self::invalid_api_keys(),
            Self::missing_fields("a"),
            Self::invalid_body("b"),
            Self::unknown_fields("c"),
            Self::invalid_field("d"),
            Self::not_found(),
            Self::invalid_public_token(),
            Self::invalid_access_token(),
            Self::invalid_account_id(),
            Self::item_not_found(),
            Self::invalid_webhook_key_id(),
            Self::rate_limited("/transactions/sync"),
            Self::rate_limited("/accounts/get"),
            Self::mutation_during_pagination(),
            Self::item_login_required(),
            Self::user_permission_revoked(),
            Self::invalid_link_token(),
            Self::sandbox_product_not_enabled("transactions"),
            Self::sandbox_webhook_invalid(),
            Self::transfer_event_transition_invalid(),
            Self::transfer_not_cancellable(),
            Self::internal("e"),
        ]
    }

    /// `API_ERROR` / `INTERNAL_SERVER_ERROR`: the emulator itself failed.
    pub(crate) fn internal(why: &str) -> Self {
        Self::new(500, "API_ERROR", "INTERNAL_SERVER_ERROR", why)
    }
}

/// The error code Plaid answers when `path`'s limit is exceeded (docs:
/// `errors-rate-limit-exceeded.txt`), `RATE_LIMIT` for the endpoints it names no code for.
fn rate_limit_code(path: &str) -> &'static str {
    match path {
        "/accounts/get" => "ACCOUNTS_LIMIT",
        "/accounts/balance/get" => "ACCOUNTS_BALANCE_GET_LIMIT",
        "/auth/get" => "AUTH_LIMIT",
        "/identity/get" => "IDENTITY_LIMIT",
        "/institutions/get" => "INSTITUTIONS_GET_LIMIT",
        "/institutions/get_by_id" => "INSTITUTIONS_GET_BY_ID_LIMIT",
        "/investments/holdings/get" => "INVESTMENT_HOLDINGS_GET_LIMIT",
        "/investments/transactions/get" => "INVESTMENT_TRANSACTIONS_LIMIT",
        "/item/get" => "ITEM_GET_LIMIT",
        "/transactions/get" => "TRANSACTIONS_LIMIT",
        "/transactions/sync" => "TRANSACTIONS_SYNC_LIMIT",
        _ => "RATE_LIMIT",
    }
}
