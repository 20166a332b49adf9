//! A custom user's investments and liabilities, served exactly as configured (docs:
//! `sandbox-user-custom.txt`, `api-products-investments.txt`, `api-products-liabilities.txt`,
//! `errors-item.txt`), through `plaid-client-ext` as users call them; an ordinary Item keeps
//! Sandbox's fixed data.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::NaiveDate;
use plaid_client_ext::types::{self, Products};
use plaid_client_ext::{ErrorCode, PlaidClient};
use serde_json::{json, Value};
use support::start;

/// An Item of `user_custom` with `config` (access token), or its error.
async fn link_custom(
    client: &PlaidClient,
    config: &Value,
) -> Result<String, plaid_client_ext::Error> {
    let options = types::SandboxPublicTokenCreateRequestOptions::new()
        .override_username(types::SandboxOverrideUsername("user_custom".into()))
        .override_password(config.to_string().into());
    let products = vec![Products::Investments, Products::Liabilities];
    let create =
        types::SandboxPublicTokenCreateRequest::new(products, "ins_109508").options(options);
    let public = client.send(&create).await?;
    let exchange = types::ItemPublicTokenExchangeRequest::new(public.public_token.clone());
    Ok(client
        .send(&exchange)
        .await?
        .access_token
        .expose()
        .to_string())
}

fn security(ticker: &str) -> Value {
    json!({"ticker_symbol": ticker, "name": format!("{ticker} Inc."), "currency": "USD"})
}

/// A checking account, a brokerage with two holdings and four transactions, a credit card and
/// a student loan: the docs' example, made richer.
fn config() -> Value {
    json!({"override_accounts": [
        {"type": "depository", "subtype": "checking", "starting_balance": 100},
        {"type": "investment", "subtype": "brokerage", "meta": {"name": "Brokerage"},
         "holdings": [
            {"institution_price": 10, "institution_price_as_of": "2021-08-01", "cost_basis": 9.5,
             "quantity": 10, "currency": "USD", "security": security("PLAID")},
            {"institution_price": 2.5, "quantity": 4, "currency": "USD", "security": security("GING")}],
         "investment_transactions": [
            {"date": "2021-07-01", "name": "buy PLAID", "quantity": 10, "price": 10, "fees": 20,
             "type": "buy", "currency": "USD", "security": security("PLAID")},
            {"date": "2021-07-15", "name": "buy GING", "quantity": 4, "price": 2.5,
             "type": "buy", "currency": "USD", "security": security("GING")},
            {"date": "2021-08-02", "name": "sell PLAID", "quantity": -2, "price": 12, "fees": 1,
             "type": "sell", "currency": "USD", "security": security("PLAID")},
            {"date": "2022-01-01", "name": "later", "quantity": 1, "price": 1,
             "type": "buy", "currency": "USD", "security": security("LATE")}]},
        {"type": "credit", "subtype": "credit card", "starting_balance": 1200,
         "liability": {"type": "credit", "purchase_apr": 12.9, "balance_transfer_apr": 15.24,
            "cash_apr": 28.45, "special_apr": 0, "last_payment_amount": 500,
            "minimum_payment_amount": 10, "is_overdue": false}},
        {"type": "loan", "subtype": "student", "starting_balance": 9000,
         "numbers": {"account": "4455667788"},
         "liability": {"type": "student", "origination_date": "2020-01-01", "principal": 10000,
            "nominal_apr": 6.25, "loan_name": "Plaid Student Loan", "guarantor": "DEPT OF ED",
            "minimum_payment_amount": 112.5,
            "repayment_model": {"type": "standard", "non_repayment_months": 12, "repayment_months": 120},
            "loan_status": {"type": "repayment", "end_date": "2030-01-01"},
            "repayment_plan_type": "standard", "repayment_plan_description": "Standard Repayment",
            "servicer_address": {"data": {"city": "Malakoff", "region": "NY",
                "street": "2992 Cameron Road", "postal_code": "14236", "country": "US"}}}}
    ]})
}

/// The Item's account ids, in order.
async fn account_ids(client: &PlaidClient, token: &str) -> Vec<String> {
    let accounts = client
        .send(&types::AccountsGetRequest::new(token.to_string()))
        .await
        .unwrap();
    accounts
        .accounts
        .iter()
        .map(|a| a.account_id.clone())
        .collect()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn investment_transactions(
    token: &str,
    (start, end): (&str, &str),
    options: Option<types::InvestmentsTransactionsGetRequestOptions>,
) -> types::InvestmentsTransactionsGetRequest {
    // The generated constructor takes its required fields in alphabetical order.
    let mut request =
        types::InvestmentsTransactionsGetRequest::new(token.to_string(), day(end), day(start));
    if let Some(options) = options {
        request = request.options(options);
    }
    request
}

#[tokio::test]
async fn a_custom_users_holdings_and_securities_are_exactly_its_configuration() {
    let (_emulator, client) = start().await;
    let token = link_custom(&client, &config()).await.unwrap();
    let brokerage = account_ids(&client, &token).await[1].clone();
    let request = types::InvestmentsHoldingsGetRequest::new(token.clone());
    let got = client.send(&request).await.unwrap();
    let holdings: Vec<_> = got
        .holdings
        .iter()
        .map(|h| {
            let as_of = h.institution_price_as_of.map(|d| d.to_string());
            (
                h.account_id.as_str(),
                h.quantity,
                h.institution_price,
                h.institution_value,
                h.cost_basis,
                as_of,
            )
        })
        .collect();
    assert_eq!(
        holdings,
        [
            (
                brokerage.as_str(),
                10.0,
                10.0,
                100.0,
                Some(9.5),
                Some("2021-08-01".to_string())
            ),
            (brokerage.as_str(), 4.0, 2.5, 10.0, None, None),
        ]
    );
    let securities: Vec<_> = got
        .securities
        .iter()
        .map(|s| {
            (
                s.ticker_symbol.clone().unwrap(),
                s.name.clone().unwrap(),
                s.iso_currency_code.clone(),
            )
        })
        .collect();
    assert_eq!(
        securities,
        [
            ("PLAID".into(), "PLAID Inc.".into(), Some("USD".into())),
            ("GING".into(), "GING Inc.".into(), Some("USD".into())),
        ]
    );
    for (holding, security) in got.holdings.iter().zip(&got.securities) {
        assert_eq!(holding.security_id, security.security_id);
    }
    // The ids are stable: the same on a second call and on another Item.
    let again = client.send(&request).await.unwrap();
    let other = link_custom(&client, &config()).await.unwrap();
    let other = client
        .send(&types::InvestmentsHoldingsGetRequest::new(other))
        .await
        .unwrap();
    let ids = |r: &types::InvestmentsHoldingsGetResponse| -> Vec<String> {
        r.securities.iter().map(|s| s.security_id.clone()).collect()
    };
    assert_eq!(ids(&got), ids(&again));
    assert_eq!(ids(&got), ids(&other));
}

#[tokio::test]
async fn a_custom_users_investment_transactions_are_dated_newest_first_and_paged() {
    let (_emulator, client) = start().await;
    let token = link_custom(&client, &config()).await.unwrap();
    let range = ("2021-07-01", "2021-12-31");
    let all = client
        .send(&investment_transactions(&token, range, None))
        .await
        .unwrap();
    assert_eq!(
        all.total_investment_transactions, 3,
        "2022's is out of range"
    );
    let got: Vec<_> = all
        .investment_transactions
        .iter()
        .map(|t| {
            (
                t.date.to_string(),
                t.name.as_str(),
                t.quantity,
                t.price,
                t.fees,
                t.amount,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "2021-08-02".into(),
                "sell PLAID",
                -2.0,
                12.0,
                Some(1.0),
                -23.0
            ),
            ("2021-07-15".into(), "buy GING", 4.0, 2.5, None, 10.0),
            (
                "2021-07-01".into(),
                "buy PLAID",
                10.0,
                10.0,
                Some(20.0),
                120.0
            ),
        ]
    );
    let types: Vec<_> = all
        .investment_transactions
        .iter()
        .map(|t| (t.type_.clone(), t.subtype.clone()))
        .collect();
    assert_eq!(
        types[0],
        (
            types::InvestmentTransactionType::Sell,
            types::InvestmentTransactionSubtype::Sell
        )
    );
    assert_eq!(
        types[2],
        (
            types::InvestmentTransactionType::Buy,
            types::InvestmentTransactionSubtype::Buy
        )
    );
    let tickers: Vec<_> = all
        .securities
        .iter()
        .map(|s| s.ticker_symbol.clone().unwrap())
        .collect();
    assert_eq!(
        tickers,
        ["PLAID", "GING"],
        "the securities the transactions name"
    );

    // Offset paging: two pages of two, together the whole list, ids stable.
    let page = |offset| {
        let options = types::InvestmentsTransactionsGetRequestOptions::new()
            .count(2)
            .offset(offset);
        investment_transactions(&token, range, Some(options))
    };
    let first = client.send(&page(0)).await.unwrap();
    let second = client.send(&page(2)).await.unwrap();
    assert_eq!(
        (
            first.total_investment_transactions,
            second.total_investment_transactions
        ),
        (3, 3)
    );
    let paged: Vec<String> = first
        .investment_transactions
        .iter()
        .chain(&second.investment_transactions)
        .map(|t| t.investment_transaction_id.clone())
        .collect();
    let whole: Vec<String> = all
        .investment_transactions
        .iter()
        .map(|t| t.investment_transaction_id.clone())
        .collect();
    assert_eq!(paged, whole);
    assert_eq!(
        second.securities.len(),
        1,
        "only the second page's security"
    );
}

#[tokio::test]
async fn investment_transactions_refuse_a_reversed_range_and_a_count_over_500() {
    let (_emulator, client) = start().await;
    let token = link_custom(&client, &config()).await.unwrap();
    let reversed = investment_transactions(&token, ("2021-12-31", "2021-01-01"), None);
    let error = client.send(&reversed).await.unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::InvalidField));
    let options = types::InvestmentsTransactionsGetRequestOptions::new().count(501);
    let too_many = investment_transactions(&token, ("2021-01-01", "2021-12-31"), Some(options));
    let error = client.send(&too_many).await.unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::InvalidField));
}

#[tokio::test]
async fn a_custom_users_credit_and_student_liabilities_are_keyed_to_their_accounts() {
    let (_emulator, client) = start().await;
    let token = link_custom(&client, &config()).await.unwrap();
    let ids = account_ids(&client, &token).await;
    let got = client
        .send(&types::LiabilitiesGetRequest::new(token.clone()))
        .await
        .unwrap();
    assert_eq!(got.accounts.len(), 4);
    assert!(got.liabilities.mortgage.is_none());
    let credit = got.liabilities.credit.as_ref().unwrap();
    assert_eq!(credit.len(), 1);
    let card = &credit[0];
    assert_eq!(card.account_id.as_deref(), Some(ids[2].as_str()));
    let aprs: Vec<_> = card
        .aprs
        .iter()
        .map(|a| (a.apr_type.clone(), a.apr_percentage))
        .collect();
    use types::AprAprType as Apr;
    assert_eq!(
        aprs,
        [
            (Apr::PurchaseApr, 12.9),
            (Apr::BalanceTransferApr, 15.24),
            (Apr::CashApr, 28.45),
            (Apr::Special, 0.0)
        ]
    );
    assert_eq!(
        (
            card.last_payment_amount,
            card.minimum_payment_amount,
            card.is_overdue,
            card.last_statement_balance
        ),
        (Some(500.0), Some(10.0), Some(false), Some(1200.0))
    );
    let student = got.liabilities.student.as_ref().unwrap();
    assert_eq!(student.len(), 1);
    let loan = &student[0];
    assert_eq!(loan.account_id.as_deref(), Some(ids[3].as_str()));
    assert_eq!(loan.account_number.as_deref(), Some("4455667788"));
    assert_eq!(
        (
            loan.interest_rate_percentage,
            loan.origination_principal_amount,
            loan.minimum_payment_amount
        ),
        (6.25, Some(10000.0), Some(112.5))
    );
    assert_eq!(loan.origination_date, Some(day("2020-01-01")));
    assert_eq!(
        loan.expected_payoff_date,
        Some(day("2031-01-01")),
        "12 + 120 months after origination"
    );
    assert_eq!(loan.loan_name.as_deref(), Some("Plaid Student Loan"));
    assert_eq!(loan.guarantor.as_deref(), Some("DEPT OF ED"));
    assert_eq!(
        loan.loan_status.type_,
        Some(types::StudentLoanStatusType::Repayment)
    );
    assert_eq!(loan.loan_status.end_date, Some(day("2030-01-01")));
    assert_eq!(
        loan.repayment_plan.type_,
        Some(types::StudentRepaymentPlanType::Standard)
    );
    assert_eq!(
        loan.repayment_plan.description.as_deref(),
        Some("Standard Repayment")
    );
    assert_eq!(loan.servicer_address.city.as_deref(), Some("Malakoff"));
    assert_eq!(
        loan.servicer_address.street.as_deref(),
        Some("2992 Cameron Road")
    );
}

#[tokio::test]
async fn account_ids_select_a_custom_users_liabilities_and_holdings() {
    let (_emulator, client) = start().await;
    let token = link_custom(&client, &config()).await.unwrap();
    let ids = account_ids(&client, &token).await;
    let options = types::LiabilitiesGetRequestOptions::new().account_ids(vec![ids[3].clone()]);
    let request = types::LiabilitiesGetRequest::new(token.clone()).options(options);
    let got = client.send(&request).await.unwrap();
    assert!(
        got.liabilities.credit.is_none(),
        "the card was not asked for"
    );
    assert_eq!(got.liabilities.student.as_ref().map(Vec::len), Some(1));
    assert_eq!(got.accounts.len(), 1);

    let options =
        types::InvestmentHoldingsGetRequestOptions::new().account_ids(vec![ids[0].clone()]);
    let request = types::InvestmentsHoldingsGetRequest::new(token.clone()).options(options);
    let error = client.send(&request).await.unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::NoInvestmentAccounts));
    let options =
        types::LiabilitiesGetRequestOptions::new().account_ids(vec!["acc-unknown".into()]);
    let request = types::LiabilitiesGetRequest::new(token).options(options);
    let error = client.send(&request).await.unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::InvalidAccountId));
}

#[tokio::test]
async fn a_custom_user_without_investment_or_liability_accounts_gets_the_documented_errors() {
    let (_emulator, client) = start().await;
    let config = json!({"override_accounts": [{"type": "depository", "subtype": "checking"}]});
    let token = link_custom(&client, &config).await.unwrap();
    let holdings = types::InvestmentsHoldingsGetRequest::new(token.clone());
    let error = client.send(&holdings).await.unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::NoInvestmentAccounts));
    let range = ("2021-01-01", "2021-12-31");
    let error = client
        .send(&investment_transactions(&token, range, None))
        .await
        .unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::NoInvestmentAccounts));
    let liabilities = types::LiabilitiesGetRequest::new(token);
    let error = client.send(&liabilities).await.unwrap_err();
    assert_eq!(error.error_code(), Some(&ErrorCode::NoLiabilityAccounts));
}

#[tokio::test]
async fn invalid_investment_and_liability_configurations_are_refused() {
    let (_emulator, client) = start().await;
    for (account, names) in [
        (
            json!({"type": "investment", "investment_transactions": [{"date": "2021-07-01", "name": "x",
            "quantity": 2, "price": 1, "type": "sell", "security": security("X")}]}),
            "negative",
        ),
        (
            json!({"type": "investment", "holdings": [{"institution_price": 1, "quantity": 1,
            "security": {"name": "no id", "currency": "USD"}}]}),
            "ticker_symbol",
        ),
        (
            json!({"type": "investment", "investment_transactions": [{"date": "2021-07-01", "name": "x",
            "quantity": 2, "price": 1, "type": "dividend", "security": security("X")}]}),
            "dividend",
        ),
        (
            json!({"type": "loan", "liability": {"type": "student", "loan_status": {"type": "napping"}}}),
            "napping",
        ),
        (
            json!({"type": "loan", "liability": {"type": "student", "origination_date": "2021-02-30"}}),
            "2021-02-30",
        ),
        (
            json!({"type": "credit", "liability": {"type": "credit", "guarantor": "x"}}),
            "guarantor",
        ),
    ] {
        let config = json!({"override_accounts": [account]});
        let error = link_custom(&client, &config).await.unwrap_err();
        let error = error.api().unwrap();
        assert_eq!(error.error_code, ErrorCode::InvalidField, "{config}");
        assert!(
            error.error_message.contains(names),
            "{config}: {}",
            error.error_message
        );
    }
}

#[tokio::test]
async fn an_ordinary_items_investments_and_liabilities_are_sandboxs_fixed_data() {
    use plaid_client::operations as op;
    let (_emulator, client) = start().await;
    let products = vec![Products::Investments, Products::Liabilities];
    let create = types::SandboxPublicTokenCreateRequest::new(products, "ins_109508");
    let public = client.send(&create).await.unwrap();
    let exchange = types::ItemPublicTokenExchangeRequest::new(public.public_token.clone());
    let token = client
        .send(&exchange)
        .await
        .unwrap()
        .access_token
        .expose()
        .to_string();
    let example = plaid_client::mock::example::<op::InvestmentsHoldingsGet>().unwrap();
    let holdings = client
        .send(&types::InvestmentsHoldingsGetRequest::new(token.clone()))
        .await
        .unwrap();
    let ids = |s: &[types::Security]| -> Vec<String> {
        s.iter().map(|s| s.security_id.clone()).collect()
    };
    assert_eq!(ids(&holdings.securities), ids(&example.securities));
    // The example's holdings of the accounts the Item has, renamed to its accounts.
    let items_accounts: Vec<&str> = holdings
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert!(!holdings.holdings.is_empty());
    for held in &holdings.holdings {
        assert!(
            items_accounts.contains(&held.account_id.as_str()),
            "{}",
            held.account_id
        );
        let fixed = |e: &&types::Holding| {
            (e.security_id.as_str(), e.quantity, e.institution_price)
                == (
                    held.security_id.as_str(),
                    held.quantity,
                    held.institution_price,
                )
        };
        assert!(example.holdings.iter().any(|e| fixed(&e)), "{held:?}");
    }
    let example = plaid_client::mock::example::<op::LiabilitiesGet>().unwrap();
    let liabilities = client
        .send(&types::LiabilitiesGetRequest::new(token.clone()))
        .await
        .unwrap();
    let aprs = |l: &types::LiabilitiesObject| -> Vec<f64> {
        l.credit
            .iter()
            .flatten()
            .flat_map(|c| c.aprs.iter().map(|a| a.apr_percentage))
            .collect()
    };
    assert_eq!(aprs(&liabilities.liabilities), aprs(&example.liabilities));
    assert!(!aprs(&example.liabilities).is_empty());
}

#[tokio::test]
async fn a_custom_item_made_through_the_control_api_serves_its_configured_liabilities() {
    // The same configuration through `Emulator::create_item_as` (issue 31: "accepted by the
    // control API").
    let (emulator, client) = start().await;
    let options = plaid_emulator::ItemOptions::default()
        .products(vec![Products::Investments, Products::Liabilities]);
    let item = emulator
        .create_item_as(options, "user_custom", &config().to_string())
        .unwrap();
    let got = client
        .send(&types::LiabilitiesGetRequest::new(
            item.access_token.clone(),
        ))
        .await
        .unwrap();
    let student = got.liabilities.student.as_ref().unwrap();
    assert_eq!(student[0].loan_name.as_deref(), Some("Plaid Student Loan"));
    let holdings = client
        .send(&types::InvestmentsHoldingsGetRequest::new(
            item.access_token,
        ))
        .await
        .unwrap();
    assert_eq!(holdings.holdings.len(), 2);
}
