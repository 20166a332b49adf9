//! The webhook operations (docs: `api-webhooks.txt`, `api-webhooks-webhook-verification.txt`):
//! `/webhook_verification_key/get` serves the keys webhooks are signed with
//! (`webhooks/keys.rs`), `/sandbox/item/fire_webhook` fires one on demand (queued by
//! `webhooks/delivery.rs`), and `/item/webhook/update` changes the Item's URL.

use plaid_client::operations::ItemWebhookUpdate;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::request::{decode, item_record};
use crate::api::Api;
use crate::model::plaid_error::PlaidError;
use crate::webhooks::bodies;

/// `/webhook_verification_key/get`: the JWK of the key named `key_id`, current or rotated out
/// (then with `expired_at`); no such key is `INVALID_WEBHOOK_VERIFICATION_KEY_ID`.
pub(crate) fn verification_key(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let request: types::WebhookVerificationKeyGetRequest = decode(request)?;
    let key = emu
        .webhooks
        .keys
        .find(&request.key_id)
        .ok_or_else(PlaidError::invalid_webhook_key_id)?;
    Ok(key.key_response(""))
}

/// `/item/webhook/update`: the Item's webhook URL (none: no webhooks).
pub(crate) fn webhook_update(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let update: types::ItemWebhookUpdateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let id = item_record(&state, request)?.item_id.clone();
    let mut answer = example_value::<ItemWebhookUpdate>()?;
    if let Some(item) = state.items.get_mut(&id) {
        item.webhook = update.webhook.clone();
        answer["item"]["item_id"] = json!(item.item_id);
        answer["item"]["webhook"] = json!(item.webhook);
    }
    Ok(answer)
}

/// The URL a Sandbox request asks a webhook to be sent to: an absolute `http` or `https` URL,
/// else `SANDBOX_WEBHOOK_INVALID` (`errors-sandbox.txt`: the webhook "is either not set up, or
/// invalid"), so a test that names no usable URL is told so instead of a delivery that fails.
pub(crate) fn sandbox_webhook_url(url: &str) -> Result<String, PlaidError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            Ok(url.to_string())
        }
        _ => Err(PlaidError::sandbox_webhook_invalid()),
    }
}

/// `/sandbox/item/fire_webhook`: the webhook of `webhook_code` for the Item, queued now (docs,
/// `api-sandbox.txt`). An Item without a webhook URL is `SANDBOX_WEBHOOK_INVALID`
/// (`errors-sandbox.txt`); a code the emulator does not fire, `INVALID_FIELD`.
pub(crate) fn fire(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::SandboxItemFireWebhookRequest = decode(request)?;
    let code = request["webhook_code"].as_str().unwrap_or_default();
    let webhook_type = request["webhook_type"].as_str();
    let (url, body) = {
        let state = emu.model.lock();
        let item = item_record(&state, request)?;
        let error = state.item_errors.get(&item.item_id);
        let body = bodies::fired(item, code, webhook_type, error, emu.model.now())?;
        let url = item
            .webhook
            .clone()
            .ok_or_else(PlaidError::sandbox_webhook_invalid)?;
        (url, body)
    };
    emu.webhooks.deliver(url, body);
    Ok(json!({"webhook_fired": true}))
}
