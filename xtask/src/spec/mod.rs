//! The spec: its pin, provisioning it, and loading it (bytes in, a validated OpenAPI 3.0
//! document out). Every later stage reads the spec through this module.

pub mod lookup;
pub mod pin;
pub mod products;
pub mod provision;
pub mod strict;

pub use provision::resolve;

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use serde_json::Value;

/// The spec's `info.version` (`unknown` when it has none).
pub fn version(doc: &Value) -> String {
    doc.pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string()
}

/// Read a spec file and check that it is an OpenAPI 3.0 document whose `$ref`s all resolve.
/// Every problem names the file.
pub fn load(path: &Path) -> anyhow::Result<Value> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Parse and validate spec bytes (YAML or JSON; JSON is YAML).
pub fn parse(bytes: &[u8]) -> Result<Value, String> {
    let doc: Value =
        yaml_serde::from_slice(bytes).map_err(|e| format!("not valid YAML or JSON: {e}"))?;
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or("not an OpenAPI document: no `openapi` version string at the top level")?;
    if !version.starts_with("3.0.") {
        return Err(format!(
            "OpenAPI version {version} is not supported; plaid-rs generates from OpenAPI 3.0.x"
        ));
    }
    if !doc.get("paths").is_some_and(Value::is_object) {
        return Err("not an OpenAPI document: `paths` is missing or not a map".into());
    }
    let unresolved = unresolved_refs(&doc);
    if !unresolved.is_empty() {
        let list: Vec<String> = unresolved
            .iter()
            .map(|(r, at)| format!("  {r} (at {at})"))
            .collect();
        return Err(format!(
            "{} unresolved $ref(s):\n{}",
            unresolved.len(),
            list.join("\n")
        ));
    }
    Ok(doc)
}

/// Every local `$ref` that points nowhere, with the JSON pointer of its first use.
fn unresolved_refs(doc: &Value) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut stack = vec![(doc, String::new())];
    while let Some((v, at)) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let ok = r
                        .strip_prefix('#')
                        .is_some_and(|ptr| doc.pointer(ptr).is_some());
                    if !ok && seen.insert(r.clone()) {
                        out.push((r.clone(), format!("{at}/$ref")));
                    }
                }
                for (k, child) in map {
                    stack.push((child, format!("{at}/{}", pointer_escape(k))));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    stack.push((child, format!("{at}/{i}")));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

/// Escape one JSON-pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_invalid_yaml() {
        let err = parse(b"openapi: [unclosed").unwrap_err();
        assert!(err.contains("not valid YAML"), "{err}");
    }

    #[test]
    fn rejects_swagger_2_and_openapi_3_1() {
        let err = parse(b"swagger: '2.0'\npaths: {}\n").unwrap_err();
        assert!(err.contains("no `openapi` version"), "{err}");
        let err = parse(b"openapi: 3.1.0\npaths: {}\n").unwrap_err();
        assert!(err.contains("3.1.0 is not supported"), "{err}");
    }

    #[test]
    fn lists_every_unresolved_ref() {
        let spec = br##"
openapi: 3.0.0
paths:
  /a:
    post:
      responses:
        "200":
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Missing" }
components:
  schemas:
    Present: { type: object, properties: { x: { $ref: "#/components/schemas/AlsoMissing" } } }
    Fine: { $ref: "#/components/schemas/Present" }
"##;
        let err = parse(spec).unwrap_err();
        assert!(err.starts_with("2 unresolved"), "{err}");
        assert!(err.contains("#/components/schemas/Missing"), "{err}");
        assert!(err.contains("#/components/schemas/AlsoMissing"), "{err}");
        assert!(!err.contains("schemas/Present ("), "{err}");
    }
}
