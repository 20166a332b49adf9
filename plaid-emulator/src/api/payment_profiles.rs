//! Payment Profiles (docs: `api-products-transfer.txt` `/payment_profile/create`, `/get`,
//! `/remove`; `api-sandbox.txt` `/sandbox/payment_profile/reset_login`; the states are
//! `model/payment_profiles.rs`). A token the emulator did not make, or one removed, is
//! `INVALID_FIELD`: Plaid documents no error of its own for it.

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::model::digest::digest;
use crate::model::payment_profiles::{PaymentProfile, ProfileStatus};
use crate::model::plaid_error::PlaidError;

/// `/payment_profile/create`: a new token (docs' form `payment-profile-sandbox-<uuid>`).
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

fn unknown() -> PlaidError {
    PlaidError::invalid_field("payment_profile_token is not a Payment Profile")
}

/// `/payment_profile/get`: its status and times, a removed one included (`REMOVED`).
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::PaymentProfileGetRequest = decode(request)?;
    let state = emu.model.lock();
    let profile = state
        .payment_profiles
        .by_token
        .get(token_of(request))
        .ok_or_else(unknown)?;
    Ok(rendered(profile))
}

/// Move the named profile (not removed) to `status`.
fn move_to(emu: &Api, request: &Value, status: ProfileStatus) -> Result<(), PlaidError> {
    let mut state = emu.model.lock();
    let token = token_of(request);
    let live = state
        .payment_profiles
        .by_token
        .get(token)
        .is_some_and(|p| p.status != ProfileStatus::Removed);
    if !live {
        return Err(unknown());
    }
    let now = emu.model.now();
    state.payment_profiles.set(token, status, now);
    Ok(())
}

/// `/payment_profile/remove`: "Once it's removed, it can no longer be used".
pub(crate) fn remove(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::PaymentProfileRemoveRequest = decode(request)?;
    move_to(emu, request, ProfileStatus::Removed)?;
    Ok(json!({}))
}

/// `/sandbox/payment_profile/reset_login`: "forces a Payment Profile into a state where the
/// login is no longer valid": `PENDING`, until Link (update mode) restores it.
pub(crate) fn reset_login(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxPaymentProfileResetLoginRequest = decode(request)?;
    move_to(emu, request, ProfileStatus::Pending)?;
    Ok(json!({"reset_login": true}))
}
