//! Payment Initiation (docs: `api-products-payment-initiation.txt`
//! `/payment_initiation/recipient/create`, `/payment_initiation/payment/create`, `/get`; the
//! pinned spec's `/sandbox/payment/simulate`, which "will trigger the corresponding payment
//! status webhook"; the states are `model/payments.rs`). An unknown recipient, payment or a
//! status the simulation does not list is `INVALID_FIELD`: Plaid documents no code for these.

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use crate::api::Api;
use crate::model::clock::rfc3339;
use crate::model::digest::digest;
use crate::model::payments::{Payment, INPUT_NEEDED, SIMULATED_STATUSES};
use crate::model::plaid_error::PlaidError;
use crate::webhooks::bodies;

/// An id in the docs' form `<kind>-id-sandbox-<uuid>`, derived from the seed and `n`.
fn sandbox_id(emu: &Api, kind: &str, n: usize) -> String {
    let (seed, n) = (emu.model.seed.to_string(), n.to_string());
    let d = digest(&[&seed, kind, &n]) + &digest(&[&seed, kind, &n, "2"]);
    format!(
        "{kind}-id-sandbox-{}-{}-{}-{}-{}",
        &d[..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    )
}

/// `/payment_initiation/recipient/create`: a recipient id.
pub(crate) fn recipient_create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::PaymentInitiationRecipientCreateRequest = decode(request)?;
    let mut state = emu.model.lock();
    let id = sandbox_id(emu, "recipient", state.payments.recipients.len());
    state.payments.recipients.insert(id.clone(), create.name);
    Ok(json!({"recipient_id": id}))
}

/// `/payment_initiation/payment/create`: a payment to a recipient the emulator made, awaiting
/// the user's input.
pub(crate) fn payment_create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let create: types::PaymentInitiationPaymentCreateRequest = decode(request)?;
    let mut state = emu.model.lock();
    if !state.payments.recipients.contains_key(&create.recipient_id) {
        return Err(PlaidError::invalid_field("recipient_id is not a recipient"));
    }
    let payment = Payment {
        id: sandbox_id(emu, "payment", state.payments.all.len()),
        recipient_id: create.recipient_id,
        reference: create.reference,
        currency: create.amount.currency.to_string(),
        value: create.amount.value,
        status: INPUT_NEEDED,
        last_status_update: emu.model.now(),
    };
    let answer = json!({"payment_id": payment.id, "status": payment.status});
    state.payments.all.push(payment);
    Ok(answer)
}

/// `/payment_initiation/payment/get`.
pub(crate) fn payment_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let get: types::PaymentInitiationPaymentGetRequest = decode(request)?;
    let state = emu.model.lock();
    let p = state
        .payments
        .get(&get.payment_id)
        .ok_or_else(|| PlaidError::invalid_field("payment_id is not a payment"))?;
    Ok(json!({
        "payment_id": p.id, "recipient_id": p.recipient_id, "reference": p.reference,
        "amount": {"currency": p.currency, "value": p.value}, "status": p.status,
        "last_status_update": rfc3339(p.last_status_update), "bacs": null, "iban": null,
    }))
}

/// `/sandbox/payment/simulate`: the payment takes `status` (one the spec lists as valid),
/// and `PAYMENT_INITIATION` / `PAYMENT_STATUS_UPDATE` goes to `webhook`.
pub(crate) fn simulate(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let simulate: types::SandboxPaymentSimulateRequest = decode(request)?;
    if !SIMULATED_STATUSES.contains(&simulate.status.as_str()) {
        return Err(PlaidError::invalid_field(&format!(
            "status must be one of {}",
            SIMULATED_STATUSES.join(", ")
        )));
    }
    let now = emu.model.now();
    let old = {
        let mut state = emu.model.lock();
        state
            .payments
            .set_status(&simulate.payment_id, &simulate.status, now)
            .ok_or_else(|| PlaidError::invalid_field("payment_id is not a payment"))?
    };
    let body = json!({"webhook_type": "PAYMENT_INITIATION",
        "webhook_code": "PAYMENT_STATUS_UPDATE", "payment_id": simulate.payment_id,
        "old_payment_status": old, "new_payment_status": simulate.status,
        "timestamp": rfc3339(now), "environment": "sandbox"});
    let body = bodies::typed::<types::PaymentStatusUpdateWebhook>(body)?;
    emu.webhooks.deliver(simulate.webhook, body);
    Ok(json!({"old_status": old, "new_status": simulate.status}))
}
