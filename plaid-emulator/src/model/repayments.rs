//! Repayments of guaranteed ACH returns (the pinned spec's `/sandbox/transfer/repayment/simulate`:
//! "a repayment is created that includes all unreimbursed returns of guaranteed transfers. If
//! there are no such returns, an 400 error is returned"; `TransferRepayment`: "If there are
//! multiple eligible returns in a day, they are batched together into a single repayment").
//! The emulator approves every transfer, so every returned transfer counts as guaranteed.

use std::time::SystemTime;

/// One return a repayment covers.
#[derive(Debug, Clone)]
pub(crate) struct RepaidReturn {
    pub(crate) transfer_id: String,
    /// The `event_id` of the transfer's `returned` event.
    pub(crate) event_id: u64,
    /// In cents.
    pub(crate) cents: i64,
}

/// One repayment.
#[derive(Debug, Clone)]
pub(crate) struct Repayment {
    pub(crate) id: String,
    pub(crate) created: SystemTime,
    pub(crate) returns: Vec<RepaidReturn>,
}

impl Repayment {
    /// Its amount in cents: the sum of its returns' ("The sum of amounts of returns ... equals
    /// the amount of the repayment").
    pub(crate) fn cents(&self) -> i64 {
        self.returns.iter().map(|r| r.cents).sum()
    }
}

/// The repayments of the state, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Repayments {
    pub(crate) all: Vec<Repayment>,
}

impl Repayments {
    /// Whether the return of `transfer_id` is in a repayment already.
    pub(crate) fn repaid(&self, transfer_id: &str) -> bool {
        self.all
            .iter()
            .any(|r| r.returns.iter().any(|x| x.transfer_id == transfer_id))
    }

    /// The repayment `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&Repayment> {
        self.all.iter().find(|r| r.id == id)
    }
}
