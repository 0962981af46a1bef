//! The [`Client`], and the one path every operation's call takes: a token,
//! the retry policy's resends, one resend after a 401, a span, and the
//! mapping of whatever went wrong into an [`Error`]. The operations themselves, each
//! with its `Client` method, are in their own modules.

use std::{future::Future, sync::Arc, time::Duration};

use progenitor_client::{ByteStream, ClientInfo, ResponseValue};
use secrecy::ExposeSecret;
use tokio::time::Instant;
use tracing::{Instrument, field::Empty};

use crate::{
    error::{Error, body_snippet, with_causes},
    generated,
    retry::{Retrier, RetryPolicy},
    token::{AccessToken, TokenProvider},
    transport::{read_error_body, too_large},
};

/// A client for CEC number management.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]. It is cheap to
/// clone (clones share connections and the token cache).
///
/// # Examples
///
/// ```no_run
/// use cec_routes::{CalledRoute, Client, Device, MediaType};
///
/// # async fn run() -> Result<(), cec_routes::Error> {
/// let client = Client::from_env()?;
/// let route = CalledRoute::new("9911411", Device::SkillQueue(1))?
///     .with_ext_code("11")?
///     .with_media_type(MediaType::Video)?;
/// let done = client.create_called_route(&route).await?;
/// println!("created: {}", done.description.unwrap_or_default());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    /// The generated client; its context holds the token provider, the app
    /// key and the response size limit, for the hooks.
    raw: generated::Client,
    /// The token provider (the one in `raw`'s context).
    provider: Arc<dyn TokenProvider>,
    /// The whole-request timeout `raw`'s HTTP client was built with.
    timeout: Duration,
    /// The retry policy, with the budget the client's clones share.
    retrier: Retrier,
}

impl Client {
    /// A client over `raw`, whose context must hold `provider`; `timeout`
    /// is the whole-request timeout `raw`'s HTTP client was built with.
    pub(crate) fn from_parts(
        raw: generated::Client,
        provider: Arc<dyn TokenProvider>,
        timeout: Duration,
        retrier: Retrier,
    ) -> Self {
        Client {
            raw,
            provider,
            timeout,
            retrier,
        }
    }

    /// The generated client, for anything the wrapper does not cover. Its
    /// requests are authenticated by the same hooks, and their response
    /// bodies are capped at this client's
    /// [`max_response_bytes`](Client::max_response_bytes), but they get
    /// none of the wrapper's validation, resend or error mapping.
    pub fn raw(&self) -> &generated::Client {
        &self.raw
    }

    /// The most bytes of a response body this client reads
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    pub fn max_response_bytes(&self) -> usize {
        self.raw.inner().max_response_bytes
    }

    /// The retry policy ([`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy)).
    pub fn retry_policy(&self) -> &RetryPolicy {
        self.retrier.policy()
    }

    /// The request rate cap, in requests per second, if there is one
    /// ([`ClientBuilder::max_requests_per_second`](crate::ClientBuilder::max_requests_per_second)).
    pub fn max_requests_per_second(&self) -> Option<u32> {
        self.raw.inner().limiter.as_ref().map(|l| l.per_second())
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.raw.baseurl()
    }

    /// A valid access token from the client's provider (cached when the
    /// provider caches): what the next call will send.
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        self.provider.token().await
    }

    /// Runs one generated operation: a token for it, the retry policy's
    /// resends, one resend after a 401, a span, and the error mapping.
    ///
    /// `send` is given the generated client for one request (its context
    /// holds the token that request must carry) and sends the operation
    /// with it: `|raw| async move { raw.create_called_route(body).await }`,
    /// with `body` a reference.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        operation: &'static str,
        send: F,
    ) -> Result<ResponseValue<T>, Error>
    where
        F: Fn(generated::Client) -> Fut,
        Fut: Future<Output = Generated<T>>,
    {
        let span = tracing::info_span!(
            "cec.call",
            operation,
            status = Empty,
            elapsed_ms = Empty,
            token_refreshed = false,
        );
        // No clock reads for a span no subscriber records.
        let timed = !span.is_disabled();
        async {
            let started = timed.then(Instant::now);
            let mut sent = Sent::default();
            let result = self.call_with_refresh(operation, &send, &mut sent).await;
            let span = tracing::Span::current();
            if let Some(started) = started {
                span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            }
            let outcome = match result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    Ok(response)
                }
                Err(error) => {
                    let tokens: Vec<&str> = sent
                        .0
                        .iter()
                        .flatten()
                        .map(|t| t.secret().expose_secret())
                        .collect();
                    let error = self.map_error(operation, error, &tokens).await;
                    if let Some(status) = error.status() {
                        span.record("status", status);
                    }
                    tracing::debug!(%error, "call failed");
                    Err(error)
                }
            };
            // hyper hands the connection back to its pool from a task of
            // its own once the exchange is over (an error's body read
            // included); on a multi-threaded runtime a caller that sends
            // its next request at once finds no idle connection and opens
            // another (BENCHMARKS.md, figure 5). Letting that task run
            // first keeps the connections to about one per request in
            // flight, for one turn of the scheduler per call. A
            // current-thread runtime runs that task before the caller's
            // next poll anyway.
            if on_many_threads() {
                tokio::task::yield_now().await;
            }
            outcome
        }
        .instrument(span)
        .await
    }

    async fn call_with_refresh<T, F, Fut>(
        &self,
        operation: &'static str,
        send: &F,
        sent: &mut Sent,
    ) -> Result<ResponseValue<T>, CallError>
    where
        F: Fn(generated::Client) -> Fut,
        Fut: Future<Output = Generated<T>>,
    {
        let token = self.provider.token().await.map_err(CallError::Ready)?;
        sent.0[0] = Some(token.clone());
        let first = self.send_with_retries(operation, send, &token).await;
        let Err(progenitor_client::Error::ErrorResponse(response)) = first else {
            return first.map_err(CallError::Generated);
        };
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Err(CallError::Generated(
                progenitor_client::Error::ErrorResponse(response),
            ));
        }
        // CEC refused the token before acting: refresh it and resend once.
        tracing::Span::current().record("token_refreshed", true);
        tracing::info!("401 unauthorized: refreshing the access token and resending once");
        self.provider.invalidate(&token);
        let fresh = self.provider.token().await.map_err(CallError::Ready)?;
        sent.0[1] = Some(fresh.clone());
        self.send_with_retries(operation, send, &fresh)
            .await
            .map_err(CallError::Generated)
    }

    /// The generated client for one request that sends `token`: the hooks
    /// read it from the client's context.
    fn for_call(&self, token: &AccessToken) -> generated::Client {
        let mut raw = self.raw.clone();
        raw.inner.token = Some(token.clone());
        raw
    }

    /// Sends with `token`, and again as the retry policy allows for
    /// `operation` (see [`RetryPolicy`](crate::RetryPolicy)).
    async fn send_with_retries<T, F, Fut>(
        &self,
        operation: &'static str,
        send: &F,
        token: &AccessToken,
    ) -> Generated<T>
    where
        F: Fn(generated::Client) -> Fut,
        Fut: Future<Output = Generated<T>>,
    {
        self.retrier
            .run(operation, || send(self.for_call(token)))
            .await
    }

    /// The error for a failed call; `tokens` (those sent) are redacted from
    /// every body it quotes.
    async fn map_error(&self, operation: &'static str, error: CallError, tokens: &[&str]) -> Error {
        use progenitor_client::Error as E;
        let error = match error {
            CallError::Ready(error) => return error,
            CallError::Generated(error) => error,
        };
        match error {
            E::ErrorResponse(response) => {
                let status = response.status();
                let body = read_error_body(response.into_inner_stream()).await;
                Error::from_status(status, body_snippet(&body, tokens))
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let body = read_error_body(response.bytes_stream()).await;
                Error::from_status(status, body_snippet(&body, tokens))
            }
            E::InvalidResponsePayload(bytes, e) => Error::Decode {
                operation,
                reason: format!("the body is not the documented JSON ({e})"),
                body: body_snippet(&bytes, tokens),
            },
            E::CommunicationError(e) | E::ResponseBodyError(e) => match too_large(&e) {
                Some(limit) => Error::ResponseTooLarge { operation, limit },
                None => self.transport_error(e),
            },
            // The request could not be built: a header value the HTTP stack refuses.
            E::InvalidRequest(reason) => Error::InvalidInput {
                field: "request",
                reason,
            },
            // The pre hook could not obtain or attach a token.
            E::Custom(reason) => Error::Auth {
                reason,
                status: None,
            },
            other => Error::Decode {
                operation,
                reason: other.to_string(),
                body: String::new(),
            },
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> Error {
        if error.is_connect() {
            let url = error
                .url()
                .map(|u| u.as_str().to_owned())
                .unwrap_or_else(|| self.base_url().to_owned());
            let error = error.without_url();
            Error::Connect {
                url,
                detail: with_causes(&error),
                source: Arc::new(error),
            }
        } else if error.is_timeout() {
            Error::Timeout {
                timeout: self.timeout,
            }
        } else {
            let error = error.without_url();
            Error::Transport {
                detail: with_causes(&error),
                source: Arc::new(error),
            }
        }
    }
}

/// The tokens a call sent (at most two: one resend after a 401), so that
/// error bodies can be redacted; kept inline, not in a `Vec`, so that a call
/// allocates nothing for it.
#[derive(Default)]
struct Sent([Option<AccessToken>; 2]);

/// What a generated operation gives.
type Generated<T> = Result<ResponseValue<T>, progenitor_client::Error<ByteStream>>;

/// Where a call failed: obtaining its token, or in the generated operation.
enum CallError {
    Ready(Error),
    Generated(progenitor_client::Error<ByteStream>),
}

/// Whether the call runs on a multi-threaded Tokio runtime, where another
/// worker can start the caller's next request before hyper's pool has its
/// connection back.
fn on_many_threads() -> bool {
    tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
}

#[cfg(test)]
mod tests {
    use super::on_many_threads;

    #[tokio::test(flavor = "current_thread")]
    async fn on_many_threads_is_false_on_a_current_thread_runtime() {
        assert!(!on_many_threads());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_many_threads_is_true_on_a_multi_threaded_runtime() {
        assert!(on_many_threads());
    }

    #[test]
    fn on_many_threads_is_false_outside_a_runtime() {
        assert!(!on_many_threads());
    }
}
