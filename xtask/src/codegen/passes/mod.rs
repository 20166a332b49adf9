//! Step 2 of `generate`: edits of progenitor's `types` items on the syntax tree, each a
//! general rule counted in the generator's output.

pub mod constructors;
pub mod json_schema;
pub mod open_enum;
pub mod redact;
pub mod struct_serde;
pub mod syntax;

/// What the passes changed.
pub struct Counts {
    pub opened_enums: usize,
    /// The credentials the redaction pass found (emitted as the `redact` table too).
    pub credentials: redact::Credentials,
    /// `None` when the pass did not run (a builder-style client has no operations table).
    pub constructors: Option<constructors::Counts>,
    pub serde_impls: struct_serde::Counts,
    pub json_schema: json_schema::Counts,
}

/// Run every pass over the `types` items, in order: open enums first (they add the variant the
/// serde impls must know), then redaction (it replaces derived `Debug`s and reads the serde
/// renames), then constructors for what `requests` says is sent and the JSON Schema impls (both
/// read the serde attributes), then the serde impls (which drop those attributes).
/// `credential_headers` are the spec's `apiKey` header names.
pub fn apply(
    types: &mut Vec<syn::Item>,
    credential_headers: &[String],
    requests: Option<&constructors::Requests>,
) -> anyhow::Result<Counts> {
    let opened_enums = open_enum::open_string_enums(types)?;
    let credentials = redact::redact_credentials(types, credential_headers);
    let constructors = requests.map(|r| constructors::add_constructors(types, r));
    let json_schema = json_schema::add_impls(types)?;
    let serde_impls = struct_serde::rewrite(types);
    Ok(Counts {
        opened_enums,
        credentials,
        constructors,
        serde_impls,
        json_schema,
    })
}
