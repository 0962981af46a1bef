//! A loopback HTTP/1.1 server that misbehaves on cue, for fault-injection
//! tests.
//!
//! Each connection serves one request (the request is read whole, counted and
//! recorded first), then suffers the [`Fault`] the server was started with.
//! The server stops when it is dropped (its accept task, and with it every
//! connection task, is aborted), and every loop in it is bounded: it accepts
//! at most [`MAX_CONNECTIONS`], reads at most [`MAX_REQUEST_BYTES`] of a
//! request, and waits at most [`MAX_WAIT`] for anything.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::{JoinHandle, JoinSet},
    time::timeout,
};

/// The most connections one server accepts; it stops accepting after that.
pub const MAX_CONNECTIONS: usize = 64;
/// The most bytes of one request (head and body) the server reads.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The longest the server waits for a read, a write, or for the client to
/// go away.
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// How much a huge body writes per `write_all`.
const CHUNK: usize = 64 * 1024;

/// What the server does once it has read a request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Closes the connection without answering.
    CloseBeforeResponse,
    /// Sends nothing, and waits for the client to give up.
    SilenceBeforeHeaders,
    /// Sends the head (`Content-Length: 100`) and then nothing, and waits
    /// for the client to give up.
    SilenceAfterHeaders,
    /// Sends the head (`Content-Length: 1000`) and 100 bytes, then resets
    /// the connection (`SO_LINGER` 0, so the close sends an RST).
    ResetMidBody,
    /// Sends the head (`Content-Length: 100`) and 10 bytes, then closes
    /// cleanly: the body is cut short.
    ShortBody,
    /// A complete response.
    Respond {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// A complete response, its body sent with `Transfer-Encoding: chunked`
    /// in pieces of 100 bytes (so its size is not known before it is read).
    RespondChunked { status: u16, body: Vec<u8> },
    /// `302 Found` to `location`.
    Redirect { location: String },
    /// A body of `len` bytes (`{"x":"xxxx…` — never valid JSON), framed as
    /// `framing` says.
    Huge {
        status: u16,
        len: usize,
        framing: Framing,
    },
}

/// How a huge body's end is marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: len`.
    ContentLength,
    /// `Transfer-Encoding: chunked`, so the client cannot know the size
    /// before reading.
    Chunked,
}

impl Fault {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: &str) -> Fault {
        Fault::Respond {
            status,
            content_type: "application/json",
            body: body.as_bytes().to_vec(),
        }
    }

    /// `status` with a body of this content type.
    pub fn body(status: u16, content_type: &'static str, body: &str) -> Fault {
        Fault::Respond {
            status,
            content_type,
            body: body.as_bytes().to_vec(),
        }
    }

    /// The documented success of every business operation.
    pub fn success() -> Fault {
        Fault::json(200, r#"{"returnCode":"0","description":"success"}"#)
    }
}

/// One request the server read.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

/// What became of one response body the server tried to send.
#[derive(Clone, Copy, Debug)]
pub struct Delivery {
    /// The body bytes written before the server stopped.
    pub written: usize,
    /// The body bytes it meant to write.
    pub len: usize,
    /// Whether the client closed the connection (a write failed, or
    /// stalled for [`MAX_WAIT`]) before the whole body was written.
    pub cut_by_client: bool,
}

#[derive(Default)]
struct State {
    requests: AtomicUsize,
    received: Mutex<Vec<Received>>,
    deliveries: Mutex<Vec<Delivery>>,
    delivered: Notify,
}

/// A running fault server; dropping it stops it.
pub struct FaultServer {
    addr: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl FaultServer {
    /// Starts a server on `127.0.0.1:0` that answers every request with
    /// `fault`.
    pub async fn start(fault: Fault) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        FaultServer::serve(listener, fault)
    }

    /// Serves `fault` on a listener the test bound itself (e.g. late, on a
    /// port that refused connections a moment ago).
    pub fn serve(listener: TcpListener, fault: Fault) -> FaultServer {
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let state = Arc::new(State::default());
        let accept = tokio::spawn(accept_loop(listener, fault, state.clone()));
        FaultServer {
            addr,
            state,
            accept,
        }
    }

    /// A base URL on which connections are refused: a port bound and
    /// released at once, so nothing listens there.
    pub fn refused() -> String {
        format!("http://{}", refused_addr())
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests the server read (whole heads and bodies).
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// How many of those requests were for `path`.
    pub fn requests_to(&self, path: &str) -> usize {
        self.received().iter().filter(|r| r.path == path).count()
    }

    /// Every request the server read, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.state.received).clone()
    }

    /// The deliveries of huge bodies, once `count` of them are over (or
    /// after [`MAX_WAIT`], with those that are).
    pub async fn deliveries(&self, count: usize) -> Vec<Delivery> {
        let wait = async {
            loop {
                let delivered = self.state.delivered.notified();
                let deliveries = lock(&self.state.deliveries).clone();
                if deliveries.len() >= count {
                    return deliveries;
                }
                delivered.await;
            }
        };
        match timeout(MAX_WAIT, wait).await {
            Ok(deliveries) => deliveries,
            Err(_) => lock(&self.state.deliveries).clone(),
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

/// An address nothing listens on.
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port is free");
    listener
        .local_addr()
        .expect("a bound listener has an address")
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept_loop(listener: TcpListener, fault: Fault, state: Arc<State>) {
    let mut connections = JoinSet::new();
    for _ in 0..MAX_CONNECTIONS {
        let Ok((stream, _)) = listener.accept().await else {
            break;
        };
        connections.spawn(serve_one(stream, fault.clone(), state.clone()));
        // Reap finished connections so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    // Keep the connections alive until the server is dropped.
    while connections.join_next().await.is_some() {}
}

async fn serve_one(mut stream: TcpStream, fault: Fault, state: Arc<State>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    lock(&state.received).push(request);
    state.requests.fetch_add(1, Ordering::SeqCst);

    match fault {
        Fault::CloseBeforeResponse => drop(stream),
        Fault::SilenceBeforeHeaders => wait_for_close(&mut stream).await,
        Fault::SilenceAfterHeaders => {
            if write(&mut stream, &head(200, "application/json", Some(100))).await {
                wait_for_close(&mut stream).await;
            }
        }
        Fault::ResetMidBody => {
            if write(&mut stream, &head(200, "application/json", Some(1000))).await
                && write(&mut stream, &[b' '; 100]).await
            {
                // An RST, not a FIN: the client sees a reset, not an end.
                let _ = stream.set_zero_linger();
            }
            drop(stream);
        }
        Fault::ShortBody => {
            if write(&mut stream, &head(200, "application/json", Some(100))).await {
                let _ = write(&mut stream, br#"{"returnCo"#).await;
            }
            let _ = stream.shutdown().await;
        }
        Fault::Respond {
            status,
            content_type,
            body,
        } => {
            let mut response = head(status, content_type, Some(body.len()));
            response.extend_from_slice(&body);
            if write(&mut stream, &response).await {
                let _ = stream.shutdown().await;
            }
        }
        Fault::RespondChunked { status, body } => {
            let mut response = head(status, "application/json", None);
            for piece in body.chunks(100) {
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
            lock(&state.deliveries).push(delivery);
            state.delivered.notify_waiters();
        }
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
/// request.
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
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Whatever",
    }
}

/// Writes all of `bytes`; `false` when the client is gone (or stalled for
/// [`MAX_WAIT`]).
async fn write(stream: &mut TcpStream, bytes: &[u8]) -> bool {
    matches!(timeout(MAX_WAIT, stream.write_all(bytes)).await, Ok(Ok(())))
}

/// Waits until the client closes the connection (a read gives 0 bytes or
/// fails), at most [`MAX_WAIT`]; whatever it sends meanwhile is discarded.
async fn wait_for_close(stream: &mut TcpStream) {
    let mut sink = [0u8; 1024];
    let _ = timeout(MAX_WAIT, async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// Sends a `len`-byte body in [`CHUNK`]s until it is all written or the
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
    let mut chunk = vec![b'x'; CHUNK];
    chunk[..6].copy_from_slice(br#"{"x":""#);
    while delivery.written < len {
        let piece = &chunk[..CHUNK.min(len - delivery.written)];
        let sent = match framing {
            Framing::ContentLength => write(stream, piece).await,
            Framing::Chunked => {
                let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
                framed.extend_from_slice(piece);
                framed.extend_from_slice(b"\r\n");
                write(stream, &framed).await
            }
        };
        if !sent {
            delivery.cut_by_client = true;
            return delivery;
        }
        delivery.written += piece.len();
        // Only the first piece opens the JSON; the rest is padding.
        chunk[..6].copy_from_slice(b"xxxxxx");
    }
    if framing == Framing::Chunked && !write(stream, b"0\r\n\r\n").await {
        delivery.cut_by_client = true;
        return delivery;
    }
    let _ = stream.shutdown().await;
    delivery
}
