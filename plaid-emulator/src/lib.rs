//! A stateful stand-in for Plaid Sandbox, for tests: start it in process on a loopback port (or
//! run the binary), point a `PlaidClient` at its base URL, and exercise the flows Plaid's
//! documentation describes, with state: Items linked through single-use public tokens, their
//! accounts, and their transactions served from opaque per-Item cursors.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use plaid_emulator::{Emulator, EmulatorConfig};
//!
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! let url = emulator.base_url(); // http://127.0.0.1:PORT
//! assert!(url.starts_with("http://127.0.0.1:"));
//! // Point `PlaidClient::builder(Environment::Custom(url.into()), id, secret)` at it.
//! # Ok(()) }
//! ```
//!
//! What it emulates:
//!
//! - requests are checked like Plaid checks them (docs: `errors-invalid-input.txt`,
//!   `errors-invalid-request.txt`): the `PLAID-CLIENT-ID`/`PLAID-SECRET` headers or body fields
//!   against the configured keys (`INVALID_API_KEYS`; missing ones `MISSING_FIELDS`), a body
//!   that is not JSON (`INVALID_BODY`), an unknown path (`NOT_FOUND`, answered with HTTP 404);
//! - Items and Link (docs: `api-sandbox.txt`, `api-items.txt`): `/sandbox/public_token/create`,
//!   `/item/public_token/exchange` (a public token is single-use and expires after 30 minutes:
//!   `INVALID_PUBLIC_TOKEN`), `/item/get`, `/item/remove` (then `ITEM_NOT_FOUND`), `/accounts/get`,
//!   `/accounts/balance/get`;
//! - Link without a browser (docs: `api-tokens.txt`, `link-update-mode.txt`):
//!   `/link/token/create`, then [`Emulator::complete_link`] (or `POST /emulator/link/complete`)
//!   as the user finishing Link: a new Item, or in update mode the Item repaired;
//! - login required (docs: `api-sandbox.txt`, `errors-item.txt`): `/sandbox/item/reset_login`
//!   makes every product call of the Item answer `ITEM_LOGIN_REQUIRED`, shows the error in
//!   `/item/get` and fires one `ITEM` / `ERROR` webhook, until update-mode Link;
//! - `/auth/get` and `/identity/get` (docs: `api-products-auth.txt`,
//!   `api-products-identity.txt`): the Item's own accounts with numbers and an owner from the seed;
//! - Sandbox's test credentials and institutions (docs: `sandbox-test-credentials.txt`,
//!   `sandbox-user-custom.txt`, `sandbox-institutions.txt`): `user_good`/`pass_good`, every
//!   `error_<CODE>` password's error, MFA, `user_transactions_dynamic`, `user_custom` with its
//!   JSON configuration (exactly its accounts, transactions, holdings, investment transactions
//!   and liabilities, and the MFA it asks Link for), in
//!   `/sandbox/public_token/create`, `/sandbox/processor_token/create`, Link and
//!   [`Emulator::create_item_as`]; the 16 Sandbox institutions in `/institutions/*`, the
//!   unhealthy and unsupported ones refused as documented; Houndstooth Bank's Auth flows and
//!   `/sandbox/item/set_verification_status`; processor tokens in `/processor/*`;
//! - transactions (docs: `api-products-transactions.txt`): each Item has a history derived from
//!   the seed and dated back from the day it was created on the emulator's clock, served by
//!   `/transactions/sync` with `count`, `has_more`, `added`, `modified` and `removed` from
//!   cursors that are the Item's own (another Item's cursor is an error);
//!   `/transactions/get` (offset paging), `/transactions/refresh` and
//!   `/sandbox/transactions/create` agree with it;
//! - webhooks (docs: `api-webhooks-webhook-verification.txt`): `/sandbox/item/fire_webhook`
//!   POSTs each documented code, typed and signed with an ES256 key, to the Item's URL, in the
//!   background and retried; `/webhook_verification_key/get` serves every key, a rotated one
//!   ([`Emulator::rotate_webhook_key`]) with `expired_at`; [`Emulator::set_webhook_delivery`]
//!   duplicates or reorders deliveries; one queue per receiving URL, so a receiver that hangs
//!   delays only its own; every attempt is logged ([`Emulator::deliveries`]), and a test waits
//!   for one ([`Emulator::wait_for_delivery`]) or for every webhook to finish
//!   ([`Emulator::wait_for_webhooks_settled`]) instead of sleeping;
//! - transfers (docs: `api-products-transfer.txt`): authorizations keyed by `idempotency_key`,
//!   one transfer per authorization whatever the retries; its events (`pending`, then
//!   `/sandbox/transfer/simulate` and sweeps) in `/transfer/event/list` and
//!   `/transfer/event/sync`, each call that made some announced by `TRANSFER_EVENTS_UPDATE`;
//!   Sandbox test clocks whose advances originate recurring transfers by their schedules,
//!   refunds, repayments of returns and the Plaid Ledger with their simulations, Payment
//!   Profiles and their Sandbox `reset_login` (docs: `api-sandbox.txt`,
//!   `transfer-recurring-transfers.txt`);
//! - Bank Transfers (legacy) and their events, moved by `/sandbox/bank_transfer/simulate`;
//! - Payment Initiation payments whose status `/sandbox/payment/simulate` sets, with their
//!   `PAYMENT_STATUS_UPDATE` webhook (docs: `api-products-payment-initiation.txt`);
//! - time: one clock ([`Clock`], [`EmulatorConfig::clock`]) that every lifetime, window and
//!   schedule reads, transactions' dates and pending transactions' posting too; a manual one
//!   moves only with [`Emulator::advance`];
//! - with `PLAID_EMULATOR_RECORD=FILE`, one JSON line per answered request appended to `FILE`;
//! - every other operation of the 329 answers too: the spec's example (or, where the spec has
//!   none, a body synthesized from the response type's JSON Schema) with the request's Item
//!   substituted wherever it names one (`item_id`, the accounts' ids, names and masks, the
//!   institution), decoded into the generated response type and serialized by it; the binary
//!   ones a one-page PDF or a ZIP holding one, as the spec declares; the three `GET` ones with
//!   their keys in headers and their path parameters in the answer;
//! - control for tests: [`Emulator::create_item`] (an Item without Link; histories are derived
//!   from the seed, so thousands of Items are cheap), transactions added, changed and removed
//!   (each firing the Item's `SYNC_UPDATES_AVAILABLE`), [`Emulator::transactions`] and
//!   [`Emulator::item`] (what a fully synced application holds), faults
//!   ([`Emulator::inject`]: HTML 5xx, dropped connections, delays, 429s,
//!   `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`, `ITEM_LOGIN_REQUIRED`), rate limits
//!   ([`Emulator::set_rate_limits`], docs: `errors-rate-limit-exceeded.txt`), the
//!   [`Emulator::journal`] and [`Emulator::counters`], and [`Emulator::reset`]; the same over
//!   HTTP under `/emulator/` (the README lists the routes).
//!
//! Every body it answers is a value of the generated response types, so it conforms to the
//! pinned spec by construction.

#![deny(missing_docs)]

mod api;
mod control;
mod model;
mod transport;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use api::link_flow::LinkError;
pub use api::link_login::LinkLogin;
pub use control::sandbox::CreateItemError;
pub use control::{ItemOptions, ItemView, LinkedItem, TransactionView};
pub use model::changes::ControlError;
pub use model::clock::{Clock, InvalidClock};
pub use transport::faults::{Fault, FaultId, FaultKind, Times};
pub use transport::journal::{Counters, JournalEntry, Successes, JOURNAL_CAPACITY};
pub use transport::rate_limits::{Limit, RateLimits};
pub use transport::server::MAX_BODY_BYTES;
pub use webhooks::delivery::WebhookDelivery;
pub use webhooks::log::{Delivery, DeliveryOutcome, WaitError, DELIVERY_LOG_CAPACITY};

use model::changes::Change;

/// The README's example, compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// How an emulator is set up.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// The address to listen on (default `127.0.0.1:0`: a free loopback port).
    pub listen: SocketAddr,
    /// The `client_id` requests must carry.
    pub client_id: String,
    /// The `secret` requests must carry.
    pub secret: String,
    /// The seed every derived history and id comes from: the same seed, the same data.
    pub seed: u64,
    /// The rate limits enforced from the start (default [`RateLimits::off`]).
    pub rate_limits: RateLimits,
    /// How webhooks are delivered from the start (default [`WebhookDelivery::InOrder`]).
    pub webhook_delivery: WebhookDelivery,
    /// Where Transfer webhooks go from the start (default none; see
    /// [`Emulator::set_transfer_webhook`]).
    pub transfer_webhook: Option<String>,
    /// The clock every lifetime, window and schedule reads (default [`Clock::System`]; a
    /// [`Clock::Manual`] one stands still until [`Emulator::advance`]).
    pub clock: Clock,
    /// Whether every request is checked like Plaid checks it before it is answered (default
    /// `true`: missing, unknown and invalid fields refused, access tokens resolved). `false`
    /// skips the request-body checks only (keys, routes and access tokens are still checked);
    /// it exists so the serve bench can report what the checks cost, side by side. A test
    /// that should catch a wrong request keeps the default.
    pub request_checks: bool,
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("client_id", &self.client_id)
            .field("secret", &"[redacted]")
            .field("seed", &self.seed)
            .field("rate_limits", &self.rate_limits)
            .field("webhook_delivery", &self.webhook_delivery)
            .field("transfer_webhook", &self.transfer_webhook)
            .field("clock", &self.clock)
            .field("request_checks", &self.request_checks)
            .finish()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: "emulator-client-id".into(),
            secret: "emulator-secret".into(),
            seed: 1,
            rate_limits: RateLimits::off(),
            webhook_delivery: WebhookDelivery::InOrder,
            transfer_webhook: None,
            clock: Clock::System,
            request_checks: true,
        }
    }
}

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running emulator; dropped, it stops serving.
pub struct Emulator {
    base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The state its control methods (`create_item`, `inject`, `complete_link`, ...) act on.
    emulated: transport::Emulated,
    /// What [`Emulator::reset`] returns to, beside the seed, keys and rate limits.
    start: Arc<control::reset::Start>,
    /// The runtime it serves on: webhooks fired by control calls are delivered there.
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Bind `config.listen` and serve on the current Tokio runtime until dropped.
    pub async fn start(config: EmulatorConfig) -> Result<Self, StartError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Bind {
                address: config.listen,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| StartError::Bind {
            address: config.listen,
            source,
        })?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let keys = transport::Keys {
            client_id: config.client_id,
            secret: config.secret,
        };
        let mut emulated =
            transport::Emulated::new(config.seed, keys, config.rate_limits, config.clock);
        emulated.api.request_checks = config.request_checks;
        let start = Arc::new(control::reset::Start {
            webhook_delivery: config.webhook_delivery,
            transfer_webhook: config.transfer_webhook,
        });
        control::reset::apply(&emulated, &start);
        serve(listener, emulated.clone(), start.clone(), stopped);
        Ok(Self {
            base_url: format!("http://{address}"),
            shutdown: Some(shutdown),
            emulated,
            start,
            runtime: tokio::runtime::Handle::current(),
        })
    }

    /// The base URL to point a client at: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// What a user does in a browser or Plaid's dashboard: Link, webhook keys and settings.
impl Emulator {
    /// Play the user completing Link with `link_token` from `/link/token/create`, as
    /// `onSuccess` would: returns the public token to exchange with
    /// `/item/public_token/exchange`. In update mode (the token was created with an
    /// `access_token`) the Item's error, e.g. `ITEM_LOGIN_REQUIRED`, is cleared; its access
    /// token does not change, and the public token returned exchanges to that same one.
    pub fn complete_link(&self, link_token: &str) -> Result<String, LinkError> {
        api::link::complete(&self.emulated.api, link_token)
    }

    /// Play the user completing Link with `link_token` as `login` (docs,
    /// `sandbox-test-credentials.txt`, `sandbox-user-custom.txt`): Sandbox's test credentials,
    /// with the answers to the MFA an `mfa_*` password or a custom user's `mfa` asks for.
    /// Returns the public token, or the login's error as [`LinkError::Login`] (a wrong or
    /// missing MFA answer is `INVALID_MFA`).
    pub fn complete_link_as(
        &self,
        link_token: &str,
        login: &LinkLogin,
    ) -> Result<String, LinkError> {
        api::link_login::complete_as(&self.emulated.api, link_token, login)
    }

    /// Play Link with `link_token` handing the user to an OAuth institution (docs,
    /// `link-oauth.txt`): `institution_id`, else the token's, else Platypus OAuth Bank
    /// (`ins_127287`). Returns the `oauth_state_id` the bank's redirect to the app's
    /// `redirect_uri` carries; `/sandbox/oauth/select_accounts` with it picks the accounts, and
    /// [`Emulator::complete_link_oauth`] resumes Link. A non-OAuth institution is
    /// [`LinkError::NotOAuth`].
    pub fn link_oauth_redirect(
        &self,
        link_token: &str,
        institution_id: Option<&str>,
    ) -> Result<String, LinkError> {
        api::oauth::redirect(&self.emulated.api, link_token, institution_id)
    }

    /// Play Link resuming with `oauth_state_id` (its `receivedRedirectUri`) and finishing as
    /// Sandbox's good user: the public token of an Item with exactly the accounts
    /// `/sandbox/oauth/select_accounts` selected (all of them if none were). An id this Link
    /// session did not make is [`LinkError::OAuthStateNotFound`], one used before
    /// [`LinkError::OAuthStateProcessed`] (docs, `errors-oauth.txt`).
    pub fn complete_link_oauth(
        &self,
        link_token: &str,
        oauth_state_id: &str,
    ) -> Result<String, LinkError> {
        api::oauth::resume(&self.emulated.api, link_token, oauth_state_id)
    }

    /// Rotate the webhook signing key (docs, `api-webhooks-webhook-verification.txt`,
    /// "Caching and key rotation"): webhooks are signed with a new key, named by the `kid`
    /// returned, from now on; `/webhook_verification_key/get` still serves the old key for its
    /// `kid`, with `expired_at` set to now, so a verifier that refetches it refuses it.
    pub fn rotate_webhook_key(&self) -> String {
        self.emulated.api.webhooks.keys.rotate()
    }

    /// How webhooks are delivered from now on, to each receiving URL on its own: in order
    /// (the default), each twice, or pending ones reordered (see [`WebhookDelivery`]).
    /// [`EmulatorConfig::webhook_delivery`] sets it from the start, and [`Emulator::reset`]
    /// returns to that.
    pub fn set_webhook_delivery(&self, delivery: WebhookDelivery) {
        self.emulated.api.webhooks.delivery.set_mode(delivery);
    }

    /// Where `TRANSFER` webhooks (`TRANSFER_EVENTS_UPDATE`) are sent: Plaid takes the URL from
    /// the dashboard's account webhooks page (docs, `transfer-webhooks.txt`), the emulator
    /// from here. `None` (the default): no Transfer webhooks. [`EmulatorConfig::transfer_webhook`]
    /// sets it from the start, and [`Emulator::reset`] returns to that.
    pub fn set_transfer_webhook(&self, url: Option<String>) {
        self.emulated.api.model.lock().transfer_webhook = url;
    }
}

/// The control API of a running emulator (also served over HTTP under `/emulator/`).
impl Emulator {
    /// An Item and its access token, without the public-token dance: for setups with many
    /// Items (benches, tests of thousands). Its history is derived, so an Item costs little.
    pub fn create_item(&self, options: ItemOptions) -> LinkedItem {
        control::create_item(&self.emulated, options)
    }

    /// An Item as a Sandbox test user makes it, without Link: `username` and `password` are
    /// Sandbox's test credentials (`user_good`/`pass_good`, `error_<CODE>`, `mfa_*`,
    /// `microdeposits_good`, `user_transactions_dynamic`, `user_custom` with its JSON
    /// configuration), checked with `options.institution_id` and `options.products` as
    /// `/sandbox/public_token/create` checks them (OAuth institutions allowed, as in Link).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use plaid_emulator::{Emulator, EmulatorConfig, ItemOptions};
    /// let emulator = Emulator::start(EmulatorConfig::default()).await?;
    /// let locked = emulator.create_item_as(ItemOptions::default(), "user_good", "error_ITEM_LOCKED");
    /// assert_eq!(locked.unwrap_err().error_code, "ITEM_LOCKED");
    /// let config = r#"{"override_accounts": [{"type": "depository", "subtype": "checking",
    ///     "transactions": [{"date_posted": "2026-01-02", "amount": 12.5, "description": "Coffee"}]}]}"#;
    /// let item = emulator.create_item_as(ItemOptions::default(), "user_custom", config)?;
    /// assert_eq!(emulator.transactions(&item.item_id).unwrap()[0].amount, 12.5);
    /// # Ok(()) }
    /// ```
    pub fn create_item_as(
        &self,
        options: ItemOptions,
        username: &str,
        password: &str,
    ) -> Result<LinkedItem, CreateItemError> {
        control::sandbox::create_item_as(&self.emulated, options, username, password)
    }

    /// Apply `change` to the Item's transactions and fire its `SYNC_UPDATES_AVAILABLE`
    /// webhook, on the runtime the emulator serves on.
    fn change(&self, item_id: &str, change: Change<'_>) -> Result<Vec<String>, ControlError> {
        let _runtime = self.runtime.enter();
        api::changes::change(&self.emulated.api, item_id, change)
    }

    /// Add `n` transactions to the Item's history; their ids. Fires its
    /// `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn add_transactions(&self, item_id: &str, n: usize) -> Result<Vec<String>, ControlError> {
        self.change(item_id, Change::Add(n))
    }

    /// Add `n` pending transactions to the Item's history; their ids. They stay pending until
    /// [`Self::post_transaction`]. Fires its `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn add_pending_transactions(
        &self,
        item_id: &str,
        n: usize,
    ) -> Result<Vec<String>, ControlError> {
        self.change(item_id, Change::AddPending(n))
    }

    /// Post a pending transaction as Plaid does: the next sync has it in `removed` and a new
    /// posted transaction naming it (`pending_transaction_id`) in `added`; the posted one's id.
    /// Fires the Item's `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn post_transaction(
        &self,
        item_id: &str,
        pending_id: &str,
    ) -> Result<String, ControlError> {
        let posted = self.change(item_id, Change::Post(pending_id))?;
        posted
            .into_iter()
            .next()
            .ok_or_else(|| ControlError::UnknownTransaction {
                item_id: item_id.to_string(),
                transaction_id: pending_id.to_string(),
            })
    }

    /// Change a current transaction's amount (the next sync has it in `modified`). Fires the
    /// Item's `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn modify_transaction(
        &self,
        item_id: &str,
        transaction_id: &str,
        amount: f64,
    ) -> Result<(), ControlError> {
        self.change(item_id, Change::Modify(transaction_id, amount))
            .map(drop)
    }

    /// Remove a current transaction (the next sync has it in `removed`). Fires the Item's
    /// `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn remove_transaction(
        &self,
        item_id: &str,
        transaction_id: &str,
    ) -> Result<(), ControlError> {
        self.change(item_id, Change::Remove(transaction_id))
            .map(drop)
    }

    /// The Item's current transactions, in the order they were made: what an application that
    /// applied every `/transactions/sync` page holds. `None` for an unknown Item.
    pub fn transactions(&self, item_id: &str) -> Option<Vec<TransactionView>> {
        // On the runtime the emulator serves on: catching up may fire a webhook.
        let _runtime = self.runtime.enter();
        control::transactions(&self.emulated, item_id)
    }

    /// The Item as the emulator holds it; `None` for an unknown Item.
    pub fn item(&self, item_id: &str) -> Option<ItemView> {
        let _runtime = self.runtime.enter();
        control::item(&self.emulated, item_id)
    }

    /// Inject a fault: from the next request on, the requests it matches fail as it says.
    pub fn inject(&self, fault: Fault) -> FaultId {
        self.emulated.faults.inject(fault)
    }

    /// Remove every injected fault (and the Item errors they left).
    pub fn clear_faults(&self) {
        self.emulated.faults.clear();
    }

    /// Enforce these rate limits from now on, with empty windows ([`RateLimits::off`]
    /// to stop).
    pub fn set_rate_limits(&self, limits: RateLimits) {
        self.emulated.limits.set(limits);
    }

    /// The time on the emulator's clock ([`EmulatorConfig::clock`]); also served as
    /// `GET /emulator/clock`.
    pub fn now(&self) -> std::time::SystemTime {
        self.emulated.api.model.now()
    }

    /// Move the emulator's clock `by` forward (also `POST /emulator/clock/advance`): every
    /// lifetime, window and schedule reads it, so a public token made 31 minutes before is
    /// refused, a rate-limit window reopens, a webhook retry or a transfer test clock's
    /// schedule comes due, a custom user's pending transaction whose `date_posted` came posts
    /// (once, with its Item's `SYNC_UPDATES_AVAILABLE`). [`Emulator::reset`] returns the clock
    /// to its start.
    pub fn advance(&self, by: Duration) {
        let _runtime = self.runtime.enter();
        // Recurring transfers and pending transactions catch up with the clock.
        control::clock::moved(&self.emulated.api, by);
    }

    /// The last [`JOURNAL_CAPACITY`] Plaid requests, oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.emulated.journal.entries()
    }

    /// The requests counted since the start or the last reset.
    pub fn counters(&self) -> Counters {
        self.emulated.journal.counters()
    }

    /// Back to exactly the configured start ([`EmulatorConfig`]): the same seed, no Items,
    /// tokens, transfers, faults, journal, counters or delivery log (webhooks fired before are
    /// not sent any more), the seed's first signing key (rotations undone), the clock at its
    /// start (nothing advanced), and the configured rate limits (with empty windows), webhook
    /// delivery mode and Transfer webhook. The same
    /// requests then get the same answers as after [`Emulator::start`].
    pub fn reset(&self) {
        control::reset::reset(&self.emulated, &self.start);
    }
}

/// The webhook delivery log: what a test asserts on, and waits for instead of sleeping.
impl Emulator {
    /// Every attempt to deliver a webhook since the start (or the last reset), oldest first:
    /// the last [`DELIVERY_LOG_CAPACITY`] (10,000) attempts are kept. Also served as
    /// `GET /emulator/webhooks`. See [`Delivery`] for an example.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.emulated.api.webhooks.delivery.log().deliveries()
    }

    /// The oldest attempt in the log that `matches`, as soon as there is one (at once if there
    /// already is); [`WaitError::TimedOut`] if none comes within `timeout`. It wakes when an
    /// attempt is logged, never by polling. To wait for a webhook's end, match on
    /// [`Delivery::outcome`] (`Some(DeliveryOutcome::Delivered)` or `GaveUp`).
    pub async fn wait_for_delivery(
        &self,
        matches: impl Fn(&Delivery) -> bool,
        timeout: Duration,
    ) -> Result<Delivery, WaitError> {
        let log = self.emulated.api.webhooks.delivery.log();
        log.wait_for(matches, timeout).await
    }

    /// Once every webhook fired so far has finished (each delivered or given up, none queued,
    /// held back or in flight), the log: from then on, nothing more is attempted until another
    /// webhook is fired, so a test can assert on what was (and was not) sent without sleeping.
    /// [`WaitError::TimedOut`] if they have not finished within `timeout`.
    pub async fn wait_for_webhooks_settled(
        &self,
        timeout: Duration,
    ) -> Result<Vec<Delivery>, WaitError> {
        self.emulated
            .api
            .webhooks
            .delivery
            .log()
            .settled(timeout)
            .await
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Serve `emulated` on `listener` until `stopped`: the control routes under `/emulator/`,
/// every other path Plaid's.
fn serve(
    listener: tokio::net::TcpListener,
    emulated: transport::Emulated,
    start: Arc<control::reset::Start>,
    stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let app = axum::Router::new()
        .nest("/emulator", control::http::router(start))
        .fallback(transport::server::handle)
        .with_state(emulated)
        .into_make_service_with_connect_info::<transport::connection::Cut>();
    let listener = transport::connection::CuttableListener(listener);
    tokio::spawn(async move {
        let stop = async move {
            let _ = stopped.await;
        };
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await;
    });
}
