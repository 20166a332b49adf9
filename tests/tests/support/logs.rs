//! Capturing what the client logs, for the tests that check logs carry no secret.
//!
//! One global subscriber, installed once, writes each event into the buffer of the thread that
//! emitted it, when that thread is capturing. A scoped subscriber per test (`set_default`) is
//! not enough: tests run on many threads, most without a subscriber, and a span first reached
//! on one of those while a test's subscriber is being registered can keep a cached "never"
//! interest, so its lines go missing (seen under load by scripts/time-tests.sh). With one global
//! subscriber every callsite is asked the same question, always.

use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    static CAPTURE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Appends to this thread's capture, if it is capturing; drops the text otherwise.
struct ThisThread;

impl std::io::Write for ThisThread {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|c| {
            if let Some(buf) = c.borrow_mut().as_mut() {
                buf.extend_from_slice(b);
            }
        });
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(|| ThisThread)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in this test binary");
        tracing::callsite::rebuild_interest_cache();
    });
}

/// Everything logged at DEBUG and above while `f` runs on this thread (the tests run it on a
/// current-thread runtime, so the client's work happens here too).
pub async fn logged<F: std::future::Future<Output = ()>>(f: F) -> String {
    install();
    CAPTURE.with(|c| *c.borrow_mut() = Some(Vec::new()));
    f.await;
    let bytes = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}
