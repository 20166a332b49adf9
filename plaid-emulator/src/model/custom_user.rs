//! `user_custom`'s configuration, the JSON its password carries (docs,
//! `sandbox-user-custom.txt`, "Configuration object schema"), as typed values: a field the
//! schema does not have, a value of the wrong type, a mask or date that does not fit its
//! pattern, or a field set for the wrong liability type is refused, naming what is wrong.
//! Every top-level field is optional; `{}` is a user with the default accounts and history.

use serde::{Deserialize, Deserializer};

use super::custom_date::Date;
use super::custom_investments::{check_investments, Holding, InvestmentTransaction};
use super::custom_products::{AccountProducts, Identity, Income, InflowModel, Liability};
use super::error_passwords::forced_error;
use super::mfa::Mfa;
use super::plaid_error::PlaidError;

/// The largest configuration accepted: the docs warn that objects "larger than approximately
/// 55kb, or approximately 250 transactions" are not supported.
pub(crate) const MAX_CONFIG_BYTES: usize = 64 * 1024;

/// A custom user's configuration. It is a password: `Debug` shows its shape, not its data.
#[derive(Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomUser {
    /// `1` or `2` (the default).
    pub(crate) version: Option<Version>,
    /// What the data not given is derived from.
    pub(crate) seed: Option<String>,
    /// The Item's accounts, exactly; none: the default accounts.
    #[serde(default)]
    pub(crate) override_accounts: Vec<CustomAccount>,
    /// The MFA Link asks for.
    pub(crate) mfa: Option<CustomMfa>,
    /// `good` or `bad`: a reCAPTCHA in Link.
    pub(crate) recaptcha: Option<Recaptcha>,
    /// The error Item creation fails with (one of the documented codes).
    pub(crate) force_error: Option<String>,
}

impl std::fmt::Debug for CustomUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomUser")
            .field("override_accounts", &self.override_accounts.len())
            .finish_non_exhaustive()
    }
}

/// The schema version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum Version {
    /// Version 1.
    #[serde(rename = "1")]
    One,
    /// Version 2.
    #[serde(rename = "2")]
    Two,
}

/// A reCAPTCHA's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Recaptcha {
    /// Solving it succeeds.
    Good,
    /// It fails: `RECAPTCHA_BAD`.
    Bad,
}

/// `mfa`: the challenge Link shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomMfa {
    /// `device`, `selections` or `questions`.
    #[serde(rename = "type")]
    pub(crate) kind: MfaKind,
    pub(crate) question_rounds: Option<u8>,
    pub(crate) questions_per_round: Option<u8>,
    pub(crate) selection_rounds: Option<u8>,
    pub(crate) selections_per_question: Option<u8>,
}

/// The kind of MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MfaKind {
    /// A device code, `1234`.
    Device,
    /// Selections, answered by the first option.
    Selections,
    /// Questions, answered `answer_<i>_<j>`.
    Questions,
}

/// An account's type (docs: "Possible values: investment, credit, depository, loan,
/// payroll, other").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AccountType {
    Investment,
    Credit,
    #[default]
    Depository,
    Loan,
    Payroll,
    Other,
}

impl AccountType {
    /// As Plaid writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Investment => "investment",
            Self::Credit => "credit",
            Self::Depository => "depository",
            Self::Loan => "loan",
            Self::Payroll => "payroll",
            Self::Other => "other",
        }
    }
}

/// One account of `override_accounts`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomAccount {
    #[serde(rename = "type", default)]
    pub(crate) account_type: AccountType,
    pub(crate) subtype: Option<String>,
    /// The current balance it starts with.
    pub(crate) starting_balance: Option<f64>,
    /// The available balance, always.
    pub(crate) force_available_balance: Option<f64>,
    /// ISO-4217, `USD` if not given.
    pub(crate) currency: Option<String>,
    #[serde(default)]
    pub(crate) meta: Meta,
    #[serde(default)]
    pub(crate) numbers: Numbers,
    #[serde(default)]
    pub(crate) transactions: Vec<CustomTransaction>,
    #[serde(default)]
    pub(crate) holdings: Vec<Holding>,
    #[serde(default)]
    pub(crate) investment_transactions: Vec<InvestmentTransaction>,
    pub(crate) identity: Option<Identity>,
    pub(crate) liability: Option<Liability>,
    pub(crate) inflow_model: Option<InflowModel>,
    pub(crate) income: Option<Income>,
}

/// `meta`: the account's names, limit and mask.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub(crate) name: Option<String>,
    pub(crate) official_name: Option<String>,
    pub(crate) limit: Option<f64>,
    /// Empty or 2-4 alphanumerics.
    #[serde(default, deserialize_with = "mask")]
    pub(crate) mask: Option<String>,
}

/// `numbers`: the account and bank identifiers `/auth/get` answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Numbers {
    pub(crate) account: Option<String>,
    pub(crate) ach_routing: Option<String>,
    pub(crate) ach_wire_routing: Option<String>,
    pub(crate) eft_institution: Option<String>,
    pub(crate) eft_branch: Option<String>,
    pub(crate) international_bic: Option<String>,
    pub(crate) international_iban: Option<String>,
    pub(crate) bacs_sort_code: Option<String>,
}

/// One of an account's transactions.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomTransaction {
    /// When it happened (`authorized_date`).
    pub(crate) date_transacted: Option<Date>,
    /// When it posted: in the future, the transaction is pending.
    pub(crate) date_posted: Date,
    /// Can be negative.
    pub(crate) amount: f64,
    pub(crate) description: String,
    pub(crate) currency: Option<String>,
}

impl CustomAccount {
    /// What the account's Item keeps for its product calls: holdings, investment
    /// transactions, liability and account number.
    pub(crate) fn products(&self) -> AccountProducts {
        AccountProducts {
            holdings: self.holdings.clone(),
            investment_transactions: self.investment_transactions.clone(),
            liability: self.liability.clone(),
            account_number: self.numbers.account.clone(),
        }
    }
}

fn mask<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    let fits = text.is_empty()
        || ((2..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric()));
    if fits {
        Ok(Some(text))
    } else {
        Err(serde::de::Error::custom(format!(
            "mask {text:?} is not empty or 2-4 alphanumeric characters"
        )))
    }
}

impl CustomUser {
    /// The configuration a `user_custom` password carries: `INVALID_FIELD` naming what is
    /// wrong if it is not one (the docs document no error for this; the emulator's choice),
    /// or the documented error its `force_error` names.
    pub(crate) fn parse(password: &str) -> Result<Self, PlaidError> {
        if password.len() > MAX_CONFIG_BYTES {
            return Err(invalid("the configuration is larger than 64 KiB"));
        }
        let config: Self = serde_json::from_str(password).map_err(|e| invalid(&e.to_string()))?;
        config.check().map_err(|why| invalid(&why))?;
        if let Some(code) = &config.force_error {
            let error = forced_error(code)
                .ok_or_else(|| invalid(&format!("force_error {code:?} is not a documented one")))?;
            return Err(error);
        }
        Ok(config)
    }

    /// The MFA Link asks this user for, if any (docs: device `1234`; selections answered by
    /// the first option, 1 round of 2 questions of 2 options unless set; questions
    /// `answer_<i>_<j>`).
    pub(crate) fn mfa(&self) -> Option<Mfa> {
        let mfa = self.mfa.as_ref()?;
        Some(match mfa.kind {
            MfaKind::Device => Mfa::Device,
            MfaKind::Questions => Mfa::Questions {
                rounds: mfa.question_rounds.unwrap_or(1),
                per_round: mfa.questions_per_round.unwrap_or(1),
            },
            MfaKind::Selections => Mfa::Selections {
                rounds: mfa.selection_rounds.unwrap_or(1),
                per_round: mfa.questions_per_round.unwrap_or(2),
                options: mfa.selections_per_question.unwrap_or(2),
            },
        })
    }

    fn check(&self) -> Result<(), String> {
        if let Some(mfa) = &self.mfa {
            let counts = [
                mfa.question_rounds,
                mfa.questions_per_round,
                mfa.selection_rounds,
                mfa.selections_per_question,
            ];
            if counts.iter().flatten().any(|n| !(1..=9).contains(n)) {
                return Err("mfa counts are from 1 to 9".into());
            }
            let questions = mfa.question_rounds.zip(mfa.questions_per_round);
            if mfa.kind == MfaKind::Questions && questions.is_none() {
                return Err(
                    "mfa of type questions needs question_rounds and questions_per_round".into(),
                );
            }
        }
        for (i, account) in self.override_accounts.iter().enumerate() {
            let at = |why: String| format!("override_accounts[{i}]: {why}");
            if let Some(liability) = &account.liability {
                liability.check().map_err(at)?;
            }
            if let Some(model) = &account.inflow_model {
                model.check().map_err(at)?;
            }
            check_investments(&account.holdings, &account.investment_transactions).map_err(at)?;
            let n = &account.numbers;
            if n.eft_institution.is_some() != n.eft_branch.is_some() {
                return Err(at("eft_institution and eft_branch go together".into()));
            }
            if n.international_bic.is_some() != n.international_iban.is_some() {
                return Err(at(
                    "international_bic and international_iban go together".into()
                ));
            }
        }
        Ok(())
    }
}

fn invalid(why: &str) -> PlaidError {
    PlaidError::invalid_field(&format!("invalid user_custom configuration: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_example_configuration_parses() {
        let example = r#"{"seed": "my-seed-string-3", "override_accounts": [
          {"type": "depository", "subtype": "checking",
           "identity": {"names": ["John Doe"], "phone_numbers": [{"primary": true, "type": "home", "data": "4673956022"}],
             "emails": [{"primary": true, "type": "primary", "data": "accountholder0@example.com"}],
             "addresses": [{"primary": true, "data": {"city": "Malakoff", "region": "NY", "street": "2992 Cameron Road", "postal_code": "14236", "country": "US"}}]},
           "transactions": [{"date_transacted": "2019-10-01", "date_posted": "2019-10-03", "currency": "USD", "amount": 100, "description": "1 year Netflix subscription"}]},
          {"type": "loan", "subtype": "student", "liability": {"type": "student", "origination_date": "2020-01-01", "principal": 10000, "nominal_apr": 6.25, "loan_name": "Plaid Student Loan", "repayment_model": {"type": "standard", "non_repayment_months": 12, "repayment_months": 120}}},
          {"type": "credit", "subtype": "credit card", "starting_balance": 10000,
           "inflow_model": {"type": "monthly-interest-only-payment", "payment_day_of_month": 15, "statement_day_of_month": 13, "transaction_name": "Interest Payment"},
           "liability": {"type": "credit", "purchase_apr": 12.9, "balance_transfer_apr": 15.24, "cash_apr": 28.45, "special_apr": 0, "last_payment_amount": 500, "minimum_payment_amount": 10}},
          {"type": "investment", "subtype": "brokerage",
           "investment_transactions": [{"date": "2021-07-01", "name": "buy stock", "quantity": 10, "price": 10, "fees": 20, "type": "buy", "currency": "USD", "security": {"ticker_symbol": "PLAID", "currency": "USD"}}],
           "holdings": [{"institution_price": 10, "institution_price_as_of": "2021-08-01", "cost_basis": 10, "quantity": 10, "currency": "USD", "security": {"ticker_symbol": "PLAID", "currency": "USD"}}]},
          {"type": "payroll", "subtype": "payroll", "income": {"paystubs": [{"employer": {"name": "Heartland Toy Company"}, "employee": {"name": "Chip Hazard"}}]}}
        ]}"#;
        let config = CustomUser::parse(example).unwrap();
        assert_eq!(config.override_accounts.len(), 5);
        assert_eq!(config.override_accounts[0].transactions[0].amount, 100.0);
    }

    #[test]
    fn invalid_configurations_are_refused_naming_the_fault() {
        for (config, names) in [
            ("not json", "expected"),
            (r#"{"overide_accounts": []}"#, "overide_accounts"),
            (r#"{"override_accounts": [{"type": "savings"}]}"#, "savings"),
            (
                r#"{"override_accounts": [{"meta": {"mask": "12345"}}]}"#,
                "mask",
            ),
            (
                r#"{"override_accounts": [{"transactions": [{"date_posted": "2019-13-01", "amount": 1, "description": "x"}]}]}"#,
                "2019-13-01",
            ),
            (
                r#"{"override_accounts": [{"liability": {"type": "credit", "principal": 5}}]}"#,
                "principal",
            ),
            (
                r#"{"override_accounts": [{"inflow_model": {"type": "monthly-income"}}]}"#,
                "income_amount",
            ),
            (r#"{"force_error": "NOT_A_CODE"}"#, "NOT_A_CODE"),
        ] {
            let error = CustomUser::parse(config).unwrap_err();
            assert_eq!(error.error_code, "INVALID_FIELD", "{config}");
            assert!(error.message.contains(names), "{config}: {}", error.message);
        }
    }

    #[test]
    fn force_error_fails_with_the_documented_error() {
        let error = CustomUser::parse(r#"{"force_error": "ITEM_LOCKED"}"#).unwrap_err();
        assert_eq!(
            (error.error_type, error.error_code),
            ("ITEM_ERROR", "ITEM_LOCKED")
        );
    }

    #[test]
    fn a_custom_mfa_is_the_challenge_link_asks_for() {
        let config = CustomUser::parse(
            r#"{"mfa": {"type": "questions", "question_rounds": 2, "questions_per_round": 1}}"#,
        )
        .unwrap();
        assert_eq!(
            config.mfa(),
            Some(Mfa::Questions {
                rounds: 2,
                per_round: 1
            })
        );
        let selections = CustomUser::parse(r#"{"mfa": {"type": "selections"}}"#).unwrap();
        assert_eq!(
            selections.mfa().map(|m| m.answer(0, 1)),
            Some("answer_1_2_0".into())
        );
        let error = CustomUser::parse(r#"{"mfa": {"type": "questions"}}"#).unwrap_err();
        assert!(
            error.message.contains("question_rounds"),
            "{}",
            error.message
        );
    }

    #[test]
    fn debug_shows_the_shape_not_the_password() {
        let config =
            CustomUser::parse(r#"{"seed": "secret-seed", "override_accounts": [{}]}"#).unwrap();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("secret-seed") && shown.contains("override_accounts: 1"),
            "{shown}"
        );
    }
}
