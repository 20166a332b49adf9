//! Evidence the rules and the generator may read, kept in `openapi/evidence/`: recorded
//! responses (Plaid's docs examples, replayed traffic) in the conformance record format, and in
//! `error-codes/` the error codes Plaid documents (written by `cargo xtask docs-examples`).

use serde_json::Value;

/// Recorded responses (Plaid's docs examples, replayed traffic) that rules may use as evidence of
/// what Plaid really sends, in the conformance record format. See `openapi/evidence/`.
#[derive(Debug, Default, Clone)]
pub struct Evidence {
    /// `(endpoint path, HTTP status, example body)`
    pub records: Vec<(String, u16, Value)>,
    /// `(error_code, error_type)` pairs Plaid documents, from `error-codes/*.json`.
    pub error_codes: Vec<(String, String)>,
}

/// The subdirectory of the evidence directory that holds error codes.
pub const ERROR_CODES_DIR: &str = "error-codes";

impl Evidence {
    /// Load every `*.json` file of `dir` (arrays of `{endpoint, example, status?}` records) and
    /// of `dir/error-codes` (arrays of `{error_code, error_type}`).
    pub fn load_dir(dir: &std::path::Path) -> anyhow::Result<Self> {
        let mut evidence = Self::load_records(dir)?;
        for f in json_files(&dir.join(ERROR_CODES_DIR)) {
            let list: Vec<Value> = serde_json::from_slice(&std::fs::read(&f)?)
                .map_err(|e| anyhow::anyhow!("{}: not a JSON array: {e}", f.display()))?;
            for (i, r) in list.iter().enumerate() {
                let field = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
                let (Some(code), Some(kind)) = (field("error_code"), field("error_type")) else {
                    anyhow::bail!(
                        "{}: entry {i} lacks `error_code` or `error_type`",
                        f.display()
                    );
                };
                evidence.error_codes.push((code, kind));
            }
        }
        Ok(evidence)
    }

    fn load_records(dir: &std::path::Path) -> anyhow::Result<Self> {
        let mut records = Vec::new();
        for f in json_files(dir) {
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
        Ok(Self {
            records,
            error_codes: Vec::new(),
        })
    }
}

/// The `*.json` files of `dir`, sorted (none if it does not exist).
fn json_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}
