//! A sync service, offline: embedded SQLite (or PostgreSQL with `DATABASE_URL=postgres://…`),
//! a Sandbox-like emulated Plaid on 127.0.0.1 with many Items, a verified webhook endpoint, and two
//! workers. It shows progress as it goes and ends with a summary checked against the emulator.
//!
//! ```sh
//! cargo run -p plaid-sync --example sync_service
//! eval "$(bash scripts/postgres.sh)" && cargo run -p plaid-sync --example sync_service
//! ```
//!
//! What happens: every Item gets its first, full sync; then Plaid (the emulator) publishes an
//! update for half of them: for each change it POSTs a signed `SYNC_UPDATES_AVAILABLE` to the
//! Items' webhook URL, and once the older `DEFAULT_UPDATE`; the endpoint verifies each against
//! the key the emulator serves and records it. One Item reports `ITEM_LOGIN_REQUIRED` until its
//! user repairs it (`LOGIN_REPAIRED`). The emulator also answers some pages with 500s and
//! mutation errors. Settings: `ITEMS` (default 300),
//! `TRANSACTIONS` per Item (default 120). With PostgreSQL, a fresh database named
//! `plaid_sync_<uuid>` is created on that server, so an existing deployment is never touched.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use plaid_client_ext::types;
use plaid_emulator::ItemOptions;
use plaid_sync::pacing::Limit;
use plaid_sync::plaid::WebhookVerifier;
use plaid_sync::{
    Backend, Credential, Pacer, Pacing, Store, SyncHandler, Worker, WorkerConfig, WorkerStats,
};
use support::{AnyError, EmulatedPlaid, Faults, Ledger, LedgerDb, SyncLimits};

/// Plaid's minute runs in 3 seconds here; the limits are Sandbox's `/transactions/sync` row.
const MINUTE: Duration = Duration::from_secs(3);

struct Endpoint<DB: Backend> {
    verifier: WebhookVerifier,
    store: Store<DB>,
    /// Webhooks verified and recorded (the example waits for them).
    recorded: Arc<AtomicU64>,
}

/// `POST /plaid/webhook`: verify against the raw body, then record what it means.
async fn plaid_webhook<DB: Backend>(
    State(app): State<Arc<Endpoint<DB>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let event = match app.verifier.verify(&headers, &body).await {
        Ok(event) => event,
        Err(e) => {
            eprintln!("rejected webhook: {e}");
            return StatusCode::BAD_REQUEST;
        }
    };
    match app.store.record_webhook(&event).await {
        Ok(_) => {
            app.recorded.fetch_add(1, Ordering::Relaxed);
            StatusCode::OK
        }
        // Plaid retries a webhook that did not get a 200.
        Err(e) => {
            eprintln!("could not record a webhook: {e}");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// The webhook endpoint on a loopback port: its URL, and its count of recorded webhooks.
async fn serve_webhooks<DB: Backend>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
) -> Result<(String, Arc<AtomicU64>), AnyError> {
    let verifier = WebhookVerifier::new(support::client(plaid)?);
    let recorded = Arc::new(AtomicU64::new(0));
    let app = Arc::new(Endpoint {
        verifier,
        store: store.clone(),
        recorded: recorded.clone(),
    });
    let router = Router::new()
        .route("/plaid/webhook", post(plaid_webhook::<DB>))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/plaid/webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok((url, recorded))
}

/// Plaid sends the Item's webhook `code` (`/sandbox/item/fire_webhook`): the emulator signs it
/// and POSTs it to the Item's webhook URL.
async fn fire_webhook(
    plaid: &EmulatedPlaid,
    item: &str,
    code: types::SandboxItemFireWebhookRequestWebhookCode,
) -> Result<(), AnyError> {
    let token = plaid.tokens().remove(item).ok_or("no token for the Item")?;
    let request = types::SandboxItemFireWebhookRequest::new(token.expose(), code);
    support::client(plaid)?.send(&request).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let items = support::env_number("ITEMS", 300);
    let transactions = support::env_number("TRANSACTIONS", 120);
    let plaid = EmulatedPlaid::start().await?;
    match std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(url) => {
            let store = support::fresh_postgres_store(&url).await?;
            println!("store: PostgreSQL (a fresh database on {})", redact(&url));
            run(store, plaid, items, transactions).await
        }
        None => {
            let (dir, store) = support::sqlite_store().await?;
            println!("store: SQLite at {}", dir.path().join("sync.db").display());
            run(store, plaid, items, transactions).await
        }
    }
}

fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("postgres://…@{host}"),
        None => url.to_string(),
    }
}

async fn run<DB>(
    store: Store<DB>,
    plaid: EmulatedPlaid,
    items: usize,
    transactions: usize,
) -> Result<(), AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let (webhook_url, recorded) = serve_webhooks(&store, &plaid).await?;
    let mut names = Vec::new();
    for _ in 0..items {
        let options = ItemOptions::default()
            .transactions(transactions)
            .webhook(&webhook_url);
        let item = plaid.add_item_with(options);
        store.add_item(&item).await?;
        names.push(item);
    }
    let repaired = names.get(7).cloned().unwrap_or_default();
    plaid.set_login_required(&repaired, true);
    let pacer = limit_and_fault(&store, &plaid)?;
    println!(
        "emulated Plaid at {}, webhook endpoint at {webhook_url}",
        plaid.url
    );
    println!("{items} Items x {transactions} transactions; limits: 1,000 per client and 50 per Item per (scaled) minute of {MINUTE:?}");

    let started = Instant::now();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let ledger = Ledger::default();
    let mut workers = Vec::new();
    let mut watched = Vec::new();
    for name in ["worker-1", "worker-2"] {
        let worker = worker(&store, &plaid, &pacer, &ledger, name)?;
        watched.push(worker.stats());
        let mut stopped = stopped.clone();
        workers.push(tokio::spawn(async move {
            worker
                .run(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await
        }));
    }

    wait_until_done(&store, &watched, started, 1, || true).await?;
    let before = recorded.load(Ordering::Relaxed);
    let updated: Vec<String> = names.iter().step_by(2).cloned().collect();
    let webhooks = updated.len() as u64 * WEBHOOKS_PER_UPDATE;
    println!("-- initial sync done; Plaid publishes updates and sends {WEBHOOKS_PER_UPDATE} webhooks per update");
    let publisher = tokio::spawn(publish_updates(plaid.clone(), updated));
    let delivered = || recorded.load(Ordering::Relaxed) >= before + webhooks;
    wait_until_done(&store, &watched, started, 1, || {
        publisher.is_finished() && delivered()
    })
    .await?;
    publisher.await??;
    println!("-- the user of {repaired} logs in again: LOGIN_REPAIRED");
    plaid.set_login_required(&repaired, false);
    let before = recorded.load(Ordering::Relaxed);
    fire_webhook(
        &plaid,
        &repaired,
        types::SandboxItemFireWebhookRequestWebhookCode::LoginRepaired,
    )
    .await?;
    wait_until_done(&store, &watched, started, 0, || {
        recorded.load(Ordering::Relaxed) > before
    })
    .await?;

    let _ = stop.send(true);
    let mut stats = Vec::new();
    for w in workers {
        stats.push(w.await?);
    }
    summary(&store, &plaid, &names, started, &stats).await
}

/// Make the emulator misbehave (a 500 every 97 requests, a mutation during pagination every 41)
/// and enforce Plaid's `/transactions/sync` limits with the minute scaled down; the pacer
/// that keeps the workers under them.
fn limit_and_fault<DB: Backend>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
) -> Result<Pacer, AnyError> {
    plaid.set_faults(Faults {
        server_error_every: 97,
        mutation_every: 41,
        ..Faults::default()
    });
    let limits = (
        Limit::per_minute(1_000).scaled(20),
        Limit::per_minute(50).scaled(20),
    );
    plaid.set_limits(Some(SyncLimits {
        per_client: (limits.0.count, limits.0.period),
        per_item: (limits.1.count, limits.1.period),
    }));
    let pacing = Pacing::unlimited()
        .per_client(Some(limits.0))
        .per_item(Some(limits.1))
        .headroom(0.95);
    Ok(Pacer::new(pacing, store.default_sharing())?)
}

/// One worker named `owner`, applying pages to `ledger`.
fn worker<DB>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
    pacer: &Pacer,
    ledger: &Ledger,
    owner: &str,
) -> Result<Worker<DB, Ledger, HashMap<String, Credential>>, AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let config = WorkerConfig {
        owner: owner.into(),
        page_size: 100,
        concurrency: 32,
        idle_poll: Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    let worker = Worker::new(
        store.clone(),
        support::client(plaid)?,
        ledger.clone(),
        plaid.tokens(),
        pacer.clone(),
    )
    .config(config)?;
    Ok(worker)
}

/// How many webhooks Plaid sends per update: one `SYNC_UPDATES_AVAILABLE` for each of its 3
/// changed transactions and one for its 15 new ones, and one `DEFAULT_UPDATE`.
const WEBHOOKS_PER_UPDATE: u64 = 5;

/// Plaid publishes 15 new and 3 changed transactions for each of `updated`; the emulator
/// announces each change with a webhook, and the older `DEFAULT_UPDATE` follows.
async fn publish_updates(plaid: EmulatedPlaid, updated: Vec<String>) -> Result<(), AnyError> {
    for item in &updated {
        plaid.update(item, 15, 3);
        let code = types::SandboxItemFireWebhookRequestWebhookCode::DefaultUpdate;
        fire_webhook(&plaid, item, code).await?;
    }
    Ok(())
}

/// Print progress until every webhook is published, nothing is due, and `needs_user` Items
/// wait for their user.
async fn wait_until_done<DB: LedgerDb>(
    store: &Store<DB>,
    workers: &[Arc<WorkerStats>],
    started: Instant,
    needs_user: i64,
    published: impl Fn() -> bool,
) -> Result<(), AnyError> {
    let applied = || -> u64 { workers.iter().map(|w| w.snapshot().transactions).sum() };
    let (mut at, mut before) = (Instant::now(), applied());
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let p = store.progress().await?;
        let now = applied();
        let rate = (now - before) as f64 / at.elapsed().as_secs_f64();
        (at, before) = (Instant::now(), now);
        println!(
            "[{:>5.1}s] Items done {:>4} / pending {:>4} / needing the user {} | {:>7.0} transactions/s",
            started.elapsed().as_secs_f64(),
            p.done(),
            p.pending,
            p.needs_user,
            rate
        );
        if published() && p.pending == 0 && p.needs_user == needs_user && p.syncing == 0 {
            return Ok(());
        }
    }
}

async fn summary<DB: LedgerDb>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
    names: &[String],
    started: Instant,
    stats: &[plaid_sync::Stats],
) -> Result<(), AnyError> {
    let rows = DB::ledger_rows(store.pool()).await?;
    let mut expected_rows = 0;
    let mut mismatched = 0;
    for item in names {
        let expected = plaid.expected(item);
        expected_rows += expected.len();
        let state = store.item(item).await?.ok_or("an Item vanished")?;
        let mine: Vec<_> = rows.iter().filter(|r| &r.item_id == item).collect();
        let same = mine.len() == expected.len()
            && mine.iter().all(|r| {
                expected.get(&r.transaction_id).is_some_and(|e| {
                    e.amount == r.amount
                        && e.pending == r.pending
                        && e.applications == r.applications
                })
            });
        if !same || state.cursor != plaid.final_cursor(item) {
            mismatched += 1;
        }
    }
    let counters = plaid.counters();
    let elapsed = started.elapsed();
    let p = store.progress().await?;
    let transactions: u64 = stats.iter().map(|s| s.transactions).sum();
    println!("\n== summary");
    println!(
        "Items: {} synced, {} needing the user, {} passes committed",
        p.synced, p.needs_user, p.passes
    );
    for (k, s) in stats.iter().enumerate() {
        println!("worker-{}: {} passes, {} pages, {} transactions, {} failed (rolled back), {} mutation restarts, {} 429s", k + 1, s.committed, s.pages, s.transactions, s.failed, s.restarts, s.rate_limited);
    }
    println!("rows: {} in the ledger, {} expected; Items whose rows or cursor differ from Plaid's: {mismatched}", rows.len(), expected_rows);
    println!(
        "emulated Plaid: {} requests, {} pages, {} 429s, {} 500s, {} mutation errors",
        counters.requests,
        counters.pages,
        counters.rate_limited,
        counters.server_errors,
        counters.mutations
    );
    println!(
        "wall time {:.1}s, {:.0} transactions/s",
        elapsed.as_secs_f64(),
        transactions as f64 / elapsed.as_secs_f64()
    );
    if mismatched > 0 || rows.len() != expected_rows {
        return Err("the ledger does not match Plaid".into());
    }
    println!("every transaction applied exactly once; every cursor is Plaid's");
    Ok(())
}
