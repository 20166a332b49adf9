//! The dates of a custom user's configuration (docs, `sandbox-user-custom.txt`: `date_posted`,
//! `date_transacted`, a liability's and a holding's dates): `YYYY-MM-DD`, a day the calendar
//! has, refused with the text it was given otherwise. Its own module because the account
//! products (`custom_products.rs`), the investments (`custom_investments.rs`) and the
//! transactions (`custom_user.rs`) all read it.

use serde::{Deserialize, Deserializer};

/// A date, `YYYY-MM-DD`, one the calendar has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date(pub(crate) String);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        // The shape first (`2019-1-1` is not one), then a day the calendar has.
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let ok = shaped && chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok();
        if ok {
            Ok(Self(text))
        } else {
            Err(serde::de::Error::custom(format!(
                "{text:?} is not a date (YYYY-MM-DD)"
            )))
        }
    }
}
