//! **JSON Schema**, a pass over progenitor's `types` syntax tree: every type implements
//! `schemars::JsonSchema` behind plaid-client's `schemars` feature (issue 18).
//!
//! The impls are written here rather than derived, for the same reasons as the serde impls
//! (`struct_serde`): the facts are known at generation time, the shared work lives once in
//! `plaid-client/src/runtime/json_schema.rs`, and nothing is expanded per type by a proc macro.
//! And the derive could not see the wire names and rules, since the serde passes remove the
//! `#[serde]` attributes it would read. Each shape reads its facts where the client's behaviour
//! is decided:
//!
//! - a struct whose serde impls `struct_serde` writes: that pass's own field facts
//!   ([`struct_serde::facts`]: wire name, filled-when-absent, skipped-when-written), so this pass
//!   runs before it removes the attributes;
//! - an open string enum (`open_enum`): the wire values of its `Display` impl, through which it
//!   serializes, and the open fallback;
//! - a `#[serde(transparent)]` newtype: its inner type.
//!
//! Any other type that derives a serde trait (one whose serde attributes no pass models: none in
//! the pinned spec, counted) keeps those attributes, so it gets `derive(schemars::JsonSchema)`,
//! which reads them.

use quote::quote;
use syn::{parse_quote, Expr, Fields, Item, ItemEnum, ItemImpl, ItemStruct, Lit};

use super::struct_serde::{self, Absent, Facts};
use super::syntax;

/// What the pass did, for the generator's summary line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub objects: usize,
    pub open_enums: usize,
    pub newtypes: usize,
    /// Types left to `derive(schemars::JsonSchema)`.
    pub derived: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "JSON Schema impls for {} objects, {} open enums, {} newtypes; {} derive it",
            self.objects, self.open_enums, self.newtypes, self.derived
        )
    }
}

/// Give every serde type of `items` a `JsonSchema` impl (behind the `schemars` feature); the
/// impls go right after their type. Runs after `open_enum` and before `struct_serde`.
pub fn add_impls(items: &mut Vec<Item>) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    let aliases = struct_serde::local_aliases(items);
    let wire_values = display_values(items);
    let mut impls: Vec<(usize, Item)> = Vec::new();
    for (index, item) in items.iter_mut().enumerate() {
        let new = match item {
            Item::Struct(st) => struct_impl(st, &aliases, &mut counts),
            Item::Enum(e) => enum_impl(e, &wire_values, &mut counts)?,
            _ => None,
        };
        impls.extend(new.map(|imp| (index, Item::Impl(imp))));
    }
    for (index, new) in impls.into_iter().rev() {
        items.insert(index + 1, new);
    }
    Ok(counts)
}

fn struct_impl(st: &mut ItemStruct, aliases: &[String], counts: &mut Counts) -> Option<ItemImpl> {
    let description = doc_text(&st.attrs, &st.ident);
    if let Facts::Rewritten(facts) = struct_serde::facts(st, aliases) {
        counts.objects += 1;
        let fields = st.fields.iter().zip(&facts).map(|(field, fact)| {
            let (wraps, inner) = peel(&field.ty);
            let key = &fact.key;
            let presence = presence(fact);
            let doc = doc_text(&field.attrs, &fact.ident);
            quote!(o.field(#key, j::#presence, G::subschema_for::<#inner>, &[#(#wraps),*], #doc);)
        });
        return Some(impl_for(
            &st.ident,
            true,
            quote! {
                use crate::json_schema as j;
                use ::schemars::SchemaGenerator as G;
                let mut o = j::Object::new(generator);
                #(#fields)*
                o.finish(#description)
            },
        ));
    }
    if let Some(ty) = transparent_field(st) {
        counts.newtypes += 1;
        let (wraps, inner) = peel(ty);
        return Some(impl_for(
            &st.ident,
            true,
            quote! {
                use crate::json_schema as j;
                j::newtype(generator, ::schemars::SchemaGenerator::subschema_for::<#inner>, &[#(#wraps),*], #description)
            },
        ));
    }
    derive_if_serde(&mut st.attrs, counts);
    None
}

fn enum_impl(
    e: &mut ItemEnum,
    wire_values: &[(String, Vec<(String, String)>)],
    counts: &mut Counts,
) -> anyhow::Result<Option<ItemImpl>> {
    let Some(known) = open_variants(e) else {
        derive_if_serde(&mut e.attrs, counts);
        return Ok(None);
    };
    let name = e.ident.to_string();
    let values = wire_values
        .iter()
        .find(|(ty, _)| *ty == name)
        .map(|(_, v)| v.as_slice())
        .unwrap_or_default();
    let mut members = Vec::new();
    for variant in known {
        let Some((_, wire)) = values.iter().find(|(v, _)| *v == variant) else {
            anyhow::bail!(
                "open enum {name}: its Display impl writes no string literal for variant \
                 {variant}, so its JSON Schema cannot list it"
            );
        };
        members.push(wire.clone());
    }
    counts.open_enums += 1;
    let description = doc_text(&e.attrs, &e.ident);
    Ok(Some(impl_for(
        &e.ident,
        false,
        quote!(crate::json_schema::open_enum(&[#(#members),*], #description)),
    )))
}

/// The wrappers of `ty` whose schemas the runtime writes (`Option`, `Vec`, maps keyed by
/// `String`), outermost first, as runtime constants (`j::NULLABLE`...), and the type inside them.
fn peel(ty: &syn::Type) -> (Vec<proc_macro2::TokenStream>, &syn::Type) {
    let mut wraps = Vec::new();
    let mut ty = ty;
    loop {
        let (wrap, inner) = if let Some(inner) = syntax::option_inner(ty) {
            (quote!(j::NULLABLE), inner)
        } else if let Some(inner) = syntax::single_arg(ty, "Vec") {
            (quote!(j::ARRAY), inner)
        } else if let Some(values) = string_keyed_map(ty) {
            (quote!(j::MAP), values)
        } else {
            return (wraps, ty);
        };
        wraps.push(wrap);
        ty = inner;
    }
}

/// `V` of `HashMap<String, V>` or `BTreeMap<String, V>`.
fn string_keyed_map(ty: &syn::Type) -> Option<&syn::Type> {
    let args = syntax::type_args(ty, "HashMap").or_else(|| syntax::type_args(ty, "BTreeMap"))?;
    let [key, values] = args[..] else { return None };
    let is_string =
        syntax::last_segment(key).is_some_and(|(id, args)| id == "String" && args.is_none());
    is_string.then_some(values)
}

/// The runtime constant naming how `field` must be present (`REQUIRED`, `OPTIONAL`...).
fn presence(field: &struct_serde::Field) -> syn::Ident {
    let read = field.absent == Absent::Missing;
    let written = field.skip_if.is_none();
    let name = match (read, written) {
        (true, true) => "REQUIRED",
        (false, false) => "OPTIONAL",
        (false, true) => "DEFAULTED",
        (true, false) => "REQUIRED_WHEN_READ",
    };
    syn::Ident::new(name, proc_macro2::Span::call_site())
}

/// The impl for `ident` whose `json_schema` is `body`; `body` names the generator `generator`
/// if it uses it (an open enum's schema does not).
fn impl_for(ident: &syn::Ident, uses_generator: bool, body: proc_macro2::TokenStream) -> ItemImpl {
    let name = ident.to_string();
    let generator = if uses_generator {
        quote!(generator)
    } else {
        quote!(_generator)
    };
    let id = format!("plaid_client::types::{name}");
    parse_quote! {
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name)
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#id)
            }
            fn json_schema(#generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                #body
            }
        }
    }
}

/// The one field of a `#[serde(transparent)]` tuple struct that has no other serde attribute.
fn transparent_field(st: &ItemStruct) -> Option<&syn::Type> {
    let Fields::Unnamed(fields) = &st.fields else {
        return None;
    };
    let serde_attrs = st.attrs.iter().filter(|a| a.path().is_ident("serde"));
    let field = fields.unnamed.first()?;
    let plain = fields.unnamed.len() == 1
        && serde_attrs.count() == 1
        && syntax::serde_keys(&st.attrs) == ["transparent"]
        && !field.attrs.iter().any(|a| a.path().is_ident("serde"));
    plain.then_some(&field.ty)
}

/// Add `derive(schemars::JsonSchema)`, behind the feature, to a type that derives a serde trait.
fn derive_if_serde(attrs: &mut Vec<syn::Attribute>, counts: &mut Counts) {
    let serde = attrs
        .iter()
        .filter_map(syntax::derive_list)
        .flatten()
        .any(|p| struct_serde::is_serde_derive(&p));
    if serde {
        counts.derived += 1;
        attrs.push(parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]));
    }
}

/// The known variants of an open enum (`open_enum`'s output: unit variants, then the
/// `UnknownValue(String)` fallback), or `None` for any other enum.
fn open_variants(e: &ItemEnum) -> Option<Vec<String>> {
    let (last, known) = e
        .variants
        .iter()
        .collect::<Vec<_>>()
        .split_last()
        .map(|(l, k)| (*l, k.to_vec()))?;
    let open = last.ident == super::open_enum::UNKNOWN_VARIANT
        && matches!(&last.fields, Fields::Unnamed(f) if f.unnamed.len() == 1)
        && known.iter().all(|v| matches!(v.fields, Fields::Unit));
    open.then(|| known.iter().map(|v| v.ident.to_string()).collect())
}

/// For every `impl Display for T` whose `match` arms write a string literal
/// (`Self::Match => f.write_str("match")`): `T` and its `(variant, literal)` pairs.
fn display_values(items: &[Item]) -> Vec<(String, Vec<(String, String)>)> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(imp) if syntax::trait_name(imp).as_deref() == Some("Display") => {
                let ty = syntax::local_type_name(&imp.self_ty)?;
                Some((ty, match_arms(imp)))
            }
            _ => None,
        })
        .collect()
}

fn match_arms(imp: &ItemImpl) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for item in &imp.items {
        let syn::ImplItem::Fn(f) = item else { continue };
        for stmt in &f.block.stmts {
            let syn::Stmt::Expr(Expr::Match(m), _) = stmt else {
                continue;
            };
            for arm in &m.arms {
                let syn::Pat::Path(p) = &arm.pat else {
                    continue;
                };
                let (Some(variant), Some(wire)) =
                    (p.path.segments.last(), written_literal(&arm.body))
                else {
                    continue;
                };
                out.push((variant.ident.to_string(), wire));
            }
        }
    }
    out
}

/// `f.write_str("literal")` → `literal`.
fn written_literal(expr: &Expr) -> Option<String> {
    let Expr::MethodCall(call) = expr else {
        return None;
    };
    match call.args.first() {
        Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        })) if call.method == "write_str" && call.args.len() == 1 => Some(s.value()),
        _ => None,
    }
}

/// The doc comment of an item or field as one text, or "" where typify wrote only the name in
/// backticks (its placeholder when the spec has no description).
fn doc_text(attrs: &[syn::Attribute], ident: &syn::Ident) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let text = lines.join("\n").trim().to_string();
    let name = ident.to_string();
    if text == format!("`{}`", name.trim_start_matches("r#")) {
        String::new()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    /// The `JsonSchema` impl of `name` in `items`, as text.
    fn schema_impl(items: &[Item], name: &str) -> String {
        let head = format!("impl :: schemars :: JsonSchema for {name} ");
        let found: Vec<String> = items
            .iter()
            .map(|i| i.to_token_stream().to_string())
            .filter(|t| t.contains(&head))
            .collect();
        assert_eq!(found.len(), 1, "one impl for {name}: {found:#?}");
        found[0].clone()
    }

    #[test]
    fn every_serde_type_gets_a_schema_from_the_facts_its_serde_impls_use() {
        let mut items = syn::parse_file(
            r#"
            ///A thing.
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Thing {
                ///Its kind.
                #[serde(rename = "type")]
                pub type_: Kind,
                #[serde(deserialize_with = "::std::option::Option::deserialize")]
                pub mask: ::std::option::Option<String>,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub note: ::std::option::Option<String>,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: ::std::vec::Vec<String>,
                #[serde(skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub ids: ::std::vec::Vec<String>,
                pub by_name: ::std::option::Option<::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<Kind>>>,
                pub by_id: ::std::collections::HashMap<Id, Kind>,
            }
            ///`Kind`
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
            pub enum Kind {
                #[serde(rename = "a-one")]
                AOne,
                #[serde(rename = "b")]
                B,
            }
            impl ::std::fmt::Display for Kind {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self {
                        Self::AOne => f.write_str("a-one"),
                        Self::B => f.write_str("b"),
                    }
                }
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(transparent)]
            pub struct Id(pub ::std::string::String);
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Flattened {
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<String, String>,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(untagged)]
            pub enum Either { A(Thing), B(Id) }
            #[derive(Clone, Debug)]
            pub struct NoSerde { pub a: i64 }
            "#,
        )
        .expect("fixture parses")
        .items;
        crate::codegen::passes::open_enum::open_string_enums(&mut items).expect("opens Kind");
        let counts = add_impls(&mut items).expect("schemas");
        assert_eq!(
            counts,
            Counts {
                objects: 1,
                open_enums: 1,
                newtypes: 1,
                derived: 2,
            }
        );
        crate::codegen::passes::struct_serde::rewrite(&mut items);

        let thing = schema_impl(&items, "Thing");
        for want in [
            r#"Cow :: Borrowed ("Thing")"#,
            r#"Cow :: Borrowed ("plaid_client::types::Thing")"#,
            r#"o . field ("type" , j :: REQUIRED , G :: subschema_for :: < Kind > , & [] , "Its kind.")"#,
            // Required and nullable: read as `None` when absent, always written.
            r#"("mask" , j :: DEFAULTED , G :: subschema_for :: < String > , & [j :: NULLABLE] , "")"#,
            r#"("note" , j :: OPTIONAL , G :: subschema_for :: < String > , & [j :: NULLABLE] , "")"#,
            r#"("tags" , j :: OPTIONAL , G :: subschema_for :: < String > , & [j :: ARRAY] , "")"#,
            r#"("ids" , j :: REQUIRED_WHEN_READ , G :: subschema_for :: < String > , & [j :: ARRAY] , "")"#,
            r#"("by_name" , j :: DEFAULTED , G :: subschema_for :: < Kind > , & [j :: NULLABLE , j :: MAP , j :: ARRAY] , "")"#,
            r#"("by_id" , j :: REQUIRED , G :: subschema_for :: < :: std :: collections :: HashMap < Id , Kind > > , & [] , "")"#,
            r#"o . finish ("A thing.")"#,
        ] {
            assert!(thing.contains(want), "{want} in {thing}");
        }
        assert!(
            thing.starts_with(r#"# [cfg (feature = "schemars")]"#),
            "{thing}"
        );
        // Wire values from Display; typify's "`Kind`" placeholder is no description.
        let kind = schema_impl(&items, "Kind");
        assert!(
            kind.contains(r#"open_enum (& ["a-one" , "b"] , "")"#),
            "{kind}"
        );
        assert!(kind.contains("_generator"), "{kind}");
        let id = schema_impl(&items, "Id");
        assert!(
            id.contains("newtype (generator , :: schemars :: SchemaGenerator :: subschema_for :: < :: std :: string :: String > , & [] ,"),
            "{id}"
        );
        // What no pass models keeps its serde attributes, and derives the schema from them.
        for name in ["Flattened", "Either"] {
            let text = items
                .iter()
                .map(|i| i.to_token_stream().to_string())
                .find(|t| t.contains(&format!(" {name} ")) && !t.starts_with("impl"))
                .expect(name);
            assert!(
                text.contains(
                    r#"# [cfg_attr (feature = "schemars" , derive (:: schemars :: JsonSchema))]"#
                ),
                "{text}"
            );
        }
        let no_serde = items
            .iter()
            .map(|i| i.to_token_stream().to_string())
            .find(|t| t.contains("NoSerde"))
            .unwrap();
        assert!(!no_serde.contains("schemars"), "{no_serde}");
    }

    #[test]
    fn an_open_enum_without_readable_wire_values_is_an_error() {
        let mut items = syn::parse_file(
            r#"
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub enum Kind { A, B }
            impl ::std::fmt::Display for Kind {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self {
                        Self::A => f.write_str("a"),
                        Self::B => write!(f, "b"),
                    }
                }
            }
            "#,
        )
        .expect("fixture parses")
        .items;
        crate::codegen::passes::open_enum::open_string_enums(&mut items).expect("opens Kind");
        let err = add_impls(&mut items).expect_err("B has no literal");
        assert!(err.to_string().contains("variant B"), "{err}");
    }
}
