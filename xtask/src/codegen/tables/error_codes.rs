//! The error codes table (`generated/error_codes.rs`): Plaid's `error_code` values as an open
//! enum, `ErrorCode`, written from what Plaid documents instead of a hand-kept list.
//!
//! Sources, both counted in the generator's output: the error codes of Plaid's docs (the pairs
//! `cargo xtask docs-examples` writes into `openapi/evidence/error-codes/`), and every
//! `error_code` of an example error object in the spec itself (an object that has both
//! `error_type` and `error_code`). A code from neither still decodes, as `ErrorCode::Other`.

use std::collections::BTreeMap;

use quote::{format_ident, quote};
use serde_json::Value;

use crate::repair::Evidence;

/// The table, and one line for the generator's output.
pub struct Table {
    pub file: proc_macro2::TokenStream,
    pub summary: String,
}

/// A variant's identifier and the code it stands for.
type Named = (syn::Ident, String);

/// The `ErrorCode` variants (documented) of `codes`, and each variant's identifier with its code.
fn variants(
    codes: &BTreeMap<String, Vec<String>>,
) -> anyhow::Result<(Vec<proc_macro2::TokenStream>, Vec<Named>)> {
    let mut variants = Vec::new();
    let mut names = Vec::new();
    let mut seen = BTreeMap::new();
    for (code, kinds) in codes {
        let name = variant_name(code);
        if let Some(other) = seen.insert(name.clone(), code.clone()) {
            anyhow::bail!("error codes {other} and {code} both become the variant {name}");
        }
        let ident = format_ident!("{}", name);
        let doc = format!("`{code}` (`error_type` {})", kinds.join(", "));
        variants.push(quote!(#[doc = #doc] #ident,));
        names.push((ident, code.clone()));
    }
    Ok((variants, names))
}

/// The `error_codes` module: the codes (from [`collect`]) as the `ErrorCode` enum and its
/// conversions, each a `quote!` template of its own, in the order of the generated
/// `error_codes.rs`.
pub fn emit(evidence: &Evidence, original: &Value) -> anyhow::Result<Table> {
    let (codes, documented) = collect(evidence, original);
    let from_spec = codes.len() - documented;
    let (variants, names) = variants(&codes)?;
    let count = codes.len();
    let definition = error_code_enum(&variants, count);
    let conversions = error_code_conversions(&names);
    Ok(Table {
        file: quote! { #definition #conversions },
        summary: format!(
            "error codes: {count} ({documented} documented by Plaid, {from_spec} more in the spec's examples)"
        ),
    })
}

/// Every code, with the error types it is documented with: Plaid's docs first, then the
/// spec's examples; and how many came from the docs.
fn collect(evidence: &Evidence, original: &Value) -> (BTreeMap<String, Vec<String>>, usize) {
    let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, kind) in &evidence.error_codes {
        add(&mut codes, code, kind);
    }
    let documented = codes.len();
    for (code, kind) in spec_error_codes(original) {
        add(&mut codes, &code, &kind);
    }
    (codes, documented)
}

/// `ErrorCode` and `COUNT`.
fn error_code_enum(
    variants: &[proc_macro2::TokenStream],
    count: usize,
) -> proc_macro2::TokenStream {
    quote! {
        /// Plaid's specific error code (`error_code`): every code Plaid's error reference
        /// documents (and every one the spec's examples show), and [`ErrorCode::Other`] for any
        /// other, kept as received, so a code Plaid adds tomorrow still decodes. Generated from
        /// `openapi/evidence/error-codes/` and the spec by `cargo xtask generate`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants)*
            /// A code that was not documented when this client was generated.
            Other(::std::string::String),
        }

        /// How many codes have a variant of their own.
        pub const COUNT: usize = #count;
    }
}

/// `as_str`, `From<&str>` and `Display`: a code to its spelling and back.
fn error_code_conversions(names: &[Named]) -> proc_macro2::TokenStream {
    let as_str = names
        .iter()
        .map(|(ident, code)| quote!(ErrorCode::#ident => #code,));
    let from_str = names
        .iter()
        .map(|(ident, code)| quote!(#code => ErrorCode::#ident,));
    quote! {
        impl ErrorCode {
            /// The code as Plaid spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    ErrorCode::Other(code) => code,
                }
            }
        }

        impl ::std::convert::From<&str> for ErrorCode {
            fn from(code: &str) -> Self {
                match code {
                    #(#from_str)*
                    other => ErrorCode::Other(other.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for ErrorCode {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

fn add(codes: &mut BTreeMap<String, Vec<String>>, code: &str, kind: &str) {
    let kinds = codes.entry(code.to_string()).or_default();
    if !kinds.iter().any(|k| k == kind) {
        kinds.push(kind.to_string());
    }
}

/// `(error_code, error_type)` of every object of the spec holding both as upper-case strings.
fn spec_error_codes(doc: &Value) -> Vec<(String, String)> {
    let screaming = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| crate::spec::lookup::is_screaming_snake(s))
            .map(str::to_string)
    };
    let mut out = Vec::new();
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let (Some(code), Some(kind)) = (
                    screaming(map.get("error_code")),
                    screaming(map.get("error_type")),
                ) {
                    out.push((code, kind));
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out.sort();
    out
}

/// `ITEM_LOGIN_REQUIRED` → `ItemLoginRequired`.
fn variant_name(code: &str) -> String {
    let mut out = String::new();
    for word in code.split('_').filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'E');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_from_evidence_and_spec_examples() {
        let evidence = Evidence {
            error_codes: vec![("ITEM_LOGIN_REQUIRED".into(), "ITEM_ERROR".into())],
            ..Evidence::default()
        };
        let doc = json!({"x": {"example": {"error_type": "INVALID_INPUT",
            "error_code": "OAUTH_REGISTRATION_ERROR"}},
            "y": {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED"},
            "z": {"error_code": "NO_TYPE_BESIDE_IT"}});
        let table = emit(&evidence, &doc).unwrap();
        assert_eq!(
            table.summary,
            "error codes: 2 (1 documented by Plaid, 1 more in the spec's examples)"
        );
        let text = table.file.to_string();
        assert!(text.contains(r#"ErrorCode :: ItemLoginRequired => "ITEM_LOGIN_REQUIRED""#));
        assert!(text.contains("OauthRegistrationError"));
        assert!(!text.contains("NoTypeBesideIt"));
        assert_eq!(
            variant_name("SANDBOX_ACCOUNT_SELECT_V2_NOT_ENABLED"),
            "SandboxAccountSelectV2NotEnabled"
        );
    }
}
