//! Streams a `/transactions/sync` history from a local mock and prints throughput and peak heap:
//! the page stream holds one page at a time, so its peak stays flat as the history grows, while
//! the one-batch `run()` holds everything. Run: `cargo bench -p plaid-client-ext --bench sync_stream`.

// Bench code: a failed unwrap is a broken bench setup.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

use std::time::Instant;

use plaid_client_ext::prelude::*;
use plaid_client_ext::sync::{SyncEvent, SyncOutcome};
use plaid_client_ext::{types, Environment, PlaidClient};

#[global_allocator]
static ALLOC: common::Counting = common::Counting;

const PER_PAGE: usize = 500;

fn request() -> types::TransactionsSyncRequest {
    types::TransactionsSyncRequest::new("access-sandbox-bench").count(PER_PAGE as i64)
}

async fn stream(client: &PlaidClient) -> (usize, String) {
    let mut seen = 0;
    let mut cursor = String::new();
    let mut events = client.sync(request()).pages();
    while let Some(event) = events.next().await {
        match event.expect("no error from the local mock") {
            SyncEvent::Page(page) => seen += page.added.len(),
            SyncEvent::Complete { cursor: c, .. } => cursor = c,
            other => panic!("unexpected {other:?}"),
        }
    }
    (seen, cursor)
}

async fn batch(client: &PlaidClient) -> usize {
    match client.sync(request()).run().await.expect("no error") {
        SyncOutcome::Complete(b) => b.data.added.len(),
        SyncOutcome::NotReady(_) => panic!("not ready"),
    }
}

#[tokio::main]
async fn main() {
    println!("sync_stream: {PER_PAGE} transactions per page, local axum mock on 127.0.0.1");
    println!("| mode | transactions | pages | time | transactions/s | peak heap above start |");
    println!("|---|---|---|---|---|---|");
    let mut stream_peaks = Vec::new();
    for pages in [20usize, 200] {
        let base = common::serve_sync(pages, PER_PAGE).await;
        let client = PlaidClient::builder(Environment::Custom(base), "bench-id", "bench-secret")
            .build()
            .expect("config");
        // Warm up connections and lazy statics outside the measurement.
        let _ = stream(&client).await;

        for mode in ["stream", "batch"] {
            let start_heap = common::heap_now();
            common::reset_peak();
            let t = Instant::now();
            let total = match mode {
                "stream" => {
                    let (n, cursor) = stream(&client).await;
                    assert_eq!(cursor, format!("cursor-{pages}"));
                    n
                }
                _ => batch(&client).await,
            };
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(total, pages * PER_PAGE, "every transaction once");
            let peak = common::heap_peak().saturating_sub(start_heap);
            if mode == "stream" {
                stream_peaks.push((total, peak));
            }
            println!(
                "| {mode} | {total} | {pages} | {:.2} s | {:.0} | {:.1} MiB |",
                secs,
                total as f64 / secs,
                common::mib(peak)
            );
        }
    }
    if let [(small_n, small), (big_n, big)] = stream_peaks[..] {
        println!(
            "stream peak heap: {:.1} MiB for {small_n} vs {:.1} MiB for {big_n} transactions ({:.2}x for {}x the data)",
            common::mib(small),
            common::mib(big),
            big as f64 / small.max(1) as f64,
            big_n / small_n.max(1)
        );
    }
}
