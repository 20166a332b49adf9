//! Investments (docs, `api-products-investments.txt`): `/investments/holdings/get` and
//! `/investments/transactions/get`. A custom user's Item (`sandbox-user-custom.txt`) answers
//! exactly its configured `holdings` and `investment_transactions`, with one security per
//! configured `security` (its `security_id` derived from its fields, `custom_investments.rs`);
//! an Item without investment accounts among those asked for is `NO_INVESTMENT_ACCOUNTS`
//! (`errors-item.txt`). Every other Item answers Sandbox's fixed data (`product_source.rs`).
//!
//! What the emulator derives (the docs leave it to the institution): a holding's
//! `institution_value` is price × quantity; a transaction's `amount` is quantity × price plus
//! fees ("Positive values when cash is debited, e.g. purchases of stock"), its subtype the
//! type's own (`cash` a `deposit` when money comes in, else a `withdrawal`; `fee` an
//! `account fee`); a currency is the `iso_currency_code`.

use plaid_client::operations::{InvestmentsHoldingsGet, InvestmentsTransactionsGet};
use plaid_client::types;
use serde_json::{json, Value};

use super::items::item_json;
use super::product_source::{date, of_type, serve, Configured};
use super::request::decode;
use crate::api::Api;
use crate::model::custom_investments::{Holding, InvestmentKind, InvestmentTransaction, Security};
use crate::model::digest::digest;
use crate::model::items::ItemState;
use crate::model::plaid_error::PlaidError;

/// `count`'s default and maximum (docs: "Default: 100", "Maximum: 500").
const DEFAULT_COUNT: i64 = 100;
const MAX_COUNT: i64 = 500;

/// `ITEM_ERROR` / `NO_INVESTMENT_ACCOUNTS` (docs, `errors-item.txt`).
fn no_investment_accounts() -> PlaidError {
    PlaidError::new(
        400,
        "ITEM_ERROR",
        "NO_INVESTMENT_ACCOUNTS",
        "There are no valid investment account(s) associated with this Item.",
    )
}

/// The investment accounts among `custom`, or `NO_INVESTMENT_ACCOUNTS` if there are none.
fn investment_accounts<'s>(custom: &[Configured<'s>]) -> Result<Vec<Configured<'s>>, PlaidError> {
    let investment = of_type(custom, &["investment"]);
    if investment.is_empty() {
        return Err(no_investment_accounts());
    }
    Ok(investment)
}

/// `/investments/holdings/get`.
pub(crate) fn holdings_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let _: types::InvestmentsHoldingsGetRequest = decode(request)?;
    serve::<InvestmentsHoldingsGet>(emu, request, holdings)
}

/// A custom user's holdings among `accounts`.
fn holdings(
    item: &ItemState,
    accounts: &[&Value],
    custom: &[Configured<'_>],
) -> Result<Value, PlaidError> {
    let investment = investment_accounts(custom)?;
    let mut holdings = Vec::new();
    let mut securities = Securities::default();
    for (account, products) in &investment {
        for holding in &products.holdings {
            holdings.push(holding_of(account_id(account), holding)?);
            securities.add(&holding.security, Some(holding))?;
        }
    }
    Ok(json!({
        "accounts": accounts,
        "holdings": to_json(&holdings)?,
        "securities": to_json(&securities.0)?,
        "item": item_json(item, None)?,
    }))
}

/// `/investments/transactions/get`: the transactions dated from `start_date` to `end_date`,
/// newest first (docs: "returned in reverse-chronological order, and the sequence of
/// transaction ordering is stable"), `count` of them from `offset`, with
/// `total_investment_transactions` all of them and the securities those fetched name.
pub(crate) fn transactions_get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let typed: types::InvestmentsTransactionsGetRequest = decode(request)?;
    let (count, offset) = paging(typed.options.as_ref())?;
    if typed.start_date > typed.end_date {
        return Err(PlaidError::invalid_field(
            "start_date must not be after end_date",
        ));
    }
    serve::<InvestmentsTransactionsGet>(emu, request, |item, accounts, custom| {
        let investment = investment_accounts(custom)?;
        transactions(item, accounts, &investment, &typed, (count, offset))
    })
}

/// A custom user's investment transactions of `investment` dated within `range`, a page of
/// `count` from `offset`.
fn transactions(
    item: &ItemState,
    accounts: &[&Value],
    investment: &[Configured<'_>],
    range: &types::InvestmentsTransactionsGetRequest,
    (count, offset): (usize, usize),
) -> Result<Value, PlaidError> {
    let mut found = Vec::new();
    for (account, products) in investment {
        for (k, t) in products.investment_transactions.iter().enumerate() {
            let day = date(&t.date.0)?;
            if (range.start_date..=range.end_date).contains(&day) {
                found.push((day, account_id(account), k, t));
            }
        }
    }
    // Newest first; the same day in the configuration's order, so the order is stable.
    found.sort_by_key(|t| std::cmp::Reverse(t.0));
    let total = found.len();
    let mut page = Vec::new();
    let mut securities = Securities::default();
    for (day, account_id, k, t) in found.into_iter().skip(offset).take(count) {
        let id = digest(&[
            &item.item_id,
            account_id,
            "investment_transaction",
            &k.to_string(),
        ]);
        page.push(transaction_of(account_id, id, day, t));
        securities.add(&t.security, None)?;
    }
    Ok(json!({
        "accounts": accounts,
        "investment_transactions": to_json(&page)?,
        "securities": to_json(&securities.0)?,
        "total_investment_transactions": total,
        "item": item_json(item, None)?,
    }))
}

/// `options.count` (from 1 to 500) and `options.offset` (not negative), or their defaults.
fn paging(
    options: Option<&types::InvestmentsTransactionsGetRequestOptions>,
) -> Result<(usize, usize), PlaidError> {
    let (count, offset) = options.map_or((DEFAULT_COUNT, 0), |o| (o.count, o.offset));
    let count = usize::try_from(count)
        .ok()
        .filter(|_| (1..=MAX_COUNT).contains(&count))
        .ok_or_else(|| PlaidError::invalid_field("options.count must be from 1 to 500"))?;
    let offset = usize::try_from(offset)
        .map_err(|_| PlaidError::invalid_field("options.offset must not be negative"))?;
    Ok((count, offset))
}

fn account_id(account: &Value) -> &str {
    account["account_id"].as_str().unwrap_or_default()
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, PlaidError> {
    serde_json::to_value(value).map_err(|e| PlaidError::internal(&e.to_string()))
}

/// A configured holding as Plaid's `Holding`.
fn holding_of(account_id: &str, holding: &Holding) -> Result<types::Holding, PlaidError> {
    let as_of = holding.institution_price_as_of.as_ref();
    Ok(types::Holding {
        account_id: account_id.to_string(),
        cost_basis: holding.cost_basis,
        institution_price: holding.institution_price,
        institution_price_as_of: as_of.map(|d| date(&d.0)).transpose()?,
        institution_price_datetime: None,
        institution_value: cents(holding.institution_price * holding.quantity),
        iso_currency_code: holding
            .currency
            .clone()
            .or_else(|| holding.security.currency.clone()),
        quantity: holding.quantity,
        security_id: holding.security.id(),
        tax_lots: Vec::new(),
        unofficial_currency_code: None,
        vested_quantity: None,
        vested_value: None,
    })
}

/// A configured investment transaction as Plaid's `InvestmentTransaction`.
fn transaction_of(
    account_id: &str,
    id: String,
    day: chrono::NaiveDate,
    t: &InvestmentTransaction,
) -> types::InvestmentTransaction {
    use types::{InvestmentTransactionSubtype as Sub, InvestmentTransactionType as Type};
    let amount = cents(t.quantity * t.price + t.fees.unwrap_or(0.0));
    let (type_, subtype) = match t.kind {
        InvestmentKind::Buy => (Type::Buy, Sub::Buy),
        InvestmentKind::Sell => (Type::Sell, Sub::Sell),
        InvestmentKind::Cash if amount <= 0.0 => (Type::Cash, Sub::Deposit),
        InvestmentKind::Cash => (Type::Cash, Sub::Withdrawal),
        InvestmentKind::Fee => (Type::Fee, Sub::AccountFee),
        InvestmentKind::Transfer => (Type::Transfer, Sub::Transfer),
    };
    types::InvestmentTransaction {
        account_id: account_id.to_string(),
        amount,
        cancel_transaction_id: None,
        date: day,
        fees: t.fees,
        investment_transaction_id: id,
        iso_currency_code: t.currency.clone().or_else(|| t.security.currency.clone()),
        name: t.name.clone(),
        price: t.price,
        quantity: t.quantity,
        security_id: Some(t.security.id()),
        subtype,
        transaction_datetime: None,
        type_,
        unofficial_currency_code: None,
    }
}

/// Rounded to the cent.
fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// The securities an answer names, each once, in the order first named.
#[derive(Default)]
struct Securities(Vec<types::Security>);

impl Securities {
    /// `security`, unless already there; priced by `holding` when it comes from one (its
    /// `close_price` is the holding's institution price, as of that price's date).
    fn add(&mut self, security: &Security, holding: Option<&Holding>) -> Result<(), PlaidError> {
        let security_id = security.id();
        if self.0.iter().any(|s| s.security_id == security_id) {
            return Ok(());
        }
        let as_of = holding.and_then(|h| h.institution_price_as_of.as_ref());
        self.0.push(types::Security {
            cfi_code: None,
            close_price: holding.map(|h| h.institution_price),
            close_price_as_of: as_of.map(|d| date(&d.0)).transpose()?,
            cusip: security.cusip.clone(),
            fixed_income: None,
            industry: None,
            institution_id: None,
            institution_security_id: None,
            is_cash_equivalent: None,
            isin: security.isin.clone(),
            iso_currency_code: security.currency.clone(),
            market_identifier_code: None,
            name: security.name.clone(),
            option_contract: None,
            proxy_security_id: None,
            sector: None,
            security_id,
            sedol: security.sedol.clone(),
            subtype: None,
            ticker_symbol: security.ticker_symbol.clone(),
            type_: None,
            unofficial_currency_code: None,
            update_datetime: None,
        });
        Ok(())
    }
}
