//! `cec-routes`: bind CEC access codes to skill queues and IVR flows from the
//! command line, or try the whole flow against the embedded sandbox.

// Every line goes through `output`, which survives a closed stdout.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cmd_access_codes;
mod cmd_apply;
mod cmd_check;
mod cmd_config;
mod cmd_create;
mod cmd_delete;
mod cmd_demo;
mod cmd_export;
mod cmd_ivr_flows;
mod cmd_list;
mod cmd_map;
mod cmd_modify;
mod cmd_plan;
mod cmd_sandbox;
mod cmd_skill_queues;
mod cmd_token;
mod error;
mod exit;
mod interrupt;
mod logs;
mod output;
mod prompt;
mod route_key;
mod routes_input;
mod settings;

use std::{process::ExitCode, time::Duration};

use crate::error::Error;
use cec_routes::{
    ClientBuilder,
    config::{ENV_APP_KEY, ENV_BASE_URL, ENV_RPS, ENV_TIMEOUT},
};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::output::{Format, Output};
use crate::settings::Setting;

/// `--version`: the CLI's, the spec's and the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (spec ",
    env!("CEC_SPEC_VERSION"),
    ", commit ",
    env!("CEC_GIT_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "cec-routes",
    version = VERSION,
    about = "Bind Huawei Cloud CEC access codes to skill queues and IVR flows",
    long_about = "Bind Huawei Cloud CEC access codes to skill queues and IVR flows.\n\n\
        Each setting comes from its flag, else its environment variable (shown with each flag; \
        values set there are never shown here), else the profile of the config file (see \
        `cec-routes config show`). Secrets never come from a flag: the app secret from CEC_APP_SECRET (tokens from \
        tokenByAkSk), from stdin with --app-secret-stdin or from the profile's \
        app_secret_command, or a fixed token from CEC_TOKEN. CEC_TOKEN_LIFETIME is read too.",
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

    /// Send every request through this proxy (http:// or https://), instead of the ones
    /// HTTPS_PROXY, HTTP_PROXY and NO_PROXY name (which apply by default); loopback hosts are
    /// always reached directly
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "CEC_PROXY",
        hide_env_values = true,
        conflicts_with = "no_proxy"
    )]
    proxy: Option<String>,

    /// Connect straight to CEC: no proxy, whatever HTTPS_PROXY, HTTP_PROXY or the profile say
    #[arg(long, global = true)]
    no_proxy: bool,

    /// App key, sent as X-APP-Key and used with the app secret
    #[arg(
        long,
        global = true,
        value_name = "KEY",
        env = ENV_APP_KEY,
        hide_env_values = true
    )]
    app_key: Option<String>,

    /// The profile of the config file to use (default: the file's default_profile)
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        env = "CEC_PROFILE",
        hide_env_values = true
    )]
    profile: Option<String>,

    /// The config file (default: $XDG_CONFIG_HOME/cec-routes/config.toml, else
    /// ~/.config/cec-routes/config.toml)
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "CEC_CONFIG",
        hide_env_values = true
    )]
    config: Option<std::path::PathBuf>,

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

    /// At most N requests to CEC start in any one second (token requests and retries
    /// included), on top of --parallel: for a gateway that throttles per second (default: no cap)
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = ENV_RPS,
        hide_env_values = true
    )]
    rps: Option<String>,

    /// Output format
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = Format::Text)]
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
    #[command(
        after_help = "Examples:\n  cec-routes create --access-code 9911411 --ext-code 11 --skill-queue 1 --media-type video\n  cec-routes create --access-code 9911411 --ivr 7 -o json"
    )]
    Create(cmd_create::Args),
    /// List the called routes (every page), filtered
    #[command(
        after_help = "Examples:\n  cec-routes list --access-code 9911411\n  cec-routes list --access-code 9911411 --ext-code 11\n  cec-routes list --access-code 9911411 --dial-match 112   # where 9911411112 may go\n  cec-routes list --ivr 7 -o wide\n  cec-routes list -o json | cec-routes plan -f - --prune"
    )]
    List(cmd_list::Args),
    /// Point one route at another skill queue or IVR flow
    #[command(
        after_help = "Examples:\n  cec-routes modify --id 1125397061153369092 --skill-queue 2\n  cec-routes modify --access-code 9911411 --ext-code 11 --ivr 7\n  cec-routes modify --access-code 9911411 --no-ext-code --skill-queue 1"
    )]
    Modify(cmd_modify::Args),
    /// Delete routes, by dnid or by access code and extension code (asks first)
    #[command(
        after_help = "Examples:\n  cec-routes delete --dnid 1,2\n  cec-routes delete --access-code 9911411 --ext-code 11 --yes"
    )]
    Delete(cmd_delete::Args),
    /// List the tenant's access codes (every page), filtered
    #[command(
        after_help = "Examples:\n  cec-routes access-codes --media-type voice-and-video\n  cec-routes access-codes --description hotline -o json"
    )]
    AccessCodes(cmd_access_codes::Args),
    /// List the tenant's skill queues (every page): what `skillQueue` in a route points at
    #[command(
        after_help = "Examples:\n  cec-routes skill-queues --media-type video\n  cec-routes skill-queues --name defaultVideoSkill -o json"
    )]
    SkillQueues(cmd_skill_queues::Args),
    /// List every IVR flow of the tenant space: what `ivr` in a route points at
    #[command(
        after_help = "Examples:\n  cec-routes ivr-flows\n  cec-routes ivr-flows -o json | jq '.ivrFlows[] | select(.loaded == false)'"
    )]
    IvrFlows(cmd_ivr_flows::Args),
    /// Get an access token from tokenByAkSk and show its lifetime
    #[command(
        after_help = "Examples:\n  cec-routes token --lifetime 900\n  printf '%s\\n' \"$SECRET\" | cec-routes token --app-secret-stdin"
    )]
    Token(cmd_token::Args),
    /// Run the local sandbox until Ctrl-C
    #[command(
        after_help = "Examples:\n  cec-routes sandbox --port 8080 --documented-examples\n  cec-routes sandbox --bind 0.0.0.0 --seed my-seed.json   # clients need --allow-http\n  cec-routes sandbox --rate-limit 50   # a gateway that allows 50 requests/s\n  cec-routes sandbox --print-seed > my-seed.json"
    )]
    Sandbox(cmd_sandbox::Args),
    /// Run the whole flow against the embedded sandbox: token, create, read back
    #[command(
        after_help = "Examples:\n  cec-routes demo\n  cec-routes demo --access-code 9911412 --ext-code 5 --skill-queue 3 --media-type multimedia"
    )]
    Demo(cmd_demo::Args),
    /// Write the live routes as a routes file (YAML on stdout), targets by name, in a stable order
    ///
    /// Every page is read before anything is written. A listing that fails writes nothing on
    /// stdout and exits non-zero, so no shorter file is left for `plan --prune` to delete routes
    /// by. A Ctrl-C while the file is being written ends it with a line starting `@ cec-routes
    /// export failed:`, which no YAML reader loads, and exits 130 (with -o json the document is
    /// left unterminated).
    #[command(
        after_help = "Examples:\n  cec-routes export --access-code 9911411 > routes.yaml\n  cec-routes export --ids > routes-by-id.yaml\n  cec-routes export -o json | jq '.routes | length'"
    )]
    Export(cmd_export::Args),
    /// Check a routes file before anything is sent: the file, then the tenant's access codes,
    /// skill queues and IVR flows (queries only)
    #[command(
        after_help = "Examples:\n  cec-routes check -f routes.yaml\n  cec-routes check -f routes.yaml --offline\n  cec-routes check -f routes.yaml -o json | jq -r '.problems[] | \"\\(.line):\\(.column) \\(.message)\"'"
    )]
    Check(cmd_check::Args),
    /// Draw the routes as a graph: access code → extension code → skill queue or IVR flow
    #[command(
        after_help = "Examples:\n  cec-routes map --access-code 9911411\n  cec-routes map --format dot | dot -Tsvg > routes.svg\n  cec-routes map -f routes.yaml"
    )]
    Map(cmd_map::Args),
    /// Show what apply would change to make the live routes what a routes file says
    #[command(
        after_help = "Examples:\n  cec-routes plan -f routes.yaml --prune\n  cec-routes plan -f routes.yaml --detailed-exitcode || echo \"exit $?\"\n  cec-routes export -o json | cec-routes plan -f -\n  cec-routes plan -f routes.yaml --prune --out plan.json -o markdown > plan.md"
    )]
    Plan(cmd_plan::Args),
    /// Make the live routes what a routes file says: plan, confirm, apply
    #[command(
        after_help = "Examples:\n  cec-routes apply -f routes.yaml --prune\n  cec-routes apply -f routes.yaml --yes --parallel 8 -o json\n  cec-routes apply --plan plan.json --yes\n  cec-routes apply -f routes.yaml --yes --parallel 16 --rps 40   # a gateway that allows 50/s"
    )]
    Apply(cmd_apply::Args),
    /// Show the config file's profiles and the settings in effect (secrets redacted)
    #[command(subcommand)]
    Config(cmd_config::Command),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = "Examples:\n  \
        cec-routes completions bash > ~/.local/share/bash-completion/completions/cec-routes\n  \
        cec-routes completions zsh > \"${fpath[1]}/_cec-routes\"\n  \
        cec-routes completions fish > ~/.config/fish/completions/cec-routes.fish")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// Ends the process after clap's answer: `--help` and `--version` exit 0,
/// a usage error (an unknown flag, a missing argument) exits
/// [`exit::USAGE`] — never 2, which `--detailed-exitcode` gives to "changes".
fn usage_exit(error: clap::Error) -> ! {
    let code = if error.use_stderr() { exit::USAGE } else { 0 };
    // A closed stdout (`--help | head -1`) ends quietly, as any output does.
    let _ = error.print();
    std::process::exit(code.into())
}

fn main() -> ExitCode {
    let matches = Cli::command()
        .try_get_matches()
        .unwrap_or_else(|e| usage_exit(e));
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| usage_exit(e));
    let origins = Origins::of(&matches);
    init_tracing(cli.verbose);
    let writes = matches!(
        cli.command,
        Command::Create(_) | Command::Modify(_) | Command::Delete(_)
    );
    let out = Output::new(cli.output, writes);
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

/// Where each setting that clap reads from a flag or the environment came
/// from, so that an error names the one the user wrote.
#[derive(Debug, Default)]
pub struct Origins {
    /// The flag or variable of each argument clap found, by argument id.
    found: std::collections::BTreeMap<&'static str, &'static str>,
}

impl Origins {
    fn of(matches: &clap::ArgMatches) -> Self {
        use clap::parser::ValueSource;
        let mut found = std::collections::BTreeMap::new();
        let mut note = |matches: &clap::ArgMatches, id: &'static str, flag, env| {
            match matches.try_get_raw(id).ok().and(matches.value_source(id)) {
                Some(ValueSource::CommandLine) => found.insert(id, flag),
                Some(ValueSource::EnvVariable) => found.insert(id, env),
                _ => None,
            };
        };
        for (id, flag, env) in [
            ("base_url", "--base-url", ENV_BASE_URL),
            ("token_url", "--token-url", "CEC_TOKEN_URL"),
            ("app_key", "--app-key", ENV_APP_KEY),
            ("timeout", "--timeout", ENV_TIMEOUT),
            ("rps", "--rps", ENV_RPS),
            ("profile", "--profile", "CEC_PROFILE"),
            ("config", "--config", "CEC_CONFIG"),
            ("allow_http", "--allow-http", "CEC_ALLOW_HTTP"),
            ("proxy", "--proxy", "CEC_PROXY"),
            ("no_proxy", "--no-proxy", "--no-proxy"),
        ] {
            note(matches, id, flag, env);
        }
        if let Some(token) = matches.subcommand_matches("token") {
            note(
                token,
                "lifetime",
                "--lifetime",
                cec_routes::config::ENV_TOKEN_LIFETIME,
            );
        }
        Origins { found }
    }

    /// The first connection flag given on the command line, if any.
    fn connection_flag(&self) -> Option<&'static str> {
        [
            "base_url",
            "token_url",
            "app_key",
            "timeout",
            "rps",
            "profile",
            "config",
            "allow_http",
            "proxy",
            "no_proxy",
        ]
        .iter()
        .filter_map(|id| self.found.get(id))
        .find(|source| source.starts_with("--"))
        .copied()
    }

    /// The flag or variable argument `id` came from (its flag by default).
    pub fn of_arg(&self, id: &str, flag: &'static str) -> &'static str {
        self.found.get(id).copied().unwrap_or(flag)
    }
}

/// The settings in effect: each from its flag, else its variable, else the
/// profile; `None` for the default.
#[derive(Debug)]
pub struct Resolved {
    /// The config file, read.
    pub config: settings::Config,
    /// The profile in use, and what chose it.
    pub profile: Option<(String, String)>,
    pub base_url: Option<Setting>,
    pub token_url: Option<Setting>,
    pub app_key: Option<Setting>,
    pub timeout: Option<Setting>,
    pub rps: Option<Setting>,
    /// The profile's app_secret_command.
    pub app_secret_command: Option<Setting>,
    /// Whether plain http is allowed, and by what.
    pub allow_http: Option<&'static str>,
    /// The proxy: a URL, or `none` (from --no-proxy or the profile).
    pub proxy: Option<Setting>,
}

impl Resolved {
    fn of(cli: &Cli, origins: &Origins) -> Result<Resolved, Error> {
        let from_cli = |value: &Option<String>, id: &str, flag: &'static str| {
            value.as_ref().map(|value| Setting {
                value: value.clone(),
                source: origins.of_arg(id, flag).to_owned(),
            })
        };
        let config = settings::Config::load(cli.config.as_deref())?;
        let asked = from_cli(&cli.profile, "profile", "--profile");
        let selected = config
            .select(asked.as_ref())?
            .map(|(name, how, profile)| (name, how, profile.clone()));
        let from_profile = |value: Option<&String>| {
            selected
                .as_ref()
                .zip(value)
                .map(|((name, _, _), value)| Setting {
                    value: value.clone(),
                    source: format!("profile {name}"),
                })
        };
        let profile = selected
            .as_ref()
            .map(|(_, _, p)| p.clone())
            .unwrap_or_default();
        Ok(Resolved {
            base_url: from_cli(&cli.base_url, "base_url", "--base-url")
                .or_else(|| from_profile(profile.base_url.as_ref())),
            token_url: from_cli(&cli.token_url, "token_url", "--token-url")
                .or_else(|| from_profile(profile.token_url.as_ref())),
            app_key: from_cli(&cli.app_key, "app_key", "--app-key")
                .or_else(|| from_profile(profile.app_key.as_ref())),
            timeout: from_cli(&cli.timeout, "timeout", "--timeout")
                .or_else(|| from_profile(profile.timeout.as_ref())),
            rps: from_cli(&cli.rps, "rps", "--rps").or_else(|| from_profile(profile.rps.as_ref())),
            app_secret_command: from_profile(profile.app_secret_command.as_ref()),
            allow_http: cli
                .allow_http
                .then(|| origins.of_arg("allow_http", "--allow-http")),
            proxy: if cli.no_proxy {
                Some(Setting {
                    value: settings::NO_PROXY.to_owned(),
                    source: "--no-proxy".to_owned(),
                })
            } else {
                from_cli(&cli.proxy, "proxy", "--proxy")
                    .or_else(|| from_profile(profile.proxy.as_ref()))
            },
            profile: selected.map(|(name, how, _)| (name, how)),
            config,
        })
    }
}

/// Runs the command: the exit code on success (0, or what plan and apply
/// report), the error otherwise.
async fn run(cli: &Cli, origins: &Origins, out: &Output) -> Result<ExitCode, Error> {
    let done = |result: Result<(), Error>| result.map(|()| ExitCode::SUCCESS);
    let routes_from_stdin = match &cli.command {
        Command::Plan(args) => args.plan.reads_stdin(),
        Command::Apply(args) => args.plan.reads_stdin(),
        Command::Check(args) => crate::routes_input::is_stdin(&args.file),
        Command::Map(args) => args
            .file
            .as_deref()
            .is_some_and(crate::routes_input::is_stdin),
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
    if let Command::Demo(_) | Command::Sandbox(_) = &cli.command {
        let flag = origins
            .connection_flag()
            .or(cli.app_secret_stdin.then_some("--app-secret-stdin"));
        if let Some(flag) = flag {
            let what = if let Command::Demo(_) = &cli.command {
                "demo always runs against its own embedded sandbox"
            } else {
                "sandbox serves; it connects to nothing"
            };
            return Err(Error::InvalidInput {
                field: flag,
                reason: format!(
                    "{what}, so it takes no {flag}; point create, list or plan at another CEC \
                     with it"
                ),
            });
        }
    }
    let config = || client_config(cli, &Resolved::of(cli, origins)?);
    match &cli.command {
        Command::Create(args) => done(cmd_create::run(args, config()?, out).await),
        Command::List(args) => done(cmd_list::run(args, config()?, out).await),
        Command::Modify(args) => done(cmd_modify::run(args, config()?, out).await),
        Command::Delete(args) => done(cmd_delete::run(args, config()?, out).await),
        Command::AccessCodes(args) => done(cmd_access_codes::run(args, config()?, out).await),
        Command::SkillQueues(args) => done(cmd_skill_queues::run(args, config()?, out).await),
        Command::IvrFlows(args) => done(cmd_ivr_flows::run(args, config()?, out).await),
        Command::Token(args) => done(cmd_token::run(args, origins, config()?, out).await),
        Command::Sandbox(args) => done(cmd_sandbox::run(args, out).await),
        Command::Demo(args) => done(cmd_demo::run(args, out).await),
        Command::Export(args) => cmd_export::run(args, config()?, out).await,
        Command::Check(args) => cmd_check::run(args, config()?, out).await,
        Command::Map(args) => done(cmd_map::run(args, config()?).await),
        Command::Plan(args) => cmd_plan::run(args, config()?, out).await,
        Command::Apply(args) => cmd_apply::run(args, config()?, out).await,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "cec-routes", &mut script);
            output::stdout_raw(&script);
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(command) => {
            done(cmd_config::run(command, &Resolved::of(cli, origins)?, out))
        }
    }
}

/// The client configuration: flags over the environment over the profile;
/// the secret from stdin, the environment or the profile's command only.
fn client_config(cli: &Cli, resolved: &Resolved) -> Result<ClientBuilder, Error> {
    let timeout = resolved
        .timeout
        .as_ref()
        .map(|t| {
            let origin = if t.source.starts_with("profile ") {
                format!("timeout in {}", t.source)
            } else {
                t.source.clone()
            };
            parse_timeout(&t.value, &origin)
        })
        .transpose()?;
    let env = |name: &str| std::env::var(name).ok();
    let secret = if cli.app_secret_stdin {
        Some(read_secret_line()?)
    } else {
        match &resolved.app_secret_command {
            Some(command)
                if env(cec_routes::config::ENV_APP_SECRET).is_none()
                    && env(cec_routes::config::ENV_TOKEN).is_none() =>
            {
                let profile = resolved.profile.as_ref().map_or("", |(name, _)| name);
                Some(settings::run_secret_command(&command.value, profile)?)
            }
            _ => None,
        }
    };
    let value = |setting: &Option<Setting>| setting.as_ref().map(|s| s.value.clone());
    let lookup = |name: &str| -> Option<String> {
        let value = match name {
            ENV_BASE_URL => value(&resolved.base_url),
            ENV_APP_KEY => value(&resolved.app_key),
            // Read and checked by the CLI, naming where they came from.
            ENV_TIMEOUT | ENV_RPS => return None,
            cec_routes::config::ENV_TOKEN_LIFETIME if matches!(cli.command, Command::Token(_)) => {
                return None;
            }
            cec_routes::config::ENV_APP_SECRET => secret.clone(),
            _ => None,
        };
        value.or_else(|| env(name))
    };
    let mut builder = ClientBuilder::from_lookup(lookup)?;
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(rps) = &resolved.rps {
        builder = builder.max_requests_per_second(parse_rps(rps)?);
    }
    if let Some(url) = &resolved.token_url {
        builder = builder.token_base_url(url.value.trim());
    }
    match resolved.proxy.as_ref().map(|p| p.value.trim()) {
        Some(settings::NO_PROXY) => builder = builder.no_proxy(),
        Some(url) => builder = builder.proxy(url),
        None => {}
    }
    if let Some(by) = resolved.allow_http {
        let base_url = resolved
            .base_url
            .as_ref()
            .map_or(cec_routes::config::DEFAULT_BASE_URL, |s| s.value.as_str());
        let token_url = resolved.token_url.as_ref().map(|s| s.value.as_str());
        for url in std::iter::once(base_url).chain(token_url) {
            if is_clear_text(url) {
                output::stderr(&format!(
                    "warning: plain http to {} is allowed ({by}): the app secret and tokens \
                     cross the network in clear text; use it only on a test network",
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

/// A request rate cap: a whole number of requests per second, at least 1;
/// the error names the flag, variable or profile it came from.
fn parse_rps(setting: &Setting) -> Result<u32, Error> {
    let text = setting.value.trim();
    text.parse::<u32>()
        .ok()
        .filter(|rps| *rps > 0)
        .ok_or_else(|| Error::Config {
            reason: format!(
                "{} is `{text}`; give a whole number of requests per second, at least 1",
                if setting.source.starts_with("profile ") {
                    format!("rps in {}", setting.source)
                } else {
                    setting.source.clone()
                }
            ),
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
    use tracing_subscriber::{
        Layer, filter::filter_fn, layer::SubscriberExt, util::SubscriberInitExt,
    };
    let level = match verbose {
        0 => "off",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CEC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let events = tracing_subscriber::fmt::layer()
        .with_writer(|| output::LogWriter)
        // Plain text: the writer escapes every control character.
        .with_ansi(false)
        .with_filter(filter);
    let calls = (verbose > 0).then(|| logs::CallLines.with_filter(filter_fn(logs::is_call)));
    tracing_subscriber::registry()
        .with(events)
        .with(calls)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `cec-routes …` in an `Examples:` section, split into words.
    fn examples(command: &clap::Command, out: &mut Vec<Vec<String>>) {
        if let Some(help) = command.get_after_help()
            && let Some((_, examples)) = help.to_string().split_once("Examples:")
        {
            for line in examples.lines().filter(|l| !l.trim().is_empty()) {
                let line = line.split(" #").next().unwrap_or(line);
                let words = shlex::split(line).expect("an example splits into words");
                let mut current: Option<Vec<String>> = None;
                for word in words {
                    match word.as_str() {
                        "cec-routes" => current = Some(vec![word]),
                        "|" | "||" | "&&" | ">" => {
                            out.extend(current.take());
                        }
                        _ => {
                            if let Some(words) = &mut current {
                                words.push(word);
                            }
                        }
                    }
                }
                out.extend(current);
            }
        }
        for sub in command.get_subcommands() {
            examples(sub, out);
        }
    }

    #[test]
    fn every_example_in_the_help_parses() {
        let mut all = Vec::new();
        examples(&Cli::command(), &mut all);
        assert!(all.len() > 25, "{all:?}");
        for words in all {
            if let Err(e) = Cli::try_parse_from(&words) {
                panic!("{words:?} does not parse: {e}");
            }
        }
    }

    #[test]
    fn every_subcommand_has_examples() {
        fn check(command: &clap::Command, path: &str) {
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                let path = format!("{path} {}", sub.get_name());
                if sub.has_subcommands() {
                    check(sub, &path);
                } else {
                    let help = sub
                        .get_after_help()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    assert!(help.contains("Examples:\n  "), "{path} has no examples");
                }
            }
        }
        check(&Cli::command(), "cec-routes");
    }
}
