//! Checking and measuring the generated client: replaying response examples (conformance),
//! extracting Plaid's docs examples, and timing clean builds.

pub mod build_times;
pub mod conformance;
pub mod docs_examples;
