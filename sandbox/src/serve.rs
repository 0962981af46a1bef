//! The accept loop: HTTP/1.1 connections served by the router, with a
//! header-read timeout, and a graceful shutdown.

use std::{future::Future, time::Duration};

use axum::Router;
use hyper::server::conn::http1;
#[cfg(not(feature = "faults"))]
use hyper_util::{rt::TokioIo, service::TowerToHyperService};
use hyper_util::{rt::TokioTimer, server::graceful::GracefulShutdown};
use tokio::net::TcpListener;

/// How long a client may take to send a request's headers, by default.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `stop` completes, then stops
/// accepting and waits for the requests under way.
pub(super) async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    #[cfg(not(feature = "faults"))]
    let service = TowerToHyperService::new(router);
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // A transient accept failure (e.g. too many open files)
                    // must not end the server.
                    tracing::warn!(%error, "the sandbox could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        #[cfg(not(feature = "faults"))]
        let connection = http.serve_connection(TokioIo::new(stream), service.clone());
        // Faults below HTTP (closing without an answer, a reset) need the
        // connection's socket.
        #[cfg(feature = "faults")]
        let connection = {
            let (io, service) = super::faults::connection(stream, router.clone());
            http.serve_connection(io, service)
        };
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "a sandbox connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
