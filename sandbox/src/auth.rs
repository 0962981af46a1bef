//! The sandbox's credentials and tokens: who may get a token, the tokens
//! issued, and the checks on `Authorization` and `X-APP-Key`.

use std::{
    fmt,
    sync::{
        Mutex, MutexGuard, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::http::{HeaderMap, header::AUTHORIZATION};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use cec_routes::{config::DEFAULT_TOKEN_LIFETIME, limits::MAX_TOKEN_LIFETIME};

use crate::Error;

/// The header that sets a token's lifetime, in seconds.
pub(crate) const TOKEN_EXPIRE_HEADER: &str = "x-token-expire";

/// The app-key header of business requests (header names are
/// case-insensitive; the documentation spells it `X-APP-Key`).
const APP_KEY_HEADER: &str = "x-app-key";

/// How many unexpired tokens are kept; issuing one more forgets the oldest.
const MAX_TOKENS: usize = 1024;

/// Random bytes in a token (256 bits).
const TOKEN_BYTES: usize = 32;

/// An app key and the app secret that goes with it.
pub(crate) struct Credential {
    app_key: String,
    app_secret: SecretString,
}

impl Credential {
    pub(crate) fn new(app_key: String, app_secret: SecretString) -> Self {
        Credential {
            app_key,
            app_secret,
        }
    }

    /// A random pair: `sandbox-` and 64 bits for the key, 256 bits for the
    /// secret.
    pub(crate) fn generate() -> Self {
        Credential::new(
            format!("sandbox-{}", random_hex::<8>()),
            SecretString::from(random_hex::<32>()),
        )
    }

    #[cfg(test)]
    pub(crate) fn app_key(&self) -> &str {
        &self.app_key
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("app_key", &self.app_key)
            .field("app_secret", &"[REDACTED]")
            .finish()
    }
}

/// A token the sandbox issued.
struct Issued {
    token: SecretString,
    app_key: String,
    expires_at: Instant,
}

/// Why a business request is refused before its body is read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Denied {
    /// 401: no usable bearer token; the reason names which check failed.
    Unauthorized(&'static str),
    /// 403: `X-APP-Key` is not the token's app key.
    Forbidden,
}

/// The configured credentials, the tokens issued, and how many token
/// requests arrived.
pub(crate) struct Tokens {
    credentials: Vec<Credential>,
    issued: Mutex<Vec<Issued>>,
    requests: AtomicUsize,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("credentials", &self.credentials)
            .field("issued", &self.lock().len())
            .field("requests", &self.requests())
            .finish()
    }
}

impl Tokens {
    /// Checks the pairs: at least one, none empty, no app key twice.
    pub(crate) fn new(credentials: Vec<Credential>) -> Result<Self, Error> {
        if credentials.is_empty() {
            return Err(Error::Credentials {
                reason: "the sandbox needs at least one credential pair".into(),
            });
        }
        for (i, credential) in credentials.iter().enumerate() {
            if credential.app_key.trim().is_empty() {
                return Err(Error::Credentials {
                    reason: "a sandbox app key is empty".into(),
                });
            }
            if credential.app_secret.expose_secret().is_empty() {
                return Err(Error::Credentials {
                    reason: format!(
                        "the sandbox app secret for `{}` is empty",
                        credential.app_key
                    ),
                });
            }
            if credentials[..i]
                .iter()
                .any(|c| c.app_key == credential.app_key)
            {
                return Err(Error::Credentials {
                    reason: format!(
                        "the sandbox app key `{}` is configured twice",
                        credential.app_key
                    ),
                });
            }
        }
        Ok(Tokens {
            credentials,
            issued: Mutex::new(Vec::new()),
            requests: AtomicUsize::new(0),
        })
    }

    /// The first pair, the one the sandbox advertises.
    pub(crate) fn first_credential(&self) -> (String, SecretString) {
        // `new` refuses an empty list, so there is always a first pair.
        let first = &self.credentials[0];
        (first.app_key.clone(), first.app_secret.clone())
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Issued>> {
        // Every change is a single push, retain or assignment, so the list is
        // consistent even if a holder panicked.
        self.issued.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one request to `tokenByAkSk`.
    pub(crate) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The app key of the pair these credentials match. Every pair is
    /// compared, each in constant time.
    pub(crate) fn authenticate(&self, app_key: &str, app_secret: &str) -> Option<&str> {
        let mut found = None;
        for credential in &self.credentials {
            let key = credential.app_key.as_bytes().ct_eq(app_key.as_bytes());
            let secret = credential
                .app_secret
                .expose_secret()
                .as_bytes()
                .ct_eq(app_secret.as_bytes());
            if bool::from(key & secret) {
                found = Some(credential.app_key.as_str());
            }
        }
        found
    }

    /// Issues a token to `app_key` for `lifetime`.
    pub(crate) fn issue(&self, app_key: &str, lifetime: Duration) -> SecretString {
        let now = Instant::now();
        let token = SecretString::from(random_hex::<TOKEN_BYTES>());
        let mut issued = self.lock();
        issued.retain(|t| t.expires_at > now);
        if issued.len() >= MAX_TOKENS {
            issued.remove(0);
        }
        issued.push(Issued {
            token: token.clone(),
            app_key: app_key.to_owned(),
            expires_at: now + lifetime,
        });
        token
    }

    /// Makes every issued token expired.
    pub(crate) fn expire_all(&self) {
        let now = Instant::now();
        for token in self.lock().iter_mut() {
            token.expires_at = token.expires_at.min(now);
        }
    }

    /// Checks a business request's `Authorization` and `X-APP-Key` headers;
    /// the app key the token was issued to, when they pass.
    pub(crate) fn authorize(&self, headers: &HeaderMap) -> Result<String, Denied> {
        let token = bearer(headers)?;
        let now = Instant::now();
        let issued = self.lock();
        let mut found = None;
        for candidate in issued.iter() {
            let same = candidate
                .token
                .expose_secret()
                .as_bytes()
                .ct_eq(token.as_bytes());
            if bool::from(same) {
                found = Some(candidate);
            }
        }
        let issued = found.ok_or(Denied::Unauthorized("the access token is unknown"))?;
        if now >= issued.expires_at {
            return Err(Denied::Unauthorized(
                "the access token has expired; get a new one from tokenByAkSk",
            ));
        }
        let mut app_keys = headers.get_all(APP_KEY_HEADER).iter();
        match (app_keys.next(), app_keys.next()) {
            (None, _) => {}
            (Some(sent), None) if sent.as_bytes() == issued.app_key.as_bytes() => {}
            _ => return Err(Denied::Forbidden),
        }
        Ok(issued.app_key.clone())
    }
}

/// The token of the one `Authorization: Bearer <token>` header. As HTTP
/// (RFC 7235) has it, the scheme may be in any case and followed by more
/// than one space; the token is one word.
fn bearer(headers: &HeaderMap) -> Result<&str, Denied> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = match (values.next(), values.next()) {
        (Some(value), None) => value,
        (None, _) => return Err(Denied::Unauthorized("the Authorization header is missing")),
        (Some(_), Some(_)) => {
            return Err(Denied::Unauthorized(
                "the Authorization header is sent more than once",
            ));
        }
    };
    value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, token)| token.trim_start_matches(' '))
        .filter(|token| !token.is_empty() && !token.contains(char::is_whitespace))
        .ok_or(Denied::Unauthorized(
            "the Authorization header must be `Bearer <AccessToken>`",
        ))
}

/// The lifetime a token request asks for in `X-Token-Expire`: 1 to 3600
/// seconds, 600 when the header is missing.
pub(crate) fn lifetime(headers: &HeaderMap) -> Result<Duration, String> {
    let mut values = headers.get_all(TOKEN_EXPIRE_HEADER).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Ok(DEFAULT_TOKEN_LIFETIME),
        (Some(value), None) => value,
        (Some(_), Some(_)) => return Err("X-Token-Expire is sent more than once".to_owned()),
    };
    let max = MAX_TOKEN_LIFETIME.as_secs();
    let text = String::from_utf8_lossy(value.as_bytes());
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|seconds| (1..=max).contains(seconds))
        .map(Duration::from_secs)
        .ok_or_else(|| {
            format!(
                "X-Token-Expire must be a whole number of seconds from 1 to {max}, not `{text}`"
            )
        })
}

/// `N` random bytes from the thread's CSPRNG, as lower-case hex.
fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand::rng().fill(&mut bytes[..]);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(vec![Credential::new("key".into(), "secret".into())]).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn credentials_match_only_as_a_pair() {
        let tokens = tokens();
        assert_eq!(tokens.authenticate("key", "secret"), Some("key"));
        assert_eq!(tokens.authenticate("key", "secre"), None);
        assert_eq!(tokens.authenticate("other", "secret"), None);
    }

    #[test]
    fn generated_tokens_carry_256_random_bits() {
        let tokens = tokens();
        let a = tokens.issue("key", Duration::from_secs(1));
        let b = tokens.issue("key", Duration::from_secs(1));
        assert_eq!(a.expose_secret().len(), 2 * TOKEN_BYTES);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }

    #[test]
    fn bearer_takes_one_token_after_the_scheme() {
        for bad in ["Bearer", "Bearer ", "Bearer a b", "Basic abc", "Bearerabc"] {
            assert!(
                bearer(&headers(&[("authorization", bad)])).is_err(),
                "{bad:?}"
            );
        }
        assert_eq!(
            bearer(&headers(&[("authorization", "Bearer abc")])),
            Ok("abc")
        );
    }

    #[test]
    fn bearer_takes_the_scheme_in_any_case_and_more_than_one_space() {
        for good in ["bearer abc", "BEARER abc", "Bearer   abc"] {
            assert_eq!(
                bearer(&headers(&[("authorization", good)])),
                Ok("abc"),
                "{good:?}"
            );
        }
    }

    #[test]
    fn lifetime_is_1_to_3600_seconds_or_600_when_missing() {
        assert_eq!(lifetime(&HeaderMap::new()), Ok(Duration::from_secs(600)));
        assert_eq!(
            lifetime(&headers(&[(TOKEN_EXPIRE_HEADER, "3600")])),
            Ok(Duration::from_secs(3600))
        );
        for bad in ["0", "3601", "abc", "-1", "1.5", ""] {
            assert!(
                lifetime(&headers(&[(TOKEN_EXPIRE_HEADER, bad)])).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_token_store_stays_bounded() {
        let tokens = tokens();
        for _ in 0..MAX_TOKENS + 10 {
            tokens.issue("key", Duration::from_secs(60));
        }
        assert_eq!(tokens.lock().len(), MAX_TOKENS);
    }
}
