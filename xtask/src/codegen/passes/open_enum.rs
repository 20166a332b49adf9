//! **Open enums**, a pass over progenitor's `types` syntax tree.
//!
//! typify turns every string enum into a closed Rust enum, so one new value from
//! Plaid (they add enum values often; the official SDKs turn strict enum checks off for this
//! reason) would make a whole response fail to decode. Every all-unit string enum gets a last
//! variant `UnknownValue(String)` that keeps the unknown value as received; `FromStr` and
//! `Display` round-trip it. The enum loses `Copy` (it now holds a String).
//!
//! Its serde impls go through those same `Display`/`FromStr` (which progenitor writes with the
//! wire values): `Serialize` is `collect_str`, `Deserialize` is one shared string visitor
//! (`plaid_client::open_enum`). The derived impls (a field visitor per enum, plus serde's
//! buffering for an untagged fallback variant) cost far more to compile for the same behaviour
//! (issue 7; measured in the README's build figures).

use quote::quote;
use syn::{parse_quote, Arm, Expr, Fields, Item, ItemEnum, ItemImpl};

/// The name of the catch-all variant added to every string enum.
pub const UNKNOWN_VARIANT: &str = "UnknownValue";

/// Open every string enum in `items` (the `types` module). Returns how many were opened.
pub fn open_string_enums(items: &mut Vec<Item>) -> anyhow::Result<usize> {
    let mut opened = Vec::new();
    for item in items.iter_mut() {
        if let Item::Enum(e) = item {
            if is_string_enum(e) {
                open_enum(e)?;
                opened.push(e.ident.clone());
            }
        }
    }
    for ident in &opened {
        items.push(parse_quote! {
            impl ::serde::Serialize for #ident {
                fn serialize<S: ::serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }
            }
        });
        items.push(crate::codegen::passes::struct_serde::deserialize_via(
            ident,
            &quote!(crate::open_enum::deserialize),
        ));
    }
    let opened: Vec<String> = opened.iter().map(ToString::to_string).collect();
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(self_name) = crate::codegen::passes::syntax::last_segment(&imp.self_ty)
            .map(|(id, _)| id.to_string())
        else {
            continue;
        };
        if !opened.contains(&self_name) {
            continue;
        }
        match crate::codegen::passes::syntax::trait_name(imp).as_deref() {
            Some("Display") => patch_display(imp),
            Some("FromStr") => patch_from_str(imp),
            _ => {}
        }
    }
    Ok(opened.len())
}

fn is_string_enum(e: &ItemEnum) -> bool {
    let derives_deserialize = crate::codegen::passes::syntax::derives(&e.attrs, "Deserialize");
    let tagged_or_untagged = crate::codegen::passes::syntax::serde_keys(&e.attrs)
        .iter()
        .any(|k| k == "untagged" || k == "tag");
    derives_deserialize
        && !tagged_or_untagged
        && !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, Fields::Unit))
}

fn open_enum(e: &mut ItemEnum) -> anyhow::Result<()> {
    if e.variants.iter().any(|v| v.ident == UNKNOWN_VARIANT) {
        anyhow::bail!(
            "enum {} already has a variant named {UNKNOWN_VARIANT}; pick another catch-all name",
            e.ident
        );
    }
    // serde goes through Display/FromStr (see the module docs); Copy cannot hold a String.
    crate::codegen::passes::syntax::drop_derives(&mut e.attrs, |p| {
        ["Copy", "Serialize", "Deserialize"]
            .iter()
            .any(|name| crate::codegen::passes::syntax::names_trait(p, name))
    });
    e.attrs.retain(|a| !a.path().is_ident("serde"));
    for v in e.variants.iter_mut() {
        v.attrs.retain(|a| !a.path().is_ident("serde"));
    }
    let ident = syn::Ident::new(UNKNOWN_VARIANT, proc_macro2::Span::call_site());
    e.variants.push(parse_quote! {
        /// A value this version of the client does not know, kept as received.
        #ident(::std::string::String)
    });
    Ok(())
}

/// The first `match` expression in the impl's only method.
fn first_match(imp: &mut ItemImpl) -> Option<&mut syn::ExprMatch> {
    imp.items.iter_mut().find_map(|it| match it {
        syn::ImplItem::Fn(f) => f.block.stmts.iter_mut().find_map(|s| match s {
            syn::Stmt::Expr(Expr::Match(m), _) => Some(m),
            _ => None,
        }),
        _ => None,
    })
}

fn patch_display(imp: &mut ItemImpl) {
    let ident = syn::Ident::new(UNKNOWN_VARIANT, proc_macro2::Span::call_site());
    if let Some(m) = first_match(imp) {
        let arm: Arm = parse_quote!(Self::#ident(ref value) => f.write_str(value),);
        m.arms.push(arm);
    }
}

fn patch_from_str(imp: &mut ItemImpl) {
    let ident = syn::Ident::new(UNKNOWN_VARIANT, proc_macro2::Span::call_site());
    if let Some(m) = first_match(imp) {
        if let Some(last) = m.arms.last_mut() {
            if matches!(last.pat, syn::Pat::Wild(_)) {
                *last = parse_quote!(_ => Ok(Self::#ident(value.to_string())),);
            }
        }
    }
}
