//! `plaid-emulator`: a stand-in for Plaid Sandbox on loopback, for any language's CI. Prints its
//! base URL (`http://127.0.0.1:PORT`) as the first line of stdout, then serves until killed.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use plaid_emulator::{Clock, Emulator, EmulatorConfig, RateLimits, WebhookDelivery};

/// A stateful stand-in for Plaid Sandbox: Items, Link, accounts, transactions sync, transfers,
/// webhooks; every other operation answers the spec's example. Tests control it over HTTP
/// under `/emulator/` (items, faults, rate limits, journal, counters, the webhook delivery log,
/// reset, the clock).
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// The address to listen on (port 0: a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The client id requests must carry (`PLAID-CLIENT-ID`).
    #[arg(long, default_value = "emulator-client-id")]
    client_id: String,
    /// The secret requests must carry (`PLAID-SECRET`).
    #[arg(long, default_value = "emulator-secret")]
    secret: String,
    /// The seed every derived history and id comes from.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The rate limits to enforce: `plaid` (Plaid's documented Sandbox limits) or `off`.
    #[arg(long, value_enum, default_value = "off")]
    rate_limits: Limits,
    /// How much faster the rate-limit windows run (60: Plaid's minute lasts a second).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Where Transfer webhooks (`TRANSFER_EVENTS_UPDATE`) go: Plaid's dashboard setting.
    #[arg(long)]
    transfer_webhook: Option<String>,
    /// How webhooks are delivered: once each in order, each twice, or pending ones swapped.
    #[arg(long, value_enum, default_value_t = Delivery::InOrder)]
    webhook_delivery: Delivery,
    /// The clock: `system`, or an instant like `2026-01-01T00:00:00Z` for a manual clock that
    /// starts then and moves only with `POST /emulator/clock/advance`.
    #[arg(long, default_value = "system")]
    clock: Clock,
}

/// `--webhook-delivery`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Delivery {
    /// Each webhook once, in the order fired.
    InOrder,
    /// Each webhook twice.
    Duplicated,
    /// Pending webhooks swapped in pairs.
    OutOfOrder,
}

impl From<Delivery> for WebhookDelivery {
    fn from(delivery: Delivery) -> Self {
        match delivery {
            Delivery::InOrder => Self::InOrder,
            Delivery::Duplicated => Self::Duplicated,
            Delivery::OutOfOrder => Self::OutOfOrder,
        }
    }
}

/// The choices of `--rate-limits`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Limits {
    /// Plaid's documented Sandbox limits.
    Plaid,
    /// None.
    Off,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = EmulatorConfig {
        listen: args.listen,
        client_id: args.client_id,
        secret: args.secret,
        seed: args.seed,
        rate_limits: match args.rate_limits {
            Limits::Plaid => RateLimits::plaid_documented().time_scale(args.time_scale),
            Limits::Off => RateLimits::off(),
        },
        webhook_delivery: args.webhook_delivery.into(),
        transfer_webhook: args.transfer_webhook,
        clock: args.clock,
        request_checks: true,
    };
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("plaid-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", emulator.base_url());
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handler: serve until the process is killed.
        std::future::pending::<()>().await;
    }
    drop(emulator);
    ExitCode::SUCCESS
}
