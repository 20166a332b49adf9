//! How fast the emulator serves and how little an Item costs (issue 23, "fast enough"): the
//! peak memory after creating 10,000 Items of 100 transactions and syncing a sample, then
//! requests per second on loopback for `/accounts/get` and `/transactions/sync` from 32
//! concurrent connections of one `PlaidClient`, and what the request checks cost on
//! `/accounts/get` (an emulator with them beside one without, in the same run). A binary, not
//! a timed test:
//!
//! ```sh
//! nice cargo bench -p plaid-emulator --bench serve
//! ```

// A bench: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use plaid_client_ext::retry::NoRetry;
use plaid_client_ext::sync::SyncOutcome;
use plaid_client_ext::{types, Environment, PlaidClient};
use plaid_emulator::{Emulator, EmulatorConfig, ItemOptions, LinkedItem};

const ITEMS: usize = 10_000;
const TRANSACTIONS: usize = 100;
const SAMPLE: usize = 200;
const CONCURRENCY: usize = 32;
const RUN: Duration = Duration::from_secs(5);
const GOAL_RPS: f64 = 10_000.0;
const GOAL_MIB: f64 = 256.0;

/// A line of `/proc/self/status` (`VmHWM`, `VmRSS`) in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn client(emulator: &Emulator) -> PlaidClient {
    let config = EmulatorConfig::default();
    PlaidClient::builder(
        Environment::Custom(emulator.base_url().to_string()),
        config.client_id,
        config.secret,
    )
    .retry_policy(NoRetry)
    .build()
    .unwrap()
}

async fn memory(emulator: &Emulator, client: &PlaidClient) {
    let before = status_mib("VmRSS:");
    let started = Instant::now();
    let items: Vec<LinkedItem> = (0..ITEMS)
        .map(|_| emulator.create_item(ItemOptions::default().transactions(TRANSACTIONS)))
        .collect();
    let created = started.elapsed();
    let mut synced = 0;
    for item in items.iter().step_by(ITEMS / SAMPLE) {
        let request = types::TransactionsSyncRequest::new(item.access_token.as_str()).count(500);
        let SyncOutcome::Complete(batch) = client.sync(request).run().await.unwrap() else {
            panic!("the emulator's histories are ready at once");
        };
        synced += batch.data.added.len();
    }
    let peak = status_mib("VmHWM:");
    println!(
        "memory: {ITEMS} Items x {TRANSACTIONS} transactions created in {created:.2?}; \
         {SAMPLE} synced ({synced} added); RSS before {before:.1} MiB, peak (VmHWM) {peak:.1} MiB; \
         goal <= {GOAL_MIB} MiB: {:.2}x of the budget used",
        peak / GOAL_MIB
    );
}

/// Requests per second of `send` from `CONCURRENCY` tasks for `RUN`, and the ratio to `goal`.
async fn throughput<F, Fut>(name: &str, goal: Option<f64>, send: F) -> f64
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let send = Arc::new(send);
    let (done, stop, failed) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|worker| {
            let (send, done, stop, failed) =
                (send.clone(), done.clone(), stop.clone(), failed.clone());
            tokio::spawn(async move {
                let mut n = worker;
                while !stop.load(Ordering::Relaxed) {
                    let counter = if send(n).await { &done } else { &failed };
                    counter.fetch_add(1, Ordering::Relaxed);
                    n += CONCURRENCY;
                }
            })
        })
        .collect();
    tokio::time::sleep(RUN).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let rps = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    let ratio = goal.map_or_else(String::new, |g| format!("; goal >= {g}: {:.2}x", rps / g));
    println!(
        "{name}: {rps:.0} requests/s with {CONCURRENCY} connections ({} failed){ratio}",
        failed.load(Ordering::Relaxed),
    );
    rps
}

/// `SAMPLE` Items' access tokens on `emulator`.
fn tokens(emulator: &Emulator) -> Arc<Vec<String>> {
    Arc::new(
        (0..SAMPLE)
            .map(|_| emulator.create_item(ItemOptions::default().transactions(TRANSACTIONS)))
            .map(|item| item.access_token)
            .collect(),
    )
}

/// `/accounts/get` requests per second on `emulator`, named `name`.
async fn accounts_get(name: &str, emulator: &Emulator) -> f64 {
    let (c, t) = (client(emulator), tokens(emulator));
    throughput(name, Some(GOAL_RPS), move |n| {
        let (c, t) = (c.clone(), t.clone());
        async move {
            let request = types::AccountsGetRequest::new(t[n % t.len()].as_str());
            c.send(&request).await.is_ok()
        }
    })
    .await
}

/// What the request checks (issue 30, item 3) cost on `/accounts/get`: the same load on an
/// emulator with them and one without, alternated twice in this run so both see the same
/// machine; goal: at most 10 %.
async fn request_checks_cost() {
    let checked = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let unchecked = Emulator::start(EmulatorConfig {
        request_checks: false,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let (mut with, mut without) = (0.0, 0.0);
    for round in 1..=2 {
        with += accounts_get(&format!("/accounts/get, checked (round {round})"), &checked).await;
        without += accounts_get(
            &format!("/accounts/get, unchecked (round {round})"),
            &unchecked,
        )
        .await;
    }
    let cost = 1.0 - with / without;
    println!(
        "request checks: {:.0} vs {:.0} requests/s checked vs unchecked (mean of 2 rounds): \
         they cost {:.1} % of the throughput; goal <= 10 %: {:.2}x of the budget used",
        with / 2.0,
        without / 2.0,
        cost * 100.0,
        cost / 0.10
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emulator = Arc::new(Emulator::start(EmulatorConfig::default()).await.unwrap());
        let client = client(&emulator);
        memory(&emulator, &client).await;
        let tokens = tokens(&emulator);
        accounts_get("/accounts/get", &emulator).await;
        let (c, t) = (client.clone(), tokens.clone());
        throughput(
            "/transactions/sync (pages of 100 transactions)",
            None,
            move |n| {
                let (c, t) = (c.clone(), t.clone());
                async move {
                    let request = types::TransactionsSyncRequest::new(t[n % t.len()].as_str());
                    c.send(&request).await.is_ok()
                }
            },
        )
        .await;
        let counters = emulator.counters();
        println!(
            "served {} requests in all; by status {:?}",
            counters.requests, counters.by_status
        );
        request_checks_cost().await;
    });
}
