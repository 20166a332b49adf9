//! Every admitted request, answered: its route (`routes.rs`), its body checked against the
//! operation's request type (`schema_check.rs`), its `access_token` resolved (`request.rs`),
//! then the emulated flow registered for its operation, or its fallback (`examples.rs`: the
//! spec's example or a synthesized body, speaking of the request's Item; a binary operation's
//! document). The transport calls this once a request is admitted.

use plaid_client::operations as op;
use plaid_client::ResponseFormat;
use serde_json::Value;

pub(crate) use super::examples::Body;
use super::examples::{self, Context};
use super::item_substitution::ItemView;
use super::payment_profiles;
use super::payments;
use super::routes::{Found, Route, Routes};
use super::transfer_repayments;
use super::{
    auth, bank_transfers, identity, institutions, item_health, items, link, processor, request,
    sandbox_auth, sandbox_income, sandbox_items, transactions, transactions_get, transfer_events,
    transfer_ledger, transfer_recurring, transfer_refunds, transfer_sweeps, transfer_test_clocks,
    transfers, webhooks,
};
use super::{cash_flow_updates, oauth, users};
use super::{investments, item_clock, liabilities};
use crate::api::Api;
use crate::model::plaid_error::PlaidError;

/// Every operation's route, the emulated flows registered by their operation types, by area.
pub(crate) fn routes() -> Routes {
    let mut r = Routes::generated();
    items_and_link(&mut r);
    transactions(&mut r);
    auth_and_identity(&mut r);
    transfers(&mut r);
    sandbox(&mut r);
    webhooks(&mut r);
    r
}

/// Items, Link, accounts and institutions (`items.rs`, `sandbox_items.rs`, `link.rs`,
/// `item_health.rs`, `institutions.rs`).
fn items_and_link(r: &mut Routes) {
    r.emulate::<op::SandboxPublicTokenCreate>(sandbox_items::public_token_create);
    r.emulate::<op::ItemPublicTokenExchange>(items::public_token_exchange);
    r.emulate::<op::ItemGet>(items::item_get);
    r.emulate::<op::ItemRemove>(items::item_remove);
    r.emulate::<op::LinkTokenCreate>(link::token_create);
    r.emulate::<op::SandboxItemResetLogin>(item_health::reset_login);
    r.emulate::<op::AccountsGet>(|e, q| items::accounts_get(e, q, false));
    r.emulate::<op::AccountsBalanceGet>(|e, q| items::accounts_get(e, q, true));
    r.emulate::<op::InstitutionsGet>(institutions::get);
    r.emulate::<op::InstitutionsGetById>(institutions::get_by_id);
    r.emulate::<op::InstitutionsSearch>(institutions::search);
}

/// Transactions: cursors, offset pages, refresh, Sandbox-created ones.
fn transactions(r: &mut Routes) {
    r.emulate::<op::TransactionsSync>(transactions::sync);
    r.emulate::<op::TransactionsGet>(transactions_get::get);
    r.emulate::<op::TransactionsRefresh>(transactions_get::refresh);
    r.emulate::<op::SandboxTransactionsCreate>(transactions_get::create);
}

/// Auth, Identity, Investments and Liabilities, and the processor endpoints that answer Auth
/// and Identity for a processor token.
fn auth_and_identity(r: &mut Routes) {
    r.emulate::<op::AuthGet>(auth::auth_get);
    r.emulate::<op::IdentityGet>(identity::identity_get);
    r.emulate::<op::ProcessorAuthGet>(processor::auth_get);
    r.emulate::<op::ProcessorBalanceGet>(processor::balance_get);
    r.emulate::<op::ProcessorAccountGet>(processor::account_get);
    r.emulate::<op::ProcessorIdentityGet>(processor::identity_get);
    // A custom user's configured data, else Sandbox's fixed data.
    r.emulate::<op::InvestmentsHoldingsGet>(investments::holdings_get);
    r.emulate::<op::InvestmentsTransactionsGet>(investments::transactions_get);
    r.emulate::<op::LiabilitiesGet>(liabilities::get);
}

/// Transfers: authorizations, transfers, events, sweeps, test clocks, recurring transfers,
/// refunds and the Ledger, with their Sandbox simulations.
fn transfers(r: &mut Routes) {
    r.emulate::<op::TransferAuthorizationCreate>(transfers::authorize);
    r.emulate::<op::TransferCreate>(transfers::create);
    r.emulate::<op::TransferGet>(transfers::get);
    r.emulate::<op::TransferList>(transfers::list);
    r.emulate::<op::TransferEventList>(transfer_events::list);
    r.emulate::<op::TransferEventSync>(transfer_events::sync);
    r.emulate::<op::SandboxTransferSimulate>(transfer_events::simulate);
    r.emulate::<op::SandboxTransferFireWebhook>(transfers::fire_webhook);
    r.emulate::<op::SandboxTransferSweepSimulate>(transfer_sweeps::simulate);
    r.emulate::<op::TransferSweepList>(transfer_sweeps::list);
    r.emulate::<op::SandboxTransferTestClockCreate>(transfer_test_clocks::create);
    r.emulate::<op::SandboxTransferTestClockAdvance>(transfer_test_clocks::advance);
    r.emulate::<op::SandboxTransferTestClockGet>(transfer_test_clocks::get);
    r.emulate::<op::SandboxTransferTestClockList>(transfer_test_clocks::list);
    r.emulate::<op::TransferRecurringCreate>(transfer_recurring::create);
    r.emulate::<op::TransferRecurringGet>(transfer_recurring::get);
    r.emulate::<op::TransferRecurringList>(transfer_recurring::list);
    r.emulate::<op::TransferRecurringCancel>(transfer_recurring::cancel);
    r.emulate::<op::TransferRefundCreate>(transfer_refunds::create);
    r.emulate::<op::TransferRefundGet>(transfer_refunds::get);
    r.emulate::<op::TransferRefundCancel>(transfer_refunds::cancel);
    r.emulate::<op::SandboxTransferRefundSimulate>(transfer_refunds::simulate);
    r.emulate::<op::SandboxTransferRepaymentSimulate>(transfer_repayments::simulate);
    r.emulate::<op::TransferRepaymentList>(transfer_repayments::list);
    r.emulate::<op::TransferRepaymentReturnList>(transfer_repayments::return_list);
    r.emulate::<op::TransferLedgerGet>(transfer_ledger::get);
    r.emulate::<op::TransferLedgerDeposit>(transfer_ledger::deposit);
    r.emulate::<op::TransferLedgerWithdraw>(transfer_ledger::withdraw);
    r.emulate::<op::SandboxTransferLedgerDepositSimulate>(transfer_ledger::deposit_simulate);
    r.emulate::<op::SandboxTransferLedgerWithdrawSimulate>(transfer_ledger::withdraw_simulate);
    r.emulate::<op::SandboxTransferLedgerSimulateAvailable>(transfer_ledger::simulate_available);
    r.emulate::<op::PaymentProfileCreate>(payment_profiles::create);
    r.emulate::<op::PaymentProfileGet>(payment_profiles::get);
    r.emulate::<op::PaymentProfileRemove>(payment_profiles::remove);
    r.emulate::<op::SandboxPaymentProfileResetLogin>(payment_profiles::reset_login);
    r.emulate::<op::PaymentInitiationRecipientCreate>(payments::recipient_create);
    r.emulate::<op::PaymentInitiationPaymentCreate>(payments::payment_create);
    r.emulate::<op::PaymentInitiationPaymentGet>(payments::payment_get);
    r.emulate::<op::SandboxPaymentSimulate>(payments::simulate);
}

/// The other Sandbox endpoints: verification status, processor tokens, seeded applications;
/// users, their Sandbox reset and Cash Flow Updates, and OAuth account selection.
fn sandbox(r: &mut Routes) {
    r.emulate::<op::SandboxItemSetVerificationStatus>(sandbox_auth::set_verification_status);
    r.emulate::<op::SandboxProcessorTokenCreate>(processor::token_create);
    r.emulate::<op::SandboxItemApplicationSeed>(sandbox_items::application_seed);
    r.emulate::<op::SandboxUserResetLogin>(item_health::user_reset_login);
    r.emulate::<op::SandboxCraCashflowUpdatesUpdate>(cash_flow_updates::sandbox_update);
    r.emulate::<op::SandboxOauthSelectAccounts>(oauth::select_accounts);
    r.emulate::<op::UserCreate>(users::create);
    r.emulate::<op::UserGet>(users::get);
    r.emulate::<op::UserItemsGet>(users::items_get);
    r.emulate::<op::UserRemove>(users::remove);
    r.emulate::<op::UserUpdate>(users::update);
    r.emulate::<op::CraMonitoringInsightsSubscribe>(cash_flow_updates::subscribe);
}

/// Webhooks: the verification key, an Item's URL, and the Sandbox endpoints that fire them.
fn webhooks(r: &mut Routes) {
    r.emulate::<op::SandboxBankTransferFireWebhook>(bank_transfers::fire_webhook);
    r.emulate::<op::BankTransferCreate>(bank_transfers::create);
    r.emulate::<op::BankTransferGet>(bank_transfers::get);
    r.emulate::<op::BankTransferEventList>(bank_transfers::event_list);
    r.emulate::<op::BankTransferEventSync>(bank_transfers::event_sync);
    r.emulate::<op::SandboxBankTransferSimulate>(bank_transfers::simulate);
    r.emulate::<op::WebhookVerificationKeyGet>(webhooks::verification_key);
    r.emulate::<op::ItemWebhookUpdate>(webhooks::webhook_update);
    r.emulate::<op::SandboxItemFireWebhook>(webhooks::fire);
    r.emulate::<op::SandboxIncomeFireWebhook>(sandbox_income::fire_webhook);
    r.emulate::<op::SandboxBankIncomeFireWebhook>(sandbox_income::bank_income_fire_webhook);
}

/// The route a request is for: an unknown path, or a known one with another method, is
/// `NOT_FOUND` (docs, `errors-invalid-request.txt`: "The endpoint requested does not exist";
/// Plaid documents no 405). The three `GET` operations (`/fdx/recipients`, …) are routes too.
pub(crate) fn route<'r>(
    routes: &'r Routes,
    method: &str,
    path: &str,
) -> Result<&'r Route, PlaidError> {
    match routes.find(method, path) {
        Found::Route(route) => Ok(route),
        Found::Unknown | Found::WrongMethod => Err(PlaidError::not_found()),
    }
}

/// The answer to an admitted request for `method` and `path`: a `POST` body checked like
/// Plaid checks it (a `GET` operation has no body: its credentials come in headers, its
/// parameters in the path), then the emulated flow's answer, or else the operation's fallback
/// (`examples.rs`): its example or synthesized body speaking of the request's Item, or a
/// binary operation's document. Every operation answers (issue 30, item 4).
pub(crate) fn answer(
    emu: &Api,
    method: &str,
    path: &str,
    request: &Value,
    request_id: &str,
) -> Result<Body, PlaidError> {
    let route = route(&emu.routes, method, path)?;
    let has_body = route.method == "POST";
    if has_body && emu.request_checks {
        route.check().check(request)?;
    }
    let with_token = has_body && route.check().has_property("access_token");
    if let Some(handler) = &route.handler {
        if with_token {
            resolve_access_token(emu, request)?;
        }
        return handler(emu, request, request_id).map(Body::json);
    }
    let item = if with_token {
        item_view(emu, route.path, request)?
    } else {
        None
    };
    match route.format {
        ResponseFormat::Json => {
            let params = params_of(route.path, path);
            let context = Context { item, params };
            emu.examples.answer(route.path, &context, request_id)
        }
        ResponseFormat::Binary => Ok(examples::document(route.operation_id, route.path)),
    }
}

/// One resolver for every operation with an `access_token`: malformed or unknown is
/// `INVALID_ACCESS_TOKEN`, a removed Item `ITEM_NOT_FOUND` (docs, `errors-invalid-input.txt`,
/// `errors-item.txt`). An Item's error state is left to the product calls (`item_of`), since
/// `/item/get` shows it and `/item/remove` and update-mode Link still work. The Item is then
/// brought up to the emulator's clock (`item_clock::catch_up`: what came due posts, an old
/// login expires) before
/// the request is answered.
fn resolve_access_token(emu: &Api, body: &Value) -> Result<(), PlaidError> {
    if !body.get("access_token").is_some_and(Value::is_string) {
        return Ok(()); // absent where optional, or `null`: the schema check allowed it
    }
    let item_id = request::item_record(&emu.model.lock(), body)?
        .item_id
        .clone();
    item_clock::catch_up(emu, &item_id);
    Ok(())
}

/// The Item the request's `access_token` names, resolved as [`resolve_access_token`] does, as
/// a fallback answer names it: with the accounts `options.account_ids` selects (an id the
/// Item lacks is `INVALID_ACCOUNT_ID`, `errors-invalid-input.txt`). Copied under the lock;
/// the answer is made without it.
///
/// A product call (any path outside `/item/`) of an Item in an error state answers that error,
/// as the emulated product calls do (`request::item_of`; docs, `errors-item.txt`:
/// `ITEM_LOGIN_REQUIRED` is "frequently encountered during a /[product]/get request"); the
/// `/item/*` calls manage the Item and still work.
fn item_view(emu: &Api, path: &str, body: &Value) -> Result<Option<ItemView>, PlaidError> {
    if !body.get("access_token").is_some_and(Value::is_string) {
        return Ok(None);
    }
    let state = emu.model.lock();
    let item = if path.starts_with("/item/") {
        request::item_record(&state, body)?
    } else {
        request::item_of(&state, body)?
    };
    let accounts = request::selected_accounts(item, body)?;
    Ok(Some(ItemView::of(item, &accounts)))
}

/// The values of `template`'s `{param}` segments in `path` (which the route matched).
fn params_of(template: &'static str, path: &str) -> Vec<(&'static str, String)> {
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(want, have)| {
            let name = want.strip_prefix('{')?.strip_suffix('}')?;
            Some((name, have.to_string()))
        })
        .collect()
}
