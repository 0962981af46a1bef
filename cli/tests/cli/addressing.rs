//! Each command takes the identifiers people have: modify and delete by
//! access code and extension code as well as by id or dnid, create says
//! the new route's id and dnid, and delete asks listing what it deletes.
//! An extension code means exactly that extension everywhere; CEC's own
//! reading (every route a caller dialling it could reach) only with
//! `list --dial-match`.

use std::process::Command;

use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};

use crate::support::{Run, run_against, sandbox_env};

async fn documented_sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts")
}

/// The sandbox's dnids, sorted.
fn dnids(sandbox: &Sandbox) -> Vec<u64> {
    let mut dnids: Vec<u64> = sandbox.routes().iter().map(|r| r.dnid).collect();
    dnids.sort_unstable();
    dnids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modify_takes_the_access_code_and_the_extension_code() {
    let sandbox = documented_sandbox().await;
    let run = run_against(
        &sandbox,
        &[
            "modify",
            "--access-code",
            "9911411",
            "--ext-code",
            "1",
            "--ivr",
            "7",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "route 9911411 ext 1 (id 1127986019188238339) now goes to IVR flow 7: data update success"
    );

    // The route without an extension code, and not the one with ext "1"
    // that CEC's own matching might find as well.
    let run = run_against(
        &sandbox,
        &[
            "modify",
            "--access-code",
            "9911411",
            "--no-ext-code",
            "--ivr",
            "8",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut devices: Vec<String> = sandbox
        .routes()
        .iter()
        .map(|r| format!("{:?} {}", r.ext_code, r.device))
        .collect();
    devices.sort();
    assert_eq!(
        devices,
        [
            "None IVR flow 8",
            "Some(\"1\") IVR flow 7",
            "Some(\"11\") skill queue 1"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_code_alone_or_an_unknown_route_is_refused() {
    let sandbox = documented_sandbox().await;
    let cases: [(&[&str], &str); 4] = [
        (
            &["modify", "--access-code", "9911411", "--ivr", "7"],
            "error: invalid --ext-code: name the route of access code 9911411 with --ext-code CODE, or --no-ext-code for the one without an extension code",
        ),
        (
            &["delete", "--access-code", "9911411", "--yes"],
            "error: invalid --ext-code: name the route of access code 9911411 with --ext-code CODE, or --no-ext-code for the one without an extension code",
        ),
        (
            &[
                "modify",
                "--access-code",
                "9911411",
                "--ext-code",
                "111",
                "--ivr",
                "7",
            ],
            "error: invalid --access-code: no route has access code 9911411 and extension code 111; list the routes to find it",
        ),
        (
            &[
                "delete",
                "--access-code",
                "9911412",
                "--no-ext-code",
                "--yes",
            ],
            "error: invalid --access-code: no route has access code 9911412 without an extension code; list the routes to find it",
        ),
    ];
    for (args, message) in cases {
        let run = run_against(&sandbox, args).await;
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim(), message, "{args:?}");
    }
    assert_eq!(dnids(&sandbox), [1, 2, 3], "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_takes_the_access_code_and_no_extension_code() {
    let sandbox = documented_sandbox().await;
    let run = run_against(
        &sandbox,
        &[
            "delete",
            "--access-code",
            "9911411",
            "--no-ext-code",
            "--yes",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "deleted 9911411 (dnid 1)");
    assert_eq!(dnids(&sandbox), [2, 3]);
}

/// Runs `cec-routes args…` on a terminal (through `script`), typing `answer`.
async fn on_a_terminal(sandbox: &Sandbox, args: &str, answer: &str) -> Run {
    let mut cmd = Command::new("script");
    cmd.args([
        "--quiet",
        "--return",
        "--command",
        &format!("{} {args}", env!("CARGO_BIN_EXE_cec-routes")),
        "/dev/null",
    ])
    .envs(sandbox_env(sandbox))
    .env("XDG_CONFIG_HOME", crate::support::scratch_dir("no-config"));
    let mut cmd = assert_cmd::Command::from_std(cmd);
    cmd.write_stdin(format!("{answer}\n"));
    crate::support::finish(cmd).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delete_question_lists_the_routes_and_no_deletes_nothing() {
    let sandbox = documented_sandbox().await;
    let run = on_a_terminal(&sandbox, "delete --dnid 1,2,999", "n").await;

    assert_eq!(run.code, 0, "answering no is not a failure: {}", run.stdout);
    let screen = run.stdout.replace('\r', "");
    assert!(
        screen.contains(
            "These routes will be deleted:\n  \
             9911411 (id 1127983948544239618, dnid 1): skill queue 1\n  \
             9911411 ext 1 (id 1127986019188238339, dnid 2): skill queue 1 (video)\n  \
             dnid 999: no listed route has it (sent as it is)\n\
             delete 3 routes? [y/N] "
        ),
        "{screen}"
    );
    assert!(screen.trim_end().ends_with("nothing deleted"), "{screen}");
    assert_eq!(dnids(&sandbox), [1, 2, 3]);

    let run = on_a_terminal(&sandbox, "delete --dnid 2", "y").await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .trim_end()
            .ends_with("deleted 9911411 ext 1 (dnid 2)"),
        "{}",
        run.stdout
    );
    assert_eq!(dnids(&sandbox), [1, 3]);
}

/// The extension codes `list args…` prints (`-` for none), from its JSON.
async fn listed_ext_codes(sandbox: &Sandbox, args: &[&str]) -> Vec<String> {
    let mut args = args.to_vec();
    args.extend(["-o", "json"]);
    let run = run_against(sandbox, &args).await;
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    json["routes"]
        .as_array()
        .expect("a list of routes")
        .iter()
        .map(|r| r["extCode"].as_str().unwrap_or("-").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_ext_code_lists_exactly_that_extension_and_dial_match_the_prefixes() {
    // The sandbox answers an extension filter as CEC's documented example
    // does: "11" finds "11", "1" and the route without an extension.
    let sandbox = documented_sandbox().await;
    let base = ["list", "--access-code", "9911411"];

    let exact = listed_ext_codes(&sandbox, &[&base[..], &["--ext-code", "11"]].concat()).await;
    assert_eq!(exact, ["11"], "never the hotline's main route");

    let exact = listed_ext_codes(&sandbox, &[&base[..], &["--ext-code", "1"]].concat()).await;
    assert_eq!(exact, ["1"]);

    let mut dialled =
        listed_ext_codes(&sandbox, &[&base[..], &["--dial-match", "11"]].concat()).await;
    dialled.sort();
    assert_eq!(dialled, ["-", "1", "11"]);

    let run = run_against(&sandbox, &["list", "--ext-code", "1", "--dial-match", "1"]).await;
    assert_eq!(run.code, 64, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listed_dnids_of_an_extension_delete_only_that_extension() {
    let sandbox = documented_sandbox().await;
    let run = run_against(
        &sandbox,
        &[
            "list",
            "--access-code",
            "9911411",
            "--ext-code",
            "11",
            "-o",
            "json",
        ],
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    let listed: Vec<String> = json["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| r["dnid"].to_string())
        .collect();
    assert_eq!(listed, ["3"]);

    let run = run_against(&sandbox, &["delete", "--dnid", &listed.join(","), "--yes"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        dnids(&sandbox),
        [1, 2],
        "the main line and ext 1 are still there"
    );

    // Addressing by access code and extension code is exact too.
    let run = run_against(
        &sandbox,
        &[
            "delete",
            "--access-code",
            "9911411",
            "--ext-code",
            "11",
            "--yes",
        ],
    )
    .await;
    assert_eq!(
        run.code, 3,
        "ext 11 is gone; ext 1 is not taken for it: {}",
        run.stderr
    );
    let run = run_against(
        &sandbox,
        &[
            "modify",
            "--access-code",
            "9911411",
            "--ext-code",
            "11",
            "--ivr",
            "7",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(dnids(&sandbox), [1, 2]);
}

/// A deletion CEC answers `"0"` without naming what it deleted, or naming
/// more routes than dnids were sent, is not success: exit 10, and the
/// error says to list the routes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_deletion_exits_10_and_says_to_list_the_routes() {
    let sandbox = documented_sandbox().await;
    // Each row: CEC's answer, what the error says CEC did.
    let table = [
        (
            r#"{"returnCode": "0", "description": "data delete success"}"#,
            "CEC answered returnCode \"0\" without naming a deleted route (dnids 1,2)",
        ),
        (
            r#"{"returnCode": "0", "data": {"name": "9911411,99114111,99114112", "id": "1,2,3", "content": "9911411,99114111,99114112"}}"#,
            "CEC named 3 deleted routes for 2 dnids (dnids 1,2)",
        ),
    ];
    for (answer, says) in table {
        sandbox.fail_request(Operation::DeleteCalledRoute, 1, Fault::json(200, answer));
        let run = run_against(&sandbox, &["delete", "--dnid", "1,2", "--yes"]).await;
        assert_eq!(run.code, 10, "{}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!(
                "error: the deletion is not confirmed: {says}; list the routes to see which remain"
            )),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("note: "), "said once: {}", run.stderr);
        assert_eq!(run.stdout, "", "no `deleted …` line");
    }

    sandbox.fail_request(
        Operation::DeleteCalledRoute,
        1,
        Fault::json(200, r#"{"returnCode": "0"}"#),
    );
    let run = run_against(&sandbox, &["delete", "--dnid", "2", "--yes", "-o", "json"]).await;
    assert_eq!(run.code, 10, "{}", run.stderr);
    let json = crate::json::assert_matches_schema("error", &run);
    assert_eq!(json["error"]["kind"], "unconfirmed_deletion");
    assert_eq!(json["error"]["unconfirmed"], serde_json::json!([2]));
    assert_eq!(json["error"]["mayHaveReachedServer"], true);
}
