//! Every JSON answer conforms to the spec as Plaid *published* it, not only to the normalized one
//! plaid-client is generated from. The generator relaxed what Plaid's examples leave out (a key
//! the published spec requires became an `Option`, skipped when `None`), so serializing the
//! generated type alone would omit keys a strict client requires
//! (`TransferAuthorization.payment_risk`, `Security.sector`, …). plaid-client's `conform` table
//! (generated from both documents, feature `mock`) adds each such key where it is absent:
//! `null` where the published schema is nullable, else a value valid against it; and it
//! replaces a `null` the type writes where the published schema rejects one (`Cause`, a
//! nullable component whose `allOf` member is not).
//!
//! Every emulated and fallback answer is serialized here (`examples::typed`), after it was
//! decoded into its generated response type. CI proves the result: `cargo xtask served-bodies`
//! validates every recorded body against the published spec's response schemas.

use plaid_client::JsonOperation;

/// `typed`, the answer of `O`, serialized with the keys the published spec requires.
pub(crate) fn body<O: JsonOperation>(typed: &O::Response) -> Result<Vec<u8>, serde_json::Error> {
    if plaid_client::conform::root(O::PATH).is_none() {
        return serde_json::to_vec(typed);
    }
    let mut value = serde_json::to_value(typed)?;
    plaid_client::conform::conform(O::PATH, &mut value);
    serde_json::to_vec(&value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plaid_client::operations as op;
    use plaid_client::types;
    use plaid_client::Operation;
    use serde_json::Value;

    /// An answer as the generated type writes it, and as `body` writes it.
    fn both<O: JsonOperation>(answer: Value) -> (Value, Value) {
        let typed: O::Response = serde_json::from_value(answer).expect("decodes");
        let plain = serde_json::to_value(&typed).expect("serializes");
        let conformed: Value =
            serde_json::from_slice(&body::<O>(&typed).expect("serializes")).expect("JSON");
        (plain, conformed)
    }

    #[test]
    fn a_transfer_authorization_carries_its_required_payment_risk_as_null() {
        let mut answer = plaid_client::mock::example::<op::TransferAuthorizationCreate>()
            .map(|t| serde_json::to_value(t).expect("serializes"))
            .expect("the spec has an example");
        if let Some(a) = answer["authorization"].as_object_mut() {
            a.remove("payment_risk");
        }
        let (plain, conformed) = both::<op::TransferAuthorizationCreate>(answer);
        assert!(plain["authorization"].get("payment_risk").is_none());
        assert_eq!(conformed["authorization"]["payment_risk"], Value::Null);
        let _: types::TransferAuthorizationCreateResponse =
            serde_json::from_value(conformed).expect("still decodes");
    }

    #[test]
    fn an_operation_without_relaxed_keys_is_written_as_its_type_writes_it() {
        assert!(plaid_client::conform::root(op::ItemGet::PATH).is_none());
        let answer = plaid_client::mock::example::<op::ItemGet>()
            .map(|t| serde_json::to_value(t).expect("serializes"))
            .expect("the spec has an example");
        let (plain, conformed) = both::<op::ItemGet>(answer);
        assert_eq!(plain, conformed);
    }
}
