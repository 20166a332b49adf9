//! Walking schema positions. Rules only look at objects that the OpenAPI grammar says are
//! schemas, never at examples or at property names that happen to be `enum` or `type`.

use serde_json::Value;

/// Where a schema sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `components.schemas.<name>`
    Component,
    /// the schema of a media type, a parameter or a header
    Root,
    Property,
    Items,
    AdditionalProperties,
    /// a member of `allOf`, `oneOf` or `anyOf`, or `not`
    Composition,
}

/// Call `f` on every schema in the document (pre-order), with its slot.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Value, Slot)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for s in schemas.values_mut() {
            walk_schema(s, Slot::Component, f);
        }
    }
    for root in media_and_parameter_schemas(doc) {
        walk_schema(root, Slot::Root, f);
    }
}

fn walk_schema(s: &mut Value, slot: Slot, f: &mut dyn FnMut(&mut Value, Slot)) {
    f(s, slot);
    let Some(map) = s.as_object_mut() else { return };
    if map.contains_key("$ref") {
        return;
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for p in props.values_mut() {
            walk_schema(p, Slot::Property, f);
        }
    }
    if let Some(items) = map.get_mut("items") {
        walk_schema(items, Slot::Items, f);
    }
    if let Some(ap @ Value::Object(_)) = map.get_mut("additionalProperties") {
        walk_schema(ap, Slot::AdditionalProperties, f);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            for m in members {
                walk_schema(m, Slot::Composition, f);
            }
        }
    }
    if let Some(not) = map.get_mut("not") {
        walk_schema(not, Slot::Composition, f);
    }
}

/// The schemas of request bodies, responses, parameters and headers, wherever they are declared.
fn media_and_parameter_schemas(doc: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    let Some(top) = doc.as_object_mut() else {
        return out;
    };
    for (key, section) in top.iter_mut() {
        match key.as_str() {
            "paths" => {
                for item in section
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|m| m.values_mut())
                {
                    collect_item(item, &mut out);
                }
            }
            "components" => {
                let Some(c) = section.as_object_mut() else {
                    continue;
                };
                for (kind, entries) in c.iter_mut() {
                    let Some(entries) = entries.as_object_mut() else {
                        continue;
                    };
                    for e in entries.values_mut() {
                        match kind.as_str() {
                            "parameters" | "headers" => collect_param(e, &mut out),
                            "responses" | "requestBodies" => collect_content(e, &mut out),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn collect_item<'a>(item: &'a mut Value, out: &mut Vec<&'a mut Value>) {
    let split = crate::spec::lookup::split_path_item(item);
    for p in split
        .parameters
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        collect_param(p, out);
    }
    for (_, op) in split.operations {
        for (ok, ov) in op.iter_mut() {
            match ok.as_str() {
                "parameters" => {
                    for p in ov.as_array_mut().into_iter().flatten() {
                        collect_param(p, out);
                    }
                }
                "requestBody" => collect_content(ov, out),
                "responses" => {
                    for r in ov.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                        collect_content(r, out);
                    }
                }
                _ => {}
            }
        }
    }
}

fn collect_param<'a>(p: &'a mut Value, out: &mut Vec<&'a mut Value>) {
    if let Some(s) = p.get_mut("schema") {
        out.push(s);
    }
}

fn collect_content<'a>(holder: &'a mut Value, out: &mut Vec<&'a mut Value>) {
    let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    for media in content.values_mut() {
        if let Some(s) = media.get_mut("schema") {
            out.push(s);
        }
    }
}
