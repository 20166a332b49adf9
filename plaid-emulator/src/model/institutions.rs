//! Sandbox's own institutions (docs, `sandbox-institutions.txt`), as a typed table: their ids
//! and names as the docs list them, their countries, whether they use OAuth ("None of the
//! institutions in the list above use OAuth flows except for those that are explicitly marked
//! as OAuth or European / UK institutions"), their health ("Unhealthy Platypus Bank - Down"
//! and "- Degraded"), whether Plaid supports them ("Unsupported Platypus Bank"), and the
//! products each offers. The docs list no products per institution: a US bank offers the US
//! data and payment products, a UK one the UK ones (Payment Initiation, standing orders), the
//! Canadian one the data products. Houndstooth Bank's Auth numbers (`auth-coverage-testing.txt`)
//! are here too.

/// How an institution is doing (`InstitutionStatus`'s `status`: HEALTHY, DEGRADED, DOWN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Health {
    /// The majority of requests succeed.
    Healthy,
    /// Only some requests succeed; Items can still be made.
    Degraded,
    /// All requests fail: `INSTITUTION_DOWN`.
    Down,
    /// Plaid does not support it: `INSTITUTION_NO_LONGER_SUPPORTED`.
    Unsupported,
}

impl Health {
    /// As `ProductStatus.status` writes it.
    pub(crate) fn status(self) -> &'static str {
        match self {
            Self::Healthy => "HEALTHY",
            Self::Degraded => "DEGRADED",
            Self::Down | Self::Unsupported => "DOWN",
        }
    }

    /// `(success, error_plaid, error_institution)` of `ProductStatusBreakdown` (they sum to 1).
    pub(crate) fn breakdown(self) -> (f64, f64, f64) {
        match self {
            Self::Healthy => (1.0, 0.0, 0.0),
            Self::Degraded => (0.5, 0.0, 0.5),
            Self::Down | Self::Unsupported => (0.0, 0.0, 1.0),
        }
    }
}

/// Where an institution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    /// The United States.
    Us,
    /// Canada.
    Ca,
    /// The UK and Europe (Open Banking).
    Europe,
}

impl Region {
    /// Its country codes (`CountryCode`).
    pub(crate) fn country_codes(self) -> &'static [&'static str] {
        match self {
            Self::Us => &["US"],
            Self::Ca => &["CA"],
            Self::Europe => &[
                "GB", "ES", "FR", "IE", "NL", "DE", "IT", "PL", "DK", "NO", "SE", "EE", "LT", "LV",
                "PT", "BE",
            ],
        }
    }

    /// The products its institutions offer (`Products`).
    pub(crate) fn products(self) -> &'static [&'static str] {
        match self {
            Self::Us => &[
                "assets",
                "auth",
                "balance",
                "employment",
                "identity",
                "identity_match",
                "income_verification",
                "investments",
                "liabilities",
                "recurring_transactions",
                "signal",
                "statements",
                "transactions",
                "transactions_refresh",
                "transfer",
            ],
            Self::Ca => &[
                "assets",
                "auth",
                "balance",
                "identity",
                "investments",
                "liabilities",
                "transactions",
            ],
            Self::Europe => &[
                "auth",
                "balance",
                "identity",
                "payment_initiation",
                "standing_orders",
                "transactions",
            ],
        }
    }
}

/// One Sandbox institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Institution {
    /// `ins_…`.
    pub(crate) id: &'static str,
    /// Its name, as the docs list it.
    pub(crate) name: &'static str,
    pub(crate) region: Region,
    /// It logs in through OAuth.
    pub(crate) oauth: bool,
    pub(crate) health: Health,
    /// Its routing numbers (`routing_numbers`).
    pub(crate) routing_numbers: &'static [&'static str],
}

const fn ins(id: &'static str, name: &'static str, region: Region, oauth: bool) -> Institution {
    Institution {
        id,
        name,
        region,
        oauth,
        health: Health::Healthy,
        routing_numbers: &[],
    }
}

const fn with_health(mut institution: Institution, health: Health) -> Institution {
    institution.health = health;
    institution
}

/// Houndstooth Bank: Instant Match and automated micro-deposits (docs,
/// `auth-coverage-testing.txt`).
pub(crate) const HOUNDSTOOTH: &str = "ins_109512";
/// Houndstooth Bank's routing number (Instant Match and automated micro-deposits).
pub(crate) const HOUNDSTOOTH_ROUTING: &str = "021000021";
/// Plaid Checking (****0000), the account automated micro-deposits verify.
pub(crate) const HOUNDSTOOTH_CHECKING: &str = "1111222233330000";
/// Plaid Saving (****1111), the account Instant Match matches.
pub(crate) const HOUNDSTOOTH_SAVING: &str = "1111222233331111";

/// The documented Sandbox institutions, in the docs' order.
pub(crate) const INSTITUTIONS: [Institution; 16] = [
    ins("ins_109508", "First Platypus Bank", Region::Us, false),
    ins(
        "ins_109509",
        "First Gingham Credit Union",
        Region::Us,
        false,
    ),
    ins(
        "ins_109510",
        "Tattersall Federal Credit Union",
        Region::Us,
        false,
    ),
    ins("ins_109511", "Tartan Bank", Region::Us, false),
    Institution {
        routing_numbers: &[HOUNDSTOOTH_ROUTING],
        ..ins(HOUNDSTOOTH, "Houndstooth Bank", Region::Us, false)
    },
    ins(
        "ins_43",
        "Tartan-Dominion Bank of Canada",
        Region::Ca,
        false,
    ),
    ins(
        "ins_116834",
        "Flexible Platypus Open Banking (UK Bank)",
        Region::Europe,
        true,
    ),
    ins(
        "ins_117650",
        "Royal Bank of Plaid (UK Bank)",
        Region::Europe,
        true,
    ),
    ins(
        "ins_127287",
        "Platypus OAuth Bank (for OAuth testing only)",
        Region::Us,
        true,
    ),
    ins(
        "ins_132241",
        "First Platypus OAuth App2App Bank (for App-to-App OAuth testing)",
        Region::Us,
        true,
    ),
    ins(
        "ins_117181",
        "Flexible Platypus Open Banking (for OAuth QR code authentication testing)",
        Region::Europe,
        true,
    ),
    with_health(
        ins(
            "ins_132363",
            "Unhealthy Platypus Bank - Degraded",
            Region::Us,
            false,
        ),
        Health::Degraded,
    ),
    with_health(
        ins(
            "ins_132361",
            "Unhealthy Platypus Bank - Down",
            Region::Us,
            false,
        ),
        Health::Down,
    ),
    with_health(
        ins(
            "ins_133402",
            "Unsupported Platypus Bank - Institution Not Supported",
            Region::Us,
            false,
        ),
        Health::Unsupported,
    ),
    ins(
        "ins_133502",
        "Platypus Bank RUX Auth (for RUX Pre-authenticated testing)",
        Region::Us,
        false,
    ),
    ins(
        "ins_133503",
        "Platypus Bank RUX Match (for RUX Pre-matched testing)",
        Region::Us,
        false,
    ),
];

/// The institution of `id`, if Sandbox has it.
pub(crate) fn find(id: &str) -> Option<&'static Institution> {
    INSTITUTIONS.iter().find(|i| i.id == id)
}

impl Institution {
    /// Whether it offers `product`.
    pub(crate) fn offers(&self, product: &str) -> bool {
        self.region.products().contains(&product)
    }

    /// Whether it operates in one of `countries` (every country if none are given).
    pub(crate) fn in_any(&self, countries: &[String]) -> bool {
        countries.is_empty()
            || countries
                .iter()
                .any(|c| self.region.country_codes().contains(&c.as_str()))
    }

    /// Whether its name contains every word of `query`, ignoring case (`/institutions/search`).
    pub(crate) fn matches(&self, query: &str) -> bool {
        let name = self.name.to_lowercase();
        query
            .split_whitespace()
            .all(|word| name.contains(&word.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_documented_ids_once_each() {
        let mut ids: Vec<&str> = INSTITUTIONS.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), INSTITUTIONS.len());
        assert_eq!(find("ins_132361").map(|i| i.health), Some(Health::Down));
        assert!(find("ins_127287").is_some_and(|i| i.oauth));
        assert!(find("ins_109508").is_some_and(|i| !i.oauth && i.offers("transactions")));
        assert!(find("ins_116834").is_some_and(|i| i.offers("payment_initiation")));
        assert!(find("ins_1").is_none());
    }

    #[test]
    fn search_matches_every_word_ignoring_case() {
        let names: Vec<&str> = INSTITUTIONS
            .iter()
            .filter(|i| i.matches("platypus UNHEALTHY"))
            .map(|i| i.id)
            .collect();
        assert_eq!(names, ["ins_132363", "ins_132361"]);
    }
}
