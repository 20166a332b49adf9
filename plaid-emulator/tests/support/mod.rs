//! What every flow test starts from: an emulator on a free loopback port and a client for it.

use plaid_client_ext::{Environment, PlaidClient};
use plaid_emulator::{Emulator, EmulatorConfig};

/// A running emulator with the default keys, and a `PlaidClient` pointed at it.
pub async fn start() -> (Emulator, PlaidClient) {
    let config = EmulatorConfig::default();
    let emulator = Emulator::start(config.clone()).await.unwrap();
    let client = PlaidClient::builder(
        Environment::Custom(emulator.base_url().to_string()),
        config.client_id,
        config.secret,
    )
    .build()
    .unwrap();
    (emulator, client)
}

/// A client of `emulator` with the default keys and `policy`.
#[allow(dead_code)] // Not every test binary uses every helper.
pub fn client_of(
    emulator: &Emulator,
    policy: impl plaid_client_ext::retry::RetryPolicy,
) -> PlaidClient {
    let config = EmulatorConfig::default();
    PlaidClient::builder(
        Environment::Custom(emulator.base_url().to_string()),
        config.client_id,
        config.secret,
    )
    .retry_policy(policy)
    .build()
    .unwrap()
}

/// Retries that wait milliseconds, not seconds: 4 attempts, 5 ms apart.
#[allow(dead_code)]
pub fn fast_retries() -> plaid_client_ext::retry::Backoff {
    plaid_client_ext::retry::Backoff {
        max_attempts: 4,
        initial_delay: std::time::Duration::from_millis(5),
        jitter: false,
        ..Default::default()
    }
}
