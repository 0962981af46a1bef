//! Ctrl-C during apply: the first SIGINT or SIGTERM starts nothing new and
//! lets the requests in flight finish; the second exits at once. Export
//! uses the first to end its output as incomplete ([`cancel_on_signal`]).

use cec_routes::plan::CancellationToken;
use indicatif::ProgressBar;

use crate::output;

/// The exit code of a run that was interrupted (128 + SIGINT, as shells
/// report it).
pub const EXIT: u8 = 130;

/// Watches for the signals until `token` is dropped with the task: the
/// first cancels `token` (and says so above the progress bar, if any), the
/// second ends the process with [`EXIT`].
pub fn watch(token: CancellationToken, bar: Option<ProgressBar>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(mut signals) = Signals::new() else {
            return;
        };
        signals.next().await;
        token.cancel();
        let message = "interrupted: starting nothing new; the requests in flight finish (Ctrl-C \
                       again exits at once, leaving them unknown)";
        match &bar {
            Some(bar) => bar.println(message),
            None => output::stderr(message),
        }
        signals.next().await;
        if let Some(bar) = &bar {
            bar.abandon();
        }
        output::stderr("interrupted again: exiting at once; plan again to see what took effect");
        std::process::exit(EXIT.into());
    })
}

/// Watches for the signals until the task is aborted: the first cancels
/// `token` and says `message` on stderr, the second ends the process with
/// [`EXIT`].
pub fn cancel_on_signal(
    token: CancellationToken,
    message: &'static str,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(mut signals) = Signals::new() else {
            return;
        };
        signals.next().await;
        token.cancel();
        output::stderr(message);
        signals.next().await;
        output::stderr("interrupted again: exiting at once");
        std::process::exit(EXIT.into());
    })
}

/// SIGINT and SIGTERM, listened to from creation on.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// The next SIGINT or SIGTERM.
    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// Ctrl-C where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Signals)
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
