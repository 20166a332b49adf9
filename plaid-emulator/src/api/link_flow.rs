//! Link's one flow, with two front ends: [`Emulator::complete_link`](crate::Emulator::complete_link)
//! (`link.rs`'s `complete`: no browser, Sandbox's good user) and the browser's panes
//! (`link_web/`). A link token (`model/link.rs`) says what Link is for; the user picks an
//! institution, logs in with Sandbox's test credentials (`model/sandbox_users.rs`, docs:
//! `sandbox-test-credentials.txt`), answers MFA where the password asks for it, selects
//! accounts (docs, `link-web.txt`: "If Account Select is enabled … accounts will only include
//! selected accounts"), and Link ends with a public token for a new Item, or in update mode
//! (docs, `link-update-mode.txt`) with the Item's login repaired.

use std::time::SystemTime;

use serde_json::{json, Value};

use super::examples::example_value;
use super::item_health;
use super::items::issue_public_token;
use super::payment_profiles;
use super::sandbox_items::{self, Via};
use crate::api::Api;
use crate::model::error_passwords::error_password;
use crate::model::mfa::Mfa;
use crate::model::oauth::OAuthStateError;
use crate::model::plaid_error::PlaidError;
use crate::model::sandbox_users::{self, Login};
use crate::model::state::State;

/// The institution Link picks when neither the user nor the token names one: First Platypus
/// Bank (docs, `sandbox-institutions.txt`).
pub(crate) const DEFAULT_INSTITUTION: &str = "ins_109508";

/// How many accounts a new Item has: the spec's example accounts (`items.rs`).
const ACCOUNTS: usize = 2;

/// What the user chose and typed in Link.
pub(crate) struct Choices<'a> {
    /// The institution picked, if any (else the token's, else [`DEFAULT_INSTITUTION`]).
    pub(crate) institution_id: Option<&'a str>,
    pub(crate) username: &'a str,
    pub(crate) password: &'a str,
    /// MFA answers so far, round by round.
    pub(crate) mfa_answers: &'a [Vec<String>],
    /// The accounts selected, by their index among the Item's accounts; `None` is all.
    pub(crate) accounts: Option<&'a [usize]>,
}

impl Choices<'static> {
    /// Link completed without a browser: Sandbox's good user, every account.
    pub(crate) const GOOD_USER: Self = Self {
        institution_id: None,
        username: "user_good",
        password: "pass_good",
        mfa_answers: &[],
        accounts: None,
    };
}

/// Why Link could not be completed with a link token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// No `/link/token/create` made this token (Plaid: `INVALID_LINK_TOKEN`).
    #[error("unknown link token")]
    UnknownToken,
    /// The token is past its expiration (Plaid: `INVALID_LINK_TOKEN`).
    #[error("the link token expired")]
    Expired,
    /// The update-mode token's Item was removed (Plaid: `ITEM_NOT_FOUND`).
    #[error("the Item this link token updates was removed")]
    ItemRemoved,
    /// The institution named for an OAuth hand-off does not use OAuth (Plaid:
    /// `INVALID_INSTITUTION`).
    #[error("the institution does not use OAuth")]
    NotOAuth,
    /// No OAuth hand-off of this Link session made this `oauth_state_id` (Plaid:
    /// `OAUTH_STATE_ID_NOT_FOUND`).
    #[error("the oauth_state_id was not found")]
    OAuthStateNotFound,
    /// Link already resumed with this `oauth_state_id` (Plaid: `OAUTH_STATE_ID_ALREADY_PROCESSED`).
    #[error("the oauth_state_id was already processed")]
    OAuthStateProcessed,
    /// The emulator could not build the Item (its own bug).
    #[error("the emulator failed: {0}")]
    Internal(String),
    /// The login failed with the error Plaid documents for it (docs,
    /// `sandbox-test-credentials.txt`, `errors-item.txt`): `INVALID_CREDENTIALS`, a wrong MFA
    /// answer's `INVALID_MFA`, an `error_<CODE>` password's code, …
    #[error("the login failed: {error_type} / {error_code}")]
    Login {
        /// Plaid's `error_type`, e.g. `ITEM_ERROR`.
        error_type: &'static str,
        /// Plaid's `error_code`, e.g. `INVALID_MFA`.
        error_code: &'static str,
        /// The HTTP status Plaid answers it with.
        status: u16,
        /// Plaid's `error_message`.
        message: String,
    },
}

impl LinkError {
    /// A failed login as a [`LinkError`].
    pub(crate) fn login(error: PlaidError) -> Self {
        Self::Login {
            error_type: error.error_type,
            error_code: error.error_code,
            status: error.status,
            message: error.message,
        }
    }

    /// The Plaid error this is over HTTP (`POST /emulator/link/complete`).
    pub(crate) fn plaid(&self) -> PlaidError {
        match self {
            Self::UnknownToken | Self::Expired => PlaidError::invalid_link_token(),
            Self::ItemRemoved => PlaidError::item_not_found(),
            Self::NotOAuth => PlaidError::new(
                400,
                "INVALID_INPUT",
                "INVALID_INSTITUTION",
                "the institution does not use OAuth",
            ),
            Self::OAuthStateNotFound => OAuthStateError::NotFound.plaid(),
            Self::OAuthStateProcessed => OAuthStateError::Processed.plaid(),
            Self::Internal(why) => PlaidError::internal(why),
            Self::Login {
                error_type,
                error_code,
                status,
                message,
            } => PlaidError::new(*status, error_type, error_code, message),
        }
    }
}

/// Why the flow stopped short of a public token.
#[derive(Debug)]
pub(crate) enum FlowError {
    /// The link token cannot be used.
    Link(LinkError),
    /// The login failed (the error pane, then `onExit` with this error).
    Login(PlaidError),
}

/// What the user is asked after logging in.
#[derive(Debug, PartialEq)]
pub(crate) enum Next {
    /// Round `round` (from 0) of this MFA.
    Mfa { mfa: Mfa, round: u8 },
    /// The login is complete: select accounts (or, in update mode, finish).
    Done,
}

/// A link token as Link's first pane shows it.
pub(crate) struct Session {
    pub(crate) client_name: String,
    pub(crate) language: String,
    pub(crate) products: Vec<String>,
    /// Update mode: the institution of the Item to repair.
    pub(crate) update_institution: Option<String>,
}

/// What a finished Link hands to `onSuccess`.
pub(crate) struct Linked {
    pub(crate) public_token: String,
    pub(crate) institution_id: String,
    /// The Item's accounts (the selected ones), as `AccountBase` JSON.
    pub(crate) accounts: Vec<Value>,
}

/// What `link_token` was made for, if it can still be used.
pub(crate) fn session(api: &Api, link_token: &str) -> Result<Session, LinkError> {
    let state = api.model.lock();
    let token = live_token(api, &state, link_token)?;
    let update_institution = match &token.item_id {
        Some(item_id) => match state.items.get(item_id) {
            Some(item) if !item.removed => Some(item.institution_id.clone()),
            _ => return Err(LinkError::ItemRemoved),
        },
        None => None,
    };
    Ok(Session {
        client_name: token.client_name.clone(),
        language: token.language.clone(),
        products: token.products.clone(),
        update_institution,
    })
}

/// The login with `choices`' credentials and MFA answers: what it logs in as and what comes
/// next, or its error.
pub(crate) fn log_in(choices: &Choices<'_>) -> Result<(Next, Login), PlaidError> {
    let login = sandbox_users::login(choices.username, choices.password)?;
    if login == (Login::Recaptcha { passes: false }) {
        return Err(sandbox_users::recaptcha_bad());
    }
    // An `mfa_*` password's challenge, or a custom user's `mfa` (`sandbox-user-custom.txt`).
    let Some(mfa) = login.mfa() else {
        return Ok((Next::Done, login));
    };
    let (rounds, _) = mfa.shape();
    let answered = choices.mfa_answers;
    if answered.len() > usize::from(rounds) || !rounds_right(&mfa, answered) {
        return Err(invalid_mfa());
    }
    match u8::try_from(answered.len()) {
        Ok(round) if round < rounds => Ok((Next::Mfa { mfa, round }, login)),
        _ => Ok((Next::Done, login)),
    }
}

/// Link finished with `choices`: a new Item (or the update-mode Item repaired) and a public
/// token for it; a token for a Payment Profile makes the profile `READY` with that Item's
/// account (`payment_profiles.rs`).
pub(crate) fn finish(
    api: &Api,
    link_token: &str,
    choices: &Choices<'_>,
) -> Result<Linked, FlowError> {
    let login = match log_in(choices).map_err(FlowError::Login)? {
        (Next::Done, login) => login,
        (Next::Mfa { .. }, _) => return Err(FlowError::Login(invalid_mfa())),
    };
    let mut state = api.model.lock();
    let token = live_token(api, &state, link_token).map_err(FlowError::Link)?;
    let profile = token.payment_profile_token.clone();
    let item_id = match token.item_id.clone() {
        Some(item_id) => repair(&mut state, &item_id, api.model.now()).map_err(FlowError::Link)?,
        None => {
            let institution = choices
                .institution_id
                .or(token.institution_id.as_deref())
                .unwrap_or(DEFAULT_INSTITUTION);
            let (products, webhook) = (token.products.clone(), token.webhook.clone());
            let user = token.user_id.clone();
            let institution = sandbox_items::check_institution(institution, &products, Via::Link)
                .map_err(FlowError::Login)?;
            let new = sandbox_items::linked(institution, products, webhook);
            let item_id =
                sandbox_items::create(api, &mut state, new, &login).map_err(FlowError::Login)?;
            select_accounts(&mut state, &item_id, choices.accounts);
            state.users.join(user.as_deref(), &item_id);
            item_id
        }
    };
    if let Some(profile) = &profile {
        payment_profiles::linked(api, &mut state, profile, &item_id);
    }
    let public_token = issue_public_token(api, &mut state, &item_id);
    let item = state
        .items
        .get(&item_id)
        .ok_or_else(|| FlowError::Link(LinkError::Internal("the Item vanished".into())))?;
    Ok(Linked {
        public_token,
        institution_id: item.institution_id.clone(),
        accounts: item.accounts.clone(),
    })
}

/// The accounts a new Item will have, before it exists (the account-selection pane): the
/// spec's example accounts, as `AccountBase` JSON.
pub(crate) fn preview_accounts() -> Vec<Value> {
    let example = example_value::<plaid_client::operations::AccountsGet>().unwrap_or_default();
    let accounts = example["accounts"].as_array().cloned().unwrap_or_default();
    accounts.into_iter().take(ACCOUNTS).collect()
}

/// `onSuccess`'s metadata for `linked` at an institution named `institution_name` (docs,
/// `link-web.txt`, "onSuccess").
pub(crate) fn success_metadata(linked: &Linked, institution_name: &str) -> Value {
    let accounts: Vec<Value> = linked
        .accounts
        .iter()
        .map(|a| {
            json!({"id": a["account_id"], "name": a["name"], "mask": a["mask"],
                "type": a["type"], "subtype": a["subtype"],
                "verification_status": a.get("verification_status").cloned().unwrap_or(Value::Null),
                "class_type": Value::Null})
        })
        .collect();
    json!({
        "institution": {"name": institution_name, "institution_id": linked.institution_id},
        "accounts": accounts,
        "link_session_id": Value::Null,
        "transfer_status": Value::Null,
    })
}

/// `link_token`'s record, if it exists and has not expired.
fn live_token<'s>(
    api: &Api,
    state: &'s State,
    link_token: &str,
) -> Result<&'s crate::model::link::LinkToken, LinkError> {
    let token = state
        .link_tokens
        .get(link_token)
        .ok_or(LinkError::UnknownToken)?;
    if token.live_at(api.model.now()) {
        Ok(token)
    } else {
        Err(LinkError::Expired)
    }
}

/// Update mode at `now`: the Item's error cleared, if it is still there.
fn repair(state: &mut State, item_id: &str, now: SystemTime) -> Result<String, LinkError> {
    match state.items.get(item_id) {
        Some(item) if !item.removed => {
            item_health::repair(state, item_id, now);
            Ok(item_id.to_string())
        }
        _ => Err(LinkError::ItemRemoved),
    }
}

/// Only the selected accounts stay on the new Item (an index past the last is ignored).
fn select_accounts(state: &mut State, item_id: &str, selected: Option<&[usize]>) {
    let (Some(selected), Some(item)) = (selected, state.items.get_mut(item_id)) else {
        return;
    };
    let mut k = 0;
    item.accounts.retain(|_| {
        k += 1;
        selected.contains(&(k - 1))
    });
}

/// Whether every answered round of `mfa` is answered right (a round is all its questions).
fn rounds_right(mfa: &Mfa, answered: &[Vec<String>]) -> bool {
    let (_, per_round) = mfa.shape();
    answered.iter().zip(0u8..).all(|(round, i)| {
        round.len() == usize::from(per_round)
            && round.iter().zip(0u8..).all(|(a, j)| *a == mfa.answer(i, j))
    })
}

/// `ITEM_ERROR` / `INVALID_MFA` (docs, `errors-item.txt`).
fn invalid_mfa() -> PlaidError {
    error_password("INVALID_MFA").unwrap_or_else(sandbox_users::invalid_credentials)
}
