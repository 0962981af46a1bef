//! `cargo xtask spec-check`: the established OpenAPI validators, then our own spec tests.
//!
//! The validators are pinned and installed on first use under `target/tools/` (npm
//! prefix `target/tools/npm`, Python venv `target/tools/venv`), so a fresh machine needs
//! only Node and Python; later runs find them in place and install nothing.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{Context, Result, bail};

/// Spectral's CLI, from npm; 6.16.3 supports Node `^18.18 || >= 20.17`.
const SPECTRAL_PACKAGE: &str = "@stoplight/spectral-cli";
const SPECTRAL_VERSION: &str = "6.16.3";
/// openapi-spec-validator, from PyPI; 0.9.0 supports Python `>=3.10,<4`.
const VALIDATOR_PACKAGE: &str = "openapi-spec-validator";
const VALIDATOR_VERSION: &str = "0.9.0";

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    let root = crate::repo_root();
    let mut spec = root.join(crate::SPEC);
    for (_, value) in crate::parse_options("spec-check", args, &["--spec"])? {
        spec = fs::canonicalize(value).with_context(|| format!("no spec at {value}"))?;
    }
    let tools = root.join("target/tools");

    // Every check runs even when an earlier one fails, so one run shows every problem.
    let checks: [(&str, &dyn Fn() -> Result<()>); 3] = [
        ("Spectral (spectral:oas)", &|| {
            spectral(&root, &tools, &spec)
        }),
        ("openapi-spec-validator", &|| {
            openapi_spec_validator(&root, &tools, &spec)
        }),
        ("cargo test --test sdk spec::", &|| {
            crate::run_step(
                "cargo test --test sdk spec::",
                crate::cargo()
                    .args(["test", "--package", "cec-routes", "--test", "sdk", "spec::"])
                    .current_dir(&root),
            )
        }),
    ];
    let mut failures = Vec::new();
    for (name, check) in checks {
        eprintln!("==> {name}");
        if let Err(error) = check() {
            eprintln!("error: {error:#}");
            failures.push(name);
        }
    }

    if failures.is_empty() {
        eprintln!("spec-check: {} passed every check", spec.display());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("spec-check failed: {}", failures.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

fn spectral(root: &Path, tools: &Path, spec: &Path) -> Result<()> {
    let spectral = install_spectral(&tools.join("npm"))?;
    crate::run_step(
        "Spectral",
        Command::new(spectral)
            .arg("lint")
            .arg("--ruleset")
            .arg(root.join(".spectral.yaml"))
            // Errors and warnings both fail: the spec is clean, and a rule that does not
            // apply is switched off in .spectral.yaml with the reason next to it.
            .args(["--fail-severity", "warn"])
            .arg(spec)
            .current_dir(root),
    )
}

fn openapi_spec_validator(root: &Path, tools: &Path, spec: &Path) -> Result<()> {
    let validator = install_openapi_spec_validator(&tools.join("venv"))?;
    crate::run_step(
        "openapi-spec-validator",
        Command::new(validator)
            .args(["--schema", "3.0", "--validation-errors", "all"])
            .arg(spec)
            .current_dir(root),
    )
}

/// Installs the pinned Spectral CLI under `prefix` unless it is already there.
fn install_spectral(prefix: &Path) -> Result<PathBuf> {
    let bin = prefix.join("node_modules/.bin/spectral");
    let manifest = prefix
        .join("node_modules")
        .join(SPECTRAL_PACKAGE)
        .join("package.json");
    let installed = || {
        let text = fs::read_to_string(&manifest).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json["version"].as_str().map(str::to_owned)
    };
    if bin.exists() && installed().as_deref() == Some(SPECTRAL_VERSION) {
        return Ok(bin);
    }

    eprintln!(
        "installing {SPECTRAL_PACKAGE}@{SPECTRAL_VERSION} into {}",
        prefix.display()
    );
    fs::create_dir_all(prefix).with_context(|| format!("could not create {}", prefix.display()))?;
    crate::run_step(
        "npm install (needs Node 20.17 or later and npm on PATH)",
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(prefix)
            // No install scripts: Spectral needs none, and one dependency's only script
            // is usage telemetry.
            .args([
                "--save-exact",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
            ])
            .arg(format!("{SPECTRAL_PACKAGE}@{SPECTRAL_VERSION}")),
    )?;
    match installed() {
        Some(version) if version == SPECTRAL_VERSION && bin.exists() => Ok(bin),
        other => bail!(
            "npm finished but {SPECTRAL_PACKAGE} {SPECTRAL_VERSION} is not in {} (found {other:?})",
            prefix.display()
        ),
    }
}

/// Installs the pinned openapi-spec-validator into a venv at `venv` unless it is there.
fn install_openapi_spec_validator(venv: &Path) -> Result<PathBuf> {
    let python = venv.join("bin/python");
    let bin = venv.join("bin").join(VALIDATOR_PACKAGE);
    let installed = || -> Option<String> {
        let output = Command::new(&python)
            .args([
                "-c",
                "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
            ])
            .arg(VALIDATOR_PACKAGE)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    if bin.exists() && installed().as_deref() == Some(VALIDATOR_VERSION) {
        return Ok(bin);
    }

    eprintln!(
        "installing {VALIDATOR_PACKAGE}=={VALIDATOR_VERSION} into {}",
        venv.display()
    );
    if !python.exists() {
        crate::run_step(
            "python3 -m venv (needs Python 3.10 or later with venv on PATH as python3)",
            Command::new("python3").args(["-m", "venv"]).arg(venv),
        )?;
    }
    crate::run_step(
        "pip install",
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("{VALIDATOR_PACKAGE}=={VALIDATOR_VERSION}")),
    )?;
    match installed() {
        Some(version) if version == VALIDATOR_VERSION && bin.exists() => Ok(bin),
        other => bail!(
            "pip finished but {VALIDATOR_PACKAGE} {VALIDATOR_VERSION} is not in {} (found {other:?})",
            venv.display()
        ),
    }
}
