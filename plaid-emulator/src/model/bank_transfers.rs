//! Bank Transfers (legacy; the pinned spec's `/bank_transfer/create`, `/get`,
//! `/bank_transfer/event/list` and `/sync`, and `/sandbox/bank_transfer/simulate`): a bank
//! transfer is `pending` when made, then moves only along the transitions the spec lists
//! ("`pending` --> `failed`, `pending` --> `posted`, `posted` --> `reversed`"), each move an
//! event with the next sequential `event_id`.

use std::collections::HashMap;
use std::time::SystemTime;

/// Where a bank transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BankTransferStatus {
    Pending,
    Posted,
    Failed,
    Reversed,
}

impl BankTransferStatus {
    /// As Plaid writes it (a status and its event type are the same word).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posted => "posted",
            Self::Failed => "failed",
            Self::Reversed => "reversed",
        }
    }

    /// The status a simulated `event_type` moves this one to, if the spec allows it.
    pub(crate) fn after(self, event_type: &str) -> Option<Self> {
        match (self, event_type) {
            (Self::Pending, "failed") => Some(Self::Failed),
            (Self::Pending, "posted") => Some(Self::Posted),
            (Self::Posted, "reversed") => Some(Self::Reversed),
            _ => None,
        }
    }
}

/// One bank transfer, as created.
#[derive(Debug, Clone)]
pub(crate) struct BankTransfer {
    pub(crate) id: String,
    pub(crate) account_id: String,
    /// `debit` or `credit`.
    pub(crate) kind: String,
    pub(crate) network: String,
    /// In cents.
    pub(crate) cents: i64,
    pub(crate) currency: String,
    pub(crate) description: String,
    pub(crate) legal_name: String,
    pub(crate) created: SystemTime,
    pub(crate) status: BankTransferStatus,
}

/// One bank transfer event.
#[derive(Debug, Clone)]
pub(crate) struct BankTransferEvent {
    /// Sequential from 1.
    pub(crate) event_id: u64,
    pub(crate) bank_transfer_id: String,
    pub(crate) status: BankTransferStatus,
    pub(crate) at: SystemTime,
}

/// The bank transfers of the state and their events.
#[derive(Debug, Default)]
pub(crate) struct BankTransfers {
    /// In the order they were made.
    pub(crate) all: Vec<BankTransfer>,
    /// In `event_id` order.
    pub(crate) events: Vec<BankTransferEvent>,
    /// An `idempotency_key` → the bank transfer's id.
    pub(crate) keys: HashMap<String, String>,
}

impl BankTransfers {
    /// The bank transfer `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&BankTransfer> {
        self.all.iter().find(|t| t.id == id)
    }

    /// Record `transfer` (pending) and its `pending` event.
    pub(crate) fn create(&mut self, transfer: BankTransfer, key: String) {
        self.keys.insert(key, transfer.id.clone());
        self.event(&transfer.id, transfer.status, transfer.created);
        self.all.push(transfer);
    }

    /// The bank transfer `id` moved by `event_type` at `at`: its new status, or `None` if
    /// there is no such transfer or the spec allows no such move.
    pub(crate) fn simulate(
        &mut self,
        id: &str,
        event_type: &str,
        at: SystemTime,
    ) -> Option<BankTransferStatus> {
        let transfer = self.all.iter_mut().find(|t| t.id == id)?;
        let status = transfer.status.after(event_type)?;
        transfer.status = status;
        self.event(id, status, at);
        Some(status)
    }

    fn event(&mut self, id: &str, status: BankTransferStatus, at: SystemTime) {
        let event_id = self.events.len() as u64 + 1;
        self.events.push(BankTransferEvent {
            event_id,
            bank_transfer_id: id.to_string(),
            status,
            at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::BankTransferStatus::*;

    #[test]
    fn bank_transfers_move_only_as_the_spec_lists() {
        assert_eq!(Pending.after("posted"), Some(Posted));
        assert_eq!(Pending.after("failed"), Some(Failed));
        assert_eq!(Posted.after("reversed"), Some(Reversed));
        assert_eq!(Pending.after("reversed"), None);
        assert_eq!(Failed.after("posted"), None);
        assert_eq!(Reversed.after("reversed"), None);
    }
}
