//! The smaller defects: -v shows each call, the "may have reached CEC"
//! advice once and only for writes, empty and huge values reported as
//! written, apply's advice after a refusal, demo refusing connection
//! flags, and the sandbox command's seed and secret.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};

use crate::support::{cec_routes, run_against, scratch_dir, scratch_file};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_one_line_per_call() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::Status(503));
    let run = run_against(&sandbox, &["list", "-v"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let calls: Vec<String> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("cec: "))
        .map(|l| l.split(" in ").next().unwrap_or(l).to_owned())
        .collect();
    assert_eq!(
        calls,
        ["cec: tokenByAkSk → 200", "cec: queryCalledRoute → 200"],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("cec: "))
            .all(|l| l.ends_with(" ms")),
        "{}",
        run.stderr
    );

    let failed = run_against(
        &sandbox,
        &["create", "--access-code", "9911411", "--ivr", "7", "-v"],
    )
    .await;
    assert_eq!(failed.code, 6);
    assert!(
        failed.stderr.contains("cec: createCalledRoute → 503 in "),
        "{}",
        failed.stderr
    );

    let quiet = run_against(&sandbox, &["list"]).await;
    assert_eq!(quiet.stderr, "", "no -v, no lines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_may_have_reached_cec_advice_is_given_once_and_only_for_writes() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let advice = |stderr: &str| stderr.matches("may have reached CEC").count();

    sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::Status(500));
    let create = ["create", "--access-code", "9911411", "--ivr", "7"];
    let run = run_against(&sandbox, &create).await;
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert_eq!(advice(&run.stderr), 1, "{}", run.stderr);

    sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::Timeout);
    let mut timed = create.to_vec();
    timed.extend(["--timeout", "1"]);
    let run = run_against(&sandbox, &timed).await;
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert_eq!(advice(&run.stderr), 1, "{}", run.stderr);

    for (operation, args) in [
        (
            Operation::QueryCalledRoute,
            &["list", "--timeout", "300ms"][..],
        ),
        (
            Operation::QueryAccessCodeList,
            &["access-codes", "--timeout", "300ms"],
        ),
    ] {
        // A query is tried three times before its timeout is final.
        for attempt in 1..=3 {
            sandbox.fail_request(operation, attempt, Fault::Timeout);
        }
        let run = run_against(&sandbox, args).await;
        assert_eq!(run.code, 7, "{}", run.stderr);
        assert_eq!(advice(&run.stderr), 0, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: timed out after 300ms"),
            "{}",
            run.stderr
        );
    }
    sandbox.fail_request(Operation::QueryCalledRoute, 1, Fault::Status(500));
    let run = run_against(&sandbox, &["export"]).await;
    assert_eq!(run.code, 6);
    assert_eq!(advice(&run.stderr), 0, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_value_is_a_usage_error_not_shorter_than_1_characters() {
    for args in [
        &["list", "--access-code", ""][..],
        &["list", "--ext-code", ""],
        &["access-codes", "--description", ""],
        &[
            "modify",
            "--access-code",
            "9911411",
            "--ext-code",
            "",
            "--ivr",
            "7",
        ],
        &["create", "--access-code", "", "--ivr", "7"],
    ] {
        let run = cec_routes(args, &[("CEC_TOKEN", "t")], None).await;
        assert_eq!(run.code, 64, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("a value is required"), "{}", run.stderr);
        assert!(!run.stderr.contains("1 characters"), "{}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_number_in_a_seed_file_is_shown_as_written() {
    let seed = scratch_file(
        "smaller_huge_seed.json",
        "{\"routes\": [{\"accessCode\": \"9911411\", \"devicetype\": 1,\n  \"deviceId\": -4900000000000000000000000000000000000}]}",
    );
    let run = cec_routes(
        &["sandbox", "--seed", seed.to_str().expect("a UTF-8 path")],
        &[],
        None,
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        format!(
            "error: sandbox seed file {}: `-4900000000000000000000000000000000000` at line 2 \
             column 52 is out of range: a whole number from -9223372036854775808 to 9223372036854775807",
            seed.display()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_does_not_advise_running_again_after_a_refusal() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let file = scratch_file(
        "smaller_refused.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"1\"\n    ivr: 7\n  - accessCode: \"9911411\"\n    extCode: \"2\"\n    ivr: 7\n",
    );
    let file = file.to_str().expect("a UTF-8 path");
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        2,
        Fault::ReturnCode("E-2".into()),
    );
    let run = run_against(&sandbox, &["apply", "-f", file, "--yes", "--parallel", "1"]).await;

    assert_eq!(run.code, 9, "{}", run.stderr);
    assert!(!run.stdout.contains("Run apply again"), "{}", run.stdout);
    assert!(
        run.stdout.trim_end().ends_with(
            "Apply: 0 of 2 changes applied; 2 failed, 0 unknown, 0 skipped. CEC refused all 2 for \
             good: running apply again would fail the same way; fix the routes file or CEC's \
             configuration first."
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("run apply again"), "{}", run.stderr);

    // A transient failure next to a refusal: both said.
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    sandbox.fail_request(Operation::CreateCalledRoute, 2, Fault::Status(503));
    let run = run_against(&sandbox, &["apply", "-f", file, "--yes", "--parallel", "1"]).await;
    assert_eq!(run.code, 9, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "CEC refused 1 change for good: fix the routes file or CEC's configuration for it; \
             then run apply again, which applies only what is still missing."
        ),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_refuses_connection_flags_but_not_the_environment() {
    for (flag, value) in [
        ("--base-url", "https://cec.example.test"),
        ("--timeout", "5"),
    ] {
        let run = cec_routes(&["demo", flag, value], &[], None).await;
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(
            run.stderr.trim(),
            format!(
                "error: invalid {flag}: demo always runs against its own embedded sandbox, so it \
                 takes no {flag}; point create, list or plan at another CEC with it"
            )
        );
    }
    let run = cec_routes(
        &["demo"],
        &[("CEC_BASE_URL", "https://cec.example.test")],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A `cec-routes sandbox …` running until it is killed, and its first lines.
pub(crate) struct Running {
    child: Child,
    pub(crate) lines: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_sandbox_command(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cec-routes"));
    for (name, _) in std::env::vars() {
        if name.starts_with("CEC_") {
            cmd.env_remove(name);
        }
    }
    let mut child = cmd
        .args(["sandbox", "--port", "0"])
        .args(args)
        .envs(env.iter().copied())
        .env("XDG_CONFIG_HOME", scratch_dir("no-config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox command starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("a line") == 0 {
            break;
        }
        let done = line.starts_with("press Ctrl-C");
        lines.push(line.trim_end().to_owned());
        if done {
            break;
        }
    }
    Running { child, lines }
}

pub(crate) fn value_of<'a>(running: &'a Running, name: &str) -> &'a str {
    running
        .lines
        .iter()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} missing: {:?}", running.lines))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_command_never_prints_a_secret_it_was_given() {
    let given = start_sandbox_command(
        &[],
        &[
            ("CEC_APP_KEY", "my-key"),
            ("CEC_APP_SECRET", "my-own-secret-77"),
        ],
    );
    assert!(
        !given.lines.join("\n").contains("my-own-secret-77"),
        "{:?}",
        given.lines
    );
    assert!(
        given
            .lines
            .contains(&"(the app secret is yours, from CEC_APP_SECRET: not shown)".to_owned()),
        "{:?}",
        given.lines
    );
    assert_eq!(value_of(&given, "CEC_APP_KEY"), "my-key");

    let generated = start_sandbox_command(&[], &[]);
    assert!(
        value_of(&generated, "CEC_APP_SECRET").len() >= 32,
        "{:?}",
        generated.lines
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_and_documented_examples_combine() {
    let seed = scratch_file("smaller_seed.json", &Seed::default().to_json());
    let running = start_sandbox_command(
        &[
            "--seed",
            seed.to_str().expect("a UTF-8 path"),
            "--documented-examples",
        ],
        &[],
    );
    let env = [
        ("CEC_BASE_URL", value_of(&running, "CEC_BASE_URL")),
        ("CEC_APP_KEY", value_of(&running, "CEC_APP_KEY")),
        ("CEC_APP_SECRET", value_of(&running, "CEC_APP_SECRET")),
    ];
    let run = cec_routes(&["list", "--output", "json"], &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(
        json["total"], 3,
        "the documented routes on the seed's tenant"
    );
}
