//! Serde for the generated structs: the shared half of the impls that `cargo xtask generate`
//! writes in place of `#[derive(Serialize, Deserialize)]`. Used by generated code only.
//!
//! Why not the derives: for ~1,700 structs, serde's derived impls were about half of this crate's
//! compile time (issue 7; `-Zself-profile` put 25 of 60 s in `Deserialize` alone). Most of that
//! went on parts a JSON API never uses: a `visit_seq` per struct (structs as arrays), a field
//! visitor with `visit_u64`/`visit_bytes` arms, and a wrapper type per
//! `deserialize_with = "Option::deserialize"` field. Here every struct has one `from_map` of
//! plain calls into the generic functions below, written once.
//!
//! Behaviour is serde's derive, for structs written as maps (JSON objects, and the maps of other
//! self-describing formats): the same field names (keys as strings, bytes, or field indexes as
//! serde's field visitor takes them), `missing field` / `duplicate field` errors, unknown fields
//! ignored, `None` for an absent optional field, `default` values, and the same
//! `skip_serializing_if` skips and field counts. Two differences: a struct is not accepted as
//! a sequence of positional values, which a JSON API never sends (and which the generated types'
//! skipped fields already made impossible to round-trip); and a field the spec marks required
//! *and* nullable decodes as `None` when its key is absent (serde's derive, through
//! `deserialize_with = "Option::deserialize"`, said `missing field`): Plaid leaves such keys
//! out in real responses, and one absent key must not cost the whole response. Such a field is
//! still written as the spec wants it: always, `null` when `None`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

/// A generated struct that decodes from a map of its fields.
#[doc(hidden)]
pub trait FromMap<'de>: Sized {
    /// The struct's Rust name, for `expected struct …` errors.
    const NAME: &'static str;
    /// The field names on the wire, in declaration order.
    const FIELDS: &'static [&'static str];
    /// Read the struct's fields from `map`.
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of every generated struct.
#[doc(hidden)]
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromMap<'de>,
{
    deserializer.deserialize_struct(T::NAME, T::FIELDS, StructVisitor(PhantomData))
}

struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// The index in `fields` of the next key (an index past the end for a key that is not a field,
/// whose value the caller skips), or `None` at the end of the map.
#[doc(hidden)]
pub fn key<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
) -> Result<Option<usize>, A::Error> {
    map.next_key_seed(FieldSeed(fields))
}

/// What [`key`] returns for a key that names no field.
const UNKNOWN: usize = usize::MAX;

struct FieldSeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for FieldSeed {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<usize, E> {
        Ok(self.0.iter().position(|f| *f == value).unwrap_or(UNKNOWN))
    }

    /// A field by its index, as serde's derived field visitor accepts it.
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<usize, E> {
        Ok(usize::try_from(value)
            .ok()
            .filter(|i| *i < self.0.len())
            .unwrap_or(UNKNOWN))
    }

    /// Keys as bytes: those that are not UTF-8 name no field.
    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<usize, E> {
        match std::str::from_utf8(value) {
            Ok(key) => self.visit_str(key),
            Err(_) => Ok(UNKNOWN),
        }
    }
}

/// Read the value of field `name` into `slot`; a second value for the same field is an error.
#[doc(hidden)]
pub fn value<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skip the value of a key that names no field.
#[doc(hidden)]
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// A required field's value, or the `missing field` error if it was absent.
#[doc(hidden)]
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// An optional or nullable field: absent and `null` are both `None`.
#[doc(hidden)]
pub fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// A struct being serialized: fields are written until the first error, which `end` returns.
#[doc(hidden)]
pub struct Struct<S: Serializer>(Result<S::SerializeStruct, S::Error>);

impl<S: Serializer> Struct<S> {
    /// Start a struct of `always` fields written every time and, for each field that has a
    /// `skip_serializing_if`, whether it is skipped (the format is told how many are written).
    pub fn begin(serializer: S, name: &'static str, always: usize, skipped: &[bool]) -> Self {
        let len = always + skipped.iter().filter(|s| !**s).count();
        Self(serializer.serialize_struct(name, len))
    }

    /// Write one field.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.write(|state| state.serialize_field(key, value));
    }

    /// Write one field unless `skip` (its `skip_serializing_if` held).
    pub fn field_unless<T: Serialize + ?Sized>(
        &mut self,
        skip: bool,
        key: &'static str,
        value: &T,
    ) {
        if skip {
            self.write(|state| state.skip_field(key));
        } else {
            self.field(key, value);
        }
    }

    /// One step on the struct, unless an earlier one failed; the first error is kept.
    fn write(&mut self, step: impl FnOnce(&mut S::SerializeStruct) -> Result<(), S::Error>) {
        if let Ok(state) = &mut self.0 {
            if let Err(e) = step(state) {
                self.0 = Err(e);
            }
        }
    }

    /// Finish the struct, or return the first error.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.0?.end()
    }
}

#[cfg(test)]
mod tests {
    //! The generated impls on real generated types, against what serde's derives did for the
    //! same attributes (the attributes are named on each case).
    use crate::types::{Scopes, TransferBalance, TransferBalanceType, YieldRate, YieldRateType};
    use serde_test::{assert_de_tokens, assert_ser_tokens, Token};

    fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        serde_json::from_str::<T>(json).unwrap_err().to_string()
    }

    #[test]
    fn renamed_and_nullable_required_fields() {
        // `type_` is `#[serde(rename = "type", deserialize_with = "Option::deserialize")]`:
        // renamed, and required even though it may be null.
        let y: YieldRate =
            serde_json::from_str(r#"{"percentage": 1.5, "type": "coupon"}"#).unwrap();
        assert_eq!((y.percentage, y.type_), (1.5, Some(YieldRateType::Coupon)));
        let y: YieldRate = serde_json::from_str(r#"{"type": null, "percentage": 2}"#).unwrap();
        assert_eq!((y.percentage, y.type_), (2.0, None));
        // Absent is `None` too (issue 16: Plaid leaves nullable keys out), where serde's
        // derive said `missing field`; a required field that is not nullable is still missing.
        let y: YieldRate = serde_json::from_str(r#"{"percentage": 1.5}"#).unwrap();
        assert_eq!((y.percentage, y.type_), (1.5, None));
        assert!(err::<YieldRate>(r#"{"type": null}"#).starts_with("missing field `percentage`"));
        assert_eq!(
            serde_json::to_string(&YieldRate {
                percentage: 1.5,
                type_: None
            })
            .unwrap(),
            r#"{"percentage":1.5,"type":null}"#
        );
    }

    #[test]
    fn duplicate_unknown_and_wrong_shape_input() {
        assert!(
            err::<YieldRate>(r#"{"percentage": 1, "percentage": 2, "type": null}"#)
                .starts_with("duplicate field `percentage`")
        );
        // Unknown keys are skipped whatever their value holds.
        let y: YieldRate = serde_json::from_str(
            r#"{"new": {"a": [1, {"b": null}]}, "percentage": 3, "type": "yield", "x": "y"}"#,
        )
        .unwrap();
        assert_eq!((y.percentage, y.type_), (3.0, Some(YieldRateType::Yield)));
        assert!(err::<YieldRate>(r#"{"percentage": "3", "type": null}"#)
            .starts_with("invalid type: string \"3\", expected f64"));
        assert!(err::<YieldRate>("42")
            .starts_with("invalid type: integer `42`, expected struct YieldRate"));
        // Positional arrays are refused (serde's derive accepted them; Plaid never sends them).
        assert!(err::<YieldRate>("[1.5, null]")
            .starts_with("invalid type: sequence, expected struct YieldRate"));
    }

    #[test]
    fn optional_fields_absent_null_and_skipped() {
        // `current` is `#[serde(skip_serializing_if = "Option::is_none")]`: absent or null is None.
        for json in [
            r#"{"available": "1.00", "type": "prefunded_ach_credits"}"#,
            r#"{"available": "1.00", "current": null, "type": "prefunded_ach_credits"}"#,
        ] {
            let b: TransferBalance = serde_json::from_str(json).unwrap();
            assert_eq!(b.current, None, "{json}");
            assert_eq!(b.type_, TransferBalanceType::PrefundedAchCredits);
            // Skipped on the way out, and the field count says so.
            assert_ser_tokens(
                &b,
                &[
                    Token::Struct {
                        name: "TransferBalance",
                        len: 2,
                    },
                    Token::Str("available"),
                    Token::Str("1.00"),
                    Token::Str("type"),
                    Token::Str("prefunded_ach_credits"),
                    Token::StructEnd,
                ],
            );
        }
        let b = TransferBalance {
            available: "1.00".into(),
            current: Some("2.00".into()),
            type_: TransferBalanceType::UnknownValue("later".into()),
        };
        assert_ser_tokens(
            &b,
            &[
                Token::Struct {
                    name: "TransferBalance",
                    len: 3,
                },
                Token::Str("available"),
                Token::Str("1.00"),
                Token::Str("current"),
                Token::Some,
                Token::Str("2.00"),
                Token::Str("type"),
                Token::Str("later"),
                Token::StructEnd,
            ],
        );
    }

    #[test]
    fn defaults_when_absent() {
        // `accounts`: `#[serde(default, skip_serializing_if = "Vec::is_empty")]`;
        // `new_accounts`: `#[serde(default = "defaults::scopes_new_accounts", ..)]` (true).
        let s: Scopes = serde_json::from_str("{}").unwrap();
        assert!(s.accounts.is_empty());
        assert_eq!(s.new_accounts, Some(true));
        assert!(s.product_access.is_none());
        // An explicit null is not "absent": it stays None, as with serde's derive.
        let s: Scopes = serde_json::from_str(r#"{"new_accounts": null}"#).unwrap();
        assert_eq!(s.new_accounts, None);
        assert!(err::<Scopes>(r#"{"accounts": null}"#)
            .starts_with("invalid type: null, expected a sequence"));
        assert_ser_tokens(
            &Scopes {
                accounts: vec![],
                new_accounts: Some(false),
                product_access: None,
            },
            &[
                Token::Struct {
                    name: "Scopes",
                    len: 1,
                },
                Token::Str("new_accounts"),
                Token::Some,
                Token::Bool(false),
                Token::StructEnd,
            ],
        );
    }

    #[test]
    fn keys_as_bytes_owned_strings_or_indexes() {
        // Formats that hand keys over as bytes, owned strings or field indexes find the same
        // fields; an index past the last field is an unknown key, skipped.
        assert_de_tokens(
            &Wrapper(YieldRate {
                percentage: 1.0,
                type_: None,
            }),
            &[
                Token::Map { len: Some(2) },
                Token::Bytes(b"type"),
                Token::None,
                Token::String("percentage"),
                Token::F64(1.0),
                Token::MapEnd,
            ],
        );
        assert_de_tokens(
            &Wrapper(YieldRate {
                percentage: 2.0,
                type_: Some(YieldRateType::Coupon),
            }),
            &[
                Token::Map { len: Some(3) },
                Token::U64(0),
                Token::F64(2.0),
                Token::U64(2),
                Token::Str("ignored"),
                Token::U64(1),
                Token::Some,
                Token::Str("coupon"),
                Token::MapEnd,
            ],
        );
        // From a `serde_json::Value` (owned keys), as `from_value` users do.
        let v = serde_json::json!({"percentage": 4.5, "type": "discount", "extra": true});
        let y: YieldRate = serde_json::from_value(v).unwrap();
        assert_eq!(
            (y.percentage, y.type_),
            (4.5, Some(YieldRateType::Discount))
        );
    }

    /// `YieldRate` compared by its fields (the generated types do not derive `PartialEq`).
    #[derive(Debug)]
    struct Wrapper(YieldRate);
    impl PartialEq for Wrapper {
        fn eq(&self, other: &Self) -> bool {
            self.0.percentage == other.0.percentage && self.0.type_ == other.0.type_
        }
    }
    impl<'de> serde::Deserialize<'de> for Wrapper {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            YieldRate::deserialize(d).map(Wrapper)
        }
    }
}
