//! `cargo xtask bench`: runs `benches/overhead.rs` (criterion, shortened) and
//! `benches/load.rs`, then prints one table of the measured ratios against
//! their goals.
//!
//! Each bench binary writes its figures to `<target>/cec-bench/<bench>.json`;
//! `cargo xtask bench-build` writes `build.json` there, and the table
//! includes it when it exists.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// How to get the load generator figures 3 and 8 need.
pub(crate) const OHA_HINT: &str =
    "install it with `cargo install oha --locked` (it compiles for several minutes)";

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    let mut full = false;
    for arg in args {
        match arg.as_str() {
            "--full" => full = true,
            other => bail!("`bench` does not take `{other}` (see `cargo xtask help`)"),
        }
    }
    let out = results_dir();
    for bench in ["overhead", "load"] {
        let _ = fs::remove_file(out.join(format!("{bench}.json")));
    }
    match find_oha() {
        Some(oha) => eprintln!("oha: {}", oha.display()),
        None => eprintln!(
            "note: oha was not found (PATH, $OHA, ~/.cargo/bin), so figures 3 and 8 are \
             skipped; {OHA_HINT}"
        ),
    }

    let mut command = crate::cargo();
    command
        .current_dir(crate::repo_root())
        .env("CEC_BENCH_OUT", &out)
        .args(["bench", "--features", "sandbox"])
        .args(["--bench", "overhead", "--bench", "load", "--"]);
    if !full {
        command.args(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    crate::run_step("cargo bench", &mut command)?;
    summary_of(&out, &["overhead", "load", "build"])
}

/// Prints the results files of `benches` found in `dir` as one table.
pub(crate) fn summary_of(dir: &Path, benches: &[&str]) -> Result<ExitCode> {
    let mut rows = Vec::new();
    for bench in benches {
        let path = dir.join(format!("{bench}.json"));
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let file: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        rows.extend(file["rows"].as_array().cloned().unwrap_or_default());
    }
    if rows.is_empty() {
        bail!("no results in {}", dir.display());
    }
    let text = |row: &Value, key: &str| row[key].as_str().unwrap_or_default().to_owned();
    println!(
        "\n{:<62} {:>10}  {:<8} result",
        "figure", "measured", "goal"
    );
    println!("{}", "-".repeat(92));
    let (mut passed, mut failed) = (0, 0);
    for row in &rows {
        let verdict = match row["pass"].as_bool() {
            Some(true) => {
                passed += 1;
                "pass"
            }
            Some(false) => {
                failed += 1;
                "FAIL"
            }
            None if row["value"].is_null() => "skipped",
            None => "tracked",
        };
        println!(
            "{:<62} {:>10}  {:<8} {verdict}",
            text(row, "figure"),
            text(row, "shown"),
            text(row, "goal"),
        );
    }
    println!("\ndetails:");
    for row in &rows {
        println!("  {}: {}", text(row, "figure"), text(row, "detail"));
    }
    println!(
        "\n{passed} goals met, {failed} missed (a noisy machine moves these figures by a few \
         percent: rerun before concluding)"
    );
    Ok(ExitCode::SUCCESS)
}

/// `<target>/cec-bench`, where the bench binaries write their figures.
pub(crate) fn results_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("target"))
        .join("cec-bench")
}

/// `oha` in `$OHA`, on the PATH, or in cargo's bin directory.
pub(crate) fn find_oha() -> Option<PathBuf> {
    let explicit = env::var_os("OHA").map(PathBuf::from);
    let on_path: Vec<PathBuf> = env::var_os("PATH")
        .map(|path| env::split_paths(&path).map(|dir| dir.join("oha")).collect())
        .unwrap_or_default();
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("oha"));
    explicit
        .into_iter()
        .chain(on_path)
        .chain(cargo_home)
        .find(|candidate| candidate.is_file())
}
