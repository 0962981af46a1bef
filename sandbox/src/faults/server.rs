//! A loopback HTTP/1.1 server that answers every request with one
//! [`Fault`], below HTTP where the fault needs it: for the client's tests,
//! where a sandbox's state is not needed but any bytes on the wire are.
//!
//! Each connection serves one request (read whole, counted and recorded
//! first), then suffers the fault. The server stops when it is dropped (its
//! accept task, and with it every connection task, is aborted), and every
//! loop in it is bounded: it accepts at most [`MAX_CONNECTIONS`], reads at
//! most [`MAX_REQUEST_BYTES`] of a request, waits at most [`MAX_WAIT`] for a
//! read or a write, and holds a silent answer at most [`FAULT_HOLD`].

use std::{
    net::{Ipv4Addr, SocketAddr},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpSocket, TcpStream},
    sync::Notify,
    task::{JoinHandle, JoinSet},
    time::timeout,
};

use super::{
    ANNOUNCED, CHUNK_PIECE, FAULT_HOLD, Fault, Framing, RESET_ANNOUNCED, RESET_SENT, SHORT_BODY,
    huge_piece, return_result_body, status_body,
};
use crate::{Error, wire::Envelope};

/// The most connections one server accepts; it stops accepting after that.
const MAX_CONNECTIONS: usize = 64;
/// The most bytes of one request (head and body) the server reads.
const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The longest the server waits for one read or write.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// One request a [`FaultServer`] read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Received {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The request target as sent, e.g. `/apigovernance/api/oauth/tokenByAkSk`.
    pub path: String,
    /// The body (as framed by `Content-Length`).
    pub body: Vec<u8>,
}

/// What became of one [`Fault::Huge`] body a [`FaultServer`] tried to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The body bytes written before the server stopped.
    pub written: usize,
    /// The body bytes it meant to write.
    pub len: usize,
    /// Whether the client closed the connection (a write failed, or
    /// stalled for 10 s) before the whole body was written.
    pub cut_by_client: bool,
}

#[derive(Default)]
struct Record {
    requests: AtomicUsize,
    received: Mutex<Vec<Received>>,
    deliveries: Mutex<Vec<Delivery>>,
    delivered: Notify,
}

/// A running loopback server that answers every request with one
/// [`Fault`]; dropping it stops it.
///
/// It carries nothing out, so [`Fault::StatusAfterCommit`] and
/// [`Fault::TimeoutAfterCommit`] act as [`Fault::Status`] and
/// [`Fault::Timeout`], and [`Fault::DropAfterCommit`] sends the head of a
/// 200 and closes the connection.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use cec_routes::{CalledRoute, Client, Device, Error};
/// use cec_routes_sandbox::{Fault, FaultServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = FaultServer::start(Fault::ResetMidBody).await?;
/// let client = Client::builder().base_url(server.uri()).token("t0k").build()?;
///
/// let route = CalledRoute::new("9911411", Device::SkillQueue(1))?;
/// let error = client.create_called_route(&route).await.unwrap_err();
/// assert!(matches!(error, Error::Transport { .. }));
/// assert!(error.may_have_reached_server());
/// assert_eq!(server.requests(), 1);
/// # Ok(())
/// # }
/// ```
pub struct FaultServer {
    addr: SocketAddr,
    record: Arc<Record>,
    accept: JoinHandle<()>,
}

impl std::fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultServer")
            .field("addr", &self.addr)
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

impl FaultServer {
    /// Starts a server on a free loopback port that answers every request
    /// with `fault`.
    ///
    /// Fails with [`Error::Bind`] when no loopback port can be bound.
    pub async fn start(fault: Fault) -> Result<FaultServer, Error> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        FaultServer::serve(listener, fault)
    }

    /// Serves `fault` on a listener the test bound itself (e.g. late, on a
    /// port that refused connections a moment ago).
    ///
    /// Fails with [`Error::Server`] when the listener has no local address.
    pub fn serve(listener: TcpListener, fault: Fault) -> Result<FaultServer, Error> {
        let addr = listener.local_addr().map_err(|e| Error::Server {
            reason: format!("the listener has no address: {e}"),
        })?;
        let record = Arc::new(Record::default());
        let accept = tokio::spawn(accept_loop(listener, fault, record.clone()));
        Ok(FaultServer {
            addr,
            record,
            accept,
        })
    }

    /// A base URL on which connections are refused: a loopback port bound
    /// and never listened on, kept bound for the rest of the process so no
    /// other server can take it.
    ///
    /// Fails with [`Error::Bind`] when no loopback port can be bound.
    pub fn refused() -> Result<String, Error> {
        Ok(format!("http://{}", FaultServer::refused_addr()?))
    }

    /// An address nothing listens on (see [`refused`](FaultServer::refused)).
    ///
    /// Fails with [`Error::Bind`] when no loopback port can be bound.
    pub fn refused_addr() -> Result<SocketAddr, Error> {
        /// Sockets bound and never listening, kept for the life of the
        /// process: their ports refuse every connection, and no other
        /// server (a parallel test's) can take them over meanwhile.
        static RESERVED: Mutex<Vec<TcpSocket>> = Mutex::new(Vec::new());
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let bind = |source| Error::Bind { addr, source };
        let socket = TcpSocket::new_v4().map_err(bind)?;
        socket.bind(addr).map_err(bind)?;
        let bound = socket.local_addr().map_err(bind)?;
        RESERVED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(socket);
        Ok(bound)
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests the server read (whole heads and bodies).
    pub fn requests(&self) -> usize {
        self.record.requests.load(Ordering::SeqCst)
    }

    /// How many of those requests were for `path`.
    pub fn requests_to(&self, path: &str) -> usize {
        self.received().iter().filter(|r| r.path == path).count()
    }

    /// Every request the server read, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.record.received).clone()
    }

    /// The deliveries of [`Fault::Huge`] bodies, once `count` of them are
    /// over (or after 10 s, with those that are).
    pub async fn deliveries(&self, count: usize) -> Vec<Delivery> {
        let wait = async {
            loop {
                let delivered = self.record.delivered.notified();
                let deliveries = lock(&self.record.deliveries).clone();
                if deliveries.len() >= count {
                    return deliveries;
                }
                delivered.await;
            }
        };
        match timeout(MAX_WAIT, wait).await {
            Ok(deliveries) => deliveries,
            Err(_) => lock(&self.record.deliveries).clone(),
        }
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every
        // connection task.
        self.accept.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept_loop(listener: TcpListener, fault: Fault, record: Arc<Record>) {
    let mut connections = JoinSet::new();
    for _ in 0..MAX_CONNECTIONS {
        let Ok((stream, _)) = listener.accept().await else {
            break;
        };
        connections.spawn(serve_one(stream, fault.clone(), record.clone()));
        // Reap finished connections so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    // Keep the connections alive until the server is dropped.
    while connections.join_next().await.is_some() {}
}

async fn serve_one(mut stream: TcpStream, fault: Fault, record: Arc<Record>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let envelope = Envelope::of_path(&request.path);
    lock(&record.received).push(request);
    record.requests.fetch_add(1, Ordering::SeqCst);

    match fault {
        Fault::Status(status) | Fault::StatusAfterCommit(status) => {
            respond(
                &mut stream,
                status,
                "application/json",
                &status_body(envelope, status),
            )
            .await;
        }
        Fault::ReturnCode(code) => {
            respond(
                &mut stream,
                200,
                "application/json",
                &return_result_body(envelope, code),
            )
            .await;
        }
        Fault::Respond {
            status,
            content_type,
            body,
        } => respond(&mut stream, status, &content_type, &body).await,
        Fault::RespondChunked { status, body } => {
            let mut response = head(status, "application/json", None);
            for piece in body.chunks(CHUNK_PIECE) {
                response.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                response.extend_from_slice(piece);
                response.extend_from_slice(b"\r\n");
            }
            response.extend_from_slice(b"0\r\n\r\n");
            if write(&mut stream, &response).await {
                let _ = stream.shutdown().await;
            }
        }
        Fault::Redirect { location } => {
            let response = format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\
                 Connection: close\r\n\r\n"
            );
            if write(&mut stream, response.as_bytes()).await {
                let _ = stream.shutdown().await;
            }
        }
        Fault::Huge {
            status,
            len,
            framing,
        } => {
            let delivery = send_huge(&mut stream, status, len, framing).await;
            lock(&record.deliveries).push(delivery);
            record.delivered.notify_waiters();
        }
        Fault::Timeout | Fault::TimeoutAfterCommit => wait_for_close(&mut stream).await,
        Fault::TimeoutAfterHeaders => {
            if write(&mut stream, &head(200, "application/json", Some(ANNOUNCED))).await {
                wait_for_close(&mut stream).await;
            }
        }
        Fault::CloseBeforeResponse => drop(stream),
        Fault::ResetMidBody => {
            if write(
                &mut stream,
                &head(200, "application/json", Some(RESET_ANNOUNCED)),
            )
            .await
                && write(&mut stream, &[b' '; RESET_SENT]).await
            {
                // An RST, not a FIN: the client sees a reset, not an end.
                let _ = stream.set_zero_linger();
            }
            drop(stream);
        }
        Fault::ShortBody => {
            if write(&mut stream, &head(200, "application/json", Some(ANNOUNCED))).await {
                let _ = write(&mut stream, SHORT_BODY).await;
            }
            let _ = stream.shutdown().await;
        }
        Fault::DropAfterCommit => {
            let _ = write(&mut stream, &head(200, "application/json", None)).await;
            drop(stream);
        }
    }
}

/// A complete response with a `Content-Length`.
async fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) {
    let mut response = head(status, content_type, Some(body.len()));
    response.extend_from_slice(body);
    if write(stream, &response).await {
        let _ = stream.shutdown().await;
    }
}

/// Reads one request head and its `Content-Length` body; `None` when the
/// client went away first or the request is larger than the server reads.
async fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buf.len() >= MAX_REQUEST_BYTES {
            return None;
        }
        let n = timeout(MAX_WAIT, stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let content_length = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    if content_length > MAX_REQUEST_BYTES {
        return None;
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < content_length {
        let n = timeout(MAX_WAIT, stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(content_length);
    Some(Received { method, path, body })
}

/// A response head; `Connection: close`, since each connection serves one
/// request. Without a length the body is chunked.
fn head(status: u16, content_type: &str, content_length: Option<usize>) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nConnection: close\r\n",
        reason(status)
    );
    match content_length {
        Some(length) => head.push_str(&format!("Content-Length: {length}\r\n")),
        None => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    head.push_str("\r\n");
    head.into_bytes()
}

fn reason(status: u16) -> &'static str {
    axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("Whatever")
}

/// Writes all of `bytes`; `false` when the client is gone (or stalled for
/// [`MAX_WAIT`]).
async fn write(stream: &mut TcpStream, bytes: &[u8]) -> bool {
    matches!(timeout(MAX_WAIT, stream.write_all(bytes)).await, Ok(Ok(())))
}

/// Waits until the client closes the connection (a read gives 0 bytes or
/// fails), at most [`FAULT_HOLD`]; whatever it sends meanwhile is discarded.
async fn wait_for_close(stream: &mut TcpStream) {
    let mut sink = [0u8; 1024];
    let _ = timeout(FAULT_HOLD, async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// Sends a `len`-byte body piece by piece until it is all written or the
/// client stops taking it.
async fn send_huge(stream: &mut TcpStream, status: u16, len: usize, framing: Framing) -> Delivery {
    let content_length = (framing == Framing::ContentLength).then_some(len);
    let mut delivery = Delivery {
        written: 0,
        len,
        cut_by_client: false,
    };
    if !write(stream, &head(status, "application/json", content_length)).await {
        delivery.cut_by_client = true;
        return delivery;
    }
    for piece in (0..).map_while(|n| huge_piece(len, n)) {
        let sent = match framing {
            Framing::ContentLength => write(stream, &piece).await,
            Framing::Chunked => {
                let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
                framed.extend_from_slice(&piece);
                framed.extend_from_slice(b"\r\n");
                write(stream, &framed).await
            }
        };
        if !sent {
            delivery.cut_by_client = true;
            return delivery;
        }
        delivery.written += piece.len();
    }
    if framing == Framing::Chunked && !write(stream, b"0\r\n\r\n").await {
        delivery.cut_by_client = true;
        return delivery;
    }
    let _ = stream.shutdown().await;
    delivery
}
