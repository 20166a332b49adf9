//! The served-bodies record, for CI: when the environment variable `PLAID_EMULATOR_RECORD`
//! names a file, every answered Plaid request appends one JSON line to it,
//! `{"path": ..., "status": ..., "body": <the JSON answered>}`, so a schema checker can hold
//! every body against the spec. Best-effort and bounded: a write that fails is skipped, and
//! recording stops after [`MAX_LINES`] lines or [`MAX_BYTES`] bytes; a request never fails
//! because of it. Control calls (`/emulator/...`) are not Plaid bodies and are not recorded.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::api::plaid_error;
use crate::model::plaid_error::PlaidError;

/// The variable naming the file.
pub(crate) const ENV: &str = "PLAID_EMULATOR_RECORD";
/// At most this many lines per emulator.
pub(crate) const MAX_LINES: u64 = 100_000;
/// At most this many bytes per emulator.
pub(crate) const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Appends answered bodies to a file.
pub(crate) struct Recorder {
    path: PathBuf,
    /// Lines and bytes written so far; the lock also keeps each line whole.
    written: Mutex<(u64, u64)>,
}

impl Recorder {
    /// The recorder `PLAID_EMULATOR_RECORD` asks for, if it is set and not empty.
    pub(crate) fn from_env() -> Option<Self> {
        let path = std::env::var_os(ENV).filter(|p| !p.is_empty())?;
        Some(Self::to(PathBuf::from(path)))
    }

    /// A recorder appending to `path`.
    pub(crate) fn to(path: PathBuf) -> Self {
        Self {
            path,
            written: Mutex::new((0, 0)),
        }
    }

    /// Record one answer; `body` that is not JSON is skipped.
    pub(crate) fn record(&self, path: &str, status: u16, body: &[u8]) {
        if path.starts_with("/emulator/") {
            return;
        }
        let Ok(body) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let mut line = json!({"path": path, "status": status, "body": body}).to_string();
        line.push('\n');
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (lines, bytes) = *written;
        if lines >= MAX_LINES || bytes + line.len() as u64 > MAX_BYTES {
            return;
        }
        let appended = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut file| file.write_all(line.as_bytes()));
        if appended.is_ok() {
            *written = (lines + 1, bytes + line.len() as u64);
        }
    }
}

/// Record `answer` to `path` if a recorder is set: the body answered, or the error's.
pub(crate) fn answered(
    recorder: Option<&Recorder>,
    path: &str,
    answer: Result<&[u8], &PlaidError>,
    request_id: &str,
) {
    let Some(recorder) = recorder else {
        return;
    };
    match answer {
        Ok(body) => recorder.record(path, 200, body),
        Err(error) => {
            let body = plaid_error::body(error, request_id).to_string();
            recorder.record(path, error.status, body.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_appended_as_lines_and_control_calls_skipped() {
        let path =
            std::env::temp_dir().join(format!("plaid-emulator-record-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let recorder = Recorder::to(path.clone());
        recorder.record("/item/get", 200, br#"{"request_id":"a"}"#);
        recorder.record("/emulator/link/complete", 200, br#"{"public_token":"p"}"#);
        recorder.record("/accounts/get", 400, br#"{"error_code":"X"}"#);
        recorder.record("/accounts/get", 200, b"not json");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let _ = std::fs::remove_file(&path);
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(
            lines[0],
            json!({"path": "/item/get", "status": 200, "body": {"request_id": "a"}})
        );
        assert_eq!(lines[1]["status"], 400);
    }
}
