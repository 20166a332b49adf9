//! Payment Initiation payments and recipients (docs: `api-products-payment-initiation.txt`
//! `/payment_initiation/recipient/create`, `/payment_initiation/payment/create`, `/get`; the
//! pinned spec's `/sandbox/payment/simulate`). A payment is `PAYMENT_STATUS_INPUT_NEEDED` when
//! made ("For a payment returned by this endpoint, there is only one possible value"), then takes
//! whatever status the Sandbox simulation sets among those it lists as valid.

use std::collections::HashMap;
use std::time::SystemTime;

/// The statuses `/sandbox/payment/simulate` may set (the spec's `SandboxPaymentSimulateRequest`:
/// "Valid statuses include").
pub(crate) const SIMULATED_STATUSES: [&str; 7] = [
    "PAYMENT_STATUS_INITIATED",
    "PAYMENT_STATUS_INSUFFICIENT_FUNDS",
    "PAYMENT_STATUS_FAILED",
    "PAYMENT_STATUS_EXECUTED",
    "PAYMENT_STATUS_SETTLED",
    "PAYMENT_STATUS_CANCELLED",
    "PAYMENT_STATUS_REJECTED",
];

/// A payment's first status.
pub(crate) const INPUT_NEEDED: &str = "PAYMENT_STATUS_INPUT_NEEDED";

/// One payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) recipient_id: String,
    pub(crate) reference: String,
    /// ISO 4217 code, as sent.
    pub(crate) currency: String,
    pub(crate) value: f64,
    /// One of the spec's `PaymentInitiationPaymentStatus` values.
    pub(crate) status: &'static str,
    pub(crate) last_status_update: SystemTime,
}

/// The recipients (id → name) and payments of the state.
#[derive(Debug, Default)]
pub(crate) struct Payments {
    pub(crate) recipients: HashMap<String, String>,
    /// In the order they were made.
    pub(crate) all: Vec<Payment>,
}

impl Payments {
    /// The payment `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&Payment> {
        self.all.iter().find(|p| p.id == id)
    }

    /// The payment `id` set to `status` (one of [`SIMULATED_STATUSES`]) at `at`: its old
    /// status, or `None` if there is no such payment or status.
    pub(crate) fn set_status(
        &mut self,
        id: &str,
        status: &str,
        at: SystemTime,
    ) -> Option<&'static str> {
        let status = SIMULATED_STATUSES.iter().find(|s| **s == status)?;
        let payment = self.all.iter_mut().find(|p| p.id == id)?;
        let old = payment.status;
        payment.status = status;
        payment.last_status_update = at;
        Some(old)
    }
}
