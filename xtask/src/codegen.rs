//! `cargo xtask codegen`: shows the client progenitor generated from the spec.
//!
//! `build.rs` writes it to `$OUT_DIR/codegen.rs`; cargo names that directory in the
//! `build-script-executed` message it prints for the cec-routes package.

use std::{fs, path::PathBuf, process::ExitCode, process::Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

const PACKAGE: &str = "cec-routes";

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    let mut out = None;
    for (_, value) in crate::parse_options("codegen", args, &["--out"])? {
        out = Some(PathBuf::from(value));
    }

    let output = crate::cargo()
        .args(["build", "--package", PACKAGE, "--lib"])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(crate::repo_root())
        .stderr(Stdio::inherit())
        .output()
        .context("could not start cargo build")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(out_dir) = build_script_out_dir(&stdout, PACKAGE) else {
        bail!(
            "cargo build did not run the {PACKAGE} build script ({})",
            output.status
        );
    };
    if !output.status.success() {
        // The build script ran but the library did not compile: the generated code is
        // exactly what is worth looking at then, so show it anyway.
        eprintln!(
            "warning: cargo build failed ({}); showing the generated code",
            output.status
        );
    }

    let generated = out_dir.join("codegen.rs");
    let code = fs::read_to_string(&generated)
        .with_context(|| format!("could not read {}", generated.display()))?;
    match out {
        Some(path) => {
            fs::write(&path, code)
                .with_context(|| format!("could not write {}", path.display()))?;
            eprintln!("wrote {} (from {})", path.display(), generated.display());
        }
        None => print!("{code}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The `out_dir` of the last `build-script-executed` message for `package`.
fn build_script_out_dir(messages: &str, package: &str) -> Option<PathBuf> {
    messages
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "build-script-executed")
        .filter(|message| {
            message["package_id"]
                .as_str()
                .is_some_and(|id| package_name(id) == package)
        })
        .find_map(|message| message["out_dir"].as_str().map(PathBuf::from))
}

/// The package name in a cargo package ID, in the current form
/// (`path+file:///work/main#cec-routes@0.1.0`, or `…/cec-routes#0.1.0` when the name is
/// the directory's) and the old one (`cec-routes 0.1.0 (path+file:///work/main)`).
fn package_name(id: &str) -> &str {
    if let Some((name, _)) = id.split_once(' ') {
        return name;
    }
    let Some((source, fragment)) = id.rsplit_once('#') else {
        return id;
    };
    match fragment.split_once('@') {
        Some((name, _)) => name,
        None => source.rsplit('/').next().unwrap_or(source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_package_names_from_every_package_id_form() {
        assert_eq!(
            package_name("path+file:///work/main#cec-routes@0.1.0"),
            "cec-routes"
        );
        assert_eq!(
            package_name("path+file:///work/cec-routes#0.1.0"),
            "cec-routes"
        );
        assert_eq!(
            package_name("cec-routes 0.1.0 (path+file:///work/main)"),
            "cec-routes"
        );
        assert_eq!(
            package_name("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0"),
            "serde"
        );
    }

    #[test]
    fn finds_the_out_dir_of_the_packages_build_script() {
        let messages = [
            r#"{"reason":"build-script-executed","package_id":"registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0","out_dir":"/t/serde"}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w#cec-routes@0.1.0"}"#,
            r#"{"reason":"build-script-executed","package_id":"path+file:///w#cec-routes@0.1.0","out_dir":"/t/cec"}"#,
            "not json",
        ]
        .join("\n");
        assert_eq!(
            build_script_out_dir(&messages, PACKAGE),
            Some(PathBuf::from("/t/cec"))
        );
        assert_eq!(build_script_out_dir("", PACKAGE), None);
    }
}
