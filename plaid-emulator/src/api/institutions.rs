//! `/institutions/get`, `/institutions/get_by_id` and `/institutions/search` over Sandbox's own
//! institutions (docs: `api-institutions.txt`, `sandbox-institutions.txt`;
//! `model/institutions.rs` holds the table): filtered by country, products, routing numbers and
//! OAuth as the requests ask, an unknown id `INVALID_INSTITUTION` (`errors-invalid-input.txt`),
//! and with `options.include_status` each product's health: "Unhealthy Platypus Bank - Down"
//! `DOWN`, "- Degraded" `DEGRADED`, the rest `HEALTHY`.

use std::time::{Duration, SystemTime};

use plaid_client::types;
use serde_json::{json, Value};

use super::request::decode;
use crate::api::Api;
use crate::model::clock;
use crate::model::institutions::{Health, Institution, INSTITUTIONS};
use crate::model::plaid_error::PlaidError;

/// The products `InstitutionStatus` reports on.
const STATUS_PRODUCTS: [&str; 8] = [
    "item_logins",
    "transactions_updates",
    "auth",
    "identity",
    "investments_updates",
    "liabilities_updates",
    "liabilities",
    "investments",
];

/// `institution` as the `Institution` object shows it; with its status if `status`.
fn institution_json(institution: &Institution, status: bool, now: SystemTime) -> Value {
    let mut value = json!({
        "institution_id": institution.id,
        "name": institution.name,
        "products": institution.region.products(),
        "country_codes": institution.region.country_codes(),
        "routing_numbers": institution.routing_numbers,
        "oauth": institution.oauth,
        "url": null, "primary_color": null, "logo": null,
    });
    if status {
        value["status"] = status_json(institution.health, now);
    }
    value
}

/// Every product's `ProductStatus` for an institution of `health`, changed a day before `now`.
fn status_json(health: Health, now: SystemTime) -> Value {
    let (success, error_plaid, error_institution) = health.breakdown();
    let refresh = match health {
        Health::Healthy => "NORMAL",
        Health::Degraded => "DELAYED",
        Health::Down | Health::Unsupported => "STOPPED",
    };
    let since = now.checked_sub(Duration::from_secs(86_400)).unwrap_or(now);
    let product = json!({
        "status": health.status(),
        "last_status_change": clock::rfc3339(since),
        "breakdown": {"success": success, "error_plaid": error_plaid,
            "error_institution": error_institution, "refresh_interval": refresh},
    });
    STATUS_PRODUCTS
        .iter()
        .map(|p| (p.to_string(), product.clone()))
        .collect::<serde_json::Map<String, Value>>()
        .into()
}

/// The names of `products` as Plaid writes them.
fn names<T: serde::Serialize>(products: &[T]) -> Vec<String> {
    products
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Whether `institution` offers every one of `products`.
fn offers_all(institution: &Institution, products: &[String]) -> bool {
    products.iter().all(|p| institution.offers(p))
}

/// `/institutions/get`: `count` from `offset`, with `total` the number that match.
pub(crate) fn get(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let request: types::InstitutionsGetRequest = decode(request)?;
    let countries = names(&request.country_codes);
    let options = request.options.as_ref();
    let products = options
        .and_then(|o| o.products.as_deref())
        .map(names)
        .unwrap_or_default();
    let routing = options
        .and_then(|o| o.routing_numbers.clone())
        .unwrap_or_default();
    let oauth = options.and_then(|o| o.oauth);
    let matching: Vec<&Institution> = INSTITUTIONS
        .iter()
        .filter(|i| i.in_any(&countries) && offers_all(i, &products))
        .filter(|i| oauth.is_none_or(|o| i.oauth == o))
        .filter(|i| {
            routing.is_empty()
                || routing
                    .iter()
                    .any(|r| i.routing_numbers.contains(&r.as_str()))
        })
        .collect();
    let (offset, count) = (
        usize::try_from(request.offset).unwrap_or(0),
        usize::try_from(request.count).unwrap_or(0),
    );
    let now = emu.model.now();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(count)
        .map(|i| institution_json(i, false, now))
        .collect();
    Ok(json!({"institutions": page, "total": matching.len()}))
}

/// `/institutions/get_by_id`: an id Sandbox lacks, or one outside `country_codes`, is
/// `INVALID_INSTITUTION`.
pub(crate) fn get_by_id(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let request: types::InstitutionsGetByIdRequest = decode(request)?;
    let countries = names(&request.country_codes);
    let institution = INSTITUTIONS
        .iter()
        .find(|i| i.id == request.institution_id && i.in_any(&countries))
        .ok_or_else(|| {
            PlaidError::new(
                400,
                "INVALID_INPUT",
                "INVALID_INSTITUTION",
                "invalid institution_id provided",
            )
        })?;
    let status = request.options.as_ref().is_some_and(|o| o.include_status);
    Ok(json!({"institution": institution_json(institution, status, emu.model.now())}))
}

/// `/institutions/search`: every word of `query` in the name, with the products and
/// countries asked for.
pub(crate) fn search(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let request: types::InstitutionsSearchRequest = decode(request)?;
    let countries = names(&request.country_codes);
    let products = request.products.as_deref().map(names).unwrap_or_default();
    let oauth = request.options.as_ref().and_then(|o| o.oauth);
    let now = emu.model.now();
    let found: Vec<Value> = INSTITUTIONS
        .iter()
        .filter(|i| i.matches(&request.query) && i.in_any(&countries))
        .filter(|i| offers_all(i, &products) && oauth.is_none_or(|o| i.oauth == o))
        .map(|i| institution_json(i, false, now))
        .collect();
    Ok(json!({"institutions": found}))
}
