//! An Item's transaction history, derived instead of stored (docs: `api-products-transactions.txt`,
//! `/transactions/sync`): the entries of a new Item follow from the seed, its id and how many
//! transactions it has, so an Item costs a few words whatever its length; only the changes
//! made later (through the emulator's control API) are stored, after the derived ones.
//!
//! A history of `n` transactions has `posted = n - pending` posted ones and `pending =
//! min(4, n / 11)` pending ones, then for each pending one its removal and the posted
//! transaction that replaces it (`pending_transaction_id` naming it), then one correction
//! (`modified`) of the first transaction. Transaction `k` of an Item is `{item_id}-txn-{k}`.
//!
//! Dates follow the emulator's clock: a history is dated back from the day its Item was created
//! (docs, `sandbox-user-custom.txt`: "transactions data is generated relative to the Item's
//! creation date ... The number of days between each transaction and the Item creation will
//! remain constant"), within the 90 days of history a new Item has by default
//! (<https://support.plaid.com/hc/en-us/articles/24631662544919>: `transactions.days_requested`
//! "defaults to a 90-day transaction history"). Later additions are dated the day they were
//! made, and a pending transaction with a posting day posts once the clock reaches it
//! ([`History::catch_up`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::clock::{date_of_day, parse_date};
use super::digest::digest;

/// How many transactions an Item linked through `/sandbox/public_token/create` has.
pub(crate) const LINKED_TRANSACTIONS: usize = 44;
/// The most pending transactions a history starts with.
const MAX_PENDING: u32 = 4;
/// The months (of 29 days) a new Item's posted transactions spread over, oldest first: the
/// oldest is 87 days before the Item's creation, within the 90 days of a default history.
const MONTHS: u64 = 3;

/// One entry of a history, by transaction number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Entry {
    /// Transaction `k` appears (`added`).
    Added(u32),
    /// Transaction `k` changes (`modified`); `amount` replaces its amount, if set.
    Modified { k: u32, amount: Option<f64> },
    /// Transaction `k` goes away (`removed`).
    Removed(u32),
}

/// An Item's history: derived entries, then stored ones.
#[derive(Debug, Clone)]
pub(crate) struct History {
    posted: u32,
    pending: u32,
    /// The changes made after the Item was created, in order.
    overrides: Vec<Entry>,
    /// The number of the next transaction added.
    next: u32,
    /// Transactions added pending by a control call (they post with [`History::post`]).
    pending_later: BTreeSet<u32>,
    /// Posted transaction → the pending one it replaced, for those posted by a control call.
    posted_later: BTreeMap<u32, u32>,
    /// Transactions whose amount, date and description a caller chose
    /// (`/sandbox/transactions/create`).
    custom: BTreeMap<u32, Custom>,
    /// Where a custom user's transactions are (`sandbox-user-custom.txt`): their account and
    /// the day they were made.
    placed: BTreeMap<u32, Placement>,
    /// The day the Item was created on the emulator's clock (days since 1970-01-01): the
    /// derived transactions are dated back from it.
    created: u64,
    /// The day the history was last brought up to ([`History::catch_up`]): the day later
    /// additions are dated.
    today: u64,
    /// The days later additions were made, as runs: (first number added that day, the day).
    added_days: Vec<(u32, u64)>,
    /// Pending transactions that post on a day (a custom user's future `date_posted`):
    /// number → that day.
    posts_on: BTreeMap<u32, u64>,
    /// A custom user's `seed`, digested: what amounts and names are derived from instead of
    /// the Item (docs, `sandbox-user-custom.txt`, `seed`).
    seed: Option<String>,
}

/// A custom user's transaction's account and `date_transacted` (docs, `sandbox-user-custom.txt`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placement {
    /// The index of its account among the Item's accounts.
    pub(crate) account: usize,
    /// `date_transacted`, shown as `authorized_date`.
    pub(crate) authorized_date: Option<String>,
    /// A future `date_posted`: pending until posted.
    pub(crate) pending: bool,
}

/// A transaction as `/sandbox/transactions/create` describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Custom {
    pub(crate) amount: f64,
    /// `date_posted`, `YYYY-MM-DD`.
    pub(crate) date: String,
    pub(crate) description: String,
}

impl History {
    /// The history of a new Item with `transactions` transactions, created on `day` (days
    /// since 1970-01-01 on the emulator's clock).
    pub(crate) fn new(transactions: usize, day: u64) -> Self {
        let n = u32::try_from(transactions).unwrap_or(u32::MAX / 4);
        let pending = (n / 11).min(MAX_PENDING);
        let posted = n - pending;
        Self {
            posted,
            pending,
            overrides: Vec::new(),
            next: posted + 2 * pending,
            pending_later: BTreeSet::new(),
            posted_later: BTreeMap::new(),
            custom: BTreeMap::new(),
            placed: BTreeMap::new(),
            created: day,
            today: day,
            added_days: Vec::new(),
            posts_on: BTreeMap::new(),
            seed: None,
        }
    }

    /// Amounts and names derived from a custom user's `seed` rather than from the Item: two
    /// Items of the same seed get the same ones, another seed others (docs,
    /// `sandbox-user-custom.txt`: "A seed ... that will be used to randomly generate account
    /// and transaction data, if this data is not specified using the override_accounts
    /// argument"). Only a digest of it is kept: the seed is part of a password.
    pub(crate) fn derive_from(&mut self, seed: &str) {
        self.seed = Some(digest(&["user_custom seed", seed]));
    }

    fn derived_len(&self) -> usize {
        (self.posted + 3 * self.pending + u32::from(self.posted > 0)) as usize
    }

    /// How many entries the history has.
    pub(crate) fn len(&self) -> usize {
        self.derived_len() + self.overrides.len()
    }

    /// The entry at `i`, if there is one.
    pub(crate) fn entry(&self, i: usize) -> Option<Entry> {
        let (p, q) = (self.posted as usize, self.pending as usize);
        let derived = self.derived_len();
        if i >= derived {
            return self.overrides.get(i - derived).copied();
        }
        let k = u32::try_from(i).ok()?;
        Some(if i < p + q {
            Entry::Added(k)
        } else if i < p + 3 * q {
            let j = ((i - p - q) / 2) as u32;
            if (i - p - q).is_multiple_of(2) {
                Entry::Removed(self.posted + j)
            } else {
                Entry::Added(self.posted + self.pending + j)
            }
        } else {
            Entry::Modified { k: 0, amount: None }
        })
    }

    /// The transactions the history leaves, by number, with their amounts if changed.
    pub(crate) fn current(&self) -> BTreeMap<u32, Option<f64>> {
        let mut now = BTreeMap::new();
        for i in 0..self.len() {
            match self.entry(i) {
                Some(Entry::Added(k)) => {
                    now.insert(k, None);
                }
                Some(Entry::Modified { k, amount }) => {
                    if let (Some(slot), Some(amount)) = (now.get_mut(&k), amount) {
                        *slot = Some(amount);
                    }
                }
                Some(Entry::Removed(k)) => {
                    now.remove(&k);
                }
                None => {}
            }
        }
        now
    }

    /// For each transaction, how many `added`/`modified` entries carry it: how often a
    /// complete sync from the start delivers it.
    pub(crate) fn announcements(&self) -> BTreeMap<u32, u32> {
        let mut counts = BTreeMap::new();
        for i in 0..self.len() {
            if let Some(Entry::Added(k) | Entry::Modified { k, .. }) = self.entry(i) {
                *counts.entry(k).or_insert(0) += 1;
            }
        }
        counts
    }

    /// `n` new transaction numbers, dated the history's current day.
    fn allocate(&mut self, n: u32) -> std::ops::Range<u32> {
        let first = self.next;
        self.next += n;
        let new_day = self.added_days.last().is_none_or(|(_, d)| *d != self.today);
        if n > 0 && new_day {
            self.added_days.push((first, self.today));
        }
        first..self.next
    }

    /// Append `n` new transactions; their numbers.
    pub(crate) fn add(&mut self, n: usize) -> Vec<u32> {
        let n = u32::try_from(n).unwrap_or(u32::MAX / 4);
        let added: Vec<u32> = self.allocate(n).collect();
        self.overrides
            .extend(added.iter().map(|k| Entry::Added(*k)));
        added
    }

    /// Append transactions described by a caller; their numbers.
    pub(crate) fn add_custom(&mut self, transactions: Vec<Custom>) -> Vec<u32> {
        let added = self.add(transactions.len());
        self.custom.extend(added.iter().copied().zip(transactions));
        added
    }

    /// Append a custom user's transactions, each on its account, the pending ones pending;
    /// their numbers.
    pub(crate) fn add_placed(&mut self, transactions: Vec<(Custom, Placement)>) -> Vec<u32> {
        let (custom, placed): (Vec<Custom>, Vec<Placement>) = transactions.into_iter().unzip();
        let added = self.add_custom(custom);
        for (k, placement) in added.iter().copied().zip(placed) {
            if placement.pending {
                self.pending_later.insert(k);
                // It posts when the clock reaches its `date_posted` (`sandbox-user-custom.txt`).
                if let Some(day) = self.custom.get(&k).and_then(|c| parse_date(&c.date)) {
                    self.posts_on.insert(k, day);
                }
            }
            self.placed.insert(k, placement);
        }
        added
    }

    /// Append `n` new pending transactions; their numbers.
    pub(crate) fn add_pending(&mut self, n: usize) -> Vec<u32> {
        let added = self.add(n);
        self.pending_later.extend(added.iter().copied());
        added
    }

    /// Post pending transaction `k` as Plaid does (docs, `api-products-transactions.txt`,
    /// pending and posted transactions): `k` is removed and a posted transaction naming it in
    /// `pending_transaction_id` is added; its number.
    pub(crate) fn post(&mut self, k: u32) -> u32 {
        let posted = self.allocate(1).start;
        self.posts_on.remove(&k);
        self.overrides.push(Entry::Removed(k));
        self.overrides.push(Entry::Added(posted));
        self.posted_later.insert(posted, k);
        posted
    }

    /// Append a change of transaction `k`'s amount.
    pub(crate) fn modify(&mut self, k: u32, amount: f64) {
        self.overrides.push(Entry::Modified {
            k,
            amount: Some(amount),
        });
    }

    /// Append the removal of transaction `k`.
    pub(crate) fn remove(&mut self, k: u32) {
        self.posts_on.remove(&k);
        self.overrides.push(Entry::Removed(k));
    }

    /// Bring the history up to `today` (days since 1970-01-01 on the emulator's clock): later
    /// additions are dated then, and every pending transaction whose posting day has come
    /// posts, in the order of those days ([`History::post`]). How many posted: none when
    /// called again for the same day, so catching up twice never posts twice.
    pub(crate) fn catch_up(&mut self, today: u64) -> usize {
        self.today = self.today.max(today);
        let mut due: Vec<(u64, u32)> = self
            .posts_on
            .iter()
            .filter(|(_, day)| **day <= self.today)
            .map(|(k, day)| (*day, *k))
            .collect();
        due.sort_unstable();
        for (_, k) in &due {
            self.post(*k);
        }
        due.len()
    }

    /// The day transaction `k` is dated (`date`): a derived posted one in one of the
    /// [`MONTHS`] before the Item was created, a derived pending one on that day or up to two
    /// days before, the posted replacement of a derived pending one on it, a later one the
    /// day it was added.
    fn day(&self, k: u32) -> u64 {
        let (p, q) = (self.posted, self.pending);
        if k < p {
            let month = (u64::from(k) * MONTHS / u64::from(p)).min(MONTHS - 1);
            let ago = (MONTHS - 1 - month) * 29 + 1 + u64::from(k) * 7 % 28;
            self.created.saturating_sub(ago)
        } else if k < p + q {
            self.created.saturating_sub(u64::from(k - p) % 3)
        } else if k < p + 2 * q {
            self.created
        } else {
            let run = self.added_days.partition_point(|(first, _)| *first <= k);
            run.checked_sub(1)
                .and_then(|i| self.added_days.get(i))
                .map_or(self.created, |(_, day)| *day)
        }
    }

    /// The day transaction `k` was authorized (`authorized_date`): for a posted one that was
    /// pending, the pending one's day; a derived posted one on its day or the day before;
    /// any other on its day.
    fn authorized_day(&self, k: u32) -> u64 {
        match self.posted_from(k) {
            Some(from) => self.day(from),
            None if k < self.posted => self.day(k).saturating_sub(u64::from(k % 2)),
            None => self.day(k),
        }
    }

    /// Whether transaction `k` is pending: one of the pending transactions a history starts with.
    pub(crate) fn is_pending(&self, k: u32) -> bool {
        (self.posted..self.posted + self.pending).contains(&k) || self.pending_later.contains(&k)
    }

    /// The pending transaction that transaction `k` posted from, if it did.
    fn posted_from(&self, k: u32) -> Option<u32> {
        let first = self.posted + self.pending;
        (first..first + self.pending)
            .contains(&k)
            .then(|| k - self.pending)
            .or_else(|| self.posted_later.get(&k).copied())
    }
}

/// What a transaction is made of: the Item and seed that derive it, the spec's example
/// transaction as its template, and the Item's accounts.
pub(crate) struct Maker<'a> {
    pub(crate) item_id: &'a str,
    pub(crate) seed: &'a str,
    pub(crate) template: &'a Value,
    pub(crate) accounts: &'a [Value],
    pub(crate) history: &'a History,
}

impl Maker<'_> {
    /// The id of transaction `k`.
    pub(crate) fn id(&self, k: u32) -> String {
        format!("{}-txn-{k}", self.item_id)
    }

    /// What transaction `k`'s amount and name are derived from: a custom user's seed, else
    /// the emulator's seed and the Item.
    fn cents(&self, k: u32) -> u64 {
        let k = k.to_string();
        let digest = match &self.history.seed {
            Some(seed) => digest(&[seed, &k]),
            None => digest(&[self.seed, self.item_id, &k]),
        };
        u64::from_str_radix(&digest[..6], 16).unwrap_or(0)
    }

    /// The account of transaction `k`.
    pub(crate) fn account_id(&self, k: u32) -> Value {
        let k = self.history.posted_from(k).unwrap_or(k);
        let k = match self.history.placed.get(&k) {
            Some(placed) => placed.account,
            None => k as usize,
        };
        self.accounts
            .get(k % self.accounts.len().max(1))
            .map_or(Value::Null, |a| a["account_id"].clone())
    }

    /// The amount of transaction `k` as derived.
    pub(crate) fn amount(&self, k: u32) -> f64 {
        // A posted transaction keeps the amount of the pending one it posted from.
        let k = self.history.posted_from(k).unwrap_or(k);
        if let Some(custom) = self.history.custom.get(&k) {
            return custom.amount;
        }
        // Whole cents, divided once: 2.78, never 2.7800000000000002.
        ((self.cents(k) % 50_000) + 100) as f64 / 100.0
    }

    /// Transaction `k` as an `added` or `modified` entry shows it.
    pub(crate) fn transaction(&self, k: u32, modified: bool, amount: Option<f64>) -> Value {
        let mut t = self.template.clone();
        let cents = self.cents(k);
        let merchant = if modified && k == 0 {
            "Merchant (corrected)".to_string()
        } else {
            format!("Merchant {}", cents % 97)
        };
        t["transaction_id"] = json!(self.id(k));
        t["account_id"] = self.account_id(k);
        t["amount"] = json!(amount.unwrap_or_else(|| self.amount(k)));
        t["date"] = json!(date_of_day(self.history.day(k)));
        t["authorized_date"] = json!(date_of_day(self.history.authorized_day(k)));
        // Times of day Sandbox does not know: null, as the spec allows.
        t["datetime"] = Value::Null;
        t["authorized_datetime"] = Value::Null;
        t["name"] = json!(merchant);
        t["merchant_name"] = json!(merchant);
        t["pending"] = json!(self.history.is_pending(k));
        t["pending_transaction_id"] = self
            .history
            .posted_from(k)
            .map_or(Value::Null, |from| json!(self.id(from)));
        let origin = self.history.posted_from(k).unwrap_or(k);
        if let Some(custom) = self.history.custom.get(&origin) {
            t["date"] = json!(custom.date);
            t["authorized_date"] = json!(custom.date);
            t["name"] = json!(custom.description);
            t["merchant_name"] = json!(custom.description);
        }
        let placed = self.history.placed.get(&origin);
        if let Some(date) = placed.and_then(|p| p.authorized_date.as_ref()) {
            t["authorized_date"] = json!(date);
        }
        t
    }

    /// The number of the transaction `id` names, if it is one of this Item's.
    pub(crate) fn number(&self, id: &str) -> Option<u32> {
        id.strip_prefix(self.item_id)?
            .strip_prefix("-txn-")?
            .parse()
            .ok()
    }

    /// Whether transaction `k` is pending.
    pub(crate) fn pending(&self, k: u32) -> bool {
        self.history.is_pending(k)
    }

    /// The id of the pending transaction `k` posted from, if any.
    pub(crate) fn pending_transaction_id(&self, k: u32) -> Option<String> {
        self.history.posted_from(k).map(|from| self.id(from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linked_history_has_the_shape_the_flows_expect() {
        let history = History::new(LINKED_TRANSACTIONS, 20_000);
        assert_eq!((history.posted, history.pending), (40, 4));
        assert_eq!(history.len(), 40 + 4 + 8 + 1);
        assert_eq!(history.entry(44), Some(Entry::Removed(40)));
        assert_eq!(history.entry(45), Some(Entry::Added(44)));
        assert_eq!(
            history.entry(52),
            Some(Entry::Modified { k: 0, amount: None })
        );
        assert_eq!(history.entry(53), None);
        assert_eq!(history.current().len(), 44);
    }

    #[test]
    fn a_new_history_is_dated_back_from_its_creation_day_within_90_days() {
        let created = 20_000;
        let history = History::new(LINKED_TRANSACTIONS, created);
        for k in 0..(history.next) {
            let (day, authorized) = (history.day(k), history.authorized_day(k));
            assert!(
                authorized <= day && day <= created,
                "{k}: {authorized} {day}"
            );
            assert!(created - authorized < 90, "{k}: {authorized}");
        }
        // The same offsets from another creation day.
        let later = History::new(LINKED_TRANSACTIONS, created + 5);
        assert!((0..history.next).all(|k| later.day(k) == history.day(k) + 5));
    }

    #[test]
    fn a_pending_transaction_posts_once_when_its_day_comes() {
        let mut history = History::new(0, 100);
        let custom = Custom {
            amount: 5.0,
            date: date_of_day(103),
            description: "Hold".into(),
        };
        let placement = Placement {
            account: 0,
            authorized_date: None,
            pending: true,
        };
        let [k] = history.add_placed(vec![(custom, placement)])[..] else {
            panic!("one added");
        };
        assert_eq!(history.catch_up(102), 0);
        assert!(history.is_pending(k));
        assert_eq!(history.catch_up(103), 1);
        assert_eq!(history.catch_up(104), 0, "posted once");
        let now = history.current();
        let posted = *now.keys().next().unwrap();
        assert!(!now.contains_key(&k) && !history.is_pending(posted));
        assert_eq!(history.posted_from(posted), Some(k));
        assert_eq!(history.day(posted), 103, "dated the day it posted");
    }

    #[test]
    fn changes_are_stored_after_the_derived_entries() {
        let mut history = History::new(100, 20_000);
        assert_eq!(history.add(2), vec![104, 105]);
        history.modify(3, 9.5);
        history.remove(104);
        let now = history.current();
        assert_eq!(now.len(), 101);
        assert_eq!(now.get(&3), Some(&Some(9.5)));
        assert!(!now.contains_key(&104) && now.contains_key(&105));
    }
}
