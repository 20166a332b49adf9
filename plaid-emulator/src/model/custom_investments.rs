//! A custom user's investments (docs, `sandbox-user-custom.txt`: `holdings`,
//! `investment_transactions` and the `security` each names), as typed values the
//! configuration is checked against, and the stable `security_id` derived from a security's
//! configured fields.

use serde::Deserialize;

use super::custom_date::Date;

/// A security, as holdings and investment transactions name it: "An ISO-4217 currency code
/// and a security identifier (ticker_symbol, cusip, isin, or sedol) are required".
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

impl Security {
    /// The docs' required fields: a currency and one identifier.
    fn check(&self) -> Result<(), String> {
        let ids = [&self.ticker_symbol, &self.cusip, &self.isin, &self.sedol];
        if self.currency.is_none() || ids.iter().all(|id| id.is_none()) {
            return Err(
                "a security needs a currency and a ticker_symbol, cusip, isin or sedol".into(),
            );
        }
        Ok(())
    }

    /// Its `security_id`: derived from its configured fields alone, so the same security has
    /// the same id in holdings and transactions, on every Item ("Security data is not specific
    /// to a user's account", `api-products-investments.txt`).
    pub(crate) fn id(&self) -> String {
        let field = |f: &Option<String>| f.clone().unwrap_or_default();
        let parts = [
            field(&self.ticker_symbol),
            field(&self.cusip),
            field(&self.isin),
            field(&self.sedol),
            field(&self.name),
            field(&self.currency),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        format!("sec-{}", super::digest::digest(&parts))
    }
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
    pub(crate) kind: InvestmentKind,
    pub(crate) currency: Option<String>,
    pub(crate) security: Security,
}

/// An investment transaction's type (docs: "buy", "sell", "cash", "fee", "transfer").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InvestmentKind {
    Buy,
    Sell,
    Cash,
    Fee,
    Transfer,
}

/// What an account's holdings and investment transactions must satisfy: each security's
/// required fields, and a buy's quantity positive, a sell's negative ("Must be positive if
/// the type is a buy and negative if the type is a sell").
pub(crate) fn check_investments(
    holdings: &[Holding],
    transactions: &[InvestmentTransaction],
) -> Result<(), String> {
    for (i, holding) in holdings.iter().enumerate() {
        holding
            .security
            .check()
            .map_err(|why| format!("holdings[{i}]: {why}"))?;
    }
    for (i, t) in transactions.iter().enumerate() {
        let at = |why: &str| format!("investment_transactions[{i}]: {why}");
        t.security.check().map_err(|why| at(&why))?;
        match t.kind {
            InvestmentKind::Buy if t.quantity <= 0.0 => {
                return Err(at("a buy's quantity must be positive"))
            }
            InvestmentKind::Sell if t.quantity >= 0.0 => {
                return Err(at("a sell's quantity must be negative"))
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn security(json: &str) -> Security {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_securitys_id_is_its_fields_own() {
        let plaid = security(r#"{"ticker_symbol": "PLAID", "currency": "USD"}"#);
        assert_eq!(plaid.id(), plaid.clone().id());
        assert!(plaid.id().starts_with("sec-"));
        let in_cad = security(r#"{"ticker_symbol": "PLAID", "currency": "CAD"}"#);
        let named = security(r#"{"ticker_symbol": "PLAID", "currency": "USD", "name": "Plaid"}"#);
        assert_ne!(plaid.id(), in_cad.id());
        assert_ne!(plaid.id(), named.id());
    }

    #[test]
    fn a_security_needs_a_currency_and_an_identifier() {
        assert!(security(r#"{"sedol": "B0YBKJ7", "currency": "GBP"}"#)
            .check()
            .is_ok());
        assert!(security(r#"{"ticker_symbol": "PLAID"}"#).check().is_err());
        assert!(security(r#"{"name": "Plaid", "currency": "USD"}"#)
            .check()
            .is_err());
    }
}
