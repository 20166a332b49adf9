//! **Redacted credentials**, a pass over progenitor's `types` syntax tree: every struct with a
//! credential field gets a `Debug` that prints `[redacted]` for it, so logging a request never
//! logs its credentials.

use quote::quote;
use syn::Item;

/// Field names whose values are credentials or bearer tokens in Plaid's API: the two API keys
/// (`securitySchemes` `clientId`, `secret`) and the tokens that grant access to an Item or user.
pub const CREDENTIAL_FIELDS: &[&str] = &[
    "access_token",
    "access_tokens",
    "client_id",
    "secret",
    "public_token",
    "processor_token",
    "user_token",
    "link_token",
    "payment_token",
];

/// Give every struct with a credential field a `Debug` that redacts it. Returns how many.
pub fn redact_credentials(items: &mut Vec<Item>) -> usize {
    let mut impls: Vec<(usize, Item)> = Vec::new();
    for (index, item) in items.iter_mut().enumerate() {
        let Item::Struct(st) = item else { continue };
        let syn::Fields::Named(fields) = &st.fields else {
            continue;
        };
        let names: Vec<&syn::Ident> = fields
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref())
            .collect();
        if !names
            .iter()
            .any(|n| CREDENTIAL_FIELDS.contains(&n.to_string().trim_start_matches("r#")))
        {
            continue;
        }
        let had_debug = crate::codegen::passes::syntax::drop_derives(&mut st.attrs, |p| {
            crate::codegen::passes::syntax::names_trait(p, "Debug")
        });
        if !had_debug {
            continue;
        }
        let ident = &st.ident;
        let label = ident.to_string();
        let entries = names.iter().map(|n| {
            let key = n.to_string().trim_start_matches("r#").to_string();
            if CREDENTIAL_FIELDS.contains(&key.as_str()) {
                quote!(.field(#key, &"[redacted]"))
            } else {
                quote!(.field(#key, &self.#n))
            }
        });
        impls.push((
            index,
            syn::parse_quote! {
                impl ::std::fmt::Debug for #ident {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.debug_struct(#label) #(#entries)* .finish()
                    }
                }
            },
        ));
    }
    let n = impls.len();
    // Each impl right after its struct (from the back, so indices stay valid).
    for (index, imp) in impls.into_iter().rev() {
        items.insert(index + 1, imp);
    }
    n
}
