//! The errors Sandbox's test credentials simulate (docs, `sandbox-test-credentials.txt`, "Error
//! testing credentials"): the `error_<CODE>` passwords' table (`sandbox_users.rs` logs in with
//! it) and the errors a custom user's `force_error` may name (`custom_user.rs`).

use super::plaid_error::PlaidError;

/// One documented error password: `error_<code>` fails with this error.
pub(crate) struct ErrorPassword {
    /// `error_code`.
    pub(crate) code: &'static str,
    /// `error_type`.
    pub(crate) error_type: &'static str,
    /// The HTTP status.
    pub(crate) status: u16,
    /// `error_message`, as the docs' example shows it.
    pub(crate) message: &'static str,
}

const fn err(
    code: &'static str,
    error_type: &'static str,
    status: u16,
    message: &'static str,
) -> ErrorPassword {
    ErrorPassword {
        code,
        error_type,
        status,
        message,
    }
}

const NOT_RESPONDING: &str =
    "this institution is not currently responding to this request. please try again soon";

/// Every error `error_<CODE>` simulates (docs, `sandbox-test-credentials.txt`, "Error testing
/// credentials"), each with the type, status and message of its own docs page
/// (`errors-item.txt`, `errors-institution.txt`, `errors-api.txt`, `errors-payment.txt`).
/// `COUNTRY_NOT_SUPPORTED` has no page of its own: the credentials page calls every listed
/// error an `ITEM_ERROR` or `INSTITUTION_ERROR`, and it is given as an `ITEM_ERROR`.
pub(crate) const ERROR_PASSWORDS: [ErrorPassword; 17] = [
    err("COUNTRY_NOT_SUPPORTED", "ITEM_ERROR", 400, "this country is not currently supported"),
    err("INSTITUTION_DOWN", "INSTITUTION_ERROR", 400, NOT_RESPONDING),
    err("INSTITUTION_NOT_RESPONDING", "INSTITUTION_ERROR", 400, NOT_RESPONDING),
    err("INSTITUTION_NO_LONGER_SUPPORTED", "INSTITUTION_ERROR", 400, "this institution is no longer supported"),
    err("INSUFFICIENT_CREDENTIALS", "ITEM_ERROR", 400, "insufficient authorization was provided to complete the request"),
    err("INTERNAL_SERVER_ERROR", "API_ERROR", 500, "an unexpected error occurred"),
    err("INVALID_CREDENTIALS", "ITEM_ERROR", 400, "the provided credentials were not correct"),
    err("INVALID_MFA", "ITEM_ERROR", 400, "the provided MFA response(s) were not correct"),
    err("INVALID_SEND_METHOD", "ITEM_ERROR", 400, "the provided MFA send_method was invalid"),
    err("ITEM_LOCKED", "ITEM_ERROR", 400, "the account is locked. prompt the user to visit the institution's site and unlock their account"),
    err("ITEM_NOT_SUPPORTED", "ITEM_ERROR", 400, "this account is currently not supported"),
    err("MFA_NOT_SUPPORTED", "ITEM_ERROR", 400, "this account requires a MFA type that we do not currently support for the institution"),
    err("NO_ACCOUNTS", "ITEM_ERROR", 400, "no valid accounts were found for this item"),
    err("PAYMENT_INVALID_RECIPIENT", "PAYMENT_ERROR", 400, "payment recipient invalid"),
    err("PRODUCTS_NOT_SUPPORTED", "ITEM_ERROR", 400, ""),
    err("USER_INPUT_TIMEOUT", "ITEM_ERROR", 400, "user must retry this operation"),
    err("USER_SETUP_REQUIRED", "ITEM_ERROR", 400, "the account has not been fully set up. prompt the user to visit the issuing institution's site and finish the setup process"),
];

/// The errors a custom user's `force_error` may name beyond [`ERROR_PASSWORDS`] (docs,
/// `sandbox-user-custom.txt`), with their pages' type, status and message.
const FORCED_ONLY: [ErrorPassword; 3] = [
    err("ITEM_LOGIN_REQUIRED", "ITEM_ERROR", 400, "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state"),
    err("INVALID_LINK_TOKEN", "INVALID_INPUT", 400, "invalid link_token provided"),
    err("PLAID_ERROR", "API_ERROR", 500, "an unexpected error occurred"),
];

impl ErrorPassword {
    /// The error it gives.
    pub(crate) fn error(&self) -> PlaidError {
        PlaidError::new(self.status, self.error_type, self.code, self.message)
    }
}

/// The error `error_<code>` gives, if `code` is one the docs list.
pub(crate) fn error_password(code: &str) -> Option<PlaidError> {
    ERROR_PASSWORDS
        .iter()
        .find(|e| e.code == code)
        .map(ErrorPassword::error)
}

/// The error a custom user's `force_error` names, if it is one the docs list.
pub(crate) fn forced_error(code: &str) -> Option<PlaidError> {
    const FORCEABLE: [&str; 10] = [
        "INSTITUTION_NOT_RESPONDING",
        "INSTITUTION_NO_LONGER_SUPPORTED",
        "INVALID_CREDENTIALS",
        "INVALID_MFA",
        "ITEM_LOCKED",
        "ITEM_NOT_SUPPORTED",
        "MFA_NOT_SUPPORTED",
        "NO_ACCOUNTS",
        "USER_INPUT_TIMEOUT",
        "USER_SETUP_REQUIRED",
    ];
    if FORCEABLE.contains(&code) {
        return error_password(code);
    }
    FORCED_ONLY
        .iter()
        .find(|e| e.code == code)
        .map(ErrorPassword::error)
}
