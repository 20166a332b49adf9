//! The quickstart's server: Plaid's quickstart routes (docs: `quickstart.txt`, "How it works")
//! over one `PlaidClient`, and the page that loads Link. The binary (`main.rs`) and the browser
//! tests (`plaid-client-ext/tests/quickstart_browser.rs`) both build it with [`router`].

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::{types, Environment, Error, PlaidClient};
use plaid_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};

/// The page, with `{{LINK_SCRIPT}}` where Link's script URL goes.
const PAGE: &str = include_str!("index.html");

/// Any error the quickstart's start-up can meet.
pub type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// How many of the newest transactions the page shows.
const SHOWN_TRANSACTIONS: usize = 10;

/// The Item this quickstart linked (one at a time, as Plaid's quickstart keeps it).
#[derive(Clone)]
pub struct LinkedItem {
    /// Its access token: stays on the server, never sent to the page.
    pub access_token: types::AccessToken,
}

/// What the routes share.
pub struct App {
    client: PlaidClient,
    link_script: String,
    products: Vec<types::Products>,
    item: Mutex<Option<LinkedItem>>,
}

impl App {
    /// An app calling Plaid (or the emulator) with `client`, its page loading Link from
    /// `link_script`, its link tokens asking for `products`.
    pub fn new(client: PlaidClient, link_script: String, products: Vec<types::Products>) -> Self {
        Self {
            client,
            link_script,
            products,
            item: Mutex::new(None),
        }
    }

    /// The Item linked last, if any.
    pub fn item(&self) -> Option<LinkedItem> {
        self.item
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn access_token(&self) -> Result<types::AccessToken, AppError> {
        self.item().map(|i| i.access_token).ok_or(AppError::NoItem)
    }
}

/// Offline: the emulator on a free loopback port, a client for it, and the URL of the Link
/// script it serves (at Plaid's CDN path, `/link/v2/stable/link-initialize.js`).
pub async fn offline() -> Result<(Emulator, PlaidClient, String), AnyError> {
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    let config = EmulatorConfig::default();
    let client = PlaidClient::builder(
        Environment::Custom(emulator.base_url().into()),
        config.client_id,
        config.secret,
    )
    .build()?;
    let script = format!("{}/link/v2/stable/link-initialize.js", emulator.base_url());
    Ok((emulator, client, script))
}

/// The quickstart's routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/create_link_token", post(create_link_token))
        .route("/api/set_access_token", post(set_access_token))
        .route("/api/accounts", get(accounts))
        .route("/api/balance", get(balance))
        .route("/api/transactions", get(transactions))
        .route("/api/auth", get(auth))
        .route("/api/identity", get(identity))
        .route("/api/transfer", post(transfer))
        .with_state(app)
}

/// A failed route: Plaid's error, passed to the page as Plaid's error object.
enum AppError {
    Plaid(Error),
    NoItem,
    Bad(String),
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        Self::Plaid(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, error) = match self {
            Self::Plaid(e) => match e.api() {
                Some(api) => (
                    StatusCode::from_u16(api.status).unwrap_or(StatusCode::BAD_GATEWAY),
                    json!({"error_type": api.error_type.to_string(),
                        "error_code": api.error_code.to_string(),
                        "error_message": api.error_message,
                        "display_message": api.display_message}),
                ),
                None => (
                    StatusCode::BAD_GATEWAY,
                    json!({"error_type": "API_ERROR", "error_code": "CLIENT_ERROR",
                        "error_message": e.to_string(), "display_message": null}),
                ),
            },
            Self::NoItem => (
                StatusCode::BAD_REQUEST,
                json!({"error_type": "QUICKSTART", "error_code": "NO_ITEM",
                    "error_message": "link an Item first", "display_message": null}),
            ),
            Self::Bad(why) => (
                StatusCode::BAD_REQUEST,
                json!({"error_type": "QUICKSTART", "error_code": "BAD_REQUEST",
                    "error_message": why, "display_message": null}),
            ),
        };
        (status, Json(json!({ "error": error }))).into_response()
    }
}

type Answer = Result<Json<Value>, AppError>;

async fn page(State(app): State<Arc<App>>) -> Html<String> {
    Html(PAGE.replace("{{LINK_SCRIPT}}", &app.link_script))
}

/// Step 1: a link token; `{"update": true}` makes one for the linked Item (update mode, docs:
/// `link-update-mode.txt`), to repair its login.
async fn create_link_token(State(app): State<Arc<App>>, body: Option<Json<Value>>) -> Answer {
    let update = body.is_some_and(|b| b.0["update"] == json!(true));
    let user = types::LinkTokenCreateRequestUser::new("quickstart-user");
    let request =
        types::LinkTokenCreateRequest::new("Plaid Quickstart", vec![types::CountryCode::Us], "en")
            .user(user);
    let request = if update {
        request.access_token(app.access_token()?.expose().to_string())
    } else {
        request.products(app.products.clone())
    };
    let created = app.client.send(&request).await?;
    Ok(Json(json!({"link_token": created.link_token})))
}

/// Step 3: the public token from `onSuccess`, exchanged; the access token stays here.
async fn set_access_token(State(app): State<Arc<App>>, Json(body): Json<Value>) -> Answer {
    let public_token = body["public_token"]
        .as_str()
        .ok_or_else(|| AppError::Bad("public_token is required".into()))?;
    let request = types::ItemPublicTokenExchangeRequest::new(public_token.to_string());
    let exchanged = app.client.send(&request).await?;
    let item = LinkedItem {
        access_token: exchanged.access_token.clone(),
    };
    *app.item.lock().unwrap_or_else(PoisonError::into_inner) = Some(item);
    Ok(Json(json!({"item_id": exchanged.item_id})))
}

fn account_json(a: &types::AccountBase) -> Value {
    json!({"account_id": a.account_id, "name": a.name, "mask": a.mask,
        "type": a.type_.to_string(), "subtype": a.subtype.as_ref().map(ToString::to_string),
        "current": a.balances.current, "available": a.balances.available,
        "currency": a.balances.iso_currency_code})
}

async fn accounts(State(app): State<Arc<App>>) -> Answer {
    let request = types::AccountsGetRequest::new(app.access_token()?);
    let answer = app.client.send(&request).await?;
    let accounts: Vec<Value> = answer.accounts.iter().map(account_json).collect();
    Ok(Json(json!({ "accounts": accounts })))
}

async fn balance(State(app): State<Arc<App>>) -> Answer {
    let request = types::AccountsBalanceGetRequest::new(app.access_token()?);
    let answer = app.client.send(&request).await?;
    let accounts: Vec<Value> = answer.accounts.iter().map(account_json).collect();
    Ok(Json(json!({ "accounts": accounts })))
}

/// Transactions by cursor: one whole `/transactions/sync` pass from no cursor (the ext restarts
/// a pass Plaid says changed under it), the newest few shown.
async fn transactions(State(app): State<Arc<App>>) -> Answer {
    let request = types::TransactionsSyncRequest::new(app.access_token()?).count(500);
    let mut added = match app.client.sync(request).run().await? {
        SyncOutcome::Complete(batch) => batch.data.added,
        SyncOutcome::NotReady(_) => return Ok(Json(json!({"ready": false, "latest": []}))),
    };
    added.sort_by_key(|t| std::cmp::Reverse(t.date));
    let latest: Vec<Value> = added
        .iter()
        .take(SHOWN_TRANSACTIONS)
        .map(|t| {
            json!({"date": t.date.to_string(), "name": t.name, "amount": t.amount,
                "currency": t.iso_currency_code})
        })
        .collect();
    Ok(Json(
        json!({"ready": true, "total": added.len(), "latest": latest}),
    ))
}

/// Account and routing numbers; account numbers shown by their last four digits only.
async fn auth(State(app): State<Arc<App>>) -> Answer {
    let request = types::AuthGetRequest::new(app.access_token()?);
    let answer = app.client.send(&request).await?;
    let numbers: Vec<Value> = answer
        .numbers
        .ach
        .iter()
        .map(|n| {
            let last4: String = n
                .account
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            json!({"account_id": n.account_id, "routing": n.routing, "account_last4": last4})
        })
        .collect();
    Ok(Json(json!({ "ach": numbers })))
}

/// The account holders' names, per account.
async fn identity(State(app): State<Arc<App>>) -> Answer {
    let request = types::IdentityGetRequest::new(app.access_token()?);
    let answer = serde_json::to_value(app.client.send(&request).await?.into_inner())
        .map_err(|e| AppError::Bad(e.to_string()))?;
    let owners: Vec<Value> = answer["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| json!({"account_id": a["account_id"], "names": a["owners"][0]["names"]}))
        .collect();
    Ok(Json(json!({ "owners": owners })))
}

/// One transfer: a $1.00 ACH debit from the first account, authorized then created, each
/// request with the idempotency key its `new` filled.
async fn transfer(State(app): State<Arc<App>>) -> Answer {
    let access_token = app.access_token()?;
    let accounts = types::AccountsGetRequest::new(access_token.clone());
    let accounts = app.client.send(&accounts).await?;
    let account = accounts
        .accounts
        .first()
        .ok_or_else(|| AppError::Bad("the Item has no accounts".into()))?;
    let authorize = types::TransferAuthorizationCreateRequest::new(
        access_token.expose(),
        account.account_id.as_str(),
        "1.00",
        types::TransferNetwork::Ach,
        types::TransferType::Debit,
        types::TransferAuthorizationUserInRequest::new("Quickstart User"),
    )
    .ach_class(types::AchClass::Ppd);
    let authorization = app.client.send(&authorize).await?;
    let create = types::TransferCreateRequest::new(
        access_token.expose(),
        account.account_id.as_str(),
        authorization.authorization.id.to_string(),
        "quickstart",
    );
    let created = app.client.send(&create).await?;
    let t = &created.transfer;
    Ok(Json(
        json!({"transfer_id": t.id.to_string(), "amount": t.amount,
        "status": t.status.to_string(), "decision": authorization.authorization.decision.to_string()}),
    ))
}
