//! `cec-routes`: bind CEC access codes to skill queues and IVR flows from the
//! command line, or try the whole flow against the embedded sandbox.

// Every line goes through `output`, which survives a closed stdout.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cmd_access_codes;
mod cmd_apply;
mod cmd_create;
mod cmd_delete;
mod cmd_demo;
mod cmd_export;
mod cmd_list;
mod cmd_modify;
mod cmd_plan;
mod cmd_sandbox;
mod cmd_token;
mod error;
mod exit;
mod output;
mod prompt;
mod route_key;
mod routes_input;

use std::{process::ExitCode, time::Duration};

use crate::error::Error;
use cec_routes::{ClientBuilder, ENV_APP_KEY, ENV_BASE_URL, ENV_TIMEOUT};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::output::{Format, Output};

#[derive(Debug, Parser)]
#[command(
    name = "cec-routes",
    version,
    about = "Bind Huawei Cloud CEC access codes to skill queues and IVR flows",
    long_about = "Bind Huawei Cloud CEC access codes to skill queues and IVR flows.\n\n\
        Each setting comes from its flag, else its environment variable (shown with each flag; \
        values set there are never shown here). Secrets never come from a flag: the app secret from CEC_APP_SECRET (tokens from \
        tokenByAkSk) or from stdin with --app-secret-stdin, or a fixed token from CEC_TOKEN. \
        CEC_TOKEN_LIFETIME is read too.",
    after_help = exit::HELP
)]
struct Cli {
    /// Base URL of CEC (default: https://service.besclouds.com)
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = ENV_BASE_URL,
        hide_env_values = true
    )]
    base_url: Option<String>,

    /// Base URL of tokenByAkSk when it differs from --base-url (e.g. the port 28070 variant)
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "CEC_TOKEN_URL",
        hide_env_values = true
    )]
    token_url: Option<String>,

    /// Allow plain http to hosts other than loopback (a sandbox in docker-compose or on a
    /// private network); tokens and the app secret then cross the network in clear text
    #[arg(
        long,
        global = true,
        env = "CEC_ALLOW_HTTP",
        hide_env_values = true,
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    allow_http: bool,

    /// App key, sent as X-APP-Key and used with the app secret
    #[arg(
        long,
        global = true,
        value_name = "KEY",
        env = ENV_APP_KEY,
        hide_env_values = true
    )]
    app_key: Option<String>,

    /// Read the app secret from the first line of stdin instead of CEC_APP_SECRET
    #[arg(long, global = true)]
    app_secret_stdin: bool,

    /// Whole-request timeout: seconds, or a duration such as 90s or 2m (default: 30)
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        env = ENV_TIMEOUT,
        hide_env_values = true
    )]
    timeout: Option<String>,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    output: Format,

    /// Log what happens on stderr (-v info, -vv debug; or CEC_LOG=<filter>); secrets are never logged
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bind an access code (and extension code) to a skill queue or IVR flow
    Create(cmd_create::Args),
    /// List the called routes (every page), filtered
    List(cmd_list::Args),
    /// Point one route at another skill queue or IVR flow
    Modify(cmd_modify::Args),
    /// Delete routes, by dnid or by access code and extension code (asks first)
    Delete(cmd_delete::Args),
    /// List the tenant's access codes (every page), filtered
    AccessCodes(cmd_access_codes::Args),
    /// Get an access token from tokenByAkSk and show its lifetime
    Token(cmd_token::Args),
    /// Run the local sandbox until Ctrl-C
    Sandbox(cmd_sandbox::Args),
    /// Run the whole flow against the embedded sandbox: token, create, read back
    Demo(cmd_demo::Args),
    /// Write the live routes as a routes file (YAML on stdout), in a stable order
    Export(cmd_export::Args),
    /// Show what apply would change to make the live routes what a routes file says
    Plan(cmd_plan::Args),
    /// Make the live routes what a routes file says: plan, confirm, apply
    Apply(cmd_apply::Args),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let origins = Origins::of(&matches);
    init_tracing(cli.verbose);
    let out = Output::new(cli.output);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let error = Error::Internal {
                reason: format!("could not start the async runtime: {e}"),
            };
            out.error(&error);
            return error.exit_code();
        }
    };
    match runtime.block_on(run(&cli, &origins, &out)) {
        Ok(code) => code,
        Err(error) => {
            out.error(&error);
            error.exit_code()
        }
    }
}

/// Where the settings that clap reads from a flag or the environment came
/// from, so that an error names the one the user wrote.
#[derive(Debug)]
pub struct Origins {
    timeout: &'static str,
    /// `--lifetime` or `CEC_TOKEN_LIFETIME` (`token` only).
    pub lifetime: &'static str,
}

impl Origins {
    fn of(matches: &clap::ArgMatches) -> Self {
        let from_env = |matches: &clap::ArgMatches, id: &str| {
            matches!(
                matches.try_get_raw(id).ok().and(matches.value_source(id)),
                Some(clap::parser::ValueSource::EnvVariable)
            )
        };
        let token = matches.subcommand_matches("token");
        Origins {
            timeout: if from_env(matches, "timeout") {
                ENV_TIMEOUT
            } else {
                "--timeout"
            },
            lifetime: if token.is_some_and(|m| from_env(m, "lifetime")) {
                cec_routes::ENV_TOKEN_LIFETIME
            } else {
                "--lifetime"
            },
        }
    }
}

/// Runs the command: the exit code on success (0, or what plan and apply
/// report), the error otherwise.
async fn run(cli: &Cli, origins: &Origins, out: &Output) -> Result<ExitCode, Error> {
    let done = |result: Result<(), Error>| result.map(|()| ExitCode::SUCCESS);
    let routes_from_stdin = match &cli.command {
        Command::Plan(args) => args.plan.reads_stdin(),
        Command::Apply(args) => args.plan.reads_stdin(),
        _ => false,
    };
    if routes_from_stdin && cli.app_secret_stdin {
        return Err(Error::InvalidInput {
            field: "--file",
            reason: "`-f -` and --app-secret-stdin both read stdin; give the secret in \
                     CEC_APP_SECRET, or the routes in a file"
                .into(),
        });
    }
    let config = || client_config(cli, origins);
    match &cli.command {
        Command::Create(args) => done(cmd_create::run(args, config()?, out).await),
        Command::List(args) => done(cmd_list::run(args, config()?, out).await),
        Command::Modify(args) => done(cmd_modify::run(args, config()?, out).await),
        Command::Delete(args) => done(cmd_delete::run(args, config()?, out).await),
        Command::AccessCodes(args) => done(cmd_access_codes::run(args, config()?, out).await),
        Command::Token(args) => done(cmd_token::run(args, origins, config()?, out).await),
        Command::Sandbox(args) => done(cmd_sandbox::run(args, out).await),
        Command::Demo(args) => done(cmd_demo::run(args, out).await),
        Command::Export(args) => done(cmd_export::run(args, config()?, out).await),
        Command::Plan(args) => cmd_plan::run(args, config()?, out).await,
        Command::Apply(args) => cmd_apply::run(args, config()?, out).await,
    }
}

/// The client configuration: flags over the environment (clap reads both
/// for the settings that have a flag), the secret from the environment or
/// stdin only.
fn client_config(cli: &Cli, origins: &Origins) -> Result<ClientBuilder, Error> {
    let timeout = cli
        .timeout
        .as_deref()
        .map(|text| parse_timeout(text, origins.timeout))
        .transpose()?;
    let secret_from_stdin = if cli.app_secret_stdin {
        Some(read_secret_line()?)
    } else {
        None
    };
    let lookup = |name: &str| -> Option<String> {
        let value = match name {
            ENV_BASE_URL => cli.base_url.clone(),
            ENV_APP_KEY => cli.app_key.clone(),
            // Read and checked by the CLI, naming where they came from.
            ENV_TIMEOUT => return None,
            cec_routes::ENV_TOKEN_LIFETIME if matches!(cli.command, Command::Token(_)) => {
                return None;
            }
            cec_routes::ENV_APP_SECRET => secret_from_stdin.clone(),
            _ => None,
        };
        value.or_else(|| std::env::var(name).ok())
    };
    let mut builder = cec_routes::builder_from_lookup(lookup)?;
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(url) = &cli.token_url {
        builder = builder.token_base_url(url.trim());
    }
    if cli.allow_http {
        let base_url = cli
            .base_url
            .as_deref()
            .unwrap_or(cec_routes::DEFAULT_BASE_URL);
        for url in std::iter::once(base_url).chain(cli.token_url.as_deref()) {
            if is_clear_text(url) {
                output::stderr(&format!(
                    "warning: plain http to {} is allowed (--allow-http): the app secret and \
                     tokens cross the network in clear text; use it only on a test network",
                    output::escape(url.trim())
                ));
            }
        }
        builder = builder.allow_insecure_http(true);
    }
    Ok(builder)
}

/// Whether `url` is plain http to a host other than loopback.
fn is_clear_text(url: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|url| {
        url.scheme() == "http"
            && match url.host() {
                Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
                Some(url::Host::Domain(host)) => !host.eq_ignore_ascii_case("localhost"),
                None => false,
            }
    })
}

/// A timeout: whole seconds (`30`) or a duration (`30s`, `1m30s`); `origin`
/// names the flag or variable it came from.
fn parse_timeout(text: &str, origin: &str) -> Result<Duration, Error> {
    let text = text.trim();
    let timeout = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => humantime::parse_duration(text).map_err(|_| Error::Config {
            reason: format!(
                "{origin} is `{text}`; give whole seconds (30) or a duration (30s, 2m)"
            ),
        })?,
    };
    if timeout.is_zero() {
        return Err(Error::Config {
            reason: format!("{origin} is `{text}`; it must be longer than zero"),
        });
    }
    Ok(timeout)
}

fn read_secret_line() -> Result<String, Error> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::Config {
            reason: format!("could not read the app secret from stdin: {e}"),
        })?;
    let secret = line.trim_end_matches(['\r', '\n']).to_owned();
    if secret.is_empty() {
        return Err(Error::Config {
            reason: "--app-secret-stdin was given but stdin held no secret".into(),
        });
    }
    Ok(secret)
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "off",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CEC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| output::LogWriter)
        // Plain text: the writer escapes every control character.
        .with_ansi(false)
        .init();
}
