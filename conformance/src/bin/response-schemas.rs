//! Writes the JSON Schema of every JSON operation's response type, as the generated client
//! reads it (schemars' deserialize contract, JSON Schema 2020-12), for `cargo xtask
//! response-schemas`, which compares them with the normalized spec.
//!
//! Output (to the file named by the one argument):
//! `{"spec_version": "..", "definitions": {Name: schema, ..}, "responses": [{"operation_id",
//! "method", "path", "type", "schema": {"$ref": "#/$defs/Name"}}, ..]}`; every `$ref` points
//! into `definitions`.

use std::process::ExitCode;

use plaid_client::{operations, JsonOperation, JsonOperationVisitor};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Value};

struct Collect {
    generator: SchemaGenerator,
    responses: Vec<Value>,
}

impl JsonOperationVisitor for Collect {
    fn visit<O: JsonOperation>(&mut self) {
        let schema = self.generator.subschema_for::<O::Response>();
        self.responses.push(json!({
            "operation_id": O::OPERATION_ID,
            "method": O::METHOD,
            "path": O::PATH,
            "type": <O::Response as JsonSchema>::schema_name(),
            "schema": schema,
        }));
    }
}

fn main() -> ExitCode {
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: response-schemas OUT.json");
        return ExitCode::from(2);
    };
    let mut collect = Collect {
        generator: SchemaSettings::draft2020_12()
            .for_deserialize()
            .into_generator(),
        responses: Vec::new(),
    };
    operations::visit_json(&mut collect);
    let document = json!({
        "spec_version": plaid_client::SPEC_VERSION,
        "definitions": collect.generator.take_definitions(true),
        "responses": collect.responses,
    });
    let written = serde_json::to_vec(&document)
        .map_err(|e| e.to_string())
        .and_then(|bytes| std::fs::write(&out, bytes).map_err(|e| e.to_string()));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: writing {out}: {e}");
            ExitCode::FAILURE
        }
    }
}
