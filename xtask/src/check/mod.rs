//! Checking and measuring the generated client: replaying response examples (conformance),
//! comparing the response types' JSON Schemas with the spec (response_schemas), extracting
//! Plaid's docs examples, and timing clean builds.

pub mod build_times;
pub mod conformance;
pub mod docs_examples;
pub mod response_schemas;
