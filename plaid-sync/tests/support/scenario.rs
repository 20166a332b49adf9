//! The steps the scenarios share: webhooks, adding Items, running workers until idle, and the
//! "nothing lost, nothing doubled" check of the end state.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use plaid_sync::plaid::Webhook;
use plaid_sync::{
    AccessTokens, Credential, Pacer, Pacing, Sharing, Stats, Store, SyncHandler, WebhookOutcome,
    Worker,
};

use super::{AnyError, EmulatedPlaid, Ledger, LedgerDb};

pub async fn webhook<DB: LedgerDb>(
    store: &Store<DB>,
    webhook_type: &str,
    webhook_code: &str,
    item_id: &str,
) -> Result<WebhookOutcome, AnyError> {
    let body = EmulatedPlaid::webhook_body(webhook_type, webhook_code, item_id).to_string();
    Ok(store
        .record_webhook(&Webhook::from_json(body.as_bytes())?)
        .await?)
}

/// A worker on `store` for `plaid`'s Items with no pace of its own: only the emulator's limits, if
/// any, hold it back.
pub fn unpaced_worker<DB>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
) -> Result<Worker<DB, Ledger, HashMap<String, Credential>>, AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
{
    let pacer = Pacer::new(Pacing::unlimited(), Sharing::InProcess)?;
    let client = super::client(plaid)?;
    Ok(Worker::new(
        store.clone(),
        client,
        Ledger::default(),
        plaid.tokens(),
        pacer,
    ))
}

/// Run workers as tasks until each finds nothing due, within `limit`.
pub async fn drain<DB, T>(
    workers: Vec<Worker<DB, Ledger, T>>,
    limit: Duration,
) -> Result<Vec<Stats>, AnyError>
where
    DB: LedgerDb,
    Ledger: SyncHandler<DB>,
    T: AccessTokens,
{
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|w| tokio::spawn(async move { w.run_until_idle().await }))
        .collect();
    let mut stats = Vec::new();
    for task in tasks {
        stats.push(tokio::time::timeout(limit, task).await??);
    }
    Ok(stats)
}

/// The application's rows, cursors and counts equal the emulator's, for every Item.
pub async fn assert_end_state<DB: LedgerDb>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
    items: &[String],
) -> Result<usize, AnyError> {
    let rows = DB::ledger_rows(store.pool()).await?;
    let mut actual: BTreeMap<String, (String, f64, bool, i64)> = BTreeMap::new();
    for r in &rows {
        let prior = actual.insert(
            r.transaction_id.clone(),
            (r.item_id.clone(), r.amount, r.pending, r.applications),
        );
        assert!(prior.is_none(), "duplicate row {}", r.transaction_id);
    }
    let mut expected = BTreeMap::new();
    for item in items {
        for (id, e) in plaid.expected(item) {
            expected.insert(id, (item.clone(), e.amount, e.pending, e.applications));
        }
        let state = store.item(item).await?.ok_or("item missing")?;
        assert_eq!(state.cursor, plaid.final_cursor(item), "cursor of {item}");
    }
    assert_eq!(actual.len(), expected.len(), "row count");
    assert_eq!(
        actual, expected,
        "rows (item, amount, pending, applications)"
    );
    Ok(rows.len())
}

pub async fn add_items<DB: LedgerDb>(
    store: &Store<DB>,
    plaid: &EmulatedPlaid,
    n: usize,
    history: usize,
) -> Result<Vec<String>, AnyError> {
    let mut items = Vec::new();
    for _ in 0..n {
        let item = plaid.add_item(history);
        assert!(store.add_item(&item).await?);
        items.push(item);
    }
    Ok(items)
}
