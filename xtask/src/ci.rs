//! `cargo xtask ci`: runs exactly what CI runs, `.ci/run`.

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    if let Some(arg) = args.first() {
        bail!("`ci` takes no arguments, got `{arg}`");
    }
    let root = crate::repo_root();
    let script = root.join(".ci/run");
    if !script.is_file() {
        bail!("{} does not exist; CI has nothing to run", script.display());
    }
    let status = Command::new("bash")
        .arg(".ci/run")
        .current_dir(&root)
        .env("CI", "true")
        .status()
        .context("could not start bash to run .ci/run")?;
    // Pass the script's exit code through unchanged; a signal (no code) is a failure.
    Ok(match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => {
            eprintln!("error: .ci/run was stopped by a signal ({status})");
            ExitCode::FAILURE
        }
    })
}
