//! Sandbox's test credentials (docs: `sandbox-test-credentials.txt`, and for the dynamic user
//! <https://plaid.com/docs/sandbox/test-credentials/>): what a username and password log in as.
//! One function, [`login`], for every place credentials enter: `/sandbox/public_token/create`'s
//! `options.override_username`/`override_password`, `/sandbox/processor_token/create`, the
//! control API's `create_item`, and Link's credential pane.
//!
//! - `user_good` / `pass_good`: a good login; `microdeposits_good`: the automated micro-deposit
//!   flow (`auth-coverage-testing.txt`).
//! - `user_good` / `mfa_device`, `mfa_questions_<n>_<m>`, `mfa_selections`,
//!   `mfa_selections_<n>_<m>_<o>`: the login needs MFA ([`Mfa`] knows its answers, `mfa.rs`).
//! - `user_good` / `error_<CODE>`: the documented error (the table
//!   [`ERROR_PASSWORDS`](super::error_passwords::ERROR_PASSWORDS), `error_passwords.rs`).
//! - `user_good` / `{"recaptcha":"good"|"bad"}`: a reCAPTCHA, `bad` failing with `RECAPTCHA_BAD`.
//! - `user_transactions_dynamic` / any non-blank password: transactions that move on
//!   `/transactions/refresh`.
//! - `user_custom` / a JSON configuration (`sandbox-user-custom.txt`, `custom_user.rs`).
//!
//! Any other username or password is `INVALID_CREDENTIALS` (`errors-item.txt`).

use super::custom_user::CustomUser;
use super::error_passwords::error_password;
use super::mfa::Mfa;
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
    pub(crate) fn mfa(&self) -> Option<Mfa> {
        match self {
            Self::Mfa(mfa) => Some(mfa.clone()),
            Self::Custom(config) => config.mfa(),
            _ => None,
        }
    }
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
    use crate::model::error_passwords::ERROR_PASSWORDS;

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
