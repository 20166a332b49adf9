//! Items as Sandbox makes them for its test users and institutions (docs:
//! `sandbox-test-credentials.txt`, `sandbox-user-custom.txt`, `sandbox-institutions.txt`,
//! `auth-coverage-testing.txt`, `api-sandbox.txt`): the institution and products checked as
//! Plaid documents, then an Item for what the credentials logged in as
//! ([`crate::model::sandbox_users::login`]). `/sandbox/public_token/create`,
//! `/sandbox/processor_token/create`, the control API's `create_item` and Link all make their
//! Items here.

use plaid_client::operations::AccountsGet;
use plaid_client::types;
use serde_json::{json, Value};

use super::examples::example_value;
use super::items::{issue_public_token, new_item};
use super::request::decode;
use crate::api::Api;
use crate::model::clock;
use crate::model::custom_products::Identity;
use crate::model::custom_user::{CustomAccount, CustomUser, Recaptcha};
use crate::model::error_passwords::error_password;
use crate::model::history::{Custom, History, Placement, LINKED_TRANSACTIONS};
use crate::model::institutions::{
    self, Health, Institution, HOUNDSTOOTH, HOUNDSTOOTH_CHECKING, HOUNDSTOOTH_ROUTING,
    HOUNDSTOOTH_SAVING,
};
use crate::model::plaid_error::PlaidError;
use crate::model::sandbox_items::{AccountNumbers, SandboxItem, UserKind};
use crate::model::sandbox_users::{self, recaptcha_bad, Login};
use crate::model::state::State;

/// Who asks for the Item: `/sandbox/public_token/create` "cannot be used with OAuth
/// institutions" (`api-sandbox.txt`); Link and the control API can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// `/sandbox/public_token/create` or `/sandbox/processor_token/create`.
    SandboxEndpoint,
    /// Link, or the control API.
    Link,
}

/// `INVALID_INPUT` / `INVALID_INSTITUTION` (docs, `errors-invalid-input.txt`: "The
/// institution_id specified is invalid or does not exist").
fn invalid_institution(why: &str) -> PlaidError {
    PlaidError::new(400, "INVALID_INPUT", "INVALID_INSTITUTION", why)
}

/// The institution of `id`, if an Item for `products` can be made there: unknown is
/// `INVALID_INSTITUTION`, an OAuth one through a Sandbox endpoint too ("cannot be used with
/// OAuth institutions"), "Unhealthy Platypus Bank - Down" `INSTITUTION_DOWN`, "Unsupported
/// Platypus Bank" `INSTITUTION_NO_LONGER_SUPPORTED` (`errors-institution.txt`), a product it
/// lacks `PRODUCTS_NOT_SUPPORTED` (`errors-item.txt`; `api-sandbox.txt`: "May be any products
/// that the specified institution_id supports").
pub(crate) fn check_institution(
    id: &str,
    products: &[String],
    via: Via,
) -> Result<&'static Institution, PlaidError> {
    let institution = institutions::find(id)
        .ok_or_else(|| invalid_institution("invalid institution_id provided"))?;
    if institution.oauth && via == Via::SandboxEndpoint {
        return Err(invalid_institution(
            "/sandbox/public_token/create cannot be used with OAuth institutions",
        ));
    }
    match institution.health {
        Health::Down => return Err(documented("INSTITUTION_DOWN")),
        Health::Unsupported => return Err(documented("INSTITUTION_NO_LONGER_SUPPORTED")),
        Health::Healthy | Health::Degraded => {}
    }
    let lacking: Vec<&str> = products
        .iter()
        .map(String::as_str)
        .filter(|p| !institution.offers(p))
        .collect();
    if !lacking.is_empty() {
        let why = format!("this institution does not support: {}", lacking.join(", "));
        return Err(PlaidError::new(
            400,
            "ITEM_ERROR",
            "PRODUCTS_NOT_SUPPORTED",
            &why,
        ));
    }
    Ok(institution)
}

/// The documented error of `code` (one of the error passwords' table).
fn documented(code: &str) -> PlaidError {
    error_password(code).unwrap_or_else(|| PlaidError::internal(code))
}

/// What a new Item is made of, besides the login.
pub(crate) struct NewItem {
    pub(crate) institution: &'static Institution,
    pub(crate) products: Vec<String>,
    pub(crate) webhook: Option<String>,
    /// How many transactions a default history has.
    pub(crate) transactions: usize,
}

/// A new Item for `login` at a checked institution; its id. MFA and a good reCAPTCHA are
/// passed (what a user does in Link; `/sandbox/public_token/create` bypasses Link), a bad
/// reCAPTCHA is `RECAPTCHA_BAD`.
pub(crate) fn create(
    emu: &Api,
    state: &mut State,
    new: NewItem,
    login: &Login,
) -> Result<String, PlaidError> {
    let custom = match login {
        Login::Recaptcha { passes: false } => return Err(recaptcha_bad()),
        Login::Custom(config) if config.recaptcha == Some(Recaptcha::Bad) => {
            return Err(recaptcha_bad())
        }
        Login::Custom(config) if !config.override_accounts.is_empty() => Some(config),
        _ => None,
    };
    let transactions = if custom.is_some() {
        0
    } else {
        new.transactions
    };
    let institution_id = new.institution.id.to_string();
    let item_id = new_item(
        emu,
        state,
        institution_id,
        new.products,
        new.webhook,
        transactions,
    );
    let mut extras = SandboxItem {
        user: match login {
            Login::DynamicTransactions => UserKind::DynamicTransactions,
            Login::Custom(_) => UserKind::Custom,
            _ => UserKind::Good,
        },
        ..SandboxItem::default()
    };
    if let Some(config) = custom {
        custom_item(emu, state, &item_id, config, &mut extras)?;
    } else if new.institution.id == HOUNDSTOOTH {
        houndstooth(state, &item_id, login, &mut extras);
    }
    seeded(state, &item_id, login);
    state.sandbox.items.insert(item_id.clone(), extras);
    Ok(item_id)
}

/// A custom user's `seed` decides the transaction data its configuration does not give
/// (`sandbox-user-custom.txt`: "A seed ... that will be used to randomly generate account and
/// transaction data, if this data is not specified using the override_accounts argument"):
/// the derived amounts and names, the same for the same seed. Without one they differ from
/// Item to Item ("If no seed is specified, the randomly generated data will be different each
/// time"), derived from the emulator's seed and the Item.
fn seeded(state: &mut State, item_id: &str, login: &Login) {
    let Login::Custom(config) = login else {
        return;
    };
    let (Some(seed), Some(item)) = (&config.seed, state.items.get_mut(item_id)) else {
        return;
    };
    item.history.derive_from(seed);
}

/// A new Item as `/sandbox/public_token/create` makes one: Sandbox's default history.
pub(crate) fn linked(
    institution: &'static Institution,
    products: Vec<String>,
    webhook: Option<String>,
) -> NewItem {
    NewItem {
        institution,
        products,
        webhook,
        transactions: LINKED_TRANSACTIONS,
    }
}

/// Houndstooth Bank's documented Auth accounts (`auth-coverage-testing.txt`): Plaid Checking
/// (****0000) and Plaid Saving (****1111), routing `021000021`; with `microdeposits_good`
/// only the checking account, `pending_automatic_verification`.
fn houndstooth(state: &mut State, item_id: &str, login: &Login, extras: &mut SandboxItem) {
    let Some(item) = state.items.get_mut(item_id) else {
        return;
    };
    let documented = [
        ("Plaid Checking", "0000", HOUNDSTOOTH_CHECKING),
        ("Plaid Saving", "1111", HOUNDSTOOTH_SAVING),
    ];
    for (account, (name, mask, number)) in item.accounts.iter_mut().zip(documented) {
        account["name"] = json!(name);
        account["mask"] = json!(mask);
        let id = account["account_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let numbers = AccountNumbers {
            account: Some(number.into()),
            routing: Some(HOUNDSTOOTH_ROUTING.into()),
            wire_routing: Some(HOUNDSTOOTH_ROUTING.into()),
            ..AccountNumbers::default()
        };
        extras.numbers.insert(id, numbers);
    }
    if *login == Login::Microdeposits {
        item.accounts.truncate(1);
        if let Some(checking) = item.accounts.first_mut() {
            checking["verification_status"] = json!("pending_automatic_verification");
        }
    }
}

/// A custom user's Item: exactly the configured accounts, their numbers and transactions
/// (a future `date_posted` pending), and the configured owner.
fn custom_item(
    emu: &Api,
    state: &mut State,
    item_id: &str,
    config: &CustomUser,
    extras: &mut SandboxItem,
) -> Result<(), PlaidError> {
    let template = example_value::<AccountsGet>()?["accounts"][0].clone();
    let today = clock::date(emu.model.now());
    let mut accounts = Vec::new();
    let mut transactions = Vec::new();
    for (i, custom) in config.override_accounts.iter().enumerate() {
        let account_id = format!("{item_id}-acc-{i}");
        accounts.push(custom_account(&template, &account_id, custom)?);
        extras
            .products
            .insert(account_id.clone(), custom.products());
        extras.numbers.insert(account_id, numbers(custom));
        transactions.extend(custom.transactions.iter().map(|t| {
            let placement = Placement {
                account: i,
                authorized_date: t.date_transacted.as_ref().map(|d| d.0.clone()),
                pending: t.date_posted.0 > today,
            };
            let custom = Custom {
                amount: (t.amount * 100.0).round() / 100.0,
                date: t.date_posted.0.clone(),
                description: t.description.clone(),
            };
            (custom, placement)
        }));
        // `inflow_model`'s monthly income, posted on its paydays.
        let income = custom.inflow_model.iter().flat_map(|m| m.income(&today));
        transactions.extend(income.map(|(date, amount, description)| {
            let placement = Placement {
                account: i,
                authorized_date: None,
                pending: false,
            };
            (
                Custom {
                    amount,
                    date,
                    description,
                },
                placement,
            )
        }));
        if extras.identity.is_none() {
            extras.identity = custom.identity.clone();
        }
    }
    let item = state
        .items
        .get_mut(item_id)
        .ok_or_else(|| PlaidError::internal("the new Item is gone"))?;
    item.accounts = accounts;
    item.history = History::new(0, clock::day_of(emu.model.now()));
    item.history.add_placed(transactions);
    Ok(())
}

/// The accounts a custom user's `override_accounts` give, as Link's account-selection pane
/// lists them before the Item exists, in the Item's order; `None` without any.
pub(crate) fn custom_preview(config: &CustomUser) -> Option<Vec<Value>> {
    if config.override_accounts.is_empty() {
        return None;
    }
    let template = example_value::<AccountsGet>().ok()?["accounts"][0].clone();
    let accounts = config.override_accounts.iter().enumerate();
    accounts
        .map(|(i, custom)| custom_account(&template, &format!("preview-{i}"), custom).ok())
        .collect()
}

/// One configured account as `AccountBase` JSON: the spec's example account with the
/// configuration's type, subtype, names, mask and balances.
fn custom_account(
    template: &Value,
    account_id: &str,
    custom: &CustomAccount,
) -> Result<Value, PlaidError> {
    let mut account = template.clone();
    let subtype = custom.subtype.clone().map_or(Value::Null, Value::String);
    // A subtype Plaid does not have is the configuration's fault, not the emulator's.
    if serde_json::from_value::<Option<types::AccountSubtype>>(subtype.clone()).is_err() {
        return Err(PlaidError::invalid_field(&format!(
            "invalid user_custom configuration: unknown subtype {subtype}"
        )));
    }
    let current = custom.starting_balance.unwrap_or(0.0);
    let meta = &custom.meta;
    let number_mask = custom.numbers.account.as_deref().map(|n| {
        let start = n.len().saturating_sub(4);
        n.get(start..).unwrap_or_default().to_string()
    });
    account["account_id"] = json!(account_id);
    account["type"] = json!(custom.account_type.as_str());
    account["subtype"] = subtype;
    account["name"] = json!(meta.name.clone().unwrap_or_else(|| default_name(custom)));
    account["official_name"] = json!(meta.official_name);
    account["mask"] = json!(meta.mask.clone().or(number_mask));
    account["balances"] = json!({
        "current": current,
        "available": custom.force_available_balance.unwrap_or(current),
        "limit": meta.limit,
        "iso_currency_code": custom.currency.clone().unwrap_or_else(|| "USD".into()),
        "unofficial_currency_code": null,
    });
    Ok(account)
}

fn default_name(custom: &CustomAccount) -> String {
    let subtype = custom
        .subtype
        .as_deref()
        .unwrap_or(custom.account_type.as_str());
    format!("Plaid {subtype}")
}

fn numbers(custom: &CustomAccount) -> AccountNumbers {
    let n = &custom.numbers;
    AccountNumbers {
        account: n.account.clone().or_else(|| n.international_iban.clone()),
        routing: n.ach_routing.clone(),
        wire_routing: n.ach_wire_routing.clone(),
        eft_institution: n.eft_institution.clone(),
        eft_branch: n.eft_branch.clone(),
        bic: n.international_bic.clone(),
        iban: n.international_iban.clone(),
        sort_code: n.bacs_sort_code.clone(),
    }
}

/// `/sandbox/public_token/create`: a new Item, and the public token Link would return for it.
pub(crate) fn public_token_create(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let request: types::SandboxPublicTokenCreateRequest = decode(request)?;
    if request.initial_products.is_empty() {
        return Err(PlaidError::missing_fields("initial_products"));
    }
    let products: Vec<String> = request
        .initial_products
        .iter()
        .map(|p| json!(p).as_str().unwrap_or_default().to_string())
        .collect();
    // Institution and products, then Sandbox's test credentials.
    let options = request.options.as_ref();
    let institution = check_institution(&request.institution_id, &products, Via::SandboxEndpoint)?;
    let login = login(
        options.and_then(|o| o.override_username.as_ref()),
        options.and_then(|o| o.override_password.as_ref()),
    )?;
    let webhook = options.and_then(|o| o.webhook.clone());
    let new = linked(institution, products, webhook);
    let mut state = emu.model.lock();
    // The Item joins the user the request names (`users.rs`).
    let user_id = request.user_id.as_ref().map(|u| u.0.as_str());
    let user_token = request.user_token.as_ref().map(types::UserToken::expose);
    let user = super::users::named_by(&state, user_id, user_token)?;
    let item_id = create(emu, &mut state, new, &login)?;
    state.users.join(user.as_deref(), &item_id);
    let public_token = issue_public_token(emu, &mut state, &item_id);
    let body = json!({"public_token": public_token});
    Ok(body)
}

/// What a Sandbox endpoint's `options.override_username` and `override_password` log in as
/// (`user_good` and `pass_good` when not given, as `api-sandbox.txt` documents).
pub(crate) fn login(
    username: Option<&types::SandboxOverrideUsername>,
    password: Option<&types::SandboxOverridePassword>,
) -> Result<Login, PlaidError> {
    let username = username.map_or("user_good", |u| u.0.as_str());
    let password = password.map_or("pass_good", types::SandboxOverridePassword::expose);
    sandbox_users::login(username, password)
}

/// `owner` (an `Owner` of `/identity/get`) with what a custom user's `identity` gives; what
/// it leaves out stays Sandbox's default ("Any fields not specified will be filled in with
/// default Sandbox information").
pub(crate) fn custom_owner(owner: &mut Value, identity: &Identity) {
    if !identity.names.is_empty() {
        owner["names"] = json!(identity.names);
    }
    if !identity.emails.is_empty() {
        owner["emails"] = json!(identity.emails);
    }
    if !identity.phone_numbers.is_empty() {
        owner["phone_numbers"] = json!(identity.phone_numbers);
    }
    if !identity.addresses.is_empty() {
        owner["addresses"] = json!(identity.addresses);
    }
}

/// `/sandbox/item/application/seed` (the spec: "the `item_id` of the newly seeded item
/// representing the application connection"): a new Item at the access token's Item's
/// institution, with its products, standing for the connection to `application_id`.
pub(crate) fn application_seed(emu: &Api, request: &Value) -> Result<Value, PlaidError> {
    let typed: types::SandboxItemApplicationSeedRequest = decode(request)?;
    if typed.application_id.0.is_empty() {
        return Err(PlaidError::invalid_field(
            "application_id must not be empty",
        ));
    }
    let mut state = emu.model.lock();
    let item = super::request::item_of(&state, request)?;
    let (institution_id, products) = (item.institution_id.clone(), item.products.clone());
    let item_id = new_item(emu, &mut state, institution_id, products, None, 0);
    Ok(json!({ "item_id": item_id }))
}
