//! Step 2 of `generate`: edits of progenitor's `types` items on the syntax tree, each a
//! general rule counted in the generator's output.

pub mod constructors;
pub mod open_enum;
pub mod redact;
pub mod struct_serde;
pub mod syntax;

/// What the passes changed.
pub struct Counts {
    pub opened_enums: usize,
    pub redacted_types: usize,
    /// `None` when the pass did not run (a builder-style client has no operations table).
    pub constructors: Option<constructors::Counts>,
    pub serde_impls: struct_serde::Counts,
}

/// Run every pass over the `types` items, in order: open enums first (they add the variant the
/// serde impls must know), then redaction (it replaces derived `Debug`s), then constructors for
/// what `requests` says is sent (they read the serde attributes to tell required fields from
/// optional ones), then the serde impls (which drop those attributes).
pub fn apply(
    types: &mut Vec<syn::Item>,
    requests: Option<&constructors::Requests>,
) -> anyhow::Result<Counts> {
    let opened_enums = open_enum::open_string_enums(types)?;
    let redacted_types = redact::redact_credentials(types);
    let constructors = requests.map(|r| constructors::add_constructors(types, r));
    let serde_impls = struct_serde::rewrite(types);
    Ok(Counts {
        opened_enums,
        redacted_types,
        constructors,
        serde_impls,
    })
}
