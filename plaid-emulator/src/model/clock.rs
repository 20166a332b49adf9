//! The emulator's time: one clock every lifetime, window and schedule reads (public tokens,
//! link tokens, idempotency keys, rate-limit windows, webhook retries, transfer test clocks,
//! the times written in bodies), and the way Plaid writes it: RFC 3339 in UTC, to the second
//! (`2006-01-02T15:04:05Z`, as the transfer event docs put it).
//!
//! A test chooses the clock with [`Clock`] ([`crate::EmulatorConfig::clock`]): the system clock
//! (the default), or a manual one that stands still at a given instant until
//! [`crate::Emulator::advance`] moves it, so "a public token exchanged after 31 minutes is
//! refused" takes milliseconds. Either clock can be advanced; a reset returns it to its start.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// Which clock an emulator reads ([`crate::EmulatorConfig::clock`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use plaid_emulator::{Clock, Emulator, EmulatorConfig};
///
/// let start = UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01T00:00:00Z
/// let config = EmulatorConfig { clock: Clock::Manual(start), ..EmulatorConfig::default() };
/// let emulator = Emulator::start(config).await?;
/// assert_eq!(emulator.now(), start); // it stands still...
/// emulator.advance(Duration::from_secs(31 * 60)); // ...until a test moves it
/// assert_eq!(emulator.now(), start + Duration::from_secs(31 * 60));
/// emulator.reset();
/// assert_eq!(emulator.now(), start);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Clock {
    /// The system clock (the default), plus whatever [`crate::Emulator::advance`] added.
    #[default]
    System,
    /// A clock that starts at this instant and moves only when advanced.
    Manual(SystemTime),
}

/// Text that names no clock: [`Clock`]'s `from_str` takes `system` or an RFC 3339 instant in
/// UTC to the second (`2026-01-01T00:00:00Z`), the start of a manual clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected `system` or an instant like 2026-01-01T00:00:00Z, got {0:?}")]
pub struct InvalidClock(pub String);

impl std::str::FromStr for Clock {
    type Err = InvalidClock;

    /// `system`, or `2026-01-01T00:00:00Z` for a manual clock starting then.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use plaid_emulator::Clock;
    /// let start = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    /// assert_eq!("2026-01-01T00:00:00Z".parse(), Ok(Clock::Manual(start)));
    /// assert_eq!("system".parse(), Ok(Clock::System));
    /// assert!("yesterday".parse::<Clock>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "system" {
            return Ok(Clock::System);
        }
        parse_rfc3339(text)
            .map(Clock::Manual)
            .ok_or_else(|| InvalidClock(text.chars().take(64).collect()))
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` as an instant; `None` if it is not one (or before 1970).
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let numbers = |text: &str, sep: char| -> Option<Vec<u64>> {
        let parts: Vec<&str> = text.split(sep).collect();
        let all_digits = parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        (parts.len() == 3 && all_digits)
            .then(|| parts.iter().filter_map(|p| p.parse().ok()).collect())
    };
    let (d, t) = (numbers(date, '-')?, numbers(time, ':')?);
    let (&[year, month, day], &[h, m, s]) = (d.as_slice(), t.as_slice()) else {
        return None;
    };
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && h < 24 && m < 60 && s < 60;
    let days = days_from_civil(year, month, day).filter(|_| valid && year < 10_000)?;
    (civil(days) == (year, month, day))
        .then(|| UNIX_EPOCH + Duration::from_secs(days * 86_400 + h * 3600 + m * 60 + s))
}

/// `YYYY-MM-DD` as days since 1970-01-01; `None` if it is not a date (or before 1970).
pub(crate) fn parse_date(text: &str) -> Option<u64> {
    parse_rfc3339(&format!("{text}T00:00:00Z")).map(day_of)
}

/// The day `at` falls on (UTC), as days since 1970-01-01.
pub(crate) fn day_of(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) / 86_400
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub(crate) fn date_of_day(days: u64) -> String {
    let (year, month, day) = civil(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Where the clock's time comes from, before what was advanced is added.
#[derive(Debug, Clone, Copy)]
enum Base {
    /// The wall time at the start and the monotonic instant it was read: time moves with the
    /// monotonic clock, so it never goes back.
    System { wall: SystemTime, at: Instant },
    /// A fixed instant.
    Manual(SystemTime),
}

/// The clock the emulator reads: its base, and how far it was advanced (a watch channel, so a
/// schedule waiting on the clock wakes when it moves).
#[derive(Debug)]
pub(crate) struct EmulatorClock {
    base: Base,
    advanced: watch::Sender<Duration>,
}

impl EmulatorClock {
    /// The clock `clock` says, at its start.
    pub(crate) fn new(clock: Clock) -> Self {
        let base = match clock {
            Clock::System => Base::System {
                wall: SystemTime::now(),
                at: Instant::now(),
            },
            Clock::Manual(start) => Base::Manual(start),
        };
        Self {
            base,
            advanced: watch::Sender::new(Duration::ZERO),
        }
    }

    /// The time now.
    pub(crate) fn now(&self) -> SystemTime {
        let base = match self.base {
            Base::System { wall, at } => wall + at.elapsed(),
            Base::Manual(start) => start,
        };
        base + *self.advanced.borrow()
    }

    /// Move the clock `by` forward; whatever waits on it wakes.
    pub(crate) fn advance(&self, by: Duration) {
        self.advanced
            .send_modify(|advanced| *advanced = advanced.saturating_add(by));
    }

    /// Back to the start: nothing advanced (a manual clock at its start instant again).
    pub(crate) fn reset(&self) {
        self.advanced.send_replace(Duration::ZERO);
    }

    /// Whether the clock moves by itself (the system clock) or only when advanced.
    fn moves_alone(&self) -> bool {
        matches!(self.base, Base::System { .. })
    }

    /// Once the clock reads `due` or later: with the system clock as time passes or the clock
    /// is advanced, with a manual clock when [`Self::advance`] passes it (never by polling).
    pub(crate) async fn until(&self, due: SystemTime) {
        let mut moved = self.advanced.subscribe();
        loop {
            let Ok(left) = due.duration_since(self.now()) else {
                return;
            };
            if left.is_zero() {
                return;
            }
            if self.moves_alone() {
                tokio::select! {
                    () = tokio::time::sleep(left) => {}
                    _ = moved.changed() => {}
                }
            } else if moved.changed().await.is_err() {
                return; // the clock is gone: nothing will come due
            }
        }
    }
}

/// How long from `earlier` to `later`; zero if `later` is not after it.
pub(crate) fn since(later: SystemTime, earlier: SystemTime) -> Duration {
    later.duration_since(earlier).unwrap_or(Duration::ZERO)
}

/// `at` as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil(days);
    let (h, m, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
}

/// The day of `at`, `YYYY-MM-DD` (UTC).
pub(crate) fn date(at: SystemTime) -> String {
    date_of_day(day_of(at))
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's `civil_from_days`.
pub(crate) fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01, Howard Hinnant's `days_from_civil`; `None`
/// before 1970.
pub(crate) fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day.checked_sub(1)?;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_as_plaid_writes_them() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let at = UNIX_EPOCH + Duration::from_secs(1_136_214_245);
        assert_eq!(rfc3339(at), "2006-01-02T15:04:05Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
        assert_eq!(date(leap), "2000-02-29");
    }

    #[test]
    fn instants_parse_back_and_impossible_dates_do_not() {
        let at = UNIX_EPOCH + Duration::from_secs(1_136_214_245);
        assert_eq!(parse_rfc3339(&rfc3339(at)), Some(at));
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01",
            "2026-1-é1T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_and_dates_round_trip() {
        for days in [0, 59, 60, 10_957, 11_016, 20_454, 40_000] {
            let (y, m, d) = civil(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
        assert_eq!(days_from_civil(1969, 12, 31), None);
    }

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_resets_to_its_start() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = EmulatorClock::new(Clock::Manual(start));
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), start + Duration::from_secs(5));
        clock.reset();
        assert_eq!(clock.now(), start);
    }

    #[tokio::test]
    async fn a_wait_on_a_manual_clock_ends_when_an_advance_passes_its_time() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = std::sync::Arc::new(EmulatorClock::new(Clock::Manual(start)));
        let due = start + Duration::from_secs(60);
        let waiting = tokio::spawn({
            let clock = clock.clone();
            async move { clock.until(due).await }
        });
        clock.advance(Duration::from_secs(30));
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "30 s is not yet due");
        clock.advance(Duration::from_secs(30));
        waiting.await.unwrap();
        assert!(clock.now() >= due);
    }
}
