//! The emulator's state: its Items (and the access tokens that name them), the public tokens
//! Link handed out, link tokens, transfers and their events. One lock for the state: every
//! handler holds it for the few microseconds it takes to read or change it, never across an
//! await. (The request counter, the injected faults, the rate limits and the journal are the
//! transport's, each behind its own lock or atomic.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::Value;

use super::clock::EmulatorClock;
use super::items::{ItemState, PublicToken};
use super::link::LinkToken;
use super::plaid_error::PlaidError;
use super::transfers::Authorization;

/// Everything that changes.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) items: HashMap<String, ItemState>,
    /// Access token → Item id.
    pub(crate) access_tokens: HashMap<String, String>,
    /// Public token → its Item, until exchanged.
    pub(crate) public_tokens: HashMap<String, PublicToken>,
    pub(crate) items_created: u64,
    /// Transfer authorizations by id.
    pub(crate) authorizations: HashMap<String, Authorization>,
    /// An authorization's idempotency key → its id, and when the key was first used.
    pub(crate) authorization_keys: HashMap<String, (String, SystemTime)>,
    /// Transfers by id.
    pub(crate) transfers: HashMap<String, Value>,
    pub(crate) transfers_created: u64,
    /// Item id → the error it is in (`/sandbox/item/reset_login`) until Link repairs it.
    pub(crate) item_errors: HashMap<String, PlaidError>,
    /// Link tokens by token (`/link/token/create`).
    pub(crate) link_tokens: HashMap<String, LinkToken>,
    pub(crate) link_tokens_created: u64,
    /// Every transfer event, in `event_id` order (`event_id` = position + 1).
    pub(crate) transfer_events: Vec<Value>,
    /// Sweeps, oldest first (`/sandbox/transfer/sweep/simulate`).
    pub(crate) sweeps: Vec<Value>,
    /// Where Transfer webhooks go: the dashboard's account webhook (`Emulator::set_transfer_webhook`).
    pub(crate) transfer_webhook: Option<String>,
    /// Sandbox test clocks and recurring transfers (`/sandbox/transfer/test_clock/*`,
    /// `/transfer/recurring/*`).
    pub(crate) recurring: super::recurring::RecurringState,
    /// Refunds of transfers (`/transfer/refund/*`).
    pub(crate) refunds: super::refunds::Refunds,
    /// The Plaid Ledger balance and its sweeps (`/transfer/ledger/*`).
    pub(crate) ledger: super::ledger::Ledger,
    /// What Sandbox's test users left on Items, and processor tokens (`sandbox_items.rs`).
    pub(crate) sandbox: super::sandbox_items::SandboxState,
    /// Payment Profiles (`/payment_profile/*`).
    pub(crate) payment_profiles: super::payment_profiles::PaymentProfiles,
    /// Payment Initiation recipients and payments (`/payment_initiation/*`).
    pub(crate) payments: super::payments::Payments,
    /// Repayments of returned transfers (`/transfer/repayment/*`).
    pub(crate) repayments: super::repayments::Repayments,
    /// Bank Transfers (legacy) and their events (`/bank_transfer/*`).
    pub(crate) bank_transfers: super::bank_transfers::BankTransfers,
    /// Users and their Items (`/user/*`).
    pub(crate) users: super::users::Users,
    /// Hand-offs to OAuth institutions in Link (`oauth_state_id`s).
    pub(crate) oauth: super::oauth::OAuthStates,
}

/// The state behind its one lock, the seed everything in it is derived from, and the clock
/// every lifetime in it is measured by. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Model {
    pub(crate) seed: u64,
    /// The emulator's time (`clock.rs`): read it, never the system clock.
    pub(crate) clock: Arc<EmulatorClock>,
    state: Arc<Mutex<State>>,
}

impl Model {
    /// A fresh state for `seed`, its times read from `clock`.
    pub(crate) fn new(seed: u64, clock: Arc<EmulatorClock>) -> Self {
        Self {
            seed,
            clock,
            state: Arc::default(),
        }
    }

    /// The time now, on the emulator's clock.
    pub(crate) fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The state, locked. A handler that panicked while holding it left it as it was between
    /// two complete changes (no handler awaits or fails half-way), so the lock is taken anyway.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Back to a fresh state: no Items, tokens, transfers, and the clock at its start.
    pub(crate) fn reset(&self) {
        *self.lock() = State::default();
        self.clock.reset();
    }
}
