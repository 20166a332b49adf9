//! Link at an OAuth institution (docs: `link-oauth.txt`, `errors-oauth.txt`; the spec's
//! `/sandbox/oauth/select_accounts`): Link hands the user to the bank, which redirects to the
//! app's `redirect_uri` "appended with an OAuth state ID parameter"
//! ([`Emulator::link_oauth_redirect`](crate::Emulator::link_oauth_redirect), or
//! `POST /emulator/link/oauth`, makes that `oauth_state_id`); `/sandbox/oauth/select_accounts`
//! "Save[s] the selected accounts when connecting to the Platypus OAuth institution", what the
//! user ticks on the bank's page; Link, reinitialized with the `receivedRedirectUri`, resumes
//! ([`Emulator::complete_link_oauth`](crate::Emulator::complete_link_oauth)) and the new Item
//! has exactly the selected accounts (all of them if none were selected). Sandbox's OAuth
//! institutions are Platypus OAuth Bank (`ins_127287`, the default), the App2App and Open
//! Banking ones (`sandbox-institutions.txt`, `model/institutions.rs`).

use plaid_client::types;
use serde_json::{json, Value};

use super::link_flow::{self, Choices, FlowError, LinkError};
use super::request::decode;
use crate::api::Api;
use crate::model::digest::uuid;
use crate::model::institutions;
use crate::model::oauth::OAuthState;
use crate::model::plaid_error::PlaidError;

/// Platypus OAuth Bank (docs, `link-oauth.txt`: "you can use Platypus OAuth Bank (ins_127287)").
pub(crate) const PLATYPUS_OAUTH_BANK: &str = "ins_127287";

/// Link with `link_token` hands the user to the OAuth institution `institution_id` (else the
/// token's, else Platypus OAuth Bank); the `oauth_state_id` the bank's redirect carries.
pub(crate) fn redirect(
    api: &Api,
    link_token: &str,
    institution_id: Option<&str>,
) -> Result<String, LinkError> {
    let session = link_flow::session(api, link_token)?;
    let mut state = api.model.lock();
    let token_institution = state
        .link_tokens
        .get(link_token)
        .and_then(|t| t.institution_id.clone());
    let institution = institution_id
        .map(str::to_string)
        .or(session.update_institution)
        .or(token_institution)
        .unwrap_or_else(|| PLATYPUS_OAUTH_BANK.to_string());
    if !institutions::find(&institution).is_some_and(|i| i.oauth) {
        return Err(LinkError::NotOAuth);
    }
    let seed = api.model.seed.to_string();
    let n = state.oauth.created.to_string();
    let id = uuid(&[&seed, "oauth_state", &n], &[&seed, "oauth_state2", &n]);
    let oauth = OAuthState {
        link_token: link_token.to_string(),
        institution_id: institution,
        selected: None,
        processed: false,
    };
    state.oauth.insert(id.clone(), oauth);
    Ok(id)
}

/// `/sandbox/oauth/select_accounts`: the accounts the user selects at the bank. The spec leaves
/// `accounts` undescribed (an array of strings); each names one of the accounts the bank shows
/// (Link's account pane's accounts, `link_flow::preview_accounts`) by its `account_id`, its
/// `name` (e.g. "Plaid Checking") or its `mask` (e.g. "0000"). One the institution does not
/// have is `INVALID_ACCOUNT_ID` (`errors-invalid-input.txt`), none at all `INVALID_FIELD`.
pub(crate) fn select_accounts(api: &Api, request: &Value) -> Result<Value, PlaidError> {
    let select: types::SandboxOauthSelectAccountsRequest = decode(request)?;
    let shown = link_flow::preview_accounts();
    let mut selected: Vec<usize> = Vec::with_capacity(select.accounts.len());
    for wanted in &select.accounts {
        let k = shown
            .iter()
            .position(|a| {
                ["account_id", "name", "mask"]
                    .iter()
                    .any(|f| a[*f] == **wanted)
            })
            .ok_or_else(PlaidError::invalid_account_id)?;
        if !selected.contains(&k) {
            selected.push(k);
        }
    }
    let mut state = api.model.lock();
    let oauth = state
        .oauth
        .open(&select.oauth_state_id)
        .map_err(|e| e.plaid())?;
    if selected.is_empty() {
        return Err(PlaidError::invalid_field(
            "accounts must name at least one account",
        ));
    }
    oauth.selected = Some(selected);
    Ok(json!({}))
}

/// Link with `link_token` resumes with `oauth_state_id` (its `receivedRedirectUri`) and
/// finishes as Sandbox's good user: the public token of an Item with the selected accounts.
pub(crate) fn resume(
    api: &Api,
    link_token: &str,
    oauth_state_id: &str,
) -> Result<String, LinkError> {
    let (institution, selected) = {
        let mut state = api.model.lock();
        let oauth = state.oauth.open(oauth_state_id).map_err(|e| match e {
            crate::model::oauth::OAuthStateError::NotFound => LinkError::OAuthStateNotFound,
            crate::model::oauth::OAuthStateError::Processed => LinkError::OAuthStateProcessed,
        })?;
        if oauth.link_token != link_token {
            return Err(LinkError::OAuthStateNotFound);
        }
        (oauth.institution_id.clone(), oauth.selected.clone())
    };
    let choices = Choices {
        institution_id: Some(&institution),
        accounts: selected.as_deref(),
        ..Choices::GOOD_USER
    };
    let linked = match link_flow::finish(api, link_token, &choices) {
        Ok(linked) => linked,
        Err(FlowError::Link(e)) => return Err(e),
        Err(FlowError::Login(e)) => return Err(LinkError::login(e)),
    };
    if let Ok(oauth) = api.model.lock().oauth.open(oauth_state_id) {
        oauth.processed = true;
    }
    Ok(linked.public_token)
}
