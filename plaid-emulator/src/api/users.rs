//! Users (`model/users.rs`; docs: `api-products-income.txt` `/user/create`, the spec's
//! `/user/create`, `/user/get`, `/user/remove`, `/user/items/get`): `/user/create` makes a user
//! per `client_user_id`; a link token made with its `user_token` or `user_id`
//! (`/link/token/create`), or `/sandbox/public_token/create` naming one, makes Items that join
//! it. A request naming a user the emulator did not make is refused: an unknown `user_token` is
//! `INVALID_INPUT` / `INVALID_USER_TOKEN` (`errors-invalid-input.txt`), an unknown `user_id`
//! `USER_ERROR` / `USER_NOT_FOUND` (Plaid's "User errors" page, plaid.com/docs/errors/user:
//! "The user_id was never created … previously deleted via /user/remove", HTTP 400).

use plaid_client::types;
use serde_json::{json, Value};

use super::items::item_json;
use super::request::decode;
use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::model::digest::{digest, uuid};
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;
use crate::model::users::{User, UserError, UserRef};

/// The Plaid error for a user that cannot be found.
pub(crate) fn user_error(error: UserError) -> PlaidError {
    match error {
        UserError::UnknownToken => PlaidError::new(
            400,
            "INVALID_INPUT",
            "INVALID_USER_TOKEN",
            "could not find matching user token",
        ),
        UserError::UnknownId => PlaidError::new(
            400,
            "USER_ERROR",
            "USER_NOT_FOUND",
            "The User you requested cannot be found. This User does not exist or has had access removed by the user.",
        ),
    }
}

/// How `request` names a user, if it does: `user_id` wins over `user_token` (the spec: "If
/// this field is included, then the user_token object field is ignored").
pub(crate) fn reference(request: &Value) -> Option<UserRef<'_>> {
    let field = |name| request.get(name).and_then(Value::as_str);
    field("user_id")
        .map(UserRef::Id)
        .or_else(|| field("user_token").map(UserRef::Token))
}

/// The `user_id` of the user `request` names, if it names one; an unknown one is refused.
pub(crate) fn named(state: &State, request: &Value) -> Result<Option<String>, PlaidError> {
    reference(request)
        .map(|user| state.users.resolve(user).map_err(user_error))
        .transpose()
}

/// [`named`] for a request already typed: its `user_id` and `user_token` fields.
pub(crate) fn named_by(
    state: &State,
    user_id: Option<&str>,
    user_token: Option<&str>,
) -> Result<Option<String>, PlaidError> {
    user_id
        .map(UserRef::Id)
        .or_else(|| user_token.map(UserRef::Token))
        .map(|user| state.users.resolve(user).map_err(user_error))
        .transpose()
}

/// `MISSING_FIELDS`: the request names no user (the spec leaves both fields optional; one is
/// needed).
fn no_user() -> PlaidError {
    PlaidError::missing_fields("user_id or user_token")
}

/// The `user_id` of the user `request` must name.
pub(crate) fn required(state: &State, request: &Value) -> Result<String, PlaidError> {
    named(state, request)?.ok_or_else(no_user)
}

/// `/user/create`: a new user for `client_user_id`, with a `user_id` and a `user_token`. A
/// `client_user_id` that already has one gets that same user back: the pinned spec answers
/// `/user/create` with 201 "Created" or 200 "OK", and Plaid answers 200 with the existing user
/// for a `client_user_id` it knows (plaid/plaid-openapi#223). (The legacy docs,
/// `api-products-income.txt`, say the repeated calls "fail with an error message" but name no
/// error code.)
pub(crate) fn create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::UserCreateRequest = decode(request)?;
    let client_user_id = create.client_user_id;
    let mut state = emu.model.lock();
    if let Some((user_id, user_token)) = state.users.of_client(&client_user_id) {
        return Ok(json!({"user_id": user_id, "user_token": user_token}));
    }
    let seed = emu.model.seed.to_string();
    let n = state.users.created.to_string();
    let user_id = format!("usr_{}", digest(&[&seed, "user", &n]));
    let uuid = uuid(&[&seed, "user_token", &n], &[&seed, "user_token2", &n]);
    let user_token = format!("user-sandbox-{uuid}");
    let user = User {
        user_id: user_id.clone(),
        client_user_id,
        created: emu.model.now(),
        items: Vec::new(),
        monitoring_webhook: None,
    };
    state.users.insert(user, user_token.clone());
    Ok(json!({"user_id": user_id, "user_token": user_token}))
}

/// The user `request` names, or its error.
fn user_of<'s>(state: &'s State, request: &Value) -> Result<&'s User, PlaidError> {
    let user = reference(request).ok_or_else(no_user)?;
    state.users.get(user).map_err(user_error)
}

/// `/user/get`: the user's ids and when it was made.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::UserGetRequest = decode(request)?;
    let state = emu.model.lock();
    let user = user_of(&state, request)?;
    Ok(
        json!({"user_id": user.user_id, "client_user_id": user.client_user_id,
        "created_at": rfc3339(user.created)}),
    )
}

/// `/user/update`: the user must exist; the emulator keeps no identity to update.
pub(crate) fn update(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::UserUpdateRequest = decode(request)?;
    user_of(&emu.model.lock(), request)?;
    Ok(json!({}))
}

/// `/user/items/get`: the user's Items (the spec: "Plaid associates an Item with a User when it
/// has been successfully connected within a Link session initialized with that user_id"),
/// removed ones left out.
pub(crate) fn items_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::UserItemsGetRequest = decode(request)?;
    let state = emu.model.lock();
    let user = user_of(&state, request)?;
    let mut items = Vec::new();
    for item in user.items.iter().filter_map(|id| state.items.get(id)) {
        if !item.removed {
            items.push(item_json(item, state.item_errors.get(&item.item_id))?);
        }
    }
    Ok(json!({ "items": items }))
}

/// `/user/remove`: the user and its tokens are gone, and its Items with them (the spec:
/// "deletes a user_id or user_token and associated information, including any Items associated
/// with the user").
pub(crate) fn remove(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::UserRemoveRequest = decode(request)?;
    let mut state = emu.model.lock();
    let user = reference(request).ok_or_else(no_user)?;
    let user = state.users.remove(user).map_err(user_error)?;
    for id in &user.items {
        if let Some(item) = state.items.get_mut(id) {
            item.removed = true;
        }
    }
    Ok(json!({}))
}
