//! The one error type of the crate, and Plaid's error vocabulary.
//!
//! Plaid answers every failed call with an error object (`error_type`, `error_code`,
//! `error_message`, `display_message`, `request_id`, …; see Plaid's docs, `errors.txt`): 4xx
//! for problems with the request or the Item, 5xx for problems on Plaid's side. [`Error::Api`]
//! carries it decoded. Everything that is not such an object — a timeout, a broken connection,
//! an HTML page from a proxy, truncated JSON — is a distinct variant that says what happened,
//! quoting at most a short, redacted snippet of the body.

use std::fmt;
use std::time::Duration;

use crate::config::ConfigError;

/// Plaid's broad error category (`error_type`). Generated from the spec as an open enum: a type
/// Plaid adds later decodes as `UnknownValue(String)`.
pub type ErrorType = plaid_client::types::PlaidErrorType;

macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Plaid's specific error code (`error_code`): every code documented in Plaid's error
        /// reference, and [`ErrorCode::Other`] for any other, kept as received, so a code Plaid
        /// adds tomorrow still decodes.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $code, "`")]
                $variant,
            )*
            /// A code not in Plaid's error reference when this crate was written.
            Other(String),
        }

        impl ErrorCode {
            /// The code as Plaid spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                    ErrorCode::Other(code) => code,
                }
            }
        }

        impl From<&str> for ErrorCode {
            fn from(code: &str) -> Self {
                match code {
                    $($code => ErrorCode::$variant,)*
                    other => ErrorCode::Other(other.to_string()),
                }
            }
        }
    };
}

error_codes! {
    AccessNotGranted => "ACCESS_NOT_GRANTED",
    AccountsBalanceGetLimit => "ACCOUNTS_BALANCE_GET_LIMIT",
    AccountsLimit => "ACCOUNTS_LIMIT",
    AdditionalConsentRequired => "ADDITIONAL_CONSENT_REQUIRED",
    AdditionLimit => "ADDITION_LIMIT",
    AssetsUnderManagementRequired => "ASSETS_UNDER_MANAGEMENT_REQUIRED",
    AssetReportGenerationFailed => "ASSET_REPORT_GENERATION_FAILED",
    AuthLimit => "AUTH_LIMIT",
    BalanceLimit => "BALANCE_LIMIT",
    BankTransferAccountBlocked => "BANK_TRANSFER_ACCOUNT_BLOCKED",
    ContactRequired => "CONTACT_REQUIRED",
    CustomerAlreadyCreated => "CUSTOMER_ALREADY_CREATED",
    CustomerAlreadyEnabled => "CUSTOMER_ALREADY_ENABLED",
    CustomerNotFound => "CUSTOMER_NOT_FOUND",
    CustomerNotReadyForEnablement => "CUSTOMER_NOT_READY_FOR_ENABLEMENT",
    CustomerRemovalNotAllowed => "CUSTOMER_REMOVAL_NOT_ALLOWED",
    DataUnavailable => "DATA_UNAVAILABLE",
    DirectIntegrationNotEnabled => "DIRECT_INTEGRATION_NOT_ENABLED",
    EmploymentNotFound => "EMPLOYMENT_NOT_FOUND",
    FlowdownNotComplete => "FLOWDOWN_NOT_COMPLETE",
    IdentityLimit => "IDENTITY_LIMIT",
    IncomeVerificationDocumentNotFound => "INCOME_VERIFICATION_DOCUMENT_NOT_FOUND",
    IncomeVerificationFailed => "INCOME_VERIFICATION_FAILED",
    IncomeVerificationNotFound => "INCOME_VERIFICATION_NOT_FOUND",
    IncomeVerificationUploadError => "INCOME_VERIFICATION_UPLOAD_ERROR",
    IncompatibleApiVersion => "INCOMPATIBLE_API_VERSION",
    IncorrectDepositAmounts => "INCORRECT_DEPOSIT_AMOUNTS",
    IncorrectDepositVerification => "INCORRECT_DEPOSIT_VERIFICATION",
    IncorrectLinkToken => "INCORRECT_LINK_TOKEN",
    IncorrectOauthNonce => "INCORRECT_OAUTH_NONCE",
    InsightsNotEnabled => "INSIGHTS_NOT_ENABLED",
    InsightsPreviouslyNotEnabled => "INSIGHTS_PREVIOUSLY_NOT_ENABLED",
    InstantMatchFailed => "INSTANT_MATCH_FAILED",
    InstitutionsGetByIdLimit => "INSTITUTIONS_GET_BY_ID_LIMIT",
    InstitutionsGetLimit => "INSTITUTIONS_GET_LIMIT",
    InstitutionDown => "INSTITUTION_DOWN",
    InstitutionNotAvailable => "INSTITUTION_NOT_AVAILABLE",
    InstitutionNotEnabledInEnvironment => "INSTITUTION_NOT_ENABLED_IN_ENVIRONMENT",
    InstitutionNotFound => "INSTITUTION_NOT_FOUND",
    InstitutionNotResponding => "INSTITUTION_NOT_RESPONDING",
    InstitutionNoLongerSupported => "INSTITUTION_NO_LONGER_SUPPORTED",
    InstitutionRegistrationRequired => "INSTITUTION_REGISTRATION_REQUIRED",
    InsufficientCredentials => "INSUFFICIENT_CREDENTIALS",
    InternalServerError => "INTERNAL_SERVER_ERROR",
    InvalidAccessToken => "INVALID_ACCESS_TOKEN",
    InvalidAccountId => "INVALID_ACCOUNT_ID",
    InvalidAccountNumber => "INVALID_ACCOUNT_NUMBER",
    InvalidApiKeys => "INVALID_API_KEYS",
    InvalidAuditCopyToken => "INVALID_AUDIT_COPY_TOKEN",
    InvalidBody => "INVALID_BODY",
    InvalidConfiguration => "INVALID_CONFIGURATION",
    InvalidCredentials => "INVALID_CREDENTIALS",
    InvalidField => "INVALID_FIELD",
    InvalidHeaders => "INVALID_HEADERS",
    InvalidInstitution => "INVALID_INSTITUTION",
    InvalidLinkCustomization => "INVALID_LINK_CUSTOMIZATION",
    InvalidLinkToken => "INVALID_LINK_TOKEN",
    InvalidLogo => "INVALID_LOGO",
    InvalidParent => "INVALID_PARENT",
    InvalidProcessorToken => "INVALID_PROCESSOR_TOKEN",
    InvalidProduct => "INVALID_PRODUCT",
    InvalidProducts => "INVALID_PRODUCTS",
    InvalidPublicToken => "INVALID_PUBLIC_TOKEN",
    InvalidSendMethod => "INVALID_SEND_METHOD",
    InvalidStripeAccount => "INVALID_STRIPE_ACCOUNT",
    InvalidUpdatedUsername => "INVALID_UPDATED_USERNAME",
    InvalidUserToken => "INVALID_USER_TOKEN",
    InvalidWebhookVerificationKeyId => "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
    InvestmentHoldingsGetLimit => "INVESTMENT_HOLDINGS_GET_LIMIT",
    InvestmentTransactionsLimit => "INVESTMENT_TRANSACTIONS_LIMIT",
    ItemConcurrentlyDeleted => "ITEM_CONCURRENTLY_DELETED",
    ItemGetLimit => "ITEM_GET_LIMIT",
    ItemLocked => "ITEM_LOCKED",
    ItemLoginRequired => "ITEM_LOGIN_REQUIRED",
    ItemNotFound => "ITEM_NOT_FOUND",
    ItemNotSupported => "ITEM_NOT_SUPPORTED",
    LastUpdatedDatetimeOutOfRange => "LAST_UPDATED_DATETIME_OUT_OF_RANGE",
    LogoRequired => "LOGO_REQUIRED",
    MfaNotSupported => "MFA_NOT_SUPPORTED",
    MicrodepositsUnsupportedEnvironment => "MICRODEPOSITS_UNSUPPORTED_ENVIRONMENT",
    MissingFields => "MISSING_FIELDS",
    NonidenticalRequest => "NONIDENTICAL_REQUEST",
    NotFound => "NOT_FOUND",
    NoAccounts => "NO_ACCOUNTS",
    NoInvestmentAccounts => "NO_INVESTMENT_ACCOUNTS",
    NoInvestmentAuthAccounts => "NO_INVESTMENT_AUTH_ACCOUNTS",
    NoLiabilityAccounts => "NO_LIABILITY_ACCOUNTS",
    NoLongerAvailable => "NO_LONGER_AVAILABLE",
    OauthStateIdAlreadyProcessed => "OAUTH_STATE_ID_ALREADY_PROCESSED",
    OauthStateIdNotFound => "OAUTH_STATE_ID_NOT_FOUND",
    PaymentBlocked => "PAYMENT_BLOCKED",
    PaymentCancelled => "PAYMENT_CANCELLED",
    PaymentInsufficientFunds => "PAYMENT_INSUFFICIENT_FUNDS",
    PaymentInvalidRecipient => "PAYMENT_INVALID_RECIPIENT",
    PaymentInvalidReference => "PAYMENT_INVALID_REFERENCE",
    PaymentInvalidSchedule => "PAYMENT_INVALID_SCHEDULE",
    PaymentProfileNotReady => "PAYMENT_PROFILE_NOT_READY",
    PaymentRejected => "PAYMENT_REJECTED",
    PaymentSchemeNotSupported => "PAYMENT_SCHEME_NOT_SUPPORTED",
    PlaidDirectItemImportReturnedInvalidMfa => "PLAID_DIRECT_ITEM_IMPORT_RETURNED_INVALID_MFA",
    PlannedMaintenance => "PLANNED_MAINTENANCE",
    ProductsNotSupported => "PRODUCTS_NOT_SUPPORTED",
    ProductNotEnabled => "PRODUCT_NOT_ENABLED",
    ProductNotReady => "PRODUCT_NOT_READY",
    ProductUnavailable => "PRODUCT_UNAVAILABLE",
    QuestionnaireNotComplete => "QUESTIONNAIRE_NOT_COMPLETE",
    RateLimit => "RATE_LIMIT",
    RecaptchaBad => "RECAPTCHA_BAD",
    RecaptchaRequired => "RECAPTCHA_REQUIRED",
    RequestConflict => "REQUEST_CONFLICT",
    SandboxAccountSelectV2NotEnabled => "SANDBOX_ACCOUNT_SELECT_V2_NOT_ENABLED",
    SandboxOnly => "SANDBOX_ONLY",
    SandboxProductNotEnabled => "SANDBOX_PRODUCT_NOT_ENABLED",
    SandboxTransferEventTransitionInvalid => "SANDBOX_TRANSFER_EVENT_TRANSITION_INVALID",
    SandboxWebhookInvalid => "SANDBOX_WEBHOOK_INVALID",
    TooManyVerificationAttempts => "TOO_MANY_VERIFICATION_ATTEMPTS",
    TransactionsLimit => "TRANSACTIONS_LIMIT",
    TransactionsSyncLimit => "TRANSACTIONS_SYNC_LIMIT",
    TransactionsSyncMutationDuringPagination => "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
    TransactionExecutionFailed => "TRANSACTION_EXECUTION_FAILED",
    TransactionInsufficientFunds => "TRANSACTION_INSUFFICIENT_FUNDS",
    TransferAccountBlocked => "TRANSFER_ACCOUNT_BLOCKED",
    TransferForbiddenAchClass => "TRANSFER_FORBIDDEN_ACH_CLASS",
    TransferInvalidOriginationAccount => "TRANSFER_INVALID_ORIGINATION_ACCOUNT",
    TransferLimitExceeded => "TRANSFER_LIMIT_EXCEEDED",
    TransferMissingOriginationAccount => "TRANSFER_MISSING_ORIGINATION_ACCOUNT",
    TransferNotCancellable => "TRANSFER_NOT_CANCELLABLE",
    TransferUiUnauthorized => "TRANSFER_UI_UNAUTHORIZED",
    TransferUnsupportedAccountType => "TRANSFER_UNSUPPORTED_ACCOUNT_TYPE",
    UnauthorizedEnvironment => "UNAUTHORIZED_ENVIRONMENT",
    UnauthorizedInstitution => "UNAUTHORIZED_INSTITUTION",
    UnauthorizedRouteAccess => "UNAUTHORIZED_ROUTE_ACCESS",
    UnknownFields => "UNKNOWN_FIELDS",
    UserInputTimeout => "USER_INPUT_TIMEOUT",
    UserPermissionRevoked => "USER_PERMISSION_REVOKED",
    UserSetupRequired => "USER_SETUP_REQUIRED",
    VerificationStatusPendingApproval => "VERIFICATION_STATUS_PENDING_APPROVAL",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error object returned by Plaid, with the HTTP status and what the client knows of the call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation (`operationId`, e.g. `transferCreate`).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// Plaid's request id, for support tickets.
    pub request_id: Option<String>,
    /// `error_type`.
    pub error_type: ErrorType,
    /// `error_code`.
    pub error_code: ErrorCode,
    /// `error_message`: for developers; may change; not for programmatic use.
    pub error_message: String,
    /// `display_message`: for end users, when the error is theirs to act on.
    pub display_message: Option<String>,
    /// `documentation_url`.
    pub documentation_url: Option<String>,
    /// `suggested_action`.
    pub suggested_action: Option<String>,
    /// `causes` (Assets errors break a failure down per Item).
    pub causes: Vec<serde_json::Value>,
    /// The `Retry-After` header, when Plaid sent one.
    pub retry_after: Option<Duration>,
    /// The idempotency key the request carried, if any: retry later with the same key.
    pub idempotency_key: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with HTTP {}: {} {}: {}",
            self.operation, self.status, self.error_type, self.error_code, self.error_message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request_id {id})")?;
        }
        Ok(())
    }
}

/// A response that could not be decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Plaid-Request-Id` header or the body's `request_id`, if any.
    pub request_id: Option<String>,
    /// Why decoding failed (serde's message with the JSON path, or the content type).
    pub reason: String,
    /// The first characters of the body, with secrets blanked.
    pub snippet: String,
    /// The idempotency key the request carried, if any.
    pub idempotency_key: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the HTTP {} response ({}); body starts: {:?}",
            self.operation, self.status, self.reason, self.snippet
        )
    }
}

/// What went wrong at the transport level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made (DNS, refused, TLS handshake): the request was not sent.
    Connect,
    /// The connection failed while sending the request or reading the response.
    Io,
    /// The response body could not be read to the end.
    Body,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection",
            TransportKind::Io => "I/O",
            TransportKind::Body => "response body",
        })
    }
}

/// Everything that can go wrong. Messages never contain `client_id`, `secret` or access tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Plaid answered with its error object.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// No complete response within the request timeout.
    #[error("{operation}: no response within {timeout:?}")]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// The timeout that expired.
        timeout: Duration,
        /// The idempotency key the request carried, if any.
        idempotency_key: Option<String>,
    },

    /// The HTTP exchange itself failed.
    #[error("{operation}: {kind} error: {message}")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// Which part failed.
        kind: TransportKind,
        /// What the HTTP stack said (URLs, no credentials).
        message: String,
        /// The idempotency key the request carried, if any.
        idempotency_key: Option<String>,
    },

    /// A response arrived but is not what the operation returns: an HTML error page from a
    /// proxy, truncated or malformed JSON, a body that does not fit the generated type.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The request was not sent because it is invalid (e.g. an idempotency key over the spec's
    /// length limit, or a body that does not serialize).
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// The operation.
        operation: &'static str,
        /// What is wrong.
        reason: String,
    },

    /// The client is misconfigured.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),

    /// A sync or pagination loop stopped: it restarted too often, or the server's paging fields
    /// did not let it advance. Nothing was lost: the cursor you stored is still the one to use.
    #[error("{0}")]
    Pagination(Box<PaginationError>),
}

/// Why a sync or pagination loop stopped (see `plaid_client_ext::sync` and
/// `plaid_client_ext::paginate`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// Every pass of a cursor sync was interrupted by
    /// `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION` (or the last one by another error) until
    /// the restart cap was reached.
    #[error(
        "{operation}: gave up after {restarts} restart(s) of the sync loop from its first cursor \
         (the Item's data kept changing during pagination); last error: {last}"
    )]
    TooManyRestarts {
        /// The operation.
        operation: &'static str,
        /// How many restarts were made.
        restarts: u32,
        /// The error that ended the last pass.
        #[source]
        last: Error,
    },
    /// The response says more pages follow but gives nothing to ask for them with (an empty
    /// `next_cursor`, or no item to take an `event_id` from).
    #[error("{operation}: the response says more pages follow but gives no {field} to fetch them")]
    MissingCursor {
        /// The operation.
        operation: &'static str,
        /// The field that should have advanced (`next_cursor`, `event_id`).
        field: &'static str,
    },
    /// The server answered with the same position it was asked for while saying more pages
    /// follow: following it would loop forever.
    #[error("{operation}: {field} did not advance although more pages were announced; stopped instead of looping")]
    Stalled {
        /// The operation.
        operation: &'static str,
        /// The field that did not advance (`next_cursor`, `after_id`).
        field: &'static str,
    },
    /// The requested page size is outside what the spec allows.
    #[error("{operation}: page size {requested} is outside 1..={max}")]
    PageSize {
        /// The operation.
        operation: &'static str,
        /// What was asked for.
        requested: i64,
        /// The spec's maximum.
        max: i64,
    },
}

impl From<PaginationError> for Error {
    fn from(e: PaginationError) -> Self {
        Error::Pagination(Box::new(e))
    }
}

impl Error {
    /// Whether trying again may succeed: rate limits, Plaid's 5xx (`INTERNAL_SERVER_ERROR`,
    /// `PLANNED_MAINTENANCE`), timeouts, transport failures, and undecodable 5xx/429 bodies
    /// (a proxy's HTML error page). The client still retries a write only when it carries an
    /// idempotency key.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.status == 429
                    || e.status >= 500
                    || e.error_type == ErrorType::RateLimitExceeded
                    || matches!(
                        e.error_code,
                        ErrorCode::InternalServerError | ErrorCode::PlannedMaintenance
                    )
            }
            Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Decode(d) => d.status == 429 || d.status >= 500,
            Error::InvalidRequest { .. } | Error::Config(_) | Error::Pagination(_) => false,
        }
    }

    /// Whether Plaid refused the call for exceeding a rate limit (`RATE_LIMIT_EXCEEDED`, 429).
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => e.status == 429 || e.error_type == ErrorType::RateLimitExceeded,
            Error::Decode(d) => d.status == 429,
            _ => false,
        }
    }

    /// Whether the Item needs its user to log in again through Link in update mode
    /// (`ITEM_LOGIN_REQUIRED`).
    pub fn is_item_login_required(&self) -> bool {
        matches!(self, Error::Api(e) if e.error_code == ErrorCode::ItemLoginRequired)
    }

    /// The API error, if Plaid answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Why a sync or pagination loop stopped, if that is what this error is: one match, no box.
    ///
    /// ```
    /// use plaid_client_ext::{Error, PaginationError};
    ///
    /// fn stalled(e: &Error) -> bool {
    ///     matches!(e.pagination(), Some(PaginationError::Stalled { .. }))
    /// }
    /// # let e: Error = PaginationError::Stalled { operation: "transactionsSync", field: "next_cursor" }.into();
    /// # assert!(stalled(&e));
    /// ```
    pub fn pagination(&self) -> Option<&PaginationError> {
        match self {
            Error::Pagination(p) => Some(p),
            _ => None,
        }
    }

    /// The `error_code`, if Plaid answered with an error object.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.api().map(|e| &e.error_code)
    }

    /// Plaid's request id, when there is one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(d) => d.request_id.as_deref(),
            _ => None,
        }
    }

    /// The idempotency key the failed request carried: send the same request again later with
    /// this key, and Plaid will not perform it twice.
    pub fn idempotency_key(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.idempotency_key.as_deref(),
            Error::Timeout {
                idempotency_key, ..
            }
            | Error::Transport {
                idempotency_key, ..
            } => idempotency_key.as_deref(),
            Error::Decode(d) => d.idempotency_key.as_deref(),
            Error::InvalidRequest { .. } | Error::Config(_) | Error::Pagination(_) => None,
        }
    }

    /// The `Retry-After` delay Plaid asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|e| e.retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_kept() {
        assert_eq!(
            ErrorCode::from("ITEM_LOGIN_REQUIRED"),
            ErrorCode::ItemLoginRequired
        );
        assert_eq!(ErrorCode::ItemLoginRequired.as_str(), "ITEM_LOGIN_REQUIRED");
        let new = ErrorCode::from("SOMETHING_PLAID_ADDED_LATER");
        assert_eq!(new, ErrorCode::Other("SOMETHING_PLAID_ADDED_LATER".into()));
        assert_eq!(new.to_string(), "SOMETHING_PLAID_ADDED_LATER");
    }
}
