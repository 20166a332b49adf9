//! Control for tests: Items made without Link, transactions added, changed and removed (each
//! announced by the Item's `SYNC_UPDATES_AVAILABLE` webhook, docs: `transactions-webhooks.txt`),
//! and views of what a fully synced application should hold. The same calls are served over
//! HTTP under `/emulator/` (`control_http.rs`).

use plaid_client::types::Products;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::emulated::Emulated;
use crate::items;
use crate::model::changes::{apply, maker, Change, ControlError};
use crate::model::history::LINKED_TRANSACTIONS;
use crate::transactions;
use crate::{webhook_bodies, webhooks};

/// How [`crate::Emulator::create_item`] makes an Item.
///
/// ```
/// use plaid_emulator::ItemOptions;
/// let options = ItemOptions::default().transactions(100).webhook("http://127.0.0.1:9/hook");
/// assert_eq!(options.institution_id, "ins_109508");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ItemOptions {
    /// Its institution (default `ins_109508`, Sandbox's First Platypus Bank).
    pub institution_id: String,
    /// Its products (default Transactions).
    pub products: Vec<Products>,
    /// Where its webhooks go (default none).
    pub webhook: Option<String>,
    /// How many transactions its history leaves (default 44, as an Item linked through
    /// `/sandbox/public_token/create` has: 40 posted, 4 that post from pending).
    pub transactions: usize,
}

impl Default for ItemOptions {
    fn default() -> Self {
        Self {
            institution_id: "ins_109508".into(),
            products: vec![Products::Transactions],
            webhook: None,
            transactions: LINKED_TRANSACTIONS,
        }
    }
}

impl ItemOptions {
    /// Its institution.
    pub fn institution_id(mut self, id: impl Into<String>) -> Self {
        self.institution_id = id.into();
        self
    }

    /// Its products.
    pub fn products(mut self, products: Vec<Products>) -> Self {
        self.products = products;
        self
    }

    /// Its webhook URL.
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        self.webhook = Some(url.into());
        self
    }

    /// How many transactions it has.
    pub fn transactions(mut self, n: usize) -> Self {
        self.transactions = n;
        self
    }
}

/// An Item made by [`crate::Emulator::create_item`], ready for requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LinkedItem {
    /// Its id.
    pub item_id: String,
    /// The access token requests for it carry.
    pub access_token: String,
}

/// An Item as the emulator holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ItemView {
    /// Its id.
    pub item_id: String,
    /// Its webhook URL.
    pub webhook: Option<String>,
    /// Whether `/item/remove` removed it.
    pub removed: bool,
    /// The error state an injected fault left it in (`ITEM_LOGIN_REQUIRED`), if any.
    pub error: Option<String>,
    /// How many transactions it has now.
    pub transactions: usize,
    /// How many entries (`added`, `modified`, `removed`) its history has: what a complete sync
    /// from the start delivers.
    pub changes: usize,
    /// The cursor after its whole history: what a fully synced application has stored.
    pub final_cursor: String,
}

/// One of an Item's current transactions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TransactionView {
    /// Its id.
    pub transaction_id: String,
    /// Its account.
    pub account_id: String,
    /// Its amount now.
    pub amount: f64,
    /// Whether it is pending.
    pub pending: bool,
    /// The pending transaction it posted from, if it did.
    pub pending_transaction_id: Option<String>,
    /// How many `added` and `modified` entries of the Item's history carry it: an application
    /// that applies each entry of a complete sync once has applied it this many times.
    pub announced: u32,
}

impl Emulated {
    /// An Item with its access token, without Link.
    pub(crate) fn create_item(&self, options: ItemOptions) -> LinkedItem {
        let products = options
            .products
            .iter()
            .map(|p| json!(p).as_str().unwrap_or_default().to_string())
            .collect();
        let mut state = self.model.lock();
        let item_id = items::new_item(
            self,
            &mut state,
            options.institution_id,
            products,
            options.webhook,
            options.transactions,
        );
        let access_token = items::access_token(self, &item_id);
        state
            .access_tokens
            .insert(access_token.clone(), item_id.clone());
        LinkedItem {
            item_id,
            access_token,
        }
    }

    /// Apply `change` to the Item's history, then fire its `SYNC_UPDATES_AVAILABLE` webhook
    /// if it has a URL. The ids of the transactions added (none for a change or removal).
    pub(crate) fn change(
        &self,
        item_id: &str,
        change: Change<'_>,
    ) -> Result<Vec<String>, ControlError> {
        let seed = self.model.seed.to_string();
        let (added, webhook) = {
            let mut state = self.model.lock();
            let item = state
                .items
                .get_mut(item_id)
                .ok_or_else(|| ControlError::UnknownItem {
                    item_id: item_id.to_string(),
                })?;
            if item.removed {
                return Err(ControlError::ItemRemoved {
                    item_id: item_id.to_string(),
                });
            }
            let added = apply(&seed, item, change)?;
            // The body is Plaid's SYNC_UPDATES_AVAILABLE, typed (an Item without
            // Transactions gets none, as Plaid sends none).
            let body = webhook_bodies::fired(item, "SYNC_UPDATES_AVAILABLE", None, None).ok();
            let webhook = item.webhook.clone().zip(body);
            (added, webhook)
        };
        if let Some((url, payload)) = webhook {
            webhooks::deliver(self, url, payload);
        }
        Ok(added)
    }

    /// The Item's current transactions, by number.
    pub(crate) fn transactions(&self, item_id: &str) -> Option<Vec<TransactionView>> {
        let seed = self.model.seed.to_string();
        let state = self.model.lock();
        let item = state.items.get(item_id)?;
        let make = maker(&seed, item);
        let announced = item.history.announcements();
        let views = item
            .history
            .current()
            .into_iter()
            .map(|(k, amount)| TransactionView {
                announced: announced.get(&k).copied().unwrap_or(0),
                transaction_id: make.id(k),
                account_id: make.account_id(k).as_str().unwrap_or_default().to_string(),
                amount: amount.unwrap_or_else(|| make.amount(k)),
                pending: make.pending(k),
                pending_transaction_id: make.pending_transaction_id(k),
            });
        Some(views.collect())
    }

    /// The Item as the emulator holds it.
    pub(crate) fn item(&self, item_id: &str) -> Option<ItemView> {
        let error = self.faults.item_error(item_id).map(str::to_string);
        let state = self.model.lock();
        let item = state.items.get(item_id)?;
        Some(ItemView {
            item_id: item.item_id.clone(),
            webhook: item.webhook.clone(),
            removed: item.removed,
            error,
            transactions: item.history.current().len(),
            changes: item.history.len(),
            final_cursor: transactions::cursor(item, item.history.len()),
        })
    }
}

/// The control API of a running emulator (also served over HTTP under `/emulator/`).
impl crate::Emulator {
    /// An Item and its access token, without the public-token dance: for setups with many
    /// Items (benches, tests of thousands). Its history is derived, so an Item costs little.
    pub fn create_item(&self, options: ItemOptions) -> LinkedItem {
        self.emulated.create_item(options)
    }

    /// Add `n` transactions to the Item's history; their ids. Fires its
    /// `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn add_transactions(&self, item_id: &str, n: usize) -> Result<Vec<String>, ControlError> {
        let _runtime = self.runtime.enter();
        self.emulated.change(item_id, Change::Add(n))
    }

    /// Add `n` pending transactions to the Item's history; their ids. They stay pending until
    /// [`Self::post_transaction`]. Fires its `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn add_pending_transactions(
        &self,
        item_id: &str,
        n: usize,
    ) -> Result<Vec<String>, ControlError> {
        let _runtime = self.runtime.enter();
        self.emulated.change(item_id, Change::AddPending(n))
    }

    /// Post a pending transaction as Plaid does: the next sync has it in `removed` and a new
    /// posted transaction naming it (`pending_transaction_id`) in `added`; the posted one's id.
    /// Fires the Item's `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn post_transaction(
        &self,
        item_id: &str,
        pending_id: &str,
    ) -> Result<String, ControlError> {
        let _runtime = self.runtime.enter();
        let posted = self.emulated.change(item_id, Change::Post(pending_id))?;
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
        let _runtime = self.runtime.enter();
        self.emulated
            .change(item_id, Change::Modify(transaction_id, amount))
            .map(drop)
    }

    /// Remove a current transaction (the next sync has it in `removed`). Fires the Item's
    /// `SYNC_UPDATES_AVAILABLE` webhook if it has a URL.
    pub fn remove_transaction(
        &self,
        item_id: &str,
        transaction_id: &str,
    ) -> Result<(), ControlError> {
        let _runtime = self.runtime.enter();
        self.emulated
            .change(item_id, Change::Remove(transaction_id))
            .map(drop)
    }

    /// The Item's current transactions, in the order they were made: what an application that
    /// applied every `/transactions/sync` page holds. `None` for an unknown Item.
    pub fn transactions(&self, item_id: &str) -> Option<Vec<TransactionView>> {
        self.emulated.transactions(item_id)
    }

    /// The Item as the emulator holds it; `None` for an unknown Item.
    pub fn item(&self, item_id: &str) -> Option<ItemView> {
        self.emulated.item(item_id)
    }

    /// Inject a fault: from the next request on, the requests it matches fail as it says.
    pub fn inject(&self, fault: crate::Fault) -> crate::FaultId {
        self.emulated.faults.inject(fault)
    }

    /// Remove every injected fault (and the Item errors they left).
    pub fn clear_faults(&self) {
        self.emulated.faults.clear();
    }

    /// Enforce these rate limits from now on, with empty windows ([`crate::RateLimits::off`]
    /// to stop).
    pub fn set_rate_limits(&self, limits: crate::RateLimits) {
        self.emulated.limits.set(limits);
    }

    /// The last [`crate::JOURNAL_CAPACITY`] Plaid requests, oldest first.
    pub fn journal(&self) -> Vec<crate::JournalEntry> {
        self.emulated.journal.entries()
    }

    /// The requests counted since the start or the last reset.
    pub fn counters(&self) -> crate::Counters {
        self.emulated.journal.counters()
    }

    /// Back to a fresh start with the same seed: no Items, tokens, transfers, faults, journal
    /// or counters, and the configured rate limits with empty windows. The same requests then
    /// get the same answers as after [`crate::Emulator::start`].
    pub fn reset(&self) {
        self.emulated.reset();
    }
}
