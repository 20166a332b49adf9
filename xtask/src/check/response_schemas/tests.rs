use super::*;
use serde_json::json;

/// A spec with one operation answering `Thing`: every shape the check compares.
fn spec() -> Value {
    json!({
        "paths": {"/thing/get": {"post": {"operationId": "thingGet", "responses": {
            "200": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/ThingResponse"}}}},
            "4XX": {"content": {"application/json": {"schema": {"type": "object"}}}}
        }}}},
        "components": {"schemas": {
            "ThingResponse": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "required": ["things"], "properties": {
                    "things": {"type": "array", "items": {
                        "allOf": [{"$ref": "#/components/schemas/Thing"}], "nullable": true}}
                }}
            ]},
            "Base": {"type": "object", "required": ["request_id"], "properties": {
                "request_id": {"type": "string"}}},
            "Thing": {"type": "object", "additionalProperties": true,
                "required": ["type", "mask", "kind"],
                "properties": {
                    "type": {"type": "string"},
                    "mask": {"type": "string", "nullable": true},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "note": {"type": "string"},
                    "amount": {"type": "number", "format": "double"},
                    "day": {"type": "string", "format": "date"},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "extra": {}
                }},
            "Kind": {"type": "string", "enum": ["a", "b"]}
        }}
    })
}

/// What the `response-schemas` binary writes for a client that agrees with `spec()`.
fn generated() -> Value {
    json!({
        "spec_version": "test",
        "responses": [{"operation_id": "thingGet", "method": "POST", "path": "/thing/get",
            "type": "ThingResponse", "schema": {"$ref": "#/$defs/ThingResponse"}}],
        "definitions": {
            "ThingResponse": {"type": "object", "required": ["request_id", "things"],
                "properties": {
                    "request_id": {"$ref": "#/$defs/RequestId", "description": "id"},
                    "things": {"type": "array", "items": {"anyOf": [
                        {"$ref": "#/$defs/Thing"}, {"type": "null"}]}}
                }},
            "RequestId": {"type": "string"},
            "Thing": {"type": "object", "required": ["type", "mask", "kind"], "properties": {
                "type": {"type": "string"},
                "mask": {"type": ["string", "null"]},
                "kind": {"$ref": "#/$defs/Kind"},
                "note": {"type": ["string", "null"]},
                "amount": {"type": ["number", "null"], "format": "double"},
                "day": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                "counts": {"type": ["object", "null"],
                    "additionalProperties": {"type": "integer", "format": "int64"}},
                "extra": true
            }},
            "Kind": {"type": "string", "anyOf": [{"enum": ["a", "b"]},
                {"description": "any other"}]}
        }
    })
}

fn differences(generated: &Value) -> Vec<String> {
    compare(&spec(), generated)
        .differences
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn agreeing_schemas_have_no_difference() {
    let report = compare(&spec(), &generated());
    assert_eq!(report.differences, []);
    // ThingResponse (request_id, things), Thing (8 fields), and the types reached by `$ref`.
    assert_eq!(report.fields, 10);
    assert_eq!(report.pairs, 4);
}

#[test]
fn a_dropped_field_is_reported_at_its_type() {
    let mut g = generated();
    let thing = &mut g["definitions"]["Thing"];
    thing["properties"].as_object_mut().unwrap().remove("kind");
    thing["required"] = json!(["type", "mask"]);
    assert_eq!(
        differences(&g),
        ["Thing.kind: in the spec; missing from the generated type \
          (reached from thingGet ThingResponse.things[].kind)"]
    );
}

#[test]
fn a_required_nullable_field_accepted_absent_is_counted_not_reported() {
    let mut g = generated();
    // `mask` is required and nullable in the spec; the type also accepts it absent.
    g["definitions"]["Thing"]["required"] = json!(["type", "kind"]);
    let report = compare(&spec(), &g);
    assert_eq!(report.differences, []);
    assert_eq!(report.absent_as_null, 1);
    // A required field that is not nullable still may not become optional.
    g["definitions"]["Thing"]["required"] = json!(["kind"]);
    assert_eq!(
        differences(&g),
        [
            "Thing.type: required in the spec; optional in the generated type \
          (reached from thingGet ThingResponse.things[].type)"
        ]
    );
}

#[test]
fn loosened_fields_are_reported() {
    let mut g = generated();
    let thing = &mut g["definitions"]["Thing"];
    // `kind` became optional, `type` became an `Option` that is still required.
    thing["required"] = json!(["type", "mask"]);
    thing["properties"]["type"] = json!({"type": ["string", "null"]});
    assert_eq!(
        differences(&g),
        [
            "Thing.kind: required in the spec; optional in the generated type \
             (reached from thingGet ThingResponse.things[].kind)",
            "Thing.type: the spec requires a non-null value; the generated type accepts null \
             (reached from thingGet ThingResponse.things[].type)",
        ]
    );
}

#[test]
fn tightened_nullability_and_lost_renames_are_reported() {
    let mut g = generated();
    g["definitions"]["Thing"]["properties"]["mask"] = json!({"type": "string"});
    g["definitions"]["ThingResponse"]["properties"]["things"]["items"] =
        json!({"$ref": "#/$defs/Thing"});
    let props = g["definitions"]["Thing"]["properties"]
        .as_object_mut()
        .unwrap();
    let ty = props.remove("type").unwrap();
    props.insert("type_".into(), ty);
    g["definitions"]["Thing"]["required"] = json!(["type_", "mask", "kind"]);
    assert_eq!(
        differences(&g),
        [
            "Thing.mask: the spec allows null; the generated type rejects it \
             (reached from thingGet ThingResponse.things[].mask)",
            "Thing.type: in the spec; missing from the generated type \
             (reached from thingGet ThingResponse.things[].type)",
            "Thing.type_: in the generated type; not in the spec \
             (reached from thingGet ThingResponse.things[].type_)",
            "ThingResponse.things[]: the spec allows null; the generated type rejects it \
             (reached from thingGet ThingResponse.things[])",
        ]
    );
}

#[test]
fn kinds_formats_enum_members_and_map_values_are_compared() {
    let mut g = generated();
    let props = &mut g["definitions"]["Thing"]["properties"];
    props["amount"] = json!({"type": ["integer", "null"]});
    props["day"] = json!({"type": ["string", "null"]});
    props["counts"]["additionalProperties"] = json!({"type": "string"});
    props["extra"] = json!({"type": "string"});
    g["definitions"]["Kind"]["anyOf"][0]["enum"] = json!(["a", "c"]);
    assert_eq!(
        differences(&g),
        [
            "Kind: enum members missing from the generated type: [\"b\"] \
             (reached from thingGet ThingResponse.things[].kind)",
            "Kind: enum members not in the spec: [\"c\"] \
             (reached from thingGet ThingResponse.things[].kind)",
            "Thing.amount: the spec has a number; the generated type has an integer \
             (reached from thingGet ThingResponse.things[].amount)",
            "Thing.counts{}: the spec has an integer; the generated type has a string \
             (reached from thingGet ThingResponse.things[].counts{})",
            "Thing.day: format date in the spec; none in the generated type \
             (reached from thingGet ThingResponse.things[].day)",
            "Thing.extra: the spec has any JSON value; the generated type has a string \
             (reached from thingGet ThingResponse.things[].extra)",
        ]
    );
}

#[test]
fn a_type_reached_twice_is_compared_and_reported_once() {
    let mut s = spec();
    s["paths"]["/thing/list"] = s["paths"]["/thing/get"].clone();
    s["paths"]["/thing/list"]["post"]["operationId"] = json!("thingList");
    let mut g = generated();
    let first = g["responses"][0].clone();
    let mut second = first.clone();
    second["operation_id"] = json!("thingList");
    second["path"] = json!("/thing/list");
    g["responses"] = json!([first, second]);
    g["definitions"]["Thing"]["properties"]["mask"] = json!({"type": "string"});
    let report = compare(&s, &g);
    assert_eq!(report.pairs, 4);
    assert_eq!(report.differences.len(), 1, "{:?}", report.differences);
    assert!(report.differences[0].via.starts_with("thingGet "));
}

#[test]
fn a_spec_shape_the_check_cannot_compare_is_reported() {
    let mut s = spec();
    s["components"]["schemas"]["Kind"] =
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
    assert_eq!(
        compare(&s, &generated())
            .differences
            .iter()
            .map(|d| (d.owner.as_str(), d.what.as_str()))
            .collect::<Vec<_>>(),
        [(
            "Kind",
            "the spec uses `oneOf`, which this check does not compare"
        )]
    );
}

#[test]
fn an_operation_without_a_spec_response_body_must_answer_unit() {
    let mut s = spec();
    s["paths"]["/thing/get"]["post"]["responses"]["200"] = json!({"description": "OK"});
    let mut g = generated();
    g["responses"][0]["schema"] = json!({"type": "null"});
    g["responses"][0]["type"] = json!("null");
    assert_eq!(compare(&s, &g).differences, []);
    // A body the spec does not have.
    g["responses"][0]["schema"] = json!({"$ref": "#/$defs/ThingResponse"});
    let report = compare(&s, &g);
    assert_eq!(report.differences.len(), 1);
    assert!(report.differences[0]
        .what
        .contains("no JSON success response"));
}
