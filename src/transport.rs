//! The HTTP plumbing under the client: timeouts, the reqwest client, the
//! base-URL check, the cap on response bodies and the reading of error
//! bodies.
//!
//! A leaf: it imports nothing from the rest of the crate. Its failures are
//! its own small types ([`SetupError`], [`BodyTooLarge`]); the callers turn
//! them into [`Error`](crate::Error)s.

use std::{error::Error as StdError, fmt, net::IpAddr, pin::pin, time::Duration};

use bytes::Bytes;
use futures::{Stream, StreamExt, stream};

/// How much of an error response body is read, at most.
const ERROR_BODY_CAP: usize = 64 * 1024;

/// The two timeouts of every request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    /// The whole request, from sending to the end of the response body.
    pub(crate) request: Duration,
    /// Making the connection.
    pub(crate) connect: Duration,
}

/// Why the HTTP side cannot be set up: one sentence, lower-case, that says
/// what to fix.
#[derive(Debug)]
pub(crate) struct SetupError(String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The HTTP client every request goes through: rustls, no redirects (a
/// bearer token must never follow a redirect elsewhere), the timeouts.
pub(crate) fn http_client(timeouts: Timeouts) -> Result<reqwest::Client, SetupError> {
    reqwest::Client::builder()
        .user_agent(concat!("cec-routes/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeouts.request)
        .connect_timeout(timeouts.connect)
        .build()
        .map_err(|e| SetupError(format!("the HTTP client could not be built: {e}")))
}

/// Checks a base URL and returns it without a trailing slash. Plain `http`
/// is refused unless the host is loopback or `allow_http` is set.
pub(crate) fn check_base_url(base_url: &str, allow_http: bool) -> Result<String, SetupError> {
    let refuse = |reason: String| Err(SetupError(reason));
    let url = match url::Url::parse(base_url.trim()) {
        Ok(url) => url,
        Err(e) => return refuse(format!("base URL `{base_url}` is not a URL ({e})")),
    };
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return refuse(format!(
            "base URL `{base_url}` must not carry credentials, a query or a fragment"
        ));
    }
    let Some(host) = url.host_str() else {
        return refuse(format!("base URL `{base_url}` has no host"));
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(host) => {}
        "http" => {
            return refuse(format!(
                "base URL `{base_url}` is plain http to a host that is not loopback: tokens would \
                 cross the network in clear text; use https, or allow insecure http explicitly"
            ));
        }
        scheme => {
            return refuse(format!(
                "base URL `{base_url}` has scheme `{scheme}`; use https"
            ));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why a response body stopped being read: it is larger than the limit.
/// Travels inside the `reqwest::Error` the generated code gets while reading
/// the body; [`too_large`] finds it again.
#[derive(Debug)]
pub(crate) struct BodyTooLarge {
    pub(crate) limit: usize,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the response body is larger than the {}-byte limit",
            self.limit
        )
    }
}

impl StdError for BodyTooLarge {}

/// The limit a body broke, when `error` (or one of its causes) is
/// [`BodyTooLarge`].
pub(crate) fn too_large(error: &(dyn StdError + 'static)) -> Option<usize> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(too_large) = error.downcast_ref::<BodyTooLarge>() {
            return Some(too_large.limit);
        }
        cause = error.source();
    }
    None
}

type BoxError = Box<dyn StdError + Send + Sync>;

/// `response` with a body that yields at most `limit` bytes, then a
/// [`BodyTooLarge`] error.
///
/// A success whose `Content-Length` is over the limit fails before a byte is
/// read, and any other success body fails as soon as more than the limit has
/// arrived; the connection is then dropped, so the rest is never read. A
/// success body whose declared length fits is passed through untouched (the
/// HTTP framing holds it to that length), so the common case costs nothing.
/// Error bodies pass untouched: [`read_error_body`] reads at most 64 KiB.
pub(crate) fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    if !response.status().is_success() {
        return response;
    }
    let declared_over = match response.content_length() {
        Some(length) if length <= limit as u64 => return response,
        Some(_) => true,
        None => false,
    };
    // Through `http::Response`, so that status, version, headers and URL
    // survive; only the body is replaced.
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let body = if declared_over {
        // Dropping the body closes the connection: nothing more is read.
        drop(body);
        reqwest::Body::wrap_stream(stream::once(async move {
            Err::<Bytes, BoxError>(Box::new(BodyTooLarge { limit }))
        }))
    } else {
        let chunks = reqwest::Response::from(http::Response::new(body)).bytes_stream();
        reqwest::Body::wrap_stream(capped(chunks, limit))
    };
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// The chunks of `body` until more than `limit` bytes have come, then one
/// [`BodyTooLarge`] error; the body is dropped with the error.
fn capped(
    body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
    limit: usize,
) -> impl Stream<Item = Result<Bytes, BoxError>> + Send + 'static {
    let body = Box::pin(body);
    stream::unfold(Some((body, 0usize)), move |state| async move {
        let (mut body, read) = state?;
        match body.next().await? {
            Ok(chunk) => {
                let read = read.saturating_add(chunk.len());
                if read > limit {
                    Some((Err(Box::new(BodyTooLarge { limit }) as BoxError), None))
                } else {
                    Some((Ok(chunk), Some((body, read))))
                }
            }
            Err(error) => Some((Err(Box::new(error) as BoxError), None)),
        }
    })
}

/// The first 64 KiB at most of an error body; a body that breaks off is
/// what arrived until then.
pub(crate) async fn read_error_body(body: impl Stream<Item = reqwest::Result<Bytes>>) -> Vec<u8> {
    let mut body = pin!(body);
    let mut bytes = Vec::new();
    while let Some(Ok(chunk)) = body.next().await {
        let room = ERROR_BODY_CAP - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= ERROR_BODY_CAP {
            break;
        }
    }
    bytes
}
