//! `export` over several pages: the same bytes as the whole file written at
//! once, and a listing that fails half-way never leaves output that loads
//! as a shorter routes file.

use cec_routes::{RouteFilter, plan::RoutesFile};
use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};
use serde_json::{Value, json};

use crate::support::{Run, run_against, run_against_with};

/// 250 routes (three pages), listed in another order than the file's: ext
/// codes from 250 down, every third to skill queue 1 as video, the others
/// to IVR flow 7.
async fn sandbox_of_250_routes() -> Sandbox {
    let routes: Vec<Value> = (0..250)
        .map(|n| {
            let ext = (250 - n).to_string();
            if n % 3 == 0 {
                json!({"accessCode": "9911411", "extCode": ext, "devicetype": 1, "deviceId": 1, "mediaTypeId": 19})
            } else {
                json!({"accessCode": "9911411", "extCode": ext, "devicetype": 3, "deviceId": 7})
            }
        })
        .collect();
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).expect("a seed");
    seed["routes"] = Value::Array(routes);
    Sandbox::builder()
        .seed(Seed::from_json_str(&seed.to_string()).expect("a valid seed"))
        .start()
        .await
        .expect("the sandbox starts")
}

/// What `check -f -` and `plan -f - --prune` make of `text`.
async fn loaded_by_check_and_plan(sandbox: &Sandbox, text: &str) -> [Run; 2] {
    [
        run_against_with(sandbox, &["check", "-f", "-"], &[], Some(text)).await,
        run_against_with(sandbox, &["plan", "-f", "-", "--prune"], &[], Some(text)).await,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_three_pages_is_the_routes_file_the_sdk_writes_whole() {
    let sandbox = sandbox_of_250_routes().await;
    let client = sandbox.client_builder().build().expect("a client");
    let live = client
        .called_routes(&RouteFilter::new())
        .await
        .expect("the routes");
    let (file, _) = RoutesFile::export(&live);
    let tenant = client.tenant().await.expect("the tenant");

    let run = run_against(&sandbox, &["export"]).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, tenant.with_names(&file).to_yaml());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_three_pages_as_json_is_one_pretty_printed_document() {
    let sandbox = sandbox_of_250_routes().await;

    let run = run_against(&sandbox, &["export", "--output", "json"]).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    let document: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let routes = document["routes"].as_array().expect("a list of routes");
    assert_eq!(routes.len(), 250);
    assert_eq!(
        routes[..2],
        [
            json!({"accessCode": "9911411", "extCode": "1", "skillQueue": 1, "mediaType": "video"}),
            json!({"accessCode": "9911411", "extCode": "2", "ivr": 7}),
        ]
    );
    assert_eq!(
        run.stdout,
        format!("{document:#}\n"),
        "the bytes a whole document pretty-printed gives"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_whose_second_page_fails_writes_nothing_check_or_plan_would_load() {
    let sandbox = sandbox_of_250_routes().await;
    // A 500 is final (a 503 would be retried).
    sandbox.fail_request(Operation::QueryCalledRoute, 2, Fault::Status(500));

    let run = run_against(&sandbox, &["export"]).await;

    assert_eq!(run.code, 6, "{}", run.stderr);
    assert_eq!(run.stdout, "", "no part of the routes is written");
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    for refused in loaded_by_check_and_plan(&sandbox, &run.stdout).await {
        assert_ne!(refused.code, 0, "{}", refused.stdout);
        assert!(!refused.stdout.contains("Plan"), "{}", refused.stdout);
    }
    assert_eq!(sandbox.routes().len(), 250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_as_json_whose_second_page_fails_prints_only_the_error() {
    let sandbox = sandbox_of_250_routes().await;
    sandbox.fail_request(Operation::QueryCalledRoute, 2, Fault::Status(500));

    let run = run_against(&sandbox, &["export", "--output", "json"]).await;

    assert_eq!(run.code, 6, "{}", run.stderr);
    let document: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(document["ok"], false);
    assert!(document.get("routes").is_none(), "{document}");
    for refused in loaded_by_check_and_plan(&sandbox, &run.stdout).await {
        assert_ne!(refused.code, 0, "{}", refused.stdout);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_whose_page_is_retried_writes_every_route() {
    let sandbox = sandbox_of_250_routes().await;
    let whole = run_against(&sandbox, &["export"]).await;
    sandbox.fail_request(Operation::QueryCalledRoute, 2, Fault::Status(503));

    let run = run_against(&sandbox, &["export"]).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, whole.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ctrl_c_while_writing_ends_the_file_with_a_line_no_reader_loads() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};

    // 5,000 routes: more text than the pipe and the command's buffer hold,
    // so the command is still writing when the signal comes.
    let routes: Vec<Value> = (0..5000)
        .map(|n| json!({"accessCode": "9911411", "extCode": n.to_string(), "devicetype": 3, "deviceId": 7}))
        .collect();
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).expect("a seed");
    seed["routes"] = Value::Array(routes);
    let sandbox = Sandbox::builder()
        .seed(Seed::from_json_str(&seed.to_string()).expect("a valid seed"))
        .start()
        .await
        .expect("the sandbox starts");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("cec-routes"))
        .args(["export", "--ids"])
        .env_clear()
        .envs(crate::support::sandbox_env(&sandbox))
        .env("XDG_CONFIG_HOME", crate::support::scratch_dir("no-config"))
        .env("HOME", crate::support::scratch_dir("no-home"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));

    let (child, text, said) = tokio::task::spawn_blocking(move || {
        // The first bytes: the command is writing (and then blocks on the
        // full pipe).
        let mut first = [0; 1];
        stdout
            .read_exact(&mut first)
            .expect("the export starts writing");
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(kill.success());
        // The signal has been taken once the command says so.
        let mut said = String::new();
        while !said.contains("interrupted") {
            if stderr.read_line(&mut said).expect("stderr reads") == 0 {
                break;
            }
        }
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).expect("stdout reads");
        stderr.read_to_string(&mut said).expect("stderr reads");
        let text = format!("{}{rest}", char::from(first[0]));
        (child, text, said)
    })
    .await
    .expect("the reader ends");
    let output = child.wait_with_output().expect("the binary ends");

    assert_eq!(output.status.code(), Some(130), "{said}");
    assert!(
        text.lines()
            .last()
            .is_some_and(|line| line.starts_with("@ cec-routes export failed: interrupted")),
        "{}",
        &text[text.len().saturating_sub(300)..]
    );
    assert!(RoutesFile::parse(&text).is_err());
    for refused in loaded_by_check_and_plan(&sandbox, &text).await {
        assert_ne!(refused.code, 0, "{}", refused.stdout);
        assert!(!refused.stdout.contains("Plan"), "{}", refused.stdout);
    }
    assert!(said.contains("error: interrupted"), "{said}");
}
