//! **Constructors for what a caller sends**, a pass over progenitor's `types` syntax tree.
//!
//! A request struct literal must name every field, so a request with 17 fields took 13 `None`s,
//! and every optional field Plaid added broke every caller. This pass gives every type a caller
//! *sends* a constructor and setters, and closes it to struct literals:
//!
//! - **Which types**: the request body type of every operation (progenitor's `body` parameter,
//!   the spec's `requestBody`), and every type reachable from those *only*: a type also
//!   reachable from a response, an error, or any type outside the request bodies' reach (a
//!   webhook body, say) is one a caller also reads, and stays as it is. Nothing is listed by
//!   name. `cargo xtask spec diff` applies the same rule to the spec's components
//!   ([`crate::spec::lookup::schema_uses`]).
//! - **What they get**: `new(required…)` taking exactly the required fields (a `String` or a
//!   string newtype as `impl Into<…>`, so `"access-sandbox-…"` works), a plain chainable setter
//!   per optional field (`pub fn options(mut self, value: T) -> Self`), and `#[non_exhaustive]`,
//!   so that adding an optional field to a request is not a breaking change. Fields stay `pub`
//!   for reading and writing; `Default`, serde and `Debug` are untouched.
//! - **Idempotency keys**: the `new` of a request whose operation takes an `idempotency_key`
//!   fills a fresh one (`plaid_client::idempotency::fresh_key`), so the key belongs to the
//!   value: sending the same value again, after a timeout or a crash, reuses it. Its setter
//!   sets a key of the caller's own.
//! - A request body typed as a bare JSON object (no properties left) gets `new()` too.
//! - Every string newtype converts from `&str` as it does from `String`, which is what lets
//!   `new` take `impl Into<AccessToken>` and a setter take `"…".into()`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, Fields, Item, ItemStruct};

use super::struct_serde::{read_fields, Absent};
use super::syntax::{last_segment, local_type_name, option_inner};

/// The field a keyed operation's request carries its idempotency key in.
const KEY_FIELD: &str = "idempotency_key";

/// What the operations say about the types: the roots of what is sent and what is received.
#[derive(Debug, Default)]
pub struct Requests {
    /// Each operation's request body type, and whether the operation takes an idempotency key.
    pub bodies: BTreeMap<String, bool>,
    /// Each operation's response and error types.
    pub received: BTreeSet<String>,
}

/// What the pass did, for the generator's summary line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Request body types given `new` and setters.
    pub request_types: usize,
    /// Types sent only inside requests given `new` and setters.
    pub nested_types: usize,
    /// Request types whose `new` fills a fresh idempotency key.
    pub keyed: usize,
    /// Setters written.
    pub setters: usize,
    /// Sent structs left as they were (a serde attribute the pass does not read).
    pub left_open: usize,
    /// String newtypes given `From<&str>`.
    pub from_str_impls: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} request types and {} types sent only inside them get `new` and {} setters \
             ({} fill a fresh idempotency key; {} left open); {} string newtypes convert from &str",
            self.request_types,
            self.nested_types,
            self.setters,
            self.keyed,
            self.left_open,
            self.from_str_impls
        )
    }
}

/// The sent types: reachable from a request body and from nothing a caller receives.
pub fn sent_types(items: &[Item], requests: &Requests) -> BTreeSet<String> {
    let graph = references(items);
    let roots: Vec<String> = requests
        .bodies
        .keys()
        .filter(|name| graph.contains_key(*name))
        .cloned()
        .collect();
    let sent_reach = closure(&graph, roots);
    let received_roots = graph
        .keys()
        .filter(|name| !sent_reach.contains(*name))
        .chain(requests.received.iter())
        .cloned()
        .collect();
    let received_reach = closure(&graph, received_roots);
    sent_reach.difference(&received_reach).cloned().collect()
}

/// Add constructors and setters to every sent type, and `From<&str>` to every string newtype.
pub fn add_constructors(items: &mut Vec<Item>, requests: &Requests) -> Counts {
    let sent = sent_types(items, requests);
    let string_newtypes: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(st) if is_string_newtype(st) => Some(st.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut counts = Counts::default();
    let mut added: Vec<(usize, Item)> = Vec::new();
    for (index, item) in items.iter_mut().enumerate() {
        let Item::Struct(st) = item else { continue };
        let name = st.ident.to_string();
        if string_newtypes.contains(&name) {
            let ident = &st.ident;
            added.push((
                index,
                parse_quote! {
                    impl ::std::convert::From<&str> for #ident {
                        fn from(value: &str) -> Self {
                            Self(value.to_string())
                        }
                    }
                },
            ));
            counts.from_str_impls += 1;
            continue;
        }
        if !sent.contains(&name) {
            continue;
        }
        let root = requests.bodies.get(&name);
        let keyed = root.copied().unwrap_or(false);
        let built = match &st.fields {
            Fields::Named(_) => constructors(st, keyed, &string_newtypes),
            // A request body typed as a bare JSON object: nothing to set but its entries.
            Fields::Unnamed(_) if root.is_some() && is_map_newtype(st) => Some(empty_new(st)),
            _ => continue,
        };
        let Some((imp, setters)) = built else {
            counts.left_open += 1;
            continue;
        };
        st.attrs.push(parse_quote!(#[non_exhaustive]));
        added.push((index, imp));
        counts.setters += setters;
        if root.is_some() {
            counts.request_types += 1;
        } else {
            counts.nested_types += 1;
        }
        counts.keyed += usize::from(keyed);
    }
    // Each impl right after its struct (from the back, so indices stay valid).
    for (index, imp) in added.into_iter().rev() {
        items.insert(index + 1, imp);
    }
    counts
}

/// How `new` fills one field, and the setter it gets (if any).
struct Plan {
    /// `Some(param)` for a field `new` takes.
    param: Option<TokenStream>,
    init: TokenStream,
    setter: Option<TokenStream>,
}

/// `impl X { new, setters }` for a struct with named fields, and how many setters; `None` if
/// a field's serde attributes are outside what the serde pass reads.
fn constructors(
    st: &ItemStruct,
    keyed: bool,
    string_newtypes: &BTreeSet<String>,
) -> Option<(Item, usize)> {
    let rules = read_fields(st)?;
    let Fields::Named(named) = &st.fields else {
        return None;
    };
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut required = Vec::new();
    for (field, rule) in named.named.iter().zip(&rules) {
        let ident = &rule.ident;
        let is_key = keyed && rule.key == KEY_FIELD;
        let plan = plan_field(&field.ty, ident, &rule.absent, is_key, string_newtypes);
        if plan.param.is_some() {
            required.push(format!("`{}`", rule.key));
        }
        params.extend(plan.param);
        inits.push(plan.init);
        // A setter named `new` would clash with the constructor; the field stays settable.
        if ident != "new" {
            setters.extend(plan.setter);
        }
    }
    let ident = &st.ident;
    let doc = new_doc(&required, keyed);
    let n = setters.len();
    let imp: Item = parse_quote! {
        impl #ident {
            #[doc = #doc]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }
    };
    Some((imp, n))
}

fn plan_field(
    ty: &syn::Type,
    ident: &syn::Ident,
    absent: &Absent,
    is_key: bool,
    string_newtypes: &BTreeSet<String>,
) -> Plan {
    let inner = option_inner(ty);
    let doc = format!(" Set [`{0}`](Self::{0}).", ident);
    let setter = |value_ty: &syn::Type, store: TokenStream| {
        quote! {
            #[doc = #doc]
            pub fn #ident(mut self, value: #value_ty) -> Self {
                self.#ident = #store;
                self
            }
        }
    };
    if is_key {
        // The key belongs to the value: a fresh one now, the caller's own through the setter.
        let fresh = quote!(crate::idempotency::fresh_key().into());
        let (init, setter) = match inner {
            Some(t) => (
                quote!(#ident: ::std::option::Option::Some(#fresh),),
                setter(t, quote!(::std::option::Option::Some(value))),
            ),
            None => (quote!(#ident: #fresh,), setter(ty, quote!(value))),
        };
        return Plan {
            param: None,
            init,
            setter: Some(setter),
        };
    }
    if let Some(t) = inner {
        // Optional, or required but nullable (sent as `null` until set).
        let init = match absent {
            Absent::Call(path) => quote!(#ident: #path(),),
            _ => quote!(#ident: ::std::option::Option::None,),
        };
        return Plan {
            param: None,
            init,
            setter: Some(setter(t, quote!(::std::option::Option::Some(value)))),
        };
    }
    let init = match absent {
        Absent::Missing => return required_plan(ty, ident, string_newtypes),
        Absent::Call(path) => quote!(#ident: #path(),),
        Absent::Default | Absent::None => quote!(#ident: ::std::default::Default::default(),),
    };
    Plan {
        param: None,
        init,
        setter: Some(setter(ty, quote!(value))),
    }
}

/// A required field: a parameter of `new` (string-like ones as `impl Into<..>`), no setter.
fn required_plan(ty: &syn::Type, ident: &syn::Ident, string_newtypes: &BTreeSet<String>) -> Plan {
    let (param, init) = if is_string_like(ty, string_newtypes) {
        (
            quote!(#ident: impl ::std::convert::Into<#ty>),
            quote!(#ident: #ident.into(),),
        )
    } else {
        (quote!(#ident: #ty), quote!(#ident,))
    };
    Plan {
        param: Some(param),
        init,
        setter: None,
    }
}

fn new_doc(required: &[String], keyed: bool) -> String {
    let mut doc = if required.is_empty() {
        " A value with every field unset (or at its default); set fields with the methods named \
         after them."
            .to_string()
    } else {
        format!(
            " A value with its required fields ({}); set optional fields with the methods named \
             after them.",
            required.join(", ")
        )
    };
    if keyed {
        doc.push_str(
            "\n\n It carries a fresh `idempotency_key`: send this same value again (after a \
             timeout, from a queue, after a restart) and Plaid performs the operation once. Set \
             your own key with [`Self::idempotency_key`].",
        );
    }
    doc
}

/// `new()` for a request body typed as a bare JSON object.
fn empty_new(st: &ItemStruct) -> (Item, usize) {
    let ident = &st.ident;
    let imp = parse_quote! {
        impl #ident {
            /// An empty request body.
            pub fn new() -> Self {
                Self(::std::default::Default::default())
            }
        }
    };
    (imp, 0)
}

/// `String`, or a local newtype around one.
fn is_string_like(ty: &syn::Type, string_newtypes: &BTreeSet<String>) -> bool {
    is_string(ty) || local_type_name(ty).is_some_and(|n| string_newtypes.contains(&n))
}

fn is_string(ty: &syn::Type) -> bool {
    last_segment(ty).is_some_and(|(id, args)| id == "String" && args.is_none())
}

fn single_unnamed_field(st: &ItemStruct) -> Option<&syn::Type> {
    match &st.fields {
        Fields::Unnamed(u) if u.unnamed.len() == 1 => Some(&u.unnamed[0].ty),
        _ => None,
    }
}

fn is_string_newtype(st: &ItemStruct) -> bool {
    st.generics.params.is_empty() && single_unnamed_field(st).is_some_and(is_string)
}

fn is_map_newtype(st: &ItemStruct) -> bool {
    single_unnamed_field(st)
        .and_then(last_segment)
        .is_some_and(|(id, _)| id == "Map" || id == "HashMap")
}

/// Every named type of the module, with the local types its fields (or its alias) name.
fn references(items: &[Item]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for item in items {
        let (name, types): (String, Vec<&syn::Type>) = match item {
            Item::Struct(s) => (
                s.ident.to_string(),
                s.fields.iter().map(|f| &f.ty).collect(),
            ),
            Item::Enum(e) => (
                e.ident.to_string(),
                e.variants
                    .iter()
                    .flat_map(|v| v.fields.iter().map(|f| &f.ty))
                    .collect(),
            ),
            Item::Type(t) => (t.ident.to_string(), vec![&*t.ty]),
            _ => continue,
        };
        let mut names = BTreeSet::new();
        for ty in types {
            named_in(ty, &mut names);
        }
        graph.insert(name, names);
    }
    graph
}

/// The one-segment type names in `ty`, generic arguments included (`Option<Vec<X>>` → `X`).
fn named_in(ty: &syn::Type, out: &mut BTreeSet<String>) {
    match ty {
        syn::Type::Path(p) => {
            if p.qself.is_none() && p.path.segments.len() == 1 {
                out.insert(p.path.segments[0].ident.to_string());
            }
            for seg in &p.path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                    for arg in &args.args {
                        if let syn::GenericArgument::Type(t) = arg {
                            named_in(t, out);
                        }
                    }
                }
            }
        }
        syn::Type::Reference(r) => named_in(&r.elem, out),
        syn::Type::Array(a) => named_in(&a.elem, out),
        syn::Type::Slice(s) => named_in(&s.elem, out),
        syn::Type::Paren(p) => named_in(&p.elem, out),
        syn::Type::Group(g) => named_in(&g.elem, out),
        syn::Type::Tuple(t) => t.elems.iter().for_each(|e| named_in(e, out)),
        _ => {}
    }
}

/// Everything reachable from `roots` (the roots included).
fn closure(graph: &BTreeMap<String, BTreeSet<String>>, roots: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending = roots;
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        for next in graph.get(&name).into_iter().flatten() {
            if graph.contains_key(next) && !seen.contains(next) {
                pending.push(next.clone());
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    /// The type `name` and its impls, as text.
    fn about(items: &[Item], name: &str) -> String {
        items
            .iter()
            .filter(|i| match i {
                Item::Struct(s) => s.ident == name,
                Item::Impl(imp) => local_type_name(&imp.self_ty).is_some_and(|n| n == name),
                _ => false,
            })
            .map(|i| i.to_token_stream().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn sent_types_get_new_setters_and_non_exhaustive_and_keyed_ones_a_fresh_key() {
        let mut items = syn::parse_file(
            r#"
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct PayRequest {
                pub access_token: Token,
                pub amount: f64,
                pub description: ::std::string::String,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub idempotency_key: ::std::option::Option<PayKey>,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub options: ::std::option::Option<PayOptions>,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: ::std::vec::Vec<::std::string::String>,
                #[serde(default = "defaults::count")]
                pub count: i64,
                #[serde(deserialize_with = "::std::option::Option::deserialize")]
                pub note: ::std::option::Option<::std::string::String>,
                pub address: Address,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
            pub struct PayOptions {
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub fast: ::std::option::Option<bool>,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Address { pub city: ::std::string::String }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct PayResponse { pub address: Address, pub id: ::std::string::String }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Hook { pub options: PayOptions }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(transparent)]
            pub struct Token(pub ::std::string::String);
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(transparent)]
            pub struct PayKey(pub ::std::string::String);
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(transparent)]
            pub struct EmptyRequest(pub ::serde_json::Map<::std::string::String, ::serde_json::Value>);
            "#,
        )
        .expect("fixture parses")
        .items;
        let requests = Requests {
            bodies: [
                ("PayRequest".to_string(), true),
                ("EmptyRequest".to_string(), false),
            ]
            .into_iter()
            .collect(),
            received: ["PayResponse".to_string()].into_iter().collect(),
        };
        // PayOptions is reachable from Hook (not a request): it is also received. Address is
        // in a response. Only the two bodies are sent.
        assert_eq!(
            sent_types(&items, &requests),
            ["EmptyRequest", "PayKey", "PayRequest", "Token"]
                .iter()
                .map(ToString::to_string)
                .collect()
        );
        let counts = add_constructors(&mut items, &requests);
        assert_eq!(
            counts,
            Counts {
                request_types: 2,
                nested_types: 0,
                keyed: 1,
                setters: 5,
                left_open: 0,
                from_str_impls: 2,
            }
        );
        let pay = about(&items, "PayRequest");
        assert!(
            pay.contains("# [non_exhaustive] pub struct PayRequest"),
            "{pay}"
        );
        // Required fields are the parameters, strings and string newtypes as `impl Into`.
        assert!(
            pay.contains(
                "pub fn new (access_token : impl :: std :: convert :: Into < Token > , \
                 amount : f64 , description : impl :: std :: convert :: Into < :: std :: \
                 string :: String > , address : Address) -> Self"
            ),
            "{pay}"
        );
        for init in [
            "idempotency_key : :: std :: option :: Option :: Some (crate :: idempotency :: fresh_key () . into ())",
            "options : :: std :: option :: Option :: None",
            "tags : :: std :: default :: Default :: default ()",
            "count : defaults :: count ()",
            "note : :: std :: option :: Option :: None",
        ] {
            assert!(pay.contains(init), "{init} in {pay}");
        }
        for setter in [
            "pub fn idempotency_key (mut self , value : PayKey) -> Self",
            "pub fn options (mut self , value : PayOptions) -> Self",
            "pub fn tags (mut self , value : :: std :: vec :: Vec < :: std :: string :: String >) -> Self",
            "pub fn count (mut self , value : i64) -> Self",
            "pub fn note (mut self , value : :: std :: string :: String) -> Self",
        ] {
            assert!(pay.contains(setter), "{setter} in {pay}");
        }
        assert!(pay.contains("fresh `idempotency_key`"), "{pay}");
        // Received types are left as they are.
        for name in ["PayOptions", "Address", "PayResponse", "Hook"] {
            let text = about(&items, name);
            assert!(
                text.contains(&format!("pub struct {name}")),
                "{name}: {text}"
            );
            assert!(
                !text.contains("non_exhaustive") && !text.contains("fn new"),
                "{text}"
            );
        }
        let empty = about(&items, "EmptyRequest");
        assert!(empty.contains("# [non_exhaustive]"), "{empty}");
        assert!(empty.contains("pub fn new () -> Self"), "{empty}");
        assert!(about(&items, "Token").contains("From < & str > for Token"));
    }
}
