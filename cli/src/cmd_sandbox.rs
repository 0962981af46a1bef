//! `cec-routes sandbox`: the local sandbox, standalone.

use std::{net::IpAddr, path::PathBuf};

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
    #[arg(long, value_name = "FILE", conflicts_with = "documented_examples")]
    pub seed: Option<PathBuf>,

    /// Start with the documentation's example routes as well
    #[arg(long)]
    pub documented_examples: bool,

    /// Print the built-in seed as a seed file and exit
    #[arg(long)]
    pub print_seed: bool,

    /// Wait this many milliseconds before each business request, as a remote CEC would
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
}

pub async fn run(args: &Args, out: &Output) -> Result<(), Error> {
    if args.print_seed {
        crate::output::stdout(&Seed::default().to_json());
        return Ok(());
    }
    let seed = match (&args.seed, args.documented_examples) {
        (Some(path), _) => Seed::from_json_file(path)?,
        (None, true) => Seed::documented_examples(),
        (None, false) => Seed::default(),
    };
    let sandbox = Sandbox::builder()
        .seed(seed)
        .latency(std::time::Duration::from_millis(args.latency_ms))
        .credentials_from_env()
        .bind(args.bind)
        .port(args.port)
        .start()
        .await?;
    out.result(
        &format!(
            "sandbox listening on {url}\n\
             CEC_BASE_URL={url}\nCEC_APP_KEY={key}\nCEC_APP_SECRET={secret}\n\
             press Ctrl-C to stop",
            url = sandbox.base_url(),
            key = sandbox.app_key(),
            secret = sandbox.app_secret().expose_secret(),
        ),
        json!({
            "baseUrl": sandbox.base_url(),
            "appKey": sandbox.app_key(),
            "appSecret": sandbox.app_secret().expose_secret(),
        }),
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    out.step("sandbox stopped");
    Ok(())
}
