//! The answers of every operation the emulator does not emulate: the spec's example response,
//! decoded into the generated response type and serialized by it (as the typed mocks do).

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use plaid_client::mock::example;
use plaid_client::{JsonOperation, JsonOperationVisitor};

use crate::model::plaid_error::PlaidError;

/// An operation's example body, by path.
pub(crate) struct Examples {
    by_path: HashMap<&'static str, Example>,
}

/// What a path answers.
pub(crate) enum Example {
    /// The example body, as the generated type serializes it.
    Body(Vec<u8>),
    /// The operation exists but its spec has no usable example.
    Missing,
}

impl Examples {
    /// Every JSON `POST` operation of the generated client.
    pub(crate) fn collect() -> Self {
        struct Collect(HashMap<&'static str, Example>);
        impl JsonOperationVisitor for Collect {
            fn visit<O: JsonOperation>(&mut self) {
                if O::METHOD != "POST" {
                    return;
                }
                let body = example::<O>()
                    .ok()
                    .and_then(|typed| super::conform::body::<O>(&typed).ok());
                let entry = body.map_or(Example::Missing, Example::Body);
                self.0.insert(O::PATH, entry);
            }
        }
        let mut collect = Collect(HashMap::new());
        plaid_client::operations::visit_json(&mut collect);
        Self { by_path: collect.0 }
    }

    /// The example of `path`, if it is an operation.
    pub(crate) fn get(&self, path: &str) -> Option<&Example> {
        self.by_path.get(path)
    }
}

/// `value` decoded into `O`'s generated response type and serialized by it: the body of every
/// emulated answer, so it conforms to the pinned spec by construction.
/// A value that does not fit is the emulator's own bug: `INTERNAL_SERVER_ERROR`, naming it.
pub(crate) fn typed<O: JsonOperation>(value: serde_json::Value) -> Result<Vec<u8>, PlaidError> {
    let broken = |e: serde_json::Error| PlaidError::internal(&format!("{}: {e}", O::OPERATION_ID));
    let typed: O::Response = serde_json::from_value(value).map_err(broken)?;
    // With the keys the published spec requires and the type may omit (`conform.rs`).
    super::conform::body::<O>(&typed).map_err(broken)
}

/// The spec's example of `O` as JSON, for an emulated answer to start from. Decoded once per
/// operation and process, then cloned: emulated answers start from it on every request.
pub(crate) fn example_value<O: JsonOperation>() -> Result<serde_json::Value, PlaidError> {
    type Cache = RwLock<HashMap<&'static str, serde_json::Value>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let read = cache
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(value) = read.get(O::OPERATION_ID) {
        return Ok(value.clone());
    }
    drop(read);
    let typed = example::<O>().map_err(|e| PlaidError::internal(&e.to_string()))?;
    let value = serde_json::to_value(&typed).map_err(|e| PlaidError::internal(&e.to_string()))?;
    cache
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(O::OPERATION_ID, value.clone());
    Ok(value)
}
