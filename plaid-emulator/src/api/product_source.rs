//! Where a product call's data comes from (docs, `sandbox-user-custom.txt`: "By default, if no
//! override is specified, … other products will have fixed or empty data"): a custom user's
//! Item with `override_accounts` serves exactly what its configuration says
//! ([`configured`]); every other Item answers Sandbox's fixed data, the spec's example made to
//! speak of the Item (`item_substitution.rs`), as the operations without an emulated flow do
//! ([`fixed`]).

use plaid_client::JsonOperation;
use serde_json::Value;

use super::examples::example_value;
use super::item_substitution::{substitute, ItemView};
use super::request::{item_of, selected_accounts};
use crate::api::Api;
use crate::model::custom_products::AccountProducts;
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;

/// A configured account: its `AccountBase` JSON and its product data.
pub(crate) type Configured<'s> = (&'s Value, &'s AccountProducts);

/// A product call of `O`, under the state's lock: the Item the request's `access_token` names
/// and the accounts its `options.account_ids` selects (`request.rs`), handed to `configured`
/// with a custom user's configured accounts among them; any other Item answers [`fixed`].
pub(crate) fn serve<O: JsonOperation>(
    emu: &Api,
    request: &Value,
    configured_answer: impl FnOnce(
        &ItemState,
        &[&Value],
        &[Configured<'_>],
    ) -> Result<Value, PlaidError>,
) -> Result<Value, PlaidError> {
    let state = emu.model.lock();
    let item = item_of(&state, request)?;
    let accounts = selected_accounts(item, request)?;
    match configured(&state, item, &accounts) {
        Some(custom) => configured_answer(item, &accounts, &custom),
        None => fixed::<O>(item, &accounts),
    }
}

/// `O`'s example, made to speak of `item` and its `accounts` (those the request selected):
/// the answer Sandbox's ordinary users get.
fn fixed<O: JsonOperation>(item: &ItemState, accounts: &[&Value]) -> Result<Value, PlaidError> {
    let mut answer = example_value::<O>()?;
    substitute(&mut answer, &ItemView::of(item, accounts));
    Ok(answer)
}

/// A custom user's configured accounts among `accounts`, each with its product data, in the
/// Item's order; `None` for an Item that is not a custom user's with `override_accounts`.
fn configured<'s>(
    state: &'s State,
    item: &ItemState,
    accounts: &[&'s Value],
) -> Option<Vec<Configured<'s>>> {
    let products = &state.sandbox.item(&item.item_id)?.products;
    if products.is_empty() {
        return None;
    }
    let found = accounts.iter().filter_map(|account| {
        let id = account["account_id"].as_str()?;
        Some((*account, products.get(id)?))
    });
    Some(found.collect())
}

/// The configured accounts of one of the types `kinds` (`investment`, `credit`, `loan`).
pub(crate) fn of_type<'s>(accounts: &[Configured<'s>], kinds: &[&str]) -> Vec<Configured<'s>> {
    accounts
        .iter()
        .filter(|(account, _)| kinds.iter().any(|k| account["type"] == *k))
        .copied()
        .collect()
}

/// A configured date (`YYYY-MM-DD`, checked when the configuration was read) as a typed date.
pub(crate) fn date(text: &str) -> Result<chrono::NaiveDate, PlaidError> {
    text.parse()
        .map_err(|_| PlaidError::invalid_field(&format!("{text:?} is not a calendar date")))
}
