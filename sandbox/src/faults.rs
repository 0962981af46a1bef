//! Faults on demand and the in-flight count: a middleware in front of every
//! endpoint that counts requests per operation, fails the one a test asked
//! for, and records the most requests under way at once.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Json,
    body::{Body, Bytes},
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{
    Shared,
    handlers::{
        CREATE_CALLED_ROUTE_PATH, DELETE_CALLED_ROUTE_PATH, MODIFY_CALLED_ROUTE_PATH,
        QUERY_ACCESS_CODE_LIST_PATH, QUERY_CALLED_ROUTE_PATH, TOKEN_PATH,
    },
};
use cec_routes::generated::types;

/// How long a [`Fault::Timeout`] or [`Fault::TimeoutAfterCommit`] request
/// is held at most (the sandbox's shutdown ends it sooner): longer than any
/// client timeout a test sets.
pub const FAULT_HOLD: Duration = Duration::from_secs(120);

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
}

impl Operation {
    const ALL: [Operation; 6] = [
        Operation::TokenByAkSk,
        Operation::QueryAccessCodeList,
        Operation::CreateCalledRoute,
        Operation::QueryCalledRoute,
        Operation::ModifyCalledRoute,
        Operation::DeleteCalledRoute,
    ];

    fn path(self) -> &'static str {
        match self {
            Operation::TokenByAkSk => TOKEN_PATH,
            Operation::QueryAccessCodeList => QUERY_ACCESS_CODE_LIST_PATH,
            Operation::CreateCalledRoute => CREATE_CALLED_ROUTE_PATH,
            Operation::QueryCalledRoute => QUERY_CALLED_ROUTE_PATH,
            Operation::ModifyCalledRoute => MODIFY_CALLED_ROUTE_PATH,
            Operation::DeleteCalledRoute => DELETE_CALLED_ROUTE_PATH,
        }
    }

    fn index(self) -> usize {
        Operation::ALL
            .iter()
            .position(|o| *o == self)
            .expect("every operation is in ALL")
    }

    fn of_path(path: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.path() == path)
    }
}

/// What the sandbox does to a request a test picked
/// ([`Sandbox::fail_request`](super::Sandbox::fail_request)).
///
/// The first three happen **before** the request is carried out (nothing
/// changes); the last three **after** it was (the route is created, modified
/// or deleted, but the client cannot know it).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status and the sandbox's refusal body; nothing
    /// is done.
    Status(u16),
    /// Answer HTTP 200 with this `returnCode`; nothing is done.
    ReturnCode(String),
    /// Do not answer until the client gives up (at most [`FAULT_HOLD`]);
    /// nothing is done.
    Timeout,
    /// Carry the request out, then answer with this HTTP status instead.
    StatusAfterCommit(u16),
    /// Carry the request out, then do not answer until the client gives up
    /// (at most [`FAULT_HOLD`]).
    TimeoutAfterCommit,
    /// Carry the request out, then send the status line and drop the
    /// connection before the body: the client sees a broken exchange.
    DropAfterCommit,
}

impl Fault {
    fn after_commit(&self) -> bool {
        matches!(
            self,
            Fault::StatusAfterCommit(_) | Fault::TimeoutAfterCommit | Fault::DropAfterCommit
        )
    }
}

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
    counts: [AtomicUsize; 6],
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
    if fault.after_commit() {
        let response = next.run(request).await;
        return match fault {
            Fault::StatusAfterCommit(status) => status_response(status),
            Fault::TimeoutAfterCommit => hold(&shared).await,
            _ => dropped(response),
        };
    }
    match fault {
        Fault::Status(status) => status_response(status),
        Fault::ReturnCode(code) => Json(types::ReturnResult {
            return_code: Some(code),
            description: Some("a fault the sandbox was told to inject".to_owned()),
        })
        .into_response(),
        _ => hold(&shared).await,
    }
}

fn status_response(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(types::ReturnResult {
            return_code: Some(format!("SANDBOX-FAULT-{}", status.as_u16())),
            description: Some("a fault the sandbox was told to inject".to_owned()),
        }),
    )
        .into_response()
}

/// Waits until the sandbox stops (or [`FAULT_HOLD`]): the client times out
/// first.
async fn hold(shared: &Shared) -> Response {
    let mut stopping = shared.stopping.subscribe();
    tokio::select! {
        _ = tokio::time::sleep(FAULT_HOLD) => {}
        _ = stopping.wait_for(|stopping| *stopping) => {}
    }
    status_response(503)
}

/// The response's status line, then a body that fails: the connection is
/// dropped mid-answer.
fn dropped(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    let body = Body::from_stream(futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "the sandbox dropped the connection (injected fault)",
        ))
    }));
    Response::from_parts(parts, body)
}
