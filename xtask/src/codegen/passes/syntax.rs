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
