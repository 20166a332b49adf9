//! Evidence the rules may read: recorded responses (Plaid's docs examples, replayed traffic) in
//! the conformance record format, kept in `openapi/evidence/`.

use serde_json::Value;

/// Recorded responses (Plaid's docs examples, replayed traffic) that rules may use as evidence of
/// what Plaid really sends, in the conformance record format. See `openapi/evidence/`.
#[derive(Debug, Default, Clone)]
pub struct Evidence {
    /// `(endpoint path, HTTP status, example body)`
    pub records: Vec<(String, u16, Value)>,
}

impl Evidence {
    /// Load every `*.json` file of `dir` (arrays of `{endpoint, example, status?}` records).
    pub fn load_dir(dir: &std::path::Path) -> anyhow::Result<Self> {
        let mut records = Vec::new();
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Ok(Self::default());
        };
        let mut files: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read(&f)?;
            let list: Vec<Value> = serde_json::from_slice(&text).map_err(|e| {
                anyhow::anyhow!("{}: not a JSON array of records: {e}", f.display())
            })?;
            for (i, r) in list.into_iter().enumerate() {
                let (Some(ep), Some(ex)) =
                    (r.get("endpoint").and_then(Value::as_str), r.get("example"))
                else {
                    anyhow::bail!("{}: record {i} lacks `endpoint` or `example`", f.display());
                };
                let status = r.get("status").and_then(Value::as_u64).unwrap_or(200) as u16;
                records.push((ep.to_string(), status, ex.clone()));
            }
        }
        Ok(Self { records })
    }
}
