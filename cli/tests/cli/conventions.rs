//! The conventions of gh, kubectl and terraform: shell completions,
//! examples in every --help, a --version that names the spec and the
//! commit, -o for --output, and list -o wide.

use cec_routes_sandbox::{Sandbox, Seed};

use crate::support::{cec_routes, run_against};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_are_printed_for_each_shell() {
    for (shell, mark) in [
        ("bash", "complete -F _cec__routes"),
        ("zsh", "#compdef cec-routes"),
        ("fish", "complete -c cec-routes"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = cec_routes(&["completions", shell], &[], None).await;
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(
            run.stdout.contains(mark),
            "{shell}: {}",
            &run.stdout[..200.min(run.stdout.len())]
        );
        assert!(
            run.stdout.contains("access-code"),
            "{shell} completes the flags"
        );
    }
    let run = cec_routes(&["completions", "tcsh"], &[], None).await;
    assert_eq!(run.code, 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subcommand_help_shows_examples() {
    for command in [
        &["create"][..],
        &["list"],
        &["modify"],
        &["delete"],
        &["access-codes"],
        &["skill-queues"],
        &["ivr-flows"],
        &["check"],
        &["map"],
        &["token"],
        &["sandbox"],
        &["demo"],
        &["export"],
        &["plan"],
        &["apply"],
        &["config", "list"],
        &["config", "show"],
        &["completions"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let run = cec_routes(&args, &[], None).await;
        assert_eq!(run.code, 0, "{command:?}");
        let examples = run
            .stdout
            .split_once("Examples:\n")
            .unwrap_or_else(|| panic!("{command:?} --help has no examples"))
            .1;
        assert!(
            examples
                .lines()
                .next()
                .is_some_and(|l| l.contains("cec-routes ")),
            "{command:?}: {examples}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_names_the_spec_and_the_commit() {
    let spec: serde_json::Value = serde_norway::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../openapi/cec-number-management.yaml"
        ))
        .expect("the spec reads"),
    )
    .expect("the spec is YAML");
    let spec_version = spec["info"]["version"].as_str().expect("info.version");

    let run = cec_routes(&["--version"], &[], None).await;
    assert_eq!(run.code, 0);
    let line = run.stdout.trim();
    let prefix = format!(
        "cec-routes {} (spec {spec_version}, commit ",
        env!("CARGO_PKG_VERSION")
    );
    let commit = line
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn o_is_short_for_output_and_wide_adds_the_device_names() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts");
    let short = run_against(&sandbox, &["list", "-o", "json"]).await;
    let long = run_against(&sandbox, &["list", "--output", "json"]).await;
    assert_eq!(short.code, 0, "{}", short.stderr);
    assert_eq!(short.stdout, long.stdout);

    let wide = run_against(&sandbox, &["list", "-o", "wide"]).await;
    assert_eq!(wide.code, 0, "{}", wide.stderr);
    insta::assert_snapshot!(wide.stdout, @r"
    ID                   DNID  ACCESS CODE  EXT  DEVICE         DEVICE NAME        MEDIA  EDITABLE
    1125397061153369092  3     9911411      11   skill queue 1  defaultVideoSkill  video  yes
    1127983948544239618  1     9911411      -    skill queue 1  defaultVideoSkill  -      yes
    1127986019188238339  2     9911411      1    skill queue 1  defaultVideoSkill  video  yes
    3 routes
    ");
    // Other commands print their text as usual.
    let token = run_against(&sandbox, &["token", "-o", "wide"]).await;
    assert_eq!(token.code, 0);
    assert!(
        token.stdout.starts_with("token valid for "),
        "{}",
        token.stdout
    );
}
