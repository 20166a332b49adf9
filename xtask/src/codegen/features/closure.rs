//! Which generated types each feature needs: the types its operations and webhooks reach,
//! following every mention from one type's items (its definition and its impls) to another.

use std::collections::{BTreeMap, BTreeSet};

use super::refs::names_in;
use crate::codegen::passes::syntax::item_owner;

/// The types of the `types` module, and the ones each mentions.
pub struct TypeGraph {
    pub names: BTreeSet<String>,
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl TypeGraph {
    /// Read the graph off the `types` module's items.
    pub fn new(types: &[syn::Item]) -> TypeGraph {
        let names: BTreeSet<String> = types
            .iter()
            .filter(|i| {
                matches!(
                    i,
                    syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Type(_)
                )
            })
            .filter_map(item_owner)
            .collect();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for item in types {
            let Some(owner) = item_owner(item).filter(|o| names.contains(o)) else {
                continue;
            };
            let mut found = names_in(&mut item.clone(), &names);
            found.remove(&owner);
            edges.entry(owner).or_default().extend(found);
        }
        TypeGraph { names, edges }
    }

    /// The types of this module a type mentions (for operation signatures).
    pub fn mentioned(&self, ty: &syn::Type) -> BTreeSet<String> {
        names_in(&mut ty.clone(), &self.names)
    }

    /// Every type reachable from `roots`, the roots included.
    pub fn reach(&self, roots: &BTreeSet<String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = roots.iter().collect();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(next) = self.edges.get(name) {
                stack.extend(next.iter().filter(|n| !seen.contains(*n)));
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_follows_fields_and_impls() {
        let items: Vec<syn::Item> = vec![
            syn::parse_quote!(
                pub struct A {
                    b: B,
                }
            ),
            syn::parse_quote!(
                pub struct B;
            ),
            syn::parse_quote!(impl From<C> for B { fn from(_: C) -> B { B } }),
            syn::parse_quote!(
                pub struct C;
            ),
            syn::parse_quote!(
                pub enum D {
                    Pending,
                    Other(E),
                }
            ),
            syn::parse_quote!(
                pub struct E;
            ),
            syn::parse_quote!(
                pub struct Lonely;
            ),
        ];
        let g = TypeGraph::new(&items);
        let reach = |r: &[&str]| g.reach(&r.iter().map(|s| s.to_string()).collect());
        let names = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(reach(&["A"]), names(&["A", "B", "C"]));
        assert_eq!(reach(&["D"]), names(&["D", "E"]));
        assert_eq!(reach(&["Lonely"]), names(&["Lonely"]));
    }
}
