//! The configured start, and the way back to it: [`crate::Emulator::reset`] and
//! `POST /emulator/reset` return the emulator to exactly what [`crate::EmulatorConfig`] set up
//! (the seed's state and first signing key, the delivery mode, the Transfer webhook, the rate
//! limits with empty windows), with no Items, faults, journal, counters or delivery log.

use crate::transport::Emulated;
use crate::webhooks::delivery::WebhookDelivery;

/// What the configuration set beside the seed, keys and rate limits (which the transport and
/// the webhooks keep themselves): restored by every reset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Start {
    /// How webhooks are delivered at the start.
    pub(crate) webhook_delivery: WebhookDelivery,
    /// Where Transfer webhooks go at the start.
    pub(crate) transfer_webhook: Option<String>,
}

/// Set what `start` says on a fresh emulator.
pub(crate) fn apply(emu: &Emulated, start: &Start) {
    emu.api.webhooks.delivery.set_mode(start.webhook_delivery);
    emu.api.model.lock().transfer_webhook = start.transfer_webhook.clone();
}

/// Back to `start`: the transport's fresh start (state, faults, journal, counters, request
/// ids, the configured rate limits), the seed's first signing key, an empty delivery log (and
/// webhooks fired before not sent), then the configured mode and Transfer webhook.
pub(crate) fn reset(emu: &Emulated, start: &Start) {
    emu.reset();
    emu.api.webhooks.reset(start.webhook_delivery);
    apply(emu, start);
}
