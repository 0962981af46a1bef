//! Throttling: the request rate cap (`--rps`, `CEC_RPS`, a profile's
//! `rps`), checked and reported like every other setting, and the
//! sandbox's `--rate-limit`.

use cec_routes_sandbox::Sandbox;
use serde_json::Value;

use crate::{
    smaller::{start_sandbox_command, value_of},
    support::{cec_routes, run_against_with, scratch_file},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_rate_cap_names_the_flag_variable_or_profile_it_came_from() {
    let profile = scratch_file(
        "throttling_bad_rps.toml",
        "default_profile = \"p\"\n[profiles.p]\nrps = 0\n",
    );
    let profile = profile.to_str().expect("a UTF-8 path");
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (
            &["list", "--rps", "0"],
            &[],
            "error: invalid configuration: --rps is `0`; give a whole number of requests per \
             second, at least 1",
        ),
        (
            &["list", "--rps", "fast"],
            &[("CEC_RPS", "10")],
            "error: invalid configuration: --rps is `fast`; give a whole number of requests per \
             second, at least 1",
        ),
        (
            &["list"],
            &[("CEC_RPS", "-3")],
            "error: invalid configuration: CEC_RPS is `-3`; give a whole number of requests per \
             second, at least 1",
        ),
        (
            &["list"],
            &[("CEC_CONFIG", profile)],
            "error: invalid configuration: rps in profile p is `0`; give a whole number of \
             requests per second, at least 1",
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
async fn the_rate_cap_comes_from_the_flag_the_variable_or_the_profile_in_that_order() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let profile = scratch_file(
        "throttling_rps.toml",
        "default_profile = \"p\"\n[profiles.p]\nrps = 40\n",
    );
    let profile = profile.to_str().expect("a UTF-8 path");
    let shown = async |args: &[&str], env: &[(&str, &str)]| -> Value {
        let mut args = args.to_vec();
        args.extend(["config", "show", "-o", "json"]);
        let run = run_against_with(&sandbox, &args, env, None).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
        json["settings"]["rps"].clone()
    };

    let none = shown(&[], &[]).await;
    assert_eq!(
        (none["value"].as_str(), none["source"].as_str()),
        (Some("no cap"), Some("default"))
    );
    let from_profile = shown(&[], &[("CEC_CONFIG", profile)]).await;
    assert_eq!(from_profile["value"], "40");
    assert_eq!(from_profile["source"], "profile p");
    let from_env = shown(&[], &[("CEC_CONFIG", profile), ("CEC_RPS", "30")]).await;
    assert_eq!(from_env["value"], "30");
    assert_eq!(from_env["source"], "CEC_RPS");
    let from_flag = shown(
        &["--rps", "20"],
        &[("CEC_CONFIG", profile), ("CEC_RPS", "30")],
    )
    .await;
    assert_eq!(from_flag["value"], "20");
    assert_eq!(from_flag["source"], "--rps");

    // And a command runs with it.
    let listed = run_against_with(&sandbox, &["list", "--rps", "5"], &[], None).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_and_the_demo_take_no_rate_cap() {
    for command in ["sandbox", "demo"] {
        let run = cec_routes(&[command, "--rps", "5"], &[], None).await;
        assert_eq!(run.code, 3, "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains("takes no --rps"),
            "{command}: {}",
            run.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_command_throttles_at_its_rate_limit() {
    let running = start_sandbox_command(&["--rate-limit", "1"], &[]);
    assert!(
        running.lines[0].ends_with("(rate limit 1/s; more get 429)"),
        "{:?}",
        running.lines
    );
    let env = [
        ("CEC_BASE_URL", value_of(&running, "CEC_BASE_URL")),
        ("CEC_APP_KEY", value_of(&running, "CEC_APP_KEY")),
        ("CEC_APP_SECRET", value_of(&running, "CEC_APP_SECRET")),
    ];

    // The listing follows the token request at once: it is throttled, and
    // -v shows the client waiting it out.
    let run = cec_routes(&["list", "-v"], &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("retrying") && run.stderr.contains("429 Too Many Requests"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_command_refuses_a_rate_limit_of_zero() {
    let run = cec_routes(&["sandbox", "--rate-limit", "0"], &[], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--rate-limit"), "{}", run.stderr);
}
