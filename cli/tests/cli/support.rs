//! What every test module needs: run the built binary with a clean
//! environment, against a sandbox or not.

use std::path::PathBuf;

use assert_cmd::cargo::cargo_bin_cmd;
use cec_routes_sandbox::Sandbox;
use secrecy::ExposeSecret;

/// What one run of the command gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The proxy variables, each of which the command reads.
pub const PROXY_VARIABLES: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A command for `cec-routes args…` with no `CEC_*` or proxy variable of
/// the caller's and no configuration file of the developer's.
pub fn command(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("cec-routes");
    for (name, _) in std::env::vars() {
        if name.starts_with("CEC_") || PROXY_VARIABLES.contains(&name.as_str()) {
            cmd.env_remove(name);
        }
    }
    cmd.env("XDG_CONFIG_HOME", scratch_dir("no-config"))
        .env("HOME", scratch_dir("no-home"))
        .args(args);
    cmd
}

/// Runs `cec-routes args…` with only the given `CEC_*` variables set.
pub async fn cec_routes(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = command(args);
    cmd.envs(env.iter().copied());
    cmd.write_stdin(stdin.unwrap_or(""));
    finish(cmd).await
}

/// Runs a prepared command to its end.
pub async fn finish(mut cmd: assert_cmd::Command) -> Run {
    let output = tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .expect("the run completes");
    Run {
        code: output.status.code().expect("the binary exits with a code"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The environment that points the command at the sandbox.
pub fn sandbox_env(sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("CEC_BASE_URL", sandbox.base_url().to_owned()),
        ("CEC_APP_KEY", sandbox.app_key().to_owned()),
        (
            "CEC_APP_SECRET",
            sandbox.app_secret().expose_secret().to_owned(),
        ),
    ]
}

/// Runs `cec-routes args…` against the sandbox, with `extra` variables.
pub async fn run_against_with(
    sandbox: &Sandbox,
    args: &[&str],
    extra: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    let env = sandbox_env(sandbox);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend_from_slice(extra);
    cec_routes(args, &env, stdin).await
}

/// Runs `cec-routes args…` against the sandbox.
pub async fn run_against(sandbox: &Sandbox, args: &[&str]) -> Run {
    run_against_with(sandbox, args, &[], None).await
}

/// A directory of this test run's own, created empty if missing.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("the scratch directory is created");
    dir
}

/// A file of this test run's own holding `text`.
pub fn scratch_file(name: &str, text: &str) -> PathBuf {
    let path = scratch_dir("files").join(name);
    std::fs::write(&path, text).expect("the scratch file is written");
    path
}

/// A URL where nothing listens.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    drop(listener);
    url
}
