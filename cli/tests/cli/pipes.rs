//! A reader that closes stdout early (`cec-routes list | head -1`): the
//! command ends quietly with the code it would have exited with, never a
//! panic, and a change already under way is carried through.

use std::{
    io::{BufRead, BufReader, Read},
    process::{Command, Stdio},
};

use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};

use crate::support::{sandbox_env, scratch_file};

/// How a run whose stdout was closed ended.
struct Closed {
    code: i32,
    stderr: String,
}

/// Runs `cec-routes args…` against `sandbox` (when given) and closes its
/// stdout after reading `lines` lines (0: before it prints anything).
async fn with_stdout_closed(sandbox: Option<&Sandbox>, args: &[&str], lines: usize) -> Closed {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cec-routes"));
    for (name, _) in std::env::vars() {
        if name.starts_with("CEC_") {
            cmd.env_remove(name);
        }
    }
    if let Some(sandbox) = sandbox {
        cmd.envs(sandbox_env(sandbox));
    }
    cmd.env("XDG_CONFIG_HOME", crate::support::scratch_dir("no-config"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut reader = BufReader::new(stdout);
        for _ in 0..lines {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a line is read");
        }
        // The reader goes away, as `head` does.
        drop(reader);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr is piped")
            .read_to_string(&mut stderr)
            .expect("stderr is read");
        let status = child.wait().expect("the binary ends");
        Closed {
            code: status.code().expect("an exit code, not a signal"),
            stderr,
        }
    })
    .await
    .expect("the run completes")
}

fn assert_quiet(what: &str, closed: &Closed, code: i32) {
    assert_eq!(closed.code, code, "{what}: {}", closed.stderr);
    assert!(
        !closed.stderr.contains("panicked") && !closed.stderr.contains("Broken pipe"),
        "{what}: {}",
        closed.stderr
    );
}

/// A sandbox with more routes than a pipe holds in its buffer.
async fn big_sandbox() -> Sandbox {
    let routes: Vec<serde_json::Value> = (0..1500)
        .map(|i| {
            serde_json::json!({
                "accessCode": "9911411", "extCode": (10_000 + i).to_string(),
                "devicetype": 3, "deviceId": 7
            })
        })
        .collect();
    let mut seed: serde_json::Value =
        serde_json::from_str(&Seed::default().to_json()).expect("a seed is JSON");
    seed["routes"] = routes.into();
    Sandbox::builder()
        .seed(Seed::from_json_str(&seed.to_string()).expect("the seed loads"))
        .start()
        .await
        .expect("the sandbox starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_and_exports_end_quietly_when_stdout_closes() {
    let sandbox = big_sandbox().await;
    for args in [
        &["list"][..],
        &["list", "--output", "json"],
        &["export"],
        &["export", "--output", "json"],
        &["access-codes"],
    ] {
        for lines in [0, 1] {
            let closed = with_stdout_closed(Some(&sandbox), args, lines).await;
            assert_quiet(&format!("{args:?} after {lines} lines"), &closed, 0);
        }
    }
    let closed = with_stdout_closed(None, &["--help"], 1).await;
    assert_quiet("--help", &closed, 0);
    let closed = with_stdout_closed(None, &["sandbox", "--print-seed"], 0).await;
    assert_quiet("sandbox --print-seed", &closed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_keeps_its_detailed_exit_code_when_stdout_closes() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts");
    let file = scratch_file(
        "pipes_plan.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"77\"\n    ivr: 7\n",
    );
    let file = file.to_str().expect("a UTF-8 path");
    let closed = with_stdout_closed(
        Some(&sandbox),
        &["plan", "-f", file, "--detailed-exitcode"],
        0,
    )
    .await;
    assert_quiet("plan", &closed, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_in_json_mode_keeps_its_exit_code_when_stdout_closes() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    sandbox.fail_request(
        Operation::QueryCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    let closed = with_stdout_closed(Some(&sandbox), &["list", "--output", "json"], 0).await;
    assert_quiet("list refused", &closed, 5);
    assert!(
        closed.stderr.starts_with("error: CEC refused"),
        "{}",
        closed.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_carries_every_change_through_when_stdout_closes() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let mut text = String::from("routes:\n");
    for i in 0..30 {
        text.push_str(&format!(
            "  - accessCode: \"9911411\"\n    extCode: \"{}\"\n    ivr: 7\n",
            100 + i
        ));
    }
    let file = scratch_file("pipes_apply.yaml", &text);
    let closed = with_stdout_closed(
        Some(&sandbox),
        &["apply", "-f", file.to_str().expect("a UTF-8 path"), "--yes"],
        0,
    )
    .await;
    assert_quiet("apply", &closed, 0);
    assert_eq!(sandbox.routes().len(), 30, "every change was applied");
}
