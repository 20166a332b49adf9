//! Normalization: named, general rules that repair defects of Plaid's published spec before
//! progenitor sees it.
//!
//! Each rule is keyed to a *defect* (a shape in the document), never to a schema name, is
//! idempotent (running it on its own output changes nothing), and counts what it changed, so a
//! spec bump shows at a glance whether Plaid fixed or multiplied a defect. The table in the
//! README is this module's `RULES`, in order.

mod evidence;
mod rules;
pub mod walk;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use evidence::{Evidence, ERROR_CODES_DIR};
pub use rules::header_body_names;
use rules::*;

use crate::spec;

/// One repair rule.
pub struct Rule {
    /// Stable kebab-case name, printed by `cargo xtask generate`.
    pub name: &'static str,
    /// The defect in the published spec, and what it does to progenitor or to decoding.
    pub defect: &'static str,
    /// The repair.
    pub repair: &'static str,
    apply: fn(&mut Value, &Evidence) -> usize,
}

/// The rules, in the order they run. Order matters where noted.
pub const RULES: &[Rule] = &[
    Rule {
        name: "string-enum-values",
        defect: "`type: string` enums list unquoted members (`3`, `4.1`, `true`); typify aborts with BadValue",
        repair: "turn number and boolean members of string enums into their string form",
        apply: string_enum_values,
    },
    Rule {
        name: "null-enum-members",
        defect: "enums list `null` as a member, often without `nullable: true`; typify emits broken types",
        repair: "drop `null` from the members and mark the schema `nullable: true` (runs before `nullable-components`)",
        apply: null_enum_members,
    },
    Rule {
        name: "non-media-content-keys",
        defect: "keys that are not media types (`examples: {}`) sit directly under `content`; progenitor hits todo!()",
        repair: "drop every key under a `content` map that is not a media type (`type/subtype`)",
        apply: non_media_content_keys,
    },
    Rule {
        name: "default-responses",
        defect: "operations declare `default: PlaidError` beside `200`; progenitor counts `default` as a second success type",
        repair: "rewrite `default` as the `4XX` and `5XX` ranges it stands for",
        apply: default_responses,
    },
    Rule {
        name: "missing-error-responses",
        defect: "some operations declare no error response, although Plaid answers every error with the same error object",
        repair: "give them `4XX`/`5XX` with the error schema most operations use (found in the spec, not named here)",
        apply: missing_error_responses,
    },
    Rule {
        name: "nullable-components",
        defect: "named schemas carry `nullable: true`; typify emits `struct X(Option<X>)`, duplicate and infinitely sized types",
        repair: "remove nullability from the component and put it on every property, array item and map value that refers to it (`allOf: [$ref]` + `nullable`), so `null` decodes as `None` exactly where the data can be null",
        apply: nullable_components,
    },
    Rule {
        name: "required-absent-from-examples",
        defect: "a property is listed in `required`, yet a response example of that schema omits it (the spec's own examples, or Plaid's docs examples kept in `openapi/evidence/`); decoding such a response fails with `missing field`",
        repair: "drop the property from `required` (it becomes an `Option`) wherever an example of the schema lacks it",
        apply: required_absent_from_examples,
    },
    Rule {
        name: "relax-validation-keywords",
        defect: "length, pattern, range and item-count limits become validating newtypes that reject the whole response when Plaid's data drifts (and `minLength: 0` emits code that fails -D warnings)",
        repair: "drop `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minItems`, `maxItems`, `uniqueItems`; the server validates, and the limits the ext needs (idempotency keys) are read from the original spec",
        apply: relax_validation_keywords,
    },
    Rule {
        name: "closed-objects",
        defect: "objects with `additionalProperties: false` become `deny_unknown_fields` types that fail on every field Plaid adds",
        repair: "drop `additionalProperties: false` (unknown fields are ignored)",
        apply: closed_objects,
    },
    Rule {
        name: "header-credentials-in-bodies",
        defect: "request bodies repeat the API keys that `securitySchemes` sends as headers (apiKey in header `PLAID-CLIENT-ID`, `PLAID-SECRET`) as optional `client_id`/`secret` properties; every request type carries two credential fields the client never fills (it sends the headers) and a caller must name. Orphan schemas (no operation or webhook reaches them, yet they are generated) carry them too",
        repair: "remove the property named after an apiKey header scheme (the header lower-cased, `-` → `_`, without the leading segment all such headers share), when its schema says it stands for that header (its description names the header), from every schema a caller builds: each request body schema (and its `allOf` members), and every schema that request bodies or orphan schemas reach and no response or webhook does; a received schema keeps it (it is data); credentials travel only in headers",
        apply: header_credentials_in_bodies,
    },
];

/// What normalization changed, rule by rule.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub counts: Vec<(&'static str, usize)>,
    /// Component schemas of the normalized spec that no operation and no webhook reaches
    /// (`spec::lookup::SchemaUse::orphan`): generated and kept, counted so a bump shows them.
    pub orphans: usize,
}

impl Report {
    pub fn print(&self) {
        println!("normalization rules (changes made):");
        for (name, n) in &self.counts {
            println!("  {name:<32} {n:>6}");
        }
        println!(
            "  ({} orphan schemas: no operation or webhook reaches them; generated, and their \
             header credentials removed as a caller's)",
            self.orphans
        );
    }
}

/// The rules as a Markdown table (the README's table is this output).
pub fn rules_markdown() -> String {
    let mut out =
        String::from("| # | rule | defect in the published spec | repair |\n|---|---|---|---|\n");
    for (i, r) in RULES.iter().enumerate() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            i + 1,
            r.name,
            r.defect,
            r.repair
        ));
    }
    out
}

/// Run every rule in order.
pub fn normalize(mut doc: Value, evidence: &Evidence) -> (Value, Report) {
    let mut report = Report::default();
    for rule in RULES {
        let n = (rule.apply)(&mut doc, evidence);
        report.counts.push((rule.name, n));
    }
    report.orphans = orphan_schemas(&doc);
    (doc, report)
}

/// A spec file as published and as the rules leave it.
pub struct Normalized {
    /// The file it was read from.
    pub path: PathBuf,
    /// As published (facts the repairs relax, such as length limits, are read here).
    pub original: Value,
    /// After every rule.
    pub doc: Value,
    /// What each rule changed.
    pub report: Report,
    /// `openapi/evidence/`, which the rules read.
    pub evidence: Evidence,
}

/// The evidence of the working tree at `root` (`openapi/evidence/`).
pub fn load_evidence(root: &Path) -> anyhow::Result<Evidence> {
    Evidence::load_dir(&spec::pin::evidence_dir(root))
}

/// How every command reads a spec: resolve it (the verified pinned file unless `spec_path`
/// names one), load and validate it, load the evidence, and normalize.
pub fn load_normalized(root: &Path, spec_path: Option<PathBuf>) -> anyhow::Result<Normalized> {
    let path = spec::resolve(root, spec_path)?;
    let original = spec::load(&path)?;
    let evidence = load_evidence(root)?;
    let (doc, report) = normalize(original.clone(), &evidence);
    Ok(Normalized {
        path,
        original,
        doc,
        report,
        evidence,
    })
}

/// `cargo xtask normalize`: print the rule counts; write the normalized spec as JSON to `out`.
pub fn run(root: &Path, spec_path: Option<PathBuf>, out: Option<&Path>) -> anyhow::Result<()> {
    let spec = load_normalized(root, spec_path)?;
    spec.report.print();
    if let Some(out) = out {
        std::fs::write(out, serde_json::to_vec_pretty(&spec.doc)?)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schemas: Value, paths: Value) -> Value {
        json!({"openapi": "3.0.0", "paths": paths, "components": {"schemas": schemas}})
    }

    /// Every rule must change nothing the second time.
    fn assert_idempotent(doc: Value) {
        let ev = Evidence::default();
        let (once, _) = normalize(doc, &ev);
        let (twice, report) = normalize(once.clone(), &ev);
        assert_eq!(once, twice);
        assert!(report.counts.iter().all(|(_, n)| *n == 0), "{report:?}");
    }

    #[test]
    fn string_enums_get_string_members_only_in_schema_positions() {
        let mut doc = spec(
            json!({"V": {"type": "string", "enum": ["a", 3, 4.1, true]},
                   "Obj": {"type": "object", "properties": {"enum": {"type": "string"}},
                           "example": {"type": "string", "enum": [1]}}}),
            json!({}),
        );
        assert_eq!(string_enum_values(&mut doc, &Evidence::default()), 3);
        assert_eq!(
            doc.pointer("/components/schemas/V/enum").unwrap(),
            &json!(["a", "3", "4.1", "true"])
        );
        // An example is data: untouched.
        assert_eq!(
            doc.pointer("/components/schemas/Obj/example/enum").unwrap(),
            &json!([1])
        );
    }

    #[test]
    fn null_members_become_nullable() {
        let mut doc = spec(
            json!({"E": {"type": "string", "enum": ["a", null]},
                   "OnlyNull": {"enum": [null]}}),
            json!({}),
        );
        assert_eq!(null_enum_members(&mut doc, &Evidence::default()), 2);
        assert_eq!(
            doc.pointer("/components/schemas/E").unwrap(),
            &json!({"type": "string", "enum": ["a"], "nullable": true})
        );
        assert_eq!(
            doc.pointer("/components/schemas/OnlyNull").unwrap(),
            &json!({"nullable": true})
        );
    }

    fn op_with(responses: Value) -> Value {
        json!({"/x": {"post": {"operationId": "x",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}},
                                        "examples": {}}},
            "responses": responses}}})
    }

    #[test]
    fn content_and_responses_are_repaired() {
        let err = json!({"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}});
        let mut paths = op_with(json!({"200": {"description": "ok"}, "default": err.clone()}));
        let bare = op_with(json!({"200": {"description": "ok"}}));
        paths["/y"] = bare["/x"].clone();
        let mut doc = spec(json!({"Err": {"type": "object"}}), paths);
        assert_eq!(non_media_content_keys(&mut doc, &Evidence::default()), 2);
        assert_eq!(default_responses(&mut doc, &Evidence::default()), 1);
        assert_eq!(missing_error_responses(&mut doc, &Evidence::default()), 1);
        for p in ["/x", "/y"] {
            let r = &doc["paths"][p]["post"]["responses"];
            assert_eq!(r["4XX"], err, "{p}");
            assert_eq!(r["5XX"], err, "{p}");
            assert!(r.get("default").is_none());
        }
        assert!(doc["paths"]["/x"]["post"]["requestBody"]["content"]
            .get("examples")
            .is_none());
    }

    #[test]
    fn nullability_moves_to_the_uses() {
        let mut doc = spec(
            json!({
                "N": {"type": "object", "nullable": true, "title": "N", "properties": {"a": {"type": "string"}}},
                "Holder": {"type": "object", "required": ["n"], "properties": {
                    "n": {"$ref": "#/components/schemas/N"},
                    "list": {"type": "array", "items": {"$ref": "#/components/schemas/N"}},
                    "plain": {"$ref": "#/components/schemas/Holder"}}},
                "Composed": {"allOf": [{"$ref": "#/components/schemas/N"}]}
            }),
            json!({}),
        );
        assert_eq!(nullable_components(&mut doc, &Evidence::default()), 3);
        let wrapped = json!({"allOf": [{"$ref": "#/components/schemas/N"}], "nullable": true});
        assert!(doc.pointer("/components/schemas/N/nullable").is_none());
        assert_eq!(
            doc.pointer("/components/schemas/Holder/properties/n")
                .unwrap(),
            &wrapped
        );
        assert_eq!(
            doc.pointer("/components/schemas/Holder/properties/list/items")
                .unwrap(),
            &wrapped
        );
        assert_eq!(
            doc.pointer("/components/schemas/Holder/properties/plain")
                .unwrap(),
            &json!({"$ref": "#/components/schemas/Holder"})
        );
        // A composition member is not a place data sits: left as is.
        assert_eq!(
            doc.pointer("/components/schemas/Composed/allOf/0").unwrap(),
            &json!({"$ref": "#/components/schemas/N"})
        );
    }

    #[test]
    fn required_fields_omitted_by_the_specs_own_examples_become_optional() {
        let paths = json!({"/x": {"post": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/R"},
            "examples": {"a": {"value": {"id": "1", "items": [{"k": 1}, {"k": 2, "tier": 3}]}}}
        }}}}}}});
        let mut doc = spec(
            json!({
                "R": {"type": "object", "required": ["id", "items", "request_id"], "properties": {
                    "id": {"type": "string"},
                    "request_id": {"type": "string"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/I"}}}},
                "I": {"allOf": [{"type": "object", "required": ["k", "tier"],
                                 "properties": {"k": {"type": "integer"}, "tier": {"type": "integer"}}}]}
            }),
            paths,
        );
        let evidence = Evidence {
            records: vec![("/x".into(), 200, json!({"id": "2", "request_id": "r"}))],
            ..Evidence::default()
        };
        assert_eq!(
            required_absent_from_examples(&mut doc, &Evidence::default()),
            2
        );
        assert_eq!(
            doc.pointer("/components/schemas/R/required").unwrap(),
            &json!(["id", "items"])
        );
        // Evidence (docs examples, recorded traffic) counts like the spec's own examples.
        assert_eq!(required_absent_from_examples(&mut doc, &evidence), 1);
        assert_eq!(
            doc.pointer("/components/schemas/R/required").unwrap(),
            &json!(["id"])
        );
        assert_eq!(
            doc.pointer("/components/schemas/I/allOf/0/required")
                .unwrap(),
            &json!(["k"])
        );
        assert_eq!(required_absent_from_examples(&mut doc, &evidence), 0);
    }

    #[test]
    fn validation_keywords_and_closed_objects_are_relaxed() {
        let mut doc = spec(
            json!({"S": {"type": "object", "additionalProperties": false, "properties": {
                "k": {"type": "string", "minLength": 0, "maxLength": 50, "pattern": "^a$"},
                "n": {"type": "integer", "minimum": 1},
                "l": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true}}}}),
            json!({}),
        );
        assert_eq!(relax_validation_keywords(&mut doc, &Evidence::default()), 6);
        assert_eq!(closed_objects(&mut doc, &Evidence::default()), 1);
        assert_eq!(
            doc.pointer("/components/schemas/S/properties/k").unwrap(),
            &json!({"type": "string"})
        );
    }

    #[test]
    fn credentials_repeated_from_header_schemes_leave_request_bodies() {
        let client_id = json!({"type": "string",
            "description": "Your `client_id`, in the `PLAID-CLIENT-ID` header or the body."});
        let secret = json!({"type": "string",
            "description": "Your `secret`, in the `PLAID-SECRET` header or the body."});
        let body = |name: &str| json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
        let mut doc = json!({"openapi": "3.0.0",
            "components": {
                "securitySchemes": {
                    "clientId": {"type": "apiKey", "in": "header", "name": "PLAID-CLIENT-ID"},
                    "secret": {"type": "apiKey", "in": "header", "name": "PLAID-SECRET"},
                    "plaidVersion": {"type": "apiKey", "in": "header", "name": "Plaid-Version"},
                    "bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": {
                    "ClientId": client_id, "Secret": secret,
                    "Req": {"type": "object", "required": ["token", "secret"], "properties": {
                        "token": {"type": "string"},
                        "client_id": {"$ref": "#/components/schemas/ClientId"},
                        "secret": {"$ref": "#/components/schemas/Secret"},
                        // Named like the version header, but not its body form.
                        "version": {"type": "string", "description": "The report version."}}},
                    "Composed": {"allOf": [{"$ref": "#/components/schemas/Base"},
                        {"type": "object", "properties": {"secret": {"$ref": "#/components/schemas/Secret"}}}]},
                    "Base": {"type": "object", "required": ["client_id"], "properties": {
                        "client_id": {"$ref": "#/components/schemas/ClientId"}}},
                    // A response's `client_id` is data (another customer's id): kept.
                    "Resp": {"type": "object", "properties": {
                        "client_id": {"type": "string", "description": "The end customer's client_id."},
                        "secret": {"$ref": "#/components/schemas/Secret"}}}}},
            "paths": {
                "/a": {"post": {"requestBody": body("Req"),
                    "responses": {"200": body("Resp")}}},
                "/b": {"post": {"requestBody": body("Composed"),
                    "responses": {"200": body("Resp")}}}}});
        assert_eq!(
            header_credentials_in_bodies(&mut doc, &Evidence::default()),
            4
        );
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Req"],
            json!({"type": "object", "required": ["token"], "properties": {
                "token": {"type": "string"},
                "version": {"type": "string", "description": "The report version."}}})
        );
        assert_eq!(schemas["Base"], json!({"type": "object", "properties": {}}));
        assert_eq!(schemas["Composed"]["allOf"][1]["properties"], json!({}));
        assert_eq!(
            schemas["Resp"]["properties"].as_object().map(|p| p.len()),
            Some(2)
        );
        assert_eq!(
            header_credentials_in_bodies(&mut doc, &Evidence::default()),
            0,
            "idempotent"
        );
    }

    #[test]
    fn orphan_schemas_lose_header_credentials_and_what_is_received_keeps_them() {
        let body = |name: &str| json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
        let creds = || {
            json!({
                "client_id": {"$ref": "#/components/schemas/ClientId"},
                "secret": {"$ref": "#/components/schemas/Secret"}})
        };
        let with_creds = |extra: Value| {
            let mut props = creds();
            props
                .as_object_mut()
                .into_iter()
                .for_each(|p| p.extend(extra.as_object().cloned().unwrap_or_default()));
            json!({"type": "object", "required": ["client_id", "secret"], "properties": props})
        };
        let mut doc = json!({"openapi": "3.0.0",
            "components": {
                "securitySchemes": {
                    "clientId": {"type": "apiKey", "in": "header", "name": "PLAID-CLIENT-ID"},
                    "secret": {"type": "apiKey", "in": "header", "name": "PLAID-SECRET"}},
                "schemas": {
                    "ClientId": {"type": "string",
                        "description": "Your `client_id`, in the `PLAID-CLIENT-ID` header or the body."},
                    "Secret": {"type": "string",
                        "description": "Your `secret`, in the `PLAID-SECRET` header or the body."},
                    // No operation and no webhook reaches it: a caller can only build it.
                    "OrphanRequest": with_creds(json!({
                        "options": {"$ref": "#/components/schemas/OrphanOptions"},
                        "shared": {"$ref": "#/components/schemas/Shared"}})),
                    // Reached only from the orphan: an orphan too, built by a caller.
                    "OrphanOptions": with_creds(json!({"count": {"type": "integer"}})),
                    // Reached from the orphan and from a response: received, kept.
                    "Shared": with_creds(json!({})),
                    // A response echoing the caller's id: data, kept.
                    "Resp": with_creds(json!({"shared": {"$ref": "#/components/schemas/Shared"}})),
                    // A webhook body: received, kept.
                    "Hook": with_creds(json!({
                        "webhook_type": {"type": "string"}, "webhook_code": {"type": "string"}})),
                    "Req": with_creds(json!({}))}},
            "paths": {"/a": {"post": {"requestBody": body("Req"),
                "responses": {"200": body("Resp")}}}}});
        let uses = crate::spec::lookup::schema_uses(&doc);
        let orphans: Vec<&String> = uses
            .iter()
            .filter(|(_, u)| u.orphan)
            .map(|(n, _)| n)
            .collect();
        // What only an orphan reaches is no operation's or webhook's either.
        assert_eq!(orphans, ["OrphanOptions", "OrphanRequest"]);
        assert!(uses["OrphanOptions"].built_by_caller());
        assert!(!uses["Shared"].built_by_caller());
        assert!(!uses["Hook"].built_by_caller() && uses["Hook"].in_webhooks);
        assert_eq!(
            header_credentials_in_bodies(&mut doc, &Evidence::default()),
            6,
            "Req, OrphanRequest and OrphanOptions lose both"
        );
        let schemas = &doc["components"]["schemas"];
        let keys = |name: &str| -> Vec<String> {
            schemas[name]["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(keys("OrphanRequest"), ["options", "shared"]);
        assert_eq!(schemas["OrphanRequest"].get("required"), None);
        assert_eq!(keys("OrphanOptions"), ["count"]);
        assert_eq!(keys("Req"), Vec::<String>::new());
        assert_eq!(keys("Shared"), ["client_id", "secret"]);
        assert_eq!(keys("Resp"), ["client_id", "secret", "shared"]);
        assert_eq!(
            keys("Hook"),
            ["client_id", "secret", "webhook_code", "webhook_type"]
        );
        assert_eq!(
            header_credentials_in_bodies(&mut doc, &Evidence::default()),
            0,
            "idempotent"
        );
        let (_, report) = normalize(doc, &Evidence::default());
        assert_eq!(report.orphans, 2);
    }

    #[test]
    fn header_names_map_to_body_properties() {
        let doc = json!({"components": {"securitySchemes": {
            "a": {"type": "apiKey", "in": "header", "name": "ACME-CLIENT-ID"},
            "b": {"type": "apiKey", "in": "header", "name": "Acme-Secret"},
            "c": {"type": "apiKey", "in": "query", "name": "acme-token"}}}});
        let mut found = header_credential_properties(&doc);
        found.sort();
        assert_eq!(
            found,
            [
                ("client_id".to_string(), "ACME-CLIENT-ID".to_string()),
                ("secret".to_string(), "Acme-Secret".to_string())
            ]
        );
        // One header alone keeps its whole name.
        let one = json!({"components": {"securitySchemes": {
            "a": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}}});
        assert_eq!(
            header_credential_properties(&one),
            [("x_api_key".to_string(), "X-Api-Key".to_string())]
        );
    }

    #[test]
    fn normalization_is_idempotent() {
        let doc = spec(
            json!({"N": {"type": "string", "nullable": true, "enum": ["a", 1, null]},
                   "H": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/N"}}}}),
            op_with(json!({"200": {"description": "ok"}, "default": {"description": "e"}})),
        );
        assert_idempotent(doc);
    }
}
