//! The one error type of cec-routes.

use std::{fmt, sync::Arc, time::Duration};

use reqwest::StatusCode;

use crate::limits::BODY_SNIPPET_CHARS;

/// Everything that can go wrong, by cause.
///
/// Every variant says whether the request may have reached CEC
/// ([`Error::may_have_reached_server`]); the text (`Display`) says only what
/// went wrong, and leaves that advice to the caller, who knows whether the
/// request changed anything (a create, modify or delete) or only read (a
/// query, where it does not matter). CEC has no idempotency key, so a
/// create or delete that may have reached the server is never resent by
/// this crate: the [`RetryPolicy`](crate::RetryPolicy) resends queries and
/// token requests after a timeout, a lost connection, 429, 502, 503 or 504,
/// but a write only after an answer that shows it was not carried out (429;
/// for a modify also a 503 with an empty body). A refused connection (nothing
/// sent) is tried again for every operation, and a 401 is answered by one
/// token refresh and one resend (the server refused the request before
/// acting on it). The error returned is the last attempt's.
///
/// No variant ever holds an app secret or an access token, and the bodies it
/// quotes are cut to [`BODY_SNIPPET_CHARS`] characters.
///
/// Memory is bounded too: a response body is read only up to the client's
/// limit ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes),
/// default [`DEFAULT_MAX_RESPONSE_BYTES`](crate::config::DEFAULT_MAX_RESPONSE_BYTES), 1 MiB); a
/// larger success is [`Error::ResponseTooLarge`], and an error status is
/// reported with the start of its body (at most 64 KiB are read).
///
/// # Examples
///
/// ```
/// use cec_routes::{CalledRoute, Device, Error};
///
/// let err = CalledRoute::new("", Device::SkillQueue(1)).unwrap_err();
/// assert!(matches!(err, Error::InvalidInput { field: "accessCode", .. }));
/// assert!(!err.may_have_reached_server());
/// assert_eq!(err.to_string(), "invalid accessCode: must not be empty");
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value breaks a documented rule; nothing was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field as it is named on the wire (`accessCode`, `extCode`, …).
        field: &'static str,
        /// What is wrong with the value, with the limit where there is one.
        reason: String,
    },

    /// The client's configuration is unusable; nothing was sent to CEC's
    /// business operations. Found when the client is built, or when the
    /// token endpoint answers 404 (the configured URL is wrong).
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// No access token could be obtained: the `tokenByAkSk` endpoint
    /// refused (401, 403, another status) or gave no usable token, or a
    /// token provider refused; the business request was not sent. A token
    /// endpoint that cannot be reached is [`Error::Connect`] instead, and
    /// one that answers 404 is [`Error::Config`]: neither says anything
    /// about the credentials.
    #[error("authentication failed: {reason}")]
    Auth {
        /// What failed: the endpoint and status, never the secret.
        reason: String,
        /// The token endpoint's HTTP status, when it answered.
        status: Option<u16>,
    },

    /// 200 with a `returnCode` other than `"0"`: CEC refused the request.
    #[error("CEC refused the request: returnCode {code}{}", describe(description))]
    Business {
        /// CEC's `returnCode`.
        code: String,
        /// CEC's `description`, when it sent one.
        description: Option<String>,
    },

    /// A deletion removed only some of the routes (or, across several
    /// requests, some requests failed).
    #[error(
        "only part of the deletion succeeded: deleted [{}], not deleted or not confirmed [{}]{}",
        list(deleted),
        list(failed),
        cause.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
    )]
    PartialDeletion {
        /// The routes deleted, as CEC names them.
        deleted: Vec<String>,
        /// The routes CEC did not delete, and `dnid N` for each route of a
        /// request that failed (which may still have been carried out if
        /// the cause says the request may have reached CEC).
        failed: Vec<String>,
        /// Why a request failed, when one did.
        cause: Option<String>,
    },

    /// CEC answered a deletion with success (`returnCode` `"0"`), but its
    /// answer does not confirm it route by route: it named no deleted
    /// route, or more routes than dnids were sent. The routes may or may
    /// not be gone: list them to know.
    #[error(
        "the deletion is not confirmed: {reason}; list the routes to see which remain{}",
        if deleted.is_empty() { String::new() } else { format!(" (CEC named as deleted: {})", list(deleted)) }
    )]
    UnconfirmedDeletion {
        /// The dnids whose deletion CEC's answer does not confirm.
        dnids: Vec<i64>,
        /// Every route CEC named as deleted, in every request (access code
        /// and extension code run together, as CEC names them).
        deleted: Vec<String>,
        /// What CEC's answer left unconfirmed.
        reason: String,
    },

    /// 400: incorrect request.
    #[error(
        "bad request (400): check the request path and parameters{}",
        snippet(body)
    )]
    BadRequest {
        /// The start of the response body.
        body: String,
    },

    /// 401: unauthorized, even after one token refresh.
    #[error(
        "unauthorized (401): check that the CEC service is purchased and ask customer service \
         to check the account's status{}",
        snippet(body)
    )]
    Unauthorized {
        /// The start of the response body.
        body: String,
    },

    /// 403: authentication failed.
    #[error(
        "forbidden (403): authentication failed; check the app key and token{}",
        snippet(body)
    )]
    Forbidden {
        /// The start of the response body.
        body: String,
    },

    /// 404: the requested content was not found.
    #[error(
        "not found (404): check the base URL and request path{}",
        snippet(body)
    )]
    NotFound {
        /// The start of the response body.
        body: String,
    },

    /// 500: business failure.
    #[error(
        "business failure (500): check the values of the request's parameters{}",
        snippet(body)
    )]
    ServerFailure {
        /// The start of the response body.
        body: String,
    },

    /// A status the documentation does not list (a redirect, 429, 502, …).
    #[error("unexpected HTTP status {status}{}", snippet(body))]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        body: String,
    },

    /// The response could not be understood, so the outcome is unknown.
    #[error("could not decode the {operation} response: {reason}{}", snippet(body))]
    Decode {
        /// The operation, as its operationId.
        operation: &'static str,
        /// What was wrong with the response.
        reason: String,
        /// The start of the response body.
        body: String,
    },

    /// The response body is larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)):
    /// reading stopped there, so the outcome is unknown.
    #[error(
        "the {operation} response is larger than the {limit}-byte limit, so its outcome is \
         unknown"
    )]
    ResponseTooLarge {
        /// The operation, as its operationId.
        operation: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },

    /// No connection could be made (refused, a name that does not resolve,
    /// a TLS handshake that failed), to CEC or to its token endpoint; the
    /// request was certainly not sent.
    #[error("could not connect to {url}: {detail}")]
    Connect {
        /// The URL that was tried.
        url: String,
        /// What went wrong, with its causes.
        detail: String,
        /// The underlying error.
        #[source]
        source: Arc<reqwest::Error>,
    },

    /// The request or its response took longer than the configured timeout.
    #[error("timed out after {timeout:?}")]
    Timeout {
        /// The timeout that ran out.
        timeout: Duration,
    },

    /// The connection failed after the request may have been sent.
    #[error("connection failed during the exchange: {detail}")]
    Transport {
        /// What went wrong, with its causes.
        detail: String,
        /// The underlying error.
        #[source]
        source: Arc<reqwest::Error>,
    },
}

fn describe(description: &Option<String>) -> String {
    match description {
        Some(d) if !d.is_empty() => format!(": {d}"),
        _ => String::new(),
    }
}

/// A list for a message: the first ten items, then how many more.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

fn snippet(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!("; the response said: {body}")
    }
}

impl Error {
    /// Whether the request may have reached CEC (and so may have had an
    /// effect). `false` means it certainly was not sent, or that CEC answered
    /// that it did not act on it.
    ///
    /// A create or modify for which this is `true` must not be repeated
    /// blindly: query the routes first.
    pub fn may_have_reached_server(&self) -> bool {
        match self {
            Error::InvalidInput { .. }
            | Error::Config { .. }
            | Error::Auth { .. }
            | Error::Connect { .. } => false,
            // CEC answered; it says what it did.
            Error::Business { .. }
            | Error::PartialDeletion { .. }
            | Error::UnconfirmedDeletion { .. }
            | Error::BadRequest { .. }
            | Error::Unauthorized { .. }
            | Error::Forbidden { .. }
            | Error::NotFound { .. } => true,
            Error::ServerFailure { .. }
            | Error::UnexpectedStatus { .. }
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Timeout { .. }
            | Error::Transport { .. } => true,
        }
    }

    /// The HTTP status CEC answered with, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Business { .. }
            | Error::UnconfirmedDeletion { .. }
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. } => Some(200),
            Error::BadRequest { .. } => Some(400),
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::ServerFailure { .. } => Some(500),
            Error::UnexpectedStatus { status, .. } => Some(*status),
            Error::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// CEC's `returnCode`, for a business failure.
    pub fn return_code(&self) -> Option<&str> {
        match self {
            Error::Business { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether this is an authentication or authorisation failure (no token,
    /// 401 or 403).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::Auth { .. } | Error::Unauthorized { .. } | Error::Forbidden { .. }
        )
    }

    /// Whether the input was refused before anything was sent.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }

    pub(crate) fn invalid(field: &'static str, reason: impl fmt::Display) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.to_string(),
        }
    }

    pub(crate) fn config(reason: impl fmt::Display) -> Self {
        Error::Config {
            reason: reason.to_string(),
        }
    }

    /// The error for an HTTP status, with the documented meaning.
    pub(crate) fn from_status(status: StatusCode, body: String) -> Self {
        match status.as_u16() {
            400 => Error::BadRequest { body },
            401 => Error::Unauthorized { body },
            403 => Error::Forbidden { body },
            404 => Error::NotFound { body },
            500 => Error::ServerFailure { body },
            status => Error::UnexpectedStatus { status, body },
        }
    }
}

/// Checks a text field's length in the SDK's own words (the generated
/// types would say "shorter than 1 characters"): `empty` is the reason for
/// an empty value (`None`: an empty value is allowed), and at most `max`
/// characters are allowed.
pub(crate) fn check_length(
    field: &'static str,
    value: &str,
    empty: Option<&str>,
    max: usize,
) -> Result<(), Error> {
    let count = value.chars().count();
    match empty {
        Some(reason) if count == 0 => Err(Error::invalid(field, reason)),
        _ if count > max => {
            // A value far over the limit is shown cut.
            let shown: String = value.chars().take(max + 8).collect();
            let cut = if count > max + 8 { "…" } else { "" };
            Err(Error::invalid(
                field,
                format!(
                    "must be at most {}; `{shown}{cut}` has {count}",
                    characters(max)
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// `1 character`, `12 characters`.
fn characters(n: usize) -> String {
    if n == 1 {
        "1 character".to_owned()
    } else {
        format!("{n} characters")
    }
}

/// Cuts a body to [`BODY_SNIPPET_CHARS`] characters, lossily decoded, after
/// replacing every secret in it with `[REDACTED]` (before the cut, so no
/// part of a secret survives it).
pub(crate) fn body_snippet(bytes: &[u8], secrets: &[&str]) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "[REDACTED]");
    }
    let text = text.trim();
    let mut out: String = text.chars().take(BODY_SNIPPET_CHARS).collect();
    if text.chars().count() > BODY_SNIPPET_CHARS {
        out.push('…');
    }
    out
}

/// An error's text followed by each of its causes.
pub(crate) fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
