//! Building a [`Client`]: base URL, app key, token source, timeouts,
//! limits, retries and rate cap, set one by one or read from the environment
//! or any other key/value source.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use secrecy::SecretString;

use crate::{
    client::Client,
    config::{
        DEFAULT_BASE_URL, DEFAULT_CONNECT_RETRIES, DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, DEFAULT_TOKEN_LIFETIME, ENV_APP_KEY,
        ENV_APP_SECRET, ENV_BASE_URL, ENV_RPS, ENV_TIMEOUT, ENV_TOKEN, ENV_TOKEN_LIFETIME,
    },
    error::Error,
    generated,
    hook_context::HookContext,
    rate_limit::RateLimiter,
    retry::{Retrier, RetryPolicy},
    token::{StaticToken, TokenProvider},
    token_by_ak_sk::{AkSkProvider, check_lifetime},
    transport::{ProxyChoice, Timeouts, check_base_url, http_client},
};

/// How the client authenticates.
#[derive(Clone, Debug)]
enum Credentials {
    None,
    AkSk { app_secret: SecretString },
    Provider(Arc<dyn TokenProvider>),
}

/// Builds a [`Client`]; every setter takes and returns the builder, and
/// [`build`](ClientBuilder::build) checks the whole configuration.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cec_routes::Client;
///
/// let client = Client::builder()
///     .base_url("https://service.besclouds.com")
///     .app_key("my-app-key")
///     .credentials("my-app-key", "my-app-secret")
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    token_base_url: Option<String>,
    app_key: Option<String>,
    credentials: Credentials,
    token_lifetime: Duration,
    timeouts: Timeouts,
    connect_retries: u32,
    max_response_bytes: usize,
    allow_http: bool,
    proxy: ProxyChoice,
    /// The caller's own HTTP client, instead of one the builder makes.
    http: Option<reqwest::Client>,
    /// Whether [`connect_timeout`](ClientBuilder::connect_timeout) was set
    /// (it cannot apply to the caller's own HTTP client).
    connect_timeout_set: bool,
    retry_policy: RetryPolicy,
    max_requests_per_second: Option<u32>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token_base_url: None,
            app_key: None,
            credentials: Credentials::None,
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            timeouts: Timeouts {
                request: DEFAULT_TIMEOUT,
                connect: DEFAULT_CONNECT_TIMEOUT,
            },
            connect_retries: DEFAULT_CONNECT_RETRIES,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_http: false,
            proxy: ProxyChoice::Environment,
            http: None,
            connect_timeout_set: false,
            retry_policy: RetryPolicy::standard(),
            max_requests_per_second: None,
        }
    }
}

impl Client {
    /// A builder with the defaults: the documented domain, no app key, no
    /// credentials (one must be set), 30 s timeout.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `CEC_BASE_URL` | base URL (default [`DEFAULT_BASE_URL`]) |
    /// | `CEC_APP_KEY` | app key, sent as `X-APP-Key`; with `CEC_APP_SECRET`, the AK/SK pair |
    /// | `CEC_APP_SECRET` | app secret: tokens come from `tokenByAkSk` |
    /// | `CEC_TOKEN` | a fixed access token (instead of `CEC_APP_SECRET`) |
    /// | `CEC_TOKEN_LIFETIME` | AK/SK token lifetime in seconds, 1–3600 (default 600) |
    /// | `CEC_TIMEOUT` | whole-request timeout in seconds (default 30) |
    /// | `CEC_RPS` | at most this many requests per second (default: no cap) |
    ///
    /// The error names the variable that is missing or malformed.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_lookup(|name| std::env::var(name).ok())?.build()
    }
}

impl ClientBuilder {
    /// A builder configured from any key/value source: `lookup` is asked
    /// for each variable of [`Client::from_env`] by name (the names are in
    /// [`config`](crate::config)), and gives its value or `None`. Lay flags
    /// over the environment, read a configuration file, or pass a map in
    /// tests; the builder's setters can change anything afterwards.
    ///
    /// The error names the variable that is empty or malformed, or the
    /// ones that conflict.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use cec_routes::{ClientBuilder, config};
    ///
    /// // From a configuration file's settings; a CLI would lay its flags
    /// // over the environment the same way, with `.or_else(…)`.
    /// let file = HashMap::from([
    ///     (config::ENV_BASE_URL, "https://cec.example.com"),
    ///     (config::ENV_TOKEN, "t0k"),
    /// ]);
    /// let client = ClientBuilder::from_lookup(|name| file.get(name).map(|v| v.to_string()))?
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://cec.example.com");
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        let get = |name: &str| -> Result<Option<String>, Error> {
            match lookup(name) {
                None => Ok(None),
                Some(value) if value.trim().is_empty() => Err(Error::config(format!(
                    "{name} is set but empty; give it a value or unset it"
                ))),
                Some(value) => Ok(Some(value.trim().to_owned())),
            }
        };
        let seconds = |name: &str| -> Result<Option<Duration>, Error> {
            get(name)?
                .map(|value| {
                    value.parse::<u64>().map(Duration::from_secs).map_err(|_| {
                        Error::config(format!(
                            "{name} is `{value}`; it must be a whole number of seconds"
                        ))
                    })
                })
                .transpose()
        };

        let mut builder = Client::builder();
        if let Some(url) = get(ENV_BASE_URL)? {
            builder = builder.base_url(url);
        }
        let app_key = get(ENV_APP_KEY)?;
        let app_secret = get(ENV_APP_SECRET)?;
        let token = get(ENV_TOKEN)?;
        builder = match (token, app_secret, app_key) {
            (Some(_), Some(_), _) => {
                return Err(Error::config(format!(
                    "both {ENV_TOKEN} and {ENV_APP_SECRET} are set; unset one of them"
                )));
            }
            (Some(token), None, app_key) => {
                let builder = builder.token(token);
                match app_key {
                    Some(key) => builder.app_key(key),
                    None => builder,
                }
            }
            (None, Some(secret), Some(key)) => builder.credentials(key, secret),
            (None, Some(_), None) => {
                return Err(Error::config(format!(
                    "{ENV_APP_SECRET} is set but {ENV_APP_KEY} is missing; set the app key too"
                )));
            }
            (None, None, _) => {
                return Err(Error::config(format!(
                    "no credentials: set {ENV_TOKEN}, or {ENV_APP_KEY} and {ENV_APP_SECRET}"
                )));
            }
        };
        if let Some(lifetime) = seconds(ENV_TOKEN_LIFETIME)? {
            check_lifetime(lifetime).map_err(|_| {
                Error::config(format!("{ENV_TOKEN_LIFETIME} must be 1 to 3600 seconds"))
            })?;
            builder = builder.token_lifetime(lifetime);
        }
        if let Some(timeout) = seconds(ENV_TIMEOUT)? {
            if timeout.is_zero() {
                return Err(Error::config(format!(
                    "{ENV_TIMEOUT} must be at least 1 second"
                )));
            }
            builder = builder.timeout(timeout);
        }
        if let Some(rps) = get(ENV_RPS)? {
            let rps = rps.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                Error::config(format!(
                    "{ENV_RPS} is `{rps}`; it must be a whole number of requests per second, \
                     at least 1"
                ))
            })?;
            builder = builder.max_requests_per_second(rps);
        }
        Ok(builder)
    }

    /// The base URL, scheme and host (and port or path stem if needed).
    /// Plain `http` is refused unless the host is loopback or
    /// [`allow_insecure_http`](ClientBuilder::allow_insecure_http) is set.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// A different base URL for `tokenByAkSk` (e.g. with the port 28070 one
    /// page documents). Defaults to the base URL.
    pub fn token_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.token_base_url = Some(base_url.into());
        self
    }

    /// The app key, sent as `X-APP-Key` with every business request.
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// Authenticate with an app key and app secret through `tokenByAkSk`
    /// (see [`AkSkProvider`]). Also sets the app key.
    pub fn credentials(
        mut self,
        app_key: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.app_key = Some(app_key.into());
        self.credentials = Credentials::AkSk {
            app_secret: SecretString::from(app_secret.into()),
        };
        self
    }

    /// Authenticate with one fixed access token.
    pub fn token(self, token: impl Into<String>) -> Self {
        self.token_provider(StaticToken::new(token))
    }

    /// Authenticate with tokens from any [`TokenProvider`].
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.credentials = Credentials::Provider(Arc::new(provider));
        self
    }

    /// The lifetime of AK/SK tokens: 1 to 3600 whole seconds (default 600).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// The whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.request = timeout;
        self
    }

    /// The connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.connect = timeout;
        self.connect_timeout_set = true;
        self
    }

    /// How many times a request that could not connect is tried again
    /// (default 2), whatever the operation: it was certainly not sent. What
    /// else is resent is the [`retry_policy`](ClientBuilder::retry_policy)'s
    /// choice, apart from the one resend after a 401 with a fresh token.
    pub fn connect_retries(mut self, retries: u32) -> Self {
        self.connect_retries = retries;
        self
    }

    /// When a failed request is sent again (default
    /// [`RetryPolicy::standard`]: 3 attempts, only where a resend is safe);
    /// [`RetryPolicy::none`] sends every request once. One budget of retries
    /// is shared by the client, its clones and its `tokenByAkSk` requests.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::{Client, RetryPolicy};
    ///
    /// let client = Client::builder()
    ///     .token("t0k")
    ///     .retry_policy(RetryPolicy::standard().max_attempts(5))
    ///     .build()?;
    /// assert_eq!(client.retry_policy().attempts(), 5);
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// At most `requests` requests start in any one-second window
    /// (sliding), bursts included, so that a gateway counting requests per
    /// second never sees more from this client: requests start at least
    /// `1 s / requests` apart, evenly spaced rather than in bursts, which
    /// leaves that gap as a margin for jitter between the client and the
    /// gateway. Every request counts: each operation, `tokenByAkSk`, each
    /// retry and each resend, from every clone of the client, whatever the
    /// concurrency; a request waits its turn before it is sent (not counted
    /// against its timeout). Default: no cap. Must be at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::Client;
    ///
    /// let client = Client::builder().token("t0k").max_requests_per_second(40).build()?;
    /// assert_eq!(client.max_requests_per_second(), Some(40));
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn max_requests_per_second(mut self, requests: u32) -> Self {
        self.max_requests_per_second = Some(requests);
        self
    }

    /// The most bytes of a response body the client reads (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 1 MiB), for every operation and for
    /// `tokenByAkSk`.
    ///
    /// A success whose `Content-Length` is larger fails before its body is
    /// read; any other body fails as soon as more than this has arrived, and
    /// the connection is dropped, so a hostile or broken server cannot make
    /// the client hold more. The failure is [`Error::ResponseTooLarge`] (for
    /// `tokenByAkSk`, [`Error::Auth`]). Error bodies are not held to this
    /// limit: their first 64 KiB at most are read, and quoted in part. Must
    /// be at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::Client;
    ///
    /// let client = Client::builder().token("t0k").max_response_bytes(256 * 1024).build()?;
    /// assert_eq!(client.max_response_bytes(), 256 * 1024);
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Allow plain `http` to hosts other than loopback. Tokens would cross
    /// the network in clear text: only for test networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Send every request through this proxy (`http://host:port`, or
    /// `https://…`; a user and password in the URL are sent to the proxy),
    /// instead of the environment's. Requests to a loopback host
    /// (`localhost`, `127.0.0.0/8`, `::1`) never go through a proxy.
    ///
    /// By default the environment's proxies are used, as curl reads them:
    /// `HTTPS_PROXY` for https, `HTTP_PROXY` for http, `ALL_PROXY` for
    /// both (or their lower-case spellings), except for the hosts listed in
    /// `NO_PROXY` and loopback hosts.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::Client;
    ///
    /// let client = Client::builder()
    ///     .token("t0k")
    ///     .proxy("http://proxy.internal:3128")
    ///     .build()?;
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxyChoice::Url(url.into());
        self
    }

    /// Connect straight to CEC: no proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyChoice::Off;
        self
    }

    /// Send every request (`tokenByAkSk` included) with your own HTTP
    /// client: for a proxy the builder does not offer, a private CA bundle,
    /// custom TLS roots or client certificates.
    ///
    /// The SDK then no longer controls what that client decides:
    ///
    /// - **Redirects**: build it with
    ///   `redirect(reqwest::redirect::Policy::none())`, as the SDK's own
    ///   client is. An answer that comes from another URL than the one asked
    ///   is refused ([`Error::Transport`], or [`Error::Auth`] for
    ///   `tokenByAkSk`), but by then the request, with its token or the app
    ///   secret, has been sent on to the other server.
    /// - **Proxies**: the client's own; [`proxy`](ClientBuilder::proxy) and
    ///   [`no_proxy`](ClientBuilder::no_proxy) cannot be combined with it,
    ///   and loopback hosts are not kept away from its proxies.
    /// - **Timeouts**: the whole-request [`timeout`](ClientBuilder::timeout)
    ///   still applies (each request carries it); the connect timeout is
    ///   the client's own, so [`connect_timeout`](ClientBuilder::connect_timeout)
    ///   cannot be combined with it.
    /// - The `User-Agent`, connection pool and TLS settings are the client's.
    ///
    /// Authentication, the response size limit
    /// ([`max_response_bytes`](ClientBuilder::max_response_bytes)),
    /// connection retries and the error mapping stay the SDK's.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::Client;
    ///
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = Client::builder().token("t0k").http_client(http).build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = check_base_url(&self.base_url, self.allow_http).map_err(Error::config)?;
        if self.timeouts.request.is_zero() || self.timeouts.connect.is_zero() {
            return Err(Error::config("timeouts must be longer than zero"));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::config(
                "the response size limit must be at least 1 byte",
            ));
        }
        if let Some(app_key) = &self.app_key
            && app_key.trim().is_empty()
        {
            return Err(Error::config(
                "the app key is empty; set CEC_APP_KEY or leave it out",
            ));
        }
        let limiter = match self.max_requests_per_second {
            None => None,
            Some(rps) => Some(Arc::new(RateLimiter::new(
                NonZeroU32::new(rps).ok_or_else(|| {
                    Error::config("the request rate cap must be at least 1 request per second")
                })?,
            ))),
        };
        let retrier = Retrier::new(self.retry_policy.clone(), self.connect_retries);
        let (http, request_timeout) = match self.http {
            Some(http) => {
                if self.proxy != ProxyChoice::Environment {
                    return Err(Error::config(
                        "a proxy setting and your own HTTP client cannot be combined; set the \
                         proxy on your reqwest client",
                    ));
                }
                if self.connect_timeout_set {
                    return Err(Error::config(
                        "a connect timeout and your own HTTP client cannot be combined; set it \
                         on your reqwest client",
                    ));
                }
                (http, Some(self.timeouts.request))
            }
            None => (
                http_client(self.timeouts, &self.proxy).map_err(Error::config)?,
                None,
            ),
        };
        let provider: Arc<dyn TokenProvider> = match self.credentials {
            Credentials::None => {
                return Err(Error::config(format!(
                    "no credentials: set {ENV_TOKEN}, or {ENV_APP_KEY} and {ENV_APP_SECRET}"
                )));
            }
            Credentials::Provider(provider) => provider,
            Credentials::AkSk { app_secret } => {
                check_lifetime(self.token_lifetime)?;
                let token_base_url = match &self.token_base_url {
                    Some(url) => check_base_url(url, self.allow_http).map_err(Error::config)?,
                    None => base_url.clone(),
                };
                let app_key = self.app_key.clone().unwrap_or_default();
                Arc::new(AkSkProvider::with_parts(
                    token_base_url,
                    app_key,
                    app_secret,
                    self.token_lifetime,
                    http.clone(),
                    HookContext::unauthenticated(self.max_response_bytes)
                        .with_request_timeout(request_timeout)
                        .with_limiter(limiter.clone()),
                    retrier.clone(),
                )?)
            }
        };
        let context = HookContext::new(
            provider.clone(),
            self.app_key.as_deref(),
            self.max_response_bytes,
        )?
        .with_request_timeout(request_timeout)
        .with_limiter(limiter);
        Ok(Client::from_parts(
            generated::Client::new_with_client(&base_url, http, context),
            provider,
            self.timeouts.request,
            retrier,
        ))
    }
}
