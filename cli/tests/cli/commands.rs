//! The `cec-routes` command, run as a built binary against an in-process
//! sandbox: outputs, JSON shape, exit codes, and secrets kept out of sight.

use cec_routes::{Device, Editable, MediaType};
use cec_routes_sandbox::{Sandbox, Seed};
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::support::{Run, cec_routes, run_against};

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
        "created route 9911411 ext 11 → skill queue 1 (video): data create success; \
         id 1127983948544239617, dnid 1"
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
      "dnid": 1,
      "id": "1127983948544239617",
      "ok": true,
      "operation": "createCalledRoute",
      "returnCode": "0",
      "route": {
        "accessCode": "9911411",
        "extCode": "11",
        "mediaType": "video",
        "skillQueue": 1
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
            "error: invalid accessCode: must be at most 32 characters; `999999999999999999999999999999999` has 33",
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
        assert_eq!(run.code, 64, "{flag} must not exist: {}", run.stderr);
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

async fn documented_sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_prints_a_table_of_every_route() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["list", "--access-code", "9911411"]).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r"
    ID                   DNID  ACCESS CODE  EXT  DEVICE         MEDIA  EDITABLE
    1125397061153369092  3     9911411      11   skill queue 1  video  yes
    1127983948544239618  1     9911411      -    skill queue 1  -      yes
    1127986019188238339  2     9911411      1    skill queue 1  video  yes
    3 routes
    ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_json_keeps_route_ids_exactly_and_they_work_for_modify() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["list", "--output", "json"]).await;
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    let ids: Vec<&str> = json["routes"]
        .as_array()
        .expect("a list of routes")
        .iter()
        .map(|r| r["id"].as_str().expect("ids are strings, never numbers"))
        .collect();
    assert_eq!(
        ids,
        [
            "1125397061153369092",
            "1127983948544239618",
            "1127986019188238339"
        ]
    );

    let run = run_against(&sandbox, &["modify", "--id", ids[0], "--skill-queue", "5"]).await;

    // Skill queue 5 is video click-to-dial; the route is video: refused by CEC.
    assert_eq!(run.code, 5, "stderr: {}", run.stderr);
    let run = run_against(&sandbox, &["modify", "--id", ids[0], "--ivr", "7"]).await;
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "route 9911411 ext 11 (id 1125397061153369092) now goes to IVR flow 7: data update success"
    );
    let modified = sandbox
        .routes()
        .into_iter()
        .find(|r| r.id == ids[0])
        .expect("the route is still there");
    assert_eq!(modified.device, Device::Ivr(7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modify_of_an_unknown_id_is_refused_before_sending() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["modify", "--id", "1", "--skill-queue", "2"]).await;

    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: invalid id: no route has id 1"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_refuses_without_yes_when_stdin_is_not_a_terminal() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["delete", "--dnid", "1,2"]).await;

    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("pass --yes"), "{}", run.stderr);
    assert_eq!(sandbox.routes().len(), 3, "nothing is deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_with_yes_deletes_and_names_the_routes() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["delete", "--dnid", "1,2", "--yes"]).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "deleted 9911411 (dnid 1), 9911411 ext 1 (dnid 2)"
    );
    let left: Vec<u64> = sandbox.routes().iter().map(|r| r.dnid).collect();
    assert_eq!(left, [3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_delete_exits_8_listing_both_sides() {
    let sandbox = documented_sandbox().await;
    let run = run_against(
        &sandbox,
        &["delete", "--dnid", "1,999", "--yes", "--output", "json"],
    )
    .await;

    assert_eq!(run.code, 8, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(json["error"]["kind"], "partial_deletion");
    assert_eq!(json["error"]["deleted"], serde_json::json!(["9911411"]));
    assert_eq!(json["error"]["failed"], serde_json::json!(["dnid 999"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_codes_lists_the_tenants_hotlines() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["access-codes", "--output", "json"]).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    let first = &json["accessCodes"][0];
    assert_eq!(first["accessCode"], "9911411");
    assert_eq!(first["id"], "1124167935465633793");
    assert_eq!(first["mediaType"], "voice-and-video");
    assert_eq!(first["direction"], "both");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skill_queues_lists_every_queue_with_its_media_type_and_filters_by_it() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["skill-queues", "--output", "json"]).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    let names: Vec<_> = json["skillQueues"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|q| {
            (
                q["skillQueue"].clone(),
                q["name"].clone(),
                q["mediaType"].clone(),
            )
        })
        .collect();
    assert_eq!(
        names[0],
        (1.into(), "defaultVideoSkill".into(), "video".into())
    );
    assert_eq!(names.len(), 5);

    let video = run_against(&sandbox, &["skill-queues", "--media-type", "video"]).await;
    assert_eq!(video.code, 0, "stderr: {}", video.stderr);
    assert!(
        video.stdout.contains("defaultVideoSkill"),
        "{}",
        video.stdout
    );
    assert!(
        !video.stdout.contains("defaultVoiceSkill"),
        "{}",
        video.stdout
    );
    assert!(
        video.stdout.ends_with("1 skill queue\n"),
        "{}",
        video.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ivr_flows_lists_every_flow_and_whether_it_is_loaded() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["ivr-flows"]).await;

    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_locked_against_editing_is_reported_not_modified() {
    // The documented examples, with the first route locked ("3").
    let mut seed: Value =
        serde_json::from_str(&Seed::documented_examples().to_json()).expect("a seed is JSON");
    let locked = seed["routes"]
        .as_array_mut()
        .and_then(|routes| routes.iter_mut().find(|r| r["id"] == "1125397061153369092"))
        .expect("the documented route is in the seed");
    locked["editable"] = Value::from("3");
    let seed = Seed::from_json_str(&seed.to_string()).expect("the edited seed loads");
    let sandbox = Sandbox::builder()
        .seed(seed)
        .start()
        .await
        .expect("the sandbox starts");
    let run = run_against(
        &sandbox,
        &[
            "modify",
            "--id",
            "1125397061153369092",
            "--skill-queue",
            "2",
        ],
    )
    .await;

    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert!(run.stderr.contains("cannot be edited"), "{}", run.stderr);
    let route = sandbox
        .routes()
        .into_iter()
        .find(|r| r.id == "1125397061153369092")
        .expect("the route is still there");
    assert_eq!(route.editable, Editable::Locked);
    assert_eq!(route.device, Device::SkillQueue(1));
}
