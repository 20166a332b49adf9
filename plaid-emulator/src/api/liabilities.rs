//! `/liabilities/get` (docs, `api-products-liabilities.txt`). A custom user's Item
//! (`sandbox-user-custom.txt`, `liability`) answers each configured liability keyed to its
//! account: a `credit` one in `liabilities.credit`, a `student` one in `liabilities.student`
//! (mortgages: "not currently supported in the custom Sandbox", so `mortgage` is `null`, as a
//! kind the Item has none of is); an Item with no liability among the accounts asked for is
//! `NO_LIABILITY_ACCOUNTS` (`errors-item.txt`). Every other Item answers Sandbox's fixed data
//! (`product_source.rs`).
//!
//! What the emulator derives: a card's `aprs` are its configured APRs (`special_apr` is
//! `apr_type` `special`), its `last_statement_balance` the account's current balance; a
//! loan's `interest_rate_percentage` is `nominal_apr` (0 if not set), its
//! `origination_principal_amount` the `principal`, its `expected_payoff_date` (unless set) the
//! origination date plus the `repayment_model`'s non-repayment and repayment months, its
//! `account_number` the configured `numbers.account`.

use plaid_client::operations::LiabilitiesGet;
use plaid_client::types;
use serde_json::{json, Value};

use super::items::item_json;
use super::product_source::{date, serve, Configured};
use super::request::decode;
use crate::api::Api;
use crate::model::custom_date::Date;
use crate::model::custom_products::{AccountProducts, Liability, LiabilityKind};
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;

/// `ITEM_ERROR` / `NO_LIABILITY_ACCOUNTS` (docs, `errors-item.txt`).
fn no_liability_accounts() -> PlaidError {
    PlaidError::new(
        400,
        "ITEM_ERROR",
        "NO_LIABILITY_ACCOUNTS",
        "There are no valid liability account(s) associated with this Item.",
    )
}

/// `/liabilities/get`.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::LiabilitiesGetRequest = decode(request)?;
    serve::<LiabilitiesGet>(emu, request, liabilities)
}

/// A custom user's liabilities among `accounts`.
fn liabilities(
    item: &ItemState,
    accounts: &[&Value],
    custom: &[Configured<'_>],
) -> Result<Value, PlaidError> {
    let mut credit = Vec::new();
    let mut student = Vec::new();
    for (account, products) in custom {
        let Some(liability) = &products.liability else {
            continue;
        };
        let account_id = account["account_id"].as_str().unwrap_or_default();
        match liability.kind {
            LiabilityKind::Credit => credit.push(credit_of(account_id, account, liability)),
            LiabilityKind::Student => {
                student.push(student_of(account_id, products, liability)?);
            }
        }
    }
    if credit.is_empty() && student.is_empty() {
        return Err(no_liability_accounts());
    }
    let liabilities = types::LiabilitiesObject {
        credit: (!credit.is_empty()).then_some(credit),
        mortgage: None,
        student: (!student.is_empty()).then_some(student),
    };
    let liabilities =
        serde_json::to_value(&liabilities).map_err(|e| PlaidError::internal(&e.to_string()))?;
    Ok(json!({
        "accounts": accounts,
        "liabilities": liabilities,
        "item": item_json(item, None)?,
    }))
}

/// A configured credit card as Plaid's `CreditCardLiability`.
fn credit_of(account_id: &str, account: &Value, l: &Liability) -> types::CreditCardLiability {
    use types::AprAprType as Kind;
    let aprs = [
        (Kind::PurchaseApr, l.purchase_apr),
        (Kind::BalanceTransferApr, l.balance_transfer_apr),
        (Kind::CashApr, l.cash_apr),
        (Kind::Special, l.special_apr),
    ];
    let aprs = aprs
        .into_iter()
        .filter_map(|(apr_type, percentage)| {
            Some(types::Apr {
                apr_percentage: percentage?,
                apr_type,
                balance_subject_to_apr: None,
                interest_charge_amount: None,
            })
        })
        .collect();
    types::CreditCardLiability {
        account_id: Some(account_id.to_string()),
        aprs,
        is_overdue: l.is_overdue,
        last_payment_amount: l.last_payment_amount,
        last_payment_date: None,
        last_statement_balance: account["balances"]["current"].as_f64(),
        last_statement_issue_date: None,
        minimum_payment_amount: l.minimum_payment_amount,
        next_payment_due_date: None,
    }
}

/// A configured student loan as Plaid's `StudentLoan`.
fn student_of(
    account_id: &str,
    products: &AccountProducts,
    l: &Liability,
) -> Result<types::StudentLoan, PlaidError> {
    let origination = optional_date(l.origination_date.as_ref())?;
    let payoff = match (&l.expected_payoff_date, &l.repayment_model, origination) {
        (Some(d), _, _) => Some(date(&d.0)?),
        (None, Some(model), Some(start)) => {
            let months = model.non_repayment_months + model.repayment_months;
            start.checked_add_months(chrono::Months::new(months))
        }
        _ => None,
    };
    let status = l.loan_status.as_ref();
    let pslf = l.pslf_status.as_ref();
    let address = l.servicer_address.as_ref().map(|a| &a.data);
    Ok(types::StudentLoan {
        account_id: Some(account_id.to_string()),
        account_number: products.account_number.clone(),
        disbursement_dates: None,
        expected_payoff_date: payoff,
        guarantor: l.guarantor.clone(),
        interest_rate_percentage: l.nominal_apr.unwrap_or(0.0),
        is_overdue: l.is_overdue,
        last_payment_amount: None,
        last_payment_date: None,
        last_statement_balance: None,
        last_statement_issue_date: None,
        loan_name: l.loan_name.clone(),
        loan_status: types::StudentLoanStatus {
            end_date: optional_date(status.and_then(|s| s.end_date.as_ref()))?,
            type_: enum_of(status.and_then(|s| s.kind.as_deref()))?,
        },
        minimum_payment_amount: l.minimum_payment_amount,
        next_payment_due_date: None,
        origination_date: origination,
        origination_principal_amount: l.principal,
        outstanding_interest_amount: None,
        payment_reference_number: l.payment_reference_number.clone(),
        pslf_status: types::PslfStatus {
            estimated_eligibility_date: optional_date(
                pslf.and_then(|p| p.estimated_eligibility_date.as_ref()),
            )?,
            payments_made: pslf.and_then(|p| p.payments_made),
            payments_remaining: pslf.and_then(|p| p.payments_remaining),
        },
        repayment_plan: types::StudentRepaymentPlan {
            description: l.repayment_plan_description.clone(),
            type_: enum_of(l.repayment_plan_type.as_deref())?,
        },
        sequence_number: l.sequence_number.clone(),
        servicer_address: types::ServicerAddressData {
            city: address.and_then(|a| a.city.clone()),
            country: address.and_then(|a| a.country.clone()),
            postal_code: address.and_then(|a| a.postal_code.clone()),
            region: address.and_then(|a| a.region.clone()),
            street: address.and_then(|a| a.street.clone()),
        },
        ytd_interest_paid: None,
        ytd_principal_paid: None,
    })
}

fn optional_date(d: Option<&Date>) -> Result<Option<chrono::NaiveDate>, PlaidError> {
    d.map(|d| date(&d.0)).transpose()
}

/// A configured value (checked against the docs' list when read) as a generated enum.
fn enum_of<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Result<Option<T>, PlaidError> {
    text.map(|t| serde_json::from_value(json!(t)))
        .transpose()
        .map_err(|e| PlaidError::internal(&e.to_string()))
}
