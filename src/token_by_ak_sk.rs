//! The token operation, `tokenByAkSk`: the [`AkSkProvider`] that exchanges
//! an app key and secret for tokens, fetched once, shared, cached and
//! refreshed ahead of expiry.

use std::{
    fmt,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures::{FutureExt, future::Shared};
use progenitor_client::ClientInfo;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tracing::Instrument;

use crate::{
    config::{
        DEFAULT_CONNECT_RETRIES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
        DEFAULT_TIMEOUT, DEFAULT_TOKEN_LIFETIME,
    },
    error::{Error, body_snippet, with_causes},
    generated::{self, types},
    hook_context::HookContext,
    limits::MAX_TOKEN_LIFETIME,
    retry::{Retrier, RetryPolicy},
    token::{AccessToken, TokenFuture, TokenProvider},
    transport::{ProxyChoice, Timeouts, check_base_url, http_client, read_error_body, too_large},
};

/// The endpoint named in token errors.
const ENDPOINT: &str = "tokenByAkSk";

/// The token endpoint's path under the base URL.
const TOKEN_PATH: &str = "/apigovernance/api/oauth/tokenByAkSk";

/// One token request, awaited by every caller that found no valid token.
type SharedFetch = Shared<TokenFuture<'static>>;

/// A [`TokenProvider`] that exchanges an app key and app secret for tokens
/// through `tokenByAkSk`.
///
/// - **Cached**: a token is reused until it nears its end. It is refreshed
///   ahead of expiry, by a margin of the larger of 30 s and 10 % of its
///   lifetime (at most half the lifetime), so no caller ever sends an expired
///   token. Expiry is measured on a monotonic clock from the moment the token
///   was requested, with the shorter of the lifetime asked for and the one
///   CEC returned in `Expires`. An `Expires` that is not a positive number
///   of seconds (it is documented only as the "token expiry time") counts
///   as the lifetime asked for, with a warning logged once.
/// - **Single flight**: any number of concurrent callers that find no valid
///   token cause one token request; they all wait for it and share its token
///   or its error.
/// - **Never poisoned**: after a failed request the next caller tries again.
/// - **Retried** as a read under the client's
///   [`RetryPolicy`] (timeouts, lost connections, 429, 502, 503, 504), with
///   the client's budget and rate cap ([`new`](AkSkProvider::new): the
///   standard policy, a budget of its own, no rate cap).
/// - **Secret**: the app secret is a [`SecretString`], absent from `Debug`
///   and from every error (a response body that echoes it is redacted).
/// - **Failures by cause**: a token endpoint that cannot be reached is
///   [`Error::Connect`] naming its URL, as for any other call; one that
///   answers 404 is [`Error::Config`] (the URL looks wrong); a refusal (401,
///   403, any other status) or an answer without a usable token is
///   [`Error::Auth`].
/// - **Bounded**: the response is read only up to the client's
///   [`max_response_bytes`](crate::ClientBuilder::max_response_bytes)
///   ([`DEFAULT_MAX_RESPONSE_BYTES`] for a provider made with
///   [`new`](AkSkProvider::new)); a larger one is an [`Error::Auth`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cec_routes::{AkSkProvider, Client};
///
/// let provider = AkSkProvider::new("https://service.besclouds.com", "my-app-key", "my-secret".into())?
///     .with_lifetime(Duration::from_secs(1800))?;
/// let client = Client::builder().app_key("my-app-key").token_provider(provider).build()?;
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone)]
pub struct AkSkProvider {
    inner: Arc<Inner>,
}

struct Inner {
    client: generated::Client,
    base_url: String,
    app_key: String,
    app_secret: SecretString,
    lifetime: Duration,
    /// The client's retry policy and budget (its own for [`AkSkProvider::new`]).
    retrier: Retrier,
    state: Mutex<State>,
    /// Whether the warning about an `Expires` that is not a number of
    /// seconds was logged (it is logged once per provider).
    warned_expires: AtomicBool,
}

enum State {
    Empty,
    /// A token, and when to stop handing it out (its end less the margin).
    Ready {
        token: AccessToken,
        refresh_at: Instant,
    },
    Fetching(SharedFetch),
}

impl AkSkProvider {
    /// A provider for the `tokenByAkSk` endpoint under `base_url`, asking
    /// for tokens of [`DEFAULT_TOKEN_LIFETIME`].
    pub fn new(
        base_url: &str,
        app_key: impl Into<String>,
        app_secret: SecretString,
    ) -> Result<Self, Error> {
        let base_url = check_base_url(base_url, false).map_err(Error::config)?;
        let http = http_client(
            Timeouts {
                request: DEFAULT_TIMEOUT,
                connect: DEFAULT_CONNECT_TIMEOUT,
            },
            &ProxyChoice::Environment,
        )
        .map_err(Error::config)?;
        Self::with_parts(
            base_url,
            app_key.into(),
            app_secret,
            DEFAULT_TOKEN_LIFETIME,
            http,
            HookContext::unauthenticated(DEFAULT_MAX_RESPONSE_BYTES),
            Retrier::new(RetryPolicy::standard(), DEFAULT_CONNECT_RETRIES),
        )
    }

    /// A provider from checked parts: the client builder's HTTP client,
    /// hook context (limit, timeout, rate cap) and retry policy, or
    /// [`new`](AkSkProvider::new)'s
    /// defaults.
    pub(crate) fn with_parts(
        base_url: String,
        app_key: String,
        app_secret: SecretString,
        lifetime: Duration,
        http: reqwest::Client,
        context: HookContext,
        retrier: Retrier,
    ) -> Result<Self, Error> {
        if app_key.trim().is_empty() {
            return Err(Error::config("the app key is empty; set CEC_APP_KEY"));
        }
        if app_secret.expose_secret().is_empty() {
            return Err(Error::config("the app secret is empty; set CEC_APP_SECRET"));
        }
        check_lifetime(lifetime)?;
        Ok(AkSkProvider {
            inner: Arc::new(Inner {
                client: generated::Client::new_with_client(&base_url, http, context),
                base_url,
                app_key,
                app_secret,
                lifetime,
                retrier,
                state: Mutex::new(State::Empty),
                warned_expires: AtomicBool::new(false),
            }),
        })
    }

    /// Asks for tokens of this lifetime: 1 to 3600 whole seconds.
    pub fn with_lifetime(self, lifetime: Duration) -> Result<Self, Error> {
        check_lifetime(lifetime)?;
        let inner = &self.inner;
        Self::with_parts(
            inner.base_url.clone(),
            inner.app_key.clone(),
            inner.app_secret.clone(),
            lifetime,
            inner.client.client().clone(),
            inner.client.inner().clone(),
            inner.retrier.clone(),
        )
    }

    /// The lifetime asked for.
    pub fn lifetime(&self) -> Duration {
        self.inner.lifetime
    }

    /// Requests a new token now, whatever the cache holds, and caches it.
    pub async fn fetch(&self) -> Result<AccessToken, Error> {
        let fetch = {
            let mut state = self.inner.lock();
            let fetch = Inner::fetch(self.inner.clone());
            *state = State::Fetching(fetch.clone());
            fetch
        };
        fetch.await
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is replaced whole under the lock, so it is always
        // consistent, even after a panic elsewhere.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fetch(inner: Arc<Inner>) -> SharedFetch {
        async move {
            let result = inner.request().await;
            let mut state = inner.lock();
            *state = match &result {
                Ok((token, refresh_at)) => State::Ready {
                    token: token.clone(),
                    refresh_at: *refresh_at,
                },
                Err(_) => State::Empty,
            };
            result.map(|(token, _)| token)
        }
        .boxed()
        .shared()
    }

    /// Requests a token; gives it with the instant to stop handing it out.
    async fn request(&self) -> Result<(AccessToken, Instant), Error> {
        let lifetime_s = u32::try_from(self.lifetime.as_secs())
            .ok()
            .and_then(std::num::NonZeroU32::new)
            .ok_or_else(|| Error::config("the token lifetime must be 1 to 3600 seconds"))?;
        let body = types::TokenRequest {
            app_key: self
                .app_key
                .as_str()
                .try_into()
                .map_err(|_| Error::config("the app key is empty"))?,
            app_secret: self
                .app_secret
                .expose_secret()
                .try_into()
                .map_err(|_| Error::config("the app secret is empty"))?,
        };
        let span = tracing::debug_span!(
            "cec.token",
            operation = "tokenByAkSk",
            lifetime_s = lifetime_s.get(),
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        async {
            let sent_at = Instant::now();
            let result = self
                .retrier
                .run(ENDPOINT, || self.client.token_by_ak_sk(lifetime_s, &body))
                .await;
            let span = tracing::Span::current();
            span.record("elapsed_ms", sent_at.elapsed().as_millis() as u64);
            let token = match result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    self.accept(response.into_inner(), sent_at)
                }
                Err(error) => Err(self.failure(error).await),
            };
            match &token {
                Ok(_) => tracing::debug!("access token fetched"),
                Err(error) => tracing::warn!(%error, "access token request failed"),
            }
            token
        }
        .instrument(span)
        .await
    }

    /// Checks the documented response and dates the token.
    fn accept(
        &self,
        response: types::TokenResponse,
        sent_at: Instant,
    ) -> Result<(AccessToken, Instant), Error> {
        if response.access_token.trim().is_empty() {
            return Err(self.auth_error("the response's AccessToken is empty", Some(200)));
        }
        let expires = response.expires.trim();
        let granted = match expires.parse::<u64>().ok().filter(|s| *s > 0) {
            Some(seconds) => Duration::from_secs(seconds).min(self.lifetime),
            // Documented as "token expiry time": only the example shows
            // seconds. Another form is no reason to fail every call; the
            // lifetime asked for is what the token was requested with.
            None => {
                if !self.warned_expires.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        expires = %expires.chars().take(64).collect::<String>(),
                        lifetime_s = self.lifetime.as_secs(),
                        "tokenByAkSk's Expires is not a positive number of seconds; the token \
                         is taken to last the lifetime asked for"
                    );
                }
                self.lifetime
            }
        };
        let token = AccessToken::with_expiry(response.access_token, sent_at + granted);
        Ok((token, sent_at + granted - refresh_margin(granted)))
    }

    /// The error for a failed token request: a connection that could not
    /// be made is [`Error::Connect`], as for any other call; a 404 says the
    /// URL is wrong ([`Error::Config`]); every other failure is
    /// [`Error::Auth`].
    async fn failure(
        &self,
        error: progenitor_client::Error<progenitor_client::ByteStream>,
    ) -> Error {
        use progenitor_client::Error as E;
        let (status, body, documented) = match error {
            E::ErrorResponse(response) => {
                let status = response.status().as_u16();
                (
                    status,
                    read_error_body(response.into_inner_stream()).await,
                    true,
                )
            }
            E::UnexpectedResponse(response) => {
                let status = response.status().as_u16();
                (
                    status,
                    read_error_body(response.bytes_stream()).await,
                    false,
                )
            }
            // A 200 from this endpoint may carry a token: its body is never
            // quoted, only what was wrong with it.
            E::InvalidResponsePayload(_, e) => {
                return self.auth_error(
                    format!("the response is not the documented JSON ({e})"),
                    Some(200),
                );
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) => {
                if let Some(limit) = too_large(&e) {
                    return self.auth_error(
                        format!("the response is larger than the {limit}-byte limit"),
                        Some(200),
                    );
                }
                if e.is_connect() {
                    // Not reached at all: the same error as for any other
                    // call, naming the token endpoint.
                    let url = e
                        .url()
                        .map_or_else(|| self.endpoint(), |u| u.as_str().to_owned());
                    let e = e.without_url();
                    return Error::Connect {
                        url,
                        detail: with_causes(&e),
                        source: Arc::new(e),
                    };
                }
                let what = if e.is_timeout() {
                    "timed out"
                } else {
                    "failed"
                };
                return self.auth_error(
                    format!("the request {what}: {}", with_causes(&e.without_url())),
                    None,
                );
            }
            other => return self.auth_error(other.to_string(), None),
        };
        let body = body_snippet(&body, &[self.secret()]);
        if status == 404 {
            return Error::config(format!(
                "{ENDPOINT} answered 404 not found at {}: the URL looks wrong; check the base \
                 URL, or set the token base URL if {ENDPOINT} is served elsewhere (such as \
                 port 28070){}",
                self.endpoint(),
                quote(&body)
            ));
        }
        let unexpected = if documented { "" } else { "unexpected " };
        self.auth_error(
            format!("{unexpected}status {status}{}", quote(&body)),
            Some(status),
        )
    }

    /// The token endpoint's URL.
    fn endpoint(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base_url)
    }

    fn secret(&self) -> &str {
        self.app_secret.expose_secret()
    }

    fn auth_error(&self, what: impl fmt::Display, status: Option<u16>) -> Error {
        Error::Auth {
            reason: format!("{ENDPOINT} at {}: {what}", self.base_url),
            status,
        }
    }
}

impl TokenProvider for AkSkProvider {
    fn token(&self) -> TokenFuture<'_> {
        let fetch = {
            let mut state = self.inner.lock();
            match &*state {
                State::Ready { token, refresh_at } if Instant::now() < *refresh_at => {
                    let token = token.clone();
                    return Box::pin(async move { Ok(token) });
                }
                State::Fetching(fetch) => fetch.clone(),
                State::Ready { .. } | State::Empty => {
                    let fetch = Inner::fetch(self.inner.clone());
                    *state = State::Fetching(fetch.clone());
                    fetch
                }
            }
        };
        Box::pin(fetch)
    }

    fn invalidate(&self, rejected: &AccessToken) {
        let mut state = self.inner.lock();
        if let State::Ready { token, .. } = &*state
            && token.same_token(rejected)
        {
            *state = State::Empty;
        }
    }
}

impl fmt::Debug for AkSkProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AkSkProvider")
            .field("base_url", &self.inner.base_url)
            .field("app_key", &self.inner.app_key)
            .field("app_secret", &"[REDACTED]")
            .field("lifetime", &self.inner.lifetime)
            .finish()
    }
}

fn quote(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!("; the response said: {body}")
    }
}

/// How long before its end a token is replaced: the larger of 30 s and 10 %
/// of the lifetime, but never more than half of it.
fn refresh_margin(lifetime: Duration) -> Duration {
    Duration::from_secs(30).max(lifetime / 10).min(lifetime / 2)
}

pub(crate) fn check_lifetime(lifetime: Duration) -> Result<(), Error> {
    let whole = lifetime.subsec_nanos() == 0;
    if !whole || lifetime < Duration::from_secs(1) || lifetime > MAX_TOKEN_LIFETIME {
        return Err(Error::config(format!(
            "the token lifetime must be 1 to 3600 whole seconds, not {lifetime:?}"
        )));
    }
    Ok(())
}
