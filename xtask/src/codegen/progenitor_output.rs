//! Step 1 of `generate`: run progenitor on the repaired spec, and split its output into the
//! client (methods, `Client`), the `types` module's items, and the typed httpmock helpers.

use std::path::Path;

use anyhow::Context;
use quote::quote;
use serde_json::Value;

/// progenitor's output for one spec, as syntax trees.
pub struct Output {
    /// Everything progenitor emits outside `types`: `Client`, its methods, re-exports.
    pub client: syn::File,
    /// The items of the `types` module.
    pub types: Vec<syn::Item>,
    /// The typed httpmock helpers (`plaid-client` feature `mock`); empty in builder style.
    pub mock: Option<proc_macro2::TokenStream>,
}

/// Run progenitor (client, then the httpmock helpers from the same type space).
pub fn generate(
    spec_path: &Path,
    normalized: Value,
    style: progenitor::InterfaceStyle,
) -> anyhow::Result<Output> {
    let api: openapiv3::OpenAPI = serde_json::from_value(normalized).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a valid OpenAPI 3.0 document after normalization: {e}",
            spec_path.display()
        )
    })?;
    let builder = matches!(style, progenitor::InterfaceStyle::Builder);
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(style)
        .with_tag(progenitor::TagStyle::Merged)
        // progenitor ignores securitySchemes: credentials and Plaid-Version travel as headers
        // held by the client and set on every request (plaid-client/src/runtime/headers.rs).
        .with_inner_type(quote!(crate::RequestHeaders))
        .with_pre_hook(quote!(crate::RequestHeaders::apply));
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = run_step(spec_path, "progenitor", || generator.generate_tokens(&api))?;
    let mut client: syn::File =
        syn::parse2(tokens).context("progenitor produced tokens that do not parse as Rust")?;
    let types = take_types_module(&mut client)?;
    let mock = if builder {
        None
    } else {
        Some(run_step(
            spec_path,
            "progenitor's httpmock generation",
            || generator.httpmock(&api, "crate"),
        )?)
    };
    Ok(Output {
        client,
        types,
        mock,
    })
}

/// Remove the `types` module from `file` and return its items.
fn take_types_module(file: &mut syn::File) -> anyhow::Result<Vec<syn::Item>> {
    let mut types = Vec::new();
    file.items.retain_mut(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => {
            if let Some((_, items)) = m.content.take() {
                types = items;
            }
            false
        }
        _ => true,
    });
    anyhow::ensure!(!types.is_empty(), "progenitor output has no `types` module");
    Ok(types)
}

/// Run one progenitor step, turning its panics (progenitor panics on some specs it cannot take)
/// and errors into errors that name the spec.
fn run_step<T>(
    spec_path: &Path,
    what: &str,
    step: impl FnOnce() -> Result<T, progenitor::Error>,
) -> anyhow::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step))
        .map_err(|_| anyhow::anyhow!("{}: {what} panicked (see above)", spec_path.display()))?
        .map_err(|e| anyhow::anyhow!("{}: {what} failed: {e}", spec_path.display()))
}
