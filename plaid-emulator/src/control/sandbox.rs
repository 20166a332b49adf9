//! Items made as a Sandbox test user, without Link (docs: `sandbox-test-credentials.txt`,
//! `sandbox-user-custom.txt`, `sandbox-institutions.txt`): [`crate::Emulator::create_item_as`]
//! and `POST /emulator/items` with `username` and `password` log in exactly as
//! `/sandbox/public_token/create` does (the same checks and Items, `api/sandbox_items.rs`),
//! except that an OAuth institution is allowed, as Link allows it.

use serde_json::json;

use super::{ItemOptions, LinkedItem};
use crate::api::{items, sandbox_items};
use crate::model::plaid_error::PlaidError;
use crate::model::sandbox_users;
use crate::transport::Emulated;

/// Why an Item could not be made for a Sandbox test user: Plaid's error, as
/// `/sandbox/public_token/create` would answer it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type} / {error_code}: {message}")]
#[non_exhaustive]
pub struct CreateItemError {
    /// The HTTP status Plaid answers with.
    pub status: u16,
    /// `error_type`, e.g. `ITEM_ERROR`.
    pub error_type: String,
    /// `error_code`, e.g. `ITEM_LOCKED`.
    pub error_code: String,
    /// `error_message`.
    pub message: String,
}

impl From<PlaidError> for CreateItemError {
    fn from(error: PlaidError) -> Self {
        Self {
            status: error.status,
            error_type: error.error_type.to_string(),
            error_code: error.error_code.to_string(),
            message: error.message,
        }
    }
}

impl CreateItemError {
    /// The error object, as `POST /emulator/items` answers it.
    pub(crate) fn body(&self) -> serde_json::Value {
        json!({"error_type": self.error_type, "error_code": self.error_code,
            "error_message": self.message, "display_message": null})
    }
}

/// An Item for `username`/`password` at `options`' institution, with its access token.
pub(crate) fn create_item_as(
    emu: &Emulated,
    options: ItemOptions,
    username: &str,
    password: &str,
) -> Result<LinkedItem, CreateItemError> {
    let products: Vec<String> = options
        .products
        .iter()
        .map(|p| json!(p).as_str().unwrap_or_default().to_string())
        .collect();
    let via = sandbox_items::Via::Link;
    let institution = sandbox_items::check_institution(&options.institution_id, &products, via)?;
    let login = sandbox_users::login(username, password)?;
    let new = sandbox_items::NewItem {
        institution,
        products,
        webhook: options.webhook,
        transactions: options.transactions,
    };
    let mut state = emu.api.model.lock();
    let item_id = sandbox_items::create(&emu.api, &mut state, new, &login)?;
    let access_token = items::access_token(&emu.api, &item_id);
    state
        .access_tokens
        .insert(access_token.clone(), item_id.clone());
    Ok(LinkedItem {
        item_id,
        access_token,
    })
}
