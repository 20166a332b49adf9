//! Finds Plaid's paginated operations from the shapes of their request and response types, and
//! emits `plaid_client::CursorSync` / `plaid_client::Paginated` implementations for their markers.
//!
//! Detection reads the structs progenitor generated (field names *and* Rust types, so the emitted
//! glue always matches what progenitor wrote) plus the original spec for limits the normalization
//! relaxes (`count`'s maximum). Nothing is keyed to an operation name: a spec bump that adds an
//! endpoint of a known shape gets a helper without hand work. The shapes (Plaid's API reference,
//! `/transactions/sync`, `/wallet/list`, `/transactions/get`, `/transfer/event/sync`):
//!
//! - cursor sync: request `cursor`; response `next_cursor` and `has_more`;
//! - cursor list: request `cursor`; response `next_cursor`, no `has_more`, one paged array;
//! - event sync: request `after_id`; one paged array whose items carry an integer `event_id`;
//! - offset list: request `count` and `offset` (directly or in its `options` object); one paged
//!   array.
//!
//! Which arrays are *paged* (split across pages) rather than context repeated on each page: an
//! array named by an integer `total_<name>` field; else the sync delta arrays `added`,
//! `modified`, `removed`; else the response's only array.

use std::collections::BTreeMap;

use quote::format_ident;
use serde_json::Value;

mod emit;
use emit::{emit, emit_text_newtype};

use crate::codegen::passes::syntax::{
    derives, field, fields, is_plain, last_segment, local_type_name, option_inner, single_arg,
    trait_name,
};
use crate::codegen::tables::operations::{marker_name, Attached, OperationInfo};
use crate::spec::lookup::{request_property, spec_operation};

/// The delta arrays of a sync response (`/transactions/sync`'s `added`, `modified`, `removed`).
const SYNC_DELTA_FIELDS: &[&str] = &["added", "modified", "removed"];

#[derive(Debug, Clone)]
pub enum Shape {
    CursorSync {
        count: Option<FieldPath>,
        max_count: Option<i64>,
        paged: Vec<syn::Ident>,
    },
    CursorList {
        /// The request's `cursor` field type (the response's `next_cursor` has the same value type).
        cursor: syn::Type,
        items: Paged,
    },
    Offset {
        count: FieldPath,
        offset: FieldPath,
        total: Option<syn::Ident>,
        items: Paged,
    },
    AfterId {
        count: Option<FieldPath>,
        has_more: bool,
        items: Paged,
    },
}

/// The one paged array of a list: its field and element type (as progenitor spelled it).
#[derive(Debug, Clone)]
pub struct Paged {
    pub field: syn::Ident,
    pub item: syn::Type,
}

/// Where an integer request field lives: on the request, or inside its `options` object.
#[derive(Debug, Clone)]
pub struct FieldPath {
    pub field: syn::Ident,
    /// `Some((options_field, options_is_option))` when nested.
    pub parent: Option<(syn::Ident, bool)>,
}

/// What detection found, for the xtask's summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub cursor_sync: usize,
    pub cursor_list: usize,
    pub offset: usize,
    pub after_id: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cursor syncs, {} cursor lists, {} offset lists, {} event syncs",
            self.cursor_sync, self.cursor_list, self.offset, self.after_id
        )
    }
}

/// What detection found.
pub struct Detection {
    pub counts: Counts,
    /// The trait impls to attach to the operations module: `CursorField` for the string
    /// newtypes (`pub struct Cursor(pub String)`) that some struct uses as a `cursor` or
    /// `next_cursor` field, so the paging glue reads and writes them like `String`; and each
    /// paginated marker's `CursorSync` or `Paginated` impl.
    pub impls: Attached,
}

/// Find the paginated operations among `ops`, reading the generated `types`.
pub fn detect(ops: &[OperationInfo], types: &[syn::Item], original: &Value) -> Detection {
    let ctx = Ctx::new(types);
    let mut shapes = BTreeMap::new();
    let mut counts = Counts::default();
    for op in ops.iter().filter(|o| !o.binary_response) {
        let Some(req) = op.body.as_ref().and_then(|t| ctx.lookup(t)) else {
            continue;
        };
        let Some(resp) = ctx.lookup(&op.response) else {
            continue;
        };
        if let Some(shape) = classify(op, req, resp, &ctx, original) {
            match shape {
                Shape::CursorSync { .. } => counts.cursor_sync += 1,
                Shape::CursorList { .. } => counts.cursor_list += 1,
                Shape::Offset { .. } => counts.offset += 1,
                Shape::AfterId { .. } => counts.after_id += 1,
            }
            shapes.insert(op.fn_name.clone(), shape);
        }
    }
    let impls = Attached {
        prelude: cursor_newtypes(&ctx)
            .iter()
            .map(emit_text_newtype)
            .collect(),
        after: shapes
            .iter()
            .map(|(fn_name, shape)| (fn_name.clone(), emit(&marker_name(fn_name), shape)))
            .collect(),
    };
    Detection { counts, impls }
}

fn cursor_newtypes(ctx: &Ctx<'_>) -> Vec<syn::Ident> {
    let mut used = std::collections::BTreeSet::new();
    for s in ctx.structs.values() {
        for name in ["cursor", "next_cursor"] {
            let Some(ty) = field(s, name) else { continue };
            let ty = option_inner(ty).unwrap_or(ty);
            if let Some(n) = local_type_name(ty).filter(|n| ctx.text_newtypes.contains(n)) {
                used.insert(n);
            }
        }
    }
    used.into_iter().map(|n| format_ident!("{}", n)).collect()
}

/// What classification needs to know about the generated types.
struct Ctx<'a> {
    structs: BTreeMap<String, &'a syn::ItemStruct>,
    /// Types with a `Default` implementation (derived or written out by progenitor).
    defaults: std::collections::BTreeSet<String>,
    /// Tuple structs wrapping one `String`.
    text_newtypes: std::collections::BTreeSet<String>,
}

impl<'a> Ctx<'a> {
    fn new(types: &'a [syn::Item]) -> Self {
        let mut ctx = Ctx {
            structs: BTreeMap::new(),
            defaults: Default::default(),
            text_newtypes: Default::default(),
        };
        for item in types {
            match item {
                syn::Item::Struct(s) => {
                    let name = s.ident.to_string();
                    if derives(&s.attrs, "Default") {
                        ctx.defaults.insert(name.clone());
                    }
                    if let syn::Fields::Unnamed(f) = &s.fields {
                        if f.unnamed.len() == 1 && is_plain(&f.unnamed[0].ty, "String") {
                            ctx.text_newtypes.insert(name.clone());
                        }
                    }
                    ctx.structs.insert(name, s);
                }
                syn::Item::Impl(i) => {
                    let is_default = trait_name(i).as_deref() == Some("Default");
                    if let (true, Some(name)) = (is_default, local_type_name(&i.self_ty)) {
                        ctx.defaults.insert(name);
                    }
                }
                _ => {}
            }
        }
        ctx
    }

    fn lookup(&self, ty: &syn::Type) -> Option<&'a syn::ItemStruct> {
        let (id, _) = last_segment(ty)?;
        self.structs.get(&id.to_string()).copied()
    }

    fn has(&self, s: &syn::ItemStruct, name: &str, kind: Kind) -> bool {
        field(s, name).is_some_and(|t| self.is_kind(t, kind))
    }

    /// Whether `ty` is of `kind`, plain or in an `Option` (what the `plaid_client::pagination`
    /// field traits accept; text also as a string newtype).
    fn is_kind(&self, ty: &syn::Type, kind: Kind) -> bool {
        let orig = ty;
        let ty = option_inner(ty).unwrap_or(ty);
        match kind {
            Kind::Text => {
                is_plain(ty, "String")
                    || local_type_name(ty).is_some_and(|n| self.text_newtypes.contains(&n))
            }
            Kind::Cursor => {
                self.is_kind(ty, Kind::Text)
                    || (option_inner(orig).is_some()
                        && last_segment(ty).is_some_and(|(id, _)| id == "DateTime"))
            }
            Kind::Int => is_plain(ty, "i64"),
            Kind::Flag => is_plain(ty, "bool"),
        }
    }
}

/// The response's paged arrays (those with a `total_<name>`, else the sync deltas, else the
/// only array) and all its arrays with their element types; `None` when it has no clear one.
#[allow(clippy::type_complexity)]
fn paged_arrays(
    resp: &syn::ItemStruct,
    ctx: &Ctx<'_>,
) -> Option<(Vec<syn::Ident>, Vec<(syn::Ident, syn::Type)>)> {
    let arrays: Vec<(syn::Ident, syn::Type)> = fields(resp)
        .filter_map(|(id, ty)| list_item(ty).map(|item| (id.clone(), item.clone())))
        .collect();
    let totals: Vec<syn::Ident> = arrays
        .iter()
        .filter(|(id, _)| ctx.has(resp, &format!("total_{id}"), Kind::Int))
        .map(|(id, _)| id.clone())
        .collect();
    let deltas: Vec<syn::Ident> = arrays
        .iter()
        .filter(|(id, _)| SYNC_DELTA_FIELDS.contains(&id.to_string().as_str()))
        .map(|(id, _)| id.clone())
        .collect();
    let paged: Vec<syn::Ident> = if !totals.is_empty() {
        totals
    } else if !deltas.is_empty() {
        deltas
    } else if arrays.len() == 1 {
        vec![arrays[0].0.clone()]
    } else {
        return None;
    };
    Some((paged, arrays))
}

fn classify(
    op: &OperationInfo,
    req: &syn::ItemStruct,
    resp: &syn::ItemStruct,
    ctx: &Ctx<'_>,
    original: &Value,
) -> Option<Shape> {
    let has = |s: &syn::ItemStruct, name: &str, kind: Kind| ctx.has(s, name, kind);
    let (paged, arrays) = paged_arrays(resp, ctx)?;
    let single = || single_paged(&paged, &arrays);
    let int_path = |name: &str| int_field_path(req, ctx, name);

    if has(req, "cursor", Kind::Text)
        && has(resp, "next_cursor", Kind::Text)
        && has(resp, "has_more", Kind::Flag)
    {
        return Some(Shape::CursorSync {
            count: int_path("count").filter(|p| p.parent.is_none()),
            max_count: count_maximum(op, original),
            paged,
        });
    }
    if has(req, "cursor", Kind::Cursor) && has(resp, "next_cursor", Kind::Cursor) {
        let cursor = field(req, "cursor")?.clone();
        return Some(Shape::CursorList {
            cursor,
            items: single()?,
        });
    }
    if has(req, "after_id", Kind::Int) {
        let items = single()?;
        let element = local_type_name(&items.item).and_then(|n| ctx.structs.get(&n))?;
        if !has(element, "event_id", Kind::Int) {
            return None;
        }
        return Some(Shape::AfterId {
            count: int_path("count"),
            has_more: has(resp, "has_more", Kind::Flag),
            items,
        });
    }
    if let (Some(count), Some(offset)) = (int_path("count"), int_path("offset")) {
        let items = single()?;
        let total = [format!("total_{}", items.field), "total".to_string()]
            .into_iter()
            .find(|n| has(resp, n, Kind::Int))
            .map(|n| format_ident!("{}", n));
        return Some(Shape::Offset {
            count,
            offset,
            total,
            items,
        });
    }
    None
}

/// The one paged array, with its element type; `None` unless exactly one array is paged.
fn single_paged(paged: &[syn::Ident], arrays: &[(syn::Ident, syn::Type)]) -> Option<Paged> {
    let [field] = paged else {
        return None;
    };
    let item = arrays.iter().find(|(id, _)| id == field)?.1.clone();
    Some(Paged {
        field: field.clone(),
        item,
    })
}

#[derive(Clone, Copy)]
enum Kind {
    /// A string (or string newtype): sync cursors.
    Text,
    /// A string, string newtype or UTC timestamp: list cursors.
    Cursor,
    Int,
    Flag,
}

fn int_field_path(req: &syn::ItemStruct, ctx: &Ctx<'_>, name: &str) -> Option<FieldPath> {
    if ctx.has(req, name, Kind::Int) {
        return Some(FieldPath {
            field: format_ident!("{}", name),
            parent: None,
        });
    }
    let options = field(req, "options")?;
    let optional = option_inner(options).is_some();
    let inner = option_inner(options).unwrap_or(options);
    let nested_name = local_type_name(inner)?;
    let nested = ctx.structs.get(&nested_name)?;
    // A missing `options` object is created with its defaults, so its type must have them.
    if optional && !ctx.defaults.contains(&nested_name) {
        return None;
    }
    Some(nested)
        .filter(|n| ctx.has(n, name, Kind::Int))
        .map(|_| FieldPath {
            field: format_ident!("{}", name),
            parent: Some((format_ident!("options"), optional)),
        })
}

/// `count`'s maximum in the *original* spec (normalization relaxes validation keywords).
fn count_maximum(op: &OperationInfo, original: &Value) -> Option<i64> {
    let operation = spec_operation(original, &op.path, &op.http_method)?;
    let (count, _) = request_property(original, operation, "count")?;
    count.get("maximum").and_then(Value::as_i64)
}

/// The element type of `Vec<T>` or `Option<Vec<T>>`.
fn list_item(ty: &syn::Type) -> Option<&syn::Type> {
    single_arg(option_inner(ty).unwrap_or(ty), "Vec")
}
