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
