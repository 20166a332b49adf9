//! The product data of a custom user's account (docs, `sandbox-user-custom.txt`): its owners
//! (`identity`), `holdings` and `investment_transactions`, `liability` (credit or student, each
//! with the fields only it may set), `inflow_model` and payroll `income`, as typed values the
//! configuration is checked against, and the configuration's dates (`custom_user.rs` holds
//! the rest of it).

use serde::{Deserialize, Deserializer};

/// A date, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date(pub(crate) String);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parts: Vec<&str> = text.split('-').collect();
        let ok = matches!(parts[..], [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && (1..=12).contains(&parts[1].parse::<u8>().unwrap_or(0))
            && (1..=31).contains(&parts[2].parse::<u8>().unwrap_or(0));
        if ok {
            Ok(Self(text))
        } else {
            Err(serde::de::Error::custom(format!(
                "{text:?} is not a date (YYYY-MM-DD)"
            )))
        }
    }
}

/// A security, as holdings and investment transactions name it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Security {
    pub(crate) isin: Option<String>,
    pub(crate) cusip: Option<String>,
    pub(crate) sedol: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) ticker_symbol: Option<String>,
    pub(crate) currency: Option<String>,
}

/// One holding.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Holding {
    pub(crate) institution_price: f64,
    pub(crate) institution_price_as_of: Option<Date>,
    pub(crate) cost_basis: Option<f64>,
    pub(crate) quantity: f64,
    pub(crate) currency: Option<String>,
    pub(crate) security: Security,
}

/// One investment transaction.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InvestmentTransaction {
    pub(crate) date: Date,
    pub(crate) name: String,
    pub(crate) quantity: f64,
    pub(crate) price: f64,
    pub(crate) fees: Option<f64>,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) currency: Option<String>,
    pub(crate) security: Security,
}

/// `identity`: the owners' data (the same for every account of the Item).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Identity {
    #[serde(default)]
    pub(crate) names: Vec<String>,
    #[serde(default)]
    pub(crate) phone_numbers: Vec<Contact>,
    #[serde(default)]
    pub(crate) emails: Vec<Contact>,
    #[serde(default)]
    pub(crate) addresses: Vec<Address>,
}

/// A phone number or email.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Contact {
    pub(crate) data: String,
    #[serde(default)]
    pub(crate) primary: bool,
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
}

/// An address.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Address {
    pub(crate) data: AddressData,
    #[serde(default)]
    pub(crate) primary: bool,
}

/// An address's parts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddressData {
    pub(crate) city: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) street: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) country: Option<String>,
}

/// `liability`: a credit card's or a student loan's terms. Which fields each type may set is
/// checked by [`Liability::check`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Liability {
    /// `credit` or `student` ("Mortgages are not currently supported").
    #[serde(rename = "type")]
    pub(crate) kind: LiabilityKind,
    pub(crate) purchase_apr: Option<f64>,
    pub(crate) cash_apr: Option<f64>,
    pub(crate) balance_transfer_apr: Option<f64>,
    pub(crate) special_apr: Option<f64>,
    pub(crate) last_payment_amount: Option<f64>,
    pub(crate) minimum_payment_amount: Option<f64>,
    pub(crate) is_overdue: Option<bool>,
    pub(crate) origination_date: Option<Date>,
    pub(crate) principal: Option<f64>,
    pub(crate) nominal_apr: Option<f64>,
    pub(crate) loan_name: Option<String>,
    /// The student-loan fields kept as given (`repayment_model`, `loan_status`, `guarantor`…).
    #[serde(flatten)]
    pub(crate) student: std::collections::BTreeMap<String, serde_json::Value>,
}

/// A liability's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LiabilityKind {
    Credit,
    Student,
}

/// The fields only a student loan may set, beyond the typed ones.
const STUDENT_FIELDS: [&str; 13] = [
    "interest_capitalization_grace_period_months",
    "repayment_model",
    "expected_payoff_date",
    "guarantor",
    "is_federal",
    "loan_status",
    "payment_reference_number",
    "pslf_status",
    "repayment_plan_description",
    "repayment_plan_type",
    "sequence_number",
    "servicer_address",
    "loan_name",
];

impl Liability {
    /// The docs' "Can only be set if type is credit/student" rules.
    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(unknown) = self
            .student
            .keys()
            .find(|k| !STUDENT_FIELDS.contains(&k.as_str()))
        {
            return Err(format!("liability has no field {unknown}"));
        }
        let credit_only = [
            ("purchase_apr", self.purchase_apr.is_some()),
            ("cash_apr", self.cash_apr.is_some()),
            ("balance_transfer_apr", self.balance_transfer_apr.is_some()),
            ("special_apr", self.special_apr.is_some()),
            ("last_payment_amount", self.last_payment_amount.is_some()),
        ];
        let student_only = [
            ("origination_date", self.origination_date.is_some()),
            ("principal", self.principal.is_some()),
            ("nominal_apr", self.nominal_apr.is_some()),
            ("loan_name", self.loan_name.is_some()),
        ];
        let (wrong, kind) = match self.kind {
            LiabilityKind::Credit => (
                student_only
                    .iter()
                    .find(|(_, set)| *set)
                    .map(|(f, _)| *f)
                    .or_else(|| self.student.keys().next().map(String::as_str)),
                "student",
            ),
            LiabilityKind::Student => (
                credit_only.iter().find(|(_, set)| *set).map(|(f, _)| *f),
                "credit",
            ),
        };
        match wrong {
            Some(field) => Err(format!(
                "liability.{field} can only be set if type is {kind}"
            )),
            None => Ok(()),
        }
    }
}

/// `inflow_model`: regular income or payments.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InflowModel {
    #[serde(rename = "type")]
    pub(crate) kind: InflowKind,
    pub(crate) income_amount: Option<f64>,
    pub(crate) payment_day_of_month: Option<DayOfMonth>,
    pub(crate) transaction_name: Option<String>,
    pub(crate) statement_day_of_month: Option<DayOfMonth>,
}

/// The inflow model's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum InflowKind {
    None,
    MonthlyIncome,
    MonthlyBalancePayment,
    MonthlyInterestOnlyPayment,
}

/// "Number between 1 and 28, or last".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayOfMonth {
    /// Day 1 to 28.
    Day(u8),
    /// The month's last day.
    Last,
}

impl<'de> Deserialize<'de> for DayOfMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        let day = match Raw::deserialize(d)? {
            Raw::S(s) if s == "last" => return Ok(Self::Last),
            Raw::S(s) => s.parse::<u64>().ok(),
            Raw::N(n) => Some(n),
        };
        match day {
            Some(n @ 1..=28) => Ok(Self::Day(n as u8)),
            _ => Err(serde::de::Error::custom(
                "a day of month is a number between 1 and 28, or \"last\"",
            )),
        }
    }
}

impl InflowModel {
    /// The docs' "required if type is …" rules.
    pub(crate) fn check(&self) -> Result<(), String> {
        let needs_payment = !matches!(self.kind, InflowKind::None);
        if matches!(self.kind, InflowKind::MonthlyIncome) && self.income_amount.is_none() {
            return Err("inflow_model.income_amount is required for monthly-income".into());
        }
        if needs_payment && (self.payment_day_of_month.is_none() || self.transaction_name.is_none())
        {
            return Err("inflow_model needs payment_day_of_month and transaction_name".into());
        }
        let statement = matches!(
            self.kind,
            InflowKind::MonthlyBalancePayment | InflowKind::MonthlyInterestOnlyPayment
        );
        if statement && self.statement_day_of_month.is_none() {
            return Err("inflow_model.statement_day_of_month is required for payments".into());
        }
        Ok(())
    }
}

/// `income`: payroll data, kept as paystubs with their employer and employee names.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub(crate) struct Income {
    #[serde(default)]
    pub(crate) paystubs: Vec<Paystub>,
}

/// One paystub (its other fields are accepted and not served).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub(crate) struct Paystub {
    pub(crate) employer: Option<Named>,
    pub(crate) employee: Option<Named>,
}

/// Something with a name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub(crate) struct Named {
    pub(crate) name: Option<String>,
}

/// How many past paydays a `monthly-income` model shows.
const INCOME_MONTHS: u64 = 3;

impl InflowModel {
    /// A `monthly-income` model's paydays among the last [`INCOME_MONTHS`] months up to
    /// `today` (`YYYY-MM-DD`), oldest first, with the income amount (negative: money in, as
    /// Plaid signs amounts) and the transaction's name; the payment models (which need the
    /// interest the docs say accrues) and `none` give none.
    pub(crate) fn income(&self, today: &str) -> Vec<(String, f64, String)> {
        let (InflowKind::MonthlyIncome, Some(amount), Some(day), Some(name)) = (
            self.kind,
            self.income_amount,
            self.payment_day_of_month,
            self.transaction_name.as_ref(),
        ) else {
            return Vec::new();
        };
        let parts: Vec<u64> = today.split('-').filter_map(|p| p.parse().ok()).collect();
        let [year, month, _] = parts[..] else {
            return Vec::new();
        };
        let months = (0..INCOME_MONTHS).rev().filter_map(|back| {
            let index = (year * 12 + month - 1).checked_sub(back)?;
            Some((index / 12, index % 12 + 1))
        });
        months
            .filter_map(|(y, m)| {
                let last = last_day(y, m)?;
                let d = match day {
                    DayOfMonth::Day(d) => u64::from(d),
                    DayOfMonth::Last => last,
                };
                Some(format!("{y:04}-{m:02}-{d:02}"))
            })
            .filter(|date| date.as_str() <= today)
            .map(|date| (date, -amount, name.clone()))
            .collect()
    }
}

/// The last day of month `m` of year `y`.
fn last_day(y: u64, m: u64) -> Option<u64> {
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let first = super::clock::days_from_civil(y, m, 1)?;
    Some(super::clock::days_from_civil(next.0, next.1, 1)? - first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_income_pays_on_its_day_of_the_last_three_months() {
        let model: InflowModel = serde_json::from_str(
            r#"{"type": "monthly-income", "income_amount": 1500, "payment_day_of_month": "last", "transaction_name": "Salary"}"#,
        )
        .unwrap();
        let paid = model.income("2026-03-15");
        let dates: Vec<&str> = paid.iter().map(|(d, _, _)| d.as_str()).collect();
        assert_eq!(
            dates,
            ["2026-01-31", "2026-02-28"],
            "March's last day is still to come"
        );
        assert!(paid.iter().all(|(_, a, n)| *a == -1500.0 && n == "Salary"));
    }
}
