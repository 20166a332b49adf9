//! Serde impls for the generated structs, written by the generator instead of
//! `#[derive(Serialize, Deserialize)]` (issue 7: the derives were half of plaid-client's compile
//! time). Each struct gets a `Deserialize` that calls `plaid_client::struct_serde::deserialize`,
//! a `FromMap` with one `match` over its fields, and a `Serialize` of one call per field; the
//! generic work lives once in `plaid-client/src/struct_serde.rs`, whose docs say what is kept of
//! serde's behaviour.
//!
//! The rule is general: a struct with named fields that derives both serde traits is rewritten
//! when every `#[serde(..)]` attribute on it is one this pass understands (`rename`, `default`,
//! `default = "path"`, `skip_serializing_if = "path"`, `deserialize_with =
//! "::std::option::Option::deserialize"`); any other struct keeps serde's derives and is counted.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_quote, Fields, Item, ItemStruct};

/// What the pass did, for the generator's summary line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Structs whose derives were replaced.
    pub rewritten: usize,
    /// Structs with named fields that kept serde's derives: an attribute this pass does not
    /// know, generic parameters, or a field typed by a local type alias.
    pub kept: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} structs with generated serde impls, {} kept serde's derives",
            self.rewritten, self.kept
        )
    }
}

/// How a field is filled when its key is absent.
#[derive(Debug, Clone, PartialEq)]
pub enum Absent {
    /// An error: `missing field`.
    Missing,
    /// `None`: an `Option` field, optional (as serde does) or required and nullable (where
    /// serde's derive would say `missing field`).
    None,
    /// `Default::default()`.
    Default,
    /// A function's value: `#[serde(default = "path")]`.
    Call(syn::Path),
}

/// One field's wire name and rules (also read by the `json_schema` pass, so the schema states
/// exactly what these impls do).
pub struct Field {
    pub ident: syn::Ident,
    /// The wire name.
    pub key: String,
    pub absent: Absent,
    /// `skip_serializing_if`: the field is left out when this holds.
    pub skip_if: Option<syn::Path>,
}

/// What this pass does with one struct.
pub enum Facts {
    /// Not a struct with named fields that derives both serde traits: not this pass's business.
    NotSerde,
    /// Keeps serde's derives (see [`Counts::kept`]).
    Kept,
    /// Gets generated impls, with these fields in declaration order.
    Rewritten(Vec<Field>),
}

/// The names of the module's type aliases (see [`facts`]).
pub fn local_aliases(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// What this pass does with `st`, given the module's type aliases.
pub fn facts(st: &ItemStruct, aliases: &[String]) -> Facts {
    if !matches!(st.fields, Fields::Named(_)) || !derives_serde(st) {
        return Facts::NotSerde;
    }
    // serde decides at run time that an absent `Option` is `None`; this pass decides it from the
    // field's type, so a field typed by a local alias (which might be an `Option`) is left to serde.
    let aliased = st.fields.iter().any(|f| {
        crate::codegen::passes::syntax::local_type_name(&f.ty)
            .is_some_and(|name| aliases.contains(&name))
    });
    // The impls are written for a plain type; a generic struct is left to serde.
    let generic = !st.generics.params.is_empty();
    if aliased || generic {
        return Facts::Kept;
    }
    match read_fields(st) {
        Some(fields) => Facts::Rewritten(fields),
        None => Facts::Kept,
    }
}

/// Rewrite every struct the rule covers; the impls go right after their struct.
pub fn rewrite(items: &mut Vec<Item>) -> Counts {
    let mut counts = Counts::default();
    let aliases = local_aliases(items);
    let mut impls: Vec<(usize, Vec<Item>)> = Vec::new();
    for (index, item) in items.iter_mut().enumerate() {
        let Item::Struct(st) = item else { continue };
        let fields = match facts(st, &aliases) {
            Facts::NotSerde => continue,
            Facts::Kept => {
                counts.kept += 1;
                continue;
            }
            Facts::Rewritten(fields) => fields,
        };
        drop_serde(st);
        impls.push((index, impls_for(&st.ident, &fields)));
        counts.rewritten += 1;
    }
    for (index, new) in impls.into_iter().rev() {
        items.splice(index + 1..index + 1, new);
    }
    counts
}

fn is_serde_trait(path: &syn::Path, name: &str) -> bool {
    crate::codegen::passes::syntax::names_trait(path, name)
        && path.segments.iter().any(|s| s.ident == "serde")
}

/// Whether `path` names serde's `Serialize` or `Deserialize` derive.
pub(super) fn is_serde_derive(path: &syn::Path) -> bool {
    is_serde_trait(path, "Serialize") || is_serde_trait(path, "Deserialize")
}

fn derives_serde(st: &ItemStruct) -> bool {
    let derived: Vec<syn::Path> = st
        .attrs
        .iter()
        .filter_map(crate::codegen::passes::syntax::derive_list)
        .flatten()
        .collect();
    ["Serialize", "Deserialize"]
        .iter()
        .all(|name| derived.iter().any(|p| is_serde_trait(p, name)))
}

/// The fields' rules, or `None` if an attribute is outside what this pass understands (the
/// constructors pass reads them too, to tell required fields from optional ones).
pub fn read_fields(st: &ItemStruct) -> Option<Vec<Field>> {
    if st.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    let Fields::Named(named) = &st.fields else {
        return None;
    };
    named.named.iter().map(read_field).collect()
}

/// One field's serde reading; `None` for an attribute this pass does not know.
fn read_field(f: &syn::Field) -> Option<Field> {
    let ident = f.ident.clone()?;
    let is_option = super::syntax::option_inner(&f.ty).is_some();
    let mut field = Field {
        key: ident.to_string().trim_start_matches("r#").to_string(),
        ident,
        absent: if is_option {
            Absent::None
        } else {
            Absent::Missing
        },
        skip_if: None,
    };
    let mut understood = true;
    let mut explicit_default = false;
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let parsed = attr.parse_nested_meta(|meta| {
            let name = meta.path.get_ident().map(ToString::to_string);
            match name.as_deref() {
                Some("rename") => field.key = meta.value()?.parse::<syn::LitStr>()?.value(),
                Some("default") if meta.input.peek(syn::Token![=]) => {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    field.absent = Absent::Call(lit.parse()?);
                    explicit_default = true;
                }
                Some("default") => {
                    field.absent = Absent::Default;
                    explicit_default = true;
                }
                Some("skip_serializing_if") => {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    field.skip_if = Some(lit.parse()?);
                }
                // A nullable required field: serde's derive demands the key (possibly
                // null). Decoded here like an optional one: absent is `None` too, because
                // Plaid leaves such keys out in real responses and one missing key must not
                // cost the whole response (issue 16). Written back as the spec says: always
                // present, `null` when `None` (no `skip_serializing_if`).
                Some("deserialize_with") if is_option => {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    let path = lit.value().replace(' ', "");
                    if path != "::std::option::Option::deserialize" {
                        understood = false;
                    } else if !explicit_default {
                        field.absent = Absent::None;
                    }
                }
                _ => understood = false,
            }
            Ok(())
        });
        // An attribute that does not parse as the ones above (a list such as `bound(..)`,
        // a value that is not a string) is one this pass does not know.
        understood &= parsed.is_ok();
    }
    understood.then_some(field)
}

/// Remove the serde derives and every `#[serde]` attribute (nothing reads them any more).
fn drop_serde(st: &mut ItemStruct) {
    crate::codegen::passes::syntax::drop_derives(&mut st.attrs, is_serde_derive);
    if let Fields::Named(named) = &mut st.fields {
        for f in named.named.iter_mut() {
            f.attrs.retain(|a| !a.path().is_ident("serde"));
        }
    }
}

/// `impl Deserialize for #ident` that hands the deserializer to `function`, the shared generic
/// half in plaid-client (`struct_serde::deserialize` here, `open_enum::deserialize` for enums).
pub fn deserialize_via(ident: &syn::Ident, function: &TokenStream) -> Item {
    parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                #function(deserializer)
            }
        }
    }
}

/// The three impls of one struct: `Deserialize` (through `FromMap`), `FromMap`, `Serialize`.
fn impls_for(ident: &syn::Ident, fields: &[Field]) -> Vec<Item> {
    vec![
        deserialize_via(ident, &quote!(crate::struct_serde::deserialize)),
        from_map_impl(ident, fields),
        serialize_impl(ident, fields),
    ]
}

/// `FromMap`: read each known key into its slot, skip the others, then build the struct with
/// each field's rule for an absent key.
fn from_map_impl(ident: &syn::Ident, fields: &[Field]) -> Item {
    let name = ident.to_string();
    let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    let slots: Vec<syn::Ident> = (0..fields.len()).map(|i| format_ident!("f{i}")).collect();
    let arms = fields.iter().zip(&slots).enumerate().map(|(i, (f, slot))| {
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        let key = &f.key;
        quote!(#i => s::value(&mut map, &mut #slot, #key),)
    });
    let build = fields.iter().zip(&slots).map(|(f, slot)| {
        let id = &f.ident;
        let key = &f.key;
        let value: TokenStream = match &f.absent {
            Absent::Missing => quote!(s::required(#slot, #key)?),
            Absent::None => quote!(s::optional(#slot)),
            Absent::Default => quote!(#slot.unwrap_or_default()),
            Absent::Call(path) => quote!(#slot.unwrap_or_else(#path)),
        };
        quote!(#id: #value,)
    });
    // `None`, `Some` and `Ok` are imported in the body, so a schema named like one of them
    // cannot change what the impl means.
    parse_quote! {
        impl<'de> crate::struct_serde::FromMap<'de> for #ident {
            const NAME: &'static str = #name;
            const FIELDS: &'static [&'static str] = &[#(#keys),*];
            fn from_map<A: ::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<Self, A::Error> {
                use crate::struct_serde as s;
                use ::std::{option::Option::{None, Some}, result::Result::Ok};
                #(let mut #slots = None;)*
                while let Some(index) = s::key(&mut map, Self::FIELDS)? {
                    let read = match index {
                        #(#arms)*
                        _ => s::skip(&mut map),
                    };
                    read?;
                }
                Ok(Self { #(#build)* })
            }
        }
    }
}

/// `Serialize`: every field in order, those with `skip_serializing_if` left out when it holds.
fn serialize_impl(ident: &syn::Ident, fields: &[Field]) -> Item {
    let name = ident.to_string();
    let skips: Vec<TokenStream> = fields
        .iter()
        .filter_map(|f| {
            let id = &f.ident;
            f.skip_if.as_ref().map(|path| quote!(#path(&self.#id)))
        })
        .collect();
    let skipped = proc_macro2::Literal::usize_unsuffixed(skips.len());
    let always = proc_macro2::Literal::usize_unsuffixed(fields.len() - skips.len());
    let mut skip_index = 0usize;
    let writes: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let id = &f.ident;
            let key = &f.key;
            if f.skip_if.is_some() {
                let i = proc_macro2::Literal::usize_unsuffixed(skip_index);
                skip_index += 1;
                quote!(out.field_unless(skip[#i], #key, &self.#id);)
            } else {
                quote!(out.field(#key, &self.#id);)
            }
        })
        .collect();
    parse_quote! {
        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let skip: [bool; #skipped] = [#(#skips),*];
                let mut out = crate::struct_serde::Struct::begin(serializer, #name, #always, &skip);
                #(#writes)*
                out.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn text(item: &Item) -> String {
        item.to_token_stream().to_string()
    }

    /// Every item of `items` that mentions `name`, as text.
    fn about(items: &[Item], name: &str) -> Vec<String> {
        let needle = format!(" {name} ");
        items
            .iter()
            .map(text)
            .filter(|t| t.contains(&needle))
            .collect()
    }

    #[test]
    fn rewrites_what_it_understands_and_counts_what_it_keeps() {
        let mut items = syn::parse_file(
            r#"
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Known {
                pub id: String,
                #[serde(rename = "type", deserialize_with = "::std::option::Option::deserialize")]
                pub type_: ::std::option::Option<String>,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: ::std::vec::Vec<String>,
                #[serde(default = "defaults::count")]
                pub count: i64,
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub note: ::std::option::Option<String>,
                #[serde(deserialize_with = "::std::option::Option::deserialize", default)]
                pub defaulted: ::std::option::Option<String>,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
            pub struct Flattened {
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<String, String>,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Bounded {
                #[serde(bound(deserialize = ""))]
                pub a: i64,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
            #[serde(transparent)]
            pub struct Newtype(pub String);
            #[derive(Clone)]
            pub struct NoSerde { pub a: i64 }
            pub type MaybeId = ::std::option::Option<String>;
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Aliased { pub id: MaybeId }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Generic<T> { pub value: T }
            "#,
        )
        .expect("fixture parses")
        .items;
        let before = items.len();
        let counts = rewrite(&mut items);
        // Flattened, Bounded (an attribute it does not know or cannot parse), Aliased and
        // Generic keep serde's derives; Newtype is a tuple struct and NoSerde has no serde.
        assert_eq!(
            counts,
            Counts {
                rewritten: 1,
                kept: 4
            }
        );
        assert_eq!(items.len(), before + 3);

        let known = about(&items, "Known");
        assert_eq!(known.len(), 4, "the struct and its three impls: {known:#?}");
        assert!(known[0].contains("derive (Clone , Debug)"), "{}", known[0]);
        assert!(!known[0].contains("serde"), "{}", known[0]);
        assert!(known[1].contains("impl < 'de > :: serde :: Deserialize < 'de > for Known"));
        let from_map = &known[2];
        assert!(
            from_map.contains(r#"& ["id" , "type" , "tags" , "count" , "note" , "defaulted"]"#),
            "{from_map}"
        );
        // `type` is required though nullable, yet absent decodes as `None` like the optional
        // `note`; defaults are kept, and a default wins over the nullable-required rule
        // whatever the order of the attributes.
        for want in [
            "type_ : s :: optional (f1)",
            "note : s :: optional (f4)",
            "tags : f2 . unwrap_or_default ()",
            "count : f3 . unwrap_or_else (defaults :: count)",
            "defaulted : f5 . unwrap_or_default ()",
        ] {
            assert!(from_map.contains(want), "{want} in {from_map}");
        }
        assert!(!from_map.contains(r#"required (f5"#), "{from_map}");
        assert!(!from_map.contains(r#"required (f1"#), "{from_map}");
        let ser = &known[3];
        assert!(
            ser.contains(r#"Struct :: begin (serializer , "Known" , 4 , & skip)"#),
            "{ser}"
        );
        assert!(
            ser.contains(r#"out . field_unless (skip [0] , "tags" , & self . tags)"#),
            "{ser}"
        );
        assert!(
            ser.contains(r#"out . field ("type" , & self . type_)"#),
            "{ser}"
        );

        for (name, attr) in [
            ("Flattened", "serde (flatten)"),
            ("Bounded", "serde (bound"),
            ("Newtype", "serde (transparent)"),
            ("Aliased", ":: serde :: Deserialize"),
            ("Generic", ":: serde :: Deserialize"),
        ] {
            let found = about(&items, name);
            assert_eq!(found.len(), 1, "{name} is left alone: {found:#?}");
            assert!(found[0].contains(attr), "{}", found[0]);
        }
        assert_eq!(
            about(&items, "NoSerde"),
            ["# [derive (Clone)] pub struct NoSerde { pub a : i64 }"]
        );
    }
}
