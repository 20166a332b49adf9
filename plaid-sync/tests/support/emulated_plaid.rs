//! Plaid for the tests, the example and the benchmark: `plaid-emulator` on loopback, with the
//! vocabulary the scenarios speak: Items with `n` transactions, updates, faults on every n-th
//! `/transactions/sync` request, rate limits on it, and the end state an application must
//! reach (rows, cursors, how often each transaction was delivered).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use plaid_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, ItemOptions, LinkedItem, RateLimits, Times,
};
use plaid_sync::Credential;
use serde_json::{json, Value};

/// The path every fault and limit here applies to.
const SYNC: &str = "/transactions/sync";

/// Faults, each on every n-th `/transactions/sync` request (0: never).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// HTTP 500 (an HTML page, as a load balancer answers).
    pub server_error_every: u32,
    /// The connection closed without an answer.
    pub drop_every: u32,
    /// `TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION`, only on a page after the first of a pass.
    pub mutation_every: u32,
    /// Latency of every answer.
    pub latency: Duration,
    /// Every n-th request is answered `slow_by` late, past a client's timeout.
    pub slow_every: u32,
    pub slow_by: Duration,
}

/// Rate limits enforced like Plaid's: at most `count` requests in any `window`.
#[derive(Debug, Clone, Copy)]
pub struct SyncLimits {
    pub per_client: (u32, Duration),
    pub per_item: (u32, Duration),
}

/// What the emulator served of `/transactions/sync`, in the scenarios' terms.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    /// Every request.
    pub requests: u64,
    /// Pages answered with 200.
    pub pages: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub dropped: u64,
    pub mutations: u64,
    pub slowed: u64,
    /// When the first and last pages were answered.
    pub first_page: Option<Instant>,
    pub last_page: Option<Instant>,
}

/// The state an application should end with for one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub amount: f64,
    pub pending: bool,
    /// How many `added`/`modified` entries carry it: the handler's count of applications
    /// must equal this (once per entry, never twice).
    pub applications: i64,
}

#[derive(Default)]
struct Control {
    items: HashMap<String, LinkedItem>,
    faults: Faults,
    login_required: BTreeSet<String>,
}

/// The running emulator and what the scenarios set on it. Cheap to clone.
#[derive(Clone)]
pub struct EmulatedPlaid {
    pub url: String,
    emulator: Arc<Emulator>,
    control: Arc<Mutex<Control>>,
    /// `SystemTime` and `Instant` at the start, to turn the emulator's times into instants.
    epoch: (SystemTime, Instant),
}

impl EmulatedPlaid {
    /// Start on 127.0.0.1 on a free port, with the keys [`super::client_at`] sends.
    pub async fn start() -> Result<Self, super::AnyError> {
        let config = EmulatorConfig {
            client_id: "client-id".into(),
            secret: "secret".into(),
            ..EmulatorConfig::default()
        };
        let emulator = Emulator::start(config).await?;
        Ok(Self {
            url: emulator.base_url().to_string(),
            emulator: Arc::new(emulator),
            control: Arc::default(),
            epoch: (SystemTime::now(), Instant::now()),
        })
    }

    /// The emulator itself, for what the scenarios' vocabulary does not cover.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    fn lock(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Add an Item with `history` transactions; returns its id.
    pub fn add_item(&self, history: usize) -> String {
        self.add_item_with(ItemOptions::default().transactions(history))
    }

    /// Add an Item; returns its id.
    pub fn add_item_with(&self, options: ItemOptions) -> String {
        let item = self.emulator.create_item(options);
        let id = item.item_id.clone();
        self.lock().items.insert(id.clone(), item);
        id
    }

    /// A new update for an Item: `new` transactions added and the first `modify` of its
    /// current ones modified (their amounts raised by 100).
    pub fn update(&self, item_id: &str, new: usize, modify: usize) {
        let current = self.emulator.transactions(item_id).unwrap_or_default();
        for t in current.iter().filter(|t| !t.pending).take(modify) {
            // In whole cents, as Plaid's amounts are.
            let amount = ((t.amount + 100.0) * 100.0).round() / 100.0;
            let _ = self
                .emulator
                .modify_transaction(item_id, &t.transaction_id, amount);
        }
        if new > 0 {
            let _ = self.emulator.add_transactions(item_id, new);
        }
    }

    /// The cursor a complete sync of the Item ends at.
    pub fn final_cursor(&self, item_id: &str) -> Option<String> {
        self.emulator.item(item_id).map(|i| i.final_cursor)
    }

    /// How many entries (`added`, `modified`, `removed`) a complete sync of the Item delivers.
    pub fn changes(&self, item_id: &str) -> usize {
        self.emulator.item(item_id).map_or(0, |i| i.changes)
    }

    /// The rows an application should hold for the Item after a complete sync.
    pub fn expected(&self, item_id: &str) -> BTreeMap<String, Expected> {
        let current = self.emulator.transactions(item_id).unwrap_or_default();
        current
            .into_iter()
            .map(|t| {
                let e = Expected {
                    amount: t.amount,
                    pending: t.pending,
                    applications: i64::from(t.announced),
                };
                (t.transaction_id, e)
            })
            .collect()
    }

    /// Access tokens of every Item, as the application's vault would hold them.
    pub fn tokens(&self) -> HashMap<String, Credential> {
        let control = self.lock();
        let pairs = control.items.iter();
        pairs
            .map(|(id, item)| (id.clone(), Credential::new(&item.access_token)))
            .collect()
    }

    /// Replace the faults on `/transactions/sync`.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
        self.apply_faults();
    }

    /// Enforce these limits on `/transactions/sync` (`None`: none).
    pub fn set_limits(&self, limits: Option<SyncLimits>) {
        let limits = limits.map_or_else(RateLimits::off, |l| {
            RateLimits::custom(SYNC, l.per_client, l.per_item)
        });
        self.emulator.set_rate_limits(limits);
    }

    /// Make every request for the Item answer `ITEM_LOGIN_REQUIRED`, or stop.
    pub fn set_login_required(&self, item_id: &str, required: bool) {
        {
            let mut control = self.lock();
            if required {
                control.login_required.insert(item_id.to_string());
            } else {
                control.login_required.remove(item_id);
            }
        }
        self.apply_faults();
    }

    /// The emulator has one fault list: rebuild it from the faults and the Items in error.
    fn apply_faults(&self) {
        let (faults, login_required) = {
            let control = self.lock();
            (control.faults.clone(), control.login_required.clone())
        };
        self.emulator.clear_faults();
        let every =
            |kind: FaultKind, n: u32| Fault::new(kind).operation(SYNC).times(Times::Every(n));
        let mut all = Vec::new();
        if faults.server_error_every > 0 {
            let kind = FaultKind::ServerError { status: 500 };
            all.push(every(kind, faults.server_error_every));
        }
        if faults.drop_every > 0 {
            all.push(every(FaultKind::DropConnection, faults.drop_every));
        }
        if faults.mutation_every > 0 {
            let kind = FaultKind::MutationDuringPagination { page: 2 };
            all.push(every(kind, faults.mutation_every));
        }
        if faults.slow_every > 0 {
            all.push(every(FaultKind::Delay(faults.slow_by), faults.slow_every));
        }
        if !faults.latency.is_zero() {
            all.push(Fault::new(FaultKind::Delay(faults.latency)).operation(SYNC));
        }
        for item in login_required {
            all.push(Fault::new(FaultKind::ItemLoginRequired).item(item));
        }
        for fault in all {
            self.emulator.inject(fault);
        }
    }

    /// What the emulator served, by the names the scenarios count.
    pub fn counters(&self) -> Counters {
        let c = self.emulator.counters();
        let fired = |name: &str| c.faults.get(name).copied().unwrap_or(0);
        let pages = c.successes.get(SYNC);
        let instant = |t: SystemTime| {
            let after = t.duration_since(self.epoch.0).unwrap_or_default();
            self.epoch.1 + after
        };
        Counters {
            requests: c.requests,
            pages: pages.map_or(0, |p| p.count),
            rate_limited: c.rate_limited,
            server_errors: fired("server_error"),
            dropped: fired("drop_connection"),
            mutations: fired("mutation_during_pagination"),
            slowed: fired("delay"),
            first_page: pages.map(|p| instant(p.first)),
            last_page: pages.map(|p| instant(p.last)),
        }
    }

    /// A webhook body for the Item, as Plaid sends it (for `Store::record_webhook`).
    pub fn webhook_body(webhook_type: &str, webhook_code: &str, item_id: &str) -> Value {
        let mut body = json!({"webhook_type": webhook_type, "webhook_code": webhook_code,
            "item_id": item_id, "environment": "sandbox"});
        match webhook_code {
            "SYNC_UPDATES_AVAILABLE" => {
                body["initial_update_complete"] = json!(true);
                body["historical_update_complete"] = json!(true);
            }
            "DEFAULT_UPDATE" | "INITIAL_UPDATE" | "HISTORICAL_UPDATE" => {
                body["new_transactions"] = json!(1);
                body["error"] = Value::Null;
            }
            "PENDING_EXPIRATION" => {
                body["consent_expiration_time"] = json!("2030-01-01T00:00:00Z");
            }
            "WEBHOOK_UPDATE_ACKNOWLEDGED" => {
                body["new_webhook_url"] = json!("https://example.com/plaid");
                body["error"] = Value::Null;
            }
            _ => {}
        }
        body
    }
}
