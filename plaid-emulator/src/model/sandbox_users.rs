//! Sandbox's test credentials (docs: `sandbox-test-credentials.txt`, and for the dynamic user
//! <https://plaid.com/docs/sandbox/test-credentials/>): what a username and password log in as.
//! One function, [`login`], for every place credentials enter: `/sandbox/public_token/create`'s
//! `options.override_username`/`override_password`, `/sandbox/processor_token/create`, the
//! control API's `create_item`, and Link's credential pane.
//!
//! - `user_good` / `pass_good`: a good login; `microdeposits_good`: the automated micro-deposit
//!   flow (`auth-coverage-testing.txt`).
//! - `user_good` / `mfa_device`, `mfa_questions_<n>_<m>`, `mfa_selections`,
//!   `mfa_selections_<n>_<m>_<o>`: the login needs MFA ([`Mfa`] knows its answers).
//! - `user_good` / `error_<CODE>`: the documented error (the table [`ERROR_PASSWORDS`]).
//! - `user_good` / `{"recaptcha":"good"|"bad"}`: a reCAPTCHA, `bad` failing with `RECAPTCHA_BAD`.
//! - `user_transactions_dynamic` / any non-blank password: transactions that move on
//!   `/transactions/refresh`.
//! - `user_custom` / a JSON configuration (`sandbox-user-custom.txt`, `custom_user.rs`).
//!
//! Any other username or password is `INVALID_CREDENTIALS` (`errors-item.txt`).

use super::custom_user::CustomUser;
use super::plaid_error::PlaidError;

/// What a username and password log in as.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Login {
    /// `user_good` / `pass_good`: an Item with Sandbox's fixed data.
    Good,
    /// `user_good` / `microdeposits_good`: an Item verified by automated micro-deposits, its
    /// accounts `pending_automatic_verification` until `/sandbox/item/set_verification_status`.
    Microdeposits,
    /// The login needs this MFA before it succeeds.
    Mfa(Mfa),
    /// A reCAPTCHA is shown; `passes` is false for `{"recaptcha":"bad"}` (`RECAPTCHA_BAD`).
    Recaptcha {
        /// Whether solving it succeeds.
        passes: bool,
    },
    /// `user_transactions_dynamic`: new transactions, postings and webhooks on every
    /// `/transactions/refresh`.
    DynamicTransactions,
    /// `user_custom` with its configuration.
    Custom(Box<CustomUser>),
}

impl Login {
    /// The MFA Link must ask for before this login succeeds, if any: an `mfa_*` password's,
    /// or a custom user's `mfa`.
    #[allow(dead_code)] // for Link's MFA pane (`api/link_flow.rs`), which matches `Login::Mfa` only so far
    pub(crate) fn mfa(&self) -> Option<Mfa> {
        match self {
            Self::Mfa(mfa) => Some(mfa.clone()),
            Self::Custom(config) => config.mfa(),
            _ => None,
        }
    }
}

/// A multi-factor challenge and its answers (docs, `sandbox-test-credentials.txt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mfa {
    /// A one-time code sent to a device; the code is `1234`.
    Device,
    /// `rounds` rounds of `per_round` questions; question `j` of round `i` is answered
    /// `answer_<i>_<j>`.
    Questions {
        /// How many rounds.
        rounds: u8,
        /// Questions per round.
        per_round: u8,
    },
    /// `mfa_selections`: one question, answered `Yes`.
    YesNo,
    /// `rounds` rounds of `per_round` questions with `options` answers each; question `m` of
    /// round `n` (both from 1) is answered `answer_<n>_<m>_0`, its first option.
    Selections {
        /// How many rounds.
        rounds: u8,
        /// Questions per round.
        per_round: u8,
        /// Answers offered per question.
        options: u8,
    },
}

/// The device code of every MFA device in Sandbox.
pub(crate) const MFA_DEVICE_CODE: &str = "1234";

impl Mfa {
    /// The right answer to question `question` of round `round` (both from 0).
    pub(crate) fn answer(&self, round: u8, question: u8) -> String {
        match self {
            Self::Device => MFA_DEVICE_CODE.to_string(),
            Self::Questions { .. } => format!("answer_{round}_{question}"),
            Self::YesNo => "Yes".into(),
            Self::Selections { .. } => format!("answer_{}_{}_0", round + 1, question + 1),
        }
    }

    /// The choices offered for a selection question (the first is right).
    pub(crate) fn options(&self, round: u8, question: u8) -> Vec<String> {
        match self {
            Self::YesNo => vec!["Yes".into(), "No".into()],
            Self::Selections { options, .. } => (0..*options)
                .map(|o| format!("answer_{}_{}_{o}", round + 1, question + 1))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `(rounds, questions per round)`: a device code is one round of one question.
    pub(crate) fn shape(&self) -> (u8, u8) {
        match self {
            Self::Device | Self::YesNo => (1, 1),
            Self::Questions { rounds, per_round }
            | Self::Selections {
                rounds, per_round, ..
            } => (*rounds, *per_round),
        }
    }
}

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

/// `ITEM_ERROR` / `INVALID_CREDENTIALS` (docs, `errors-item.txt`).
pub(crate) fn invalid_credentials() -> PlaidError {
    error_password("INVALID_CREDENTIALS").unwrap_or_else(|| PlaidError::internal("no table entry"))
}

/// `RECAPTCHA_ERROR` / `RECAPTCHA_BAD` (docs, `errors-recaptcha.txt`).
pub(crate) fn recaptcha_bad() -> PlaidError {
    PlaidError::new(
        400,
        "RECAPTCHA_ERROR",
        "RECAPTCHA_BAD",
        "The provided challenge response was denied. Please try again",
    )
}

/// What `username` and `password` log in as, or the error the login fails with.
pub(crate) fn login(username: &str, password: &str) -> Result<Login, PlaidError> {
    match username {
        "user_good" => good_user(password),
        "user_transactions_dynamic" if !password.trim().is_empty() => {
            Ok(Login::DynamicTransactions)
        }
        "user_custom" => CustomUser::parse(password).map(|c| Login::Custom(Box::new(c))),
        _ => Err(invalid_credentials()),
    }
}

fn good_user(password: &str) -> Result<Login, PlaidError> {
    match password {
        "pass_good" => return Ok(Login::Good),
        "microdeposits_good" => return Ok(Login::Microdeposits),
        "mfa_device" => return Ok(Login::Mfa(Mfa::Device)),
        "mfa_selections" => return Ok(Login::Mfa(Mfa::YesNo)),
        r#"{"recaptcha":"good"}"# => return Ok(Login::Recaptcha { passes: true }),
        r#"{"recaptcha":"bad"}"# => return Ok(Login::Recaptcha { passes: false }),
        _ => {}
    }
    if let Some(code) = password.strip_prefix("error_") {
        return Err(error_password(code).unwrap_or_else(invalid_credentials));
    }
    mfa_password(password)
        .map(Login::Mfa)
        .ok_or_else(invalid_credentials)
}

/// `mfa_questions_<n>_<m>` (one digit each, at least one round and question) or
/// `mfa_selections_<n>_<m>_<o>` (`0 < n, m < 10`, `2 <= o < 10`).
fn mfa_password(password: &str) -> Option<Mfa> {
    let digits = |rest: &str| -> Option<Vec<u8>> {
        rest.split('_')
            .map(|d| (d.len() == 1).then(|| d.parse::<u8>().ok()).flatten())
            .collect()
    };
    if let Some(rest) = password.strip_prefix("mfa_questions_") {
        if let [n @ 1..=9, m @ 1..=9] = digits(rest)?[..] {
            return Some(Mfa::Questions {
                rounds: n,
                per_round: m,
            });
        }
    }
    if let Some(rest) = password.strip_prefix("mfa_selections_") {
        if let [n @ 1..=9, m @ 1..=9, o @ 2..=9] = digits(rest)?[..] {
            return Some(Mfa::Selections {
                rounds: n,
                per_round: m,
                options: o,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_error_password_gives_its_code_and_a_known_error_code() {
        for entry in &ERROR_PASSWORDS {
            let error = login("user_good", &format!("error_{}", entry.code)).unwrap_err();
            assert_eq!(error.error_code, entry.code);
            let known = plaid_client::error_codes::ErrorCode::from(entry.code);
            assert!(
                !matches!(known, plaid_client::error_codes::ErrorCode::Other(_))
                    || entry.code == "COUNTRY_NOT_SUPPORTED",
                "{} is not a code plaid-client knows",
                entry.code
            );
        }
    }

    #[test]
    fn mfa_passwords_parse_to_their_documented_answers() {
        let Ok(Login::Mfa(q)) = login("user_good", "mfa_questions_2_3") else {
            panic!("not MFA");
        };
        assert_eq!(q.shape(), (2, 3));
        assert_eq!(q.answer(1, 0), "answer_1_0");
        let Ok(Login::Mfa(s)) = login("user_good", "mfa_selections_1_1_3") else {
            panic!("not MFA");
        };
        assert_eq!(s.options(0, 0).len(), 3);
        assert_eq!(s.answer(0, 0), "answer_1_1_0");
        let Ok(Login::Mfa(plain)) = login("user_good", "mfa_selections") else {
            panic!("not MFA");
        };
        assert_eq!(plain.answer(0, 0), "Yes");
        assert_eq!(Mfa::Device.answer(0, 0), "1234");
    }

    #[test]
    fn unknown_users_and_passwords_are_invalid_credentials() {
        for (u, p) in [
            ("user_bad", "pass_good"),
            ("user_good", "pass_bad"),
            ("user_good", "mfa_questions_0_1"),
            ("user_good", "mfa_selections_1_1_1"),
            ("user_transactions_dynamic", " "),
        ] {
            assert_eq!(
                login(u, p).unwrap_err().error_code,
                "INVALID_CREDENTIALS",
                "{u}/{p}"
            );
        }
    }
}
