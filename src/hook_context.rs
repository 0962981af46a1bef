//! What the generated client carries into its hooks: progenitor's inner
//! type.

use std::{sync::Arc, time::Duration};

use reqwest::header::HeaderValue;

use crate::{
    error::Error,
    rate_limit::RateLimiter,
    token::{AccessToken, TokenProvider},
};

/// What every request of a [`generated::Client`](crate::generated::Client)
/// takes from its client, read by the hooks that authenticate the request
/// and cap its response: the token source, the app key, the token chosen
/// for the call under way, and the most bytes of a response body to read.
///
/// It is the generated client's inner type, so it appears in
/// [`generated::Client::new`](crate::generated::Client::new). It is made
/// only from a [`Client`](crate::Client); to aim the generated client
/// somewhere else with the same authentication and limit, take the one of
/// [`Client::raw`](crate::Client::raw).
///
/// `Debug` shows no token and no app secret.
///
/// # Examples
///
/// ```
/// use cec_routes::{
///     Client,
///     generated::{self, ClientInfo},
/// };
///
/// let client = Client::builder().token("t0k").build()?;
/// let context = client.raw().inner().clone();
/// let elsewhere = generated::Client::new("https://cec.example.com", context);
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct HookContext {
    /// Where tokens come from; `None` for `tokenByAkSk`, which is sent with
    /// the app's credentials in its body instead.
    pub(crate) provider: Option<Arc<dyn TokenProvider>>,
    /// The app key as a sensitive `X-APP-Key` value, made once.
    pub(crate) app_key: Option<HeaderValue>,
    /// The token the wrapper chose for the call under way, so that the
    /// request carries exactly the token a 401 will invalidate; `None`
    /// (calls through [`Client::raw`](crate::Client::raw)) asks the
    /// provider.
    pub(crate) token: Option<AccessToken>,
    /// The most bytes of a response body a request may read.
    pub(crate) max_response_bytes: usize,
    /// The whole-request timeout each request carries itself: set when the
    /// HTTP client is the caller's own, whose timeouts are not the SDK's.
    pub(crate) request_timeout: Option<Duration>,
    /// The client's request rate cap, which every request passes.
    pub(crate) limiter: Option<Arc<RateLimiter>>,
}

impl HookContext {
    /// Authentication with a token provider and an optional app key; an
    /// app key a header cannot carry is a configuration error.
    pub(crate) fn new(
        provider: Arc<dyn TokenProvider>,
        app_key: Option<&str>,
        max_response_bytes: usize,
    ) -> Result<Self, Error> {
        let app_key = app_key
            .map(|key| {
                let mut value = HeaderValue::try_from(key).map_err(|_| {
                    Error::config("the app key contains characters a header cannot carry")
                })?;
                value.set_sensitive(true);
                Ok::<_, Error>(value)
            })
            .transpose()?;
        Ok(HookContext {
            provider: Some(provider),
            app_key,
            token: None,
            max_response_bytes,
            request_timeout: None,
            limiter: None,
        })
    }

    /// No authentication: for `tokenByAkSk`, which is called with the app's
    /// credentials in its body.
    pub(crate) fn unauthenticated(max_response_bytes: usize) -> Self {
        HookContext {
            provider: None,
            app_key: None,
            token: None,
            max_response_bytes,
            request_timeout: None,
            limiter: None,
        }
    }

    /// Each request carries `timeout` (`None`: the HTTP client's own).
    pub(crate) fn with_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The same, with every request passing `limiter` first.
    pub(crate) fn with_limiter(mut self, limiter: Option<Arc<RateLimiter>>) -> Self {
        self.limiter = limiter;
        self
    }
}
