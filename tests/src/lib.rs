//! Workspace integration tests live in `tests/tests/`.
//!
//! This crate also compiles and runs the Rust snippets of the workspace README as doc tests, so
//! the README cannot drift from the API.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
