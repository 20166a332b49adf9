//! The webhook events table: `WebhookEvent`, an enum over every webhook schema of the spec,
//! dispatched on `webhook_type` and `webhook_code`.
//!
//! Plaid's spec describes each webhook as a component schema with `webhook_type` and
//! `webhook_code` properties whose value is given as a one-value enum or, more often, as a
//! backtick literal in the description (`` `TRANSACTIONS` ``, sometimes `` `"TRANSFER"` ``).
//! Both forms are read; schemas whose literals cannot be read are counted and left out (a
//! webhook of theirs then parses as `WebhookEvent::Unknown`, never as an error).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// One webhook schema.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub webhook_type: String,
    pub webhook_code: String,
    pub schema: String,
    pub rust_type: String,
    /// The schema's property names, to choose between schemas that share a type and code.
    pub properties: Vec<String>,
}

use crate::spec::lookup::webhook_literal as literal;

fn normalized(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Find the webhook schemas; `type_names` are the Rust type names typify emitted.
/// Returns the webhooks and how many candidate schemas were left out.
pub fn collect(spec: &Value, type_names: &[String]) -> (Vec<Webhook>, usize) {
    let by_norm: BTreeMap<String, &String> =
        type_names.iter().map(|n| (normalized(n), n)).collect();
    let mut out = Vec::new();
    let mut skipped = 0;
    for (name, schema) in spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let props = schema.get("properties");
        let (Some(t), Some(c)) = (
            props.and_then(|p| p.get("webhook_type")),
            props.and_then(|p| p.get("webhook_code")),
        ) else {
            continue;
        };
        match (literal(t), literal(c), by_norm.get(&normalized(name))) {
            (Some(webhook_type), Some(webhook_code), Some(rust_type)) => out.push(Webhook {
                webhook_type,
                webhook_code,
                schema: name.clone(),
                rust_type: (*rust_type).clone(),
                properties: props
                    .and_then(Value::as_object)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default(),
            }),
            _ => skipped += 1,
        }
    }
    out.sort_by(|a, b| {
        (&a.webhook_type, &a.webhook_code, &a.schema).cmp(&(
            &b.webhook_type,
            &b.webhook_code,
            &b.schema,
        ))
    });
    (out, skipped)
}

/// A schema that may decode a webhook: its enum variant, its Rust type and its properties.
type Candidate<'a> = (syn::Ident, syn::Ident, &'a [String]);

/// The `from_json` match arm for one `(webhook_type, webhook_code)` pair.
fn dispatch_arm(t: &str, c: &str, candidates: &[Candidate<'_>]) -> TokenStream {
    if let [(variant, ty, _)] = candidates {
        return quote! {
            (#t, #c) => <types::#ty as ::serde::Deserialize>::deserialize(&value).map(Self::#variant),
        };
    }
    // Two schemas share this type and code (e.g. an Item and a processor variant): of those
    // that decode, take the one whose properties leave the fewest body keys unexplained.
    let tries = candidates.iter().map(|(variant, ty, props)| {
        quote! {
            match <types::#ty as ::serde::Deserialize>::deserialize(&value) {
                Ok(v) => {
                    let score = unexplained(&[#(#props),*]);
                    if best.as_ref().is_none_or(|(b, _)| score < *b) {
                        best = Some((score, Self::#variant(v)));
                    }
                }
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
    });
    quote! {
        (#t, #c) => {
            let keys: ::std::vec::Vec<&str> = value
                .as_object()
                .map(|m| m.keys().map(|k| k.as_str()).collect())
                .unwrap_or_default();
            let unexplained = |known: &[&str]| keys.iter().filter(|k| !known.contains(k)).count();
            let mut best: Option<(usize, Self)> = None;
            let mut first_error: Option<::serde_json::Error> = None;
            #(#tries)*
            match (best, first_error) {
                (Some((_, event)), _) => Ok(event),
                (None, Some(e)) => Err(e),
                (None, None) => Err(<::serde_json::Error as ::serde::de::Error>::custom("no schema")),
            }
        }
    }
}

/// What each webhook contributes to the enum: its variant, its `webhook_type`/`webhook_code`
/// match arms, and its candidacy for its `(type, code)` pair.
#[derive(Default)]
struct Parts<'a> {
    variants: Vec<TokenStream>,
    type_arms: Vec<TokenStream>,
    code_arms: Vec<TokenStream>,
    by_pair: BTreeMap<(&'a str, &'a str), Vec<Candidate<'a>>>,
}

fn parts(hooks: &[Webhook]) -> anyhow::Result<Parts<'_>> {
    let mut parts = Parts::default();
    for h in hooks {
        let ty = format_ident!("{}", h.rust_type);
        let variant_name = h.rust_type.strip_suffix("Webhook").unwrap_or(&h.rust_type);
        anyhow::ensure!(
            variant_name != "Unknown",
            "a webhook schema would be named Unknown"
        );
        let variant = format_ident!("{}", variant_name);
        let doc = format!(
            " `{}` / `{}` (schema `{}`).",
            h.webhook_type, h.webhook_code, h.schema
        );
        parts
            .variants
            .push(quote! { #[doc = #doc] #variant(types::#ty) });
        let (t, c) = (&h.webhook_type, &h.webhook_code);
        parts.type_arms.push(quote!(Self::#variant(_) => #t));
        parts.code_arms.push(quote!(Self::#variant(_) => #c));
        parts
            .by_pair
            .entry((t, c))
            .or_default()
            .push((variant, ty, h.properties.as_slice()));
    }
    Ok(parts)
}

/// The `webhooks` module's tokens: the name tables, the enum and its methods, each a
/// `quote!` template of its own over what [`parts`] computes, in the order of the generated
/// `webhooks.rs`.
pub fn emit(hooks: &[Webhook]) -> anyhow::Result<TokenStream> {
    let parts = parts(hooks)?;
    let tables = name_tables(hooks, &parts);
    let event = event_enum(&parts);
    let methods = event_methods(&parts);
    Ok(quote! {
        use crate::generated::types;
        #tables
        #event
        #methods
    })
}

/// `TYPES`, `COUNT` and `KNOWN`: which schemas have variants, and every `(type, code)` pair.
fn name_tables(hooks: &[Webhook], parts: &Parts<'_>) -> TokenStream {
    let rust_types = hooks.iter().map(|h| h.rust_type.as_str());
    let pairs = parts.by_pair.keys().map(|(t, c)| quote!((#t, #c)));
    quote! {
        /// The generated type of every webhook schema `WebhookEvent` has a variant for in this
        /// build (its features decide).
        pub const TYPES: &[&str] = &[#(#rust_types),*];

        /// How many webhook schemas `WebhookEvent` has variants for (all of the spec's with `full`).
        pub const COUNT: usize = TYPES.len();

        /// Every `(webhook_type, webhook_code)` pair the spec describes, whatever the features.
        pub const KNOWN: &[(&str, &str)] = &[#(#pairs),*];
    }
}

/// `WebhookEvent`: one variant per webhook schema, and `Unknown`.
fn event_enum(parts: &Parts<'_>) -> TokenStream {
    let variants = &parts.variants;
    quote! {
        /// A webhook body, typed by its `webhook_type` and `webhook_code`.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            #(#variants,)*
            /// A webhook this version of the client does not know, kept as received.
            Unknown {
                /// `webhook_type` as sent (empty if absent).
                webhook_type: ::std::string::String,
                /// `webhook_code` as sent (empty if absent).
                webhook_code: ::std::string::String,
                /// The whole body.
                body: ::serde_json::Value,
            },
        }
    }
}

/// `from_json` (dispatch on the pair), `webhook_type` and `webhook_code`.
fn event_methods(parts: &Parts<'_>) -> TokenStream {
    let dispatch = parts
        .by_pair
        .iter()
        .map(|((t, c), candidates)| dispatch_arm(t, c, candidates));
    let (type_arms, code_arms) = (&parts.type_arms, &parts.code_arms);
    quote! {
        impl WebhookEvent {
            /// Decode a webhook body. Unknown types and codes give [`WebhookEvent::Unknown`]; a
            /// known one whose body does not fit its schema is an error.
            pub fn from_json(body: &[u8]) -> ::std::result::Result<Self, ::serde_json::Error> {
                let value: ::serde_json::Value = ::serde_json::from_slice(body)?;
                let field = |k: &str| value.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                let (webhook_type, webhook_code) = (field("webhook_type"), field("webhook_code"));
                match (webhook_type.as_str(), webhook_code.as_str()) {
                    #(#dispatch)*
                    _ => Ok(Self::Unknown { webhook_type, webhook_code, body: value }),
                }
            }

            /// `webhook_type`.
            pub fn webhook_type(&self) -> &str {
                match self {
                    #(#type_arms,)*
                    Self::Unknown { webhook_type, .. } => webhook_type,
                }
            }

            /// `webhook_code`.
            pub fn webhook_code(&self) -> &str {
                match self {
                    #(#code_arms,)*
                    Self::Unknown { webhook_code, .. } => webhook_code,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_literals_in_both_forms() {
        assert_eq!(
            literal(&json!({"description": "`TRANSACTIONS`"})).as_deref(),
            Some("TRANSACTIONS")
        );
        assert_eq!(
            literal(&json!({"description": "`\"TRANSFER\"`"})).as_deref(),
            Some("TRANSFER")
        );
        assert_eq!(literal(&json!({"enum": ["AUTH"]})).as_deref(), Some("AUTH"));
        assert_eq!(
            literal(&json!({"description": "The webhook codes that can be fired"})),
            None
        );
    }
}
