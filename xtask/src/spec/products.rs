//! Which Plaid product each operation and each webhook belongs to: the Cargo feature of
//! `plaid-client` that compiles it. Read off the spec by general rules (none names an
//! operation or a schema), so a spec bump places new operations by itself:
//!
//! 1. `docs-product`: the operation's `externalDocs.url` is under `/api/products/<slug>/`
//!    (Plaid documents each product on its own page): feature `<slug>`.
//! 2. `docs-area`: it is under `/api/<area>/` (an API reference page that is not a
//!    product's and not the Sandbox's): feature `<area>`, or the core for [`CORE_AREAS`].
//! 3. `path`: anything else (Sandbox operations, pages outside the API reference, no docs): the
//!    first segment of the path after `sandbox`, `beta` and version segments, resolved by
//!    [`Resolver::resolve`]. So `/sandbox/transactions/create` belongs to `transactions` and
//!    `/sandbox/transfer/simulate` to `transfer`: a Sandbox operation simulates its product.
//!
//! A webhook belongs to the resolution of its `webhook_type` (`TRANSACTIONS` → `transactions`,
//! `HOLDINGS` → the product whose paths hold `holdings`, `ITEM` → the core).
//!
//! Feature names are the docs' slugs, lowercase with `-` between words (`payment-initiation`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::lookup;

/// The API reference areas every application needs, compiled whatever features are on: linking
/// Items (Link tokens, public token exchange, `/item/*`), reading their accounts, looking up
/// institutions, and verifying webhooks (`/webhook_verification_key/get`). Error types come
/// along because every operation reaches them.
pub const CORE_AREAS: &[&str] = &["accounts", "items", "link", "institutions", "webhooks"];

/// Path segments skipped before the one that names the product (`/sandbox/...`, `/beta/...`,
/// `/v1/`-style versions are checked by [`is_version`]).
const PREFIX_SEGMENTS: &[&str] = &["sandbox", "beta"];

/// The feature of every operation and webhook type (`None`: the core).
#[derive(Debug, Default)]
pub struct Products {
    /// By `(METHOD, path)`, the method in upper case.
    pub operations: BTreeMap<(String, String), Option<String>>,
    /// By `webhook_type` value.
    pub webhook_types: BTreeMap<String, Option<String>>,
    /// How many operations each rule placed, by rule name.
    pub counts: BTreeMap<&'static str, usize>,
}

impl Products {
    /// Every feature name (not the core), sorted.
    pub fn features(&self) -> BTreeSet<String> {
        self.operations
            .values()
            .chain(self.webhook_types.values())
            .flatten()
            .cloned()
            .collect()
    }

    /// The feature of one operation (`None`: the core, or an operation the spec does not have).
    pub fn of_operation(&self, method: &str, path: &str) -> Option<&str> {
        self.operations
            .get(&(method.to_ascii_uppercase(), path.to_string()))
            .and_then(Option::as_deref)
    }

    /// One line for the generator's output.
    pub fn summary(&self) -> String {
        let rules: Vec<String> = self
            .counts
            .iter()
            .map(|(r, n)| format!("{n} by {r}"))
            .collect();
        let core = self.operations.values().filter(|f| f.is_none()).count();
        format!(
            "products: {} features; operations {} ({core} in the core); {} webhook types",
            self.features().len(),
            rules.join(", "),
            self.webhook_types.len()
        )
    }
}

/// Place every operation and webhook type of `doc` (the spec as published).
pub fn classify(doc: &Value, webhook_types: &BTreeSet<String>) -> Products {
    let mut products = Products::default();
    let mut by_path = Vec::new();
    for op in lookup::operations(doc) {
        let key = (op.method.to_ascii_uppercase(), op.path.to_string());
        match docs_rule(op.op) {
            Some((rule, feature)) => {
                *products.counts.entry(rule).or_default() += 1;
                products.operations.insert(key, feature);
            }
            None => by_path.push(key),
        }
    }
    let by_docs = products.operations.clone();
    let resolver = Resolver::new(&by_docs);
    for key in by_path {
        let feature = resolver.resolve(first_segment(&key.1).unwrap_or_default());
        *products.counts.entry("path").or_default() += 1;
        products.operations.insert(key, feature);
    }
    let resolver = Resolver::new(&products.operations);
    for t in webhook_types {
        products
            .webhook_types
            .insert(t.clone(), resolver.resolve(&t.to_ascii_lowercase()));
    }
    products
}

/// The feature that enables every product (and the types nothing reaches).
pub const FULL: &str = "full";

/// Where each operation and component schema belongs, as `spec diff` and the changelog name it.
#[derive(Debug, Default)]
pub struct Places {
    /// `METHOD /path` → its feature, or `core`.
    pub operations: BTreeMap<String, String>,
    /// Schema name → the features (or `core`, or `full` for what nothing reaches).
    pub schemas: BTreeMap<String, BTreeSet<String>>,
}

/// Read off the spec alone: an operation's feature (or `core`); a schema's, the features of the
/// operations whose request or responses reach it and of the webhooks that do (by their
/// `webhook_type`); a schema nothing reaches belongs to `full`. The generator's gates come from
/// the same placement, over the generated types' graph instead of `$ref`s.
pub fn places(doc: &Value) -> Places {
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let webhooks: Vec<(&String, String)> = components
        .into_iter()
        .flatten()
        .filter(|(_, s)| lookup::is_webhook_schema(s))
        .filter_map(|(name, s)| {
            let t = lookup::webhook_literal(s.pointer("/properties/webhook_type")?)?;
            Some((name, t))
        })
        .collect();
    let types = webhooks.iter().map(|(_, t)| t.clone()).collect();
    let products = classify(doc, &types);
    let label = |f: &Option<String>| f.clone().unwrap_or_else(|| "core".to_string());
    let mut places = Places::default();
    let place = |places: &mut Places, root: &Value, feature: String| {
        let mut seen = BTreeSet::new();
        lookup::reach(doc, root, &mut seen);
        for name in seen {
            places
                .schemas
                .entry(name)
                .or_default()
                .insert(feature.clone());
        }
    };
    for op in lookup::operations(doc) {
        let key = (op.method.to_ascii_uppercase(), op.path.to_string());
        let feature = label(products.operations.get(&key).unwrap_or(&None));
        for part in ["requestBody", "responses"] {
            if let Some(v) = op.op.get(part) {
                place(&mut places, v, feature.clone());
            }
        }
        places
            .operations
            .insert(format!("{} {}", key.0, key.1), feature);
    }
    for (name, t) in &webhooks {
        let feature = label(products.webhook_types.get(t).unwrap_or(&None));
        let reference = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
        place(&mut places, &reference, feature);
    }
    for name in components.into_iter().flatten().map(|(n, _)| n) {
        places
            .schemas
            .entry(name.clone())
            .or_insert_with(|| BTreeSet::from([FULL.to_string()]));
    }
    places
}

/// Rules 1 and 2: the product or area of the operation's reference page, if it has one.
fn docs_rule(op: &Value) -> Option<(&'static str, Option<String>)> {
    let url = op.pointer("/externalDocs/url")?.as_str()?;
    // Plaid writes them relative to its docs site (`/api/products/...`); absolute ones
    // (`https://plaid.com/docs/api/...`) read the same.
    let rest = url
        .strip_prefix("/api/")
        .or_else(|| url.split("/docs/api/").nth(1))?;
    let mut parts = rest.split(['/', '#']).filter(|s| !s.is_empty());
    match parts.next()? {
        "products" => Some(("docs-product", Some(feature_name(parts.next()?)))),
        "sandbox" => None,
        area if CORE_AREAS.contains(&area) => Some(("docs-area", None)),
        area => Some(("docs-area", Some(feature_name(area)))),
    }
}

/// A docs slug or a path word as a Cargo feature name.
fn feature_name(slug: &str) -> String {
    slug.to_ascii_lowercase().replace('_', "-")
}

fn is_version(segment: &str) -> bool {
    segment.len() > 1
        && segment.starts_with('v')
        && segment[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The path's segments without the leading ones that name no product.
fn segments(path: &str) -> Vec<&str> {
    let all: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let skip = all
        .iter()
        .take_while(|s| PREFIX_SEGMENTS.contains(s) || is_version(s))
        .count();
    all[skip..]
        .iter()
        .copied()
        .filter(|s| !is_version(s))
        .collect()
}

fn first_segment(path: &str) -> Option<&str> {
    segments(path).first().copied()
}

/// Resolves a path segment or a lowercased `webhook_type` to a feature, from the operations
/// already placed.
pub struct Resolver<'a> {
    placed: &'a BTreeMap<(String, String), Option<String>>,
    features: BTreeSet<String>,
}

impl<'a> Resolver<'a> {
    fn new(placed: &'a BTreeMap<(String, String), Option<String>>) -> Self {
        let features = placed.values().flatten().cloned().collect();
        Resolver { placed, features }
    }

    /// `name`, then its first `_`-separated word: a feature of that name; else the feature most
    /// placed operations whose first segment is `name` belong to; else most of those with `name`
    /// as any segment (ties: the alphabetically first; the core counts as a feature here). A name
    /// nothing matches belongs to the core.
    pub fn resolve(&self, name: &str) -> Option<String> {
        let word = name.split('_').next().unwrap_or(name);
        for candidate in [name, word] {
            if self.features.contains(&feature_name(candidate)) {
                return Some(feature_name(candidate));
            }
            let first = self.majority(|segs| segs.first() == Some(&candidate));
            if let Some(found) = first.or_else(|| self.majority(|segs| segs.contains(&candidate))) {
                return found;
            }
        }
        None
    }

    /// The most common placement among the operations whose segments satisfy `pick`.
    fn majority(&self, pick: impl Fn(&[&str]) -> bool) -> Option<Option<String>> {
        let mut votes: BTreeMap<Option<&String>, usize> = BTreeMap::new();
        for ((_, path), feature) in self.placed {
            if pick(&segments(path)) {
                *votes.entry(feature.as_ref()).or_default() += 1;
            }
        }
        let best = votes.values().copied().max()?;
        votes
            .into_iter()
            .find(|(_, n)| *n == best)
            .map(|(f, _)| f.cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(url: &str) -> Value {
        json!({ "externalDocs": { "url": url } })
    }

    #[test]
    fn docs_pages_name_products_and_areas() {
        let doc = json!({ "paths": {
            "/transactions/sync": { "post": op("https://plaid.com/docs/api/products/transactions/#transactionssync") },
            "/transfer/create": { "post": op("https://plaid.com/docs/api/products/transfer/initiating-transfers/#transfercreate") },
            "/item/get": { "post": op("/api/items/#itemget") },
            "/processor/auth/get": { "post": op("https://plaid.com/docs/api/processor-partners/#processorauthget") },
            "/sandbox/transactions/create": { "post": op("https://plaid.com/docs/api/sandbox/#sandboxtransactionscreate") },
            "/sandbox/transfer/simulate": { "post": op("https://plaid.com/docs/api/sandbox/#sandboxtransfersimulate") },
            "/sandbox/item/reset_login": { "post": op("https://plaid.com/docs/api/sandbox/#sandboxitemresetlogin") },
            "/beta/transactions/v1/enhance": { "post": {} },
            "/nothing/known": { "post": {} },
        }});
        let hooks = ["TRANSACTIONS", "ITEM", "TRANSFER_EVENTS", "UNHEARD_OF"]
            .map(String::from)
            .into_iter()
            .collect();
        let p = classify(&doc, &hooks);
        assert_eq!(
            p.of_operation("post", "/transactions/sync"),
            Some("transactions")
        );
        assert_eq!(p.of_operation("post", "/transfer/create"), Some("transfer"));
        assert_eq!(p.of_operation("post", "/item/get"), None);
        assert_eq!(
            p.of_operation("post", "/processor/auth/get"),
            Some("processor-partners")
        );
        assert_eq!(
            p.of_operation("post", "/sandbox/transactions/create"),
            Some("transactions")
        );
        assert_eq!(
            p.of_operation("post", "/sandbox/transfer/simulate"),
            Some("transfer")
        );
        assert_eq!(p.of_operation("post", "/sandbox/item/reset_login"), None);
        assert_eq!(
            p.of_operation("post", "/beta/transactions/v1/enhance"),
            Some("transactions")
        );
        assert_eq!(p.of_operation("post", "/nothing/known"), None);
        assert_eq!(
            p.webhook_types["TRANSACTIONS"].as_deref(),
            Some("transactions")
        );
        assert_eq!(p.webhook_types["ITEM"], None);
        assert_eq!(
            p.webhook_types["TRANSFER_EVENTS"].as_deref(),
            Some("transfer")
        );
        assert_eq!(p.webhook_types["UNHEARD_OF"], None);
        assert_eq!(p.counts["docs-product"], 2);
        assert_eq!(p.counts["docs-area"], 2);
        assert_eq!(p.counts["path"], 5);
    }

    #[test]
    fn schemas_belong_to_the_products_that_reach_them() {
        let body = |name: &str| json!({ "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{name}") } } } });
        let doc = json!({
            "paths": {
                "/transactions/sync": { "post": {
                    "externalDocs": { "url": "/api/products/transactions/#transactionssync" },
                    "requestBody": body("SyncRequest"),
                    "responses": { "200": body("SyncResponse") } } },
                "/transfer/get": { "post": {
                    "externalDocs": { "url": "/api/products/transfer/#transferget" },
                    "responses": { "200": body("TransferResponse") } } },
            },
            "components": { "schemas": {
                "SyncRequest": { "type": "object" },
                "SyncResponse": { "properties": { "t": { "$ref": "#/components/schemas/Shared" } } },
                "TransferResponse": { "properties": { "t": { "$ref": "#/components/schemas/Shared" } } },
                "Shared": { "type": "object" },
                "TransferHook": { "properties": {
                    "webhook_type": { "enum": ["TRANSFER"] }, "webhook_code": { "enum": ["X"] },
                    "h": { "$ref": "#/components/schemas/HookPart" } } },
                "HookPart": { "type": "object" },
                "Orphan": { "type": "object" },
            } },
        });
        let p = places(&doc);
        let of = |n: &str| p.schemas[n].iter().cloned().collect::<Vec<_>>().join(",");
        assert_eq!(p.operations["POST /transactions/sync"], "transactions");
        assert_eq!(of("SyncRequest"), "transactions");
        assert_eq!(of("Shared"), "transactions,transfer");
        assert_eq!(of("HookPart"), "transfer");
        assert_eq!(of("Orphan"), FULL);
    }
}
