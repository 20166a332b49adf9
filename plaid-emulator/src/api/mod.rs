//! Plaid's surface: a route per generated operation (`routes.rs`), each request checked against
//! its request type (`schema_check.rs`) and answered (`dispatch.rs`), one file per flow for the emulated
//! ones, what every handler reads from its request (`request.rs`), the spec's examples every
//! other operation answers and every emulated answer starts from (`examples.rs`), and Plaid's
//! error bodies (`plaid_error.rs`). Handlers read and change the model under its one lock and
//! fire webhooks through `webhooks/`; they know nothing of the transport.

pub(crate) mod auth;
pub(crate) mod bank_transfers;
pub(crate) mod cash_flow_updates;
pub(crate) mod changes;
pub(crate) mod conform;
pub(crate) mod dispatch;
pub(crate) mod documents;
pub(crate) mod examples;
pub(crate) mod identity;
pub(crate) mod institutions;
pub(crate) mod investments;
pub(crate) mod item_clock;
pub(crate) mod item_health;
pub(crate) mod item_substitution;
pub(crate) mod items;
pub(crate) mod liabilities;
pub(crate) mod link;
pub(crate) mod link_flow;
pub(crate) mod link_login;
pub(crate) mod link_web;
pub(crate) mod oauth;
pub(crate) mod payment_profiles;
pub(crate) mod payments;
pub(crate) mod plaid_error;
pub(crate) mod processor;
pub(crate) mod product_source;
pub(crate) mod request;
pub(crate) mod routes;
pub(crate) mod sandbox_auth;
pub(crate) mod sandbox_income;
pub(crate) mod sandbox_items;
pub(crate) mod sandbox_transactions;
pub(crate) mod schema_check;
pub(crate) mod synthesize;
pub(crate) mod transactions;
pub(crate) mod transactions_get;
pub(crate) mod transfer_events;
pub(crate) mod transfer_ledger;
pub(crate) mod transfer_recurring;
pub(crate) mod transfer_refunds;
pub(crate) mod transfer_repayments;
pub(crate) mod transfer_sweeps;
pub(crate) mod transfer_test_clocks;
pub(crate) mod transfers;
pub(crate) mod users;
pub(crate) mod webhooks;

use std::sync::Arc;

use crate::api::examples::Examples;
use crate::model::clock::EmulatorClock;
use crate::model::state::Model;
use crate::webhooks::Webhooks;

/// The emulator as a handler sees it: the model, the webhooks it fires, the spec's examples.
/// Cheap to clone.
#[derive(Clone)]
pub(crate) struct Api {
    /// The state and its one lock.
    pub(crate) model: Model,
    /// Where webhooks are queued, and the keys that sign them.
    pub(crate) webhooks: Webhooks,
    /// Every operation's example answer, by path.
    pub(crate) examples: Arc<Examples>,
    /// Every operation's route, the emulated ones with their handlers.
    pub(crate) routes: Arc<routes::Routes>,
    /// Whether request bodies are checked against their request types
    /// (`EmulatorConfig::request_checks`).
    pub(crate) request_checks: bool,
}

impl Api {
    /// A fresh state for `seed`, its times read from `clock`; the webhook delivery task is
    /// spawned on the current runtime.
    pub(crate) fn new(seed: u64, clock: Arc<EmulatorClock>) -> Self {
        Self {
            model: Model::new(seed, clock.clone()),
            webhooks: Webhooks::start(seed, clock),
            examples: Arc::new(Examples::collect()),
            routes: Arc::new(dispatch::routes()),
            request_checks: true,
        }
    }
}
