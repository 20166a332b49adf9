use super::*;
use serde_json::json;

fn spec(version: &str, schemas: Value, paths: Value) -> Value {
    json!({"openapi": "3.0.0", "info": {"version": version}, "paths": paths,
           "components": {"schemas": schemas}})
}

fn op(req: &str, resp: &str) -> Value {
    json!({"post": {"operationId": req.to_lowercase(),
        "requestBody": {"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{req}")}}}},
        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{resp}")}}}}}}})
}

#[test]
fn classifies_changes_for_a_rust_caller() {
    let old = spec(
        "1",
        json!({
            "Req": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "gone": {"type": "string"},
                "opts": {"$ref": "#/components/schemas/Opts"}, "shared": {"$ref": "#/components/schemas/Shared"},
                "bag": {"$ref": "#/components/schemas/Bag"}}},
            "Opts": {"type": "object", "properties": {"x": {"type": "integer"}}},
            "Bag": {"type": "object"},
            "Shared": {"type": "object", "properties": {"y": {"type": "integer"}}},
            "Resp": {"type": "object", "properties": {"n": {"type": "integer"}, "kind": {"type": "string", "enum": ["x", "y"]},
                "shared": {"$ref": "#/components/schemas/Shared"}}},
            "Old": {"type": "object"}
        }),
        json!({"/a": op("Req", "Resp"), "/old": op("Old", "Old")}),
    );
    let new = spec(
        "2",
        json!({
            "Req": {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string"}, "b": {"type": "string"},
                "c": {"type": "string"}, "opts": {"$ref": "#/components/schemas/Opts"}, "shared": {"$ref": "#/components/schemas/Shared"},
                "bag": {"$ref": "#/components/schemas/Bag"}}},
            "Opts": {"type": "object", "properties": {"x": {"type": "integer"}, "z": {"type": "boolean"}}},
            "Bag": {"type": "object", "properties": {"k": {"type": "string"}}},
            "Shared": {"type": "object", "properties": {"y": {"type": "integer"}, "w": {"type": "boolean"}}},
            "Resp": {"type": "object", "properties": {"n": {"type": "string"}, "kind": {"type": "string", "enum": ["x", "z"]}, "more": {"type": "boolean"},
                "shared": {"$ref": "#/components/schemas/Shared"}}},
        }),
        json!({"/a": op("Req", "Resp"), "/b": op("Req", "Resp")}),
    );
    let r = diff(old, new, &repair::Evidence::default());
    let find = |kind: &str, loc: &str| {
        r.changes
            .iter()
            .find(|c| c.kind == kind && c.location.starts_with(loc))
            .unwrap_or_else(|| panic!("no {kind} at {loc}: {:#?}", r.changes))
    };
    assert!(!find("operation-added", "POST /b").breaking);
    assert!(find("operation-removed", "POST /old").breaking);
    assert!(find("schema-removed", "Old").breaking);
    // A required field added to a request: `new` takes one more argument.
    let b = find("field-added", "Req.b");
    assert!(b.breaking && b.detail.contains("required"), "{b:?}");
    assert_eq!(b.used_in, "request");
    // Optional fields added to types only sent (the request and a type nested only in
    // requests): a setter more, nothing breaks.
    for loc in ["Req.c", "Opts.z"] {
        let c = find("field-added", loc);
        assert!(
            !c.breaking && c.detail.contains("optional") && c.detail.contains("setter"),
            "{c:?}"
        );
    }
    // A sent JSON map (no properties) that gains one becomes a struct: its shape changes.
    let k = find("field-added", "Bag.k");
    assert!(k.breaking && k.detail.contains("shape"), "{k:?}");
    // An optional field added to a type sent *and* received keeps breaking struct literals.
    let w = find("field-added", "Shared.w");
    assert!(w.breaking && w.used_in == "request+response", "{w:?}");
    assert!(find("field-removed", "Req.gone").breaking);
    let n = find("field-changed", "Resp.n");
    assert!(
        n.breaking && n.detail.contains("type integer → string"),
        "{n:?}"
    );
    assert!(
        !find("field-added", "Resp.more").breaking,
        "response-only additions are safe"
    );
    assert!(!find("enum-value-added", "Resp.kind").breaking);
    assert!(find("enum-value-removed", "Resp.kind").breaking);
    assert!(r.markdown().contains("## Breaking changes"));
    assert!(r
        .summary()
        .starts_with(&format!("{} changes", r.changes.len())));
}

#[test]
fn sent_schemas_exclude_what_is_also_received_or_outside_the_requests() {
    let doc = spec(
        "1",
        json!({
            "Req": {"type": "object", "properties": {"o": {"$ref": "#/components/schemas/Only"},
                "s": {"$ref": "#/components/schemas/Shared"}, "h": {"$ref": "#/components/schemas/InHook"}}},
            "Only": {"type": "object"},
            "Shared": {"type": "object"},
            "InHook": {"type": "object"},
            "Resp": {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/Shared"}}},
            // Referenced by no operation (a webhook body): what it names is received too.
            "Hook": {"type": "object", "properties": {"h": {"$ref": "#/components/schemas/InHook"}}}
        }),
        json!({"/a": op("Req", "Resp")}),
    );
    let sent: BTreeSet<String> = spec::lookup::schema_uses(&doc)
        .into_iter()
        .filter(|(_, u)| u.only_sent)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        sent,
        ["Only".to_string(), "Req".to_string()]
            .into_iter()
            .collect()
    );
}
