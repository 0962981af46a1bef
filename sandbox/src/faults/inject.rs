//! The sandbox's side of the faults: a middleware in front of every endpoint
//! that counts requests per operation, fails the one a test asked for, and
//! records the most requests under way at once; and, per connection, what a
//! fault needs below HTTP (closing without an answer, resetting).

use std::{
    convert::Infallible,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Request, State},
    http::{
        HeaderValue, StatusCode,
        header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION},
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::{net::TcpStream, sync::watch};

use super::{
    ANNOUNCED, CHUNK_PIECE, FAULT_HOLD, Fault, Framing, Operation, RESET_ANNOUNCED, RESET_SENT,
    SHORT_BODY, huge_piece, return_result_body, status_body,
};
use crate::{Shared, wire::Envelope};

#[derive(Debug)]
struct Pending {
    operation: Operation,
    /// The request number (1-based, of that operation) that gets the fault.
    at: usize,
    fault: Fault,
}

/// Request counts, planned faults and the in-flight count.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    counts: [AtomicUsize; Operation::COUNT],
    pending: Mutex<Vec<Pending>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Faults {
    /// The `nth` request of `operation` from now (1: the next) gets `fault`.
    pub(crate) fn fail(&self, operation: Operation, nth: usize, fault: Fault) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let at = self.requests(operation) + nth.max(1);
        pending.push(Pending {
            operation,
            at,
            fault,
        });
    }

    pub(crate) fn requests(&self, operation: Operation) -> usize {
        self.counts[operation.index()].load(Ordering::SeqCst)
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    pub(crate) fn reset_max_in_flight(&self) {
        self.max_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// Counts a request of `operation`; the fault planned for it, if any.
    fn arrive(&self, operation: Operation) -> Option<Fault> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let number = self.counts[operation.index()].fetch_add(1, Ordering::SeqCst) + 1;
        let index = pending
            .iter()
            .position(|p| p.operation == operation && p.at == number)?;
        Some(pending.remove(index).fault)
    }
}

/// Decrements the in-flight count when the request ends, however it ends.
struct InFlight<'a>(&'a Faults);

impl<'a> InFlight<'a> {
    fn enter(faults: &'a Faults) -> Self {
        let now = faults.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        faults.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(faults)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One connection's controls, in every request's extensions: whether its
/// socket is reset (not closed) when it ends.
#[derive(Clone, Debug, Default)]
pub(crate) struct Connection {
    reset_on_close: Arc<AtomicBool>,
}

/// A response that must not be sent: the connection is closed instead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Abort;

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection was closed without an answer (injected fault)")
    }
}

impl std::error::Error for Abort {}

/// The connection's socket, reset instead of closed when its [`Connection`]
/// asks for it.
pub(crate) struct FaultIo {
    io: TokioIo<TcpStream>,
    reset_on_close: Arc<AtomicBool>,
}

impl Drop for FaultIo {
    fn drop(&mut self) {
        if self.reset_on_close.load(Ordering::SeqCst) {
            // SO_LINGER 0: closing sends an RST, not a FIN.
            let _ = self.io.inner().set_zero_linger();
        }
    }
}

impl hyper::rt::Read for FaultIo {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for FaultIo {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

/// A connection's socket and the service that serves it: the router, with
/// the connection's [`Connection`] in each request, and a response marked
/// [`Abort`] turned into a service error, on which hyper closes the
/// connection without answering.
pub(crate) fn connection(
    stream: TcpStream,
    router: Router,
) -> (
    FaultIo,
    impl hyper::service::Service<
        hyper::Request<Incoming>,
        Response = Response,
        Error = Abort,
        Future = impl Future<Output = Result<Response, Abort>> + Send,
    >,
) {
    let controls = Connection::default();
    let io = FaultIo {
        io: TokioIo::new(stream),
        reset_on_close: controls.reset_on_close.clone(),
    };
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(controls.clone());
        let answered = tower_service::Service::call(&mut router.clone(), request);
        async move {
            let response: Response = match answered.await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if response.extensions().get::<Abort>().is_some() {
                Err(Abort)
            } else {
                Ok(response)
            }
        }
    });
    (io, service)
}

/// The middleware: count, then fail the request if a test asked for it.
pub(crate) async fn inject(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let _in_flight = InFlight::enter(&shared.faults);
    let path = request.uri().path().to_owned();
    let fault = Operation::of_path(&path).and_then(|op| shared.faults.arrive(op));
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    tracing::debug!(?fault, %path, "injected fault");
    let connection = request.extensions().get::<Connection>().cloned();
    let envelope = Envelope::of_path(&path);
    if !fault.after_commit() {
        return answer(fault, envelope, &shared, connection.as_ref()).await;
    }
    let response = next.run(request).await;
    match fault {
        Fault::StatusAfterCommit(status) => status_response(envelope, status),
        Fault::TimeoutAfterCommit => hold(envelope, &shared).await,
        _ => dropped(response),
    }
}

/// The answer of a fault applied before the request is carried out, its
/// body in `envelope`.
async fn answer(
    fault: Fault,
    envelope: Envelope,
    shared: &Shared,
    connection: Option<&Connection>,
) -> Response {
    match fault {
        Fault::Status(status) | Fault::StatusAfterCommit(status) => {
            status_response(envelope, status)
        }
        Fault::ReturnCode(code) => json(StatusCode::OK, return_result_body(envelope, code)),
        Fault::Respond {
            status,
            content_type,
            body,
        } => {
            let mut response = (status_code(status), body).into_response();
            if let Ok(content_type) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(CONTENT_TYPE, content_type);
            }
            response
        }
        Fault::RespondChunked { status, body } => {
            let pieces: Vec<Result<Bytes, Infallible>> = body
                .chunks(CHUNK_PIECE)
                .map(|piece| Ok(Bytes::copy_from_slice(piece)))
                .collect();
            let mut response = (
                status_code(status),
                Body::from_stream(futures::stream::iter(pieces)),
            )
                .into_response();
            set_json(&mut response);
            response
        }
        Fault::Redirect { location } => {
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(LOCATION, location);
            }
            response
        }
        Fault::Huge {
            status,
            len,
            framing,
        } => {
            let pieces = futures::stream::iter(
                (0..).map_while(move |n| huge_piece(len, n).map(Ok::<_, Infallible>)),
            );
            let mut response = (status_code(status), Body::from_stream(pieces)).into_response();
            set_json(&mut response);
            if framing == Framing::ContentLength {
                response
                    .headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from(len));
            }
            response
        }
        Fault::Timeout | Fault::TimeoutAfterCommit => hold(envelope, shared).await,
        Fault::TimeoutAfterHeaders => {
            let stopping = shared.stopping.subscribe();
            let stalled = futures::stream::once(async move {
                until_released(stopping).await;
                Err::<Bytes, _>(std::io::Error::other(
                    "the sandbox stalled the body (injected fault)",
                ))
            });
            announced(Body::from_stream(stalled), ANNOUNCED)
        }
        Fault::CloseBeforeResponse => {
            let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
            response.extensions_mut().insert(Abort);
            response
        }
        Fault::ResetMidBody => {
            if let Some(connection) = connection {
                connection.reset_on_close.store(true, Ordering::SeqCst);
            }
            let sent = Bytes::from(vec![b' '; RESET_SENT]);
            announced(broken_after(sent), RESET_ANNOUNCED)
        }
        Fault::ShortBody => announced(
            Body::from_stream(futures::stream::iter([Ok::<_, Infallible>(
                Bytes::from_static(SHORT_BODY),
            )])),
            ANNOUNCED,
        ),
        Fault::DropAfterCommit => dropped(json(StatusCode::OK, status_body(envelope, 200))),
    }
}

/// A status as axum takes it; one outside 100..=999 is answered as 500.
fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `status` with the sandbox's refusal body.
fn status_response(envelope: Envelope, status: u16) -> Response {
    let status = status_code(status);
    json(status, status_body(envelope, status.as_u16()))
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    set_json(&mut response);
    response
}

fn set_json(response: &mut Response) {
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
}

/// A 200 that announces `len` bytes of JSON and sends `body`, whatever its
/// length: hyper ends the connection where the two disagree.
fn announced(body: Body, len: usize) -> Response {
    let mut response = json(StatusCode::OK, Vec::new());
    *response.body_mut() = body;
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

/// `sent`, then a body error: the connection is dropped mid-answer.
fn broken_after(sent: Bytes) -> Body {
    Body::from_stream(futures::stream::iter([
        Ok(sent),
        Err(std::io::Error::other(
            "the sandbox dropped the connection (injected fault)",
        )),
    ]))
}

/// Waits until the sandbox stops, or [`FAULT_HOLD`].
async fn until_released(mut stopping: watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(FAULT_HOLD) => {}
        _ = stopping.wait_for(|stopping| *stopping) => {}
    }
}

/// No answer until the sandbox stops (or [`FAULT_HOLD`]): the client times
/// out first.
async fn hold(envelope: Envelope, shared: &Shared) -> Response {
    until_released(shared.stopping.subscribe()).await;
    status_response(envelope, 503)
}

/// The response's head, then a body that fails: the connection is dropped
/// mid-answer.
fn dropped(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    Response::from_parts(parts, broken_after(Bytes::new()))
}
