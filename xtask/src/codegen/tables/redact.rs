//! The credentials table (`generated/redact.rs`): what the redaction pass decided is a credential
//! (`passes::redact`), for the runtime to read, so the generated `Debug` impls and
//! `plaid-client-ext`'s text redactor (errors, logs) blank the same things.
//!
//! Besides the pass's types and field names it holds the prefixes of Plaid's tokens, read off
//! the spec's own examples: every credential field's example value of the form
//! `<kind>-<environment>-<id>` (`access-sandbox-…`, `link-production-…`), where the
//! environments are the spec's `servers`, gives `<kind>-<environment>-` for every environment.
//! And it lists every type of the module, so a test can walk them all.

use std::collections::BTreeSet;

use quote::{format_ident, quote};
use serde_json::Value;

use crate::codegen::passes::redact::Credentials;
use crate::spec::lookup::{server_environments, strings_under_keys};

/// The table, and one line for the generator's output.
pub struct Table {
    pub file: proc_macro2::TokenStream,
    pub summary: String,
}

pub fn emit(credentials: &Credentials, original: &Value) -> Table {
    let prefixes = token_prefixes(original, &credentials.fields);
    let fields = credentials.fields.iter();
    let types = credentials.types.iter();
    let prefix_list = prefixes.iter();
    let visits = credentials.all_types.iter().map(|name| {
        let ident = format_ident!("{}", name);
        quote!(visitor.visit::<types::#ident>(#name);)
    });
    let walked = credentials.all_types.len();
    let names = credentials.all_types.iter();
    let file = quote! {
        use crate::generated::types;

        /// The wire names of every credential field (a token, secret or password by its name,
        /// its type or its description; rules in xtask's `codegen/passes/redact.rs`). Their
        /// values print as `[redacted]` in the generated types' `Debug`.
        pub const CREDENTIAL_FIELDS: &[&str] = &[#(#fields),*];

        /// The credential types (`AccessToken`, `ApiSecret`, ...): their `Debug` and `Display`
        /// print `[redacted]`, and `expose()` reads the value.
        pub const CREDENTIAL_TYPES: &[&str] = &[#(#types),*];

        /// How Plaid's tokens start (`access-sandbox-`, `link-production-`, ...), as the spec's
        /// examples of credential fields spell them, for every environment of its `servers`.
        pub const TOKEN_PREFIXES: &[&str] = &[#(#prefix_list),*];

        /// The name of every struct and enum of [`crate::types`] this build compiles.
        pub const TYPE_NAMES: &[&str] = &[#(#names),*];

        /// How many types [`visit_types`] visits (all of them with `full`).
        pub const TYPE_COUNT: usize = TYPE_NAMES.len();

        /// Call `visitor.visit::<T>(name)` for every struct and enum of [`crate::types`], e.g.
        /// to check that none of them prints a credential in `Debug`.
        pub fn visit_types<V: crate::redact::TypeVisitor>(visitor: &mut V) {
            #(#visits)*
        }
    };
    Table {
        file,
        summary: format!(
            "{credentials}; {} token prefixes from the spec's examples; {walked} types walkable",
            prefixes.len()
        ),
    }
}

/// `<kind>-<environment>-` for every kind found in the examples and every environment.
fn token_prefixes(original: &Value, fields: &BTreeSet<String>) -> BTreeSet<String> {
    let environments = server_environments(original);
    let values = strings_under_keys(original, &|k| fields.contains(k));
    let mut kinds = BTreeSet::new();
    for value in values {
        for env in &environments {
            let Some(at) = value.find(&format!("-{env}-")) else {
                continue;
            };
            let kind = &value[..at];
            let plain = kind
                .split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
            if plain {
                kinds.insert(kind.to_string());
            }
        }
    }
    kinds
        .iter()
        .flat_map(|kind| environments.iter().map(move |env| format!("{kind}-{env}-")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefixes_come_from_credential_examples_and_servers() {
        let doc = json!({"servers": [{"url": "https://production.plaid.com"},
                                     {"url": "https://sandbox.plaid.com/"}],
            "x": {"example": {"access_token": "access-sandbox-de3ce8ef",
                              "public_tokens": ["public-production-1"],
                              "relay_token": "credit-relay-sandbox-2",
                              "secret": "79g03eoofwl8240v776r",
                              "name": "name-sandbox-3"}}});
        let fields: BTreeSet<String> = ["access_token", "public_tokens", "relay_token", "secret"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let got: Vec<String> = token_prefixes(&doc, &fields).into_iter().collect();
        assert_eq!(
            got,
            [
                "access-production-",
                "access-sandbox-",
                "credit-relay-production-",
                "credit-relay-sandbox-",
                "public-production-",
                "public-sandbox-"
            ]
        );
    }
}
