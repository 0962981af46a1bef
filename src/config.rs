//! The client's settings that have names: the environment variables
//! [`Client::from_env`](crate::Client::from_env) and
//! [`ClientBuilder::from_lookup`](crate::ClientBuilder::from_lookup) read,
//! the defaults of [`ClientBuilder`](crate::ClientBuilder), and the header
//! names on the wire.
//!
//! # Examples
//!
//! ```
//! use cec_routes::config;
//!
//! assert_eq!(config::ENV_APP_KEY, "CEC_APP_KEY");
//! assert_eq!(config::DEFAULT_TIMEOUT.as_secs(), 30);
//! ```

use std::time::Duration;

/// The environment variable for the base URL.
pub const ENV_BASE_URL: &str = "CEC_BASE_URL";
/// The environment variable for the app key (sent as `X-APP-Key`, and the
/// key of the AK/SK pair).
pub const ENV_APP_KEY: &str = "CEC_APP_KEY";
/// The environment variable for the app secret (the secret of the AK/SK pair).
pub const ENV_APP_SECRET: &str = "CEC_APP_SECRET";
/// The environment variable for a fixed access token.
pub const ENV_TOKEN: &str = "CEC_TOKEN";
/// The environment variable for the lifetime of AK/SK tokens, in seconds.
pub const ENV_TOKEN_LIFETIME: &str = "CEC_TOKEN_LIFETIME";
/// The environment variable for the whole-request timeout, in seconds.
pub const ENV_TIMEOUT: &str = "CEC_TIMEOUT";
/// The environment variable for the client's request rate cap, in requests
/// per second ([`ClientBuilder::max_requests_per_second`](crate::ClientBuilder::max_requests_per_second)).
pub const ENV_RPS: &str = "CEC_RPS";

/// The documented example domain, used when no base URL is set.
pub const DEFAULT_BASE_URL: &str = "https://service.besclouds.com";
/// The default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times a request that could not connect is tried again, by
/// default. Only connection failures are retried: the request was not sent.
pub const DEFAULT_CONNECT_RETRIES: u32 = 2;
/// The most bytes of a response body the client reads, by default (1 MiB):
/// a documented answer is a few kilobytes, and a page of 100 routes stays
/// far below it. See
/// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1 << 20;
/// The token lifetime asked for when none is configured (the documented
/// example's 600 s).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(600);

/// The app-key header, as the documentation spells it (HTTP header names
/// are case-insensitive).
pub const APP_KEY_HEADER: &str = "X-APP-Key";
