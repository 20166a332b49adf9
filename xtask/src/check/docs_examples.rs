//! `cargo xtask docs-examples`: the JSON response examples of Plaid's documentation pages, as
//! conformance records.
//!
//! Plaid's API reference pages (as text) show, for each endpoint, a "Response fields and
//! example" section ending in a JSON example whose lines are numbered (`1{`, `2 "key": ...`,
//! `21}`). Those examples are more numerous than the spec's, so replaying them finds defects the
//! spec's own examples do not show. Examples with elisions (`...`) are not JSON and are counted
//! as skipped, never guessed at.
//!
//! The same pages document every error code with an example error object (`"error_type": …,
//! "error_code": …`). Those pairs are written as evidence too
//! (`openapi/evidence/error-codes/plaid-docs.json`), from which `generate` writes the
//! `ErrorCode` enum, so the client's list of codes is Plaid's own and cannot drift by hand.

use std::path::Path;

use anyhow::Context;
use serde_json::{json, Value};

pub fn extract(dir: &Path, out: &Path, error_codes_out: &Path) -> anyhow::Result<()> {
    let mut files: Vec<_> = walk(dir)?;
    files.sort();
    let mut records = Vec::new();
    let mut codes = std::collections::BTreeMap::new();
    let mut skipped = 0;
    for f in &files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let (recs, skip) = examples_in(&text, &name);
        records.extend(recs);
        skipped += skip;
        for (code, kind) in error_codes_in(&text) {
            codes
                .entry(code.clone())
                .or_insert_with(|| json!({"error_code": code, "error_type": kind, "page": name}));
        }
    }
    let codes: Vec<Value> = codes.into_values().collect();
    write_json(error_codes_out, &codes)?;
    println!(
        "extracted {} documented error codes into {}",
        codes.len(),
        error_codes_out.display()
    );
    write_json(out, &records)?;
    println!(
        "extracted {} response examples from {} pages under {} ({skipped} skipped: not JSON, e.g. elided with `...`) into {}",
        records.len(),
        files.len(),
        dir.display(),
        out.display()
    );
    Ok(())
}

fn write_json(path: &Path, values: &[Value]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(values)?)
        .with_context(|| format!("writing {}", path.display()))
}

/// The `(error_code, error_type)` pairs of the example error objects of one page: a line
/// `"error_code": "X"` with an `"error_type": "Y"` line among the few before it (the numbered
/// lines of one example object).
pub fn error_codes_in(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(code) = quoted_value(line, "error_code") else {
            continue;
        };
        let kind = lines[i.saturating_sub(4)..i]
            .iter()
            .rev()
            .find_map(|l| quoted_value(l, "error_type"));
        let screaming = crate::spec::lookup::is_screaming_snake;
        if let Some(kind) = kind.filter(|k| screaming(k) && screaming(&code)) {
            out.push((code, kind));
        }
    }
    out
}

/// `Y` in a line holding `"key": "Y"`.
fn quoted_value(line: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\": \"");
    let at = line.find(&needle)? + needle.len();
    let rest = &line[at..];
    Some(rest[..rest.find('"')?].to_string())
}

fn walk(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// The response examples of one page, and how many example blocks were not JSON.
pub fn examples_in(text: &str, page: &str) -> (Vec<Value>, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut skipped = 0;
    let mut endpoint: Option<String> = None;
    let mut in_response = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(ep) = endpoint_heading(line) {
            endpoint = Some(ep);
            in_response = false;
        } else if line == "Response fields and example" {
            in_response = true;
        } else if line == "Request fields and example" {
            in_response = false;
        } else if line == "1{" && in_response {
            let (body, end) = numbered_block(&lines, i);
            i = end;
            if let Some(ep) = &endpoint {
                match serde_json::from_str::<Value>(&body) {
                    Ok(example) => out.push(json!({
                        "endpoint": ep,
                        "name": format!("{page}:{} {ep}", i + 1),
                        "example": example,
                    })),
                    Err(_) => skipped += 1,
                }
            }
            in_response = false;
            continue;
        }
        i += 1;
    }
    (out, skipped)
}

/// A line that is only an endpoint path. The pages head each section with the path, with or
/// without its leading slash (`/transactions/sync`, `transactions/refresh`).
fn endpoint_heading(line: &str) -> Option<String> {
    let path = line.strip_prefix('/').unwrap_or(line);
    let ok = path.contains('/')
        && !path.starts_with('/')
        && !path.ends_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/_{}".contains(&b));
    ok.then(|| format!("/{path}"))
}

/// Lines `1{` .. `N}` with their numbers stripped, and the index after the block.
fn numbered_block(lines: &[&str], start: usize) -> (String, usize) {
    let mut body = String::new();
    let mut i = start;
    while i < lines.len() {
        let l = lines[i].trim_end();
        let rest = l.trim_start_matches(|c: char| c.is_ascii_digit());
        body.push_str(rest);
        body.push('\n');
        i += 1;
        if rest == "}" {
            break;
        }
    }
    (body, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_numbered_response_examples_under_their_endpoint() {
        let page = "/accounts/get\nRequest fields and example\n1{\n2 \"x\": 1\n3}\n\
                    Response fields and example\nrequest_id\nstring\n1{\n2 \"accounts\": [],\n3 \"request_id\": \"a\"\n4}\n\
                    accounts/balance/get\nResponse fields and example\n1{\n2 \"accounts\": [\n3 ...\n4 ]\n5}\n";
        let (recs, skipped) = examples_in(page, "p.txt");
        assert_eq!(skipped, 1);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0]["endpoint"], "/accounts/get");
        assert_eq!(
            recs[0]["example"],
            json!({"accounts": [], "request_id": "a"})
        );
        assert_eq!(
            endpoint_heading("transactions/refresh").as_deref(),
            Some("/transactions/refresh")
        );
        assert_eq!(endpoint_heading("and/or maybe"), None);
        assert_eq!(endpoint_heading("[object]"), None);
    }

    #[test]
    fn error_codes_come_with_their_type() {
        let page = "ACCOUNTS_LIMIT\nToo many requests\n1http code 429\n2{\n3 \"error_type\": \"RATE_LIMIT_EXCEEDED\",\n\
                    4 \"error_code\": \"ACCOUNTS_LIMIT\",\n5 \"display_message\": null\n6}\n\
                    text mentioning \"error_code\": \"lower_case\" alone\n";
        assert_eq!(
            error_codes_in(page),
            [(
                "ACCOUNTS_LIMIT".to_string(),
                "RATE_LIMIT_EXCEEDED".to_string()
            )]
        );
    }
}
