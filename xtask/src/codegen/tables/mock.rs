//! The typed httpmock helpers (`plaid-client` feature `mock`): progenitor's
//! `Generator::httpmock` output for every operation, checked and counted, plus the spec's own
//! example response of each operation as JSON text, for `plaid_client::mock`'s canned answers.
//!
//! httpmock answers with the first matching mock, so a catch-all example registered first would
//! hide every typed mock registered after it. Each typed helper therefore ends by calling
//! `plaid_client::mock::after_examples`, which moves the operation's example (if any) behind the
//! mock just added: examples are the fallback, whatever the order of registration.

use anyhow::Context;
use quote::quote;
use serde_json::Value;

use crate::codegen::tables::operations::OperationInfo;

pub struct MockFile {
    pub file: syn::File,
    pub summary: String,
}

/// Check progenitor's mock module against the operations table and add the example responses.
pub fn finish(
    tokens: proc_macro2::TokenStream,
    ops: &[OperationInfo],
    original: &Value,
) -> anyhow::Result<MockFile> {
    let mut file: syn::File =
        syn::parse2(tokens).context("progenitor's httpmock output does not parse as Rust")?;
    let helpers = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Trait(t) if t.ident == "MockServerExt" => Some(
                t.items
                    .iter()
                    .filter(|i| matches!(i, syn::TraitItem::Fn(_)))
                    .count(),
            ),
            _ => None,
        })
        .context("progenitor's httpmock output has no MockServerExt trait")?;
    if helpers != ops.len() {
        anyhow::bail!(
            "progenitor generated {helpers} typed mock helpers for {} operations",
            ops.len()
        );
    }

    let escaped = escape_path_params(&mut file);
    let demoted = examples_after_typed_mocks(&mut file, ops)?;
    anyhow::ensure!(
        demoted == ops.len(),
        "{demoted} of {} typed mock helpers could be made to rank before the examples",
        ops.len()
    );

    let arms = example_arms(ops, original)?;
    let examples = arms.len();
    let json_ops = ops.iter().filter(|o| !o.binary_response).count();
    file.items.push(syn::parse2(quote! {
        /// The spec's example 200 response of the operation with this `operationId`, as JSON.
        pub fn example_json(operation_id: &str) -> ::std::option::Option<&'static str> {
            match operation_id {
                #(#arms)*
                _ => ::std::option::Option::None,
            }
        }
    })?);
    file.items.push(syn::parse2(quote! {
        /// How many operations have an example response.
        pub const EXAMPLES: usize = #examples;
    })?);
    Ok(MockFile {
        file,
        summary: format!(
            "typed mocks: {helpers} of {} operations; example responses for {examples} of {json_ops} JSON operations; {escaped} path-parameter matchers escaped",
            ops.len()
        ),
    })
}

/// One `operationId => Some(json)` arm per JSON operation with an example: the 200 response's
/// `example`, else its first `examples`.
fn example_arms(
    ops: &[OperationInfo],
    original: &Value,
) -> anyhow::Result<Vec<proc_macro2::TokenStream>> {
    let records = crate::spec::lookup::spec_examples(original);
    let mut arms = Vec::new();
    for op in ops.iter().filter(|o| !o.binary_response) {
        let example = records.iter().find(|r| {
            r["endpoint"] == op.path.as_str()
                && r["status"] == 200
                && r["method"]
                    .as_str()
                    .is_some_and(|m| m.eq_ignore_ascii_case(&op.http_method))
        });
        if let Some(r) = example {
            let id = &op.operation_id;
            let json = serde_json::to_string(&r["example"])?;
            arms.push(quote!(#id => ::std::option::Option::Some(#json),));
        }
    }
    Ok(arms)
}

/// Rewrite each typed helper `fn op(&self, config_fn) { self.mock(..) }` of the
/// `impl MockServerExt for MockServer` as `{ let mock = self.mock(..); after_examples(self,
/// "<operationId>"); mock }`. Returns how many helpers were rewritten.
fn examples_after_typed_mocks(
    file: &mut syn::File,
    ops: &[OperationInfo],
) -> anyhow::Result<usize> {
    let imp = file
        .items
        .iter_mut()
        .find_map(|i| match i {
            syn::Item::Impl(imp)
                if imp
                    .trait_
                    .as_ref()
                    .is_some_and(|(_, p, _)| p.is_ident("MockServerExt")) =>
            {
                Some(imp)
            }
            _ => None,
        })
        .context("progenitor's httpmock output has no `impl MockServerExt`")?;
    let mut rewritten = 0;
    for item in imp.items.iter_mut() {
        let syn::ImplItem::Fn(f) = item else { continue };
        let Some(op) = ops.iter().find(|o| f.sig.ident == o.fn_name) else {
            continue;
        };
        let id = &op.operation_id;
        let body = &f.block;
        f.block = syn::parse_quote!({
            let mock = #body;
            crate::mock::after_examples(self, #id);
            mock
        });
        rewritten += 1;
    }
    Ok(rewritten)
}

/// progenitor matches a path parameter by formatting the value into a regex unescaped, so a
/// value such as `a+b` would match wrongly and `a(b` would panic in `Regex::new(..).unwrap()`:
/// escape it. Returns how many matchers were changed. The edit is made on the parsed arguments
/// of each `format!` (a last argument `value.to_string()`), not on printed text.
fn escape_path_params(file: &mut syn::File) -> usize {
    use syn::visit_mut::VisitMut;
    struct Escape(usize);
    impl VisitMut for Escape {
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            if m.path.is_ident("format") {
                if let Some(tokens) = escaped_format_args(m) {
                    m.tokens = tokens;
                    self.0 += 1;
                }
            }
            syn::visit_mut::visit_macro_mut(self, m);
        }
    }
    let mut v = Escape(0);
    v.visit_file_mut(file);
    v.0
}

/// `format!("…", value.to_string())`'s arguments with the last one escaped as a regex, or
/// `None` when the macro is not of that form.
fn escaped_format_args(m: &syn::Macro) -> Option<proc_macro2::TokenStream> {
    use syn::punctuated::Punctuated;
    let mut args = m
        .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    if !matches!(args.first(), Some(syn::Expr::Lit(l)) if matches!(l.lit, syn::Lit::Str(_))) {
        return None;
    }
    let last = args.last_mut()?;
    let syn::Expr::MethodCall(call) = last else {
        return None;
    };
    let receiver_is_value =
        matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("value"));
    if call.method != "to_string" || !call.args.is_empty() || !receiver_is_value {
        return None;
    }
    *last = syn::parse_quote!(regex::escape(&value.to_string()));
    Some(quote!(#args))
}
