//! Plaid's documented rate limits, the one table that plaid-sync's pacer and plaid-emulator's
//! limiter both read (docs: `errors-rate-limit-exceeded`, "Rate limit table"), and the one way
//! an operation's path is matched against its rows: a `*` segment stands for any one segment
//! (`/transfer/*/get` is `/transfer/event/get`, `/identity_verification/*` is
//! `/identity_verification/get`).
//!
//! ```
//! use plaid_client::rate_limits::{documented, Limit, SANDBOX, PRODUCTION};
//!
//! let sync = documented(PRODUCTION, "/transactions/sync").unwrap();
//! assert_eq!(sync.per_item, Some(Limit::per_minute(50)));
//! assert_eq!(sync.per_client, Limit::per_minute(2_500));
//! let idv = documented(SANDBOX, "/identity_verification/get").unwrap();
//! assert_eq!(idv.endpoint, "/identity_verification/*");
//! assert!(documented(SANDBOX, "/transfer/get").is_none());
//! ```

use std::time::Duration;

/// `count` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed per period.
    pub count: u32,
    /// The period.
    pub period: Duration,
}

impl Limit {
    /// `count` per second.
    pub const fn per_second(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(1),
        }
    }
    /// `count` per minute.
    pub const fn per_minute(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(60),
        }
    }
    /// `count` per hour.
    pub const fn per_hour(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(3600),
        }
    }
    /// The same limit over a period `factor` times shorter (benchmarks and tests run Plaid's
    /// minute in a fraction of one).
    pub fn scaled(self, factor: u32) -> Self {
        Self {
            count: self.count,
            period: self.period / factor.max(1),
        }
    }
}

/// One row of Plaid's rate-limit table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The endpoint, as the table names it (`/transactions/sync`, `/transfer/*/get`).
    pub endpoint: &'static str,
    /// The limit per Item (`N/A` in the table: `None`).
    pub per_item: Option<Limit>,
    /// The limit per client.
    pub per_client: Limit,
}

const fn row(endpoint: &'static str, per_item: Option<Limit>, per_client: Limit) -> RateLimit {
    RateLimit {
        endpoint,
        per_item,
        per_client,
    }
}

/// Plaid's "Production and Development rate limits" (docs: `errors-rate-limit-exceeded`).
/// `/signal/evaluate` also has "10 per transaction per hour", which is not per Item.
#[rustfmt::skip]
pub const PRODUCTION: &[RateLimit] = &[
    row("/accounts/balance/get", Some(Limit::per_minute(5)), Limit::per_minute(1_200)),
    row("/accounts/get", Some(Limit::per_minute(15)), Limit::per_minute(15_000)),
    row("/asset_report/create", None, Limit::per_minute(30)),
    row("/asset_report/get", Some(Limit::per_minute(15)), Limit::per_minute(1_000)),
    row("/asset_report/refresh", None, Limit::per_minute(30)),
    row("/auth/get", Some(Limit::per_minute(15)), Limit::per_minute(12_000)),
    row("/identity/get", Some(Limit::per_minute(15)), Limit::per_minute(2_000)),
    row("/identity_verification/*", None, Limit::per_minute(2_000)),
    row("/institutions/get", None, Limit::per_minute(25)),
    row("/institutions/get_by_id", None, Limit::per_minute(400)),
    row("/investments/holdings/get", Some(Limit::per_minute(15)), Limit::per_minute(2_000)),
    row("/investments/transactions/get", Some(Limit::per_minute(30)), Limit::per_minute(20_000)),
    row("/item/get", Some(Limit::per_minute(15)), Limit::per_minute(5_000)),
    row("/item/remove", Some(Limit::per_minute(30)), Limit::per_minute(2_000)),
    row("/liabilities/get", Some(Limit::per_minute(15)), Limit::per_minute(1_000)),
    row("/processor/token/create", None, Limit::per_minute(500)),
    row("/signal/evaluate", Some(Limit::per_hour(70)), Limit::per_second(50)),
    row("/signal/decision/report", None, Limit::per_minute(4_000)),
    row("/signal/prepare", None, Limit::per_minute(2_000)),
    row("/signal/return/report", None, Limit::per_minute(4_000)),
    row("/transactions/enrich", None, Limit::per_minute(100)),
    row("/transactions/get", Some(Limit::per_minute(30)), Limit::per_minute(20_000)),
    row("/transactions/recurring/get", Some(Limit::per_minute(20)), Limit::per_minute(1_000)),
    row("/transactions/refresh", Some(Limit::per_minute(2)), Limit::per_minute(100)),
    row("/transactions/sync", Some(Limit::per_minute(50)), Limit::per_minute(2_500)),
    row("/transfer/authorization/create", None, Limit::per_minute(5_000)),
    row("/transfer/cancel", None, Limit::per_minute(250)),
    row("/transfer/create", None, Limit::per_minute(5_000)),
    row("/transfer/event/sync", None, Limit::per_minute(5_000)),
    row("/transfer/intent/create", None, Limit::per_minute(5_000)),
    row("/transfer/migrate_account", None, Limit::per_minute(250)),
    row("/transfer/recurring/cancel", None, Limit::per_minute(250)),
    row("/transfer/recurring/create", None, Limit::per_minute(5_000)),
    row("/transfer/refund/cancel", None, Limit::per_minute(250)),
    row("/transfer/refund/create", None, Limit::per_minute(5_000)),
    row("/transfer/*/get", None, Limit::per_minute(5_000)),
    row("/transfer/*/list", None, Limit::per_minute(100)),
    row("/watchlist_screening/*", None, Limit::per_minute(2_000)),
];

/// Plaid's "Sandbox rate limits" (docs: `errors-rate-limit-exceeded`).
#[rustfmt::skip]
pub const SANDBOX: &[RateLimit] = &[
    row("/accounts/balance/get", Some(Limit::per_minute(25)), Limit::per_minute(100)),
    row("/accounts/get", Some(Limit::per_minute(100)), Limit::per_minute(5_000)),
    row("/asset_report/create", None, Limit::per_minute(30)),
    row("/asset_report/get", Some(Limit::per_minute(1_000)), Limit::per_minute(1_000)),
    row("/asset_report/refresh", None, Limit::per_minute(100)),
    row("/auth/get", Some(Limit::per_minute(100)), Limit::per_minute(500)),
    row("/identity/get", Some(Limit::per_minute(100)), Limit::per_minute(1_000)),
    row("/identity_verification/*", None, Limit::per_minute(500)),
    row("/institutions/get", None, Limit::per_minute(10)),
    row("/institutions/get_by_id", None, Limit::per_minute(400)),
    row("/investments/holdings/get", Some(Limit::per_minute(100)), Limit::per_minute(1_000)),
    row("/investments/transactions/get", Some(Limit::per_minute(100)), Limit::per_minute(1_000)),
    row("/item/get", Some(Limit::per_minute(40)), Limit::per_minute(5_000)),
    row("/item/remove", Some(Limit::per_minute(100)), Limit::per_minute(500)),
    row("/liabilities/get", Some(Limit::per_minute(10)), Limit::per_minute(1_000)),
    row("/processor/token/create", None, Limit::per_minute(500)),
    row("/signal/evaluate", Some(Limit::per_hour(70)), Limit::per_second(30)),
    row("/signal/decision/report", None, Limit::per_minute(4_000)),
    row("/signal/prepare", None, Limit::per_minute(2_000)),
    row("/signal/return/report", None, Limit::per_minute(4_000)),
    row("/transactions/enrich", None, Limit::per_minute(100)),
    row("/transactions/get", Some(Limit::per_minute(80)), Limit::per_minute(1_000)),
    row("/transactions/recurring/get", Some(Limit::per_minute(20)), Limit::per_minute(1_000)),
    row("/transactions/refresh", Some(Limit::per_minute(2)), Limit::per_minute(100)),
    row("/transactions/sync", Some(Limit::per_minute(50)), Limit::per_minute(1_000)),
    row("/transfer/authorization/create", None, Limit::per_minute(100)),
    row("/transfer/create", None, Limit::per_minute(100)),
    row("/transfer/intent/create", None, Limit::per_minute(100)),
    row("/transfer/recurring/create", None, Limit::per_minute(100)),
    row("/transfer/refund/create", None, Limit::per_minute(100)),
    row("/watchlist_screening/*", None, Limit::per_minute(500)),
];

/// The row of `table` whose endpoint matches `path` (a `*` segment matches any one segment).
pub fn documented(table: &[RateLimit], path: &str) -> Option<RateLimit> {
    table
        .iter()
        .find(|r| matches_path(r.endpoint, path))
        .copied()
}

/// Whether `path` is matched by `pattern`, where a `*` segment matches any one segment.
pub fn matches_path(pattern: &str, path: &str) -> bool {
    let (mut p, mut q) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_one_segment_per_star() {
        assert!(matches_path("/transfer/*/get", "/transfer/event/get"));
        assert!(!matches_path("/transfer/*/get", "/transfer/get"));
        assert!(matches_path("/accounts/get", "/accounts/get"));
        assert!(!matches_path("/accounts/get", "/accounts/get/x"));
        assert!(matches_path(
            "/identity_verification/*",
            "/identity_verification/create"
        ));
    }

    #[test]
    fn every_row_matches_itself_and_endpoints_are_unique() {
        for table in [PRODUCTION, SANDBOX] {
            for row in table {
                let path = row.endpoint.replace('*', "x");
                assert_eq!(
                    documented(table, &path).map(|r| r.endpoint),
                    Some(row.endpoint)
                );
            }
        }
    }
}
