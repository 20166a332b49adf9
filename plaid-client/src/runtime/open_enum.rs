//! Serde for the generated string enums, through their `FromStr` (which keeps a value it does not
//! know as `UnknownValue`). One generic visitor serves all of them, instead of a derived field
//! visitor per enum: same behaviour, much less code to compile. Used by generated code only.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// Deserialize a string enum from a JSON string via `T::from_str`.
#[doc(hidden)]
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    struct Visitor<T>(PhantomData<T>);
    impl<T> serde::de::Visitor<'_> for Visitor<T>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            value.parse().map_err(E::custom)
        }
    }
    deserializer.deserialize_str(Visitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use crate::types::TransactionsUpdateStatus;

    #[test]
    fn known_and_unknown_values_round_trip_and_non_strings_are_refused() {
        let known: TransactionsUpdateStatus = serde_json::from_str("\"NOT_READY\"").unwrap();
        assert_eq!(known, TransactionsUpdateStatus::NotReady);
        assert_eq!(serde_json::to_string(&known).unwrap(), "\"NOT_READY\"");
        let new: TransactionsUpdateStatus = serde_json::from_str("\"SOMETHING_NEW\"").unwrap();
        assert_eq!(
            new,
            TransactionsUpdateStatus::UnknownValue("SOMETHING_NEW".into())
        );
        assert_eq!(serde_json::to_string(&new).unwrap(), "\"SOMETHING_NEW\"");
        let err = serde_json::from_str::<TransactionsUpdateStatus>("42").unwrap_err();
        assert!(err.to_string().contains("expected a string"), "{err}");
    }
}
