//! Auth as Sandbox's test users make it (docs: `auth-coverage-testing.txt`,
//! `auth-coverage-automated.txt`, `api-products-auth.txt`, `api-sandbox.txt`): the numbers
//! `/auth/get` answers (the ones a custom user or Houndstooth Bank chose, else derived from
//! the seed), `PRODUCT_NOT_READY` while an account awaits automated micro-deposit
//! verification ("Attempting to call /auth/get on an unverified access_token will result in a
//! PRODUCT_NOT_READY error"), and `/sandbox/item/set_verification_status`, which ends the wait
//! with `automatically_verified` or `verification_expired` and fires the Item's `AUTH`
//! webhook (`AUTOMATICALLY_VERIFIED` / `VERIFICATION_EXPIRED`).

use plaid_client::types;
use serde_json::{json, Value};

use super::request::{decode, item_record};
use crate::api::Api;
use crate::model::digest::digest;
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;
use crate::webhooks::bodies;

/// Sandbox's routing number in Plaid's own examples.
const ROUTING: &str = "011401533";

/// A ten-digit account number for `account_id`, from the seed.
fn account_number(seed: u64, account_id: &str) -> String {
    let hex = digest(&[&seed.to_string(), "account-number", account_id]);
    let n = u64::from_str_radix(&hex[..12], 16).unwrap_or(0);
    format!("{:010}", n % 10_000_000_000)
}

/// An account waiting for its automated micro-deposits.
const PENDING: &str = "pending_automatic_verification";
/// An account whose micro-deposits expired: no numbers.
const EXPIRED: &str = "verification_expired";

/// `ITEM_ERROR` / `PRODUCT_NOT_READY` (docs, `errors-item.txt`).
pub(crate) fn product_not_ready() -> PlaidError {
    PlaidError::new(
        400,
        "ITEM_ERROR",
        "PRODUCT_NOT_READY",
        "the requested product is not yet ready. please provide a webhook or try the request again later",
    )
}

/// One account's numbers, by network (`NumbersACH`, `NumbersEFT`, `NumbersInternational`,
/// `NumbersBACS`); `None` for a network it has none on.
pub(crate) struct AccountNumbers {
    pub(crate) ach: Option<Value>,
    pub(crate) eft: Option<Value>,
    pub(crate) international: Option<Value>,
    pub(crate) bacs: Option<Value>,
}

/// The numbers of `account` of `item`: those chosen for it, else ACH ones derived from the
/// seed (an account with other networks' numbers chosen and no ACH ones has no ACH numbers).
pub(crate) fn account_numbers(
    seed: u64,
    state: &State,
    item: &ItemState,
    account: &Value,
) -> AccountNumbers {
    let id = account["account_id"].as_str().unwrap_or_default();
    let Some(chosen) = state.sandbox.numbers(&item.item_id, id) else {
        return AccountNumbers {
            ach: Some(
                json!({"account_id": id, "account": account_number(seed, id),
                "routing": ROUTING, "wire_routing": ROUTING}),
            ),
            eft: None,
            international: None,
            bacs: None,
        };
    };
    let derived = || account_number(seed, id);
    let ach = match (
        &chosen.routing,
        &chosen.eft_institution,
        &chosen.iban,
        &chosen.sort_code,
    ) {
        (None, Some(_), _, _) | (None, _, Some(_), _) | (None, _, _, Some(_)) => None,
        (routing, ..) => Some(json!({"account_id": id,
            "account": chosen.account.clone().unwrap_or_else(derived),
            "routing": routing.clone().unwrap_or_else(|| ROUTING.into()),
            "wire_routing": chosen.wire_routing.clone().or_else(|| routing.clone())})),
    };
    let account_no = chosen.account.clone().unwrap_or_else(derived);
    AccountNumbers {
        ach,
        eft: chosen.eft_institution.as_ref().zip(chosen.eft_branch.as_ref()).map(|(i, b)| {
            json!({"account_id": id, "account": account_no, "institution": i, "branch": b})
        }),
        international: chosen.iban.as_ref().zip(chosen.bic.as_ref()).map(|(iban, bic)| {
            json!({"account_id": id, "iban": iban, "bic": bic})
        }),
        bacs: chosen.sort_code.as_ref().map(|sort| {
            json!({"account_id": id, "account": account_no, "sort_code": sort})
        }),
    }
}

/// `/auth/get`'s `numbers` for `accounts`: `PRODUCT_NOT_READY` while one awaits its
/// micro-deposits; an expired one has none.
pub(crate) fn numbers(
    seed: u64,
    state: &State,
    item: &ItemState,
    accounts: &[&Value],
) -> Result<Value, PlaidError> {
    if accounts.iter().any(|a| a["verification_status"] == PENDING) {
        return Err(product_not_ready());
    }
    let (mut ach, mut eft, mut international, mut bacs) = (vec![], vec![], vec![], vec![]);
    for account in accounts
        .iter()
        .filter(|a| a["verification_status"] != EXPIRED)
    {
        let n = account_numbers(seed, state, item, account);
        ach.extend(n.ach);
        eft.extend(n.eft);
        international.extend(n.international);
        bacs.extend(n.bacs);
    }
    Ok(json!({"ach": ach, "eft": eft, "international": international, "bacs": bacs}))
}

/// `/sandbox/item/set_verification_status`: an account awaiting automated micro-deposits
/// becomes `automatically_verified` or `verification_expired`, and the Item's webhook hears
/// it. Another account of the Item is `INVALID_FIELD`, one it lacks `INVALID_ACCOUNT_ID`.
pub(crate) fn set_verification_status(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let typed: types::SandboxItemSetVerificationStatusRequest = decode(request)?;
    let status = serde_json::to_value(&typed.verification_status)
        .map_err(|e| PlaidError::internal(&e.to_string()))?;
    let code = match status.as_str() {
        Some("automatically_verified") => "AUTOMATICALLY_VERIFIED",
        _ => "VERIFICATION_EXPIRED",
    };
    let webhook = {
        let mut state = emu.model.lock();
        let item_id = item_record(&state, request)?.item_id.clone();
        let item = state
            .items
            .get_mut(&item_id)
            .ok_or_else(PlaidError::invalid_access_token)?;
        let account = item
            .accounts
            .iter_mut()
            .find(|a| a["account_id"] == typed.account_id.as_str())
            .ok_or_else(PlaidError::invalid_account_id)?;
        if account["verification_status"] != PENDING {
            return Err(PlaidError::invalid_field(
                "the account is not awaiting automated micro-deposit verification",
            ));
        }
        account["verification_status"] = status;
        let body = json!({"webhook_type": "AUTH", "webhook_code": code, "item_id": item_id,
            "account_id": typed.account_id, "environment": "sandbox", "error": null});
        let body = if code == "AUTOMATICALLY_VERIFIED" {
            bodies::typed::<types::AutomaticallyVerifiedWebhook>(body)?
        } else {
            bodies::typed::<types::VerificationExpiredWebhook>(body)?
        };
        item.webhook.clone().map(|url| (url, body))
    };
    if let Some((url, body)) = webhook {
        emu.webhooks.deliver(url, body);
    }
    Ok(json!({}))
}
