//! Step 4b of `generate`: one Cargo feature per Plaid product, and the `#[cfg(..)]` gates that
//! make a build compile only what its features need.
//!
//! 1. [`crate::spec::products`] places every operation and webhook type in a product (or the
//!    core) by general rules read off the spec.
//! 2. [`closure`]: a type compiles when an enabled feature's operations or webhooks reach it,
//!    transitively; types the core reaches always compile; types nothing reaches (the spec's
//!    orphans) compile with `full`.
//! 3. [`apply`]: every generated item is gated by what it mentions (types, operation markers,
//!    operation ids), so the tables, paging impls, webhook variants, mocks, examples,
//!    constructors and `JsonSchema` impls follow their types and operations.
//! 4. [`manifest`] writes the features into the manifests; [`table`] documents them.
//!
//! Stable by construction: a type's gate is the set of features that reach it, so a spec bump
//! that adds one operation changes the gates of the types that operation reaches, no others.

pub mod apply;
pub mod closure;
pub mod gate;
pub mod manifest;
pub mod refs;
pub mod table;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use self::closure::TypeGraph;
use self::gate::{Gate, Requirement};
use self::refs::Lookup;
use super::tables::operations::{marker_name, OperationInfo};
use super::tables::webhooks::Webhook;
use crate::spec::products::{classify, Products};

pub use crate::spec::products::FULL;

/// What one feature (or the core) brings.
#[derive(Debug, Default, Clone)]
pub struct FeatureInfo {
    /// `METHOD /path` of its operations.
    pub operations: Vec<String>,
    /// How many types it compiles that the core does not.
    pub types: usize,
    /// How many webhook schemas belong to it.
    pub webhooks: usize,
}

/// The products, and what the gating pass needs to gate the generated code.
pub struct Features {
    pub products: Products,
    pub lookup: Lookup,
    /// By feature name; the core under `None`.
    pub info: BTreeMap<Option<String>, FeatureInfo>,
    /// Types no operation or webhook reaches (gated on `full`).
    pub orphans: usize,
    /// Types the core compiles.
    pub core_types: usize,
}

impl Features {
    /// One line for the generator's output.
    pub fn summary(&self) -> String {
        format!(
            "{}; types: {} in the core, {} orphans (with `{FULL}`)",
            self.products.summary(),
            self.core_types,
            self.orphans
        )
    }
}

/// Place the operations and webhooks, and compute every type's gate.
pub fn compute(
    original: &Value,
    ops: &[OperationInfo],
    hooks: &[Webhook],
    types: &[syn::Item],
) -> Features {
    let webhook_types: BTreeSet<String> = hooks.iter().map(|h| h.webhook_type.clone()).collect();
    let products = classify(original, &webhook_types);
    let graph = TypeGraph::new(types);
    let mut info: BTreeMap<Option<String>, FeatureInfo> = BTreeMap::new();
    let mut roots: BTreeMap<Option<String>, BTreeSet<String>> = BTreeMap::new();
    for op in ops {
        let feature = products
            .of_operation(&op.http_method, &op.path)
            .map(str::to_string);
        let r = roots.entry(feature.clone()).or_default();
        for ty in op.body.iter().chain([&op.response, &op.error]) {
            r.extend(graph.mentioned(ty));
        }
        let entry = info.entry(feature).or_default();
        entry
            .operations
            .push(format!("{} {}", op.http_method, op.path));
    }
    for hook in hooks {
        let feature = products
            .webhook_types
            .get(&hook.webhook_type)
            .cloned()
            .flatten();
        roots
            .entry(feature.clone())
            .or_default()
            .insert(hook.rust_type.clone());
        info.entry(feature).or_default().webhooks += 1;
    }
    let gates = type_gates(&graph, &roots, &mut info);
    let lookup = lookup(ops, &products, &gates);
    let core_types = gates.values().filter(|g| g.is_none()).count();
    let orphans = gates
        .values()
        .filter(|g| g.as_ref().is_some_and(|s| s.contains(FULL)))
        .count();
    Features {
        products,
        lookup,
        info,
        orphans,
        core_types,
    }
}

/// Each type's gate: always if the core reaches it, else the features that do, else `full`.
fn type_gates(
    graph: &TypeGraph,
    roots: &BTreeMap<Option<String>, BTreeSet<String>>,
    info: &mut BTreeMap<Option<String>, FeatureInfo>,
) -> BTreeMap<String, Gate> {
    let core = roots.get(&None).map(|r| graph.reach(r)).unwrap_or_default();
    let mut reached_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (feature, r) in roots {
        let Some(feature) = feature else { continue };
        let reach = graph.reach(r);
        info.entry(Some(feature.clone())).or_default().types =
            reach.iter().filter(|t| !core.contains(*t)).count();
        for t in reach {
            reached_by.entry(t).or_default().insert(feature.clone());
        }
    }
    info.entry(None).or_default().types = core.len();
    graph
        .names
        .iter()
        .map(|t| {
            let gate = if core.contains(t) {
                None
            } else {
                Some(
                    reached_by
                        .remove(t)
                        .unwrap_or_else(|| BTreeSet::from([FULL.to_string()])),
                )
            };
            (t.clone(), gate)
        })
        .collect()
}

/// The names and strings the gating pass resolves: types, operation markers, operation ids.
fn lookup(ops: &[OperationInfo], products: &Products, gates: &BTreeMap<String, Gate>) -> Lookup {
    let mut lookup = Lookup::default();
    for (name, gate) in gates {
        let mut r = Requirement::default();
        r.add(gate);
        lookup.names.insert(name.clone(), r.clone());
        lookup.strings.insert(name.clone(), r);
    }
    for op in ops {
        let gate: Gate = products
            .of_operation(&op.http_method, &op.path)
            .map(|f| BTreeSet::from([f.to_string()]));
        let mut r = Requirement::default();
        r.add(&gate);
        lookup
            .names
            .insert(marker_name(&op.fn_name).to_string(), r.clone());
        lookup.strings.insert(op.operation_id.clone(), r);
    }
    lookup
}

/// Write (or, with `check`, compare) what the features put outside `src/generated`: the
/// manifests' feature lines and plaid-client's README table. `scratch`: `root` is a
/// `generate --out` crate (only its own manifest). Returns the files that differ / were written.
pub fn sync_outside(
    root: &std::path::Path,
    scratch: bool,
    features: &Features,
    check: bool,
) -> anyhow::Result<Vec<String>> {
    if scratch {
        return manifest::sync(root, &[("Cargo.toml", None)], features, check);
    }
    let mut changed = manifest::sync(root, manifest::MANIFESTS, features, check)?;
    let path = root.join("plaid-client/README.md");
    let readme = std::fs::read_to_string(&path)?;
    let want = table::splice_readme(&readme, features)?;
    if want != readme {
        changed.push(path.display().to_string());
        if !check {
            std::fs::write(&path, want)?;
        }
    }
    Ok(changed)
}

/// Gate the types module and the table files; how many items (and parts) got a gate.
pub fn gate<const N: usize>(
    features: &mut Features,
    types: &mut [syn::Item],
    mut tables: [&mut Vec<syn::Item>; N],
) -> usize {
    for items in tables.iter_mut() {
        derive_names(&mut features.lookup, items);
    }
    let lookup = &features.lookup;
    let mut gated = apply::items(
        apply::Scope {
            lookup,
            table: false,
        },
        types,
    );
    for items in tables.iter_mut() {
        gated += apply::items(
            apply::Scope {
                lookup,
                table: true,
            },
            items,
        );
    }
    gated
}

/// Give the structs and enums a table file defines (mock wrappers, ...) the gate of what they
/// and their impls mention, so the items that mention them follow.
pub fn derive_names(lookup: &mut Lookup, items: &mut [syn::Item]) {
    let mut derived: BTreeMap<String, Requirement> = BTreeMap::new();
    let mut defined = BTreeSet::new();
    collect_defined(items, &mut defined);
    defined.retain(|n| !lookup.names.contains_key(n));
    walk_owned(items, &mut |owner, item| {
        if defined.contains(&owner) {
            let need = refs::requirement_of(item, lookup, true, Some(&owner));
            derived.entry(owner).or_default().extend(&need);
        }
    });
    lookup.names.extend(derived);
    gate_variants(lookup, items);
}

/// Record the gate of each variant of the enums a table file defines, so that `Self::Variant`
/// arms follow their variant.
fn gate_variants(lookup: &mut Lookup, items: &mut [syn::Item]) {
    for item in items.iter_mut() {
        match item {
            syn::Item::Enum(e) => {
                let owner = e.ident.to_string();
                for v in e.variants.iter_mut() {
                    let need = refs::requirement_of(v, lookup, true, Some(&owner));
                    if !need.is_always() {
                        lookup
                            .variants
                            .insert((owner.clone(), v.ident.to_string()), need);
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    gate_variants(lookup, inner);
                }
            }
            _ => {}
        }
    }
}

fn collect_defined(items: &[syn::Item], out: &mut BTreeSet<String>) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                out.insert(s.ident.to_string());
            }
            syn::Item::Enum(e) => {
                out.insert(e.ident.to_string());
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect_defined(inner, out);
                }
            }
            _ => {}
        }
    }
}

fn walk_owned(items: &mut [syn::Item], f: &mut dyn FnMut(String, &mut syn::Item)) {
    for item in items.iter_mut() {
        if let syn::Item::Mod(m) = item {
            if let Some((_, inner)) = &mut m.content {
                walk_owned(inner, f);
            }
            continue;
        }
        if let Some(owner) = crate::codegen::passes::syntax::item_owner(item) {
            f(owner, item);
        }
    }
}
