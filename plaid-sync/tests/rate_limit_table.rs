//! The rate-limit table in `plaid_sync::pacing` is the one in Plaid's docs
//! (`errors-rate-limit-exceeded`), row for row. Needs the docs beside the repository
//! (`../shared/plaid-docs`, as CI has them), hence `#[ignore]` outside CI.

use std::path::PathBuf;

use plaid_sync::pacing::{Limit, RateLimit, PRODUCTION, SANDBOX};

fn docs_page() -> Result<String, std::io::Error> {
    let dir = std::env::var_os("PLAID_DOCS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/plaid-docs")
        });
    std::fs::read_to_string(dir.join("pages/errors-rate-limit-exceeded.txt"))
}

fn limit_text(limit: Option<Limit>) -> String {
    let Some(l) = limit else {
        return "N/A".into();
    };
    let unit = match l.period.as_secs() {
        1 => "second",
        60 => "minute",
        _ => "hour",
    };
    let count = l.count.to_string();
    let grouped = if count.len() > 3 {
        format!(
            "{},{}",
            &count[..count.len() - 3],
            &count[count.len() - 3..]
        )
    } else {
        count
    };
    format!("{grouped} per {unit}")
}

/// The table's rows under `heading`, as the page prints them.
fn rows_under(page: &str, heading: &str) -> Vec<String> {
    page.lines()
        .skip_while(|l| *l != heading)
        .skip(2)
        .take_while(|l| l.starts_with('/'))
        .map(str::to_string)
        .collect()
}

fn check(table: &[RateLimit], rows: &[String]) {
    assert_eq!(table.len(), rows.len(), "row count");
    for (limit, row) in table.iter().zip(rows) {
        let item = limit_text(limit.per_item);
        let client = limit_text(Some(limit.per_client));
        assert!(
            row.starts_with(&format!("{}{}", limit.endpoint, item)) && row.ends_with(&client),
            "{row:?} vs {limit:?}"
        );
    }
}

#[test]
#[ignore = "needs ../shared/plaid-docs (CI runs it with --ignored)"]
fn the_table_is_plaids() -> Result<(), std::io::Error> {
    let page = docs_page()?;
    check(
        PRODUCTION,
        &rows_under(&page, "Production and Development rate limits"),
    );
    check(SANDBOX, &rows_under(&page, "Sandbox rate limits"));
    Ok(())
}
