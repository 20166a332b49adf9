//! Link completed without a browser as a chosen user (docs, `sandbox-test-credentials.txt`,
//! `sandbox-user-custom.txt`): [`LinkLogin`] is what the user types in Link's panes (the
//! institution, the username and password, the answers to each MFA round), and
//! [`complete_as`] plays it through the same flow as the browser (`link_flow.rs`): an `mfa_*`
//! password or a custom user's `mfa` needs every round answered right, a wrong or missing
//! answer ends Link with `INVALID_MFA` (`errors-item.txt`).

use super::link_flow::{self, Choices, FlowError, LinkError};
use crate::api::Api;

/// What a user types in Link: credentials, the answers to each MFA round and, optionally, the
/// institution picked. Its `Debug` shows neither the password (a custom user's configuration
/// is one) nor the answers.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct LinkLogin {
    /// The institution picked (default: the link token's, else First Platypus Bank).
    pub institution_id: Option<String>,
    /// The username, e.g. `user_good` or `user_custom`.
    pub username: String,
    /// The password, e.g. `mfa_device` or a custom user's JSON configuration.
    pub password: String,
    /// The answers, round by round: `[["1234"]]` for a device code, `[["answer_0_0"],
    /// ["answer_1_0"]]` for two rounds of one question.
    pub mfa_answers: Vec<Vec<String>>,
}

impl LinkLogin {
    /// `username` and `password`, no MFA answers, the default institution.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            ..Self::default()
        }
    }

    /// With these answers, round by round.
    #[must_use]
    pub fn mfa_answers(mut self, rounds: Vec<Vec<String>>) -> Self {
        self.mfa_answers = rounds;
        self
    }
}

impl std::fmt::Debug for LinkLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkLogin")
            .field("institution_id", &self.institution_id)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("mfa_rounds", &self.mfa_answers.len())
            .finish()
    }
}

/// The user finishes Link with `link_token` as `login`, selecting every account: the public
/// token, or the login's documented error as [`LinkError::Login`].
pub(crate) fn complete_as(
    emu: &Api,
    link_token: &str,
    login: &LinkLogin,
) -> Result<String, LinkError> {
    let choices = Choices {
        institution_id: login.institution_id.as_deref(),
        username: &login.username,
        password: &login.password,
        mfa_answers: &login.mfa_answers,
        accounts: None,
    };
    match link_flow::finish(emu, link_token, &choices) {
        Ok(linked) => Ok(linked.public_token),
        Err(FlowError::Link(e)) => Err(e),
        Err(FlowError::Login(e)) => Err(LinkError::login(e)),
    }
}
