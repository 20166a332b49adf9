//! Bank Transfers in Sandbox (docs: `auth-coverage-microdeposit-events.txt`,
//! `auth-coverage-testing.txt`): `/sandbox/bank_transfer/fire_webhook` sends one
//! `BANK_TRANSFERS_EVENTS_UPDATE` to the URL given, as a test of the endpoint ("Simulating a
//! posted event in Sandbox does not generate a webhook. You will need to call
//! /sandbox/bank_transfer/fire_webhook each time you want a webhook to be published").

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use crate::api::Api;
use crate::model::plaid_error::PlaidError;
use crate::webhooks::bodies;

/// `/sandbox/bank_transfer/fire_webhook`: the webhook, queued for `webhook`.
pub(crate) fn fire_webhook(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let fire: types::SandboxBankTransferFireWebhookRequest = decode(request)?;
    emu.webhooks
        .deliver(fire.webhook, bodies::bank_transfers_events_update()?);
    Ok(json!({}))
}
