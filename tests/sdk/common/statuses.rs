//! The error statuses every operation documents, as one table, and a runner
//! that answers an operation with each of them in turn.
//!
//! The documentation lists 400, 401, 403, 404 and 500 on every page, with
//! the same meaning and no body (reference §0). The table says what the
//! client makes of each; every operation's contract module runs it against
//! its own call and snapshots the messages. The runner takes the statuses to
//! check from the spec, so a status the spec starts to document cannot be
//! left out of the table unnoticed.

use std::{fmt::Debug, future::Future};

use cec_routes::Error;
use wiremock::ResponseTemplate;

use super::openapi;

/// What the client makes of one documented error status.
pub struct DocumentedError {
    /// The HTTP status.
    pub status: u16,
    /// The [`Error`] variant it becomes.
    pub variant: &'static str,
    /// Words of the documented meaning that the message must carry.
    pub meaning: &'static [&'static str],
    /// How many times the request is sent. A 401 is answered by one token
    /// refresh and one resend (a fixed token is sent again as it is); no
    /// other status is resent, so a create, modify or delete that may have
    /// reached CEC is sent once.
    pub sent: u64,
    /// What [`Error::may_have_reached_server`] says.
    pub may_have_reached_server: bool,
}

/// Every documented error status and what it becomes.
pub const DOCUMENTED_ERRORS: [DocumentedError; 5] = [
    DocumentedError {
        status: 400,
        variant: "BadRequest",
        meaning: &["check the request path and parameters"],
        sent: 1,
        may_have_reached_server: true,
    },
    DocumentedError {
        status: 401,
        variant: "Unauthorized",
        meaning: &["purchased", "customer service"],
        sent: 2,
        may_have_reached_server: true,
    },
    DocumentedError {
        status: 403,
        variant: "Forbidden",
        meaning: &["authentication failed"],
        sent: 1,
        may_have_reached_server: true,
    },
    DocumentedError {
        status: 404,
        variant: "NotFound",
        meaning: &["not found", "request path"],
        sent: 1,
        may_have_reached_server: true,
    },
    DocumentedError {
        status: 500,
        variant: "ServerFailure",
        meaning: &["business failure", "check the values of"],
        sent: 1,
        may_have_reached_server: true,
    },
];

/// The error statuses (not 2xx) the spec documents for an operation.
fn documented_error_statuses(operation_id: &str) -> Vec<u16> {
    let mut statuses: Vec<u16> = openapi::operation(operation_id)
        .responses()
        .into_iter()
        .map(|(status, _)| {
            status.parse().unwrap_or_else(|_| {
                panic!("{operation_id} documents `{status}`, not a single status")
            })
        })
        .filter(|status| !(200..300).contains(status))
        .collect();
    statuses.sort_unstable();
    statuses
}

/// The name of an error's variant, as its `Debug` spells it.
fn variant(error: &Error) -> String {
    format!("{error:?}")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// Answers `operation_id` with each error status its spec documents, one
/// fresh server per status: `answered_with(response, sent)` must make the
/// call against a server answering `response`, expect it `sent` times and
/// verify that. `says` is the body the server sends with each status.
///
/// Checks every row of [`DOCUMENTED_ERRORS`] (variant, status, documented
/// meaning, the server's body quoted, `may_have_reached_server`, how many
/// times it was sent) and returns the table with each message, to snapshot.
pub async fn answer_each_documented_error<T, Fut>(
    operation_id: &str,
    says: &[(u16, &str)],
    answered_with: impl Fn(ResponseTemplate, u64) -> Fut,
) -> String
where
    T: Debug,
    Fut: Future<Output = Result<T, Error>>,
{
    let in_table: Vec<u16> = DOCUMENTED_ERRORS.iter().map(|row| row.status).collect();
    assert_eq!(
        documented_error_statuses(operation_id),
        in_table,
        "the spec documents other error statuses for {operation_id} than the table: \
         add a row to DOCUMENTED_ERRORS in tests/sdk/common/statuses.rs for each new one"
    );
    let said: Vec<u16> = says.iter().map(|(status, _)| *status).collect();
    assert_eq!(said, in_table, "give the server's body for each status");

    let mut table =
        String::from("status | error         | sent | may have reached CEC | message\n");
    for (row, (_, body)) in DOCUMENTED_ERRORS.iter().zip(says) {
        let response = ResponseTemplate::new(row.status).set_body_string(*body);
        let outcome = answered_with(response, row.sent).await;
        let error = outcome.expect_err(&format!("status {} is an error", row.status));
        let message = error.to_string();

        assert_eq!(
            variant(&error),
            row.variant,
            "status {}: {error:?}",
            row.status
        );
        assert_eq!(error.status(), Some(row.status), "{error:?}");
        for words in row.meaning {
            assert!(
                message.contains(words),
                "status {}: the message does not say `{words}`: {message}",
                row.status
            );
        }
        assert!(
            message.contains(body),
            "status {}: the message does not quote the body: {message}",
            row.status
        );
        assert_eq!(
            error.may_have_reached_server(),
            row.may_have_reached_server,
            "status {}: {error:?}",
            row.status
        );
        table.push_str(&format!(
            "{:<6} | {:<13} | {:<4} | {:<20} | {message}\n",
            row.status, row.variant, row.sent, row.may_have_reached_server
        ));
    }
    table
}
