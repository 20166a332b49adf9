//! The hand-written runtime the generated code builds on. Nothing here is generated; nothing
//! in `../generated/` is written by hand.

#[cfg(feature = "mock")]
pub mod conform;
pub mod headers;
pub mod idempotency;
#[cfg(feature = "schemars")]
pub mod json_schema;
#[cfg(feature = "mock")]
pub mod mock;
pub mod open_enum;
pub mod operations;
pub mod pagination;
pub mod rate_limits;
pub mod redact;
pub mod struct_serde;
#[cfg(feature = "webhook-signer")]
pub mod webhook_signer;
pub mod webhooks;
