//! Throttling: the request rate cap (`--rps`, `CEC_RPS`, a profile's
//! `rps`), checked and reported like every other setting, and the
//! sandbox's `--rate-limit`.

use cec_routes::{
    CalledRoute, Device, MediaType,
    plan::{ApplyOptions, ApplyReport, ChangeKind, PlanOptions, RoutesFile},
};
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
    assert_eq!(run.code, 64, "{}", run.stderr);
    assert!(run.stderr.contains("--rate-limit"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// End to end: apply through a throttling gateway
// ---------------------------------------------------------------------------

/// `count` routes of the voice-and-video hotline 9911411, extension codes
/// 1 to `count`, to skill queue 2.
fn routes_file(count: usize) -> RoutesFile {
    let routes = (1..=count).map(|ext| {
        CalledRoute::new("9911411", Device::SkillQueue(2))
            .and_then(|r| r.with_ext_code(ext.to_string()))
            .and_then(|r| r.with_media_type(MediaType::VoiceAndVideo))
            .expect("a valid route")
    });
    RoutesFile::from_routes(routes).expect("no duplicates")
}

/// Plans and applies `file` at `--parallel 16` against a fresh sandbox
/// that lets 50 requests a second through, with the client's cap `rps`;
/// gives the report, the routes held and the 429s answered.
async fn apply_through_the_gateway(
    file: &RoutesFile,
    rps: Option<u32>,
) -> (ApplyReport, usize, usize) {
    let sandbox = Sandbox::builder()
        .rate_limit(50)
        .start()
        .await
        .expect("the sandbox starts");
    let mut builder = sandbox.client_builder();
    if let Some(rps) = rps {
        builder = builder.max_requests_per_second(rps);
    }
    let client = builder.build().expect("a client");
    let plan = client
        .plan_routes(file, PlanOptions::new())
        .await
        .expect("the plan is made");
    assert_eq!(plan.count(ChangeKind::Create), file.routes().len());
    let report = client
        .apply_plan(&plan, ApplyOptions::new().parallel(16), |_| {})
        .await;
    (report, sandbox.routes().len(), sandbox.throttled())
}

/// In paused time (the sandbox runs on the test's runtime and counts on
/// tokio's clock): 20 s of throttling take no time at all.
#[tokio::test(start_paused = true)]
async fn a_thousand_creates_at_parallel_16_through_a_limit_of_50_a_second_all_apply() {
    let file = routes_file(1000);

    let (report, held, throttled) = apply_through_the_gateway(&file, None).await;
    assert!(
        report.all_applied(),
        "failed {}, unknown {}",
        report.failed(),
        report.unknown()
    );
    assert_eq!(held, 1000);
    assert!(
        throttled > 0,
        "the gateway refused some requests, and retries absorbed them"
    );

    let (report, held, throttled) = apply_through_the_gateway(&file, Some(40)).await;
    assert!(report.all_applied());
    assert_eq!(held, 1000);
    assert_eq!(throttled, 0, "at 40 a second the gateway never refuses");
}

/// The same through the real command, in real time, with fewer routes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_at_parallel_16_absorbs_the_429s_and_with_rps_meets_none() {
    let yaml = routes_file(150).to_yaml();
    let path = scratch_file("throttling_apply.yaml", &yaml);
    let path = path.to_str().expect("a UTF-8 path");
    for rps in [None, Some("40")] {
        let sandbox = Sandbox::builder()
            .rate_limit(50)
            .start()
            .await
            .expect("the sandbox starts");
        let mut args = vec![
            "apply",
            "-f",
            path,
            "--yes",
            "--parallel",
            "16",
            "-o",
            "json",
        ];
        if let Some(rps) = rps {
            args.extend(["--rps", rps]);
        }

        let run = run_against_with(&sandbox, &args, &[], None).await;

        assert_eq!(run.code, 0, "{rps:?}: {}", run.stderr);
        let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert_eq!(json["ok"], true, "{rps:?}: {json}");
        assert_eq!(sandbox.routes().len(), 150, "{rps:?}");
        if rps.is_some() {
            assert_eq!(sandbox.throttled(), 0, "--rps 40 under a limit of 50");
        }
    }
}
