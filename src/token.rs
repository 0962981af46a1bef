//! Access tokens: the [`TokenProvider`] trait, the [`AccessToken`] it gives,
//! and the [`StaticToken`] provider. Tokens from `tokenByAkSk` are the
//! `token_by_ak_sk` module's.

use std::{fmt, future::Future, pin::Pin, sync::Arc};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::error::Error;

/// What [`TokenProvider::token`] returns: a boxed future of a token, which
/// `Box::pin(async { … })` makes. The same type as the `futures` crate's
/// `BoxFuture<'a, Result<AccessToken, Error>>`, so either spelling
/// implements the trait.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + 'a>>;

/// An access token for `Authorization: Bearer <token>`, and when it stops
/// being usable.
///
/// The token is a [`SecretString`]: `Debug` shows `[REDACTED]`, never the
/// value.
///
/// Cloning is cheap (a reference count): the client clones the token it
/// sends on every call.
///
/// # Examples
///
/// ```
/// use cec_routes::AccessToken;
///
/// let token = AccessToken::new("zzzzzzzzzzzzzzzzzz");
/// assert!(!format!("{token:?}").contains("zzzz"));
/// assert!(token.expires_at().is_none());
/// ```
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<TokenInner>,
}

struct TokenInner {
    secret: SecretString,
    /// `Bearer <token>`, marked sensitive, made once: `None` when the token
    /// has characters a header cannot carry (the hook then fails the call).
    bearer: Option<HeaderValue>,
    expires_at: Option<Instant>,
}

impl AccessToken {
    /// A token that the client treats as valid until CEC refuses it.
    pub fn new(token: impl Into<String>) -> Self {
        Self::make(token.into(), None)
    }

    /// A token that must not be sent at or after `expires_at` (a monotonic
    /// instant).
    pub fn with_expiry(token: impl Into<String>, expires_at: Instant) -> Self {
        Self::make(token.into(), Some(expires_at))
    }

    fn make(token: String, expires_at: Option<Instant>) -> Self {
        let bearer = HeaderValue::try_from(format!("Bearer {token}"))
            .ok()
            .map(|mut value| {
                value.set_sensitive(true);
                value
            });
        AccessToken {
            inner: Arc::new(TokenInner {
                secret: SecretString::from(token),
                bearer,
                expires_at,
            }),
        }
    }

    /// The token itself.
    pub fn secret(&self) -> &SecretString {
        &self.inner.secret
    }

    /// When the token stops being usable, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.inner.expires_at
    }

    /// Whether this is the same token as `other`.
    pub fn same_token(&self, other: &AccessToken) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || self.secret().expose_secret() == other.secret().expose_secret()
    }

    /// The `Authorization` value for this token (sensitive), or `None` when
    /// the token cannot be carried in a header.
    pub(crate) fn bearer(&self) -> Option<&HeaderValue> {
        self.inner.bearer.as_ref()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"[REDACTED]")
            .field("expires_at", &self.inner.expires_at)
            .finish()
    }
}

/// Where the client's access tokens come from.
///
/// The [`Client`](crate::Client) asks its provider for a token before every
/// call, so a provider returns a cached token quickly and fetches a new one
/// only when it must. When CEC answers 401, the client calls
/// [`invalidate`](TokenProvider::invalidate) with the token it sent, asks for
/// a token again and resends the call once.
///
/// Three providers come with the crate: [`StaticToken`],
/// [`AkSkProvider`](crate::AkSkProvider) (tokens from `tokenByAkSk`, cached
/// and refreshed ahead of expiry), and any type of yours.
///
/// # Examples
///
/// A token kept in a vault:
///
/// ```
/// use cec_routes::{AccessToken, Error, TokenFuture, TokenProvider};
///
/// #[derive(Debug)]
/// struct Vault;
///
/// impl TokenProvider for Vault {
///     fn token(&self) -> TokenFuture<'_> {
///         Box::pin(async { Ok(AccessToken::new("token-from-the-vault")) })
///     }
/// }
///
/// let client = cec_routes::Client::builder().token_provider(Vault).build()?;
/// # Ok::<(), Error>(())
/// ```
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A token that is valid now.
    fn token(&self) -> TokenFuture<'_>;

    /// CEC refused `rejected` (401): forget it, so the next
    /// [`token`](TokenProvider::token) gives a fresh one. The default does
    /// nothing.
    fn invalidate(&self, rejected: &AccessToken) {
        let _ = rejected;
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Arc<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }

    fn invalidate(&self, rejected: &AccessToken) {
        (**self).invalidate(rejected)
    }
}

/// One fixed token, e.g. from `CEC_TOKEN`.
///
/// # Examples
///
/// ```
/// use cec_routes::{Client, StaticToken};
///
/// let client = Client::builder().token_provider(StaticToken::new("my-token")).build()?;
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A provider that always gives `token`.
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken(AccessToken::new(token))
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}
