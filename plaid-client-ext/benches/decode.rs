//! Decode throughput of a `/transactions/sync` page of 500 transactions into the generated
//! types, against `serde_json::Value` as the floor, in one run. Prints MB/s and the ratio.
//! Run: `cargo bench -p plaid-client-ext --bench decode`.

// Bench code: a failed unwrap is a broken bench setup.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use plaid_client_ext::types;

const ROUNDS: usize = 15;
const ITERS: usize = 40;

fn time(mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..ITERS {
        f();
    }
    t.elapsed() / ITERS as u32
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let template = common::transaction_template();
    let body = common::sync_page_body(&template, 0, 2, 500).into_bytes();
    // Both decoders must accept the page.
    let typed: types::TransactionsSyncResponse =
        serde_json::from_slice(&body).expect("the page decodes into the generated type");
    assert_eq!(typed.added.len(), 500);

    let (mut t_typed, mut t_value) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        // Interleaved rounds so both see the same machine state.
        t_typed.push(time(|| {
            let v: types::TransactionsSyncResponse =
                serde_json::from_slice(black_box(&body)).expect("decodes");
            black_box(v);
        }));
        t_value.push(time(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&body)).expect("decodes");
            black_box(v);
        }));
    }
    let (typed, value) = (median(t_typed), median(t_value));
    let mb = body.len() as f64 / 1e6;
    println!(
        "decode: /transactions/sync page, 500 transactions, {:.0} KB; median of {ROUNDS} rounds x {ITERS}",
        body.len() as f64 / 1e3
    );
    println!("| decoder | time per page | throughput |");
    println!("|---|---|---|");
    println!(
        "| generated types (TransactionsSyncResponse) | {:.2} ms | {:.0} MB/s |",
        typed.as_secs_f64() * 1e3,
        mb / typed.as_secs_f64()
    );
    println!(
        "| serde_json::Value (floor) | {:.2} ms | {:.0} MB/s |",
        value.as_secs_f64() * 1e3,
        mb / value.as_secs_f64()
    );
    println!(
        "typed decode speed = {:.2}x of Value (target: >= 1.00x)",
        value.as_secs_f64() / typed.as_secs_f64()
    );
}
