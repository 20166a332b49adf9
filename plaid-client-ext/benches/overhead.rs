//! Per-request overhead of `PlaidClient::send` (retry policy, idempotency, tracing span, typed
//! errors) against a raw `reqwest` + `serde_json` call to the same local mock, in one run.
//! Run: `cargo bench -p plaid-client-ext --bench overhead`.

// Bench code: a failed unwrap is a broken bench setup.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use plaid_client::mock::example;
use plaid_client::operations;
use plaid_client_ext::{types, Environment, PlaidClient, PLAID_VERSION};

const ROUNDS: usize = 101;
const REQUESTS: usize = 200;

fn request() -> types::AccountsGetRequest {
    types::AccountsGetRequest::new("access-sandbox-bench")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let body = serde_json::to_string(&example::<operations::AccountsGet>().expect("example"))
        .expect("serializes");
    let base = common::serve_fixed("/accounts/get", body).await;
    let url = format!("{base}/accounts/get");

    let ext = PlaidClient::builder(
        Environment::Custom(base.clone()),
        "bench-id",
        "bench-secret",
    )
    .build()
    .expect("config");
    let raw = reqwest::Client::new();
    let req = request();

    let raw_call = || async {
        let bytes = raw
            .post(&url)
            .header("PLAID-CLIENT-ID", "bench-id")
            .header("PLAID-SECRET", "bench-secret")
            .header("Plaid-Version", PLAID_VERSION)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&req).expect("serializes"))
            .send()
            .await
            .expect("sent")
            .error_for_status()
            .expect("200")
            .bytes()
            .await
            .expect("body");
        let r: types::AccountsGetResponse = serde_json::from_slice(&bytes).expect("decodes");
        r
    };
    let ext_call = || async { ext.send(&req).await.expect("sent").into_inner() };

    // Warm up both connection pools.
    for _ in 0..50 {
        raw_call().await;
        ext_call().await;
    }
    let (mut t_raw, mut t_ext) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..REQUESTS {
            std::hint::black_box(raw_call().await);
        }
        t_raw.push(t.elapsed() / REQUESTS as u32);
        let t = Instant::now();
        for _ in 0..REQUESTS {
            std::hint::black_box(ext_call().await);
        }
        t_ext.push(t.elapsed() / REQUESTS as u32);
    }
    // The ratio of each round (raw and ext back to back) cancels the machine's drift between
    // rounds; its median is the figure.
    let mut ratios: Vec<f64> = t_raw
        .iter()
        .zip(&t_ext)
        .map(|(r, e)| e.as_secs_f64() / r.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let (raw_t, ext_t) = (median(t_raw), median(t_ext));
    println!(
        "overhead: POST /accounts/get to a local axum mock, sequential; median of {ROUNDS} rounds x {REQUESTS} requests each"
    );
    println!("| client | time per request |");
    println!("|---|---|");
    println!(
        "| raw reqwest + serde_json | {:.1} µs |",
        raw_t.as_secs_f64() * 1e6
    );
    println!(
        "| plaid-client-ext PlaidClient::send | {:.1} µs |",
        ext_t.as_secs_f64() * 1e6
    );
    println!("ext / raw = {ratio:.3}x, median of the {ROUNDS} per-round ratios (target: <= 1.10x)");
}
