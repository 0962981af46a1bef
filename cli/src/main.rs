//! `cec-routes`: bind CEC access codes to skill queues and IVR flows from the
//! command line, or try the whole flow against the embedded sandbox.

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

use std::{process::ExitCode, time::Duration};

use crate::error::Error;
use cec_routes::{
    ClientBuilder,
    config::{ENV_APP_KEY, ENV_BASE_URL, ENV_TIMEOUT},
};
use clap::{Parser, Subcommand};

use crate::output::{Format, Output};

#[derive(Debug, Parser)]
#[command(
    name = "cec-routes",
    version,
    about = "Bind Huawei Cloud CEC access codes to skill queues and IVR flows",
    long_about = "Bind Huawei Cloud CEC access codes to skill queues and IVR flows.\n\n\
        Credentials come from the environment only: CEC_APP_KEY and CEC_APP_SECRET (tokens from \
        tokenByAkSk), or CEC_TOKEN (a fixed token); the app secret can also be read from stdin \
        with --app-secret-stdin. CEC_BASE_URL, CEC_TOKEN_LIFETIME and CEC_TIMEOUT are read too.",
    after_help = exit::HELP
)]
struct Cli {
    /// Base URL of CEC [env: CEC_BASE_URL] [default: https://service.besclouds.com]
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,

    /// App key, sent as X-APP-Key and used with the app secret [env: CEC_APP_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    app_key: Option<String>,

    /// Read the app secret from the first line of stdin instead of CEC_APP_SECRET
    #[arg(long, global = true)]
    app_secret_stdin: bool,

    /// Whole-request timeout in seconds [env: CEC_TIMEOUT] [default: 30]
    #[arg(long, global = true, value_name = "SECONDS")]
    timeout: Option<u64>,

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
    /// Delete routes by their dnids (asks for confirmation on a terminal)
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
    let cli = Cli::parse();
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
    match runtime.block_on(run(&cli, &out)) {
        Ok(code) => code,
        Err(error) => {
            out.error(&error);
            error.exit_code()
        }
    }
}

/// Runs the command: the exit code on success (0, or what plan and apply
/// report), the error otherwise.
async fn run(cli: &Cli, out: &Output) -> Result<ExitCode, Error> {
    let done = |result: Result<(), Error>| result.map(|()| ExitCode::SUCCESS);
    match &cli.command {
        Command::Create(args) => done(cmd_create::run(args, client_config(cli)?, out).await),
        Command::List(args) => done(cmd_list::run(args, client_config(cli)?, out).await),
        Command::Modify(args) => done(cmd_modify::run(args, client_config(cli)?, out).await),
        Command::Delete(args) => done(cmd_delete::run(args, client_config(cli)?, out).await),
        Command::AccessCodes(args) => {
            done(cmd_access_codes::run(args, client_config(cli)?, out).await)
        }
        Command::Token(args) => done(cmd_token::run(args, client_config(cli)?, out).await),
        Command::Sandbox(args) => done(cmd_sandbox::run(args, out).await),
        Command::Demo(args) => done(cmd_demo::run(args, out).await),
        Command::Export(args) => done(cmd_export::run(args, client_config(cli)?, out).await),
        Command::Plan(args) => cmd_plan::run(args, client_config(cli)?, out).await,
        Command::Apply(args) => cmd_apply::run(args, client_config(cli)?, out).await,
    }
}

/// The client configuration: flags over the environment.
fn client_config(cli: &Cli) -> Result<ClientBuilder, Error> {
    let secret_from_stdin = if cli.app_secret_stdin {
        Some(read_secret_line()?)
    } else {
        None
    };
    let lookup = |name: &str| -> Option<String> {
        let flag = match name {
            ENV_BASE_URL => cli.base_url.clone(),
            ENV_APP_KEY => cli.app_key.clone(),
            ENV_TIMEOUT => cli.timeout.map(|t| t.to_string()),
            cec_routes::config::ENV_APP_SECRET => secret_from_stdin.clone(),
            _ => None,
        };
        flag.or_else(|| std::env::var(name).ok())
    };
    let builder = cec_routes::ClientBuilder::from_lookup(lookup)?;
    Ok(match cli.timeout {
        Some(seconds) => builder.timeout(Duration::from_secs(seconds)),
        None => builder,
    })
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
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
