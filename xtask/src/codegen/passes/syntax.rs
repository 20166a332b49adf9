//! Small readers of `syn` types, shared by the passes over progenitor's output (operations,
//! pagination, post-processing, splitting the types module).

/// The last segment of a path type, with its angle-bracketed arguments if it has any:
/// `::std::option::Option<T>` → (`Option`, `<T>`).
pub fn last_segment(
    ty: &syn::Type,
) -> Option<(&syn::Ident, Option<&syn::AngleBracketedGenericArguments>)> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => Some(a),
        _ => None,
    };
    Some((&seg.ident, args))
}

/// The type arguments of `ty` if its last segment is `wrapper`: `Result<A, B>` → `[A, B]`.
pub fn type_args<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<Vec<&'a syn::Type>> {
    let (id, args) = last_segment(ty)?;
    if id != wrapper {
        return None;
    }
    Some(
        args?
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
    )
}

/// The name of a type defined in the module itself (a one-segment path such as `AccountBase`),
/// looking through references.
pub fn local_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(p.path.segments[0].ident.to_string())
        }
        syn::Type::Reference(r) => local_type_name(&r.elem),
        _ => None,
    }
}

/// The last segment of the trait an `impl` block implements (`Display`, `Default`, ...).
pub fn trait_name(imp: &syn::ItemImpl) -> Option<String> {
    imp.trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .map(|s| s.ident.to_string())
}

/// The paths a `#[derive(..)]` attribute lists; `None` for any other attribute (or one that
/// does not parse as a list of paths).
pub fn derive_list(attr: &syn::Attribute) -> Option<Vec<syn::Path>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        .ok()
        .map(|list| list.into_iter().collect())
}

/// Remove from every `#[derive(..)]` in `attrs` the traits for which `drop` holds. Returns
/// whether any was removed.
pub fn drop_derives(attrs: &mut [syn::Attribute], drop: impl Fn(&syn::Path) -> bool) -> bool {
    let mut dropped = false;
    for attr in attrs.iter_mut() {
        let Some(list) = derive_list(attr) else {
            continue;
        };
        let kept: Vec<&syn::Path> = list.iter().filter(|p| !drop(p)).collect();
        if kept.len() != list.len() {
            dropped = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    dropped
}

/// Whether a derive path names `name` (its last segment): `::serde::Serialize` → `Serialize`.
pub fn names_trait(path: &syn::Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}

/// Whether some `#[derive(..)]` of `attrs` names the trait `name` (by its last segment).
pub fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter_map(derive_list)
        .flatten()
        .any(|p| names_trait(&p, name))
}

/// The keys of every `#[serde(..)]` attribute of `attrs`, in order: `#[serde(tag = "type",
/// rename_all = "snake_case")]` → `tag`, `rename_all` (values and nested lists are skipped).
/// An attribute that does not parse as a meta list contributes the keys read before the error.
pub fn serde_keys(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut keys = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string);
            keys.push(key.unwrap_or_default());
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                content.parse::<proc_macro2::TokenStream>()?;
            }
            Ok(())
        });
    }
    keys
}

/// The one type argument of `ty` if its last segment is `wrapper` and it has exactly one:
/// `Vec<T>` → `T`.
pub fn single_arg<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    match type_args(ty, wrapper)?.as_slice() {
        [inner] => Some(*inner),
        _ => None,
    }
}

/// `T` of `Option<T>` (any path to `Option`); `None` for any other type.
pub fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    single_arg(ty, "Option")
}

/// Whether `ty` is the path type `name` without generic arguments (`String`, `i64`, ...).
pub fn is_plain(ty: &syn::Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|(id, args)| id == name && args.is_none())
}

/// The named fields of a struct with their types.
pub fn fields(s: &syn::ItemStruct) -> impl Iterator<Item = (&syn::Ident, &syn::Type)> {
    s.fields
        .iter()
        .filter_map(|f| f.ident.as_ref().map(|id| (id, &f.ty)))
}

/// The type of the struct's field `name`.
pub fn field<'a>(s: &'a syn::ItemStruct, name: &str) -> Option<&'a syn::Type> {
    fields(s).find(|(id, _)| *id == name).map(|(_, ty)| ty)
}

/// Whether the `impl` block mentions a path ending in `segments` anywhere in its items (outside
/// macro invocations): `crate::redact::REDACTED` ends in `["redact", "REDACTED"]`.
pub fn impl_mentions_path(imp: &syn::ItemImpl, segments: &[&str]) -> bool {
    struct Find<'s> {
        segments: &'s [&'s str],
        found: bool,
    }
    impl syn::visit_mut::VisitMut for Find<'_> {
        fn visit_path_mut(&mut self, p: &mut syn::Path) {
            let names: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
            self.found |= names.ends_with(
                &self
                    .segments
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>(),
            );
            syn::visit_mut::visit_path_mut(self, p);
        }
    }
    let mut find = Find {
        segments,
        found: false,
    };
    syn::visit_mut::VisitMut::visit_item_impl_mut(&mut find, &mut imp.clone());
    find.found
}

/// The type an item belongs to: `impl X` / `impl Trait for X` belong to X, and so does
/// `impl From<X> for String`.
pub fn item_owner(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        syn::Item::Impl(i) => local_type_name(&i.self_ty).or_else(|| {
            let (_, path, _) = i.trait_.as_ref()?;
            match &path.segments.last()?.arguments {
                syn::PathArguments::AngleBracketed(ab) => ab.args.iter().find_map(|a| match a {
                    syn::GenericArgument::Type(t) => local_type_name(t),
                    _ => None,
                }),
                _ => None,
            }
        }),
        _ => None,
    }
}
