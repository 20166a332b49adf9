//! Webhooks, signed like Plaid signs them (docs: `api-webhooks.txt`,
//! `api-webhooks-webhook-verification.txt`): delivered as HTTP POSTs to the Item's webhook URL
//! with a `Plaid-Verification` ES256 JWT (`webhook_delivery.rs`), whose keys
//! `/webhook_verification_key/get` serves (`webhook_keys.rs`); `/sandbox/item/fire_webhook`
//! fires them on demand, and `/item/webhook/update` changes the URL.

use plaid_client::operations::{
    ItemWebhookUpdate, SandboxItemFireWebhook, WebhookVerificationKeyGet,
};
use plaid_client::types;
use serde_json::{json, Value};

use crate::emulated::Emulated;
use crate::examples::{example_value, typed};
use crate::items::{decode, item_record};
use crate::model::plaid_error::PlaidError;
use crate::webhook_bodies;
use crate::webhook_delivery::WebhookDelivery;

/// `/webhook_verification_key/get`: the JWK of the key named `key_id`, current or rotated out
/// (then with `expired_at`); no such key is `INVALID_WEBHOOK_VERIFICATION_KEY_ID`.
pub(crate) fn verification_key(
    emu: &Emulated,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let request: types::WebhookVerificationKeyGetRequest = decode(request)?;
    let key = emu
        .webhook_keys
        .find(&request.key_id)
        .ok_or_else(PlaidError::invalid_webhook_key_id)?;
    typed::<WebhookVerificationKeyGet>(key.key_response(request_id))
}

/// `/item/webhook/update`: the Item's webhook URL (none: no webhooks).
pub(crate) fn webhook_update(
    emu: &Emulated,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let update: types::ItemWebhookUpdateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let id = item_record(&state, request)?.item_id.clone();
    let mut answer = example_value::<ItemWebhookUpdate>()?;
    if let Some(item) = state.items.get_mut(&id) {
        item.webhook = update.webhook.clone();
        answer["item"]["item_id"] = json!(item.item_id);
        answer["item"]["webhook"] = json!(item.webhook);
    }
    answer["request_id"] = json!(request_id);
    typed::<ItemWebhookUpdate>(answer)
}

/// `/sandbox/item/fire_webhook`: the webhook of `webhook_code` for the Item, queued now (docs,
/// `api-sandbox.txt`). An Item without a webhook URL is `SANDBOX_WEBHOOK_INVALID`
/// (`errors-sandbox.txt`); a code the emulator does not fire, `INVALID_FIELD`.
pub(crate) fn fire(
    emu: &Emulated,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let _: types::SandboxItemFireWebhookRequest = decode(request)?;
    let code = request["webhook_code"].as_str().unwrap_or_default();
    let webhook_type = request["webhook_type"].as_str();
    let (url, body) = {
        let state = emu.model.lock();
        let item = item_record(&state, request)?;
        let error = state.item_errors.get(&item.item_id);
        let body = webhook_bodies::fired(item, code, webhook_type, error)?;
        let url = item
            .webhook
            .clone()
            .ok_or_else(PlaidError::sandbox_webhook_invalid)?;
        (url, body)
    };
    emu.delivery.send(url, body);
    typed::<SandboxItemFireWebhook>(json!({"webhook_fired": true, "request_id": request_id}))
}

/// `POST /emulator/webhooks/rotate_key`: [`crate::Emulator::rotate_webhook_key`] over HTTP.
pub(crate) fn rotate_over_http(emu: &Emulated) -> Result<Vec<u8>, PlaidError> {
    let kid = emu.webhook_keys.rotate();
    serde_json::to_vec(&json!({"kid": kid})).map_err(|e| PlaidError::internal(&e.to_string()))
}

/// Queue a webhook body (already typed) for `url`.
pub(crate) fn deliver(emu: &Emulated, url: String, body: Vec<u8>) {
    emu.delivery.send(url, body);
}

impl crate::Emulator {
    /// Rotate the webhook signing key (docs, `api-webhooks-webhook-verification.txt`,
    /// "Caching and key rotation"): webhooks are signed with a new key, named by the `kid`
    /// returned, from now on; `/webhook_verification_key/get` still serves the old key for its
    /// `kid`, with `expired_at` set to now, so a verifier that refetches it refuses it.
    pub fn rotate_webhook_key(&self) -> String {
        self.emulated.webhook_keys.rotate()
    }

    /// How webhooks are delivered from now on: in order (the default), each twice, or
    /// pending ones reordered (see [`WebhookDelivery`]).
    pub fn set_webhook_delivery(&self, delivery: WebhookDelivery) {
        self.emulated.delivery.set_mode(delivery);
    }
}
