//! OAuth states (docs: `link-oauth.txt`: Link hands the user to the bank, the bank redirects to
//! the app's `redirect_uri` with an `oauth_state_id`, and Link, reinitialized with that
//! `receivedRedirectUri`, resumes; `errors-oauth.txt`; the spec's
//! `/sandbox/oauth/select_accounts`, "Save the selected accounts when connecting to the
//! Platypus OAuth institution"). One state per hand-off to an OAuth institution: the link token
//! it belongs to, the institution, the accounts the user chose at the bank, and whether Link
//! has resumed with it.

use std::collections::HashMap;

use super::plaid_error::PlaidError;

/// One hand-off to an OAuth institution.
pub(crate) struct OAuthState {
    /// The link token of the Link session (a secret: no `Debug` here).
    pub(crate) link_token: String,
    pub(crate) institution_id: String,
    /// The accounts chosen at the bank, by index among the Item's accounts; `None` is all.
    pub(crate) selected: Option<Vec<usize>>,
    /// Link resumed with it: it cannot be used again (`OAUTH_STATE_ID_ALREADY_PROCESSED`).
    pub(crate) processed: bool,
}

/// Why an `oauth_state_id` cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OAuthStateError {
    /// No hand-off made it (`OAUTH_STATE_ID_NOT_FOUND`).
    #[error("the oauth_state_id was not found")]
    NotFound,
    /// Link already resumed with it (`OAUTH_STATE_ID_ALREADY_PROCESSED`).
    #[error("the oauth_state_id was already processed")]
    Processed,
}

impl OAuthStateError {
    /// The error Plaid answers (docs, `errors-oauth.txt`: `OAUTH_STATE_ID_NOT_FOUND` with HTTP
    /// 404, `OAUTH_STATE_ID_ALREADY_PROCESSED` with HTTP 208).
    pub(crate) fn plaid(self) -> PlaidError {
        match self {
            Self::NotFound => PlaidError::new(
                404,
                "OAUTH_ERROR",
                "OAUTH_STATE_ID_NOT_FOUND",
                "the provided oauth_state_id wasn't found",
            ),
            Self::Processed => PlaidError::new(
                208,
                "OAUTH_ERROR",
                "OAUTH_STATE_ID_ALREADY_PROCESSED",
                "the provided oauth_state_id was already processed",
            ),
        }
    }
}

/// The OAuth states of the state, by `oauth_state_id`.
#[derive(Default)]
pub(crate) struct OAuthStates {
    by_id: HashMap<String, OAuthState>,
    /// How many were ever made (ids are derived from it).
    pub(crate) created: u64,
}

impl OAuthStates {
    /// A new state under `id`.
    pub(crate) fn insert(&mut self, id: String, state: OAuthState) {
        self.created += 1;
        self.by_id.insert(id, state);
    }

    /// The state of `id`, if it can still be used.
    pub(crate) fn open(&mut self, id: &str) -> Result<&mut OAuthState, OAuthStateError> {
        match self.by_id.get_mut(id) {
            None => Err(OAuthStateError::NotFound),
            Some(state) if state.processed => Err(OAuthStateError::Processed),
            Some(state) => Ok(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oauth_state_is_used_once() {
        let mut states = OAuthStates::default();
        assert_eq!(states.open("x").err(), Some(OAuthStateError::NotFound));
        let state = OAuthState {
            link_token: "link".into(),
            institution_id: "ins_127287".into(),
            selected: None,
            processed: false,
        };
        states.insert("x".into(), state);
        if let Ok(state) = states.open("x") {
            state.processed = true;
        }
        assert_eq!(states.open("x").err(), Some(OAuthStateError::Processed));
    }
}
