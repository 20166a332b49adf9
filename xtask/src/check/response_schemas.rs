//! `cargo xtask response-schemas [--spec PATH]`: the JSON Schema of every generated response
//! type (plaid-client's `schemars` feature) against the normalized spec's schema for it.
//!
//! Conformance replays examples, so it sees only the fields some example carries. This check
//! walks each operation's response schema and the generated type's schema side by side, through
//! every field, item and map value, and reports every difference:
//!
//! - a field in one and not the other (under its wire name, so a lost `rename` shows);
//! - a field required in one and optional in the other, except one exception by design: a
//!   field the spec marks required *and* nullable may be absent in the generated type, which
//!   reads its absence as `null` (real responses leave such keys out; counted, not reported);
//! - nullability: the spec allows `null` and the type rejects it; or the type accepts `null`
//!   for a field the spec requires non-null (loosened). An optional field is an `Option` in
//!   Rust, whose schema allows `null`: for a field optional on both sides that is how "may be
//!   absent" is written, not a difference. Array items, map values and the response itself
//!   must agree exactly;
//! - the kind of value (object, map, array, string, integer, number, boolean, any JSON), the
//!   formats that have their own Rust type (`date`, `date-time`, `uuid`), and enum members (an
//!   open enum's known members: see `plaid-client/src/runtime/json_schema.rs`).
//!
//! The schemas come from the `response-schemas` binary of the conformance crate (built with
//! `plaid-client/schemars`), for the reason conformance is a crate of its own: xtask must not
//! link plaid-client. Each difference is reported once, at the generated type that holds it,
//! with the first operation and path through which the walk reached it.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Map, Value};

use crate::repair;
use crate::spec;

mod shape;
use shape::{gen_shape, spec_shape, success_schema, success_without_body, Kind, Located, Shape};

/// The string formats that have a Rust type of their own, so a lost one is a changed type.
const TYPED_FORMATS: &[&str] = &["date", "date-time", "uuid"];

pub fn run(root: &Path, spec_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let repair::Normalized {
        original,
        doc: normalized,
        ..
    } = repair::load_normalized(root, spec_path)?;
    let generated = generated_schemas(root)?;
    let (version, client_version) = (
        spec::version(&original),
        generated["spec_version"].as_str().unwrap_or("unknown"),
    );
    anyhow::ensure!(
        version == client_version,
        "the client was generated from spec {client_version}, not {version}; run `cargo xtask generate`"
    );
    let responses = generated["responses"].as_array().map_or(0, Vec::len);
    let report = compare(&normalized, &generated);
    for d in &report.differences {
        println!("{d}");
    }
    println!(
        "response schemas: {responses} operations, {} type/schema pairs, {} fields compared with \
         spec {version}: {} differences ({} required nullable fields also accepted absent, by \
         design)",
        report.pairs,
        report.fields,
        report.differences.len(),
        report.absent_as_null
    );
    Ok(if report.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Run the conformance crate's `response-schemas` binary and read what it wrote.
pub(crate) fn generated_schemas(root: &Path) -> anyhow::Result<Value> {
    let dir = root.join("target").join("conformance");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("response-schemas.json");
    anyhow::ensure!(
        super::run_conformance_bin(root, "response-schemas", &file)?,
        "the response-schemas binary failed"
    );
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", file.display()))
}

/// One difference between the spec and a generated type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The generated type that holds it (its schema name).
    pub owner: String,
    /// The path inside that type: `balances`, `accounts[]`, `metadata{}`; empty for the type.
    pub field: String,
    pub what: String,
    /// The first operation and response path through which the walk reached it.
    pub via: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.field.is_empty() {
            self.owner.clone()
        } else {
            format!("{}.{}", self.owner, self.field)
        };
        write!(f, "{at}: {} (reached from {})", self.what, self.via)
    }
}

/// What [`compare`] found.
pub struct Report {
    pub differences: Vec<Difference>,
    /// (spec schema, generated type) pairs compared.
    pub pairs: usize,
    /// Fields compared (each field of each pair).
    pub fields: usize,
    /// Required-and-nullable spec fields that the generated type also accepts absent.
    pub absent_as_null: usize,
}

/// Compare every response of `generated` (the `response-schemas` binary's output) with the
/// normalized spec's schema for the same operation.
pub fn compare(spec: &Value, generated: &Value) -> Report {
    let empty = Map::new();
    let mut walk = Walk {
        spec,
        defs: generated["definitions"].as_object().unwrap_or(&empty),
        seen: HashSet::new(),
        found: BTreeMap::new(),
        fields: 0,
        absent_as_null: 0,
    };
    for response in generated["responses"].as_array().into_iter().flatten() {
        walk.response(response);
    }
    let differences = walk
        .found
        .into_iter()
        .map(|((owner, field, what), via)| Difference {
            owner,
            field,
            what,
            via,
        })
        .collect();
    Report {
        differences,
        pairs: walk.seen.len(),
        fields: walk.fields,
        absent_as_null: walk.absent_as_null,
    }
}

/// Where the walk is: the generated type that holds the current value, the path inside it, and
/// the path from the operation's response.
#[derive(Clone)]
struct Here {
    owner: String,
    field: String,
    via: String,
}

impl Here {
    fn child(&self, step: &str) -> Here {
        let join = |base: &str| match (base.is_empty(), step.starts_with(['[', '{'])) {
            (true, _) | (_, true) => format!("{base}{step}"),
            _ => format!("{base}.{step}"),
        };
        Here {
            owner: self.owner.clone(),
            field: join(&self.field),
            via: join(&self.via),
        }
    }
}

struct Walk<'a> {
    spec: &'a Value,
    defs: &'a Map<String, Value>,
    /// (spec location, generated type) pairs already compared.
    seen: HashSet<(String, String)>,
    /// (owner, field, what) → the first path that reached it.
    found: BTreeMap<(String, String, String), String>,
    fields: usize,
    absent_as_null: usize,
}

/// The one accepted difference in `required`: the spec requires a nullable field, and the
/// generated type, which accepts `null` for it, also accepts it absent (as `None`).
fn absent_reads_as_null(spec_required: bool, spec: &Shape, generated: &Shape) -> bool {
    spec_required && spec.nullable && (generated.nullable || generated.any)
}

impl<'a> Walk<'a> {
    fn response(&mut self, response: &'a Value) {
        let text = |k: &str| response[k].as_str().unwrap_or_default().to_string();
        let (path, method) = (text("path"), text("method").to_ascii_lowercase());
        let here = Here {
            owner: text("type"),
            field: String::new(),
            via: format!("{} {}", text("operation_id"), text("type")),
        };
        let Some((schema, location)) = success_schema(self.spec, &path, &method) else {
            // A success response without a body is `()` in the client, whose schema is `null`.
            let unit = response["schema"].get("type").and_then(Value::as_str) == Some("null");
            if !(unit && success_without_body(self.spec, &path, &method)) {
                self.report(
                    &here,
                    "the spec has no JSON success response for this operation",
                );
            }
            return;
        };
        let s = spec_shape(self.spec, schema, location);
        let g = gen_shape(self.defs, &response["schema"]);
        self.nullability(&s, &g, true, &here);
        self.shape(&s, &g, here);
    }

    fn report(&mut self, here: &Here, what: &str) {
        let key = (here.owner.clone(), here.field.clone(), what.to_string());
        self.found.entry(key).or_insert_with(|| here.via.clone());
    }

    /// Nullability where no absence is possible (the response, items, map values), or of a
    /// field present on both sides with `required` as the spec says.
    fn nullability(&mut self, s: &Shape, g: &Shape, required: bool, here: &Here) {
        if s.any || g.any {
            return;
        }
        if s.nullable && !g.nullable {
            self.report(here, "the spec allows null; the generated type rejects it");
        } else if !s.nullable && g.nullable && required {
            self.report(
                here,
                "the spec requires a non-null value; the generated type accepts null",
            );
        }
    }

    /// Compare what the value is, then descend.
    fn shape(&mut self, s: &Shape<'a>, g: &Shape<'a>, here: Here) {
        let here = match &g.def {
            Some(def) => {
                if !self.seen.insert((s.location.clone(), def.clone())) {
                    return;
                }
                Here {
                    owner: def.clone(),
                    field: String::new(),
                    via: here.via,
                }
            }
            None => here,
        };
        if let Some(keyword) = s.uncompared {
            // None in the pinned spec: a new one must be looked at, not passed unseen.
            self.report(
                &here,
                &format!("the spec uses `{keyword}`, which this check does not compare"),
            );
            return;
        }
        let (sk, gk) = (s.kind(), g.kind());
        if sk != gk {
            self.report(
                &here,
                &format!("the spec has {sk}; the generated type has {gk}"),
            );
            return;
        }
        match sk {
            Kind::Object => self.object(s, g, &here),
            Kind::Array => self.inner(s.items.as_ref(), g.items.as_ref(), here.child("[]")),
            Kind::Map => self.inner(s.values.as_ref(), g.values.as_ref(), here.child("{}")),
            _ => self.scalar(s, g, &here),
        }
    }

    fn inner(&mut self, s: Option<&Located<'a>>, g: Option<&Located<'a>>, here: Here) {
        let (Some(s), Some(g)) = (s, g) else { return };
        let s = spec_shape(self.spec, s.0, s.1.clone());
        let g = gen_shape(self.defs, g.0);
        if !s.any && !g.any && s.nullable != g.nullable {
            let what = if s.nullable {
                "the spec allows null; the generated type rejects it"
            } else {
                "the spec does not allow null; the generated type accepts it"
            };
            self.report(&here, what);
        }
        self.shape(&s, &g, here);
    }

    fn object(&mut self, s: &Shape<'a>, g: &Shape<'a>, here: &Here) {
        for (name, sp) in &s.properties {
            self.fields += 1;
            let at = here.child(name);
            let Some(gp) = g.properties.get(name) else {
                self.report(&at, "in the spec; missing from the generated type");
                continue;
            };
            let (s_req, g_req) = (s.required.contains(name), g.required.contains(name));
            let sf = spec_shape(self.spec, sp.0, sp.1.clone());
            let gf = gen_shape(self.defs, gp.0);
            if s_req != g_req && absent_reads_as_null(s_req, &sf, &gf) {
                self.absent_as_null += 1;
            } else if s_req != g_req {
                let what = if s_req {
                    "required in the spec; optional in the generated type"
                } else {
                    "optional in the spec; required in the generated type"
                };
                self.report(&at, what);
            }
            self.nullability(&sf, &gf, s_req || g_req, &at);
            self.shape(&sf, &gf, at);
        }
        for name in g
            .properties
            .keys()
            .filter(|n| !s.properties.contains_key(*n))
        {
            self.report(&here.child(name), "in the generated type; not in the spec");
        }
    }

    fn scalar(&mut self, s: &Shape, g: &Shape, here: &Here) {
        let typed = |f: &Option<String>| f.clone().filter(|f| TYPED_FORMATS.contains(&f.as_str()));
        let (sf, gf) = (typed(&s.format), typed(&g.format));
        if sf != gf {
            let show = |f: Option<String>| f.unwrap_or_else(|| "none".into());
            self.report(
                here,
                &format!(
                    "format {} in the spec; {} in the generated type",
                    show(sf),
                    show(gf)
                ),
            );
        }
        match (&s.members, &g.members) {
            (Some(sm), Some(gm)) => {
                let missing: Vec<&String> = sm.difference(gm).collect();
                let extra: Vec<&String> = gm.difference(sm).collect();
                if !missing.is_empty() {
                    self.report(
                        here,
                        &format!("enum members missing from the generated type: {missing:?}"),
                    );
                }
                if !extra.is_empty() {
                    self.report(here, &format!("enum members not in the spec: {extra:?}"));
                }
            }
            (Some(_), None) => self.report(
                here,
                "an enum in the spec; any value of its type in the generated type",
            ),
            (None, Some(_)) => self.report(
                here,
                "any value of its type in the spec; an enum in the generated type",
            ),
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests;
