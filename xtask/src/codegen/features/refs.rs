//! What a piece of generated code refers to: the generated names (types, operation markers,
//! mock wrappers) and the string keys (operation ids, type names) it mentions.
//!
//! A path segment counts as a reference to a name when it is the path's first segment or follows
//! a module segment (`types::X`, `super::X`, `operations::X`), never when it follows a type:
//! `Self::Pending` and `Status::Pending` are variants. `Self::V` / `Enum::V` count as references
//! to the variant `V` when [`Lookup::variants`] knows it (variants gated one by one).

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::VisitMut;

use super::gate::Requirement;
use crate::codegen::passes::syntax::local_type_name;

/// Path segments after which a segment names an item rather than a variant.
const MODULE_SEGMENTS: &[&str] = &["types", "super", "crate", "self", "operations", "generated"];

/// The names the gating pass knows, with what each needs.
#[derive(Debug, Default)]
pub struct Lookup {
    /// Types, operation markers and the wrappers derived from them.
    pub names: BTreeMap<String, Requirement>,
    /// String literals that stand for an operation (its id) or a type (its name), read in the
    /// table files only.
    pub strings: BTreeMap<String, Requirement>,
    /// `(enum, variant)` of the variants gated one by one.
    pub variants: BTreeMap<(String, String), Requirement>,
}

/// What one node needs, from the names it mentions.
/// `self_ty`: the type of the `impl` block the node is in, if any (for `Self::Variant`).
pub fn requirement_of(
    node: &mut dyn Visitable,
    lookup: &Lookup,
    strings: bool,
    self_ty: Option<&str>,
) -> Requirement {
    let mut c = Collector {
        lookup,
        strings,
        self_ty: vec![self_ty.map(str::to_string)],
        found: Requirement::default(),
        names: None,
    };
    node.visit(&mut c);
    c.found
}

/// The names of `known` one node mentions (for the type graph, where nothing is gated yet).
pub fn names_in(node: &mut dyn Visitable, known: &BTreeSet<String>) -> BTreeSet<String> {
    let lookup = Lookup::default();
    let mut c = Collector {
        lookup: &lookup,
        strings: false,
        self_ty: Vec::new(),
        found: Requirement::default(),
        names: Some((known, BTreeSet::new())),
    };
    node.visit(&mut c);
    c.names.map(|(_, found)| found).unwrap_or_default()
}

/// A syntax node the collector can walk.
pub trait Visitable {
    fn visit(&mut self, v: &mut dyn VisitMutDyn);
}

/// `VisitMut` behind a trait object (the collector is the only implementation).
pub trait VisitMutDyn {
    fn item(&mut self, i: &mut syn::Item);
    fn expr(&mut self, e: &mut syn::Expr);
    fn ty(&mut self, t: &mut syn::Type);
    fn arm(&mut self, a: &mut syn::Arm);
    fn impl_item(&mut self, i: &mut syn::ImplItem);
    fn trait_item(&mut self, i: &mut syn::TraitItem);
    fn variant(&mut self, v: &mut syn::Variant);
    fn stmt(&mut self, s: &mut syn::Stmt);
    fn signature(&mut self, s: &mut syn::Signature);
}

macro_rules! visitable {
    ($($t:ty => $m:ident),* $(,)?) => {
        $(impl Visitable for $t {
            fn visit(&mut self, v: &mut dyn VisitMutDyn) { v.$m(self) }
        })*
    };
}
visitable!(
    syn::Item => item, syn::Expr => expr, syn::Type => ty, syn::Arm => arm,
    syn::ImplItem => impl_item, syn::TraitItem => trait_item, syn::Variant => variant,
    syn::Stmt => stmt, syn::Signature => signature,
);

struct Collector<'a> {
    lookup: &'a Lookup,
    strings: bool,
    /// The self types of the `impl` blocks being walked (innermost last).
    self_ty: Vec<Option<String>>,
    found: Requirement,
    /// When collecting plain names: the known ones, and those found.
    names: Option<(&'a BTreeSet<String>, BTreeSet<String>)>,
}

impl Collector<'_> {
    fn name(&mut self, name: &str) {
        if let Some((known, found)) = &mut self.names {
            if known.contains(name) {
                found.insert(name.to_string());
            }
        } else if let Some(r) = self.lookup.names.get(name) {
            self.found.extend(r);
        }
    }

    fn variant_ref(&mut self, owner: &str, variant: &str) {
        let owner = match owner {
            "Self" => match self.self_ty.last() {
                Some(Some(s)) => s.clone(),
                _ => return,
            },
            other => other.to_string(),
        };
        if let Some(r) = self.lookup.variants.get(&(owner, variant.to_string())) {
            self.found.extend(r);
        }
    }
}

impl VisitMut for Collector<'_> {
    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        for (i, seg) in segs.iter().enumerate() {
            if i == 0 || MODULE_SEGMENTS.contains(&segs[i - 1].as_str()) {
                self.name(seg);
            }
            if i > 0 {
                self.variant_ref(&segs[i - 1], seg);
            }
        }
        syn::visit_mut::visit_path_mut(self, p);
    }

    fn visit_lit_str_mut(&mut self, s: &mut syn::LitStr) {
        if self.strings {
            if let Some(r) = self.lookup.strings.get(&s.value()) {
                self.found.extend(r);
            }
        }
    }

    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        self.self_ty.push(local_type_name(&i.self_ty));
        syn::visit_mut::visit_item_impl_mut(self, i);
        self.self_ty.pop();
    }

    fn visit_item_struct_mut(&mut self, s: &mut syn::ItemStruct) {
        self.name(&s.ident.to_string());
        syn::visit_mut::visit_item_struct_mut(self, s);
    }

    fn visit_item_enum_mut(&mut self, e: &mut syn::ItemEnum) {
        self.name(&e.ident.to_string());
        syn::visit_mut::visit_item_enum_mut(self, e);
    }

    fn visit_item_type_mut(&mut self, t: &mut syn::ItemType) {
        self.name(&t.ident.to_string());
        syn::visit_mut::visit_item_type_mut(self, t);
    }
}

impl VisitMutDyn for Collector<'_> {
    fn item(&mut self, i: &mut syn::Item) {
        self.visit_item_mut(i)
    }
    fn expr(&mut self, e: &mut syn::Expr) {
        self.visit_expr_mut(e)
    }
    fn ty(&mut self, t: &mut syn::Type) {
        self.visit_type_mut(t)
    }
    fn arm(&mut self, a: &mut syn::Arm) {
        self.visit_arm_mut(a)
    }
    fn impl_item(&mut self, i: &mut syn::ImplItem) {
        self.visit_impl_item_mut(i)
    }
    fn trait_item(&mut self, i: &mut syn::TraitItem) {
        self.visit_trait_item_mut(i)
    }
    fn variant(&mut self, v: &mut syn::Variant) {
        self.visit_variant_mut(v)
    }
    fn stmt(&mut self, s: &mut syn::Stmt) {
        self.visit_stmt_mut(s)
    }
    fn signature(&mut self, s: &mut syn::Signature) {
        self.visit_signature_mut(s)
    }
}
