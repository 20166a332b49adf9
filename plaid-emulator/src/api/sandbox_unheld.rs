//! The Sandbox operations on state the emulator does not hold yet, each answering the error
//! Plaid documents for a reference it cannot find (docs: `api-sandbox.txt`,
//! `errors-invalid-input.txt`, `errors-oauth.txt`): the emulator has no users
//! (`/user/create` answers the spec's example), so `/sandbox/user/reset_login` and
//! `/sandbox/cra/cashflow_updates/update` find no user token (`INVALID_USER_TOKEN`); and no
//! OAuth redirect hands out an `oauth_state_id`, so `/sandbox/oauth/select_accounts` finds
//! none (`OAUTH_STATE_ID_NOT_FOUND`, HTTP 404). The request is checked first, so a malformed
//! one is refused as every other.

use plaid_client::types;
use serde_json::Value;

use super::request::decode;
use crate::api::Api;
use crate::model::plaid_error::PlaidError;

/// `INVALID_INPUT` / `INVALID_USER_TOKEN` (docs, `errors-invalid-input.txt`).
fn invalid_user_token() -> PlaidError {
    PlaidError::new(
        400,
        "INVALID_INPUT",
        "INVALID_USER_TOKEN",
        "could not find matching user token",
    )
}

/// `/sandbox/user/reset_login`: no user has this token.
pub(crate) fn user_reset_login(_: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxUserResetLoginRequest = decode(request)?;
    Err(invalid_user_token())
}

/// `/sandbox/cra/cashflow_updates/update`: no user has this token.
pub(crate) fn cashflow_updates_update(_: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxCraCashflowUpdatesUpdateRequest = decode(request)?;
    Err(invalid_user_token())
}

/// `/sandbox/oauth/select_accounts`: no OAuth flow has this state id (`OAUTH_ERROR` /
/// `OAUTH_STATE_ID_NOT_FOUND`, HTTP 404, `errors-oauth.txt`).
pub(crate) fn oauth_select_accounts(_: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxOauthSelectAccountsRequest = decode(request)?;
    Err(PlaidError::new(
        404,
        "OAUTH_ERROR",
        "OAUTH_STATE_ID_NOT_FOUND",
        "the provided oauth_state_id wasn't found",
    ))
}
