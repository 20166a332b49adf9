//! The engine's metrics (feature `metrics`), recorded by `metrics-util`'s `DebuggingRecorder`
//! as the thread's local recorder on a current-thread runtime (so the passes, which run as
//! tasks on that thread, record into it), against the emulated Plaid's own counts.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use support::scenario::{add_items, drain, unpaced_worker};
use support::{test_config, AnyError, EmulatedPlaid, Faults, SyncLimits};

/// Counters summed and histogram sample counts, by metric name and (for some) one label.
#[derive(Debug, Default)]
struct Seen {
    counters: HashMap<String, u64>,
    gauges: HashMap<String, f64>,
    samples: HashMap<String, usize>,
}

fn seen(snapshotter: &Snapshotter) -> Seen {
    let mut out = Seen::default();
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        let mut name = key.name().to_string();
        for label in key.labels() {
            if matches!(label.key(), "status" | "outcome") {
                name = format!("{name}{{{}}}", label.value());
            }
        }
        match value {
            DebugValue::Counter(n) => *out.counters.entry(name).or_default() += n,
            DebugValue::Gauge(v) => drop(out.gauges.insert(name, v.0)),
            DebugValue::Histogram(v) => *out.samples.entry(name).or_default() += v.len(),
        }
    }
    out
}

#[tokio::test(flavor = "current_thread")]
async fn metrics_match_what_plaid_served() -> Result<(), AnyError> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let (_dir, store) = support::sqlite_store().await?;
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 6, 30).await?;
    store.add_item("parked").await?;
    support::scenario::webhook(&store, "ITEM", "PENDING_EXPIRATION", "parked").await?;
    plaid.set_faults(Faults {
        server_error_every: 10,
        ..Faults::default()
    });
    // No client pace against a client limit: some 429s, each backed off and retried.
    plaid.set_limits(Some(SyncLimits {
        per_client: (8, Duration::from_secs(1)),
        per_item: (100, Duration::from_secs(1)),
    }));
    let w = unpaced_worker(&store, &plaid)?;
    let stats = drain(vec![w.config(test_config("m"))?], Duration::from_secs(60)).await?;
    store.progress().await?;
    let (stats, served, seen) = (stats[0], plaid.counters(), seen(&snapshotter));
    assert!(
        served.rate_limited > 0 && served.server_errors > 0,
        "{served:?}"
    );
    // Every entry of the six histories (added, modified, removed), once.
    let entries: usize = items.iter().map(|i| plaid.changes(i)).sum();
    assert_eq!(
        seen.counters["plaid_sync.transactions"], entries as u64,
        "{seen:?}"
    );
    assert_eq!(seen.counters["plaid_sync.pages"], stats.pages);
    assert_eq!(seen.counters["plaid_sync.rate_limited"], stats.rate_limited);
    assert_eq!(stats.rate_limited, served.rate_limited, "{stats:?}");
    assert!(!seen.counters.contains_key("plaid_sync.lease_lost"));
    assert_eq!(seen.samples["plaid_sync.pass.duration{committed}"], 6);
    let passes: usize = seen
        .samples
        .iter()
        .filter(|(k, _)| k.starts_with("plaid_sync.pass."))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(passes as u64, stats.committed + stats.failed);
    // Every request that reached the emulator, retries included, waited for the pacer once.
    assert_eq!(
        seen.samples["plaid_sync.pacing.wait"] as u64,
        served.requests
    );
    assert_eq!(seen.gauges["plaid_sync.items{active}"], 6.0);
    assert_eq!(seen.gauges["plaid_sync.items{needs_user}"], 1.0);
    assert_eq!(seen.gauges["plaid_sync.pending"], 0.0);
    // The ext's request metrics come along.
    let sent: u64 = seen
        .counters
        .iter()
        .filter(|(k, _)| k.starts_with("plaid.client.requests"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(sent, served.requests);
    Ok(())
}
