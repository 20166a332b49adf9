//! `/identity/get` (docs, `api-products-identity.txt`): the Item's own accounts, as
//! `/accounts/get` answers them, each with an owner whose name, email and phone come from the
//! seed; the rest of the owner (addresses) is the spec's example. `options.account_ids` selects
//! some of the accounts.

use plaid_client::operations::IdentityGet;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::items::item_json;
use super::request::{decode, item_of, selected_accounts};
use super::sandbox_items;
use crate::api::Api;
use crate::model::digest::digest;
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;

const GIVEN: [&str; 6] = ["Alberta", "Ada", "Grace", "Alan", "Edsger", "Barbara"];
const FAMILY: [&str; 6] = [
    "Charleson",
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
];

/// The owner of `item`'s accounts: one person per Item.
pub(crate) fn owner(template: &Value, seed: u64, item: &ItemState) -> Value {
    let hex = digest(&[&seed.to_string(), "owner", &item.item_id]);
    let n = usize::from_str_radix(&hex[..4], 16).unwrap_or(0);
    let (given, family) = (GIVEN[n % GIVEN.len()], FAMILY[n / 7 % FAMILY.len()]);
    let mut owner = template.clone();
    owner["names"] = json!([format!("{given} {family}")]);
    let email = format!(
        "{}.{}@example.com",
        given.to_lowercase(),
        family.to_lowercase()
    );
    owner["emails"] = json!([{"data": email, "primary": true, "type": "primary"}]);
    let phone = format!("1112225{:03}", n % 1000);
    owner["phone_numbers"] = json!([{"data": phone, "primary": true, "type": "home"}]);
    owner
}

/// `/identity/get`: every account with its owner.
pub(crate) fn identity_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::IdentityGetRequest = decode(request)?;
    let state = emu.model.lock();
    let item = item_of(&state, request)?;
    let mut answer = example_value::<IdentityGet>()?;
    let template = answer["accounts"][0]["owners"][0].clone();
    let mut owner = owner(&template, emu.model.seed, item);
    if let Some(identity) = state
        .sandbox
        .item(&item.item_id)
        .and_then(|s| s.identity.as_ref())
    {
        sandbox_items::custom_owner(&mut owner, identity); // a custom user's owner
    }
    let accounts: Vec<Value> = selected_accounts(item, request)?
        .into_iter()
        .map(|account| {
            let mut account = account.clone();
            account["owners"] = json!([owner]);
            account
        })
        .collect();
    answer["accounts"] = json!(accounts);
    answer["item"] = item_json(item, None)?;
    Ok(answer)
}
