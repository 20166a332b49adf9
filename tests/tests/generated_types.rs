//! What the generated types accept and reject: nullability where the spec puts it, open enums,
//! request serialization, and the operations table.

use plaid_client::types::{
    AccountType, AccountsGetRequest, AccountsGetRequestOptions, AccountsGetResponse, PlaidError,
    PlaidErrorType, TransferCreateRequest,
};
use plaid_client::{operations, JsonOperation, JsonOperationVisitor, Operation, OperationVisitor};
use serde_json::json;

fn accounts_get_body() -> serde_json::Value {
    json!({
        "accounts": [{
            "account_id": "BxBXxLj1m4HMXBm9WZZmCWVbPjX16EHwv99vp",
            "balances": {"available": null, "current": 110.94, "iso_currency_code": "USD",
                         "limit": null, "unofficial_currency_code": null},
            "mask": null,
            "name": "Plaid Checking",
            "official_name": null,
            "subtype": "checking",
            "type": "depository"
        }],
        "item": {
            "available_products": [], "billed_products": ["auth"], "consent_expiration_time": null,
            "error": null, "institution_id": "ins_109508", "item_id": "Ed6bjNrDLJfGvZWwnkQlfxwoNz54B5C97ejBr",
            "update_type": "background", "webhook": ""
        },
        "request_id": "bkVE1BHWMAZ9Rnr"
    })
}

#[test]
fn nullable_fields_decode_null_as_none() {
    let r: AccountsGetResponse = serde_json::from_value(accounts_get_body()).expect("decodes");
    let a = &r.accounts[0];
    assert_eq!(a.balances.available, None);
    assert_eq!(a.balances.current, Some(110.94));
    assert_eq!(a.mask, None);
    assert!(r.item.error.is_none());
}

#[test]
fn non_nullable_required_fields_still_reject_null() {
    // The null probes of `cargo xtask conformance` only mean something if null is rejected where
    // the spec does not allow it.
    let mut body = accounts_get_body();
    body["accounts"][0]["account_id"] = serde_json::Value::Null;
    let err = serde_json::from_value::<AccountsGetResponse>(body).unwrap_err();
    assert!(err.to_string().contains("invalid type: null"), "{err}");
}

#[test]
fn unknown_enum_values_are_kept_not_rejected() {
    let mut body = accounts_get_body();
    body["accounts"][0]["type"] = json!("crypto_wallet");
    let r: AccountsGetResponse = serde_json::from_value(body).expect("a new enum value decodes");
    let ty = &r.accounts[0].type_;
    assert_eq!(ty, &AccountType::UnknownValue("crypto_wallet".into()));
    assert_eq!(ty.to_string(), "crypto_wallet");
    assert_eq!(serde_json::to_value(ty).unwrap(), json!("crypto_wallet"));
    // Known values stay typed, and parse both ways.
    assert_eq!(
        "depository".parse::<AccountType>().unwrap(),
        AccountType::Depository
    );
    assert_eq!(
        serde_json::to_value(AccountType::Depository).unwrap(),
        json!("depository")
    );
    assert_eq!(
        "not_yet_known".parse::<AccountType>().unwrap(),
        AccountType::UnknownValue("not_yet_known".into())
    );
}

#[test]
fn plaid_errors_with_new_types_decode() {
    let e: PlaidError = serde_json::from_value(json!({
        "error_type": "SOMETHING_NEW", "error_code": "BRAND_NEW_CODE",
        "error_message": "m", "display_message": null, "request_id": "r"
    }))
    .expect("decodes");
    assert_eq!(
        e.error_type,
        PlaidErrorType::UnknownValue("SOMETHING_NEW".into())
    );
    assert_eq!(e.error_code, "BRAND_NEW_CODE");
}

#[test]
fn optional_request_fields_are_omitted_not_sent_as_null() {
    let req = AccountsGetRequest::new("access-sandbox-x");
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"access_token": "access-sandbox-x"})
    );
    // A setter sets exactly its field; nested request types have their own `new`.
    let req = req.options(AccountsGetRequestOptions::new().account_ids(vec!["acc-1".into()]));
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"access_token": "access-sandbox-x", "options": {"account_ids": ["acc-1"]}})
    );
}

/// `new` takes exactly the required fields, leaves the optional ones unset, fills a fresh
/// idempotency key for a keyed operation, and no request carries credentials (they are headers).
#[test]
fn new_takes_the_required_fields_and_fills_a_fresh_key() {
    let a = TransferCreateRequest::new("access-sandbox-x", "acc-1", "auth-1", "payment");
    let json = serde_json::to_value(&a).unwrap();
    let key = json["idempotency_key"].as_str().expect("a key").to_string();
    assert_eq!(
        json,
        json!({"access_token": "access-sandbox-x", "account_id": "acc-1",
               "authorization_id": "auth-1", "description": "payment", "idempotency_key": key})
    );
    assert_eq!(
        key.chars().count(),
        plaid_client::idempotency::FRESH_KEY_CHARS
    );
    // Each `new` is a new operation; a copy of a value is the same one.
    let b = TransferCreateRequest::new("access-sandbox-x", "acc-1", "auth-1", "payment");
    assert_ne!(a.idempotency_key, b.idempotency_key);
    assert_eq!(a.clone().idempotency_key, a.idempotency_key);
    // A key of one's own replaces it, and reads back.
    let own = a.idempotency_key("order-42".into());
    assert_eq!(
        own.idempotency_key.as_deref().map(|k| k.as_str()),
        Some("order-42")
    );
    // A key survives a store: serialized and read back, the value keeps it.
    let stored: TransferCreateRequest = serde_json::from_value(json).unwrap();
    assert_eq!(
        stored.idempotency_key.as_deref().map(|k| k.as_str()),
        Some(key.as_str())
    );
}

/// The fresh key `new` fills fits every keyed operation's limits in the spec.
#[test]
fn fresh_keys_fit_every_keyed_operation() {
    struct Limits(Vec<(&'static str, plaid_client::IdempotencyKeyField)>);
    impl OperationVisitor for Limits {
        fn visit<O: Operation>(&mut self) {
            if let Some(field) = O::IDEMPOTENCY_KEY {
                self.0.push((O::OPERATION_ID, field));
            }
        }
    }
    let mut limits = Limits(Vec::new());
    operations::visit_all(&mut limits);
    assert_eq!(limits.0.len(), 12, "{:?}", limits.0);
    let key = plaid_client::idempotency::fresh_key();
    let len = key.chars().count();
    assert_eq!(len, plaid_client::idempotency::FRESH_KEY_CHARS);
    for (op, field) in &limits.0 {
        assert!(
            field.max_length.is_none_or(|max| len <= max),
            "{op}: {field:?}"
        );
        assert!(
            field.min_length.is_none_or(|min| len >= min),
            "{op}: {field:?}"
        );
    }
}

#[derive(Default)]
struct Census {
    all: Vec<(&'static str, &'static str)>,
    keyed: Vec<&'static str>,
    json: usize,
}

impl OperationVisitor for Census {
    fn visit<O: Operation>(&mut self) {
        self.all.push((O::METHOD, O::PATH));
        if O::IDEMPOTENCY_KEY.is_some() {
            self.keyed.push(O::PATH);
        }
    }
}

impl JsonOperationVisitor for Census {
    fn visit<O: JsonOperation>(&mut self) {
        self.json += 1;
    }
}

#[test]
fn the_operations_table_covers_the_client() {
    let mut c = Census::default();
    operations::visit_all(&mut c);
    operations::visit_json(&mut c);
    assert_eq!(c.all.len(), operations::COUNT);
    // Paths are unique, so an endpoint names exactly one operation.
    let mut paths: Vec<_> = c.all.iter().map(|(_, p)| *p).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), operations::COUNT);
    // PDF/ZIP operations are not JSON operations.
    assert!(c.json < operations::COUNT && c.json > 0);
    assert!(c.keyed.contains(&"/transfer/authorization/create"));
    assert!(!c.keyed.contains(&"/accounts/get"));
    assert_eq!(operations::AccountsGet::PATH, "/accounts/get");
    assert_eq!(operations::AccountsGet::METHOD, "POST");
    assert_eq!(operations::AccountsGet::OPERATION_ID, "accountsGet");
}

#[test]
fn generated_types_redact_credentials_in_debug() {
    let req = AccountsGetRequest::new("access-sandbox-5ee1c0de");
    let shown = format!("{req:?}");
    assert!(!shown.contains("access-sandbox-5ee1c0de"), "{shown}");
    assert!(shown.contains("access_token: [redacted]"), "{shown}");
    assert!(
        shown.contains("options: None"),
        "other fields still show: {shown}"
    );
}

#[test]
fn webhooks_dispatch_on_type_and_code_and_pick_the_fitting_schema() {
    use plaid_client::webhooks::{self, WebhookEvent};
    assert!(webhooks::KNOWN.contains(&("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE")));
    // TRANSACTIONS / SYNC_UPDATES_AVAILABLE has an Item and a processor schema.
    let item = serde_json::to_vec(
        &json!({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": "item-1", "initial_update_complete": true, "historical_update_complete": false,
        "environment": "sandbox"}),
    )
    .unwrap();
    assert!(matches!(
        WebhookEvent::from_json(&item).unwrap(),
        WebhookEvent::SyncUpdatesAvailable(_)
    ));
    let processor = serde_json::to_vec(
        &json!({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "account_id": "acc-1", "initial_update_complete": true, "historical_update_complete": false,
        "environment": "sandbox"}),
    )
    .unwrap();
    assert!(matches!(
        WebhookEvent::from_json(&processor).unwrap(),
        WebhookEvent::ProcessorSyncUpdatesAvailable(_)
    ));
    // A known type and code with a body that fits neither schema is an error, not a guess.
    let broken = br#"{"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE"}"#;
    assert!(WebhookEvent::from_json(broken).is_err());
}
