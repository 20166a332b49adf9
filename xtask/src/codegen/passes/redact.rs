//! **Credentials**, decided once from the spec and redacted everywhere: a pass over progenitor's
//! `types` syntax tree. What it decides is also emitted as a table (`generated/redact.rs`, by
//! `tables::redact`), which `plaid-client-ext`'s text redactor reads: one decision, two users.
//!
//! The rules read the spec's own words as typify carried them into the types (schema names,
//! property names, descriptions as doc comments), never a list of names:
//!
//! 1. **credential types**: a string newtype (a named `type: string` schema) whose name ends with
//!    the word `Token`, `Secret` or `Password` (`AccessToken`, `APISecret`, `OAuthRefreshToken`;
//!    a trailing `Nullable` aside), or
//!    whose description names the header of one of the spec's `apiKey` security schemes as where
//!    the value may travel (`APIClientID`: "... in the `PLAID-CLIENT-ID` header").
//! 2. **credential fields**: a property whose name ends with the word `token(s)`, `secret(s)` or
//!    `password(s)` (`access_token`, `client_secret`, `public_tokens`, `production_secret`), whose
//!    type refers to a credential type (directly, optional, or as array items), or whose
//!    description calls it a secret key or an API key/secret; and the body name of every header
//!    a credential type's description names (`client_id`, `secret`: the name
//!    `header-credentials-in-bodies` removes from what a caller sends), so the table keeps them
//!    for the text redactor although no generated struct carries them any more.
//!
//! Every credential type gets a `Debug` and `Display` that print `[redacted]`, loses `Deref` and
//! its public field, and gains `expose()`, the one explicit way to the value. Every struct with a
//! field whose wire name is a credential field name gets a `Debug` that prints `[redacted]` for
//! it.

use std::collections::BTreeSet;

use quote::quote;
use syn::{Fields, Item};

use crate::codegen::passes::syntax;

/// What the pass decided and did.
#[derive(Debug, Default)]
pub struct Credentials {
    /// The credential types (rule 1), by Rust name.
    pub types: BTreeSet<String>,
    /// The credential fields' wire names (rule 2).
    pub fields: BTreeSet<String>,
    /// Structs whose `Debug` now redacts fields.
    pub redacting_structs: usize,
    /// Every non-generic struct and enum of the module, for the generated type walk.
    pub all_types: Vec<String>,
}

impl std::fmt::Display for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "credentials: {} token/secret types, {} credential field names; {} types redact them in Debug",
            self.types.len(),
            self.fields.len(),
            self.redacting_structs + self.types.len()
        )
    }
}

/// Decide the credentials of `items` (the `types` module) and redact them. `headers` are the
/// header names of the spec's `apiKey` security schemes (`PLAID-CLIENT-ID`, `PLAID-SECRET`, ...).
pub fn redact_credentials(items: &mut Vec<Item>, headers: &[String]) -> Credentials {
    let mut found = Credentials {
        types: credential_types(items, headers),
        all_types: all_types(items),
        ..Credentials::default()
    };
    found.fields = credential_fields(items, &found.types);
    found
        .fields
        .extend(credential_header_body_names(items, headers));
    let mut impls: Vec<(usize, Vec<Item>)> = Vec::new();
    for (index, item) in items.iter_mut().enumerate() {
        let Item::Struct(st) = item else { continue };
        let name = st.ident.to_string();
        if found.types.contains(&name) {
            impls.push((index, guard_newtype(st)));
        } else if let Some(debug) = redacting_debug(st, &found) {
            impls.push((index, vec![debug]));
            found.redacting_structs += 1;
        }
    }
    // Each new impl right after its type (from the back, so indices stay valid); the credential
    // types' own `Display` and `Deref` go.
    for (index, new) in impls.into_iter().rev() {
        items.splice(index + 1..index + 1, new);
    }
    items.retain(|item| !is_leaking_impl(item, &found.types));
    found
}

/// Rule 1: the string newtypes that hold a credential.
fn credential_types(items: &[Item], headers: &[String]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(st) if is_string_newtype(st) => Some(st),
            _ => None,
        })
        .filter(|st| {
            let name = st.ident.to_string();
            let doc = doc_text(&st.attrs).to_ascii_lowercase();
            ["Token", "Secret", "Password"]
                .iter()
                .any(|w| ends_with_camel_word(&name, w))
                || headers
                    .iter()
                    .any(|h| doc.contains(&format!("`{}` header", h.to_ascii_lowercase())))
        })
        .map(|st| st.ident.to_string())
        .collect()
}

/// Rule 2, last part: the body names ([`crate::repair::header_body_names`]) of the headers a
/// credential type's description names as where its value may travel.
fn credential_header_body_names(items: &[Item], headers: &[String]) -> Vec<String> {
    let docs: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(st) if is_string_newtype(st) => {
                Some(doc_text(&st.attrs).to_ascii_lowercase())
            }
            _ => None,
        })
        .collect();
    crate::repair::header_body_names(headers.to_vec())
        .into_iter()
        .filter(|(_, header)| {
            let phrase = format!("`{}` header", header.to_ascii_lowercase());
            docs.iter().any(|d| d.contains(&phrase))
        })
        .map(|(name, _)| name)
        .collect()
}

/// Rule 2: the wire names of credential fields, over every struct.
fn credential_fields(items: &[Item], types: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in items {
        let Item::Struct(st) = item else { continue };
        let Fields::Named(named) = &st.fields else {
            continue;
        };
        for field in &named.named {
            let Some(key) = wire_name(field) else {
                continue;
            };
            let doc = doc_text(&field.attrs).to_ascii_lowercase();
            let credential = is_credential_name(&key)
                || mentions_type(&field.ty, types)
                || ["secret key", "api key", "api secret"]
                    .iter()
                    .any(|p| doc.contains(p));
            if credential {
                out.insert(key);
            }
        }
    }
    out
}

/// Whether a field's wire name says it holds a token, secret or password (its last word).
pub fn is_credential_name(key: &str) -> bool {
    let last = key.rsplit('_').next().unwrap_or(key);
    matches!(
        last,
        "token" | "tokens" | "secret" | "secrets" | "password" | "passwords"
    )
}

/// Whether the UpperCamelCase `name` ends with the word `word` (capitalized), before the
/// `Nullable` the spec appends to the nullable twin of a schema: `AccessToken`,
/// `AccessTokenNullable`, but not `LinkTokenCreateRequestRedirectUri` (a schema named after its
/// operation) nor `Tokenization`.
fn ends_with_camel_word(name: &str, word: &str) -> bool {
    let name = name.strip_suffix("Nullable").unwrap_or(name);
    name.strip_suffix(word)
        .is_some_and(|head| head.is_empty() || head.ends_with(|c: char| !c.is_ascii_uppercase()))
}

/// `struct X(pub String)`.
fn is_string_newtype(st: &syn::ItemStruct) -> bool {
    let Fields::Unnamed(fields) = &st.fields else {
        return false;
    };
    fields.unnamed.len() == 1
        && syntax::last_segment(&fields.unnamed[0].ty)
            .is_some_and(|(id, args)| id == "String" && args.is_none())
}

/// Whether `ty` is, or wraps (`Option`, `Vec`, any generic), a credential type.
fn mentions_type(ty: &syn::Type, types: &BTreeSet<String>) -> bool {
    let Some((id, args)) = syntax::last_segment(ty) else {
        return false;
    };
    types.contains(&id.to_string())
        || args.is_some_and(|a| {
            a.args.iter().any(|arg| match arg {
                syn::GenericArgument::Type(t) => mentions_type(t, types),
                _ => false,
            })
        })
}

/// A field's name on the wire: its `#[serde(rename)]`, else its identifier.
fn wire_name(field: &syn::Field) -> Option<String> {
    let mut key = field.ident.as_ref()?.to_string();
    key = key.trim_start_matches("r#").to_string();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                key = meta.value()?.parse::<syn::LitStr>()?.value();
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Lit>()?;
            }
            Ok(())
        });
    }
    Some(key)
}

/// The doc comments of an item or field, joined.
fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every struct and enum without generic parameters, by name.
fn all_types(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if s.generics.params.is_empty() => Some(s.ident.to_string()),
            Item::Enum(e) if e.generics.params.is_empty() => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Make a credential newtype opaque: private field, redacting `Debug` (its `Display` and
/// `Deref` are dropped by [`is_leaking_impl`], and replaced here), and `expose()`.
fn guard_newtype(st: &mut syn::ItemStruct) -> Vec<Item> {
    syntax::drop_derives(&mut st.attrs, |p| syntax::names_trait(p, "Debug"));
    if let Fields::Unnamed(fields) = &mut st.fields {
        for f in fields.unnamed.iter_mut() {
            f.vis = syn::Visibility::Inherited;
        }
    }
    let ident = &st.ident;
    let shown = format!("{ident}([redacted])");
    vec![
        syn::parse_quote! {
            impl #ident {
                /// The credential itself. `Debug` and `Display` print `[redacted]`; this is the
                /// one way to read the value, so every place that does is easy to find.
                pub fn expose(&self) -> &str {
                    &self.0
                }
            }
        },
        syn::parse_quote! {
            impl ::std::fmt::Debug for #ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(#shown)
                }
            }
        },
        syn::parse_quote! {
            impl ::std::fmt::Display for #ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(crate::redact::REDACTED)
                }
            }
        },
    ]
}

/// progenitor's `Display` (the value itself) and `Deref` (the value, implicitly) of a
/// credential type; the replacements from [`guard_newtype`] read `crate::redact`, not `self.0`.
fn is_leaking_impl(item: &Item, types: &BTreeSet<String>) -> bool {
    let Item::Impl(imp) = item else { return false };
    let Some(owner) = syntax::local_type_name(&imp.self_ty) else {
        return false;
    };
    if !types.contains(&owner) {
        return false;
    }
    match syntax::trait_name(imp).as_deref() {
        Some("Deref") => true,
        Some("Display") => !syntax::impl_mentions_path(imp, &["redact", "REDACTED"]),
        _ => false,
    }
}

/// A `Debug` for a struct with credential fields, replacing its derived one; `None` when the
/// struct has none (or no derived `Debug` to replace).
fn redacting_debug(st: &mut syn::ItemStruct, found: &Credentials) -> Option<Item> {
    let Fields::Named(named) = &st.fields else {
        return None;
    };
    let fields: Vec<(syn::Ident, String, bool)> = named
        .named
        .iter()
        .filter_map(|f| {
            let key = wire_name(f)?;
            let secret = found.fields.contains(&key) || mentions_type(&f.ty, &found.types);
            Some((f.ident.clone()?, key, secret))
        })
        .collect();
    if !fields.iter().any(|(_, _, secret)| *secret) {
        return None;
    }
    if !syntax::drop_derives(&mut st.attrs, |p| syntax::names_trait(p, "Debug")) {
        return None;
    }
    let ident = &st.ident;
    let label = ident.to_string();
    let entries = fields.iter().map(|(id, _, secret)| {
        let shown = id.to_string().trim_start_matches("r#").to_string();
        if *secret {
            quote!(.field(#shown, &crate::redact::Redacted))
        } else {
            quote!(.field(#shown, &self.#id))
        }
    });
    Some(syn::parse_quote! {
        impl ::std::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#entries)* .finish()
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn names_types_and_descriptions_decide_and_everything_is_redacted() {
        let mut items = syn::parse_file(
            r#"
            ///The access token of the Item.
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            #[serde(transparent)]
            pub struct AccessToken(pub ::std::string::String);
            impl ::std::ops::Deref for AccessToken {
                type Target = ::std::string::String;
                fn deref(&self) -> &::std::string::String { &self.0 }
            }
            impl ::std::fmt::Display for AccessToken {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { self.0.fmt(f) }
            }
            ///Your Plaid API `client_id`, in the `PLAID-CLIENT-ID` header or the body.
            #[derive(Clone, Debug)]
            pub struct ApiClientId(pub ::std::string::String);
            ///A token type, not a token.
            #[derive(Clone, Debug)]
            pub struct Tokenization(pub ::std::string::String);
            ///Named after its operation, `/link/token/create`.
            #[derive(Clone, Debug)]
            pub struct LinkTokenCreateRequestRedirectUri(pub ::std::string::String);
            #[derive(Clone, Debug)]
            pub struct Holder {
                pub tokens_for_items: ::std::vec::Vec<::std::option::Option<AccessToken>>,
                pub token_type: ::std::string::String,
                #[serde(rename = "client_secret")]
                pub secret_value: ::std::string::String,
                ///The end customer's secret key for Sandbox.
                pub sandbox: ::std::string::String,
                pub public_tokens: ::std::vec::Vec<::std::string::String>,
            }
            #[derive(Clone, Debug)]
            pub struct Plain { pub name: ::std::string::String }
            "#,
        )
        .expect("fixture parses")
        .items;
        let found = redact_credentials(&mut items, &["PLAID-CLIENT-ID".to_string()]);
        assert_eq!(
            found.types.iter().collect::<Vec<_>>(),
            ["AccessToken", "ApiClientId"]
        );
        assert_eq!(
            found.fields.iter().collect::<Vec<_>>(),
            [
                "client_secret",
                // The one header's body name (`ApiClientId`'s description names the header),
                // although no struct carries it.
                "plaid_client_id",
                "public_tokens",
                "sandbox",
                "tokens_for_items"
            ]
        );
        assert_eq!(found.redacting_structs, 1);
        let text: Vec<String> = items
            .iter()
            .map(|i| i.to_token_stream().to_string())
            .collect();
        let all = text.join("\n");
        assert!(!all.contains("Deref for AccessToken"), "{all}");
        assert!(all.contains("pub struct AccessToken (:: std :: string :: String)"));
        assert!(all.contains("pub fn expose (& self) -> & str"));
        assert!(all.contains(r#"f . write_str ("AccessToken([redacted])")"#));
        assert!(all.contains(r#". field ("secret_value" , & crate :: redact :: Redacted)"#));
        assert!(all.contains(r#". field ("token_type" , & self . token_type)"#));
        assert!(all.contains("pub struct Tokenization (pub"));
        assert!(all.contains("pub struct LinkTokenCreateRequestRedirectUri (pub"));
        assert!(all.contains("# [derive (Clone , Debug)] pub struct Plain"));
    }
}
