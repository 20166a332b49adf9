//! Step 2 of `generate`: edits of progenitor's `types` items on the syntax tree, each a
//! general rule counted in the generator's output.

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
    pub serde_impls: struct_serde::Counts,
    pub json_schema: json_schema::Counts,
}

/// Run every pass over the `types` items, in order: open enums first (they add the variant the
/// serde impls must know), then redaction (it replaces derived `Debug`s and reads the serde
/// renames), then the JSON Schema impls (they read the `#[serde]` attributes the next pass
/// removes), then the serde impls. `credential_headers` are the spec's `apiKey` header names.
pub fn apply(types: &mut Vec<syn::Item>, credential_headers: &[String]) -> anyhow::Result<Counts> {
    let opened_enums = open_enum::open_string_enums(types)?;
    let credentials = redact::redact_credentials(types, credential_headers);
    let json_schema = json_schema::add_impls(types)?;
    let serde_impls = struct_serde::rewrite(types);
    Ok(Counts {
        opened_enums,
        credentials,
        serde_impls,
        json_schema,
    })
}
