//! Capturing the SDK's tracing output in a test.

use std::{
    io,
    sync::{Arc, Mutex},
};

/// A `Write` into a shared buffer, for capturing tracing output.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Captures this thread's tracing output (TRACE and up) until the guard
/// drops; for a current-thread runtime.
///
/// tracing-core caches each callsite's interest globally, and while only one
/// dispatcher exists it computes that interest from the default of whichever
/// thread registers the callsite first: a test running in parallel would
/// disable the callsites this test needs. A second (no-op) dispatcher makes
/// tracing-core ask every live dispatcher instead.
pub fn capture_logs() -> (Captured, Capturing) {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    let second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    (
        logs,
        Capturing {
            _guard: guard,
            _second: second,
        },
    )
}

/// Keeps a log capture running.
pub struct Capturing {
    _guard: tracing::subscriber::DefaultGuard,
    _second: tracing::Dispatch,
}
