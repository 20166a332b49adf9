//! The Plaid Ledger balance and the sweeps that move money in and out of it (the pinned spec:
//! `/transfer/ledger/get`, `/deposit`, `/withdraw`, `/sandbox/transfer/ledger/deposit/simulate`,
//! `/withdraw/simulate`, `/simulate_available`). One ledger, the default. A deposit adds to
//! `pending` until `simulate_available` converts pending to available; a withdrawal takes from
//! `available` at once. Sweeps move as the spec's `TransferLedgerSweepSimulateEventType` allows
//! ("sweep.pending --> sweep.posted, sweep.pending --> sweep.failed, sweep.posted -->
//! sweep.settled, sweep.posted --> sweep.returned, sweep.settled --> sweep.returned"); a
//! failed or returned sweep gives its money back.

use std::collections::HashMap;
use std::time::SystemTime;

/// A ledger sweep's status (the spec's `SweepStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SweepStatus {
    Pending,
    Posted,
    Settled,
    FundsAvailable,
    Returned,
    Failed,
}

impl SweepStatus {
    /// As Plaid writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posted => "posted",
            Self::Settled => "settled",
            Self::FundsAvailable => "funds_available",
            Self::Returned => "returned",
            Self::Failed => "failed",
        }
    }

    /// The status a simulated `event_type` moves this one to, if the spec allows it.
    pub(crate) fn after(self, event_type: &str) -> Option<Self> {
        match (self, event_type) {
            (Self::Pending, "sweep.posted") => Some(Self::Posted),
            (Self::Pending, "sweep.failed") => Some(Self::Failed),
            (Self::Posted, "sweep.settled") => Some(Self::Settled),
            (Self::Posted | Self::Settled, "sweep.returned") => Some(Self::Returned),
            _ => None,
        }
    }
}

/// Which way a ledger sweep moves money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// From the funding account into the ledger (`/transfer/ledger/deposit`).
    Deposit,
    /// From the ledger to the funding account (`/transfer/ledger/withdraw`).
    Withdraw,
}

/// One ledger sweep.
#[derive(Debug, Clone)]
pub(crate) struct LedgerSweep {
    pub(crate) id: String,
    pub(crate) direction: Direction,
    /// In cents, positive.
    pub(crate) cents: i64,
    pub(crate) status: SweepStatus,
    pub(crate) created: SystemTime,
    /// Whether a deposit's money counts as pending (until made available, failed or returned).
    pub(crate) held: bool,
}

impl LedgerSweep {
    /// The signed amount as the funding account sees it: a deposit leaves it, a withdrawal
    /// arrives.
    pub(crate) fn signed_cents(&self) -> i64 {
        match self.direction {
            Direction::Deposit => -self.cents,
            Direction::Withdraw => self.cents,
        }
    }
}

/// The ledger: its balance (in cents) and its sweeps.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub(crate) available: i64,
    pub(crate) pending: i64,
    /// In the order they were made.
    pub(crate) sweeps: Vec<LedgerSweep>,
    /// A deposit's or withdrawal's `idempotency_key` → its sweep id.
    pub(crate) keys: HashMap<String, String>,
}

impl Ledger {
    /// The sweep `id`.
    pub(crate) fn sweep(&self, id: &str) -> Option<&LedgerSweep> {
        self.sweeps.iter().find(|s| s.id == id)
    }

    /// A new sweep: a deposit adds to `pending`, a withdrawal takes from `available`.
    pub(crate) fn add(&mut self, mut sweep: LedgerSweep) {
        match sweep.direction {
            Direction::Deposit => {
                self.pending += sweep.cents;
                sweep.held = true;
            }
            Direction::Withdraw => self.available -= sweep.cents,
        }
        self.sweeps.push(sweep);
    }

    /// Sweep `index` takes `event_type`; `None` if the transition is not allowed. A failed or
    /// returned sweep gives back what it moved.
    pub(crate) fn simulate(&mut self, index: usize, event_type: &str) -> Option<LedgerSweep> {
        let sweep = self.sweeps.get(index)?.clone();
        let next = sweep.status.after(event_type)?;
        let undone = matches!(next, SweepStatus::Failed | SweepStatus::Returned);
        match (sweep.direction, undone) {
            (Direction::Deposit, true) if sweep.held => self.pending -= sweep.cents,
            (Direction::Deposit, true) => self.available -= sweep.cents,
            (Direction::Withdraw, true) => self.available += sweep.cents,
            (_, false) => {}
        }
        let changed = self.sweeps.get_mut(index)?;
        changed.status = next;
        changed.held &= !undone;
        Some(changed.clone())
    }

    /// Every held deposit's money made available (`simulate_available`); the sweeps that were.
    pub(crate) fn make_available(&mut self) -> Vec<LedgerSweep> {
        let mut released = Vec::new();
        for sweep in self.sweeps.iter_mut().filter(|s| s.held) {
            sweep.held = false;
            if sweep.status == SweepStatus::Settled {
                sweep.status = SweepStatus::FundsAvailable;
            }
            released.push(sweep.clone());
        }
        self.available += self.pending;
        self.pending = 0;
        released
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(id: &str, direction: Direction, cents: i64) -> LedgerSweep {
        LedgerSweep {
            id: id.into(),
            direction,
            cents,
            status: SweepStatus::Pending,
            created: SystemTime::UNIX_EPOCH,
            held: false,
        }
    }

    #[test]
    fn a_deposit_is_pending_until_made_available_and_a_failed_one_gives_it_back() {
        let mut ledger = Ledger::default();
        ledger.add(sweep("a", Direction::Deposit, 1_000));
        ledger.add(sweep("b", Direction::Deposit, 500));
        assert_eq!((ledger.available, ledger.pending), (0, 1_500));
        assert!(
            ledger.simulate(1, "sweep.settled").is_none(),
            "pending cannot settle"
        );
        ledger.simulate(1, "sweep.failed").unwrap();
        assert_eq!(ledger.pending, 1_000);
        ledger.simulate(0, "sweep.posted").unwrap();
        ledger.simulate(0, "sweep.settled").unwrap();
        ledger.make_available();
        assert_eq!((ledger.available, ledger.pending), (1_000, 0));
        assert_eq!(ledger.sweeps[0].status, SweepStatus::FundsAvailable);
        ledger.add(sweep("c", Direction::Withdraw, 300));
        assert_eq!(ledger.available, 700);
        ledger.simulate(2, "sweep.posted").unwrap();
        ledger.simulate(2, "sweep.returned").unwrap();
        assert_eq!(ledger.available, 1_000, "a returned withdrawal comes back");
    }
}
