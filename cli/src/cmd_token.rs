//! `cec-routes token`: get a token and show its lifetime.

use std::time::{Duration, SystemTime};

use crate::error::Error;
use cec_routes::{ClientBuilder, SecretString};
use secrecy::ExposeSecret;
use serde_json::json;

use crate::{Origins, output::Output};

/// Get an access token from tokenByAkSk and show its lifetime.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Token lifetime to ask for, in seconds, 1 to 3600 (default: 600)
    #[arg(
        long,
        value_name = "SECONDS",
        env = cec_routes::config::ENV_TOKEN_LIFETIME,
        hide_env_values = true
    )]
    pub lifetime: Option<String>,

    /// Print the token itself (it is a secret: it is hidden otherwise)
    #[arg(long)]
    pub show_token: bool,
}

pub async fn run(
    args: &Args,
    origins: &Origins,
    config: ClientBuilder,
    out: &Output,
) -> Result<(), Error> {
    let config = match &args.lifetime {
        Some(text) => {
            config.token_lifetime(lifetime(text, origins.of_arg("lifetime", "--lifetime"))?)
        }
        None => config,
    };
    let client = config.build()?;
    let token = client.access_token().await?;
    let valid_for = token
        .expires_at()
        .map(|at| at.saturating_duration_since(tokio::time::Instant::now()));
    let expires = valid_for.map(|d| humantime::format_rfc3339_seconds(SystemTime::now() + d));
    let shown = args.show_token.then(|| reveal(token.secret()));
    let mut text = match (valid_for, &expires) {
        (Some(d), Some(at)) => format!("token valid for {} s, until {at}", d.as_secs()),
        _ => "token has no known expiry (a fixed token)".to_owned(),
    };
    if let Some(secret) = &shown {
        text.push_str(&format!("\ntoken: {secret}"));
    }
    out.result(&text, || {
        json!({
            "operation": "tokenByAkSk",
            "validForSeconds": valid_for.map(|d| d.as_secs()),
            "expiresAt": expires.map(|at| at.to_string()),
            "token": shown,
        })
    });
    Ok(())
}

/// A token lifetime: 1 to 3600 whole seconds; `origin` names the flag or
/// variable it came from.
fn lifetime(text: &str, origin: &str) -> Result<Duration, Error> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|seconds| (1..=cec_routes::limits::MAX_TOKEN_LIFETIME.as_secs()).contains(seconds))
        .map(Duration::from_secs)
        .ok_or_else(|| Error::Config {
            reason: format!("{origin} is `{text}`; it must be 1 to 3600 whole seconds"),
        })
}

fn reveal(secret: &SecretString) -> String {
    secret.expose_secret().to_owned()
}
