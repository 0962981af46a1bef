//! Where the settings come from (flags over the environment), what `--help`
//! shows of them, and the exit codes it documents.

use std::collections::BTreeSet;

use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};

use crate::support::{
    cec_routes, dead_url, run_against, run_against_with, scratch_dir, scratch_file,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_names_the_variables_but_never_shows_their_values() {
    let run = cec_routes(
        &["--help"],
        &[
            ("CEC_BASE_URL", "https://cec.example.test"),
            ("CEC_APP_KEY", "app-key-from-the-environment"),
            ("CEC_APP_SECRET", "app-secret-from-the-environment"),
            ("CEC_TIMEOUT", "17"),
        ],
        None,
    )
    .await;

    assert_eq!(run.code, 0);
    for shown in [
        "[env: CEC_BASE_URL]",
        "[env: CEC_APP_KEY]",
        "[env: CEC_TIMEOUT]",
    ] {
        assert!(
            run.stdout.contains(shown),
            "{shown} missing:\n{}",
            run.stdout
        );
    }
    for hidden in [
        "cec.example.test",
        "app-key-from-the-environment",
        "app-secret-from-the-environment",
        "17",
    ] {
        assert!(
            !run.stdout.contains(hidden),
            "{hidden} shown:\n{}",
            run.stdout
        );
    }
    let token = cec_routes(
        &["token", "--help"],
        &[("CEC_TOKEN_LIFETIME", "1234")],
        None,
    )
    .await;
    assert!(token.stdout.contains("[env: CEC_TOKEN_LIFETIME]"));
    assert!(!token.stdout.contains("1234"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_win_over_the_environment() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let dead = dead_url();
    // The environment points elsewhere with another key; the flags win.
    let run = run_against_with(
        &sandbox,
        &[
            "token",
            "--base-url",
            sandbox.base_url(),
            "--app-key",
            sandbox.app_key(),
        ],
        &[("CEC_BASE_URL", &dead), ("CEC_APP_KEY", "not-the-key")],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);

    // Without the flags, the environment is used: nothing listens there.
    let run = run_against_with(&sandbox, &["token"], &[("CEC_BASE_URL", &dead)], None).await;
    assert_eq!(run.code, 7, "stderr: {}", run.stderr);
    assert!(run.stderr.contains(&dead), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_timeout_or_lifetime_names_the_flag_or_variable_it_came_from() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 5] = [
        (
            &["list", "--timeout", "0"],
            &[],
            "error: invalid configuration: --timeout is `0`; it must be longer than zero",
        ),
        (
            &["list"],
            &[("CEC_TIMEOUT", "0")],
            "error: invalid configuration: CEC_TIMEOUT is `0`; it must be longer than zero",
        ),
        (
            &["list", "--timeout", "soon"],
            &[("CEC_TIMEOUT", "30")],
            "error: invalid configuration: --timeout is `soon`; give whole seconds (30) or a duration (30s, 2m)",
        ),
        (
            &["token", "--lifetime", "0"],
            &[("CEC_TOKEN_LIFETIME", "600")],
            "error: invalid configuration: --lifetime is `0`; it must be 1 to 3600 whole seconds",
        ),
        (
            &["token"],
            &[("CEC_TOKEN_LIFETIME", "4000")],
            "error: invalid configuration: CEC_TOKEN_LIFETIME is `4000`; it must be 1 to 3600 whole seconds",
        ),
    ];
    for (args, env, message) in cases {
        let mut env = env.to_vec();
        env.push(("CEC_TOKEN", "t0k"));
        let run = cec_routes(args, &env, None).await;
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim(), message, "{args:?} {env:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_may_be_written_as_a_duration() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    for timeout in ["5", "5s", "1m 30s", "1500ms"] {
        let run = run_against(&sandbox, &["list", "--timeout", timeout]).await;
        assert_eq!(run.code, 0, "{timeout}: {}", run.stderr);
    }
}

/// The codes `--help` documents, read from its table.
fn documented_codes(help: &str) -> BTreeSet<i32> {
    help.split_once("Exit codes:")
        .expect("--help has the exit codes")
        .1
        .lines()
        .filter_map(|line| line.split_whitespace().next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exit_code_in_help_is_reached() {
    let help = cec_routes(&["--help"], &[], None).await;
    let documented = documented_codes(&help.stdout);
    let mut reached = BTreeSet::new();
    let mut reach = |expected: i32, what: &str, run: crate::support::Run| {
        assert_eq!(run.code, expected, "{what}: {}{}", run.stdout, run.stderr);
        reached.insert(run.code);
    };

    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts");
    reach(0, "success", run_against(&sandbox, &["token"]).await);

    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = busy.local_addr().expect("an address").port().to_string();
    reach(
        1,
        "the sandbox cannot listen",
        cec_routes(&["sandbox", "--port", &port], &[], None).await,
    );
    drop(busy);

    reach(
        64,
        "usage",
        cec_routes(&["list", "--no-such-flag"], &[], None).await,
    );
    let routes = scratch_file(
        "exit_codes_routes.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"77\"\n    ivr: 7\n",
    );
    let routes = routes.to_str().expect("a UTF-8 path");
    reach(
        2,
        "plan --detailed-exitcode with changes",
        run_against(&sandbox, &["plan", "-f", routes, "--detailed-exitcode"]).await,
    );
    reach(
        3,
        "invalid input",
        run_against(
            &sandbox,
            &[
                "create",
                "--access-code",
                "x",
                "--skill-queue",
                "1",
                "--ext-code",
                "x",
            ],
        )
        .await,
    );
    reach(
        4,
        "authentication",
        run_against_with(&sandbox, &["token"], &[("CEC_APP_SECRET", "wrong")], None).await,
    );
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-9".into()),
    );
    reach(
        5,
        "refused",
        run_against(
            &sandbox,
            &[
                "create",
                "--access-code",
                "9911411",
                "--ext-code",
                "5",
                "--ivr",
                "7",
            ],
        )
        .await,
    );
    sandbox.fail_request(Operation::QueryCalledRoute, 1, Fault::Status(500));
    reach(6, "HTTP status", run_against(&sandbox, &["list"]).await);
    reach(
        7,
        "transport",
        cec_routes(
            &["list"],
            &[("CEC_BASE_URL", &dead_url()), ("CEC_TOKEN", "t")],
            None,
        )
        .await,
    );
    reach(
        8,
        "partial deletion",
        run_against(&sandbox, &["delete", "--dnid", "1,999", "--yes"]).await,
    );
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-9".into()),
    );
    reach(
        9,
        "apply not complete",
        run_against(&sandbox, &["apply", "-f", routes, "--yes"]).await,
    );
    sandbox.fail_request(
        Operation::DeleteCalledRoute,
        1,
        Fault::json(200, r#"{"returnCode": "0"}"#),
    );
    reach(
        10,
        "unconfirmed deletion",
        run_against(&sandbox, &["delete", "--dnid", "3", "--yes"]).await,
    );
    let missing_queue = scratch_file(
        "exit_codes_missing_queue.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"78\"\n    skillQueue: 99\n",
    );
    reach(
        11,
        "the routes file does not fit the tenant",
        run_against(
            &sandbox,
            &["check", "-f", missing_queue.to_str().expect("a UTF-8 path")],
        )
        .await,
    );
    let replace = scratch_file(
        "exit_codes_replace.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"1\"\n    ivr: 7\n",
    );
    for nth in [1, 2] {
        sandbox.fail_request(
            Operation::CreateCalledRoute,
            nth,
            Fault::ReturnCode("E-9".into()),
        );
    }
    reach(
        12,
        "a number left without a route",
        run_against(
            &sandbox,
            &[
                "apply",
                "-f",
                replace.to_str().expect("a UTF-8 path"),
                "--allow-replace",
                "--yes",
            ],
        )
        .await,
    );

    let stale = scratch_file(
        "exit_codes_stale.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"88\"\n    ivr: 7\n",
    );
    let saved = scratch_dir("exit_codes").join("stale-plan.json");
    let saved = saved.to_str().expect("a UTF-8 path");
    let planned = run_against(
        &sandbox,
        &[
            "plan",
            "-f",
            stale.to_str().expect("a UTF-8 path"),
            "--out",
            saved,
        ],
    )
    .await;
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let created = run_against(
        &sandbox,
        &[
            "create",
            "--access-code",
            "9911411",
            "--ext-code",
            "88",
            "--ivr",
            "8",
        ],
    )
    .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    reach(
        13,
        "a saved plan whose routes changed",
        run_against(&sandbox, &["apply", "--plan", saved, "--yes"]).await,
    );

    let ten: String = (601..611)
        .map(|ext| format!("  - accessCode: \"9911411\"\n    extCode: \"{ext}\"\n    ivr: 7\n"))
        .collect();
    let ten = scratch_file("exit_codes_ten.yaml", &format!("routes:\n{ten}"));
    let applied = run_against(
        &sandbox,
        &["apply", "-f", ten.to_str().expect("a UTF-8 path"), "--yes"],
    )
    .await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let one = scratch_file(
        "exit_codes_one.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"601\"\n    ivr: 7\n",
    );
    reach(
        14,
        "the blast-radius guard",
        run_against(
            &sandbox,
            &["plan", "-f", one.to_str().expect("a UTF-8 path"), "--prune"],
        )
        .await,
    );

    reach(
        130,
        "interrupted",
        crate::trusted_apply::interrupts::interrupted_apply(40, 2, 4)
            .await
            .run,
    );

    assert_eq!(
        reached, documented,
        "--help documents exactly the codes reached"
    );
}
