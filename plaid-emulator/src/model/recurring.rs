//! Recurring transfers and the Sandbox test clocks that move them (docs:
//! `api-products-transfer.txt` `/transfer/recurring/create`, `api-sandbox.txt`
//! `/sandbox/transfer/test_clock/*`, `transfer-recurring-transfers.txt`): a schedule of
//! origination dates (every `interval_count` weeks or months, on `interval_execution_day`, from
//! the first such day on or after `start_date`, until `end_date`), and a test clock whose
//! `virtual_time` only moves forward; each date the clock passes originates one transfer.
//!
//! Days are counted since 1970-01-01 in UTC (Plaid's example uses Pacific time; the emulator
//! has no time zone). A date that falls on a Saturday or Sunday moves to the Monday after ("the
//! transfer will be originated on next available banking day"); bank holidays are not known.

use std::time::SystemTime;

use serde_json::Value;

use super::clock::{civil, day_of, days_from_civil};

/// At most this many originations per recurring transfer in one advance (docs: "no more than
/// 20 originations resulting from the advance operation on each recurring_transfer").
pub(crate) const MAX_ORIGINATIONS_PER_ADVANCE: usize = 20;
/// At most this many recurring transfers on one test clock (docs: "up to 5").
pub(crate) const MAX_RECURRING_PER_CLOCK: usize = 5;

/// A test clock: an independent timeline.
#[derive(Debug, Clone)]
pub(crate) struct TestClock {
    pub(crate) id: String,
    pub(crate) virtual_time: SystemTime,
}

/// The unit of a schedule's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntervalUnit {
    Week,
    Month,
}

/// Why a schedule is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ScheduleError {
    #[error("interval_unit must be week or month")]
    Unit,
    #[error("interval_count must be at least 1")]
    Count,
    #[error("interval_execution_day must be 1 to 5 for week, 1 to 28 or -5 to -1 for month")]
    Day,
    #[error("start_date and end_date must be dates, end_date not before start_date")]
    Dates,
}

/// When a recurring transfer originates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) unit: IntervalUnit,
    pub(crate) count: u32,
    pub(crate) execution_day: i32,
    /// `start_date`, as a day.
    pub(crate) start: u64,
    /// `end_date`, as a day.
    pub(crate) end: Option<u64>,
}

/// Day `d`'s weekday, 0 for Monday (1970-01-01 was a Thursday).
fn weekday(d: u64) -> u64 {
    (d + 3) % 7
}

/// `d`, or the Monday after if it is a Saturday or Sunday.
fn banking_day(d: u64) -> u64 {
    match weekday(d) {
        5 => d + 2,
        6 => d + 1,
        _ => d,
    }
}

/// The number of days of `month` (1–12) of `year`.
fn month_length(year: u64, month: u64) -> u64 {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let first = days_from_civil(year, month, 1).unwrap_or(0);
    days_from_civil(next_year, next_month, 1).unwrap_or(first) - first
}

impl Schedule {
    /// A schedule as a request describes it.
    pub(crate) fn new(
        unit: &str,
        count: i64,
        execution_day: i64,
        start: Option<u64>,
        end: Option<Option<u64>>,
    ) -> Result<Self, ScheduleError> {
        let unit = match unit {
            "week" => IntervalUnit::Week,
            "month" => IntervalUnit::Month,
            _ => return Err(ScheduleError::Unit),
        };
        let count = u32::try_from(count)
            .ok()
            .filter(|c| *c >= 1)
            .ok_or(ScheduleError::Count)?;
        let day_ok = match unit {
            IntervalUnit::Week => (1..=5).contains(&execution_day),
            IntervalUnit::Month => {
                (1..=28).contains(&execution_day) || (-5..=-1).contains(&execution_day)
            }
        };
        if !day_ok {
            return Err(ScheduleError::Day);
        }
        let (Some(start), Some(end)) = (start, end) else {
            return Err(ScheduleError::Dates);
        };
        if end.is_some_and(|end| end < start) {
            return Err(ScheduleError::Dates);
        }
        let execution_day = i32::try_from(execution_day).map_err(|_| ScheduleError::Day)?;
        Ok(Self {
            unit,
            count,
            execution_day,
            start,
            end,
        })
    }

    /// The execution day in month `index` (months since year 0), before banking-day adjustment.
    fn in_month(&self, index: u64) -> u64 {
        let (year, month) = (index / 12, index % 12 + 1);
        let length = month_length(year, month);
        let day = if self.execution_day > 0 {
            u64::from(self.execution_day.unsigned_abs())
        } else {
            length + 1 - u64::from(self.execution_day.unsigned_abs())
        };
        days_from_civil(year, month, day).unwrap_or(0)
    }

    /// The `k`-th origination date (from 0), banking-day adjusted; `None` past `end_date`.
    pub(crate) fn nth(&self, k: u64) -> Option<u64> {
        let step = k.checked_mul(u64::from(self.count))?;
        let date = match self.unit {
            IntervalUnit::Week => {
                let wanted = u64::from(self.execution_day.unsigned_abs()) - 1;
                let first = self.start + (wanted + 7 - weekday(self.start)) % 7;
                first.checked_add(step.checked_mul(7)?)?
            }
            IntervalUnit::Month => {
                let (year, month, _) = civil(self.start);
                let mut first = year * 12 + month - 1;
                if self.in_month(first) < self.start {
                    first += 1;
                }
                banking_day(self.in_month(first.checked_add(step)?))
            }
        };
        self.end.is_none_or(|end| date <= end).then_some(date)
    }
}

/// Where a recurring transfer stands (docs: "active", "cancelled", "expired").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecurringStatus {
    Active,
    Cancelled,
    Expired,
}

impl RecurringStatus {
    /// As Plaid writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }
}

/// One recurring transfer.
#[derive(Debug, Clone)]
pub(crate) struct Recurring {
    pub(crate) id: String,
    pub(crate) test_clock_id: Option<String>,
    pub(crate) schedule: Schedule,
    pub(crate) status: RecurringStatus,
    /// The transfers it originated, oldest first.
    pub(crate) transfer_ids: Vec<String>,
    /// How many origination dates it has passed.
    pub(crate) passed: u64,
    /// The rest of its body as answered (account, amount, type, network, user, created, …):
    /// what `/transfer/recurring/create` was asked for, and each transfer is made of.
    pub(crate) body: Value,
}

impl Recurring {
    /// The dates at or before `today` it has not yet passed, at most
    /// [`MAX_ORIGINATIONS_PER_ADVANCE`] + 1 of them (one more says there are too many).
    pub(crate) fn due(&self, today: u64) -> Vec<u64> {
        if self.status != RecurringStatus::Active {
            return Vec::new();
        }
        (self.passed..)
            .map_while(|k| self.schedule.nth(k))
            .take_while(|date| *date <= today)
            .take(MAX_ORIGINATIONS_PER_ADVANCE + 1)
            .collect()
    }

    /// The next origination date, if it is active and has one.
    pub(crate) fn next_date(&self) -> Option<u64> {
        (self.status == RecurringStatus::Active)
            .then(|| self.schedule.nth(self.passed))
            .flatten()
    }

    /// `n` more dates passed; expired when none is left.
    pub(crate) fn pass(&mut self, n: usize) {
        self.passed += n as u64;
        if self.status == RecurringStatus::Active && self.schedule.nth(self.passed).is_none() {
            self.status = RecurringStatus::Expired;
        }
    }
}

/// The test clocks and recurring transfers of the state.
#[derive(Debug, Default)]
pub(crate) struct RecurringState {
    /// Test clocks, in the order they were made.
    pub(crate) clocks: Vec<TestClock>,
    /// Recurring transfers, in the order they were made.
    pub(crate) transfers: Vec<Recurring>,
    /// A recurring transfer's `idempotency_key` → its id.
    pub(crate) keys: std::collections::HashMap<String, String>,
}

impl RecurringState {
    /// The test clock `id`.
    pub(crate) fn clock(&self, id: &str) -> Option<&TestClock> {
        self.clocks.iter().find(|c| c.id == id)
    }

    /// The recurring transfer `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&Recurring> {
        self.transfers.iter().find(|r| r.id == id)
    }

    /// How many recurring transfers are bound to the test clock `id`.
    pub(crate) fn bound_to(&self, id: &str) -> usize {
        let bound = |r: &&Recurring| r.test_clock_id.as_deref() == Some(id);
        self.transfers.iter().filter(bound).count()
    }
}

/// The day before the one `at` falls on: where a new recurring transfer's dates begin to be
/// counted, so an origination date on the day it was made is made on the next advance (docs: on
/// that day "the bank may make the first payment … but it is not guaranteed").
pub(crate) fn counted_from(at: SystemTime) -> u64 {
    day_of(at).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::clock::parse_date;

    fn schedule(unit: &str, count: i64, day: i64, start: &str, end: Option<&str>) -> Schedule {
        let end = end.and_then(parse_date);
        Schedule::new(unit, count, day, parse_date(start), Some(end)).unwrap()
    }

    fn dates(s: &Schedule, n: u64) -> Vec<String> {
        (0..n)
            .map_while(|k| s.nth(k))
            .map(crate::model::clock::date_of_day)
            .collect()
    }

    #[test]
    fn a_weekly_schedule_runs_on_its_weekday_from_the_start_date_to_the_end_date() {
        // The docs' example: every Tuesday (2) from 2022-11-15 to 2022-11-30.
        let s = schedule("week", 1, 2, "2022-11-15", Some("2022-11-30"));
        assert_eq!(dates(&s, 9), ["2022-11-15", "2022-11-22", "2022-11-29"]);
        let fortnightly = schedule("week", 2, 5, "2022-11-14", None);
        assert_eq!(dates(&fortnightly, 2), ["2022-11-18", "2022-12-02"]);
    }

    #[test]
    fn a_monthly_schedule_counts_from_the_end_and_moves_off_weekends() {
        let last = schedule("month", 1, -1, "2024-01-15", None);
        // 2024-01-31 Wed, 2024-02-29 Thu, 2024-03-31 Sunday → Monday 2024-04-01.
        assert_eq!(dates(&last, 3), ["2024-01-31", "2024-02-29", "2024-04-01"]);
        let fifth = schedule("month", 2, 5, "2024-01-06", None);
        // The first 5th on or after 2024-01-06 is 2024-02-05 (Monday), then every two months.
        assert_eq!(dates(&fifth, 2), ["2024-02-05", "2024-04-05"]);
    }

    #[test]
    fn schedules_the_docs_do_not_allow_are_refused() {
        let start = parse_date("2024-01-01");
        let refused = |unit: &str, count: i64, day: i64| {
            Schedule::new(unit, count, day, start, Some(None)).unwrap_err()
        };
        assert_eq!(refused("day", 1, 1), ScheduleError::Unit);
        assert_eq!(refused("week", 0, 1), ScheduleError::Count);
        assert_eq!(refused("week", 1, 6), ScheduleError::Day);
        assert_eq!(refused("month", 1, 29), ScheduleError::Day);
        assert_eq!(refused("month", 1, -6), ScheduleError::Day);
        let backwards = Schedule::new("week", 1, 1, start, Some(parse_date("2023-12-31")));
        assert_eq!(backwards.unwrap_err(), ScheduleError::Dates);
    }
}
