//! The third check of `served-bodies`: every recorded body against the response schema of its
//! operation in the spec *as Plaid published it* (`spec::strict`), not the normalized one the
//! client is generated from. The repairs make the client lenient (a required key that Plaid's
//! examples leave out becomes optional); a server must still send it, so a body that passes the
//! generated schema can fail here.
//!
//! A success body is checked against the operation's schema for its status; an error body
//! against the schema its status falls under (`4XX`, `default`). A body whose operation declares
//! no JSON schema for its status has nothing to be checked against: counted, not failed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Served;
use crate::spec::strict;

/// How many schema errors are printed for one body.
const ERRORS_PER_BODY: usize = 5;

/// What the check found.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Bodies checked against a published schema.
    pub(super) checked: usize,
    /// Bodies whose operation declares no JSON schema for their status.
    pub(super) unchecked: usize,
    /// Failed bodies by operation path (the recorded path).
    pub(super) failed: BTreeMap<String, usize>,
    /// One line per failed body, each error with its JSON pointer.
    pub(super) lines: Vec<String>,
}

impl Outcome {
    /// How many bodies failed.
    pub(super) fn failures(&self) -> usize {
        self.failed.values().sum()
    }

    /// The summary line: counts, and the failing operations with their counts.
    pub(super) fn summary(&self) -> String {
        let ops: Vec<String> = self
            .failed
            .iter()
            .map(|(path, n)| format!("{path} ({n})"))
            .collect();
        format!(
            "published spec: {} bodies checked, {} failed in {} operations{}; {} without a \
             published schema for their status",
            self.checked,
            self.failures(),
            self.failed.len(),
            if ops.is_empty() {
                String::new()
            } else {
                format!(": {}", ops.join(", "))
            },
            self.unchecked
        )
    }
}

/// Check every body of `served` against `published` (the spec as loaded, before any repair).
pub(super) fn check(published: &Value, served: &[Served]) -> anyhow::Result<Outcome> {
    let defs = strict::defs(published);
    let mut validators: BTreeMap<String, jsonschema::Validator> = BTreeMap::new();
    let mut out = Outcome::default();
    for (i, s) in served.iter().enumerate() {
        let Some(schema) = strict::response_schema(published, &s.path, s.status) else {
            out.unchecked += 1;
            continue;
        };
        let key = schema.to_string();
        if !validators.contains_key(&key) {
            let v = strict::validator(&strict::root(schema, &defs))
                .map_err(|e| anyhow::anyhow!("{} status {}: {e}", s.path, s.status))?;
            validators.insert(key.clone(), v);
        }
        let Some(validator) = validators.get(&key) else {
            continue;
        };
        out.checked += 1;
        let errors = strict::errors(validator, &s.body, ERRORS_PER_BODY);
        if errors.is_empty() {
            continue;
        }
        *out.failed.entry(s.path.clone()).or_default() += 1;
        let why: Vec<String> = errors
            .iter()
            .map(|(pointer, why)| format!("at `{pointer}`: {why}"))
            .collect();
        out.lines.push(format!(
            "FAIL (published spec) {} [served #{i}] status {}: {}",
            s.path,
            s.status,
            why.join("; ")
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The published fixture: its examples omit keys its schemas require.
    fn published() -> Value {
        let text = include_str!("../../../tests/fixtures/published.yml");
        crate::spec::parse(text.as_bytes()).expect("the fixture is a valid spec")
    }

    fn served(path: &str, status: u16, body: Value) -> Served {
        Served {
            path: path.into(),
            status,
            body,
        }
    }

    /// A body that conforms, with `widget` changed by `edit`.
    fn widget_body(edit: impl FnOnce(&mut Value)) -> Value {
        let mut widget = json!({"id": "w1", "made": "2024-01-31", "risk": null, "tier": "low",
                                "checked_at": "2024-01-31T10:00:00Z", "owner": {"name": "n"}});
        edit(&mut widget);
        json!({"widget": widget, "parts": [], "request_id": "r"})
    }

    #[test]
    fn a_body_missing_a_required_nullable_key_fails_with_its_pointer() {
        let bodies = [
            served(
                "/widget/get",
                200,
                widget_body(|w| drop(w.as_object_mut().map(|w| w.remove("risk")))),
            ),
            served("/widget/get", 200, widget_body(|_| {})),
        ];
        let out = check(&published(), &bodies).expect("checks");
        assert_eq!(out.checked, 2);
        assert_eq!(out.failures(), 1, "{:?}", out.lines);
        assert!(out.lines[0].contains("[served #0]"), "{}", out.lines[0]);
        assert!(out.lines[0].contains("at `/widget`"), "{}", out.lines[0]);
        assert!(out.lines[0].contains("\"risk\" is a required property"));
        assert!(out
            .summary()
            .contains("1 failed in 1 operations: /widget/get (1)"));
    }

    #[test]
    fn dates_and_enum_members_are_held_to_the_published_schema() {
        let body = widget_body(|w| {
            w["made"] = json!("31/01/2024");
            w["risk"] = json!({"tier": "z"});
            w["checked_at"] = json!("2024-01-31 10:00");
        });
        let out = check(&published(), &[served("/widget/get", 200, body)]).expect("checks");
        assert_eq!(out.failures(), 1);
        let line = &out.lines[0];
        for at in ["/widget/made", "/widget/risk/tier", "/widget/checked_at"] {
            assert!(line.contains(&format!("at `{at}`")), "{at} in {line}");
        }
    }

    #[test]
    fn error_bodies_are_checked_and_a_status_without_a_schema_is_counted() {
        let bodies = [
            served("/widget/get", 400, json!({"error_type": "INVALID_INPUT"})),
            served("/widget/list", 400, json!({})),
        ];
        let out = check(&published(), &bodies).expect("checks");
        assert_eq!((out.checked, out.unchecked), (1, 1));
        assert_eq!(out.failures(), 1);
        assert!(out.lines[0].contains("\"error_code\" is a required property"));
    }
}
