//! The product data of a custom user's account (docs, `sandbox-user-custom.txt`): its owners
//! (`identity`), `liability` (credit or student, each with the fields only it may set),
//! `inflow_model` and payroll `income`, as typed values the configuration is checked against,
//! and what an Item keeps of an account's products
//! ([`AccountProducts`]). Holdings and investment transactions are `custom_investments.rs`;
//! `custom_user.rs` holds the rest of the configuration.

use serde::{Deserialize, Deserializer};

use super::custom_date::Date;
use super::custom_investments::{Holding, InvestmentTransaction};

/// The product data one configured account keeps on its Item, for the product calls that
/// serve it (`api/investments.rs`, `api/liabilities.rs`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct AccountProducts {
    pub(crate) holdings: Vec<Holding>,
    pub(crate) investment_transactions: Vec<InvestmentTransaction>,
    pub(crate) liability: Option<Liability>,
    /// The configured account number (a student loan's `account_number`).
    pub(crate) account_number: Option<String>,
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
/// checked by [`Liability::check`]; a field the schema does not have is refused.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Liability {
    /// `credit` or `student` ("Mortgages are not currently supported").
    #[serde(rename = "type")]
    pub(crate) kind: LiabilityKind,
    pub(crate) purchase_apr: Option<f64>,
    pub(crate) cash_apr: Option<f64>,
    pub(crate) balance_transfer_apr: Option<f64>,
    pub(crate) special_apr: Option<f64>,
    pub(crate) last_payment_amount: Option<f64>,
    /// Credit or student.
    pub(crate) minimum_payment_amount: Option<f64>,
    /// Credit or student.
    pub(crate) is_overdue: Option<bool>,
    pub(crate) origination_date: Option<Date>,
    pub(crate) principal: Option<f64>,
    pub(crate) nominal_apr: Option<f64>,
    pub(crate) interest_capitalization_grace_period_months: Option<u32>,
    pub(crate) repayment_model: Option<RepaymentModel>,
    pub(crate) expected_payoff_date: Option<Date>,
    pub(crate) guarantor: Option<String>,
    pub(crate) is_federal: Option<bool>,
    pub(crate) loan_name: Option<String>,
    pub(crate) loan_status: Option<LoanStatus>,
    pub(crate) payment_reference_number: Option<String>,
    pub(crate) pslf_status: Option<PslfStatus>,
    pub(crate) repayment_plan_description: Option<String>,
    pub(crate) repayment_plan_type: Option<String>,
    pub(crate) sequence_number: Option<String>,
    pub(crate) servicer_address: Option<Address>,
}

/// A liability's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LiabilityKind {
    Credit,
    Student,
}

/// `repayment_model`: when a student loan's repayments start and end.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepaymentModel {
    /// "The only currently supported value for this field is standard".
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) non_repayment_months: u32,
    pub(crate) repayment_months: u32,
}

/// `loan_status`: the loan's status and until when.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoanStatus {
    pub(crate) end_date: Option<Date>,
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
}

/// `pslf_status`: Public Service Loan Forgiveness progress.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PslfStatus {
    pub(crate) estimated_eligibility_date: Option<Date>,
    pub(crate) payments_made: Option<i64>,
    pub(crate) payments_remaining: Option<i64>,
}

/// Whether `text` is one of the values a generated enum `T` knows (the spec's, the same as
/// the docs' lists of `loan_status.type` and `repayment_plan_type`); `T` keeps any other as
/// its `UnknownValue`, which serializes back as itself.
fn documented<T: serde::de::DeserializeOwned>(text: &str, unknown: fn(&T) -> bool) -> bool {
    serde_json::from_value::<T>(serde_json::Value::from(text)).is_ok_and(|v| !unknown(&v))
}

impl Liability {
    /// The docs' "Can only be set if type is credit/student" rules, and the documented values
    /// of `repayment_model.type`, `loan_status.type` and `repayment_plan_type`.
    pub(crate) fn check(&self) -> Result<(), String> {
        let (wrong, kind) = match self.kind {
            LiabilityKind::Credit => (self.student_fields_set().first().copied(), "student"),
            LiabilityKind::Student => (self.credit_fields_set().first().copied(), "credit"),
        };
        if let Some(field) = wrong {
            return Err(format!(
                "liability.{field} can only be set if type is {kind}"
            ));
        }
        let model = self.repayment_model.as_ref().map(|m| m.kind.as_str());
        if model.is_some_and(|m| m != "standard") {
            return Err("liability.repayment_model.type can only be standard".into());
        }
        use plaid_client::types::{
            StudentLoanStatusType as Status, StudentRepaymentPlanType as Plan,
        };
        let status = self.loan_status.as_ref().and_then(|s| s.kind.as_deref());
        let known_status =
            |s: &str| documented::<Status>(s, |v| matches!(v, Status::UnknownValue(_)));
        if status.is_some_and(|s| !known_status(s)) {
            return Err(format!(
                "liability.loan_status.type {status:?} is not a documented one"
            ));
        }
        let plan = self.repayment_plan_type.as_deref();
        let known_plan = |p: &str| documented::<Plan>(p, |v| matches!(v, Plan::UnknownValue(_)));
        if plan.is_some_and(|p| !known_plan(p)) {
            return Err(format!(
                "liability.repayment_plan_type {plan:?} is not a documented one"
            ));
        }
        Ok(())
    }

    fn credit_fields_set(&self) -> Vec<&'static str> {
        let fields = [
            ("purchase_apr", self.purchase_apr.is_some()),
            ("cash_apr", self.cash_apr.is_some()),
            ("balance_transfer_apr", self.balance_transfer_apr.is_some()),
            ("special_apr", self.special_apr.is_some()),
            ("last_payment_amount", self.last_payment_amount.is_some()),
        ];
        fields
            .iter()
            .filter(|(_, set)| *set)
            .map(|(f, _)| *f)
            .collect()
    }

    fn student_fields_set(&self) -> Vec<&'static str> {
        let fields = [
            ("origination_date", self.origination_date.is_some()),
            ("principal", self.principal.is_some()),
            ("nominal_apr", self.nominal_apr.is_some()),
            (
                "interest_capitalization_grace_period_months",
                self.interest_capitalization_grace_period_months.is_some(),
            ),
            ("repayment_model", self.repayment_model.is_some()),
            ("expected_payoff_date", self.expected_payoff_date.is_some()),
            ("guarantor", self.guarantor.is_some()),
            ("is_federal", self.is_federal.is_some()),
            ("loan_name", self.loan_name.is_some()),
            ("loan_status", self.loan_status.is_some()),
            (
                "payment_reference_number",
                self.payment_reference_number.is_some(),
            ),
            ("pslf_status", self.pslf_status.is_some()),
            (
                "repayment_plan_description",
                self.repayment_plan_description.is_some(),
            ),
            ("repayment_plan_type", self.repayment_plan_type.is_some()),
            ("sequence_number", self.sequence_number.is_some()),
            ("servicer_address", self.servicer_address.is_some()),
        ];
        fields
            .iter()
            .filter(|(_, set)| *set)
            .map(|(f, _)| *f)
            .collect()
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
