//! What Sandbox's test users leave on an Item beyond its accounts and history (docs:
//! `sandbox-test-credentials.txt`, `sandbox-user-custom.txt`, `auth-coverage-testing.txt`):
//! which kind of user linked it, the account numbers `/auth/get` answers when the user chose
//! them (a custom user's `numbers`, Houndstooth Bank's documented ones), a custom user's
//! identity, and the processor tokens `/sandbox/processor_token/create` handed out.

use std::collections::HashMap;

use super::custom_products::{AccountProducts, Identity};

/// Who linked an Item, as far as its later behaviour depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum UserKind {
    /// `user_good` and the rest: fixed data.
    #[default]
    Good,
    /// `user_transactions_dynamic`: each `/transactions/refresh` posts what was pending and
    /// adds new pending transactions.
    DynamicTransactions,
    /// `user_custom`: exactly the configuration's data.
    Custom,
}

/// One account's numbers, as `/auth/get` answers them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct AccountNumbers {
    pub(crate) account: Option<String>,
    pub(crate) routing: Option<String>,
    pub(crate) wire_routing: Option<String>,
    pub(crate) eft_institution: Option<String>,
    pub(crate) eft_branch: Option<String>,
    pub(crate) bic: Option<String>,
    pub(crate) iban: Option<String>,
    pub(crate) sort_code: Option<String>,
}

/// An Item's Sandbox extras.
#[derive(Debug, Clone, Default)]
pub(crate) struct SandboxItem {
    pub(crate) user: UserKind,
    /// Account id → the numbers chosen for it.
    pub(crate) numbers: HashMap<String, AccountNumbers>,
    /// A custom user's owner data, for every account of the Item.
    pub(crate) identity: Option<Identity>,
    /// A custom user's configured accounts (account id → their holdings, investment
    /// transactions and liability), served by the Investments and Liabilities calls; empty
    /// for every other Item, whose calls answer Sandbox's fixed data.
    pub(crate) products: HashMap<String, AccountProducts>,
    /// `user_transactions_dynamic`: the pending transactions the last refresh added, which
    /// the next one posts.
    pub(crate) pending: Vec<String>,
}

/// A processor token's Item and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProcessorToken {
    pub(crate) item_id: String,
    pub(crate) account_id: String,
}

/// Every Item's Sandbox extras, and the processor tokens.
#[derive(Debug, Default)]
pub(crate) struct SandboxState {
    /// Item id → its extras (an Item without any has none here).
    pub(crate) items: HashMap<String, SandboxItem>,
    /// Processor token → what it names.
    pub(crate) processor_tokens: HashMap<String, ProcessorToken>,
}

impl SandboxState {
    /// The extras of `item_id`, if it has any.
    pub(crate) fn item(&self, item_id: &str) -> Option<&SandboxItem> {
        self.items.get(item_id)
    }

    /// The numbers chosen for `account_id` of `item_id`, if any were.
    pub(crate) fn numbers(&self, item_id: &str, account_id: &str) -> Option<&AccountNumbers> {
        self.items.get(item_id)?.numbers.get(account_id)
    }
}
