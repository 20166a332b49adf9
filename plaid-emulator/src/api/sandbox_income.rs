//! The Income webhooks Sandbox fires on demand (docs: `api-sandbox.txt`
//! `/sandbox/income/fire_webhook`, the spec's `/sandbox/bank_income/fire_webhook`):
//! `INCOME` / `INCOME_VERIFICATION` (with the requested `verification_status`) or
//! `INCOME_VERIFICATION_RISK_SIGNALS` for one of the emulator's Items, sent to the URL the
//! request names; `INCOME` / `BANK_INCOME_REFRESH_UPDATE` or `BANK_INCOME_REFRESH_COMPLETE`
//! for a user, sent to `webhook_override` (the emulator has no dashboard URL to fall back on:
//! without one, `SANDBOX_WEBHOOK_INVALID`, `errors-sandbox.txt`). Each body is its generated
//! webhook type.

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use crate::api::Api;
use crate::model::plaid_error::PlaidError;
use crate::webhooks::bodies;

/// `value` as Plaid writes it (the request's enums, as text).
fn text<T: serde::Serialize>(value: &T) -> Result<Value, PlaidError> {
    serde_json::to_value(value).map_err(|e| PlaidError::internal(&e.to_string()))
}

/// `/sandbox/income/fire_webhook`: an Item the emulator does not have is `ITEM_NOT_FOUND`.
pub(crate) fn fire_webhook(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let typed: types::SandboxIncomeFireWebhookRequest = decode(request)?;
    if !emu.model.lock().items.contains_key(&typed.item_id) {
        return Err(PlaidError::item_not_found());
    }
    let code = text(&typed.webhook_code)?;
    let mut body = json!({"webhook_type": "INCOME", "webhook_code": code, "item_id": typed.item_id,
        "user_id": typed.user_id, "environment": "sandbox"});
    let payload = if code == "INCOME_VERIFICATION_RISK_SIGNALS" {
        body["risk_signals_status"] = json!("PROCESSING_COMPLETE");
        bodies::typed::<types::IncomeVerificationRiskSignalsStatusWebhook>(body)?
    } else {
        body["verification_status"] = match &typed.verification_status {
            Some(status) => text(status)?,
            None => json!("VERIFICATION_STATUS_PROCESSING_COMPLETE"),
        };
        bodies::typed::<types::IncomeVerificationStatusWebhook>(body)?
    };
    let url = super::webhooks::sandbox_webhook_url(&typed.webhook)?;
    emu.webhooks.deliver(url, payload);
    Ok(json!({}))
}

/// `/sandbox/bank_income/fire_webhook`: `BANK_INCOME_REFRESH_COMPLETE` carries
/// `webhook_fields.bank_income_refresh_complete_result` (`SUCCESS` if not given).
pub(crate) fn bank_income_fire_webhook(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let typed: types::SandboxBankIncomeFireWebhookRequest = decode(request)?;
    let url = typed
        .webhook_override
        .as_deref()
        .map(super::webhooks::sandbox_webhook_url)
        .ok_or_else(PlaidError::sandbox_webhook_invalid)??;
    let code = text(&typed.webhook_code)?;
    let mut body = json!({"webhook_type": "INCOME", "webhook_code": code,
        "user_id": typed.webhook_fields.user_id, "environment": "sandbox"});
    let payload = if code == "BANK_INCOME_REFRESH_COMPLETE" {
        body["result"] = match &typed.webhook_fields.bank_income_refresh_complete_result {
            Some(result) => text(result)?,
            None => json!("SUCCESS"),
        };
        bodies::typed::<types::BankIncomeRefreshCompleteWebhook>(body)?
    } else {
        bodies::typed::<types::BankIncomeRefreshUpdateWebhook>(body)?
    };
    emu.webhooks.deliver(url, payload);
    Ok(json!({}))
}
