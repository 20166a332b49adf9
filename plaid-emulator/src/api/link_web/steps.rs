//! The steps Link's panes ask the emulator for (`POST /link/v2/stable/api/<step>`, JSON in and
//! out): `session` (what the link token is for), `institutions` (search), `credentials` (the
//! login and its MFA rounds), `connect` (the accounts selected; Link's end). Each names its
//! link token, so an unknown or expired token ends Link with `INVALID_LINK_TOKEN` (docs,
//! `link-handle-invalid-link-token.txt`), and a failed login with its error (docs,
//! `sandbox-test-credentials.txt`); both as `{"error": <Plaid's error object>}`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::WebAnswer;
use crate::api::link_flow::{self, Choices, FlowError, Next, Session};
use crate::api::sandbox_items::{self, Via};
use crate::api::Api;
use crate::model::institutions::{self, INSTITUTIONS};
use crate::model::mfa::Mfa;
use crate::model::plaid_error::PlaidError;
use crate::model::sandbox_users::Login;

/// What every step sends: its token, and what the user chose so far.
#[derive(Deserialize)]
struct StepRequest {
    link_token: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    institution_id: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    mfa_answers: Vec<Vec<String>>,
    /// The indexes (as the `credentials` step listed them) of the accounts selected.
    #[serde(default)]
    account_ids: Option<Vec<String>>,
}

impl StepRequest {
    fn choices<'a>(&'a self, accounts: Option<&'a [usize]>) -> Choices<'a> {
        Choices {
            institution_id: self.institution_id.as_deref(),
            username: &self.username,
            password: &self.password,
            mfa_answers: &self.mfa_answers,
            accounts,
        }
    }
}

/// The answer to `step` with `body`.
pub(super) fn answer(api: &Api, step: &str, body: &[u8]) -> WebAnswer {
    let request: StepRequest = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => return refused(&PlaidError::invalid_body(&e.to_string())),
    };
    let session = match link_flow::session(api, &request.link_token) {
        Ok(session) => session,
        Err(e) => return refused(&e.plaid()),
    };
    let answered = match step {
        "session" => Ok(session_json(&session)),
        "institutions" => Ok(institutions_json(&request.query)),
        "credentials" => credentials(&session, &request),
        "connect" => connect(api, &request),
        _ => return WebAnswer::text(404, "no such step"),
    };
    match answered {
        Ok(value) => json_answer(200, &value),
        Err(error) => refused(&error),
    }
}

fn session_json(session: &Session) -> Value {
    let institution = session
        .update_institution
        .as_deref()
        .map(|id| json!({"institution_id": id, "name": name_of(id)}));
    json!({
        "client_name": session.client_name,
        "language": session.language,
        "products": session.products,
        "update_mode": session.update_institution.is_some(),
        "institution": institution,
    })
}

/// Sandbox's institutions whose name has every word of `query` (all for a blank one; docs,
/// `sandbox-institutions.txt`), at most 100 characters of it read.
fn institutions_json(query: &str) -> Value {
    let query: String = query.chars().take(100).collect();
    let found: Vec<Value> = INSTITUTIONS
        .iter()
        .filter(|i| i.matches(&query))
        .map(|i| json!({"institution_id": i.id, "name": i.name}))
        .collect();
    json!({ "institutions": found })
}

/// The name of `institution_id`, or the id itself for one Sandbox lacks.
fn name_of(institution_id: &str) -> String {
    institutions::find(institution_id)
        .map_or_else(|| institution_id.to_string(), |i| i.name.to_string())
}

/// The login: the next MFA round, the accounts to select (a custom user's configured ones), or
/// (update mode) nothing to select.
fn credentials(session: &Session, request: &StepRequest) -> Result<Value, PlaidError> {
    if session.update_institution.is_none() {
        let id = request.institution_id.as_deref();
        let id = id.unwrap_or(link_flow::DEFAULT_INSTITUTION);
        sandbox_items::check_institution(id, &session.products, Via::Link)?;
    }
    let (next, login) = link_flow::log_in(&request.choices(None))?;
    match next {
        Next::Mfa { mfa, round } => Ok(mfa_json(&mfa, round)),
        Next::Done if session.update_institution.is_some() => Ok(json!({"next": "connect"})),
        Next::Done => {
            // A custom user's configured accounts (`sandbox-user-custom.txt`), else Sandbox's.
            let preview = match &login {
                Login::Custom(config) => sandbox_items::custom_preview(config),
                _ => None,
            };
            let accounts: Vec<Value> = preview
                .unwrap_or_else(link_flow::preview_accounts)
                .iter()
                .enumerate()
                .map(|(k, a)| {
                    json!({"id": k.to_string(), "name": a["name"], "mask": a["mask"],
                        "type": a["type"], "subtype": a["subtype"]})
                })
                .collect();
            Ok(json!({"next": "accounts", "accounts": accounts}))
        }
    }
}

/// One MFA round's questions (docs, `link-web.txt`: `mfa_type` is one of code, device,
/// questions, selections).
fn mfa_json(mfa: &Mfa, round: u8) -> Value {
    let (rounds, per_round) = mfa.shape();
    let kind = match mfa {
        Mfa::Device => "code",
        Mfa::Questions { .. } => "questions",
        Mfa::YesNo | Mfa::Selections { .. } => "selections",
    };
    let questions: Vec<Value> = (0..per_round)
        .map(|q| {
            let prompt = match mfa {
                Mfa::Device => "Enter the code sent to your device (Sandbox: 1234)".to_string(),
                Mfa::YesNo => "Are you the account holder? (Sandbox: Yes)".to_string(),
                _ => format!("Question {} of round {} of {rounds}", q + 1, round + 1),
            };
            json!({"prompt": prompt, "options": mfa.options(round, q)})
        })
        .collect();
    json!({"next": "mfa", "mfa_type": kind, "round": round, "questions": questions})
}

/// Link's end: the public token and `onSuccess`'s metadata.
fn connect(api: &Api, request: &StepRequest) -> Result<Value, PlaidError> {
    let selected: Option<Vec<usize>> = request
        .account_ids
        .as_ref()
        .map(|ids| ids.iter().filter_map(|id| id.parse().ok()).collect());
    if selected.as_ref().is_some_and(Vec::is_empty) {
        return Err(PlaidError::invalid_field("select at least one account"));
    }
    let choices = request.choices(selected.as_deref());
    let linked = link_flow::finish(api, &request.link_token, &choices).map_err(|e| match e {
        FlowError::Link(e) => e.plaid(),
        FlowError::Login(e) => e,
    })?;
    let name = name_of(&linked.institution_id);
    Ok(json!({
        "public_token": linked.public_token,
        "metadata": link_flow::success_metadata(&linked, &name),
    }))
}

fn json_answer(status: u16, value: &Value) -> WebAnswer {
    WebAnswer {
        status,
        content_type: "application/json",
        body: serde_json::to_vec(value).unwrap_or_default(),
    }
}

/// `{"error": <Plaid's error object>}` with the error's status.
fn refused(error: &PlaidError) -> WebAnswer {
    json_answer(error.status, &json!({ "error": error.object() }))
}
