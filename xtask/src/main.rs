//! Repository chores for cec-routes, run as `cargo xtask <command>`.
//!
//! One binary, no argument-parsing framework: every command is a function in its own
//! module, and `cargo xtask help` prints the list below.

mod bench;
mod bench_build;
mod breaking;
mod ci;
mod codegen;
mod spec_check;

use std::{
    env,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{Context, Result, bail};

/// The spec every command works on, relative to the repository root.
const SPEC: &str = "openapi/cec-number-management.yaml";

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  spec-check [--spec FILE]
      Lint the OpenAPI spec with Spectral (spectral:oas, via .spectral.yaml) and
      openapi-spec-validator, installing both (pinned) under target/tools/ if missing,
      then run `cargo test --test sdk spec::`. With --spec, the two linters
      check FILE instead (the Rust tests always check openapi/).
  codegen [--out FILE]
      Build the library and print the client progenitor generated from the spec
      ($OUT_DIR/codegen.rs), or write it to FILE.
  ci
      Run `bash .ci/run` from the repository root with CI=true, as CI does.
  breaking --base <git-rev>
      Compare openapi/cec-number-management.yaml at <git-rev> with the working copy and
      list, per operation, the changes that break existing callers and the additive ones.
      Exits with 1 when there is a breaking change.
  bench [--full] [--report-only]
      Run the benchmarks (benches/overhead.rs with criterion, shortened unless --full;
      benches/load.rs; benches/scale.rs, which needs the release cec-routes binary and
      builds it first) against loopback servers, print one table of the measured
      ratios and their goals, and write it to BENCHMARKS.md (above the line
      `<!-- end of generated figures -->`; the rest of the file is kept). Figures 3
      and 8 need `oha` (cargo install oha --locked) and are skipped without it.
      Results: target/cec-bench/*.json (build.json from bench-build is included).
      With --report-only, only rewrite BENCHMARKS.md from the existing results.
  bench-build [--dir DIR]
      Time a clean `cargo build --lib` with build.rs codegen against the same library
      with the generated client pre-generated (two copies of the repository under DIR,
      default $TMPDIR/cec-bench-build, separate target dirs; several minutes), and
      check that touching src/ does not rerun build.rs.
  help
      Print this message.
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    let result = match command.as_str() {
        "spec-check" => spec_check::run(rest),
        "codegen" => codegen::run(rest),
        "ci" => ci::run(rest),
        "breaking" => breaking::run(rest),
        "bench" => bench::run(rest),
        "bench-build" => bench_build::run(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprint!("error: unknown command `{other}`\n\n{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
}

/// The repository root: the parent of this crate's directory.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// The `cargo` that runs this xtask, so nested builds use the same toolchain.
fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Reads `--name VALUE` options; anything else is an error naming the command.
fn parse_options<'a>(
    command: &str,
    args: &'a [String],
    names: &[&str],
) -> Result<Vec<(String, &'a str)>> {
    let mut options = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg.as_str(), None),
        };
        if !names.contains(&name) {
            bail!("`{command}` does not take `{arg}` (see `cargo xtask help`)");
        }
        let value = match inline {
            Some(value) => value,
            None => iter
                .next()
                .with_context(|| format!("`{name}` needs a value (see `cargo xtask help`)"))?,
        };
        options.push((name.to_owned(), value));
    }
    Ok(options)
}

/// Runs `command` with inherited output; an error says which step failed.
fn run_step(what: &str, command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start {what} ({:?})", command.get_program()))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}
