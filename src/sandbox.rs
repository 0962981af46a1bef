//! A local CEC for tests and demos: `tokenByAkSk` and `createCalledRoute`
//! at their documented paths, with CEC's authentication, the spec's
//! validation, and state in memory.
//!
//! Behind the cargo feature `sandbox`.
//!
//! # In-process, for tests
//!
//! [`Sandbox::start`] listens on a free loopback port with a generated app
//! key and secret; [`Sandbox::client_builder`] gives a
//! [`ClientBuilder`] aimed at it. The server stops when
//! the `Sandbox` is dropped (or at [`Sandbox::shutdown`]).
//!
//! ```
//! use cec_routes::{CalledRoute, Device, MediaType, sandbox::Sandbox};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), cec_routes::Error> {
//! let sandbox = Sandbox::start().await?;
//! let client = sandbox.client_builder().build()?;
//!
//! let route = CalledRoute::new("9911411", Device::SkillQueue(1))?
//!     .with_ext_code("11")?
//!     .with_media_type(MediaType::Video)?;
//! let done = client.create_called_route(&route).await?;
//! assert_eq!(done.description.as_deref(), Some("data create success"));
//!
//! let routes = sandbox.routes();
//! assert_eq!(routes[0].access_code, "9911411");
//! assert_eq!(routes[0].dnid, 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Standalone, for a command line
//!
//! [`SandboxBuilder::port`] picks the port, [`SandboxBuilder::bind`] another
//! address than loopback (with a warning in the log), and
//! [`Sandbox::serve_until`] runs the server until a signal:
//!
//! ```no_run
//! use cec_routes::sandbox::Sandbox;
//!
//! # async fn run() -> Result<(), cec_routes::Error> {
//! let sandbox = Sandbox::builder()
//!     .port(8080)
//!     .credentials_from_env()
//!     .start()
//!     .await?;
//! println!("CEC sandbox at {} (app key {})", sandbox.base_url(), sandbox.app_key());
//! sandbox
//!     .serve_until(async {
//!         // An error here (no signal handler) stops the sandbox at once.
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await
//! # }
//! ```
//!
//! Every request is logged as a `tracing` event (targets under
//! `cec_routes::sandbox`, level INFO) with the sandbox's address, the
//! method, the path (never the query or a header), the status and the
//! duration; refusals, issued tokens and created
//! routes add a DEBUG event. No event carries an app secret or a token.
//!
//! # What the sandbox assumes beyond the documentation
//!
//! The CEC pages document the paths, the bodies and the 200 answers, and list
//! 400/401/403/404/500 with a meaning but no body and no error codes. Every
//! choice the sandbox makes where they are silent is here, and only here:
//!
//! | topic | the sandbox's choice |
//! |---|---|
//! | error body | every refusal with a 4xx status has the 200 envelope's shape, `{"returnCode": "<code>", "description": "<which field and what is wrong>"}` (the generated `ReturnResult`), with a `SANDBOX-…` code from the table below |
//! | return codes | `"0"` success; [`RETURN_CODE_DUPLICATE`] (HTTP 200) duplicate route; [`RETURN_CODE_BAD_REQUEST`] 400; [`RETURN_CODE_UNAUTHORIZED`] 401; [`RETURN_CODE_FORBIDDEN`] 403; [`RETURN_CODE_NOT_FOUND`] 404; [`RETURN_CODE_METHOD_NOT_ALLOWED`] 405. The `SANDBOX-` prefix marks them as the sandbox's own: CEC documents no codes |
//! | duplicate route | a second route for the same access code and extension code is refused with **HTTP 200** and [`RETURN_CODE_DUPLICATE`] (a business failure, as CEC reports them in the 200 envelope); the first route is kept |
//! | `""` vs no `extCode` | a route's key is its access code plus its extension code, where a missing extension code and `""` are the same key (CEC's queries return `""` for "none"). A create with `"extCode": ""` is refused with 400 anyway, by the spec's `minLength: 1` |
//! | route ids | each route gets `dnid` 1, 2, 3, … (never reused) and `id` = 1127983948544239616 + `dnid` as a decimal string: 19 digits, above 2^53, like CEC's ids, and the same in every run |
//! | `X-Token-Expire` missing | the token lives 600 s ([`DEFAULT_TOKEN_LIFETIME`](crate::DEFAULT_TOKEN_LIFETIME), the documented example) |
//! | `X-Token-Expire` invalid | not a whole number, 0, above 3600 or sent twice: 400 |
//! | token | 256 random bits as 64 lower-case hex characters, valid for exactly the lifetime granted, measured on tokio's clock (so paused time in tests moves it); `Scope` is [`TOKEN_SCOPE`], `UserID` `Anonymous`, `CreateTime` the wall clock in epoch seconds |
//! | tokens kept | at most 1024 unexpired tokens; issuing one more forgets the oldest. Expired tokens are dropped when a new one is issued |
//! | token request body | a JSON object with exactly `app_key` and `app_secret`, both non-empty strings, else 400 |
//! | wrong app key or secret | 401, with the same description for both (the key is not revealed as valid) |
//! | `Authorization` | exactly one header, exactly `Bearer <token>` (capital B, one space); otherwise, or an unknown or expired token: 401 with `WWW-Authenticate: Bearer` |
//! | `X-APP-Key` | optional; when sent it must equal the app key the token was issued to, else **403** |
//! | order of checks | unknown path (404), wrong method (405, with `Allow: POST`), then authentication (401, 403), then the body (400), then state (200 duplicate) |
//! | body size | at most [`BODY_LIMIT`] (64 KiB) on both endpoints; a larger body is refused with **400** (not 413: CEC documents 400 for a bad request) |
//! | `Content-Type` | not checked: the body must be JSON whatever the header says |
//! | body validation | JSON object; no field outside the spec's five (`additionalProperties: false`); `accessCode`, `devicetype`, `deviceId` present; each field of the spec's JSON type (`null` is refused: the spec has no nullable field); then the value rules of [`CalledRoute`](crate::CalledRoute), [`Device::from_wire`](crate::Device::from_wire) and [`MediaType`](crate::MediaType) — the library's own checks, so the client and the sandbox cannot disagree |
//! | rules it cannot check | the sandbox has no access codes, skill queues or IVR flows: any access code and device id is accepted, and neither the access code's media type nor the skill queue's is compared with `mediaTypeId` |
//! | credentials | one generated pair unless [`SandboxBuilder::credentials`] or [`SandboxBuilder::credentials_from_env`] gives some; several pairs may be configured |
//! | address | `127.0.0.1`, port 0 (a free one) unless set; a non-loopback address only through [`SandboxBuilder::bind`], with a warning |
//! | shutdown | graceful: the listener closes at once, requests under way finish |

mod auth;
mod handlers;
mod state;
mod validate;

use std::{
    fmt,
    future::Future,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use secrecy::{ExposeSecret, SecretString};
use tokio::{sync::oneshot, task::JoinHandle};

use crate::{Client, ClientBuilder, ENV_APP_KEY, ENV_APP_SECRET, Error};

pub use state::SandboxRoute;

/// The largest request body either endpoint reads (64 KiB); a larger one is
/// refused with 400.
pub const BODY_LIMIT: usize = 64 * 1024;

/// `returnCode` (with HTTP 200) of a create whose access code and extension
/// code are already bound.
pub const RETURN_CODE_DUPLICATE: &str = "SANDBOX-ROUTE-DUPLICATE";
/// `returnCode` of a 400: a malformed body or `X-Token-Expire` header.
pub const RETURN_CODE_BAD_REQUEST: &str = "SANDBOX-BAD-REQUEST";
/// `returnCode` of a 401: wrong credentials, or a missing, malformed,
/// unknown or expired bearer token.
pub const RETURN_CODE_UNAUTHORIZED: &str = "SANDBOX-UNAUTHORIZED";
/// `returnCode` of a 403: `X-APP-Key` differs from the token's app key.
pub const RETURN_CODE_FORBIDDEN: &str = "SANDBOX-FORBIDDEN";
/// `returnCode` of a 404: no such path.
pub const RETURN_CODE_NOT_FOUND: &str = "SANDBOX-NOT-FOUND";
/// `returnCode` of a 405: the path exists, but only for `POST`.
pub const RETURN_CODE_METHOD_NOT_ALLOWED: &str = "SANDBOX-METHOD-NOT-ALLOWED";

/// The `Scope` of every token the sandbox issues.
pub const TOKEN_SCOPE: &str = "cc-management";

/// What the handlers share: the tokens and the routes.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) tokens: auth::Tokens,
    pub(crate) routes: state::Routes,
}

/// Configures a [`Sandbox`]: address, port and credentials.
///
/// # Examples
///
/// ```
/// use cec_routes::sandbox::Sandbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), cec_routes::Error> {
/// let sandbox = Sandbox::builder()
///     .credentials("my-app-key", "my-app-secret")
///     .start()
///     .await?;
/// assert_eq!(sandbox.app_key(), "my-app-key");
/// assert!(sandbox.addr().ip().is_loopback());
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct SandboxBuilder {
    ip: IpAddr,
    port: u16,
    credentials: Vec<auth::Credential>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            credentials: Vec::new(),
        }
    }
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("ip", &self.ip)
            .field("port", &self.port)
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl SandboxBuilder {
    /// The port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on (default `127.0.0.1`). Anything but loopback
    /// lets other machines use the sandbox and its credentials over plain
    /// http; [`start`](SandboxBuilder::start) logs a warning for it.
    pub fn bind(mut self, ip: impl Into<IpAddr>) -> Self {
        self.ip = ip.into();
        self
    }

    /// Accepts this app key and app secret at `tokenByAkSk`. Call it again
    /// for more pairs; the first pair is the one [`Sandbox::app_key`] and
    /// [`Sandbox::client_builder`] use. Without any, one pair is generated.
    pub fn credentials(
        mut self,
        app_key: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.credentials.push(auth::Credential::new(
            app_key.into(),
            SecretString::from(app_secret.into()),
        ));
        self
    }

    /// Accepts the pair in `CEC_APP_KEY` and `CEC_APP_SECRET` when both are
    /// set (the client's variables, so a client configured from the
    /// environment works against the sandbox); otherwise changes nothing,
    /// and a pair is generated at start.
    pub fn credentials_from_env(self) -> Self {
        self.credentials_from_lookup(|name| std::env::var(name).ok())
    }

    fn credentials_from_lookup(self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        match (non_empty(ENV_APP_KEY), non_empty(ENV_APP_SECRET)) {
            (Some(key), Some(secret)) => self.credentials(key.trim(), secret),
            (None, None) => self,
            _ => {
                tracing::warn!(
                    "only one of {ENV_APP_KEY} and {ENV_APP_SECRET} is set; \
                     the sandbox generates its own credentials"
                );
                self
            }
        }
    }

    /// Binds the address and starts serving on the current tokio runtime.
    ///
    /// Fails with [`Error::Config`] when the credentials are empty or
    /// repeat an app key, or when the address cannot be bound (in use, not
    /// local, no permission).
    pub async fn start(self) -> Result<Sandbox, Error> {
        let credentials = if self.credentials.is_empty() {
            vec![auth::Credential::generate()]
        } else {
            self.credentials
        };
        let tokens = auth::Tokens::new(credentials)?;
        let (app_key, app_secret) = tokens.first_credential();

        let requested = SocketAddr::new(self.ip, self.port);
        let listener = tokio::net::TcpListener::bind(requested)
            .await
            .map_err(|e| {
                Error::config(format!("the sandbox could not listen on {requested}: {e}"))
            })?;
        let addr = listener.local_addr().map_err(|e| {
            Error::config(format!("the sandbox's listening address is unknown: {e}"))
        })?;
        if !addr.ip().is_loopback() {
            tracing::warn!(
                %addr,
                "the sandbox listens on an address that is not loopback: other machines can \
                 reach it, and its credentials and tokens cross the network in plain http"
            );
        }

        let shared = Arc::new(Shared {
            tokens,
            routes: state::Routes::default(),
        });
        let (shutdown, signal) = oneshot::channel::<()>();
        let server = axum::serve(listener, handlers::router(shared.clone(), addr))
            .with_graceful_shutdown(async {
                // A send or a dropped sender: either way, stop.
                let _ = signal.await;
            });
        let task = tokio::spawn(async move { server.await });
        tracing::info!(%addr, "CEC sandbox listening");

        Ok(Sandbox {
            addr,
            base_url: base_url(addr),
            app_key,
            app_secret,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

/// The URL clients use: loopback when the sandbox listens on every address.
fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// A running local CEC.
///
/// Dropping it stops the server (gracefully: the port closes at once,
/// requests under way finish); [`shutdown`](Sandbox::shutdown) does the same
/// and waits for the server to end.
///
/// `Debug` shows the address and the app key, never the secret.
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    app_key: String,
    app_secret: SecretString,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .field("app_key", &self.app_key)
            .field("app_secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on a free loopback port with generated credentials.
    pub async fn start() -> Result<Sandbox, Error> {
        Sandbox::builder().start().await
    }

    /// A builder: loopback, a free port, generated credentials.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The address the server listens on (with the port it got).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL for clients, e.g. `http://127.0.0.1:40123` (loopback
    /// when the sandbox listens on every address).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The app key of the first credential pair.
    pub fn app_key(&self) -> &str {
        &self.app_key
    }

    /// The app secret of the first credential pair.
    pub fn app_secret(&self) -> &SecretString {
        &self.app_secret
    }

    /// A client builder aimed at the sandbox with the first credential pair
    /// (AK/SK tokens from the sandbox's `tokenByAkSk`). Plain http is
    /// allowed when the sandbox listens on an address that is not loopback.
    pub fn client_builder(&self) -> ClientBuilder {
        let loopback = base_url_is_loopback(self.addr);
        Client::builder()
            .base_url(self.base_url.as_str())
            .credentials(self.app_key.as_str(), self.app_secret.expose_secret())
            .allow_insecure_http(!loopback)
    }

    /// Every route created so far, oldest first.
    pub fn routes(&self) -> Vec<SandboxRoute> {
        self.shared.routes.all()
    }

    /// How many requests reached `tokenByAkSk`, answered with a token or not.
    pub fn token_requests(&self) -> usize {
        self.shared.tokens.requests()
    }

    /// Makes every token issued so far expired: the next business request
    /// with one of them gets 401, as a real token at the end of its life.
    pub fn expire_tokens(&self) {
        self.shared.tokens.expire_all();
    }

    /// Serves until `signal` completes (e.g. `tokio::signal::ctrl_c()`),
    /// then shuts down gracefully. For a standalone sandbox, such as the
    /// command line's `cec-routes sandbox`.
    ///
    /// Fails with [`Error::Config`] if the server stopped on its own.
    pub async fn serve_until(mut self, signal: impl Future) -> Result<(), Error> {
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        tokio::select! {
            _ = signal => {
                tracing::info!(addr = %self.addr, "CEC sandbox shutting down");
                self.stop();
                finish(task.await)
            }
            ended = &mut task => match finish(ended) {
                Ok(()) => Err(Error::config("the sandbox server stopped unexpectedly")),
                Err(error) => Err(error),
            },
        }
    }

    /// Stops the server and waits until it has ended: the port is closed and
    /// the requests under way are answered.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(task) = self.task.take()
            && let Err(error) = finish(task.await)
        {
            tracing::warn!(%error, "the sandbox server ended with an error");
        }
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may have ended already; then there is nothing to stop.
            let _ = shutdown.send(());
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

fn base_url_is_loopback(addr: SocketAddr) -> bool {
    addr.ip().is_loopback() || addr.ip().is_unspecified()
}

fn finish(ended: Result<std::io::Result<()>, tokio::task::JoinError>) -> Result<(), Error> {
    match ended {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::config(format!("the sandbox server failed: {e}"))),
        Err(e) => Err(Error::config(format!(
            "the sandbox server task failed: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn credentials_from_the_environment_need_both_variables() {
        let both = Sandbox::builder().credentials_from_lookup(lookup(&[
            (ENV_APP_KEY, "env-key"),
            (ENV_APP_SECRET, "env-secret"),
        ]));
        assert_eq!(both.credentials.len(), 1);
        assert_eq!(both.credentials[0].app_key(), "env-key");

        let key_only =
            Sandbox::builder().credentials_from_lookup(lookup(&[(ENV_APP_KEY, "env-key")]));
        assert!(key_only.credentials.is_empty());

        let empty = Sandbox::builder()
            .credentials_from_lookup(lookup(&[(ENV_APP_KEY, ""), (ENV_APP_SECRET, "s")]));
        assert!(empty.credentials.is_empty());
    }

    #[test]
    fn base_url_uses_loopback_for_every_address() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(base_url(any), "http://127.0.0.1:8080");
        let any6: SocketAddr = "[::]:8080".parse().unwrap();
        assert_eq!(base_url(any6), "http://[::1]:8080");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let builder = Sandbox::builder().credentials("key", "very-secret-value");
        assert!(!format!("{builder:?}").contains("very-secret-value"));
    }
}
