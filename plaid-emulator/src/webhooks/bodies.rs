//! The bodies of the webhooks the emulator fires, each a value of its generated webhook type
//! (docs: `api-items.txt` "Webhooks", `transactions-webhooks.txt`, `api-products-assets.txt`,
//! `api-products-transfer.txt`).

use std::time::{Duration, SystemTime};

use plaid_client::types;
use serde_json::{json, Value};

use crate::model::clock;
use crate::model::digest::digest;
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;

/// `value` decoded into the webhook type `T` and serialized by it: what is delivered conforms
/// to the pinned spec by construction.
pub(crate) fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: Value,
) -> Result<Vec<u8>, PlaidError> {
    let broken = |e: serde_json::Error| {
        PlaidError::internal(&format!("{}: {e}", std::any::type_name::<T>()))
    };
    let typed: T = serde_json::from_value(value).map_err(broken)?;
    serde_json::to_vec(&typed).map_err(broken)
}

/// `ITEM` / `ERROR` with the Item's error (docs, `api-items.txt`: the error object with its
/// `status`).
pub(crate) fn item_error(item: &ItemState, error: &PlaidError) -> Result<Vec<u8>, PlaidError> {
    let body = json!({"webhook_type": "ITEM", "webhook_code": "ERROR",
        "item_id": item.item_id, "error": error.object(), "environment": "sandbox"});
    typed::<types::ItemErrorWebhook>(body)
}

/// `TRANSFER` / `TRANSFER_EVENTS_UPDATE`: new events wait in `/transfer/event/sync`.
pub(crate) fn transfer_events_update() -> Result<Vec<u8>, PlaidError> {
    let body = json!({"webhook_type": "TRANSFER", "webhook_code": "TRANSFER_EVENTS_UPDATE",
        "environment": "sandbox"});
    typed::<types::TransferEventsUpdateWebhook>(body)
}

/// `BANK_TRANSFERS` / `BANK_TRANSFERS_EVENTS_UPDATE`, the body
/// `auth-coverage-microdeposit-events.txt` shows for `/sandbox/bank_transfer/fire_webhook`.
pub(crate) fn bank_transfers_events_update() -> Result<Vec<u8>, PlaidError> {
    let body = json!({"webhook_type": "BANK_TRANSFERS",
        "webhook_code": "BANK_TRANSFERS_EVENTS_UPDATE", "environment": "sandbox"});
    typed::<types::BankTransfersEventsUpdateWebhook>(body)
}

/// `TRANSFER` / `RECURRING_NEW_TRANSFER`: a recurring transfer originated a transfer (docs,
/// `transfer-recurring-transfers.txt`).
pub(crate) fn recurring_new_transfer(
    recurring_transfer_id: &str,
    transfer_id: &str,
) -> Result<Vec<u8>, PlaidError> {
    let body = json!({"webhook_type": "TRANSFER", "webhook_code": "RECURRING_NEW_TRANSFER",
        "recurring_transfer_id": recurring_transfer_id, "transfer_id": transfer_id,
        "environment": "sandbox"});
    typed::<types::RecurringNewTransferWebhook>(body)
}

/// What `/sandbox/item/fire_webhook` sends for `code` (docs, `api-sandbox.txt`: the
/// Transactions codes need Transactions on the Item, the Assets ones Assets, else
/// `SANDBOX_PRODUCT_NOT_ENABLED`). `error` is the Item's current error, if any.
pub(crate) fn fired(
    item: &ItemState,
    code: &str,
    webhook_type: Option<&str>,
    error: Option<&PlaidError>,
    now: SystemTime,
) -> Result<Vec<u8>, PlaidError> {
    let needs = |product: &str| {
        if item.products.iter().any(|p| p == product) {
            Ok(())
        } else {
            Err(PlaidError::sandbox_product_not_enabled(product))
        }
    };
    let mut body = json!({"webhook_code": code, "item_id": item.item_id, "environment": "sandbox",
        "webhook_type": "ITEM", "error": null});
    match (code, webhook_type) {
        ("SYNC_UPDATES_AVAILABLE", _) => {
            needs("transactions")?;
            body["webhook_type"] = json!("TRANSACTIONS");
            body["initial_update_complete"] = json!(true);
            body["historical_update_complete"] = json!(true);
            typed::<types::SyncUpdatesAvailableWebhook>(body)
        }
        ("DEFAULT_UPDATE", _) => {
            needs("transactions")?;
            body["webhook_type"] = json!("TRANSACTIONS");
            body["new_transactions"] = json!(0);
            typed::<types::DefaultUpdateWebhook>(body)
        }
        ("RECURRING_TRANSACTIONS_UPDATE", _) => {
            needs("transactions")?;
            body["webhook_type"] = json!("TRANSACTIONS");
            body["account_ids"] = json!(account_ids(item));
            typed::<types::RecurringTransactionsUpdateWebhook>(body)
        }
        ("PRODUCT_READY", _) | ("ERROR", Some("ASSETS")) => assets(item, code, body, needs),
        _ => item_webhook(item, code, body, error, now),
    }
}

fn account_ids(item: &ItemState) -> Vec<Value> {
    item.accounts
        .iter()
        .map(|a| a["account_id"].clone())
        .collect()
}

/// `ASSETS` / `PRODUCT_READY` or `ERROR`, for a report of the Item's own.
fn assets(
    item: &ItemState,
    code: &str,
    mut body: Value,
    needs: impl Fn(&str) -> Result<(), PlaidError>,
) -> Result<Vec<u8>, PlaidError> {
    needs("assets")?;
    body["webhook_type"] = json!("ASSETS");
    body["asset_report_id"] = json!(digest(&["asset_report", &item.item_id]));
    if code == "ERROR" {
        let failed = PlaidError::internal("the asset report could not be generated");
        body["error"] = failed.object();
        typed::<types::AssetsErrorWebhook>(body)
    } else {
        typed::<types::AssetsProductReadyWebhook>(body)
    }
}

/// The `ITEM` webhooks of `api-items.txt` (times from `now`, the emulator's clock); a code the
/// emulator does not fire is `INVALID_FIELD`.
fn item_webhook(
    item: &ItemState,
    code: &str,
    mut body: Value,
    error: Option<&PlaidError>,
    now: SystemTime,
) -> Result<Vec<u8>, PlaidError> {
    match code {
        "ERROR" => {
            let login = PlaidError::item_login_required();
            body["error"] = error.unwrap_or(&login).object();
            typed::<types::ItemErrorWebhook>(body)
        }
        "NEW_ACCOUNTS_AVAILABLE" => typed::<types::NewAccountsAvailableWebhook>(body),
        "LOGIN_REPAIRED" => typed::<types::ItemLoginRepairedWebhook>(body),
        "USER_PERMISSION_REVOKED" => {
            body["error"] = PlaidError::user_permission_revoked().object();
            typed::<types::UserPermissionRevokedWebhook>(body)
        }
        "USER_ACCOUNT_REVOKED" => {
            body["account_id"] = account_ids(item).first().cloned().unwrap_or_default();
            typed::<types::UserAccountRevokedWebhook>(body)
        }
        "PENDING_DISCONNECT" => {
            body["reason"] = json!("INSTITUTION_MIGRATION");
            body["disconnect_time"] = json!(clock::rfc3339(now + Duration::from_secs(7 * 86_400)));
            typed::<types::PendingDisconnectWebhook>(body)
        }
        _ => Err(PlaidError::invalid_field(&format!(
            "webhook_code {code} cannot be fired by /sandbox/item/fire_webhook"
        ))),
    }
}
