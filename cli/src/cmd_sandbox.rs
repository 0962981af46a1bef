//! `cec-routes sandbox`: the local sandbox, standalone.

use std::{
    net::IpAddr,
    path::{Path, PathBuf},
};

use cec_routes_sandbox::{Sandbox, Seed};

use crate::error::Error;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::output::Output;

/// Run the local sandbox until Ctrl-C.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Address to listen on; anything but loopback exposes the sandbox to the network
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Seed file (JSON: access codes, skill queues, IVR flows, routes); see
    /// examples/sandbox-seed.json. Default: the built-in seed, with no routes
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,

    /// Start with the documentation's example routes as well (added to the seed's routes)
    #[arg(long)]
    pub documented_examples: bool,

    /// Print the built-in seed as a seed file and exit
    #[arg(long)]
    pub print_seed: bool,

    /// Wait this many milliseconds before each business request, as a remote CEC would
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Let at most N requests (all paths together) through in any one second, as a throttling
    /// gateway would; one more is answered 429 with Retry-After and not carried out
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
}

pub async fn run(args: &Args, out: &Output) -> Result<(), Error> {
    if args.print_seed {
        crate::output::stdout(&Seed::default().to_json());
        return Ok(());
    }
    let seed = match (&args.seed, args.documented_examples) {
        (Some(path), false) => load_seed(path)?,
        (Some(path), true) => with_documented_routes(path, &load_seed(path)?)?,
        (None, true) => Seed::documented_examples(),
        (None, false) => Seed::default(),
    };
    let env = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let secret_is_yours =
        env(cec_routes::config::ENV_APP_KEY) && env(cec_routes::config::ENV_APP_SECRET);
    let sandbox = Sandbox::builder()
        .seed(seed)
        .latency(std::time::Duration::from_millis(args.latency_ms))
        .rate_limit(args.rate_limit.unwrap_or(0))
        .credentials_from_env()
        .bind(args.bind)
        .port(args.port)
        .start()
        .await?;
    // A secret it was given is the caller's: never printed back.
    let secret = (!secret_is_yours).then(|| sandbox.app_secret().expose_secret().to_owned());
    out.result(
        &format!(
            "sandbox listening on {url}{limit}\n\
             CEC_BASE_URL={url}\nCEC_APP_KEY={key}\n{secret_line}\n\
             press Ctrl-C to stop",
            limit = args
                .rate_limit
                .map(|n| format!(" (rate limit {n}/s; more get 429)"))
                .unwrap_or_default(),
            url = sandbox.base_url(),
            key = sandbox.app_key(),
            secret_line = match &secret {
                Some(secret) => format!("CEC_APP_SECRET={secret}"),
                None => "(the app secret is yours, from CEC_APP_SECRET: not shown)".to_owned(),
            },
        ),
        || {
            json!({
                "baseUrl": sandbox.base_url(),
                "appKey": sandbox.app_key(),
                "appSecret": secret,
                "rateLimit": args.rate_limit,
            })
        },
    );
    let _ = tokio::signal::ctrl_c().await;
    let throttled = sandbox.throttled();
    sandbox.shutdown().await;
    match args.rate_limit {
        Some(_) => out.step(&format!(
            "sandbox stopped; {throttled} requests were throttled (429)"
        )),
        None => out.step("sandbox stopped"),
    }
    Ok(())
}

/// A seed file; a number too large for its field is shown as written, not
/// as the float JSON readers turn it into.
fn load_seed(path: &Path) -> Result<Seed, Error> {
    Seed::from_json_file(path).map_err(|error| match error {
        cec_routes_sandbox::Error::SeedFile { path, reason }
            if reason.contains("floating point `") =>
        {
            let reason = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| number_as_written(&reason, &text))
                .unwrap_or(reason);
            Error::Sandbox(cec_routes_sandbox::Error::SeedFile { path, reason })
        }
        other => Error::Sandbox(other),
    })
}

/// serde_json's "invalid type: floating point `-4.9e+36`, expected i64 at
/// line 1 column 93", with the number as the file writes it.
fn number_as_written(reason: &str, text: &str) -> Option<String> {
    let (_, position) = reason.rsplit_once(" at line ")?;
    let (line, column) = position.split_once(" column ")?;
    let line: usize = line.trim().parse().ok()?;
    let column: usize = column.trim().parse().ok()?;
    let source_line = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = source_line.chars().take(column).collect();
    let literal: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if literal.is_empty() {
        return None;
    }
    let expected = reason
        .split_once(", expected ")?
        .1
        .split(" at line ")
        .next()?;
    let expected = match expected {
        "i64" => "a whole number from -9223372036854775808 to 9223372036854775807",
        "u64" => "a whole number from 0 to 18446744073709551615",
        "i32" => "a whole number from -2147483648 to 2147483647",
        "u32" => "a whole number from 0 to 4294967295",
        other => other,
    };
    Some(format!(
        "`{literal}` at line {line} column {column} is out of range: {expected}"
    ))
}

/// The seed with the documentation's example routes added to its own.
fn with_documented_routes(path: &Path, seed: &Seed) -> Result<Seed, Error> {
    let mut json: serde_json::Value =
        serde_json::from_str(&seed.to_json()).expect("a seed is JSON");
    let documented: serde_json::Value =
        serde_json::from_str(&Seed::documented_examples().to_json()).expect("a seed is JSON");
    let mut routes = json["routes"].as_array().cloned().unwrap_or_default();
    routes.extend(documented["routes"].as_array().cloned().unwrap_or_default());
    json["routes"] = routes.into();
    Seed::from_json_str(&json.to_string()).map_err(|e| {
        Error::Sandbox(cec_routes_sandbox::Error::SeedFile {
            path: path.to_owned(),
            reason: format!(
                "with --documented-examples: {}",
                e.to_string().trim_start_matches("sandbox seed: ")
            ),
        })
    })
}
