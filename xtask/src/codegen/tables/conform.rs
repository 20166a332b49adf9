//! The `conform` table (`plaid-client` feature `mock`): for every JSON operation's success body,
//! where the published spec requires a key that the generated types may leave out, and what a
//! server sends for it. The emulator applies it to every answer it serves
//! (`plaid_client::conform::conform`), so its bodies conform to the spec as Plaid published it,
//! not only to the normalized one the client is generated from.
//!
//! Why a table read off the two documents, rather than a change to the serde impls: the repairs
//! make the *client* lenient (`required-absent-from-examples` turns a required key that Plaid's
//! examples omit into an `Option` the types skip when `None`), and a client must stay so; only
//! a server must be strict, so the strictness lives beside the server's data, behind `mock`, and
//! no type's `Serialize` changes. A key is listed when the published schema of an object lists it
//! in `required` and the normalized schema at the same place does not: the types always write
//! the keys both require (a required nullable one as `null`). What is written for it:
//!
//! - `null` when the published property is nullable (`nullable: true` on it, on the component it
//!   refers to, or on every member of its `allOf`) and `null` validates against it (a nullable
//!   object whose `allOf` member is not nullable gets a value instead);
//! - otherwise a value synthesized from the published property schema: its `example` if that is
//!   valid, else the first `enum` member, `YYYY-MM-DD` for `date`, RFC 3339 for `date-time`, the
//!   lowest number the bounds allow, `false`, the fewest array items `minItems` allows, an object
//!   of its required properties (nullable ones `null`). Each value is validated against the
//!   published schema (`spec::strict`) before it is emitted; one that fails is left out and
//!   counted, never emitted wrong.
//!
//! The table is a graph of nodes, one per schema position that leads to such a key: the keys to
//! fill, the properties, array items and map values to descend into. `oneOf`/`anyOf` members are
//! not descended into: which member a body is cannot be told from the schema alone (the repairs
//! do not relax `required` under them either; none occur in Plaid's spec today).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::spec::{lookup, strict};

mod synthesize;

use synthesize::nullable;
pub use synthesize::synthesize;

/// How deep a synthesized value may nest.
const MAX_SYNTH_DEPTH: usize = 12;
/// How deep a schema is followed while looking for keys to fill.
const MAX_WALK_DEPTH: usize = 48;

/// The emitted module and its summary line.
pub struct ConformFile {
    pub file: syn::File,
    pub summary: String,
}

/// One node of the table, as emitted.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Node {
    /// Keys to add when absent, with their JSON value.
    pub fills: Vec<(String, Value)>,
    /// Keys whose `null` the published schema rejects, with the value written instead.
    pub nulls: Vec<(String, Value)>,
    /// Properties to descend into, with their node.
    pub fields: Vec<(String, usize)>,
    /// The node of every array item.
    pub items: Option<usize>,
    /// The node of every map value (`additionalProperties`).
    pub values: Option<usize>,
}

/// The table: its nodes, the root node of each operation path, what could not be synthesized.
#[derive(Debug, Default)]
pub struct Table {
    pub nodes: Vec<Node>,
    pub roots: BTreeMap<String, usize>,
    /// `schema pointer.key` of each required key for which no valid value was found.
    pub unsynthesized: Vec<String>,
}

/// Read the table off the published document and the normalized one.
pub fn table(published: &Value, normalized: &Value) -> Table {
    let mut walk = Walk {
        published,
        normalized,
        defs: strict::defs(published),
        needs: BTreeMap::new(),
        built: BTreeMap::new(),
        table: Table::default(),
    };
    walk.needs = components_needing(&walk);
    for lookup::OperationRef { path, method, op } in lookup::operations(published) {
        let Some(ptr) = success_schema_pointer(path, method, op) else {
            continue;
        };
        if let Some(root) = walk.node(&ptr, 0) {
            walk.table.roots.insert(path.to_string(), root);
        }
    }
    walk.table
}

/// The pointer of the first 2xx JSON response schema of the operation at `path`.
fn success_schema_pointer(path: &str, method: &str, op: &Value) -> Option<String> {
    let method_ptr = format!("/paths/{}/{method}", crate::spec::pointer_escape(path));
    lookup::json_responses(op)
        .find(|(code, media)| code.starts_with('2') && media.get("schema").is_some())
        .map(|(code, _)| {
            format!(
                "{method_ptr}/responses/{}/content/application~1json/schema",
                crate::spec::pointer_escape(code)
            )
        })
}

/// What the walk over the published document keeps.
struct Walk<'a> {
    published: &'a Value,
    normalized: &'a Value,
    defs: Value,
    /// Whether each component leads to a key to fill (a fixpoint, for recursive schemas).
    needs: BTreeMap<String, bool>,
    /// The node of each component already built (or being built).
    built: BTreeMap<String, Option<usize>>,
    table: Table,
}

/// The component a `$ref` names.
fn component_of(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn component_pointer(name: &str) -> String {
    format!("/components/schemas/{}", crate::spec::pointer_escape(name))
}

/// Where a schema position sits below its parent.
enum Place {
    /// The value of this property.
    Property(String),
    /// Every array item.
    Items,
    /// Every map value.
    Values,
    /// An `allOf` member: merged into the parent.
    Member,
}

/// The schema positions directly below the one at `ptr` that this table descends into:
/// properties, `items`, `additionalProperties`, `allOf` members, with their pointers.
fn children(schema: &Value, ptr: &str) -> Vec<(Place, String)> {
    let escape = crate::spec::pointer_escape;
    let mut out = Vec::new();
    for name in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.keys())
    {
        out.push((
            Place::Property(name.clone()),
            format!("{ptr}/properties/{}", escape(name)),
        ));
    }
    if schema.get("items").is_some_and(Value::is_object) {
        out.push((Place::Items, format!("{ptr}/items")));
    }
    if schema
        .get("additionalProperties")
        .is_some_and(Value::is_object)
    {
        out.push((Place::Values, format!("{ptr}/additionalProperties")));
    }
    let members = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    out.extend((0..members).map(|i| (Place::Member, format!("{ptr}/allOf/{i}"))));
    out
}

/// Every component that leads to a key to fill, through any number of references.
fn components_needing(walk: &Walk<'_>) -> BTreeMap<String, bool> {
    let names: Vec<String> = walk
        .published
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|c| c.keys().cloned())
        .collect();
    let mut needs: BTreeMap<String, bool> = names.iter().map(|n| (n.clone(), false)).collect();
    loop {
        let mut changed = false;
        for name in &names {
            if !needs[name] && needs_at(walk, &needs, &component_pointer(name), 0) {
                needs.insert(name.clone(), true);
                changed = true;
            }
        }
        if !changed {
            return needs;
        }
    }
}

/// Whether the schema at `ptr` leads to a key to fill, given what is known of the components.
fn needs_at(walk: &Walk<'_>, needs: &BTreeMap<String, bool>, ptr: &str, depth: usize) -> bool {
    let Some(schema) = walk.published.pointer(ptr) else {
        return false;
    };
    if let Some(name) = component_of(schema) {
        return needs.get(name).copied().unwrap_or(false);
    }
    if depth > MAX_WALK_DEPTH {
        return false;
    }
    !dropped_required(walk, ptr).is_empty()
        || !null_rejected(walk, ptr).is_empty()
        || children(schema, ptr)
            .iter()
            .any(|(_, child)| needs_at(walk, needs, child, depth + 1))
}

/// The `required` keys of the object at `ptr` of `doc`.
fn required_keys(doc: &Value, ptr: &str) -> BTreeSet<String> {
    doc.pointer(ptr).map(lookup::required).unwrap_or_default()
}

/// The keys the published object at `ptr` requires and the normalized one at the same place
/// does not.
fn dropped_required(walk: &Walk<'_>, ptr: &str) -> Vec<String> {
    let normalized = required_keys(walk.normalized, ptr);
    let mut out: Vec<String> = required_keys(walk.published, ptr)
        .into_iter()
        .filter(|k| !normalized.contains(k))
        .collect();
    out.sort();
    out
}

/// The keys both documents require of the object at `ptr` that the normalized one lets be
/// `null` (so the types write `null` for `None`) and the published one does not (a nullable
/// component whose `allOf` member is not nullable: OpenAPI 3.0.3 keeps the member's type).
fn null_rejected(walk: &Walk<'_>, ptr: &str) -> Vec<String> {
    let normalized = required_keys(walk.normalized, ptr);
    let mut out: Vec<String> = required_keys(walk.published, ptr)
        .into_iter()
        .filter(|k| normalized.contains(k))
        .filter(|k| {
            let prop =
                |doc: &Value| property_pointer(doc, ptr, k).and_then(|p| doc.pointer(&p).cloned());
            match (prop(walk.normalized), prop(walk.published)) {
                (Some(n), Some(p)) => {
                    nullable(walk.normalized, &n, 0) && !accepts_null(walk.published, &p, 0)
                }
                _ => false,
            }
        })
        .collect();
    out.sort();
    out
}

/// Whether `spec::strict`'s reading of the published `schema` accepts `null`: a `type` without
/// `nullable` does not; `nullable` without `type` does; otherwise its `enum`, `$ref` and every
/// `allOf` member must.
fn accepts_null(doc: &Value, schema: &Value, depth: usize) -> bool {
    if depth > MAX_SYNTH_DEPTH {
        return true;
    }
    let members = schema.get("enum").and_then(Value::as_array);
    // `nullable`, or an `enum` that lists `null` (`spec::strict`'s reading).
    let own = schema.get("nullable") == Some(&Value::Bool(true))
        || members.is_some_and(|m| m.contains(&Value::Null));
    let typed = schema.get("type").is_some();
    if typed != own {
        return own;
    }
    if members.is_some() && !own {
        return false;
    }
    if schema.get("$ref").is_some() && !accepts_null(doc, lookup::deref(doc, schema), depth + 1) {
        return false;
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .all(|m| accepts_null(doc, m, depth + 1))
}

impl Walk<'_> {
    /// The node of the schema at `ptr`, if it leads to a key to fill.
    fn node(&mut self, ptr: &str, depth: usize) -> Option<usize> {
        let schema = self.published.pointer(ptr)?;
        if let Some(name) = component_of(schema) {
            return self.component(name, depth);
        }
        if depth > MAX_WALK_DEPTH || !needs_at(self, &self.needs, ptr, 0) {
            return None;
        }
        let index = self.table.nodes.len();
        self.table.nodes.push(Node::default());
        let node = self.build(ptr, depth);
        self.table.nodes[index] = node;
        Some(index)
    }

    fn component(&mut self, name: &str, depth: usize) -> Option<usize> {
        if let Some(built) = self.built.get(name) {
            return *built;
        }
        if !self.needs.get(name).copied().unwrap_or(false) {
            self.built.insert(name.to_string(), None);
            return None;
        }
        // Reserved before its children are built, so a schema that contains itself refers back.
        let index = self.table.nodes.len();
        self.table.nodes.push(Node::default());
        self.built.insert(name.to_string(), Some(index));
        let node = self.build(&component_pointer(name), depth + 1);
        self.table.nodes[index] = node;
        Some(index)
    }

    /// The node of an object, array or map position, `allOf` members merged into it.
    fn build(&mut self, ptr: &str, depth: usize) -> Node {
        let mut node = Node::default();
        let Some(schema) = self.published.pointer(ptr) else {
            return node;
        };
        for key in dropped_required(self, ptr) {
            match self.fill_value(ptr, &key, true) {
                Some(value) => node.fills.push((key, value)),
                None => self.table.unsynthesized.push(format!("{ptr}.{key}")),
            }
        }
        for key in null_rejected(self, ptr) {
            match self.fill_value(ptr, &key, false) {
                Some(value) => node.nulls.push((key, value)),
                None => self.table.unsynthesized.push(format!("{ptr}.{key}")),
            }
        }
        for (place, child) in children(schema, ptr) {
            let Some(index) = self.node(&child, depth + 1) else {
                continue;
            };
            match place {
                Place::Property(name) => node.fields.push((name, index)),
                Place::Items => node.items = Some(index),
                Place::Values => node.values = Some(index),
                Place::Member => merge(&mut node, self.table.nodes[index].clone()),
            }
        }
        node
    }

    /// The value written for the required key `key` of the object at `ptr`: `null` where the
    /// published property is nullable (and `null` is a candidate), else a synthesized value;
    /// either validated.
    fn fill_value(&self, ptr: &str, key: &str, null_first: bool) -> Option<Value> {
        let prop_ptr = property_pointer(self.published, ptr, key)?;
        let prop = self.published.pointer(&prop_ptr)?;
        // `null` first where the schema says nullable; a value where `null` does not validate
        // after all (a nullable object whose `allOf` member is not).
        let null = (null_first && nullable(self.published, prop, 0)).then_some(Value::Null);
        let with_examples = synthesize(self.published, prop, true, 0);
        let without = synthesize(self.published, prop, false, 0);
        let candidates = null.into_iter().chain(with_examples).chain(without);
        let validator = strict::validator(&strict::root(prop, &self.defs)).ok()?;
        candidates
            .into_iter()
            .find(|v| strict::errors(&validator, v, 1).is_empty())
    }
}

/// Merge an `allOf` member's node into its parent's.
fn merge(into: &mut Node, member: Node) {
    for fill in member.fills {
        if !into.fills.iter().any(|(k, _)| *k == fill.0) {
            into.fills.push(fill);
        }
    }
    for fill in member.nulls {
        if !into.nulls.iter().any(|(k, _)| *k == fill.0) {
            into.nulls.push(fill);
        }
    }
    into.fields.extend(member.fields);
    into.items = into.items.or(member.items);
    into.values = into.values.or(member.values);
}

/// Where the object at `ptr` (or one of its `allOf` members) defines property `key`.
fn property_pointer(doc: &Value, ptr: &str, key: &str) -> Option<String> {
    let schema = doc.pointer(ptr)?;
    if let Some(name) = component_of(schema) {
        return property_pointer(doc, &component_pointer(name), key);
    }
    if schema
        .pointer(&format!("/properties/{}", crate::spec::pointer_escape(key)))
        .is_some()
    {
        return Some(format!(
            "{ptr}/properties/{}",
            crate::spec::pointer_escape(key)
        ));
    }
    let members = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    (0..members).find_map(|i| property_pointer(doc, &format!("{ptr}/allOf/{i}"), key))
}

/// The generated module `conform.rs`.
pub fn emit(published: &Value, normalized: &Value) -> anyhow::Result<ConformFile> {
    let table = table(published, normalized);
    let nodes = table.nodes.iter().map(node_tokens);
    let arms = table.roots.iter().map(|(path, index)| {
        let index = proc_macro2::Literal::usize_unsuffixed(*index);
        quote!(#path => #index,)
    });
    let fills: usize = table.nodes.iter().map(|n| n.fills.len()).sum();
    let nulls: usize = table
        .nodes
        .iter()
        .flat_map(|n| &n.fills)
        .filter(|(_, v)| v.is_null())
        .count();
    let replaced: usize = table.nodes.iter().map(|n| n.nulls.len()).sum();
    let tokens: TokenStream = quote! {
        use crate::runtime::conform::Node;

        /// The table's nodes; [`root`] and each node's fields, items and values index into it.
        pub static NODES: &[Node] = &[#(#nodes),*];

        /// The node of the success body of the operation at `path` (its template), if the
        /// published spec requires a key in it that the generated types may leave out.
        pub fn root(path: &str) -> ::std::option::Option<usize> {
            ::std::option::Option::Some(match path {
                #(#arms)*
                _ => return ::std::option::Option::None,
            })
        }
    };
    for missing in &table.unsynthesized {
        println!("conform: no valid value found for the required key {missing}");
    }
    Ok(ConformFile {
        file: syn::parse2(tokens)?,
        summary: format!(
            "conform: {fills} keys the published spec requires and the types may omit ({nulls} \
             null, {} synthesized) and {replaced} whose `null` it rejects, in {} nodes, reached \
             from {} operations; {} without a valid value",
            fills - nulls,
            table.nodes.len(),
            table.roots.len(),
            table.unsynthesized.len()
        ),
    })
}

fn node_tokens(node: &Node) -> TokenStream {
    let pairs = |list: &[(String, Value)]| -> Vec<TokenStream> {
        list.iter()
            .map(|(key, value)| {
                let text = value.to_string();
                quote!((#key, #text))
            })
            .collect()
    };
    let (fills, nulls) = (pairs(&node.fills), pairs(&node.nulls));
    let fields = node
        .fields
        .iter()
        .map(|(key, index)| quote!((#key, #index)));
    let option = |o: Option<usize>| match o {
        Some(i) => quote!(::std::option::Option::Some(#i)),
        None => quote!(::std::option::Option::None),
    };
    let (items, values) = (option(node.items), option(node.values));
    quote! {
        Node {
            fills: &[#(#fills),*],
            nulls: &[#(#nulls),*],
            fields: &[#(#fields),*],
            items: #items,
            values: #values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs() -> (Value, Value) {
        let text = include_str!("../../../tests/fixtures/published.yml");
        let published = crate::spec::parse(text.as_bytes()).expect("fixture parses");
        let (normalized, _) =
            crate::repair::normalize(published.clone(), &crate::repair::Evidence::default());
        (published, normalized)
    }

    fn fills_of(table: &Table, index: usize) -> BTreeMap<String, Value> {
        table.nodes[index].fills.iter().cloned().collect()
    }

    fn field(table: &Table, index: usize, key: &str) -> usize {
        table.nodes[index]
            .fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, i)| *i)
            .unwrap_or_else(|| panic!("no field {key} in {:?}", table.nodes[index]))
    }

    #[test]
    fn keys_the_examples_dropped_are_filled_null_or_with_a_valid_value() {
        let (published, normalized) = docs();
        let table = table(&published, &normalized);
        assert!(table.unsynthesized.is_empty(), "{:?}", table.unsynthesized);
        let root = table.roots["/widget/get"];
        let widget = field(&table, root, "widget");
        assert_eq!(
            fills_of(&table, widget),
            BTreeMap::from([
                ("checked_at".to_string(), json!("2024-01-01T00:00:00Z")),
                ("risk".to_string(), Value::Null),
                ("tier".to_string(), json!("low")),
            ])
        );
        let part = table.nodes[field(&table, root, "parts")]
            .items
            .expect("items");
        assert_eq!(
            fills_of(&table, part),
            BTreeMap::from([
                ("since".to_string(), json!("2024-01-01")),
                (
                    "spec".to_string(),
                    json!({"size": 1, "unit": "low", "labels": ["xx"]})
                ),
            ])
        );
    }

    #[test]
    fn a_null_the_published_schema_rejects_is_replaced_by_a_valid_value() {
        let (published, normalized) = docs();
        let table = table(&published, &normalized);
        let widget = field(&table, table.roots["/widget/get"], "widget");
        assert_eq!(
            table.nodes[widget].nulls,
            vec![("owner".to_string(), json!({"name": ""}))]
        );
        // `risk` is nullable in both readings: its `null` stays.
        assert!(table.nodes[widget].nulls.iter().all(|(k, _)| k != "risk"));
    }

    #[test]
    fn map_values_share_the_component_node() {
        let (published, normalized) = docs();
        let table = table(&published, &normalized);
        let root = table.roots["/widget/list"];
        let widgets = field(&table, root, "widgets");
        let value = table.nodes[widgets].values.expect("values");
        let get_widget = field(&table, table.roots["/widget/get"], "widget");
        assert_eq!(value, get_widget, "one node per component");
    }

    #[test]
    fn nothing_is_filled_where_the_normalized_spec_still_requires_it() {
        let (published, _) = docs();
        let table = table(&published, &published);
        assert!(table.nodes.iter().all(|n| n.fills.is_empty()), "{table:?}");
    }

    #[test]
    fn the_emitted_module_parses_and_counts() {
        let (published, normalized) = docs();
        let file = emit(&published, &normalized).expect("emits");
        assert!(
            file.summary.starts_with("conform: 5 keys")
                && file
                    .summary
                    .contains("(1 null, 4 synthesized) and 1 whose `null`"),
            "{}",
            file.summary
        );
    }
}
