//! Safe retries: the [`RetryPolicy`] a client is built with, and the loop
//! every request of the client (business operations and `tokenByAkSk`)
//! runs in.
//!
//! Modelled on the AWS SDKs' *standard* retry mode: a bounded number of
//! attempts, jittered exponential backoff, `Retry-After` honoured, and a
//! retry budget (a token bucket shared by the client) so that a struggling
//! server is not flooded with retries. What sets this crate apart is which
//! answers it retries, operation by operation, since CEC has no idempotency
//! key: see [`RetryPolicy`].

use std::{
    fmt,
    future::Future,
    hash::{BuildHasher, RandomState},
    sync::{
        Arc,
        atomic::{AtomicU32, AtomicU64, Ordering},
    },
    time::{Duration, SystemTime},
};

use progenitor_client::{ByteStream, ResponseValue};
use reqwest::{StatusCode, header::HeaderMap};

use crate::transport::{read_error_body, too_large};

/// When and how often a failed request is sent again.
///
/// Each request is classed by what a resend could do:
///
/// | operation | retried on |
/// |---|---|
/// | reads: `queryCalledRoute`, `queryAccessCodeList` (every operation named `query…`), and `tokenByAkSk` | a timeout, a connection lost during the exchange, 429, 502, 503, 504 |
/// | `modifyCalledRoute` (it sets an absolute target, but may have been carried out) | 429, and 503 with an empty body |
/// | `createCalledRoute`, `deleteCalledRoute` (never resent blindly) | 429 only |
///
/// **Why 429 is safe for every operation**: CEC documents no 429; one comes
/// from the throttle in front of it (an API gateway), which refuses a
/// request *instead of* forwarding it. A 429 therefore shows that the
/// request was not carried out, and resending it cannot create or delete
/// twice. Likewise a 503 with an empty body is a gateway's refusal, not
/// CEC's answer, and a modify sets an absolute target, so it is resent on
/// that too. A timeout, a broken connection, 500, 502 and 504 may come after
/// CEC acted, so a create, modify or delete that meets them is never resent:
/// its error says it [may have reached the server](crate::Error::may_have_reached_server).
///
/// A refused connection (nothing was sent) is tried again for every
/// operation, apart from this policy:
/// [`ClientBuilder::connect_retries`](crate::ClientBuilder::connect_retries)
/// (default 2, with 100 ms then 200 ms pauses).
///
/// **Attempts**: at most [`max_attempts`](RetryPolicy::max_attempts)
/// requests in all (default 3: the first and two retries). A listing of
/// many pages retries the page that failed, not the whole listing.
///
/// **Backoff**: before retry *n* the client sleeps a random time between
/// zero and `initial_backoff × 2ⁿ⁻¹` ("full jitter"), capped at
/// `max_backoff` (defaults 1 s and 20 s). When the answer carries
/// `Retry-After` (seconds or an HTTP date), the client sleeps at least that
/// long; a `Retry-After` longer than `max_backoff` ends the retrying at once
/// (the error is returned rather than holding the caller that long).
///
/// **Budget**: the client (and every clone of it) shares a bucket of
/// [`budget`](RetryPolicy::budget) tokens (default 500). A retry takes 5
/// tokens, a retry after a timeout 10; a success puts back what its last
/// retry took, or 1 token when it needed no retry, up to the bucket's size.
/// With the bucket empty, failures are returned without a retry, so a CEC
/// that fails most requests is not sent three times as many. These are the
/// numbers of the AWS SDKs' standard mode.
///
/// Every retry is a `tracing` event at INFO level in the call's span
/// (`operation`, `attempt` — the number of the attempt about to be made —,
/// `reason`, `delay_ms`); a retry not made because of the budget or a long
/// `Retry-After` is a WARN event.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cec_routes::{Client, RetryPolicy};
///
/// let patient = RetryPolicy::standard()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(10));
/// assert_eq!(patient.attempts(), 5);
/// let client = Client::builder().token("t0k").retry_policy(patient).build()?;
///
/// // Every request sent once (a refused connection is still tried again).
/// let once = Client::builder().token("t0k").retry_policy(RetryPolicy::none()).build()?;
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: u32,
}

impl RetryPolicy {
    /// Attempts in all, by default: the first and two retries.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// The ceiling of the first retry's random backoff, by default.
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(1);
    /// The longest backoff, and the longest `Retry-After` waited for, by
    /// default.
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(20);
    /// The size of the retry budget, in tokens, by default.
    pub const DEFAULT_BUDGET: u32 = 500;
    /// The tokens a retry takes from the budget.
    pub const RETRY_COST: u32 = 5;
    /// The tokens a retry after a timeout takes from the budget.
    pub const TIMEOUT_RETRY_COST: u32 = 10;
    /// The tokens a success that needed no retry puts back.
    pub const SUCCESS_REFILL: u32 = 1;

    /// The default policy: 3 attempts, backoff from 1 s up to 20 s, a budget
    /// of 500 tokens.
    pub fn standard() -> Self {
        RetryPolicy {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            initial_backoff: Self::DEFAULT_INITIAL_BACKOFF,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
            budget: Self::DEFAULT_BUDGET,
        }
    }

    /// No retries: every request is sent once (a refused connection is
    /// still tried again, see
    /// [`connect_retries`](crate::ClientBuilder::connect_retries)).
    pub fn none() -> Self {
        RetryPolicy::standard().max_attempts(1)
    }

    /// At most this many attempts in all, the first included (at least 1;
    /// 1 turns retries off).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The ceiling of the first retry's random backoff; it doubles with
    /// each retry, up to [`max_backoff`](RetryPolicy::max_backoff).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff, and the longest `Retry-After` the client waits
    /// for (a longer one ends the retrying).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The size of the retry budget, in tokens (see the type's
    /// documentation). 0 allows no retry at all.
    pub fn budget(mut self, tokens: u32) -> Self {
        self.budget = tokens;
        self
    }

    /// The most attempts a request gets, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The size of the retry budget, in tokens.
    pub fn budget_tokens(&self) -> u32 {
        self.budget
    }

    /// How long to sleep before retry `retry` (1 for the first), given the
    /// answer's `Retry-After`; `None` when the server asks for a longer wait
    /// than the policy allows.
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        let backoff = ceiling.mul_f64(fraction());
        match retry_after {
            Some(wait) if wait > self.max_backoff => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::standard()
    }
}

/// What a resend of an operation could do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Safety {
    /// Nothing: a query, or a token request.
    Read,
    /// Set the same absolute target again: a modify.
    Absolute,
    /// Create or delete a second time.
    Unsafe,
}

impl Safety {
    /// The class of an operation, by its operationId: every `query…`
    /// operation (the listings) and `tokenByAkSk` are reads.
    fn of(operation: &str) -> Safety {
        if operation.starts_with("query") || operation == "tokenByAkSk" {
            Safety::Read
        } else if operation == "modifyCalledRoute" {
            Safety::Absolute
        } else {
            Safety::Unsafe
        }
    }
}

/// Why an attempt failed, when a retry could help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// An HTTP status, and whether the body was empty.
    Status { status: u16, empty: bool },
    /// The timeout ran out.
    Timeout,
    /// The connection broke after the request may have been sent.
    Lost,
}

impl Cause {
    /// Whether an operation of this class may be resent after it.
    fn allows(self, safety: Safety) -> bool {
        match (self, safety) {
            (Cause::Status { status: 429, .. }, _) => true,
            (_, Safety::Read) => true,
            (Cause::Status { status: 503, empty }, Safety::Absolute) => empty,
            _ => false,
        }
    }

    fn cost(self) -> u32 {
        match self {
            Cause::Timeout => RetryPolicy::TIMEOUT_RETRY_COST,
            _ => RetryPolicy::RETRY_COST,
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Status { status, empty } => {
                let reason = StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(f, "{status} {reason}")?;
                if *empty {
                    f.write_str(" (empty body)")?;
                }
                Ok(())
            }
            Cause::Timeout => f.write_str("timeout"),
            Cause::Lost => f.write_str("connection lost"),
        }
    }
}

/// What a generated operation gives.
type Generated<T> = Result<ResponseValue<T>, progenitor_client::Error<ByteStream>>;

/// The retry loop with its policy and the budget it shares: one per client
/// (cloned with it, and handed to its `tokenByAkSk` provider).
#[derive(Clone, Debug)]
pub(crate) struct Retrier {
    policy: RetryPolicy,
    budget: Arc<AtomicU32>,
    /// How many times a refused connection is tried again.
    connect_retries: u32,
}

impl Retrier {
    pub(crate) fn new(policy: RetryPolicy, connect_retries: u32) -> Self {
        Retrier {
            budget: Arc::new(AtomicU32::new(policy.budget)),
            policy,
            connect_retries,
        }
    }

    pub(crate) fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Sends with `send` until an answer, or until the policy says stop:
    /// a refused connection is tried again up to `connect_retries` times;
    /// any other failure as the policy allows for `operation` (an
    /// operationId).
    pub(crate) async fn run<T, F, Fut>(&self, operation: &'static str, send: F) -> Generated<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Generated<T>>,
    {
        let safety = Safety::of(operation);
        let mut attempt: u32 = 1;
        let mut refused: u32 = 0;
        // What the retry under way took from the budget.
        let mut permit = None;
        loop {
            let error = match send().await {
                Ok(response) => {
                    self.refill(permit.unwrap_or(RetryPolicy::SUCCESS_REFILL));
                    return Ok(response);
                }
                Err(error) => error,
            };
            if let Some(e) = refused_connection(&error) {
                if refused >= self.connect_retries {
                    return Err(error);
                }
                refused += 1;
                let delay = Duration::from_millis(100 * 2u64.pow(refused - 1));
                tracing::debug!(
                    operation,
                    attempt = refused + 1,
                    reason = "connection refused",
                    delay_ms = delay.as_millis() as u64,
                    error = %e,
                    "connection failed; trying again"
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            let (error, cause, retry_after) = examine(error, safety).await;
            let Some(cause) = cause.filter(|c| c.allows(safety)) else {
                return Err(error);
            };
            if attempt >= self.policy.max_attempts {
                if self.policy.max_attempts > 1 {
                    tracing::debug!(operation, attempt, reason = %cause, "no attempts left");
                }
                return Err(error);
            }
            let Some(delay) = self.policy.delay(attempt, retry_after) else {
                tracing::warn!(
                    operation,
                    attempt,
                    reason = %cause,
                    retry_after_s = retry_after.unwrap_or_default().as_secs(),
                    "not retrying: Retry-After is longer than the retry policy's max backoff"
                );
                return Err(error);
            };
            if !self.take(cause.cost()) {
                tracing::warn!(
                    operation,
                    attempt,
                    reason = %cause,
                    "not retrying: the client's retry budget is spent"
                );
                return Err(error);
            }
            permit = Some(cause.cost());
            attempt += 1;
            tracing::info!(
                operation,
                attempt,
                reason = %cause,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// Takes `cost` tokens from the budget, if it holds that many.
    fn take(&self, cost: u32) -> bool {
        self.budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(cost)
            })
            .is_ok()
    }

    /// Puts `tokens` back, up to the budget's size.
    fn refill(&self, tokens: u32) {
        let size = self.policy.budget;
        let _ = self
            .budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                (left < size).then(|| left.saturating_add(tokens).min(size))
            });
    }
}

/// The connection error of a request that could not connect (and so was
/// certainly not sent).
fn refused_connection(error: &progenitor_client::Error<ByteStream>) -> Option<&reqwest::Error> {
    match error {
        progenitor_client::Error::CommunicationError(e) if e.is_connect() => Some(e),
        _ => None,
    }
}

/// The cause of a failure a retry could help with, and the answer's
/// `Retry-After`; the error comes back whole (a body read to see whether it
/// is empty is put back).
async fn examine(
    error: progenitor_client::Error<ByteStream>,
    safety: Safety,
) -> (
    progenitor_client::Error<ByteStream>,
    Option<Cause>,
    Option<Duration>,
) {
    use progenitor_client::Error as E;
    match error {
        E::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let empty = response.content_length() == Some(0);
            let cause = retryable_status(status).then_some(Cause::Status { status, empty });
            (E::ErrorResponse(response), cause, retry_after)
        }
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            if !retryable_status(status) {
                return (E::UnexpectedResponse(response), None, retry_after);
            }
            // Only a modify's 503 depends on the body: read it then.
            let (response, empty) = if status == 503 && safety == Safety::Absolute {
                body_is_empty(response).await
            } else {
                let empty = response.content_length() == Some(0);
                (response, empty)
            };
            (
                E::UnexpectedResponse(response),
                Some(Cause::Status { status, empty }),
                retry_after,
            )
        }
        E::CommunicationError(e) => {
            let cause = transport_cause(&e);
            (E::CommunicationError(e), cause, None)
        }
        E::ResponseBodyError(e) => {
            let cause = transport_cause(&e);
            (E::ResponseBodyError(e), cause, None)
        }
        other => (other, None, None),
    }
}

fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// A timeout, or a connection lost mid-exchange; not a body over the size
/// limit (the same answer would come again).
fn transport_cause(error: &reqwest::Error) -> Option<Cause> {
    if too_large(error).is_some() {
        None
    } else if error.is_timeout() {
        Some(Cause::Timeout)
    } else {
        Some(Cause::Lost)
    }
}

/// Whether `response`'s body is empty, and the response with its body (the
/// first 64 KiB at most, as every error body) put back.
async fn body_is_empty(response: reqwest::Response) -> (reqwest::Response, bool) {
    if let Some(length) = response.content_length() {
        return (response, length == 0);
    }
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let chunks = reqwest::Response::from(http::Response::new(body)).bytes_stream();
    let bytes = read_error_body(chunks).await;
    let empty = bytes.is_empty();
    (
        reqwest::Response::from(http::Response::from_parts(
            parts,
            reqwest::Body::from(bytes),
        )),
        empty,
    )
}

/// The wait a `Retry-After` header asks for: whole seconds, or an HTTP date
/// (a date in the past asks for none).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A number in [0, 1), different on each call: the jitter of the backoff.
/// std's randomly keyed hasher over a counter, so no dependency is needed.
fn fraction() -> f64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let bits = RandomState::new().hash_one(CALLS.fetch_add(1, Ordering::Relaxed));
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers(" 0 ")), Some(Duration::ZERO));
        let later = SystemTime::now() + Duration::from_secs(30);
        let wait = retry_after(&headers(&httpdate::fmt_http_date(later))).unwrap();
        // The date has whole seconds.
        assert!(
            wait > Duration::from_secs(28) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
        assert_eq!(retry_after(&headers(&past)), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn operations_are_classed_by_what_a_resend_could_do() {
        assert_eq!(Safety::of("queryCalledRoute"), Safety::Read);
        assert_eq!(Safety::of("queryAccessCodeList"), Safety::Read);
        assert_eq!(Safety::of("querySkills"), Safety::Read);
        assert_eq!(Safety::of("tokenByAkSk"), Safety::Read);
        assert_eq!(Safety::of("modifyCalledRoute"), Safety::Absolute);
        assert_eq!(Safety::of("createCalledRoute"), Safety::Unsafe);
        assert_eq!(Safety::of("deleteCalledRoute"), Safety::Unsafe);
    }

    #[test]
    fn each_class_is_retried_only_on_what_shows_a_resend_is_safe() {
        let status = |status, empty| Cause::Status { status, empty };
        let cases = [
            (status(429, false), [true, true, true]),
            (status(502, false), [true, false, false]),
            (status(503, false), [true, false, false]),
            (status(503, true), [true, true, false]),
            (status(504, true), [true, false, false]),
            (Cause::Timeout, [true, false, false]),
            (Cause::Lost, [true, false, false]),
        ];
        for (cause, expected) in cases {
            let got = [Safety::Read, Safety::Absolute, Safety::Unsafe].map(|s| cause.allows(s));
            assert_eq!(got, expected, "{cause}");
        }
    }

    #[test]
    fn backoff_is_jittered_below_a_doubling_ceiling_and_capped() {
        let policy = RetryPolicy::standard()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.delay(1, None).unwrap() <= Duration::from_millis(100));
            assert!(policy.delay(2, None).unwrap() <= Duration::from_millis(200));
            assert!(policy.delay(3, None).unwrap() <= Duration::from_millis(350));
            assert!(policy.delay(30, None).unwrap() <= Duration::from_millis(350));
        }
        let delays: Vec<Duration> = (0..20).map(|_| policy.delay(3, None).unwrap()).collect();
        assert!(
            delays.iter().any(|d| *d != delays[0]),
            "jittered: {delays:?}"
        );
    }

    #[test]
    fn retry_after_is_a_floor_up_to_the_max_backoff() {
        let policy = RetryPolicy::standard().initial_backoff(Duration::from_millis(1));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.delay(1, Some(RetryPolicy::DEFAULT_MAX_BACKOFF)),
            Some(RetryPolicy::DEFAULT_MAX_BACKOFF)
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(21))), None);
    }

    #[test]
    fn the_budget_takes_per_retry_and_refills_per_success_up_to_its_size() {
        let retrier = Retrier::new(RetryPolicy::standard().budget(12), 0);
        assert!(retrier.take(5));
        assert!(retrier.take(5));
        assert!(!retrier.take(5), "2 tokens left");
        retrier.refill(RetryPolicy::SUCCESS_REFILL);
        assert_eq!(retrier.budget.load(Ordering::SeqCst), 3);
        retrier.refill(100);
        assert_eq!(
            retrier.budget.load(Ordering::SeqCst),
            12,
            "never above its size"
        );
    }

    #[test]
    fn none_allows_one_attempt() {
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::standard().max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::default(), RetryPolicy::standard());
    }
}
