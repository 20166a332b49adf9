//! Refunds of transfers (docs: `api-products-transfer.txt` `/transfer/refund/create`, `/get`,
//! `/cancel`; the pinned spec's `/sandbox/transfer/refund/simulate`): a refund is `pending`
//! when made, then moves as the Sandbox simulation says ("refund.pending --> refund.failed,
//! refund.pending --> refund.posted, refund.posted --> refund.returned, refund.posted -->
//! refund.settled"; posted only once the refunded transfer is settled), or is cancelled while
//! still pending ("eligible for cancellation if it has not yet been submitted").

use std::collections::HashMap;
use std::time::SystemTime;

use serde_json::Value;

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefundStatus {
    Pending,
    Posted,
    Settled,
    Cancelled,
    Failed,
    Returned,
}

impl RefundStatus {
    /// As Plaid writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posted => "posted",
            Self::Settled => "settled",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Returned => "returned",
        }
    }

    /// The status a simulated `event_type` moves this one to, if the docs allow it.
    pub(crate) fn after(self, event_type: &str) -> Option<Self> {
        match (self, event_type) {
            (Self::Pending, "refund.failed") => Some(Self::Failed),
            (Self::Pending, "refund.posted") => Some(Self::Posted),
            (Self::Posted, "refund.returned") => Some(Self::Returned),
            (Self::Posted, "refund.settled") => Some(Self::Settled),
            _ => None,
        }
    }

    /// Whether it still counts against the transfer's amount.
    pub(crate) fn counts(self) -> bool {
        !matches!(self, Self::Cancelled | Self::Failed | Self::Returned)
    }
}

/// One refund.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) id: String,
    pub(crate) transfer_id: String,
    /// In cents.
    pub(crate) cents: i64,
    pub(crate) status: RefundStatus,
    pub(crate) created: SystemTime,
    /// The `failure_reason` of a failed or returned refund, as sent.
    pub(crate) failure_reason: Value,
}

/// The refunds of the state.
#[derive(Debug, Default)]
pub(crate) struct Refunds {
    /// In the order they were made.
    pub(crate) all: Vec<Refund>,
    /// A refund's `idempotency_key` → its id.
    pub(crate) keys: HashMap<String, String>,
}

impl Refunds {
    /// The refund `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&Refund> {
        self.all.iter().find(|r| r.id == id)
    }

    /// The refund `id`, to change.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Refund> {
        self.all.iter_mut().find(|r| r.id == id)
    }

    /// The cents of `transfer_id` refunded or being refunded.
    pub(crate) fn refunded(&self, transfer_id: &str) -> i64 {
        self.all
            .iter()
            .filter(|r| r.transfer_id == transfer_id && r.status.counts())
            .map(|r| r.cents)
            .sum()
    }

    /// The refunds of `transfer_id`, oldest first.
    pub(crate) fn of<'s>(&'s self, transfer_id: &'s str) -> impl Iterator<Item = &'s Refund> {
        self.all
            .iter()
            .filter(move |r| r.transfer_id == transfer_id)
    }
}

#[cfg(test)]
mod tests {
    use super::RefundStatus::*;

    #[test]
    fn refunds_move_only_as_the_sandbox_documents() {
        assert_eq!(Pending.after("refund.posted"), Some(Posted));
        assert_eq!(Pending.after("refund.failed"), Some(Failed));
        assert_eq!(Posted.after("refund.settled"), Some(Settled));
        assert_eq!(Posted.after("refund.returned"), Some(Returned));
        assert_eq!(Pending.after("refund.settled"), None);
        assert_eq!(Settled.after("refund.returned"), None);
        assert_eq!(Cancelled.after("refund.posted"), None);
    }
}
