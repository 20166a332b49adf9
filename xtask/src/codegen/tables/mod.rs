//! Step 3 of `generate`: tables read off progenitor's output and the original spec, emitted as
//! the generated modules the hand-written runtime builds on.
//!
//! - [`operations`]: one marker type per operation (`plaid_client::Operation`);
//! - [`pagination`]: the paging shape of each list and sync operation, as trait impls on the
//!   markers (`CursorSync`, `Paginated`);
//! - [`webhooks`]: `WebhookEvent`, dispatched on `webhook_type`/`webhook_code`;
//! - [`mock`]: progenitor's typed httpmock helpers, checked, with the spec's examples;
//! - [`redact`]: the credentials the redaction pass found, for the runtime's text redactor;
//! - [`error_codes`]: Plaid's documented `error_code` values, as an open enum;
//! - [`conform`]: where the published spec requires keys the types may omit, and what a server
//!   sends there (read off the published and the normalized document, before progenitor runs).

pub mod conform;
pub mod error_codes;
pub mod mock;
pub mod operations;
pub mod pagination;
pub mod redact;
pub mod webhooks;

use super::passes::redact::Credentials;
use super::progenitor_output::Output;
use super::Input;

/// The emitted tables, as syntax trees.
pub struct Tables {
    pub operations: syn::File,
    pub webhooks: syn::File,
    pub mock: syn::File,
    pub redact: syn::File,
    pub error_codes: syn::File,
    /// `conform.rs` ([`conform::emit`]).
    pub conform: syn::File,
    /// The product features and the gates of every generated name.
    pub features: crate::codegen::features::Features,
    /// One line for the generator's output: operations by kind.
    pub operations_summary: String,
}

/// The tables, from progenitor's output, the operations read off it ([`operations::collect`],
/// run before the passes) and the credentials the redaction pass found.
pub fn build(
    input: &Input<'_>,
    output: &Output,
    ops: Vec<operations::OperationInfo>,
    credentials: &Credentials,
    conform: syn::File,
) -> anyhow::Result<Tables> {
    let expected = check_every_operation(input, &ops)?;
    let paging = pagination::detect(&ops, &output.types, input.original);
    println!("pagination: {}", paging.counts);
    let operations: syn::File = syn::parse2(operations::emit(&ops, &paging.impls))?;

    let type_names = type_names(&output.types);
    let (hooks, skipped_hooks) = webhooks::collect(input.original, &type_names);
    println!(
        "webhook events: {} schemas typed ({skipped_hooks} without readable type/code literals left to WebhookEvent::Unknown)",
        hooks.len()
    );
    let webhooks: syn::File = syn::parse2(webhooks::emit(&hooks)?)?;
    let features = crate::codegen::features::compute(input.original, &ops, &hooks, &output.types);
    println!("{}", features.summary());

    let mock_tokens = output
        .mock
        .clone()
        .ok_or_else(|| anyhow::anyhow!("progenitor's httpmock output is missing"))?;
    let mock = mock::finish(mock_tokens, &ops, input.original)?;
    println!("{}", mock.summary);
    let redact = redact::emit(credentials, input.original);
    println!("{}", redact.summary);
    let error_codes = error_codes::emit(input.evidence, input.original)?;
    println!("{}", error_codes.summary);
    Ok(Tables {
        operations,
        webhooks,
        mock: mock.file,
        redact: syn::parse2(redact.file)?,
        error_codes: syn::parse2(error_codes.file)?,
        conform,
        features,
        operations_summary: operations::summary(&ops, expected),
    })
}

/// Fail unless progenitor generated a method for every operation of the spec; how many there are.
fn check_every_operation(
    input: &Input<'_>,
    ops: &[operations::OperationInfo],
) -> anyhow::Result<usize> {
    let expected = crate::spec::lookup::operations(input.original).count();
    anyhow::ensure!(
        ops.len() == expected,
        "{}: the spec has {expected} operations but the client has {} methods",
        input.spec_path.display(),
        ops.len()
    );
    Ok(expected)
}

/// The names of the structs and enums of the `types` module.
fn type_names(types: &[syn::Item]) -> Vec<String> {
    types
        .iter()
        .filter_map(|i| match i {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}
