//! Throughput against Plaid's limits: N Items × M transactions against the emulated Plaid, which
//! enforces a per-client and a per-Item limit and answers 429 beyond them, with 1, 2, 4 and 8
//! worker processes on PostgreSQL and 1 on SQLite, side by side in one run.
//!
//! ```sh
//! eval "$(bash scripts/postgres.sh)"      # without it, only the SQLite row runs
//! cargo bench -p plaid-sync --bench sync_bench
//! ```
//!
//! Scale (the issue's 1,000 × 500 at Plaid's real minute would take 4 × 5 minutes): `ITEMS`
//! (default 600) × `TRANSACTIONS` (default 250) in pages of 50, so 5 requests per Item and
//! 3,000 per run; Sandbox's `/transactions/sync` limits (1,000 per client, 50 per Item per
//! minute) with the minute scaled to `MINUTE_SECS` (default 10) seconds: 100 requests/s per
//! client. The pace keeps 3 % of each window as slack against jitter (300 ms at this scale);
//! a shorter minute leaves less, and on a loaded 2-core machine the emulator's own timestamps
//! jitter by more than that (at 6 s, 4 workers collected 429s). Each worker is its own OS process (this binary re-run with `--worker`), so the
//! per-client pace is shared through the database (PostgreSQL) as it would be in production,
//! and each worker's peak memory is its own process's (VmHWM).
//!
//! Reported: throughput as a fraction of the client limit (pages served between the first and
//! the last, over that time, against the limit's rate), 429s, wall time, peak RSS per worker,
//! database size.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use plaid_sync::pacing::Limit;
use plaid_sync::sqlx::{self, Postgres, Sqlite};
use plaid_sync::{Credential, Pacer, Pacing, Stats, Store, SyncHandler, Worker, WorkerConfig};
use support::{AnyError, EmulatedPlaid, Ledger, LedgerDb, SyncLimits};

struct Scale {
    items: usize,
    transactions: usize,
    minute: Duration,
}

impl Scale {
    fn from_env() -> Self {
        Self {
            items: support::env_number("ITEMS", 600),
            transactions: support::env_number("TRANSACTIONS", 250),
            minute: Duration::from_secs(support::env_number("MINUTE_SECS", 10)),
        }
    }

    fn limits(&self) -> (Limit, Limit) {
        let scale = |l: Limit| Limit {
            count: l.count,
            period: self.minute,
        };
        (
            scale(Limit::per_minute(1_000)),
            scale(Limit::per_minute(50)),
        )
    }
}

/// Worker mode: `--worker <store-url> <plaid-url> <name> <tokens.json>`; prints one result
/// line. The tokens file maps each Item id to its access token, as a vault would.
async fn worker_process(args: &[String]) -> Result<(), AnyError> {
    let [store_url, plaid_url, name, tokens] = args else {
        return Err("usage: --worker <store-url> <plaid-url> <name> <tokens.json>".into());
    };
    let tokens: HashMap<String, String> = serde_json::from_slice(&std::fs::read(tokens)?)?;
    let tokens: HashMap<String, Credential> = tokens
        .into_iter()
        .map(|(item, token)| (item, Credential::new(token)))
        .collect();
    let scale = Scale::from_env();
    let stats = if let Some(path) = store_url.strip_prefix("sqlite:") {
        let store = Store::<Sqlite>::open(path).await?;
        run_worker(store, plaid_url, tokens, &scale, name).await?
    } else {
        let store = Store::<Postgres>::connect(store_url).await?;
        run_worker(store, plaid_url, tokens, &scale, name).await?
    };
    println!(
        "RESULT {} {} {} {}",
        stats.committed,
        stats.transactions,
        stats.rate_limited,
        peak_rss_kib()
    );
    Ok(())
}

async fn run_worker<DB>(
    store: Store<DB>,
    plaid_url: &str,
    tokens: HashMap<String, Credential>,
    scale: &Scale,
    name: &str,
) -> Result<Stats, AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let (per_client, per_item) = scale.limits();
    // A 429 pauses the client bucket for 5 s of Plaid's minute, scaled like the limits.
    let pacing = Pacing::unlimited()
        .per_client(Some(per_client))
        .per_item(Some(per_item))
        .rate_limited_pause(scale.minute / 12);
    let pacer = Pacer::new(pacing, store.default_sharing())?;
    let config = WorkerConfig {
        owner: name.to_string(),
        page_size: 50,
        concurrency: 32,
        idle_poll: Duration::from_millis(50),
        sweep_every: None,
        ..WorkerConfig::default()
    };
    let client = support::client_at(plaid_url)?;
    let worker = Worker::new(store, client, Ledger::default(), tokens, pacer);
    Ok(worker.config(config)?.run_until_idle().await)
}

/// Peak resident memory of this process (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

struct Row {
    store: &'static str,
    workers: usize,
    fraction: f64,
    rate_limited: u64,
    wall: Duration,
    peak_kib: Vec<u64>,
    db_bytes: u64,
    transactions: u64,
}

/// One run: fill the emulator and the store, start `workers` processes, wait, measure.
async fn bench_run<DB: LedgerDb>(
    store: &Store<DB>,
    store_url: &str,
    workers: usize,
    scale: &Scale,
) -> Result<(EmulatedPlaid, Duration, Vec<[u64; 4]>), AnyError> {
    let plaid = EmulatedPlaid::start().await?;
    let (per_client, per_item) = scale.limits();
    plaid.set_limits(Some(SyncLimits {
        per_client: (per_client.count, per_client.period),
        per_item: (per_item.count, per_item.period),
    }));
    for _ in 0..scale.items {
        let item = plaid.add_item(scale.transactions);
        store.add_item(&item).await?;
    }
    let tokens: HashMap<String, String> = plaid
        .tokens()
        .into_iter()
        .map(|(item, token)| (item, token.expose().to_string()))
        .collect();
    let tokens_file =
        std::env::temp_dir().join(format!("plaid-sync-bench-{}.json", std::process::id()));
    std::fs::write(&tokens_file, serde_json::to_vec(&tokens)?)?;
    let tokens_arg = tokens_file.display().to_string();
    let started = Instant::now();
    let exe = std::env::current_exe()?;
    let children: Vec<_> = (0..workers)
        .map(|k| {
            tokio::process::Command::new(&exe)
                .args([
                    "--worker",
                    store_url,
                    &plaid.url,
                    &format!("worker-{k}"),
                    &tokens_arg,
                ])
                .stdout(std::process::Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut results = Vec::new();
    for child in children {
        let out = child.wait_with_output().await?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .ok_or_else(|| format!("a worker failed: {}", out.status))?;
        let n: Vec<u64> = line.split(' ').filter_map(|v| v.parse().ok()).collect();
        let numbers: [u64; 4] = n
            .try_into()
            .map_err(|_| format!("a worker printed {line:?}, not four numbers"))?;
        results.push(numbers);
    }
    let _ = std::fs::remove_file(&tokens_file);
    Ok((plaid, started.elapsed(), results))
}

fn row(
    name: &'static str,
    workers: usize,
    scale: &Scale,
    run: (EmulatedPlaid, Duration, Vec<[u64; 4]>),
    db_bytes: u64,
) -> Row {
    let (plaid, wall, results) = run;
    let c = plaid.counters();
    let span = match (c.first_page, c.last_page) {
        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
        _ => f64::NAN,
    };
    let (per_client, _) = scale.limits();
    let limit_rate = f64::from(per_client.count) / per_client.period.as_secs_f64();
    // n pages over the span between the first and the last: n - 1 intervals.
    let rate = (c.pages.saturating_sub(1)) as f64 / span;
    Row {
        store: name,
        workers,
        fraction: rate / limit_rate,
        rate_limited: c.rate_limited,
        wall,
        peak_kib: results.iter().map(|r| r[3]).collect(),
        db_bytes,
        transactions: results.iter().map(|r| r[1]).sum(),
    }
}

async fn postgres_rows(url: &str, scale: &Scale) -> Result<Vec<Row>, AnyError> {
    let mut rows = Vec::new();
    for workers in [1, 2, 4, 8] {
        let store = support::fresh_postgres_store(url).await?;
        let name: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(store.pool())
            .await?;
        let db_url = support::database_url(url, &name);
        let run = bench_run(&store, &db_url, workers, scale).await?;
        let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(store.pool())
            .await?;
        rows.push(row("PostgreSQL", workers, scale, run, size as u64));
        store.pool().close().await;
    }
    Ok(rows)
}

async fn sqlite_row(scale: &Scale) -> Result<Row, AnyError> {
    let (dir, store) = support::sqlite_store().await?;
    let path = dir.path().join("sync.db");
    let url = format!("sqlite:{}", path.display());
    let run = bench_run(&store, &url, 1, scale).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await?;
    let size = std::fs::metadata(&path)?.len();
    Ok(row("SQLite", 1, scale, run, size))
}

fn print(rows: &[Row], scale: &Scale) {
    let (c, i) = scale.limits();
    println!(
        "\n{} Items x {} transactions, pages of 50; limits {} per client and {} per Item per {:?} \
         (Plaid's minute scaled); workers are processes\n",
        scale.items, scale.transactions, c.count, i.count, scale.minute
    );
    println!("| store | workers | throughput / client limit | 429s | wall time | transactions/s | peak RSS per worker | database size |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        let peaks: Vec<String> = r
            .peak_kib
            .iter()
            .map(|k| format!("{:.1} MiB", *k as f64 / 1024.0))
            .collect();
        println!(
            "| {} | {} | {:.1} % | {} | {:.1} s | {:.0} | {} | {:.1} MiB |",
            r.store,
            r.workers,
            r.fraction * 100.0,
            r.rate_limited,
            r.wall.as_secs_f64(),
            r.transactions as f64 / r.wall.as_secs_f64(),
            peaks.join(", "),
            r.db_bytes as f64 / 1_048_576.0
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(k) = args.iter().position(|a| a == "--worker") {
        return worker_process(&args[k + 1..]).await;
    }
    let scale = Scale::from_env();
    let mut rows = Vec::new();
    match support::postgres_url() {
        Some(url) => rows.extend(postgres_rows(&url, &scale).await?),
        None => eprintln!(
            "PLAID_SYNC_POSTGRES_URL is not set: PostgreSQL rows skipped (scripts/postgres.sh)"
        ),
    }
    rows.push(sqlite_row(&scale).await?);
    print(&rows, &scale);
    Ok(())
}
