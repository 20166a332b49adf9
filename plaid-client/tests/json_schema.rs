//! The generated types' JSON Schemas (feature `schemars`), on real types of the pinned spec:
//! they must say what the generated serde impls do (wire names, required fields, `null`).

use plaid_client::types::{AccountBase, AccountType};
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

/// The schema of `T` and the schemas it refers to, for the deserialize or serialize contract.
fn schema<T: JsonSchema>(serialize: bool) -> (Value, Map<String, Value>) {
    let settings = SchemaSettings::draft2020_12();
    let settings = if serialize {
        settings.for_serialize()
    } else {
        settings.for_deserialize()
    };
    let mut generator = settings.into_generator();
    let schema = T::json_schema(&mut generator).to_value();
    (schema, generator.take_definitions(true))
}

fn names(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = match v {
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Value::Object(o) => o.keys().cloned().collect(),
        _ => Vec::new(),
    };
    out.sort();
    out
}

/// An account as Plaid sends it, every optional field absent.
fn minimal_account() -> Value {
    json!({
        "account_id": "BxBXxLj1m4HMXBm9WZZmCWVbPjX16EHwv99vp",
        "balances": {"available": 100.0, "current": 110.0, "iso_currency_code": "USD",
            "limit": null, "unofficial_currency_code": null},
        "mask": null,
        "name": "Plaid Checking",
        "official_name": null,
        "subtype": null,
        "type": "depository"
    })
}

#[test]
fn an_object_schema_has_the_wire_names_and_the_required_fields() {
    let (schema, defs) = schema::<AccountBase>(false);
    assert_eq!(schema["type"], "object");
    assert_eq!(
        schema["description"],
        "A single account at a financial institution."
    );
    let properties = names(&schema["properties"]);
    // `type_` in Rust, `type` on the wire.
    assert!(properties.contains(&"type".to_string()), "{properties:?}");
    assert!(!properties.contains(&"type_".to_string()));
    // Read: a field is required when decoding fails without it. The spec's required-and-
    // nullable fields (`mask`) decode as `None` when absent, so only the non-nullable ones are.
    assert_eq!(
        names(&schema["required"]),
        ["account_id", "balances", "name", "type"]
    );
    let without_mask = {
        let mut account = minimal_account();
        account.as_object_mut().unwrap().remove("mask");
        account
    };
    let decoded: AccountBase = serde_json::from_value(without_mask).expect("mask may be absent");
    assert_eq!(decoded.mask, None);
    assert_eq!(
        schema["properties"]["mask"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(schema["properties"]["name"]["type"], "string");
    assert_eq!(schema["properties"]["type"]["$ref"], "#/$defs/AccountType");
    assert!(defs.contains_key("AccountType") && defs.contains_key("AccountBalance"));
}

#[test]
fn an_open_enum_lists_its_members_and_accepts_any_other_string() {
    let (schema, _) = schema::<AccountType>(false);
    assert_eq!(schema["type"], "string");
    let members = schema["anyOf"][0]["enum"]
        .as_array()
        .expect("known members");
    assert!(members.len() >= 5, "{members:?}");
    for member in members {
        let wire = member.as_str().expect("string member");
        let parsed: AccountType = serde_json::from_value(member.clone()).expect("member decodes");
        assert!(!matches!(parsed, AccountType::UnknownValue(_)), "{wire}");
        assert_eq!(serde_json::to_value(&parsed).unwrap(), *member);
    }
    // The second branch constrains nothing beyond `type: string`: what the client accepts.
    let fallback = schema["anyOf"][1].as_object().expect("fallback branch");
    assert_eq!(names(&Value::Object(fallback.clone())), ["description"]);
    let other: AccountType = serde_json::from_value(json!("crypto")).unwrap();
    assert_eq!(other, AccountType::UnknownValue("crypto".into()));
}

#[test]
fn the_read_schema_requires_exactly_what_the_client_cannot_decode_without() {
    let (schema, _) = schema::<AccountBase>(false);
    let account = minimal_account();
    let decoded: AccountBase = serde_json::from_value(account.clone()).expect("decodes");
    assert_eq!(decoded.type_, AccountType::Depository);
    // Every required field is needed: without it the client fails to decode.
    for field in names(&schema["required"]) {
        let mut without = account.clone();
        without.as_object_mut().unwrap().remove(&field);
        let err = serde_json::from_value::<AccountBase>(without).expect_err(&field);
        assert!(
            err.to_string()
                .contains(&format!("missing field `{field}`")),
            "{err}"
        );
    }
}

#[test]
fn the_write_schema_requires_exactly_the_fields_always_written() {
    let (schema, _) = schema::<AccountBase>(true);
    let decoded: AccountBase = serde_json::from_value(minimal_account()).unwrap();
    let written = serde_json::to_value(&decoded).unwrap();
    // With every optional field empty, what is written is exactly what is always written.
    assert_eq!(names(&schema["required"]), names(&written));
    for key in names(&written) {
        assert!(
            schema["properties"].get(&key).is_some(),
            "{key} written but not in the schema"
        );
    }
}
