//! One vocabulary of faults, for both servers that misbehave on cue: the
//! [`Sandbox`](crate::Sandbox) ([`Sandbox::fail_request`](crate::Sandbox::fail_request):
//! the `n`th request of one operation, with the tenant's state behind it)
//! and the [`FaultServer`] (every request, nothing behind it).

mod inject;
mod server;

use std::time::Duration;

use axum::body::Bytes;

pub(crate) use inject::{Faults, connection, inject};
pub use server::{Delivery, FaultServer, Received};

use crate::wire::{
    CREATE_CALLED_ROUTE_PATH, DELETE_CALLED_ROUTE_PATH, Envelope, MODIFY_CALLED_ROUTE_PATH,
    QUERY_ACCESS_CODE_LIST_PATH, QUERY_CALLED_ROUTE_PATH, QUERY_IVR_FLOW_LIST_PATH,
    QUERY_SKILLS_PATH, TOKEN_PATH,
};

/// How long a fault that answers nothing ([`Fault::Timeout`],
/// [`Fault::TimeoutAfterHeaders`], [`Fault::TimeoutAfterCommit`]) holds a
/// request at most (the client giving up or the server stopping ends it
/// sooner): longer than any client timeout a test sets.
pub const FAULT_HOLD: Duration = Duration::from_secs(120);

/// What a server does to a request instead of answering it as CEC would.
///
/// Every variant works in both servers. A [`Sandbox`](crate::Sandbox)
/// applies it to the request a test picked
/// ([`Sandbox::fail_request`](crate::Sandbox::fail_request)): all but the
/// last three **before** the request is carried out (nothing changes), the
/// last three **after** it (the route is created, modified or deleted, but
/// the client cannot know it). A [`FaultServer`] applies it to every request
/// and carries nothing out, so there the last three act as [`Fault::Status`],
/// [`Fault::Timeout`] and a dropped connection.
///
/// # Examples
///
/// ```
/// use cec_routes_sandbox::{Fault, Framing};
///
/// let gateway = Fault::body(502, "text/html", "<html>Bad Gateway</html>");
/// let flood = Fault::Huge { status: 200, len: 20_000_000, framing: Framing::Chunked };
/// assert_ne!(gateway, flood);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status and the sandbox's refusal body,
    /// `{"returnCode": "SANDBOX-FAULT-<status>", "description": …}`.
    Status(u16),
    /// Answer HTTP 200 with this `returnCode`: a business failure.
    ReturnCode(String),
    /// Answer with exactly this status, content type and body (HTML from a
    /// gateway, an empty or truncated body, JSON of the wrong shape, …),
    /// framed by `Content-Length`.
    Respond {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type`.
        content_type: String,
        /// The body, byte for byte.
        body: Vec<u8>,
    },
    /// Answer with this status and a JSON body sent with
    /// `Transfer-Encoding: chunked` in pieces of 100 bytes, so its size is
    /// not known before it is read.
    RespondChunked {
        /// The HTTP status.
        status: u16,
        /// The body, byte for byte.
        body: Vec<u8>,
    },
    /// Answer `302 Found` with this `Location`.
    Redirect {
        /// Where the answer points.
        location: String,
    },
    /// Answer with a body of `len` bytes (`{"x":"xxxx…`, never valid JSON),
    /// produced as the client reads it.
    Huge {
        /// The HTTP status.
        status: u16,
        /// The body's length in bytes.
        len: usize,
        /// How the body's end is marked.
        framing: Framing,
    },
    /// Answer nothing until the client gives up (at most [`FAULT_HOLD`]).
    Timeout,
    /// Send the head of a 200 with `Content-Length: 100`, then nothing until
    /// the client gives up (at most [`FAULT_HOLD`]).
    TimeoutAfterHeaders,
    /// Close the connection without answering.
    CloseBeforeResponse,
    /// Send the head of a 200 with `Content-Length: 1000` and 100 bytes,
    /// then reset the connection (an RST, not a FIN).
    ResetMidBody,
    /// Send the head of a 200 with `Content-Length: 100` and 10 bytes, then
    /// close the connection: the body is cut short.
    ShortBody,
    /// Carry the request out, then answer with this HTTP status (and the
    /// sandbox's refusal body) instead.
    StatusAfterCommit(u16),
    /// Carry the request out, then answer nothing until the client gives up
    /// (at most [`FAULT_HOLD`]).
    TimeoutAfterCommit,
    /// Carry the request out, then send the answer's head and drop the
    /// connection before its body: the client sees a broken exchange.
    DropAfterCommit,
}

impl Fault {
    /// [`Fault::Respond`] with a JSON body.
    ///
    /// ```
    /// use cec_routes_sandbox::Fault;
    ///
    /// let truncated = Fault::json(200, r#"{"returnCode":"0","descr"#);
    /// ```
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Fault {
        Fault::body(status, "application/json", body)
    }

    /// [`Fault::Respond`] with a body of this content type.
    ///
    /// ```
    /// use cec_routes_sandbox::Fault;
    ///
    /// let throttled = Fault::body(429, "text/plain", "try again later");
    /// ```
    pub fn body(status: u16, content_type: impl Into<String>, body: impl Into<Vec<u8>>) -> Fault {
        Fault::Respond {
            status,
            content_type: content_type.into(),
            body: body.into(),
        }
    }

    /// Whether the request is carried out first.
    pub(crate) fn after_commit(&self) -> bool {
        matches!(
            self,
            Fault::StatusAfterCommit(_) | Fault::TimeoutAfterCommit | Fault::DropAfterCommit
        )
    }
}

/// How the end of a [`Fault::Huge`] body is marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: len`.
    ContentLength,
    /// `Transfer-Encoding: chunked`, so the client cannot know the size
    /// before reading.
    Chunked,
}

/// One of the sandbox's endpoints, by its operationId.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `tokenByAkSk`.
    TokenByAkSk,
    /// `queryAccessCodeList`.
    QueryAccessCodeList,
    /// `createCalledRoute`.
    CreateCalledRoute,
    /// `queryCalledRoute`.
    QueryCalledRoute,
    /// `modifyCalledRoute`.
    ModifyCalledRoute,
    /// `deleteCalledRoute`.
    DeleteCalledRoute,
    /// `querySkills`.
    QuerySkills,
    /// `queryIVRFlowList`.
    QueryIvrFlowList,
}

impl Operation {
    /// How many operations there are.
    pub(crate) const COUNT: usize = 8;

    const ALL: [Operation; Operation::COUNT] = [
        Operation::TokenByAkSk,
        Operation::QueryAccessCodeList,
        Operation::CreateCalledRoute,
        Operation::QueryCalledRoute,
        Operation::ModifyCalledRoute,
        Operation::DeleteCalledRoute,
        Operation::QuerySkills,
        Operation::QueryIvrFlowList,
    ];

    fn path(self) -> &'static str {
        match self {
            Operation::TokenByAkSk => TOKEN_PATH,
            Operation::QueryAccessCodeList => QUERY_ACCESS_CODE_LIST_PATH,
            Operation::CreateCalledRoute => CREATE_CALLED_ROUTE_PATH,
            Operation::QueryCalledRoute => QUERY_CALLED_ROUTE_PATH,
            Operation::ModifyCalledRoute => MODIFY_CALLED_ROUTE_PATH,
            Operation::DeleteCalledRoute => DELETE_CALLED_ROUTE_PATH,
            Operation::QuerySkills => QUERY_SKILLS_PATH,
            Operation::QueryIvrFlowList => QUERY_IVR_FLOW_LIST_PATH,
        }
    }

    fn index(self) -> usize {
        match self {
            Operation::TokenByAkSk => 0,
            Operation::QueryAccessCodeList => 1,
            Operation::CreateCalledRoute => 2,
            Operation::QueryCalledRoute => 3,
            Operation::ModifyCalledRoute => 4,
            Operation::DeleteCalledRoute => 5,
            Operation::QuerySkills => 6,
            Operation::QueryIvrFlowList => 7,
        }
    }

    fn of_path(path: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.path() == path)
    }
}

/// The description of every injected answer.
const INJECTED: &str = "a fault the sandbox was told to inject";

/// The body of [`Fault::Status`] and [`Fault::StatusAfterCommit`], in the
/// envelope of the operation asked for.
fn status_body(envelope: Envelope, status: u16) -> Vec<u8> {
    return_result_body(envelope, format!("SANDBOX-FAULT-{status}"))
}

/// The body of [`Fault::ReturnCode`], in the envelope of the operation
/// asked for (`{"retCode", "message"}` for `queryIVRFlowList`).
fn return_result_body(envelope: Envelope, code: String) -> Vec<u8> {
    envelope.body(code, INJECTED).to_string().into_bytes()
}

/// The body of [`Fault::ShortBody`]'s 10 bytes.
const SHORT_BODY: &[u8] = br#"{"returnCo"#;
/// What [`Fault::ShortBody`] and [`Fault::TimeoutAfterHeaders`] announce.
const ANNOUNCED: usize = 100;
/// What [`Fault::ResetMidBody`] announces, and sends before the reset.
const RESET_ANNOUNCED: usize = 1000;
const RESET_SENT: usize = 100;
/// The pieces of a [`Fault::RespondChunked`] body.
const CHUNK_PIECE: usize = 100;
/// The pieces a [`Fault::Huge`] body is produced in.
const HUGE_PIECE: usize = 64 * 1024;

/// The `n`th piece of a [`Fault::Huge`] body of `len` bytes, if any: the
/// first opens a JSON object, the rest is padding.
fn huge_piece(len: usize, n: usize) -> Option<Bytes> {
    let start = n.checked_mul(HUGE_PIECE)?;
    if start >= len {
        return None;
    }
    let mut piece = vec![b'x'; HUGE_PIECE.min(len - start)];
    if n == 0 {
        let open = br#"{"x":""#;
        let prefix = open.len().min(piece.len());
        piece[..prefix].copy_from_slice(&open[..prefix]);
    }
    Some(Bytes::from(piece))
}
