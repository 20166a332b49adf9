//! The request journal and counters: what the emulator was asked and how it answered, for a
//! test to assert on. Each Plaid request is one [`JournalEntry`] (its body with every credential
//! redacted: every field the generated `plaid_client::redact::CREDENTIAL_FIELDS` names, the one
//! list of credentials); the journal keeps the last [`JOURNAL_CAPACITY`]. Control calls (`/emulator/…`) are
//! neither journaled nor counted.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::SystemTime;

use plaid_client::redact::{CREDENTIAL_FIELDS, REDACTED};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// How many entries the journal keeps: the oldest go first.
pub const JOURNAL_CAPACITY: usize = 10_000;

/// One request as the emulator answered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct JournalEntry {
    /// When the request arrived (in JSON: milliseconds since the Unix epoch).
    #[serde(serialize_with = "unix_millis")]
    pub time: SystemTime,
    /// The path, e.g. `/accounts/get`.
    pub path: String,
    /// The Item the request's `access_token` named, if it named one.
    pub item_id: Option<String>,
    /// The HTTP status answered; `None` when the connection was dropped without an answer.
    pub status: Option<u16>,
    /// The Plaid `error_code` answered, if any.
    pub error_code: Option<String>,
    /// The injected fault that decided the answer, by [`crate::FaultKind::name`].
    pub fault: Option<&'static str>,
    /// The request body as JSON (`null` if it was not JSON), its credentials `"[redacted]"`.
    pub request: Value,
}

fn unix_millis<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let millis = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    s.serialize_u128(millis)
}

/// Requests counted since the start (or the last [`crate::Emulator::reset`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counters {
    /// Every Plaid request.
    pub requests: u64,
    /// Requests by path.
    pub by_path: BTreeMap<String, u64>,
    /// Requests by status class: `"2xx"`, `"4xx"`, `"5xx"`, …, and `"dropped"` (no answer).
    pub by_status: BTreeMap<String, u64>,
    /// Faults fired, by [`crate::FaultKind::name`].
    pub faults: BTreeMap<String, u64>,
    /// Requests refused by the emulated rate limits (not by a `RateLimited` fault).
    pub rate_limited: u64,
    /// Requests answered 200, by path, with when the first and the last arrived.
    pub successes: BTreeMap<String, Successes>,
}

/// The requests to one path answered 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Successes {
    /// How many.
    pub count: u64,
    /// When the first arrived (in JSON: milliseconds since the Unix epoch).
    #[serde(serialize_with = "unix_millis")]
    pub first: SystemTime,
    /// When the last arrived.
    #[serde(serialize_with = "unix_millis")]
    pub last: SystemTime,
}

#[derive(Default)]
struct Records {
    journal: VecDeque<JournalEntry>,
    counters: Counters,
}

/// The journal and counters, behind their own lock (not the state's).
#[derive(Default)]
pub(crate) struct Journal {
    records: Mutex<Records>,
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

impl Journal {
    fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Record one answered (or dropped) request; `rate_limited` if the emulated limits refused it.
    pub(crate) fn record(&self, mut entry: JournalEntry, rate_limited: bool) {
        redact(&mut entry.request);
        let class = entry
            .status
            .map_or_else(|| "dropped".to_string(), |s| format!("{}xx", s / 100));
        let mut records = self.records();
        let counters = &mut records.counters;
        counters.requests += 1;
        bump(&mut counters.by_path, &entry.path);
        bump(&mut counters.by_status, &class);
        if let Some(fault) = entry.fault {
            bump(&mut counters.faults, fault);
        }
        counters.rate_limited += u64::from(rate_limited);
        if entry.status == Some(200) {
            let time = entry.time;
            match counters.successes.get_mut(&entry.path) {
                Some(s) => {
                    s.count += 1;
                    s.last = s.last.max(time);
                    s.first = s.first.min(time);
                }
                None => {
                    let first = Successes {
                        count: 1,
                        first: time,
                        last: time,
                    };
                    counters.successes.insert(entry.path.clone(), first);
                }
            }
        }
        if records.journal.len() == JOURNAL_CAPACITY {
            records.journal.pop_front();
        }
        records.journal.push_back(entry);
    }

    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.records().journal.iter().cloned().collect()
    }

    pub(crate) fn counters(&self) -> Counters {
        self.records().counters.clone()
    }

    pub(crate) fn clear(&self) {
        *self.records() = Records::default();
    }
}

/// Whether a field of this name carries a credential: one the generated list names (the
/// spec's wire names, matched exactly, as the generated `Debug` impls match them).
fn is_credential(key: &str) -> bool {
    CREDENTIAL_FIELDS.contains(&key)
}

/// Replace every credential in `value`, at any depth, with `"[redacted]"`.
pub(crate) fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if is_credential(key) {
                    *field = Value::String(REDACTED.into());
                } else {
                    redact(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_are_redacted_at_any_depth() {
        let mut body = json!({"client_id": "id", "secret": "s", "access_token": "a",
            "options": {"public_token": "p", "override_password": "w", "count": 3},
            "list": [{"processor_token": "t"}], "access_tokens": ["x"], "cursor": "c",
            "secrets": {"sandbox": "sb", "production": "pr"}, "user_token": "u"});
        redact(&mut body);
        assert_eq!(
            body,
            json!({"client_id": REDACTED, "secret": REDACTED, "access_token": REDACTED,
                "options": {"public_token": REDACTED, "override_password": REDACTED, "count": 3},
                "list": [{"processor_token": REDACTED}], "access_tokens": REDACTED,
                "cursor": "c", "secrets": REDACTED, "user_token": REDACTED})
        );
    }

    #[test]
    fn every_generated_credential_field_is_redacted() {
        for name in CREDENTIAL_FIELDS {
            let mut body = json!({ "outer": { *name: "value" } });
            redact(&mut body);
            assert_eq!(body["outer"][*name], REDACTED, "{name}");
        }
        // Not a credential by the spec: kept, so a test can assert on it.
        let mut body = json!({"webhook": "http://h", "cursor": "c", "count": 1});
        let kept = body.clone();
        redact(&mut body);
        assert_eq!(body, kept);
    }

    #[test]
    fn the_journal_keeps_the_last_entries() {
        let journal = Journal::default();
        for n in 0..JOURNAL_CAPACITY + 5 {
            let entry = JournalEntry {
                time: SystemTime::now(),
                path: format!("/p{}", n % 2),
                item_id: None,
                status: Some(200),
                error_code: None,
                fault: None,
                request: Value::Null,
            };
            journal.record(entry, false);
        }
        assert_eq!(journal.entries().len(), JOURNAL_CAPACITY);
        assert_eq!(journal.counters().requests, JOURNAL_CAPACITY as u64 + 5);
        assert_eq!(
            journal.counters().by_status.get("2xx"),
            Some(&(JOURNAL_CAPACITY as u64 + 5))
        );
    }
}
