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
/// bearer token must never follow a redirect elsewhere), the timeouts, the
/// proxies.
pub(crate) fn http_client(
    timeouts: Timeouts,
    proxy: &ProxyChoice,
) -> Result<reqwest::Client, SetupError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("cec-routes/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeouts.request)
        .connect_timeout(timeouts.connect)
        // Only the proxies chosen below, never reqwest's own reading of the
        // environment (it would send loopback requests through them too).
        .no_proxy();
    for proxy in proxies(proxy)? {
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|e| SetupError(format!("the HTTP client could not be built: {e}")))
}

/// Where requests go: through the environment's proxies, one proxy, or
/// straight to the server. Loopback hosts are always reached directly.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) enum ProxyChoice {
    /// `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY` (or their lower-case
    /// spellings), except for the hosts in `NO_PROXY`, as curl reads them.
    #[default]
    Environment,
    /// Every request through this proxy.
    Url(String),
    /// No proxy at all.
    Off,
}

impl fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyChoice::Environment => f.write_str("Environment"),
            ProxyChoice::Url(url) => f.debug_tuple("Url").field(&without_password(url)).finish(),
            ProxyChoice::Off => f.write_str("Off"),
        }
    }
}

/// The hosts no proxy ever carries a request to: the loopback ones.
const LOOPBACK_HOSTS: &str = "localhost,127.0.0.0/8,::1";

/// The proxies for `choice`, each bypassed for loopback hosts.
fn proxies(choice: &ProxyChoice) -> Result<Vec<reqwest::Proxy>, SetupError> {
    let bypass = |extra: Option<&str>| {
        let list = match extra {
            Some(extra) => format!("{extra},{LOOPBACK_HOSTS}"),
            None => LOOPBACK_HOSTS.to_owned(),
        };
        reqwest::NoProxy::from_string(&list)
    };
    match choice {
        ProxyChoice::Off => Ok(Vec::new()),
        ProxyChoice::Url(url) => {
            let proxy = reqwest::Proxy::all(proxy_url(url, "the proxy URL")?)
                .map_err(|e| SetupError(format!("the proxy URL is not usable: {e}")))?;
            Ok(vec![proxy.no_proxy(bypass(None))])
        }
        ProxyChoice::Environment => {
            let var = |names: [&'static str; 2]| {
                names.into_iter().find_map(|name| {
                    std::env::var(name)
                        .ok()
                        .filter(|v| !v.trim().is_empty())
                        .map(|v| (name, v))
                })
            };
            let all = var(["ALL_PROXY", "all_proxy"]);
            let https = var(["HTTPS_PROXY", "https_proxy"]).or_else(|| all.clone());
            // As curl does: in a CGI program, HTTP_PROXY may come from a
            // request header (httpoxy), so it is not read.
            let cgi = std::env::var_os("REQUEST_METHOD").is_some();
            let http = if cgi {
                None
            } else {
                var(["HTTP_PROXY", "http_proxy"])
            }
            .or(all);
            let no_proxy = var(["NO_PROXY", "no_proxy"]).map(|(_, list)| list);
            let mut proxies = Vec::new();
            if let Some((name, url)) = https {
                let url = proxy_url(&url, name)?;
                let proxy = reqwest::Proxy::https(url)
                    .map_err(|e| SetupError(format!("{name} is not a usable proxy: {e}")))?;
                proxies.push(proxy.no_proxy(bypass(no_proxy.as_deref())));
            }
            if let Some((name, url)) = http {
                let url = proxy_url(&url, name)?;
                let proxy = reqwest::Proxy::http(url)
                    .map_err(|e| SetupError(format!("{name} is not a usable proxy: {e}")))?;
                proxies.push(proxy.no_proxy(bypass(no_proxy.as_deref())));
            }
            Ok(proxies)
        }
    }
}

/// A proxy URL, checked: `http` or `https` (a bare `host:port` is taken as
/// `http://host:port`, as curl does). The error names `what` and never
/// repeats the value, which may hold a password.
fn proxy_url(raw: &str, what: &str) -> Result<url::Url, SetupError> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("http://{raw}")
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| SetupError(format!("{what} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(SetupError(format!(
            "{what} must be an http:// or https:// URL with a host"
        )));
    }
    Ok(url)
}

/// `url` with its password, if any, replaced by `[REDACTED]`.
pub(crate) fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Set plain, then bracketed: the URL would percent-encode it.
            let _ = parsed.set_password(Some("REDACTED"));
            parsed.to_string().replacen(":REDACTED@", ":[REDACTED]@", 1)
        }
        _ => url.to_owned(),
    }
}

/// Why a response is refused: the HTTP client followed a redirect (one
/// that is not the client's own, which follows none). Travels inside the
/// `reqwest::Error` the generated code gets while reading the body.
#[derive(Debug)]
pub(crate) struct RedirectFollowed {
    to: String,
}

impl fmt::Display for RedirectFollowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the HTTP client followed a redirect to {}, so its answer is refused; build it with \
             `redirect(reqwest::redirect::Policy::none())`",
            self.to
        )
    }
}

impl StdError for RedirectFollowed {}

/// For a response from another URL than the one asked (an HTTP client of
/// the caller's followed a redirect): a response whose body fails at once
/// with [`RedirectFollowed`], so the answer from elsewhere is never taken
/// for CEC's.
pub(crate) fn refuse_redirected(response: reqwest::Response) -> reqwest::Response {
    let mut to = response.url().clone();
    to.set_query(None);
    let _ = to.set_password(None);
    let _ = to.set_username("");
    let error = RedirectFollowed { to: to.to_string() };
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    drop(body);
    // A success status, so that the generated code reads the body, and
    // fails, whatever the other server answered.
    parts.status = http::StatusCode::OK;
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let body = reqwest::Body::wrap_stream(stream::once(async move {
        Err::<Bytes, BoxError>(Box::new(error))
    }));
    reqwest::Response::from(http::Response::from_parts(parts, body))
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
