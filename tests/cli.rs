//! The `cec-routes` command, run as a built binary against an in-process
//! sandbox: outputs, JSON shape, exit codes, and secrets kept out of sight.
#![cfg(feature = "cli")]

use assert_cmd::cargo::cargo_bin_cmd;
use cec_routes::{Device, MediaType, sandbox::Sandbox};
use secrecy::ExposeSecret;
use serde_json::Value;

/// What one run of the command gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `cec-routes args…` with only the given `CEC_*` variables set.
async fn cec_routes(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = cargo_bin_cmd!("cec-routes");
    for (name, _) in std::env::vars() {
        if name.starts_with("CEC_") {
            cmd.env_remove(name);
        }
    }
    cmd.args(args).envs(env.iter().copied());
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let output = tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .expect("the run completes");
    Run {
        code: output.status.code().expect("the binary exits with a code"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The environment that points the command at the sandbox.
fn sandbox_env(sandbox: &Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("CEC_BASE_URL", sandbox.base_url().to_owned()),
        ("CEC_APP_KEY", sandbox.app_key().to_owned()),
        (
            "CEC_APP_SECRET",
            sandbox.app_secret().expose_secret().to_owned(),
        ),
    ]
}

async fn run_against(sandbox: &Sandbox, args: &[&str]) -> Run {
    let env = sandbox_env(sandbox);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    cec_routes(args, &env, None).await
}

const DOCUMENTED_EXAMPLE: &[&str] = &[
    "create",
    "--access-code",
    "9911411",
    "--ext-code",
    "11",
    "--skill-queue",
    "1",
    "--media-type",
    "video",
];

fn assert_no_secret(sandbox: &Sandbox, run: &Run) {
    let secret = sandbox.app_secret().expose_secret();
    assert!(
        !run.stdout.contains(secret),
        "the app secret leaked to stdout"
    );
    assert!(
        !run.stderr.contains(secret),
        "the app secret leaked to stderr"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_binds_the_documented_example_and_says_so() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let run = run_against(&sandbox, DOCUMENTED_EXAMPLE).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "created route 9911411 ext 11 → skill queue 1 (video): data create success"
    );
    let routes = sandbox.routes();
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].access_code, "9911411");
    assert_eq!(routes[0].ext_code.as_deref(), Some("11"));
    assert_eq!(routes[0].device, Device::SkillQueue(1));
    assert_eq!(routes[0].media_type, Some(MediaType::Video));
    assert_no_secret(&sandbox, &run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_prints_one_json_document_with_output_json() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let mut args = DOCUMENTED_EXAMPLE.to_vec();
    args.extend(["--output", "json"]);
    let run = run_against(&sandbox, &args).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    insta::assert_json_snapshot!(json, @r###"
    {
      "description": "data create success",
      "ok": true,
      "operation": "createCalledRoute",
      "returnCode": "0",
      "route": {
        "accessCode": "9911411",
        "deviceId": 1,
        "devicetype": 1,
        "extCode": "11",
        "mediaTypeId": 19
      }
    }
    "###);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_route_exits_with_the_business_code() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    assert_eq!(run_against(&sandbox, DOCUMENTED_EXAMPLE).await.code, 0);

    let run = run_against(&sandbox, DOCUMENTED_EXAMPLE).await;

    assert_eq!(run.code, 5, "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: CEC refused the request: returnCode "),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.routes().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_failure_in_json_mode_carries_the_return_code() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    assert_eq!(run_against(&sandbox, DOCUMENTED_EXAMPLE).await.code, 0);
    let mut args = DOCUMENTED_EXAMPLE.to_vec();
    args.extend(["--output", "json"]);

    let run = run_against(&sandbox, &args).await;

    assert_eq!(run.code, 5);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(json["ok"], false);
    assert_eq!(json["error"]["kind"], "business");
    assert!(json["error"]["returnCode"].is_string());
    assert_eq!(json["error"]["status"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_exits_3_and_sends_nothing() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let long = "9".repeat(33);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["create", "--access-code", &long, "--skill-queue", "1"],
            "error: invalid accessCode: `999999999999999999999999999999999` is longer than 32 characters",
        ),
        (
            vec![
                "create",
                "--access-code",
                "9911411",
                "--ivr",
                "7",
                "--media-type",
                "multimedia",
            ],
            "error: invalid devicetype: an IVR flow cannot be chosen for the multimedia channel",
        ),
        (
            vec![
                "create",
                "--access-code",
                "9911411",
                "--skill-queue",
                "1",
                "--media-type",
                "fax",
            ],
            "error: invalid mediaTypeId: `fax` is not a media type",
        ),
        (
            vec![
                "create",
                "--access-code",
                "9911411",
                "--skill-queue",
                "1",
                "--ext-code",
                "1a",
            ],
            "error: invalid extCode: `1a` may contain only digits, `*` and `#`",
        ),
    ];
    for (args, message) in cases {
        let run = run_against(&sandbox, &args).await;
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with(message), "{args:?}: {}", run.stderr);
    }
    assert!(sandbox.routes().is_empty());
    assert_eq!(
        sandbox.token_requests(),
        0,
        "nothing is sent for invalid input"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_exit_3_naming_the_variables() {
    let run = cec_routes(
        &["create", "--access-code", "9911411", "--skill-queue", "1"],
        &[],
        None,
    )
    .await;

    assert_eq!(run.code, 3);
    assert_eq!(
        run.stderr.trim(),
        "error: invalid configuration: no credentials: set CEC_TOKEN, or CEC_APP_KEY and CEC_APP_SECRET"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_exits_4_without_printing_it() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let run = cec_routes(
        DOCUMENTED_EXAMPLE,
        &[
            ("CEC_BASE_URL", sandbox.base_url()),
            ("CEC_APP_KEY", sandbox.app_key()),
            ("CEC_APP_SECRET", "not-the-secret-42"),
        ],
        None,
    )
    .await;

    assert_eq!(run.code, 4, "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: authentication failed: tokenByAkSk at "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not-the-secret-42"));
    assert!(sandbox.routes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_exits_7_as_a_transport_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    drop(listener);

    let run = cec_routes(
        DOCUMENTED_EXAMPLE,
        &[("CEC_BASE_URL", &url), ("CEC_TOKEN", "t0k")],
        None,
    )
    .await;

    assert_eq!(run.code, 7, "stderr: {}", run.stderr);
    assert!(
        run.stderr.starts_with("error: could not connect to "),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_shows_the_lifetime_but_not_the_token() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let run = run_against(
        &sandbox,
        &["token", "--lifetime", "900", "--output", "json"],
    )
    .await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    let valid_for = json["validForSeconds"].as_u64().expect("a lifetime");
    assert!((890..=900).contains(&valid_for), "valid for {valid_for} s");
    assert!(
        json["expiresAt"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    assert_eq!(json["token"], Value::Null);
    assert_no_secret(&sandbox, &run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_prints_the_token_only_when_asked() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let run = run_against(&sandbox, &["token", "--show-token", "--output", "json"]).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    let token = json["token"].as_str().expect("the token is shown");
    assert!(token.len() >= 22, "a token of at least 128 bits: {token}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_secret_can_come_from_stdin() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let secret = format!("{}\n", sandbox.app_secret().expose_secret());
    let mut args = vec!["--app-secret-stdin"];
    args.extend_from_slice(DOCUMENTED_EXAMPLE);

    let run = cec_routes(
        &args,
        &[
            ("CEC_BASE_URL", sandbox.base_url()),
            ("CEC_APP_KEY", sandbox.app_key()),
        ],
        Some(&secret),
    )
    .await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(sandbox.routes().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_never_taken_from_flags() {
    for flag in ["--app-secret", "--token"] {
        let run = cec_routes(
            &[
                "create",
                flag,
                "x",
                "--access-code",
                "1",
                "--skill-queue",
                "1",
            ],
            &[],
            None,
        )
        .await;
        assert_eq!(run.code, 2, "{flag} must not exist: {}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_the_whole_flow_with_no_configuration() {
    let run = cec_routes(&["demo"], &[], None).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(run.stdout.contains("tokenByAkSk"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Authorization: Bearer [redacted]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.trim_end().ends_with(
            "demo succeeded: route 9911411 ext 11 → skill queue 1 (video) created and read back"
        ),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_the_commands_and_exit_codes() {
    let run = cec_routes(&["--help"], &[], None).await;

    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
}
