//! Cash Flow Updates (Plaid Check monitoring) for a user (`users.rs`): the spec's
//! `/cra/monitoring_insights/subscribe` records the `webhook` ("URL to which Plaid will send Cash
//! Flow Updates webhooks") and `/sandbox/cra/cashflow_updates/update` ("manually trigger an
//! update for Cash Flow Updates (Monitoring) in the Sandbox environment") fires one
//! `CASH_FLOW_UPDATES` webhook per code of `webhook_codes` (the spec's
//! `CashFlowUpdatesEventWebhookCodes`) there, each its generated webhook type
//! (`CashFlowUpdatesLargeDepositWebhook`, ...), `status` `AVAILABLE`. The spec names no default
//! for an empty or absent `webhook_codes`; the emulator then fires every code, as
//! `income_categories` of the subscription "default to including all possible categories".
//! A user never subscribed has its updates sent to its Items' webhooks (the link token's
//! `webhook`); a user with neither is `SANDBOX_WEBHOOK_INVALID` (`errors-sandbox.txt`), as the
//! other Sandbox webhook endpoints without a URL.

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use super::users;
use crate::api::Api;
use crate::model::digest::digest;
use crate::model::plaid_error::PlaidError;
use crate::model::state::State;
use crate::model::users::UserRef;
use crate::webhooks::bodies;

/// Every Cash Flow Updates event code, in the spec's order.
const CODES: [&str; 4] = [
    "LARGE_DEPOSIT_DETECTED",
    "LOW_BALANCE_DETECTED",
    "NEW_LOAN_PAYMENT_DETECTED",
    "NSF_OVERDRAFT_DETECTED",
];

/// `/cra/monitoring_insights/subscribe`: the user's Cash Flow Updates go to `webhook`.
pub(crate) fn subscribe(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let subscribe: types::CraMonitoringInsightsSubscribeRequest = decode(request)?;
    let mut state = emu.model.lock();
    let user_id = users::required(&state, request)?;
    let user = state
        .users
        .get_mut(UserRef::Id(&user_id))
        .map_err(users::user_error)?;
    user.monitoring_webhook = Some(subscribe.webhook);
    let seed = emu.model.seed.to_string();
    let subscription_id = digest(&[&seed, "cash_flow_updates", &user_id]);
    Ok(json!({ "subscription_id": subscription_id }))
}

/// `/sandbox/cra/cashflow_updates/update`: the requested webhooks, fired for the user.
pub(crate) fn sandbox_update(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let update: types::SandboxCraCashflowUpdatesUpdateRequest = decode(request)?;
    let (user_id, urls) = {
        let state = emu.model.lock();
        let user_id = users::required(&state, request)?;
        let urls = webhook_urls(&state, &user_id);
        (user_id, urls)
    };
    if urls.is_empty() {
        return Err(PlaidError::sandbox_webhook_invalid());
    }
    let codes: Vec<String> = match update.webhook_codes.as_deref() {
        Some(codes) if !codes.is_empty() => codes.iter().map(ToString::to_string).collect(),
        _ => CODES.iter().map(|c| (*c).to_string()).collect(),
    };
    let mut payloads = Vec::with_capacity(codes.len());
    for code in &codes {
        payloads.push(body(code, &user_id)?);
    }
    for url in urls {
        for payload in &payloads {
            emu.webhooks.deliver(url.clone(), payload.clone());
        }
    }
    Ok(json!({}))
}

/// Where `user_id`'s Cash Flow Updates go: its subscription's URL, else its Items' webhooks
/// (each URL once, in the order the Items joined).
fn webhook_urls(state: &State, user_id: &str) -> Vec<String> {
    let Ok(user) = state.users.get(UserRef::Id(user_id)) else {
        return Vec::new();
    };
    if let Some(url) = &user.monitoring_webhook {
        return vec![url.clone()];
    }
    let mut urls: Vec<String> = Vec::new();
    let items = user.items.iter().filter_map(|id| state.items.get(id));
    for url in items
        .filter(|i| !i.removed)
        .filter_map(|i| i.webhook.as_ref())
    {
        if !urls.contains(url) {
            urls.push(url.clone());
        }
    }
    urls
}

/// The `CASH_FLOW_UPDATES` webhook of `code` for `user_id`, as its generated type.
fn body(code: &str, user_id: &str) -> Result<Vec<u8>, PlaidError> {
    let body = json!({"webhook_type": "CASH_FLOW_UPDATES", "webhook_code": code,
        "status": "AVAILABLE", "user_id": user_id, "environment": "sandbox"});
    match code {
        "LARGE_DEPOSIT_DETECTED" => {
            bodies::typed::<types::CashFlowUpdatesLargeDepositWebhook>(body)
        }
        "LOW_BALANCE_DETECTED" => bodies::typed::<types::CashFlowUpdatesLowBalanceWebhook>(body),
        "NEW_LOAN_PAYMENT_DETECTED" => {
            bodies::typed::<types::CashFlowUpdatesNewLoanPaymentWebhook>(body)
        }
        "NSF_OVERDRAFT_DETECTED" => bodies::typed::<types::CashFlowUpdatesNsfWebhook>(body),
        other => Err(PlaidError::invalid_field(&format!(
            "webhook_codes: {other} is not a Cash Flow Updates webhook code"
        ))),
    }
}
