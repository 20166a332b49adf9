//! Issue 24, the smaller findings: what the store answers for webhooks it cannot act on yet
//! or at all, what `LOGIN_REPAIRED` keeps, a status the code does not know, and streaming
//! passes on SQLite's single writer.

mod support;

use std::time::Duration;

use plaid_sync::plaid::{decode_webhook, Webhook};
use plaid_sync::sqlx::{self, Sqlite};
use plaid_sync::{ApplyMode, Error, Store, WebhookOutcome};
use support::scenario::{add_items, assert_end_state, drain, unpaced_worker, webhook};
use support::{test_config, AnyError, EmulatedPlaid, Faults};

const NO_ITEM_ID: &[u8] = br#"{"webhook_type": "TRANSACTIONS",
    "webhook_code": "SYNC_UPDATES_AVAILABLE", "initial_update_complete": true,
    "historical_update_complete": true, "environment": "sandbox"}"#;

/// A sync webhook without `item_id` is reported as such, not as another schema's field.
#[tokio::test]
async fn a_sync_webhook_without_item_id_says_so() -> Result<(), AnyError> {
    let error = decode_webhook(NO_ITEM_ID).err().ok_or("decoded")?;
    let message = error.to_string();
    assert!(matches!(error, Error::InvalidWebhook(_)), "{message}");
    assert!(message.contains("`item_id`"), "{message}");
    assert!(!message.contains("account_id"), "{message}");
    // The verifier keeps such a body as `Unknown`; the store records it as invalid.
    let (_dir, store) = support::sqlite_store().await?;
    let body: serde_json::Value = serde_json::from_slice(NO_ITEM_ID)?;
    let event = Webhook::Unknown {
        webhook_type: "TRANSACTIONS".into(),
        webhook_code: "SYNC_UPDATES_AVAILABLE".into(),
        body,
    };
    let outcome = store.record_webhook(&event).await?;
    assert!(
        matches!(&outcome, WebhookOutcome::Invalid { reason, .. } if reason.contains("item_id")),
        "{outcome:?}"
    );
    assert_eq!(store.webhook_log().await?[0].outcome, "invalid");
    Ok(())
}

/// A sync webhook for a parked Item says nothing syncs until it is repaired.
#[tokio::test]
async fn a_sync_webhook_for_a_parked_item_awaits_its_user() -> Result<(), AnyError> {
    let (_dir, store) = support::sqlite_store().await?;
    store.add_item("i1").await?;
    let parked = webhook(&store, "ITEM", "PENDING_EXPIRATION", "i1").await?;
    assert!(
        matches!(parked, WebhookOutcome::NeedsUser { .. }),
        "{parked:?}"
    );
    let outcome = webhook(&store, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", "i1").await?;
    assert_eq!(
        outcome,
        WebhookOutcome::AwaitingUser {
            item_id: "i1".into()
        }
    );
    assert_eq!(store.progress().await?.pending, 0);
    let repaired = webhook(&store, "ITEM", "LOGIN_REPAIRED", "i1").await?;
    assert_eq!(
        repaired,
        WebhookOutcome::Resumed {
            item_id: "i1".into()
        }
    );
    assert_eq!(store.progress().await?.pending, 1);
    Ok(())
}

async fn not_before(store: &Store<Sqlite>) -> Result<i64, AnyError> {
    let q = "SELECT not_before_us FROM plaid_sync_items WHERE item_id = 'i1'";
    Ok(sqlx::query_scalar(q).fetch_one(store.pool()).await?)
}

/// `LOGIN_REPAIRED` on an active Item keeps its backoff (a 429's); on a parked one it clears it.
#[tokio::test]
async fn login_repaired_keeps_an_active_items_backoff() -> Result<(), AnyError> {
    let (_dir, store) = support::sqlite_store().await?;
    store.add_item("i1").await?;
    let later = "UPDATE plaid_sync_items SET not_before_us = 4102444800000000, failures = 2";
    sqlx::query(later).execute(store.pool()).await?;
    let outcome = webhook(&store, "ITEM", "LOGIN_REPAIRED", "i1").await?;
    assert_eq!(
        outcome,
        WebhookOutcome::Resumed {
            item_id: "i1".into()
        }
    );
    assert_eq!(not_before(&store).await?, 4_102_444_800_000_000);
    webhook(&store, "ITEM", "PENDING_EXPIRATION", "i1").await?;
    webhook(&store, "ITEM", "LOGIN_REPAIRED", "i1").await?;
    assert_eq!(not_before(&store).await?, 0);
    Ok(())
}

/// A status this code never writes is an error, not `Active`.
#[tokio::test]
async fn an_unknown_stored_status_is_an_error() -> Result<(), AnyError> {
    let (_dir, store) = support::sqlite_store().await?;
    store.add_item("i1").await?;
    let mut conn = store.pool().acquire().await?;
    sqlx::query("PRAGMA ignore_check_constraints = ON")
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE plaid_sync_items SET status = 'frozen'")
        .execute(&mut *conn)
        .await?;
    drop(conn);
    let read = store.item("i1").await;
    assert!(
        matches!(&read, Err(Error::Corrupt(m)) if m.contains("frozen")),
        "{read:?}"
    );
    Ok(())
}

/// Streaming passes at the default concurrency (16) on SQLite (a pool of 8, one writer): every
/// pass commits, none loses its lease, nothing is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_on_sqlite_at_the_default_concurrency() -> Result<(), AnyError> {
    support::init_logs();
    let (_dir, store) = support::sqlite_store().await?;
    let plaid = EmulatedPlaid::start().await?;
    let items = add_items(&store, &plaid, 40, 30).await?;
    plaid.set_faults(Faults {
        latency: Duration::from_millis(40),
        ..Faults::default()
    });
    let config = plaid_sync::WorkerConfig {
        apply: ApplyMode::Streaming,
        concurrency: plaid_sync::WorkerConfig::default().concurrency,
        ..test_config("streaming")
    };
    let w = unpaced_worker(&store, &plaid)?;
    let stats = drain(vec![w.config(config)?], Duration::from_secs(120)).await?;
    assert_eq!(stats[0].committed, 40, "{stats:?}");
    assert_eq!((stats[0].failed, stats[0].lease_lost), (0, 0), "{stats:?}");
    assert_end_state(&store, &plaid, &items).await?;
    Ok(())
}
