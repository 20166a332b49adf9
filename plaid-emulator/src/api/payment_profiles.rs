//! Payment Profiles (docs: `api-products-transfer.txt` `/payment_profile/create`, `/get`,
//! `/remove`; `transfer-payment-profiles.txt`; `link-update-mode.txt`, "Using update mode for
//! Payment Profiles"; `api-sandbox.txt` `/sandbox/payment_profile/reset_login`; the states are
//! `model/payment_profiles.rs`), and what the rest of the API asks of them: the link token that
//! names one (`link.rs`), Link finishing for one (`link_flow.rs`), and the decision of an
//! authorization that uses one (`transfers.rs`).
//!
//! A token the emulator did not make, or one removed, is `INVALID_FIELD` where Plaid documents
//! no error of its own for it; a profile not linked yet is `PAYMENT_PROFILE_NOT_READY`
//! (`errors-transfer.txt`).

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::model::digest::digest;
use crate::model::payment_profiles::{LinkedAccount, PaymentProfile, Readiness};
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;

/// `/payment_profile/create`: a new `PENDING` profile (docs' token form
/// `payment-profile-sandbox-<uuid>`).
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::PaymentProfileCreateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let n = state.payment_profiles.by_token.len().to_string();
    let seed = emu.model.seed.to_string();
    let d = digest(&[&seed, "payment_profile", &n]) + &digest(&[&seed, "payment_profile2", &n]);
    let token = format!(
        "payment-profile-sandbox-{}-{}-{}-{}-{}",
        &d[..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    );
    state
        .payment_profiles
        .create(token.clone(), emu.model.now());
    Ok(json!({"payment_profile_token": token}))
}

/// A profile as `/payment_profile/get` answers it.
fn rendered(profile: &PaymentProfile) -> Value {
    json!({
        "status": profile.status.as_str(),
        "created_at": rfc3339(profile.created),
        "updated_at": rfc3339(profile.updated),
        "deleted_at": profile.deleted.map(rfc3339),
    })
}

/// The token a request names.
fn token_of(request: &Value) -> &str {
    request["payment_profile_token"]
        .as_str()
        .unwrap_or_default()
}

fn unknown(field: &str) -> PlaidError {
    PlaidError::invalid_field(&format!("{field} is not a Payment Profile"))
}

/// `TRANSFER_ERROR` / `PAYMENT_PROFILE_NOT_READY` (docs, `errors-transfer.txt`: "This Payment
/// Profile has not been associated with a user via a Link session"), with the docs' message.
pub(crate) fn not_ready() -> PlaidError {
    PlaidError::new(
        400,
        "TRANSFER_ERROR",
        "PAYMENT_PROFILE_NOT_READY",
        "this payment profile is not ready to be used",
    )
}

/// `/payment_profile/get`: its status and times, a removed one included (`REMOVED`).
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::PaymentProfileGetRequest = decode(request)?;
    let state = emu.model.lock();
    let profile = state
        .payment_profiles
        .by_token
        .get(token_of(request))
        .ok_or_else(|| unknown("payment_profile_token"))?;
    Ok(rendered(profile))
}

/// `/payment_profile/remove`: "Once it's removed, it can no longer be used to create
/// transfers".
pub(crate) fn remove(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::PaymentProfileRemoveRequest = decode(request)?;
    let now = emu.model.now();
    let mut state = emu.model.lock();
    if !state.payment_profiles.remove(token_of(request), now) {
        return Err(unknown("payment_profile_token"));
    }
    Ok(json!({}))
}

/// `/sandbox/payment_profile/reset_login`: "forces a Payment Profile into a state where the
/// login is no longer valid", after which authorizations carry `PAYMENT_PROFILE_LOGIN_REQUIRED`
/// until update mode restores it. "In order to invoke this endpoint, you must first create a
/// Payment Profile and go through the Link flow": before Link, `PAYMENT_PROFILE_NOT_READY`.
pub(crate) fn reset_login(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxPaymentProfileResetLoginRequest = decode(request)?;
    let now = emu.model.now();
    let mut state = emu.model.lock();
    let token = token_of(request);
    if state.payment_profiles.live(token).is_none() {
        return Err(unknown("payment_profile_token"));
    }
    if !state.payment_profiles.reset_login(token, now) {
        return Err(not_ready());
    }
    Ok(json!({"reset_login": true}))
}

/// The Payment Profile a `/link/token/create` request names in `transfer.payment_profile_token`.
pub(crate) struct ProfileLink {
    pub(crate) token: String,
    /// Update mode for the profile ("The products field should not be supplied"): the Item
    /// the profile was linked to, whose login Link repairs.
    pub(crate) update_item: Option<String>,
}

/// The profile a link token is created for, if the request names one: unknown or removed is
/// `INVALID_FIELD`. Without `products`, a linked profile's token is its update mode (docs,
/// `link-update-mode.txt`); a profile never linked needs `products` like any new Item's.
pub(crate) fn for_link_token(
    state: &State,
    request: &Value,
    without_products: bool,
) -> Result<Option<ProfileLink>, PlaidError> {
    let Some(token) = request["transfer"]["payment_profile_token"].as_str() else {
        return Ok(None);
    };
    let profile = state
        .payment_profiles
        .live(token)
        .ok_or_else(|| unknown("transfer.payment_profile_token"))?;
    let update_item = match &profile.linked {
        Some(linked) if without_products => Some(linked.item_id.clone()),
        _ => None,
    };
    Ok(Some(ProfileLink {
        token: token.to_string(),
        update_item,
    }))
}

/// Link finished with a token for profile `token` and gave `item_id`: the profile is `READY`
/// with the Item's first (selected) account, its login good (docs, `transfer-payment-profiles.txt`:
/// "select the bank account they wish to use with Transfer … their information will be saved
/// to the Payment Profile"). An Item without accounts links nothing.
pub(crate) fn linked(api: &Api, state: &mut State, token: &str, item_id: &str) {
    let account_id = state
        .items
        .get(item_id)
        .and_then(|item| item.accounts.first())
        .and_then(|account| account["account_id"].as_str())
        .map(str::to_string);
    if let Some(account_id) = account_id {
        let item_id = item_id.to_string();
        let account = LinkedAccount {
            item_id,
            account_id,
        };
        state.payment_profiles.link(token, account, api.model.now());
    }
}

/// The `decision_rationale` of an authorization whose request names `payment_profile_token`:
/// `null` without one or for a `READY` profile; `PAYMENT_PROFILE_LOGIN_REQUIRED` after
/// `reset_login`, with decision `approved` (spec, `TransferAuthorizationDecisionRationaleCode`:
/// a code "for an `approved` transfer"; docs: "Plaid will offer approved as a transaction
/// decision"); a `PENDING` or `REMOVED` profile is refused (`PAYMENT_PROFILE_NOT_READY`), an
/// unknown one `INVALID_FIELD`.
pub(crate) fn decision_rationale(state: &State, request: &Value) -> Result<Value, PlaidError> {
    let Some(token) = request.get("payment_profile_token").and_then(Value::as_str) else {
        return Ok(Value::Null);
    };
    let profile = state
        .payment_profiles
        .by_token
        .get(token)
        .ok_or_else(|| unknown("payment_profile_token"))?;
    match profile.readiness() {
        Readiness::NotReady => Err(not_ready()),
        Readiness::Ready => Ok(Value::Null),
        Readiness::LoginRequired => Ok(json!({
            "code": "PAYMENT_PROFILE_LOGIN_REQUIRED",
            "description": "Unable to collect the account information due to invalid login \
                when using Payment Profiles. Can be rectified using update mode for Payment \
                Profile.",
        })),
    }
}
