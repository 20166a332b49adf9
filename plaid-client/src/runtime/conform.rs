//! Bodies that conform to the spec as Plaid published it (feature `mock`), for servers that
//! serve the generated types, such as plaid-emulator.
//!
//! The generated types are lenient on purpose: where Plaid's examples leave out a key the
//! published spec requires, the generator made it optional, and such a field is skipped when it
//! is `None`. A client must read such answers; a server must not send them. The generated table
//! (`generated/conform.rs`, written by `xtask/src/codegen/tables/conform.rs` from the published
//! and the normalized spec) says, for each operation's success body, where such keys sit and what
//! goes there: `null` where the published schema is nullable, else a value synthesized from it
//! and validated against it. [`conform`] adds them to a serialized body where they are absent,
//! and replaces a `null` the published schema rejects (a nullable component whose `allOf` member
//! is not: OpenAPI 3.0.3 keeps the member's type); it never changes any other value.

use serde_json::Value;

/// One schema position of the table that leads to a key to fill.
#[derive(Debug)]
pub struct Node {
    /// Keys to add when absent, with their value as JSON text.
    pub fills: &'static [(&'static str, &'static str)],
    /// Keys whose `null` the published schema rejects (the types write `null` for `None`), with
    /// the value written instead, as JSON text.
    pub nulls: &'static [(&'static str, &'static str)],
    /// Properties to descend into, with the index of their node.
    pub fields: &'static [(&'static str, usize)],
    /// The node of every array item.
    pub items: Option<usize>,
    /// The node of every map value.
    pub values: Option<usize>,
}

/// Apply node `index` of `nodes` to `value`, and its children to what it holds.
pub fn apply(nodes: &[Node], index: usize, value: &mut Value) -> usize {
    let Some(node) = nodes.get(index) else {
        return 0;
    };
    let mut added = 0;
    match value {
        Value::Object(map) => {
            for (key, text) in node.fills {
                if !map.contains_key(*key) {
                    if let Ok(fill) = serde_json::from_str::<Value>(text) {
                        map.insert((*key).to_string(), fill);
                        added += 1;
                    }
                }
            }
            for (key, text) in node.nulls {
                if let Some(slot) = map.get_mut(*key).filter(|v| v.is_null()) {
                    if let Ok(value) = serde_json::from_str::<Value>(text) {
                        *slot = value;
                        added += 1;
                    }
                }
            }
            for (key, child) in node.fields {
                if let Some(v) = map.get_mut(*key) {
                    added += apply(nodes, *child, v);
                }
            }
            if let Some(child) = node.values {
                let known = |k: &str| node.fields.iter().any(|(f, _)| *f == k);
                for (_, v) in map.iter_mut().filter(|(k, _)| !known(k)) {
                    added += apply(nodes, child, v);
                }
            }
        }
        Value::Array(items) => {
            if let Some(child) = node.items {
                for v in items {
                    added += apply(nodes, child, v);
                }
            }
        }
        _ => {}
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A body `{thing: {…}, things: [{…}], by_id: {id: {…}}}` whose thing requires `risk`
    /// (nullable) and `tier` (an enum), and an `owner` that may not be `null`; a thing may hold
    /// a thing.
    static NODES: &[Node] = &[
        Node {
            fills: &[],
            nulls: &[],
            fields: &[("thing", 1), ("things", 2), ("by_id", 3)],
            items: None,
            values: None,
        },
        Node {
            fills: &[("risk", "null"), ("tier", "\"low\"")],
            nulls: &[("owner", "{\"name\":\"\"}")],
            fields: &[("inner", 1)],
            items: None,
            values: None,
        },
        Node {
            fills: &[],
            nulls: &[],
            fields: &[],
            items: Some(1),
            values: None,
        },
        Node {
            fills: &[],
            nulls: &[],
            fields: &[],
            items: None,
            values: Some(1),
        },
    ];

    #[test]
    fn absent_keys_are_added_rejected_nulls_replaced_and_the_rest_kept_at_every_depth() {
        let mut body = json!({
            "thing": {"tier": "high", "owner": null, "inner": {"risk": {"score": 1}, "owner": {"name": "a"}}},
            "things": [{}, {"risk": null, "tier": "high"}],
            "by_id": {"a": {"id": "a"}},
            "request_id": "r"
        });
        let added = apply(NODES, 0, &mut body);
        assert_eq!(
            body,
            json!({
                "thing": {"tier": "high", "risk": null, "owner": {"name": ""},
                          "inner": {"risk": {"score": 1}, "tier": "low", "owner": {"name": "a"}}},
                "things": [{"risk": null, "tier": "low"}, {"risk": null, "tier": "high"}],
                "by_id": {"a": {"id": "a", "risk": null, "tier": "low"}},
                "request_id": "r"
            })
        );
        assert_eq!(added, 7);
    }

    #[test]
    fn values_of_another_kind_and_unknown_nodes_are_left_alone() {
        let mut body = json!({"thing": null, "things": {"not": "an array"}, "by_id": []});
        let before = body.clone();
        assert_eq!(apply(NODES, 0, &mut body), 0);
        assert_eq!(apply(NODES, 99, &mut body), 0);
        assert_eq!(body, before);
    }
}
