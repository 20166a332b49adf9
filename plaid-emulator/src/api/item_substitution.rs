//! The spec's example made to speak of the request's Item (issue 30, item 4): an operation
//! without an emulated flow answers its example, and where that example names an Item, it
//! names the one the request's `access_token` does. One walk by key name over the example's
//! JSON, the same for every operation:
//!
//! - every `item_id` is the Item's, every `institution_id` its institution's, every
//!   `institution_name` that institution's name when it is one of Sandbox's own
//!   (`sandbox-institutions.txt`, the one table of them: `model/institutions.rs`);
//! - the example's accounts (the distinct `account_id`s, in the order they first appear) are
//!   mapped in order onto the Item's accounts (those `options.account_ids` selects, if given);
//!   every `account_id` and `account_ids` member naming a mapped one is renamed, and an account
//!   object (under `accounts` or `account`, or with `balances`) takes the Item's account's
//!   `name`, `official_name`, `mask`, `type` and `subtype` where it has those keys, an object
//!   that names an account its `account_name`, `account_mask`, … (`/statements/list`);
//! - an example account beyond the Item's is dropped: an array element whose `account_id`
//!   names it is removed, an `account_ids` member too; elsewhere it becomes the first account.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::model::institutions;
use crate::model::items::ItemState;

/// The keys of an account object that describe it, copied from the Item's account.
const ACCOUNT_FIELDS: [&str; 5] = ["name", "official_name", "mask", "type", "subtype"];

/// What an answer may say about an Item, copied out of the state so the walk runs unlocked.
pub(crate) struct ItemView {
    item_id: String,
    institution_id: String,
    /// The Item's accounts as `AccountBase` JSON: `account_id` and the [`ACCOUNT_FIELDS`].
    accounts: Vec<Map<String, Value>>,
}

impl ItemView {
    /// `item` as an answer names it, with `accounts` (the Item's, or those a request selects).
    pub(crate) fn of(item: &ItemState, accounts: &[&Value]) -> Self {
        let keep = |account: &Value| {
            let fields = account.as_object().into_iter().flatten();
            fields
                .filter(|(k, _)| *k == "account_id" || ACCOUNT_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        Self {
            item_id: item.item_id.clone(),
            institution_id: item.institution_id.clone(),
            accounts: accounts.iter().map(|a| keep(a)).collect(),
        }
    }

    fn institution_name(&self) -> Option<&'static str> {
        institutions::find(&self.institution_id).map(|i| i.name)
    }
}

/// `answer` (an example) renamed to speak of `item`, as the module's rules say.
pub(crate) fn substitute(answer: &mut Value, item: &ItemView) {
    let mut order = Vec::new();
    example_accounts(answer, &mut order);
    let mapped = order
        .into_iter()
        .enumerate()
        .map(|(k, id)| (id, item.accounts.get(k)))
        .collect();
    Walk { item, mapped }.value(answer, "");
}

/// The distinct `account_id`s of `value`, in the order they first appear.
fn example_accounts(value: &Value, order: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(id)) = object.get("account_id") {
                if !order.contains(id) {
                    order.push(id.clone());
                }
            }
            object.values().for_each(|v| example_accounts(v, order));
        }
        Value::Array(items) => items.iter().for_each(|v| example_accounts(v, order)),
        _ => {}
    }
}

/// One walk: the Item, and each example account's Item account (`None`: dropped).
struct Walk<'a> {
    item: &'a ItemView,
    mapped: HashMap<String, Option<&'a Map<String, Value>>>,
}

impl Walk<'_> {
    /// Whether `id` names an example account the Item has no account for.
    fn dropped(&self, id: Option<&Value>) -> bool {
        let id = id.and_then(Value::as_str);
        id.is_some_and(|id| matches!(self.mapped.get(id), Some(None)))
    }

    fn value(&self, value: &mut Value, key: &str) {
        match value {
            Value::Object(object) => self.object(object, key),
            Value::Array(items) => {
                let dropped = |v: &Value| match v {
                    Value::Object(o) => self.dropped(o.get("account_id")),
                    Value::String(_) if key == "account_ids" => self.dropped(Some(v)),
                    _ => false,
                };
                items.retain(|v| !dropped(v));
                items.iter_mut().for_each(|v| self.value(v, key));
            }
            Value::String(text) => self.string(text, key),
            _ => {}
        }
    }

    /// The account `id` becomes: its mapped one, else (dropped) the Item's first.
    fn account_for(&self, id: &str) -> Option<&Map<String, Value>> {
        match self.mapped.get(id) {
            Some(Some(account)) => Some(account),
            Some(None) => self.item.accounts.first(),
            None => None,
        }
    }

    fn string(&self, text: &mut String, key: &str) {
        let new = match key {
            "item_id" => Some(self.item.item_id.as_str()),
            "institution_id" => Some(self.item.institution_id.as_str()),
            "institution_name" => self.item.institution_name(),
            "account_id" | "account_ids" => self
                .account_for(text)
                .and_then(|a| a.get("account_id")?.as_str()),
            _ => None,
        };
        if let Some(new) = new {
            *text = new.to_string();
        }
    }

    fn object(&self, object: &mut Map<String, Value>, key: &str) {
        let account = object
            .get("account_id")
            .and_then(Value::as_str)
            .and_then(|id| self.account_for(id));
        let is_account = matches!(key, "accounts" | "account") || object.contains_key("balances");
        for field in ACCOUNT_FIELDS {
            let Some(new) = account.and_then(|a| a.get(field)) else {
                continue;
            };
            // `name` in an account object; `account_name` in one that names an account.
            let own = is_account.then(|| object.get_mut(field)).flatten();
            if let Some(slot) = own {
                *slot = new.clone();
            }
            if let Some(slot) = object.get_mut(&format!("account_{field}")) {
                *slot = new.clone();
            }
        }
        for (name, value) in object.iter_mut() {
            self.value(value, name);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(accounts: usize) -> ItemView {
        let account = |k: usize| {
            json!({"account_id": format!("acc-{k}"), "name": format!("Mine {k}"),
                "mask": format!("000{k}"), "type": "depository", "subtype": "checking",
                "official_name": null, "balances": {"current": 1}})
        };
        let accounts: Vec<Value> = (0..accounts).map(account).collect();
        ItemView {
            item_id: "item-1".into(),
            institution_id: "ins_109509".into(),
            accounts: accounts
                .iter()
                .map(|a| {
                    let mut a = a.as_object().cloned().unwrap();
                    a.remove("balances");
                    a
                })
                .collect(),
        }
    }

    #[test]
    fn item_and_institution_are_the_items_wherever_they_appear() {
        let mut answer = json!({"item": {"item_id": "ex", "institution_id": "ins_1",
            "institution_name": "Ex Bank"}, "report": {"items": [{"item_id": "ex"}]}});
        substitute(&mut answer, &item(1));
        assert_eq!(answer["item"]["item_id"], "item-1");
        assert_eq!(answer["report"]["items"][0]["item_id"], "item-1");
        assert_eq!(answer["item"]["institution_id"], "ins_109509");
        assert_eq!(
            answer["item"]["institution_name"],
            "First Gingham Credit Union"
        );
    }

    #[test]
    fn example_accounts_map_in_order_and_references_follow() {
        let mut answer = json!({
            "accounts": [{"account_id": "A", "name": "Ex A", "mask": "9", "balances": {}},
                         {"account_id": "B", "name": "Ex B", "balances": {}}],
            "holdings": [{"account_id": "B", "q": 1}, {"account_id": "A", "q": 2}],
            "filter": {"account_ids": ["B"]}});
        substitute(&mut answer, &item(2));
        assert_eq!(answer["accounts"][0]["account_id"], "acc-0");
        assert_eq!(answer["accounts"][0]["name"], "Mine 0");
        assert_eq!(answer["accounts"][0]["mask"], "0000");
        assert_eq!(answer["accounts"][1]["name"], "Mine 1");
        assert!(
            answer["accounts"][1].get("mask").is_none(),
            "only keys that appear"
        );
        assert_eq!(answer["holdings"][0]["account_id"], "acc-1");
        assert_eq!(answer["holdings"][1]["account_id"], "acc-0");
        assert_eq!(answer["filter"]["account_ids"], json!(["acc-1"]));
    }

    #[test]
    fn an_object_naming_an_account_takes_its_prefixed_fields() {
        let mut answer = json!({"accounts": [{"account_id": "A", "account_name": "Ex",
            "account_mask": "9", "name": "not the account's"}]});
        substitute(&mut answer, &item(1));
        let account = &answer["accounts"][0];
        assert_eq!(
            (&account["account_name"], &account["account_mask"]),
            (&json!("Mine 0"), &json!("0000"))
        );
    }

    #[test]
    fn example_accounts_beyond_the_items_are_dropped_with_what_names_them() {
        let mut answer = json!({
            "accounts": [{"account_id": "A"}, {"account_id": "B"}, {"account_id": "C"}],
            "holdings": [{"account_id": "C"}, {"account_id": "A"}],
            "account_ids": ["A", "C"],
            "owner": {"account_id": "C"}});
        substitute(&mut answer, &item(1));
        assert_eq!(answer["accounts"], json!([{"account_id": "acc-0"}]));
        assert_eq!(answer["holdings"], json!([{"account_id": "acc-0"}]));
        assert_eq!(answer["account_ids"], json!(["acc-0"]));
        assert_eq!(
            answer["owner"]["account_id"], "acc-0",
            "outside an array: the first"
        );
    }
}
