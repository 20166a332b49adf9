//! Webhooks, signed like Plaid signs them (docs: `api-webhooks.txt`,
//! `api-webhooks-webhook-verification.txt`): delivered as HTTP POSTs to the Item's webhook URL
//! with a `Plaid-Verification` ES256 JWT from the ext's `WebhookSigner`, whose key
//! `/webhook_verification_key/get` serves; `/sandbox/item/fire_webhook` fires them on demand,
//! and `/item/webhook/update` changes the URL. A failed delivery is retried (3 attempts, 100 ms
//! apart), as Plaid retries a webhook that was not answered with 200.

use std::time::Duration;

use plaid_client::operations::{
    ItemWebhookUpdate, SandboxItemFireWebhook, WebhookVerificationKeyGet,
};
use plaid_client::types;
use serde_json::{json, Value};

use crate::examples::{example_value, typed};
use crate::items::{decode, item_of};
use crate::plaid_error::PlaidError;
use crate::state::{Emulated, ItemState};

/// How often a webhook is sent before the emulator gives up on it.
const DELIVERY_ATTEMPTS: u32 = 3;
const RETRY_DELAY: Duration = Duration::from_millis(100);

/// `/webhook_verification_key/get`: the signing key's JWK, for its `kid` only.
pub(crate) fn verification_key(
    emu: &Emulated,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let request: types::WebhookVerificationKeyGetRequest = decode(request)?;
    if request.key_id != emu.signer.kid() {
        return Err(PlaidError::invalid_webhook_key_id());
    }
    typed::<WebhookVerificationKeyGet>(emu.signer.key_response(request_id))
}

/// `/item/webhook/update`: the Item's webhook URL (none: no webhooks).
pub(crate) fn webhook_update(
    emu: &Emulated,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let update: types::ItemWebhookUpdateRequest = decode(request)?;
    let mut state = emu.lock();
    let id = item_of(&state, request)?.item_id.clone();
    let mut answer = example_value::<ItemWebhookUpdate>()?;
    if let Some(item) = state.items.get_mut(&id) {
        item.webhook = update.webhook.clone();
        answer["item"]["item_id"] = json!(item.item_id);
        answer["item"]["webhook"] = json!(item.webhook);
    }
    answer["request_id"] = json!(request_id);
    typed::<ItemWebhookUpdate>(answer)
}

/// `/sandbox/item/fire_webhook`: the webhook of `webhook_code` for the Item, delivered now.
pub(crate) fn fire(
    emu: &Emulated,
    request: &Value,
    request_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let _: types::SandboxItemFireWebhookRequest = decode(request)?;
    let code = request["webhook_code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (url, payload) = {
        let state = emu.lock();
        let item = item_of(&state, request)?;
        let url = item.webhook.clone().ok_or_else(|| {
            PlaidError::invalid_field(
                "the Item has no webhook URL (set options.webhook or use /item/webhook/update)",
            )
        })?;
        (url, payload(item, &code))
    };
    deliver(emu, url, payload);
    typed::<SandboxItemFireWebhook>(json!({"webhook_fired": true, "request_id": request_id}))
}

/// The body Plaid sends for `code` (docs: the webhook pages of each product).
pub(crate) fn payload(item: &ItemState, code: &str) -> Value {
    let mut body = json!({"webhook_code": code, "item_id": item.item_id, "environment": "sandbox"});
    match code {
        "SYNC_UPDATES_AVAILABLE" => {
            body["webhook_type"] = json!("TRANSACTIONS");
            body["initial_update_complete"] = json!(true);
            body["historical_update_complete"] = json!(true);
        }
        "DEFAULT_UPDATE" | "INITIAL_UPDATE" | "HISTORICAL_UPDATE" => {
            body["webhook_type"] = json!("TRANSACTIONS");
            body["new_transactions"] = json!(0);
            body["error"] = Value::Null;
        }
        _ => {
            body["webhook_type"] = json!("ITEM");
            body["error"] = Value::Null;
        }
    }
    body
}

/// POST `payload` to `url`, signed, in the background; retried on failure.
pub(crate) fn deliver(emu: &Emulated, url: String, payload: Value) {
    let body = serde_json::to_vec_pretty(&payload).unwrap_or_default();
    let signer = emu.signer.clone();
    let http = emu.http.clone();
    tokio::spawn(async move {
        for attempt in 1..=DELIVERY_ATTEMPTS {
            let sent = http
                .post(&url)
                .header("content-type", "application/json")
                .header("plaid-verification", signer.sign_now(&body))
                .body(body.clone())
                .send()
                .await;
            if matches!(&sent, Ok(r) if r.status().is_success()) || attempt == DELIVERY_ATTEMPTS {
                break;
            }
            tokio::time::sleep(RETRY_DELAY).await;
        }
    });
}
