//! Replays recorded responses against the generated types.
//!
//! Input: a JSON file holding an array of records
//! `{"endpoint": "/accounts/get", "example": {...}, "status": 200, "name": "..."}`
//! (`status` defaults to 200, `name` is only for the report). Each example is serialized to
//! text and decoded exactly as the client decodes a response body: success statuses into the
//! operation's response type, error statuses into its error type. Prints each failure with the
//! operation, the JSON path and serde's message, then `N passed, M failed`; exits 1 on failures.
//!
//! Success bodies are also written back (`round_trip`): serializing the decoded value must
//! agree with the example, and survive a second round trip.
//!
//! Usually run through `cargo xtask conformance`, which extracts the spec's own examples.

mod round_trip;

use std::collections::HashMap;
use std::process::ExitCode;

use plaid_client::{operations, JsonOperation, JsonOperationVisitor, Operation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Check one example: its text (decoded as the client decodes a body) and the example itself.
type Decode = fn(&str, &serde_json::Value) -> Result<(), (String, String)>;

struct Decoders {
    operation_id: &'static str,
    ok: Decode,
    err: Decode,
}

#[derive(Default)]
struct Registry(HashMap<&'static str, Decoders>);

impl JsonOperationVisitor for Registry {
    fn visit<O: JsonOperation>(&mut self) {
        self.0.insert(
            O::PATH,
            Decoders {
                operation_id: O::OPERATION_ID,
                ok: decode_and_write::<O::Response>,
                err: decode::<<O as Operation>::Error>,
            },
        );
    }
}

/// Decode `text` into `T`, reporting the JSON path of the first error.
fn decode_typed<T: DeserializeOwned>(text: &str) -> Result<T, (String, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (e.path().to_string(), e.into_inner().to_string()))
}

/// Decode `text` into `T` (error bodies are only decoded).
fn decode<T: DeserializeOwned>(
    text: &str,
    _example: &serde_json::Value,
) -> Result<(), (String, String)> {
    decode_typed::<T>(text).map(drop)
}

/// Decode `text` into `T`, then serialize it again: what it writes must agree with `example`
/// (see `round_trip`), and decoding that must write the same again.
fn decode_and_write<T: DeserializeOwned + Serialize>(
    text: &str,
    example: &serde_json::Value,
) -> Result<(), (String, String)> {
    let typed: T = decode_typed(text)?;
    let write =
        |t: &T| serde_json::to_value(t).map_err(|e| (".".to_string(), format!("serializing: {e}")));
    let written = write(&typed)?;
    round_trip::compare(example, &written)
        .map_err(|(p, why)| (p, format!("written back: {why}")))?;
    let again: T = serde_json::from_value(written.clone())
        .map_err(|e| (".".to_string(), format!("decoding what it wrote: {e}")))?;
    if write(&again)? != written {
        return Err((
            ".".to_string(),
            "a second round trip wrote something else".to_string(),
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct Record {
    endpoint: String,
    example: serde_json::Value,
    #[serde(default = "ok_status")]
    status: u16,
    #[serde(default)]
    name: Option<String>,
}

fn ok_status() -> u16 {
    200
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: conformance EXAMPLES.json");
        return ExitCode::from(2);
    };
    let records: Vec<Record> = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {path}: {e} (expected a JSON array of {{\"endpoint\", \"example\"}} records)");
            return ExitCode::from(2);
        }
    };
    let mut registry = Registry::default();
    operations::visit_json(&mut registry);

    let (mut passed, mut failed) = (0usize, 0usize);
    for (i, rec) in records.iter().enumerate() {
        let label = rec.name.clone().unwrap_or_else(|| format!("record {i}"));
        let Some(d) = registry.0.get(rec.endpoint.as_str()) else {
            failed += 1;
            println!(
                "FAIL {} [{label}]: no JSON operation of the generated client has this path",
                rec.endpoint
            );
            continue;
        };
        let text = rec.example.to_string();
        let (which, result) = if (200..300).contains(&rec.status) {
            ("response", (d.ok)(&text, &rec.example))
        } else {
            ("error", (d.err)(&text, &rec.example))
        };
        match result {
            Ok(()) => passed += 1,
            Err((json_path, err)) => {
                failed += 1;
                println!(
                    "FAIL {} ({}) [{label}] status {} {which}: at `{json_path}`: {err}",
                    rec.endpoint, d.operation_id, rec.status
                );
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
