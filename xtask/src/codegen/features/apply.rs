//! Put the `#[cfg(..)]` attributes on the generated code.
//!
//! Each item gets the gate of what it mentions ([`super::refs`]). An item about one thing (a
//! type, its impls, an operation's marker, a mock wrapper) is gated whole. An item about many
//! (`visit_all`, `WebhookEvent`, the mock trait, `example_json`, a table constant) is a
//! collection: its parts are gated one by one (statements, match arms, variants, impl and trait
//! items, array elements), and it stays, with what the enabled features keep. A part that needs
//! several unrelated features gets `all(..)` of them.

use super::gate::Requirement;
use super::refs::{requirement_of, Lookup, Visitable};
use crate::codegen::passes::syntax::local_type_name;

/// Where the pass runs: the types module (string literals there are data) or a table file
/// (string literals there are operation ids and type names).
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub lookup: &'a Lookup,
    pub table: bool,
}

impl Scope<'_> {
    fn need(&self, node: &mut dyn Visitable, self_ty: Option<&str>) -> Requirement {
        requirement_of(node, self.lookup, self.table, self_ty)
    }
}

/// Gate every item of a module (recursively into inline modules).
pub fn items(scope: Scope<'_>, items: &mut [syn::Item]) -> usize {
    let mut gated = 0;
    for item in items.iter_mut() {
        let need = scope.need(item, None);
        if need.is_always() {
            continue;
        }
        if need.single().is_some() || !collection(scope, item, &mut gated) {
            if let Some(attrs) = item_attrs(item) {
                gated += usize::from(push_attr(attrs, &need));
            }
        }
    }
    gated
}

/// Gate the parts of a collection item; false when it is not one (gate it whole).
fn collection(scope: Scope<'_>, item: &mut syn::Item, gated: &mut usize) -> bool {
    match item {
        syn::Item::Mod(m) => match &mut m.content {
            Some((_, inner)) => *gated += items(scope, inner),
            None => return false,
        },
        syn::Item::Fn(f) => *gated += block(scope, &mut f.block, None),
        syn::Item::Const(c) => *gated += expr(scope, &mut c.expr, None),
        syn::Item::Static(s) => *gated += expr(scope, &mut s.expr, None),
        syn::Item::Enum(e) => {
            for v in e.variants.iter_mut() {
                let need = scope.need(v, None);
                *gated += usize::from(push_attr(&mut v.attrs, &need));
            }
        }
        syn::Item::Impl(i) => {
            let self_ty = local_type_name(&i.self_ty);
            for it in i.items.iter_mut() {
                *gated += impl_item(scope, it, self_ty.as_deref());
            }
        }
        syn::Item::Trait(t) => {
            for it in t.items.iter_mut() {
                let need = scope.need(it, None);
                if let Some(attrs) = trait_item_attrs(it) {
                    *gated += usize::from(push_attr(attrs, &need));
                }
            }
        }
        _ => return false,
    }
    true
}

fn impl_item(scope: Scope<'_>, it: &mut syn::ImplItem, self_ty: Option<&str>) -> usize {
    let need = scope.need(it, self_ty);
    if need.is_always() {
        return 0;
    }
    if let (syn::ImplItem::Fn(f), None) = (&mut *it, need.single()) {
        let sig = scope.need(&mut f.sig, self_ty);
        push_attr(&mut f.attrs, &sig);
        return block(scope, &mut f.block, self_ty);
    }
    match it {
        syn::ImplItem::Fn(f) => push_attr(&mut f.attrs, &need),
        syn::ImplItem::Const(c) => push_attr(&mut c.attrs, &need),
        syn::ImplItem::Type(t) => push_attr(&mut t.attrs, &need),
        _ => false,
    };
    1
}

fn block(scope: Scope<'_>, b: &mut syn::Block, self_ty: Option<&str>) -> usize {
    let mut gated = 0;
    for stmt in b.stmts.iter_mut() {
        let need = scope.need(stmt, self_ty);
        if need.is_always() {
            continue;
        }
        match stmt {
            syn::Stmt::Expr(e, _) if need.single().is_none() => gated += expr(scope, e, self_ty),
            syn::Stmt::Expr(e, _) => {
                wrap_expr(e, &need);
                gated += 1;
            }
            syn::Stmt::Local(l) => {
                push_attr(&mut l.attrs, &need);
                gated += 1;
            }
            _ => {}
        }
    }
    gated
}

/// Gate the parts of an expression that is a collection: match arms, array elements, blocks.
fn expr(scope: Scope<'_>, e: &mut syn::Expr, self_ty: Option<&str>) -> usize {
    let mut gated = 0;
    match e {
        syn::Expr::Reference(r) => gated += expr(scope, &mut r.expr, self_ty),
        syn::Expr::Block(b) => gated += block(scope, &mut b.block, self_ty),
        syn::Expr::Array(a) => {
            for el in a.elems.iter_mut() {
                let need = scope.need(el, self_ty);
                gated += usize::from(wrap_expr(el, &need));
            }
        }
        syn::Expr::Match(m) => {
            for arm in m.arms.iter_mut() {
                let need = scope.need(arm, self_ty);
                gated += usize::from(push_attr(&mut arm.attrs, &need));
            }
        }
        _ => {
            let need = scope.need(e, self_ty);
            gated += usize::from(wrap_expr(e, &need));
        }
    }
    gated
}

/// Put the attribute in front of an expression (statement, array element). False if always.
fn wrap_expr(e: &mut syn::Expr, need: &Requirement) -> bool {
    let Some(attr) = need.attribute() else {
        return false;
    };
    *e = syn::parse_quote!(#attr #e);
    true
}

/// Push the requirement's attribute; false if it needs nothing.
fn push_attr(attrs: &mut Vec<syn::Attribute>, need: &Requirement) -> bool {
    match need.attribute() {
        Some(attr) => {
            attrs.insert(0, attr);
            true
        }
        None => false,
    }
}

fn trait_item_attrs(it: &mut syn::TraitItem) -> Option<&mut Vec<syn::Attribute>> {
    match it {
        syn::TraitItem::Fn(f) => Some(&mut f.attrs),
        syn::TraitItem::Const(c) => Some(&mut c.attrs),
        syn::TraitItem::Type(t) => Some(&mut t.attrs),
        _ => None,
    }
}

/// The attributes of an item (every kind the generator emits has them).
fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    Some(match item {
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Fn(i) => &mut i.attrs,
        syn::Item::Impl(i) => &mut i.attrs,
        syn::Item::Mod(i) => &mut i.attrs,
        syn::Item::Static(i) => &mut i.attrs,
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Trait(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::Use(i) => &mut i.attrs,
        syn::Item::Macro(i) => &mut i.attrs,
        syn::Item::Union(i) => &mut i.attrs,
        _ => return None,
    })
}
