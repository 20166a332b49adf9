//! No generated type a caller could *send* carries a `client_id` or `secret` field: those repeat
//! the API-key headers (`PLAID-CLIENT-ID`, `PLAID-SECRET`) that the client always sends, and
//! the generator's `header-credentials-in-bodies` rule removes them from every schema a caller
//! builds: request bodies, what they reach, and the spec's *orphan* schemas (no operation and no
//! webhook reaches them, yet they are generated). Only received types keep a `client_id`
//! (a partner's or an originator's: data, not the caller's credential).
//!
//! The test has its own reading, independent of the generator's: it finds every generated type
//! with such a field by decoding a probe into it, and every type something received reaches
//! through the response types' JSON Schemas.

use std::collections::BTreeSet;

use plaid_client::operations;
use plaid_client::redact::{visit_types, TypeVisitor, TYPE_COUNT};
use plaid_client::{JsonOperation, JsonOperationVisitor, Operation, OperationVisitor};

/// The body names of the API-key headers.
const HEADER_FIELDS: &[&str] = &["client_id", "secret"];

/// The last path segment of a Rust type's name, generics aside.
fn short_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base).to_string()
}

/// Whether `T` has a field with wire name `field`: a number there fails to decode as the
/// field's (string) type, while the same number under a key no type has is ignored (the
/// generated types ignore unknown fields) or fails the same way for a map type.
fn has_field<T: serde::de::DeserializeOwned>(field: &str) -> bool {
    let probe = |key: &str| {
        let body = serde_json::json!({ key: 5 });
        match serde_json::from_value::<T>(body) {
            Ok(_) => false,
            Err(e) => e.to_string().contains("invalid type: integer `5`"),
        }
    };
    probe(field) && !probe("zz_no_generated_type_has_this_field")
}

/// Every generated type, with the header fields it carries, and whether it is a webhook body.
#[derive(Default)]
struct Carriers {
    fields: Vec<(&'static str, &'static str)>,
    webhooks: BTreeSet<String>,
    visited: usize,
}

impl TypeVisitor for Carriers {
    fn visit<T: serde::de::DeserializeOwned + std::fmt::Debug>(&mut self, name: &'static str) {
        self.visited += 1;
        for field in HEADER_FIELDS {
            if has_field::<T>(field) {
                self.fields.push((name, field));
            }
        }
        if has_field::<T>("webhook_type") && has_field::<T>("webhook_code") {
            self.webhooks.insert(name.to_string());
        }
    }
}

fn carriers() -> Carriers {
    let mut c = Carriers::default();
    visit_types(&mut c);
    assert_eq!(c.visited, TYPE_COUNT);
    c
}

/// Every generated type a response reaches (the response types and their JSON Schemas'
/// definitions), and every operation's request type.
#[derive(Default)]
struct Reach {
    received: BTreeSet<String>,
    requests: BTreeSet<String>,
}

impl JsonOperationVisitor for Reach {
    fn visit<O: JsonOperation>(&mut self) {
        let schema = schemars::schema_for!(O::Response);
        self.received.insert(short_name::<O::Response>());
        if let Some(defs) = schema.get("$defs").and_then(|d| d.as_object()) {
            self.received.extend(defs.keys().cloned());
        }
    }
}

impl OperationVisitor for Reach {
    fn visit<O: Operation>(&mut self) {
        self.requests.insert(short_name::<O::Request>());
    }
}

fn reach() -> Reach {
    let mut r = Reach::default();
    operations::visit_json(&mut r);
    operations::visit_all(&mut r);
    assert!(r.requests.len() > 300, "{}", r.requests.len());
    r
}

/// Whether the JSON Schema of `T` (the type itself) has `field`.
fn schema_has<T: schemars::JsonSchema>(field: &str) -> bool {
    let schema = schemars::schema_for!(T);
    schema
        .get("properties")
        .and_then(|p| p.get(field))
        .is_some()
}

#[test]
fn no_request_type_carries_the_header_credentials() {
    let c = carriers();
    let r = reach();
    let in_requests: Vec<_> = c
        .fields
        .iter()
        .filter(|(name, _)| r.requests.contains(*name))
        .collect();
    assert!(in_requests.is_empty(), "{in_requests:?}");
}

/// A type nothing received reaches is one only a caller builds (a request, what it holds, or
/// an orphan schema): none may carry the header fields. Received types may (as data).
#[test]
fn only_received_types_carry_a_client_id_or_secret() {
    let c = carriers();
    let r = reach();
    let sendable: Vec<_> = c
        .fields
        .iter()
        .filter(|(name, _)| !r.received.contains(*name) && !c.webhooks.contains(*name))
        .collect();
    assert!(sendable.is_empty(), "{sendable:?}");
    // The probe finds fields at all: received types keep their `client_id`.
    assert!(
        c.fields.len() >= 4 && c.fields.iter().all(|(_, f)| *f == "client_id"),
        "{:?}",
        c.fields
    );
    assert!(c.webhooks.len() >= 80, "{}", c.webhooks.len());
}

/// The orphan request types of the pinned spec (issue 24): they lost both fields, while a
/// received type whose `client_id` refers to the same schema keeps it.
#[test]
fn orphan_requests_lose_them_and_responses_keep_theirs() {
    use plaid_client::types::*;
    for (name, has) in [
        (
            "TransactionsRecurringCreateRequest",
            schema_has::<TransactionsRecurringCreateRequest> as fn(&str) -> bool,
        ),
        (
            "TransactionsRecurringMergeRequest",
            schema_has::<TransactionsRecurringMergeRequest>,
        ),
        (
            "TransactionsRecurringUpdateRequest",
            schema_has::<TransactionsRecurringUpdateRequest>,
        ),
        (
            "CraCheckReportFreddieMacGetRequest",
            schema_has::<CraCheckReportFreddieMacGetRequest>,
        ),
        (
            "WalletTransactionsListRequest",
            schema_has::<WalletTransactionsListRequest>,
        ),
    ] {
        for field in HEADER_FIELDS {
            assert!(!has(field), "{name}.{field}");
        }
    }
    assert!(schema_has::<OAuthIntrospectResponse>("client_id"));
    assert!(schema_has::<PartnerEndCustomer>("client_id"));
    assert!(has_field::<OAuthIntrospectResponse>("client_id"));
}

/// The credential table still names both header fields for the text redactor, although no
/// request type carries them any more.
#[test]
fn the_redactor_still_knows_the_header_fields() {
    for field in HEADER_FIELDS {
        assert!(
            plaid_client::redact::CREDENTIAL_FIELDS.contains(field),
            "{field}"
        );
    }
}
