//! Control for tests: Items made without Link, transactions added, changed and removed (each
//! announced by the Item's `SYNC_UPDATES_AVAILABLE` webhook, docs: `transactions-webhooks.txt`;
//! `api/changes.rs`), and views of what a fully synced application should hold. The methods of
//! [`crate::Emulator`] make these calls in process; `http.rs` serves the same under
//! `/emulator/`; `reset.rs` keeps the configured start and returns to it; `clock.rs` reads and
//! advances the emulator's clock. Control sits above
//! everything else: it reads the model, the transport's faults and journal, the webhooks'
//! delivery log, and calls the operations' own code.

pub(crate) mod clock;
pub(crate) mod http;
pub(crate) mod oauth;
pub(crate) mod reset;
pub(crate) mod sandbox;

use plaid_client::types::Products;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::{items, transactions};
use crate::model::changes::maker;
use crate::model::history::LINKED_TRANSACTIONS;
use crate::transport::Emulated;

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

/// An Item with its access token, without Link.
pub(crate) fn create_item(emu: &Emulated, options: ItemOptions) -> LinkedItem {
    let products = options
        .products
        .iter()
        .map(|p| json!(p).as_str().unwrap_or_default().to_string())
        .collect();
    let mut state = emu.api.model.lock();
    let item_id = items::new_item(
        &emu.api,
        &mut state,
        options.institution_id,
        products,
        options.webhook,
        options.transactions,
    );
    let access_token = items::access_token(&emu.api, &item_id);
    state
        .access_tokens
        .insert(access_token.clone(), item_id.clone());
    LinkedItem {
        item_id,
        access_token,
    }
}

/// The Item's current transactions, by number, once it is up to the emulator's clock (what
/// came due posts first, as before a Plaid request about it).
pub(crate) fn transactions(emu: &Emulated, item_id: &str) -> Option<Vec<TransactionView>> {
    crate::api::item_clock::catch_up(&emu.api, item_id);
    let seed = emu.api.model.seed.to_string();
    let state = emu.api.model.lock();
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

/// The Item as the emulator holds it, up to the emulator's clock.
pub(crate) fn item(emu: &Emulated, item_id: &str) -> Option<ItemView> {
    crate::api::item_clock::catch_up(&emu.api, item_id);
    let error = emu.faults.item_error(item_id).map(str::to_string);
    let state = emu.api.model.lock();
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
