//! Link without a browser (docs: `api-tokens.txt` `/link/token/create`,
//! `link-update-mode.txt`, `errors-invalid-input.txt` `INVALID_LINK_TOKEN`): `/link/token/create`
//! stores what the token was made for (`model/link.rs`: a new Item's token lasts 4 hours, an
//! update-mode one 30 minutes), and [`Emulator::complete_link`](crate::Emulator::complete_link)
//! (or `POST /emulator/link/complete`) plays the user finishing Link with it; in Sandbox a link
//! token can be used more than once ("except when working in the Sandbox test environment"),
//! each use a new Item.

use plaid_client::types;
use serde_json::{json, Value};

use super::link_flow::{self, Choices, FlowError, LinkError};
use super::payment_profiles;
use super::request::{decode, item_record};
use super::users;
use crate::api::Api;
use crate::model::clock;
use crate::model::digest::digest;
use crate::model::link::LinkToken;
use crate::model::plaid_error::PlaidError;

/// `/link/token/create`: `products` are required unless `access_token` names an Item to update
/// or `transfer.payment_profile_token` a linked Payment Profile to update (`payment_profiles.rs`).
pub(crate) fn token_create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::LinkTokenCreateRequest = decode(request)?;
    let products: Vec<String> = request["products"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut state = emu.model.lock();
    let profile = payment_profiles::for_link_token(&state, request, products.is_empty())?;
    let profile_update = profile.as_ref().and_then(|p| p.update_item.clone());
    let item_id = match &create.access_token {
        Some(_) => Some(item_record(&state, request)?.item_id.clone()),
        None if profile_update.is_some() => profile_update,
        None if products.is_empty() => return Err(PlaidError::missing_fields("products")),
        None => None,
    };
    state.link_tokens_created += 1;
    let n = state.link_tokens_created.to_string();
    let link_token = format!(
        "link-sandbox-{}",
        digest(&[&emu.model.seed.to_string(), "link", &n])
    );
    let token = LinkToken {
        products,
        webhook: create.webhook.clone(),
        institution_id: create.institution_id.clone(),
        item_id,
        payment_profile_token: profile.map(|p| p.token),
        client_name: create.client_name.clone(),
        language: create.language.clone(),
        created: emu.model.now(),
        user_id: users::named(&state, request)?,
    };
    let expiration = clock::rfc3339(token.created + token.lifetime());
    state.link_tokens.insert(link_token.clone(), token);
    Ok(json!({"link_token": link_token, "expiration": expiration}))
}

/// The user finishes Link with `link_token`: a new Item and its public token, or in update
/// mode the Item repaired and a public token for it (docs, `link-update-mode.txt`: the
/// access token does not change, so exchanging it is not needed; it exchanges to the same one).
/// The same flow as Link in a browser (`link_flow.rs`), as Sandbox's good user who selects
/// every account.
pub(crate) fn complete(emu: &Api, link_token: &str) -> Result<String, LinkError> {
    match link_flow::finish(emu, link_token, &Choices::GOOD_USER) {
        Ok(linked) => Ok(linked.public_token),
        Err(FlowError::Link(e)) => Err(e),
        Err(FlowError::Login(e)) => Err(LinkError::Internal(e.message)),
    }
}
