//! The operations table: one marker type per operation of the generated client, implementing
//! `plaid_client::Operation` (path, method, request/response/error types, idempotency-key limits),
//! and `visit_all`, which hands every operation to a generic visitor.
//!
//! It is derived from two sources so that nothing is keyed by hand: progenitor's generated
//! `Client` methods (for the Rust names and types, exactly as progenitor spelled them) and the
//! *original* spec (for facts the normalization relaxes, such as `idempotency_key` length limits).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use serde_json::Value;

use crate::codegen::passes::syntax::{last_segment, type_args};
use crate::spec::lookup::{request_property, spec_operation};

/// One operation, as the generated client exposes it.
#[derive(Debug, Clone)]
pub struct OperationInfo {
    pub fn_name: String,
    pub http_method: String,
    pub path: String,
    pub operation_id: String,
    pub body: Option<syn::Type>,
    pub response: syn::Type,
    pub error: syn::Type,
    pub binary_response: bool,
    pub idempotency_key: Option<KeyLimits>,
}

/// Final path segments of operations that only read: Plaid names its operations
/// `/<product>/<noun>/<verb>`, and these verbs change nothing on the server. Everything else
/// (create, update, remove, refresh, evaluate, cancel, sandbox fire/simulate ...) counts as a
/// write, which `plaid-client-ext` retries only when it carries an idempotency key.
pub const READ_ONLY_VERBS: &[&str] = &["get", "get_by_id", "list", "sync", "search", "download"];

impl OperationInfo {
    /// GET operations, and POST operations whose final path segment is a read-only verb.
    pub fn read_only(&self) -> bool {
        let verb = self.path.rsplit('/').next().unwrap_or_default();
        self.http_method == "GET" || READ_ONLY_VERBS.contains(&verb)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyLimits {
    pub required: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
}

/// Read the operations off progenitor's `impl Client` block, and complete them from the spec.
pub fn collect(file: &syn::File, original_spec: &Value) -> anyhow::Result<Vec<OperationInfo>> {
    let ids = operation_ids(original_spec);
    let mut out = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !is_type_named(&imp.self_ty, "Client") {
            continue;
        }
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if !matches!(f.vis, syn::Visibility::Public(_)) || f.sig.asyncness.is_none() {
                continue;
            }
            let fn_name = f.sig.ident.to_string();
            let (http_method, path) = doc_route(&f.attrs).ok_or_else(|| {
                anyhow::anyhow!("generated method {fn_name} has no `Sends a ... request to` doc")
            })?;
            let body = f.sig.inputs.iter().find_map(body_type);
            let (response, error) = result_types(&f.sig.output).ok_or_else(|| {
                anyhow::anyhow!("generated method {fn_name}: unexpected return type")
            })?;
            let binary_response = last_segment(&response).is_some_and(|(id, _)| id == "ByteStream");
            let key = (path.clone(), http_method.to_ascii_lowercase());
            let operation_id = ids.get(&key).cloned().unwrap_or_else(|| fn_name.clone());
            let idempotency_key = spec_operation(original_spec, &path, &http_method)
                .and_then(|op| request_property(original_spec, op, "idempotency_key"))
                .map(|(p, required)| KeyLimits {
                    required,
                    min_length: p.get("minLength").and_then(Value::as_u64),
                    max_length: p.get("maxLength").and_then(Value::as_u64),
                });
            out.push(OperationInfo {
                fn_name,
                http_method,
                path,
                operation_id,
                body,
                response,
                error,
                binary_response,
                idempotency_key,
            });
        }
    }
    out.sort_by(|a, b| a.fn_name.cmp(&b.fn_name));
    Ok(out)
}

/// What the constructors pass needs from the operations: each request body type (and whether
/// its operation takes an idempotency key), and every response and error type.
pub fn requests(ops: &[OperationInfo]) -> crate::codegen::passes::constructors::Requests {
    let mut out = crate::codegen::passes::constructors::Requests::default();
    for op in ops {
        if let Some(name) = op.body.as_ref().and_then(types_name) {
            *out.bodies.entry(name).or_default() |= op.idempotency_key.is_some();
        }
        out.received
            .extend([&op.response, &op.error].into_iter().filter_map(types_name));
    }
    out
}

/// The name of a type of progenitor's `types` module as the client names it (`types::X`).
fn types_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segments[..] {
        [module, name] if module.ident == "types" => Some(name.ident.to_string()),
        _ => None,
    }
}

/// The type of a method's `body` parameter, without its reference.
fn body_type(arg: &syn::FnArg) -> Option<syn::Type> {
    let syn::FnArg::Typed(pt) = arg else {
        return None;
    };
    let syn::Pat::Ident(name) = &*pt.pat else {
        return None;
    };
    if name.ident != "body" {
        return None;
    }
    Some(match &*pt.ty {
        syn::Type::Reference(r) => (*r.elem).clone(),
        other => other.clone(),
    })
}

fn is_type_named(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident(name))
}

fn doc_route(attrs: &[syn::Attribute]) -> Option<(String, String)> {
    let mut text = String::new();
    for a in attrs {
        let syn::Meta::NameValue(nv) = &a.meta else {
            continue;
        };
        if !nv.path.is_ident("doc") {
            continue;
        }
        if let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        {
            text.push_str(&s.value());
            text.push('\n');
        }
    }
    let (_, rest) = text.split_once("Sends a `")?;
    let (method, rest) = rest.split_once('`')?;
    let rest = rest.strip_prefix(" request to `")?;
    let (path, _) = rest.split_once('`')?;
    Some((method.to_string(), path.to_string()))
}

/// `Result<ResponseValue<T>, Error<E>>` → `(T, E)`.
fn result_types(output: &syn::ReturnType) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let args = type_args(ty, "Result")?;
    let ok = *type_args(args.first()?, "ResponseValue")?.first()?;
    let err = *type_args(args.get(1)?, "Error")?.first()?;
    Some((ok.clone(), err.clone()))
}

fn operation_ids(spec: &Value) -> BTreeMap<(String, String), String> {
    crate::spec::lookup::operations(spec)
        .filter_map(|o| {
            let id = o.op.get("operationId").and_then(Value::as_str)?;
            Some(((o.path.to_string(), o.method.to_string()), id.to_string()))
        })
        .collect()
}

/// PascalCase marker name from progenitor's snake_case method name.
pub fn marker_name(fn_name: &str) -> syn::Ident {
    let pascal: String = fn_name
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    format_ident!("{}", pascal)
}

/// Items other tables attach to the operations module (the paging impls): some before the
/// markers, some right after the marker of an operation, by client method name.
#[derive(Debug, Default)]
pub struct Attached {
    pub prelude: Vec<TokenStream>,
    pub after: BTreeMap<String, TokenStream>,
}

/// The `operations` module's tokens.
pub fn emit(ops: &[OperationInfo], attached: &Attached) -> TokenStream {
    let mut markers: Vec<TokenStream> = attached.prelude.clone();
    let mut visits = Vec::new();
    let mut json_visits = Vec::new();
    for op in ops {
        let marker = marker_name(&op.fn_name);
        markers.push(marker_items(op, &marker));
        if let Some(extra) = attached.after.get(&op.fn_name) {
            markers.push(extra.clone());
        }
        if !op.binary_response {
            json_visits.push(quote!(visitor.visit::<#marker>();));
        }
        visits.push(quote!(visitor.visit::<#marker>();));
    }
    let ids = ops.iter().map(|op| op.operation_id.as_str());
    quote! {
        use crate::generated::types;
        use crate::ByteStream;

        /// The `operationId` of every operation this build compiles (its features decide), in a
        /// stable order.
        pub const OPERATION_IDS: &[&str] = &[#(#ids),*];

        /// How many operations this build compiles (all of the spec's with `full`).
        pub const COUNT: usize = OPERATION_IDS.len();

        /// Hand every operation to `visitor`, in a stable order.
        pub fn visit_all<V: crate::OperationVisitor>(visitor: &mut V) {
            #(#visits)*
        }

        /// Hand every JSON operation (all but the PDF/ZIP ones) to `visitor`, in a stable order.
        pub fn visit_json<V: crate::JsonOperationVisitor>(visitor: &mut V) {
            #(#json_visits)*
        }

        #(#markers)*
    }
}

/// One operation's marker type, its `Operation` impl, the `RequestBody` impl of its request
/// type, and the marker traits that say how it is sent and what it answers.
fn marker_items(op: &OperationInfo, marker: &syn::Ident) -> TokenStream {
    let id = &op.operation_id;
    let method = &op.http_method;
    let path = &op.path;
    let doc = format!(
        " `{method} {path}` (operationId `{id}`; raw client method `{}`).",
        op.fn_name
    );
    let request = match &op.body {
        Some(t) => quote!(#t),
        None => quote!(()),
    };
    let response = &op.response;
    let error = &op.error;
    let read_only = op.read_only();
    let format = if op.binary_response {
        quote!(crate::ResponseFormat::Binary)
    } else {
        quote!(crate::ResponseFormat::Json)
    };
    let key = key_field(op.idempotency_key.as_ref());
    let key_fns = key_fns(op.idempotency_key.as_ref());
    let request_body = op.body.as_ref().map(|body| {
        quote! {
            impl crate::RequestBody for #body {
                type Operation = #marker;
            }
        }
    });
    let post = (op.body.is_some() && !op.path.contains("{") && op.http_method == "POST")
        .then(|| quote!(impl crate::PostOperation for #marker {}));
    let kind = if op.binary_response {
        quote!(impl crate::BinaryOperation for #marker {})
    } else {
        quote!(impl crate::JsonOperation for #marker {})
    };
    quote! {
        #request_body
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #marker;
        impl crate::Operation for #marker {
            const OPERATION_ID: &'static str = #id;
            const METHOD: &'static str = #method;
            const PATH: &'static str = #path;
            const RESPONSE_FORMAT: crate::ResponseFormat = #format;
            const READ_ONLY: bool = #read_only;
            const IDEMPOTENCY_KEY: Option<crate::IdempotencyKeyField> = #key;
            type Request = #request;
            type Response = #response;
            type Error = #error;
            #key_fns
        }
        #post
        #kind
    }
}

/// The `IDEMPOTENCY_KEY` constant's value.
fn key_field(key: Option<&KeyLimits>) -> TokenStream {
    let Some(k) = key else {
        return quote!(None);
    };
    let required = k.required;
    let min = opt_usize(k.min_length);
    let max = opt_usize(k.max_length);
    quote!(Some(crate::IdempotencyKeyField {
        required: #required,
        min_length: #min,
        max_length: #max,
    }))
}

/// The key accessors of a keyed operation (a required key is a plain field, an optional one an
/// `Option`).
fn key_fns(key: Option<&KeyLimits>) -> TokenStream {
    match key {
        None => quote!(),
        Some(k) if k.required => quote! {
            fn idempotency_key(request: &Self::Request) -> Option<&str> {
                Some(request.idempotency_key.as_str()).filter(|k| !k.is_empty())
            }
            fn set_idempotency_key(request: &mut Self::Request, key: String) {
                request.idempotency_key = key.into();
            }
        },
        Some(_) => quote! {
            fn idempotency_key(request: &Self::Request) -> Option<&str> {
                request.idempotency_key.as_ref().map(|k| k.as_str()).filter(|k| !k.is_empty())
            }
            fn set_idempotency_key(request: &mut Self::Request, key: String) {
                request.idempotency_key = Some(key.into());
            }
        },
    }
}

/// The generator's line about the operations: how many, of which kinds.
pub fn summary(ops: &[OperationInfo], expected: usize) -> String {
    let keyed = ops.iter().filter(|o| o.idempotency_key.is_some()).count();
    let read_only = ops.iter().filter(|o| o.read_only()).count();
    let binary = ops.iter().filter(|o| o.binary_response).count();
    format!(
        "generated {} of {expected} operations ({} JSON, {binary} binary; {read_only} read-only; {keyed} with an idempotency_key)",
        ops.len(),
        ops.len() - binary,
    )
}

fn opt_usize(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = n as usize;
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}
