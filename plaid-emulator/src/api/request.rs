//! What every operation reads from its request: the body decoded into the operation's
//! generated request type, and the Item its `access_token` names (with the errors Plaid
//! answers when it names none, a removed one, or one in an error state).

use serde_json::Value;

use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;

/// The request (read once by the server) decoded into its generated request type: a missing
/// field is `MISSING_FIELDS`, any other mismatch `INVALID_FIELD`, as Plaid reports them.
pub(crate) fn decode<'r, T: serde::Deserialize<'r>>(request: &'r Value) -> Result<T, PlaidError> {
    T::deserialize(request).map_err(|e| {
        let text = e.to_string();
        match text.strip_prefix("missing field `") {
            Some(rest) => PlaidError::missing_fields(rest.split('`').next().unwrap_or_default()),
            None => PlaidError::invalid_field(&text),
        }
    })
}

/// The Item an access token names, for a product call (`/accounts/get`, `/transactions/sync`,
/// `/auth/get`, `/transfer/...`): unknown → `INVALID_ACCESS_TOKEN`, removed →
/// `ITEM_NOT_FOUND`, in an error state (`/sandbox/item/reset_login`) → that error, e.g.
/// `ITEM_LOGIN_REQUIRED` (docs, `errors-item.txt`: "frequently encountered during a
/// /[product]/get request"). Every product handler goes through here.
pub(crate) fn item_of<'s>(state: &'s State, request: &Value) -> Result<&'s ItemState, PlaidError> {
    let item = item_record(state, request)?;
    match state.item_errors.get(&item.item_id) {
        Some(error) => Err(error.clone()),
        None => Ok(item),
    }
}

/// The Item an access token names, whatever its error state: for the calls that manage an
/// Item rather than read its data (`/item/get` shows the error, `/item/remove` still works).
pub(crate) fn item_record<'s>(
    state: &'s State,
    request: &Value,
) -> Result<&'s ItemState, PlaidError> {
    let token = request
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| PlaidError::missing_fields("access_token"))?;
    let item = state
        .access_tokens
        .get(token)
        .and_then(|id| state.items.get(id))
        .ok_or_else(PlaidError::invalid_access_token)?;
    if item.removed {
        return Err(PlaidError::item_not_found());
    }
    Ok(item)
}

/// The Item's accounts a product call asks for: every one, or those its `options.account_ids`
/// names; an id the Item does not have is `INVALID_ACCOUNT_ID` (docs, `errors-invalid-input.txt`:
/// "One of the account_id(s) specified in the API call's account_ids object is invalid or does
/// not exist").
pub(crate) fn selected_accounts<'s>(
    item: &'s ItemState,
    request: &Value,
) -> Result<Vec<&'s Value>, PlaidError> {
    let Some(ids) = request
        .get("options")
        .and_then(|o| o.get("account_ids"))
        .and_then(Value::as_array)
    else {
        return Ok(item.accounts.iter().collect());
    };
    let known = |id: &Value| item.accounts.iter().any(|a| &a["account_id"] == id);
    if !ids.iter().all(known) {
        return Err(PlaidError::invalid_account_id());
    }
    Ok(item
        .accounts
        .iter()
        .filter(|a| ids.contains(&a["account_id"]))
        .collect())
}
