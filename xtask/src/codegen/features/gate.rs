//! A gate: the Cargo features under which one generated item compiles.
//!
//! An item that needs one thing compiles under that thing's features, `any(...)` of them; an item
//! that needs several compiles when all of them do. [`Requirement`] keeps that conjunction small:
//! if one need's features are a subset of another's, the smaller one alone decides (any feature
//! that compiles it compiles the other).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

/// The features that compile one named thing: `None` always (the core), otherwise any of the set.
pub type Gate = Option<BTreeSet<String>>;

/// What an item needs: a conjunction of `any(..)` sets, none a superset of another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement(Vec<BTreeSet<String>>);

impl Requirement {
    /// Add one need.
    pub fn add(&mut self, gate: &Gate) {
        let Some(set) = gate else { return };
        if self.0.iter().any(|have| have.is_subset(set)) {
            return;
        }
        self.0.retain(|have| !set.is_subset(have));
        self.0.push(set.clone());
        self.0.sort();
    }

    /// Add everything another requirement needs.
    pub fn extend(&mut self, other: &Requirement) {
        for set in &other.0 {
            self.add(&Some(set.clone()));
        }
    }

    /// Compiled whatever features are on.
    pub fn is_always(&self) -> bool {
        self.0.is_empty()
    }

    /// Needs one `any(..)` set only: the item is about one thing.
    pub fn single(&self) -> Option<&BTreeSet<String>> {
        match self.0.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The `#[cfg(..)]` attribute for it, `None` when always compiled.
    pub fn attribute(&self) -> Option<syn::Attribute> {
        if self.is_always() {
            return None;
        }
        let parts: Vec<TokenStream> = self.0.iter().map(any_of).collect();
        let predicate = match parts.as_slice() {
            [one] => one.clone(),
            many => quote!(all(#(#many),*)),
        };
        Some(syn::parse_quote!(#[cfg(#predicate)]))
    }
}

fn any_of(set: &BTreeSet<String>) -> TokenStream {
    let features: Vec<TokenStream> = set.iter().map(|f| quote!(feature = #f)).collect();
    match features.as_slice() {
        [one] => one.clone(),
        many => quote!(any(#(#many),*)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(features: &[&str]) -> Gate {
        Some(features.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn subsets_decide_and_the_core_adds_nothing() {
        let mut r = Requirement::default();
        r.add(&None);
        assert!(r.is_always() && r.attribute().is_none());
        r.add(&gate(&["auth", "transfer"]));
        r.add(&gate(&["transfer"]));
        assert_eq!(r.single(), gate(&["transfer"]).as_ref());
        r.add(&gate(&["auth", "transfer", "signal"]));
        assert_eq!(r.single(), gate(&["transfer"]).as_ref());
        r.add(&gate(&["auth"]));
        assert_eq!(r.single(), None);
        let attr = r.attribute().unwrap();
        let text = quote!(#attr).to_string().replace(' ', "");
        assert_eq!(text, "#[cfg(all(feature=\"auth\",feature=\"transfer\"))]");
    }
}
