//! Puts the spec's `info.version` and the git commit into `--version`
//! (`CEC_SPEC_VERSION`, `CEC_GIT_COMMIT`); either is `unknown` when it
//! cannot be read (a packaged crate has neither the spec nor `.git`).

use std::{path::Path, process::Command};

const SPEC: &str = "../openapi/cec-number-management.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    let spec = std::fs::read_to_string(SPEC)
        .ok()
        .and_then(|text| info_version(&text))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CEC_SPEC_VERSION={spec}");

    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CEC_GIT_COMMIT={commit}");
    // A new commit or checkout moves HEAD's log: rebuild then.
    for path in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(&["rev-parse", "--git-path", path])
            && Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// `info.version` of the spec: the `version:` key indented under `info:`.
fn info_version(spec: &str) -> Option<String> {
    let mut in_info = false;
    for line in spec.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            in_info = line.trim_end() == "info:";
            continue;
        }
        if in_info
            && let Some(value) = line.trim_start().strip_prefix("version:")
            && line.starts_with("  ")
            && !line.starts_with("   ")
        {
            let value = value.trim().trim_matches(['"', '\'']).to_owned();
            return (!value.is_empty()).then_some(value);
        }
    }
    None
}
