//! Routing as code against the in-process sandbox: plan and apply at the
//! library level (fast), then the `export`, `plan` and `apply` commands.

use std::{collections::HashSet, time::Duration};

use cec_routes::{
    CalledRoute, Client, Device, MediaType, RouteFilter,
    plan::{ApplyOptions, ApplyReport, Change, ChangeKind, Outcome, Plan, PlanOptions, RoutesFile},
};
use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};

pub(super) fn route(
    code: &str,
    ext: Option<&str>,
    device: Device,
    media: Option<MediaType>,
) -> CalledRoute {
    let mut route = CalledRoute::new(code, device).expect("a valid route");
    if let Some(ext) = ext {
        route = route.with_ext_code(ext).expect("a valid extension code");
    }
    if let Some(media) = media {
        route = route.with_media_type(media).expect("a valid media type");
    }
    route
}

/// Route `i` of the 500: 400 under the voice-and-video hotline 9911411, 50
/// under the multimedia 9911412, 50 under the click-to-dial 9911413, with
/// every device and media type the default seed allows there.
pub(super) fn nth(i: usize) -> CalledRoute {
    match i {
        0..400 => {
            let ext = (1000 + i).to_string();
            let (device, media) = match i % 4 {
                0 => (Device::SkillQueue(2), Some(MediaType::VoiceAndVideo)),
                1 => (Device::Ivr(7), None),
                2 => (Device::Ivr(8), Some(MediaType::Video)),
                _ => (Device::SkillQueue(1), Some(MediaType::Video)),
            };
            route("9911411", Some(&ext), device, media)
        }
        400..450 => route(
            "9911412",
            Some(&(2000 + i).to_string()),
            Device::SkillQueue(3),
            Some(MediaType::Multimedia),
        ),
        _ => {
            let (device, media) = match i % 3 {
                0 => (Device::SkillQueue(4), Some(MediaType::VoiceClickToDial)),
                1 => (Device::SkillQueue(5), Some(MediaType::VideoClickToDial)),
                _ => (Device::Ivr(7), Some(MediaType::VideoClickToDial)),
            };
            route("9911413", Some(&(3000 + i).to_string()), device, media)
        }
    }
}

pub(super) fn file_of(routes: impl IntoIterator<Item = CalledRoute>) -> RoutesFile {
    let file = RoutesFile::from_routes(routes).expect("no duplicates");
    // Through the YAML and back, as the CLI reads it.
    RoutesFile::parse(&file.to_yaml()).expect("the written file reads back")
}

fn five_hundred() -> Vec<CalledRoute> {
    (0..500).map(nth).collect()
}

pub(super) async fn plan(client: &Client, file: &RoutesFile, options: PlanOptions) -> Plan {
    client
        .plan_routes(file, options)
        .await
        .expect("the plan is made")
}

pub(super) async fn apply(client: &Client, plan: &Plan, options: ApplyOptions) -> ApplyReport {
    client.apply_plan(plan, options, |_| {}).await
}

/// The sandbox's routes as `CalledRoute`s, each key once (panics on a
/// duplicate key).
pub(super) fn held(sandbox: &Sandbox) -> HashSet<String> {
    let mut keys = HashSet::new();
    let mut all = HashSet::new();
    for r in sandbox.routes() {
        assert!(
            keys.insert((r.access_code.clone(), r.ext_code.clone())),
            "two routes for {} {:?}",
            r.access_code,
            r.ext_code
        );
        all.insert(format!(
            "{} {:?} {} {:?}",
            r.access_code,
            r.ext_code,
            r.device,
            r.media_type.unwrap_or(MediaType::VoiceAndVideo)
        ));
    }
    all
}

pub(super) fn expected(routes: &[CalledRoute]) -> HashSet<String> {
    routes
        .iter()
        .map(|r| {
            format!(
                "{} {:?} {} {:?}",
                r.access_code(),
                r.ext_code().map(str::to_owned),
                r.device(),
                r.media_type().unwrap_or(MediaType::VoiceAndVideo)
            )
        })
        .collect()
}

pub(super) fn everything() -> PlanOptions {
    PlanOptions::new().prune(true).allow_replace(true)
}

pub(super) async fn sandbox_and_client() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client_builder().build().expect("the client builds");
    (sandbox, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_routes_from_empty_apply_once_and_then_plan_nothing() {
    let (sandbox, client) = sandbox_and_client().await;
    let routes = five_hundred();
    let file = file_of(routes.clone());

    let first = plan(&client, &file, everything()).await;
    assert_eq!(first.count(ChangeKind::Create), 500);
    assert_eq!(first.changes.len(), 500);
    let report = apply(&client, &first, ApplyOptions::new()).await;
    assert!(report.all_applied(), "{report:?}");
    assert_eq!(report.applied(), 500);
    assert!(!report.read_back);

    let again = plan(&client, &file, everything()).await;
    assert!(again.is_converged(), "{:?}", again.changes);
    assert_eq!(again.unchanged.len(), 500);
    assert_eq!(held(&sandbox), expected(&routes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_ten_percent_plans_exactly_those_changes_and_apply_converges() {
    let (sandbox, client) = sandbox_and_client().await;
    let mut routes = five_hundred();
    let report = apply(
        &client,
        &plan(&client, &file_of(routes.clone()), everything()).await,
        ApplyOptions::new(),
    )
    .await;
    assert!(report.all_applied());

    // 20 re-pointed (IVR 7 → IVR 8), 15 to video (IVR 7 → IVR 7 video),
    // 15 removed: 50 of 500.
    let ivr7: Vec<usize> = (0..400).filter(|i| i % 4 == 1).collect();
    let mut modified = HashSet::new();
    for &i in &ivr7[..20] {
        routes[i] = route("9911411", routes[i].ext_code(), Device::Ivr(8), None);
        modified.insert(routes[i].ext_code().unwrap().to_owned());
    }
    let mut replaced = HashSet::new();
    for &i in &ivr7[20..35] {
        routes[i] = route(
            "9911411",
            routes[i].ext_code(),
            Device::Ivr(7),
            Some(MediaType::Video),
        );
        replaced.insert(routes[i].ext_code().unwrap().to_owned());
    }
    let removed: Vec<usize> = (0..400).filter(|i| i % 4 == 0).take(15).collect();
    let deleted: HashSet<String> = removed
        .iter()
        .map(|&i| routes[i].ext_code().unwrap().to_owned())
        .collect();
    let kept: Vec<CalledRoute> = routes
        .iter()
        .enumerate()
        .filter(|(i, _)| !removed.contains(i))
        .map(|(_, r)| r.clone())
        .collect();
    let file = file_of(kept.clone());

    let cautious = plan(&client, &file, PlanOptions::new()).await;
    assert_eq!(
        cautious.changes.len(),
        20,
        "only the modifies without the flags"
    );
    assert_eq!(cautious.needs_replace.len(), 15);
    assert_eq!(cautious.unmanaged.len(), 15);
    assert!(!cautious.is_converged());

    let full = plan(&client, &file, everything()).await;
    let of_kind = |kind| -> HashSet<String> {
        full.changes
            .iter()
            .filter(|c| c.kind() == kind)
            .map(|c| c.ext_code().unwrap().to_owned())
            .collect()
    };
    assert_eq!(of_kind(ChangeKind::Modify), modified);
    assert_eq!(of_kind(ChangeKind::Replace), replaced);
    assert_eq!(of_kind(ChangeKind::Delete), deleted);
    assert_eq!(of_kind(ChangeKind::Create), HashSet::new());
    assert_eq!(full.changes.len(), 50);
    assert_eq!(full.unchanged.len(), 450);

    let report = apply(&client, &full, ApplyOptions::new()).await;
    assert!(report.all_applied(), "{report:?}");
    assert!(plan(&client, &file, everything()).await.is_converged());
    assert_eq!(held(&sandbox), expected(&kept));
}

/// The default seed plus these routes (seed-file JSON items).
pub(super) fn seed_with(routes: serde_json::Value) -> Seed {
    let mut seed: serde_json::Value = serde_json::from_str(&Seed::default().to_json()).unwrap();
    seed["routes"] = routes;
    Seed::from_json_str(&seed.to_string()).expect("a valid seed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_routes_are_reported_and_never_attempted() {
    let seed = seed_with(serde_json::json!([
        {"accessCode": "9911411", "extCode": "1", "devicetype": 1, "deviceId": 2, "editable": "3"},
        {"accessCode": "9911411", "extCode": "2", "devicetype": 3, "deviceId": 7, "editable": "1"},
        {"accessCode": "9911411", "extCode": "3", "devicetype": 3, "deviceId": 7, "editable": "2"},
        {"accessCode": "9911411", "extCode": "4", "devicetype": 3, "deviceId": 7, "mediaTypeId": 19, "editable": "2"},
        {"accessCode": "9911411", "extCode": "5", "devicetype": 3, "deviceId": 7, "editable": "0"}
    ]));
    let sandbox = Sandbox::builder().seed(seed).start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let before = sandbox.routes();
    let file = file_of([
        route("9911411", Some("1"), Device::Ivr(7), None), // locked: cannot be edited
        route("9911411", Some("2"), Device::Ivr(8), None), // delete-only: cannot be edited
        // ext 3 (edit-only) left out: cannot be deleted
        route("9911411", Some("4"), Device::Ivr(7), None), // edit-only: media change needs a delete
                                                           // ext 5 left out: deleted
    ]);

    let plan = plan(&client, &file, everything()).await;
    let locked: Vec<(&str, ChangeKind)> = plan
        .locked
        .iter()
        .map(|h| (h.change.ext_code().unwrap(), h.change.kind()))
        .collect();
    assert_eq!(
        locked,
        [
            ("1", ChangeKind::Modify),
            ("2", ChangeKind::Modify),
            ("3", ChangeKind::Delete),
            ("4", ChangeKind::Replace)
        ]
    );
    assert_eq!(
        plan.locked[0].reason,
        "editable \"3\": the route cannot be edited"
    );
    assert_eq!(
        plan.locked[2].reason,
        "editable \"2\": the route cannot be deleted"
    );
    assert_eq!(plan.changes.len(), 1);
    assert!(
        matches!(&plan.changes[0], Change::Delete { live } if live.ext_code.as_deref() == Some("5"))
    );

    let report = apply(&client, &plan, ApplyOptions::new()).await;
    assert!(report.all_applied());
    let after = sandbox.routes();
    assert_eq!(
        after,
        before[..4].to_vec(),
        "the locked routes are as they were"
    );
    let again = client.plan_routes(&file, everything()).await.unwrap();
    assert!(!again.has_changes());
    assert_eq!(again.locked.len(), 4, "still reported");
    assert!(!again.is_converged());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_deletes_only_under_the_access_codes_the_file_names() {
    let seed = seed_with(serde_json::json!([
        {"accessCode": "9911411", "extCode": "1", "devicetype": 3, "deviceId": 7},
        {"accessCode": "9911411", "extCode": "2", "devicetype": 3, "deviceId": 8},
        {"accessCode": "9911413", "extCode": "1", "devicetype": 1, "deviceId": 4, "mediaTypeId": 2},
        {"accessCode": "9911412", "devicetype": 1, "deviceId": 3, "mediaTypeId": 53}
    ]));
    let sandbox = Sandbox::builder().seed(seed).start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let file = file_of([route("9911411", Some("1"), Device::Ivr(7), None)]);

    let plan = plan(&client, &file, everything()).await;
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(
        plan.changes[0].to_string(),
        "delete 9911411 ext 2: IVR flow 8"
    );
    assert!(
        apply(&client, &plan, ApplyOptions::new())
            .await
            .all_applied()
    );
    let left: Vec<(String, Option<String>)> = sandbox
        .routes()
        .into_iter()
        .map(|r| (r.access_code, r.ext_code))
        .collect();
    assert_eq!(
        left,
        [
            ("9911411".into(), Some("1".into())),
            ("9911413".into(), Some("1".into())),
            ("9911412".into(), None)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_mid_apply_are_reported_and_a_second_apply_converges_without_duplicates() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder()
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let routes: Vec<CalledRoute> = (0..60).map(nth).collect();
    let file = file_of(routes.clone());
    let first = plan(&client, &file, everything()).await;

    sandbox.fail_request(Operation::CreateCalledRoute, 5, Fault::Status(500));
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        10,
        Fault::StatusAfterCommit(500),
    );
    sandbox.fail_request(Operation::CreateCalledRoute, 15, Fault::DropAfterCommit);
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        20,
        Fault::ReturnCode("E-42".into()),
    );
    sandbox.fail_request(Operation::CreateCalledRoute, 25, Fault::Timeout);
    sandbox.fail_request(Operation::CreateCalledRoute, 30, Fault::TimeoutAfterCommit);
    let report = apply(&client, &first, ApplyOptions::new().parallel(3)).await;

    assert!(report.read_back, "unknown outcomes are read back");
    assert!(!report.all_applied());
    // Applied after all: the three committed before the answer was lost.
    let read_back_applied = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Applied { read_back: true }))
        .count();
    assert_eq!(read_back_applied, 3, "{report:#?}");
    // Not applied: a 500 and a timeout before the change (settled by the
    // read-back), and a refusal (CEC said so).
    let read_back_failed = report
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                Outcome::Failed {
                    read_back: true,
                    ..
                }
            )
        })
        .count();
    assert_eq!(read_back_failed, 2);
    assert_eq!(report.failed(), 3);
    assert_eq!(report.unknown(), 0);
    assert_eq!(report.applied(), 57);
    assert_eq!(sandbox.routes().len(), 57);

    // The second run creates only the three that are missing.
    let second = plan(&client, &file, everything()).await;
    assert_eq!(second.changes.len(), 3);
    assert!(
        second
            .changes
            .iter()
            .all(|c| c.kind() == ChangeKind::Create)
    );
    assert!(
        apply(&client, &second, ApplyOptions::new())
            .await
            .all_applied()
    );
    assert!(plan(&client, &file, everything()).await.is_converged());
    assert_eq!(
        held(&sandbox),
        expected(&routes),
        "every route once, no duplicate"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_n_is_never_exceeded() {
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(15))
        .start()
        .await
        .unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let file = file_of((0..40).map(nth));
    let plan = plan(&client, &file, everything()).await;
    sandbox.reset_max_in_flight();

    let report = apply(&client, &plan, ApplyOptions::new().parallel(3)).await;

    assert!(report.all_applied());
    let most = sandbox.max_in_flight();
    assert!(
        (2..=3).contains(&most),
        "at most 3 in flight, and more than one: {most}"
    );
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_fast_starts_nothing_after_the_first_failure() {
    let (sandbox, client) = sandbox_and_client().await;
    let file = file_of((0..10).map(nth));
    let plan = plan(&client, &file, everything()).await;
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        3,
        Fault::ReturnCode("E-3".into()),
    );

    let report = apply(
        &client,
        &plan,
        ApplyOptions::new().parallel(1).fail_fast(true),
    )
    .await;

    assert_eq!(
        (report.applied(), report.failed(), report.skipped()),
        (2, 1, 7)
    );
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_plan_shows_no_changes_on_the_documented_examples() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let live = client.called_routes(&RouteFilter::new()).await.unwrap();
    let (exported, skipped) = RoutesFile::export(&live);
    assert!(skipped.is_empty());
    let file = RoutesFile::parse(&exported.to_yaml()).unwrap();
    assert_eq!(file.routes().len(), 3);

    let plan = plan(&client, &file, everything()).await;
    assert!(plan.is_converged(), "{:?}", plan.changes);
    assert_eq!(plan.unchanged.len(), 3);
}

mod cli {
    //! The commands, run as the built binary against an in-process sandbox.

    use std::path::PathBuf;

    use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};
    use secrecy::ExposeSecret;
    use serde_json::Value;

    use super::{expected, file_of, held, nth};

    struct Run {
        code: i32,
        stdout: String,
        stderr: String,
    }

    async fn run_against(sandbox: &Sandbox, args: &[&str]) -> Run {
        let mut cmd = crate::support::command(args);
        cmd.env("CEC_BASE_URL", sandbox.base_url())
            .env("CEC_APP_KEY", sandbox.app_key())
            .env("CEC_APP_SECRET", sandbox.app_secret().expose_secret())
            .write_stdin("");
        let output = tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
            .await
            .expect("the run completes");
        Run {
            code: output.status.code().expect("an exit code"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let path =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("routing_as_code_{name}.yaml"));
        std::fs::write(&path, text).expect("the temporary file is written");
        path
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn export_then_plan_with_detailed_exitcode_exits_0() {
        let sandbox = Sandbox::builder()
            .seed(Seed::documented_examples())
            .start()
            .await
            .unwrap();
        let export = run_against(&sandbox, &["export"]).await;
        assert_eq!(export.code, 0, "{}", export.stderr);
        insta::assert_snapshot!(export.stdout, @r###"
        # cec-routes routes file: one entry per route, keyed by accessCode + extCode.
        # Each entry takes skillQueue or ivr (an id or a name); mediaType is optional
        # (none: a skill queue's own media type, checked against the tenant; voice-and-video for an IVR flow).
        routes:
          - accessCode: "9911411"
            skillQueue: "defaultVideoSkill"
          - accessCode: "9911411"
            extCode: "1"
            skillQueue: "defaultVideoSkill"
            mediaType: video
          - accessCode: "9911411"
            extCode: "11"
            skillQueue: "defaultVideoSkill"
            mediaType: video
        "###);
        let path = temp_file("documented", &export.stdout);

        let plan = run_against(
            &sandbox,
            &[
                "plan",
                "-f",
                path.to_str().unwrap(),
                "--prune",
                "--detailed-exitcode",
            ],
        )
        .await;
        assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
        assert!(plan.stdout.contains("No changes"), "{}", plan.stdout);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn plan_reads_like_a_diff_and_exits_2_with_detailed_exitcode() {
        let sandbox = Sandbox::builder()
            .seed(Seed::documented_examples())
            .start()
            .await
            .unwrap();
        let path = temp_file(
            "diff",
            r#"routes:
  - accessCode: "9911411"
    skillQueue: 1
  - accessCode: "9911411"
    extCode: "1"
    ivr: 7
    mediaType: video
  - accessCode: "9911411"
    extCode: "2"
    ivr: 8
"#,
        );
        let file = path.to_str().unwrap();
        let run = run_against(
            &sandbox,
            &[
                "plan",
                "-f",
                file,
                "--prune",
                "--allow-replace",
                "--detailed-exitcode",
            ],
        )
        .await;
        assert_eq!(run.code, 2, "{}", run.stderr);
        let stdout = run.stdout.replace(file, "routes.yaml");
        insta::assert_snapshot!(stdout, @r###"
        Plan for routes.yaml: 3 routes under 1 access code.

        ~   modify 9911411 ext 1: skill queue 1 defaultVideoSkill → IVR flow 7 welcomeIvr
        +   create 9911411 ext 2 → IVR flow 8 afterHoursIvr
        -   delete 9911411 ext 11: skill queue 1 defaultVideoSkill (video)

        Plan: 1 to create, 1 to modify, 0 to replace, 1 to delete; 1 unchanged.
        "###);
        let json = run_against(&sandbox, &["plan", "-f", file, "--output", "json"]).await;
        assert_eq!(json.code, 0);
        let json: Value = serde_json::from_str(&json.stdout).expect("one JSON document");
        assert_eq!(json["summary"]["modify"], 1);
        assert_eq!(json["summary"]["create"], 1);
        assert_eq!(json["summary"]["delete"], 0, "no --prune");
        assert_eq!(json["summary"]["unmanaged"], 1);
        assert_eq!(json["changes"][0]["kind"], "modify");
        assert_eq!(json["changes"][0]["from"]["id"], "1127986019188238339");
        assert_eq!(sandbox.routes().len(), 3, "plan changes nothing");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_invalid_file_exits_3_naming_each_line_and_sends_nothing() {
        let sandbox = Sandbox::start().await.unwrap();
        let path = temp_file(
            "invalid",
            "routes:\n  - accessCode: \"9911411\"\n    skilQueue: 1\n  - accessCode: \"9911411\"\n    ivr: 7\n    ivr2: 8\n",
        );
        let run = run_against(&sandbox, &["apply", "-f", path.to_str().unwrap(), "--yes"]).await;
        assert_eq!(run.code, 3);
        let path = path.display().to_string();
        assert!(
            run.stderr
                .contains(&format!("{path}:2:5: the route has neither")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains(&format!("{path}:3:5: unknown key `skilQueue`")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains(&format!("{path}:6:5: unknown key `ivr2`")),
            "{}",
            run.stderr
        );
        assert_eq!(sandbox.token_requests(), 0, "nothing was sent");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn apply_refuses_without_yes_when_stdin_is_not_a_terminal() {
        let sandbox = Sandbox::start().await.unwrap();
        let path = temp_file("refuse", &file_of((0..3).map(nth)).to_yaml());
        let run = run_against(&sandbox, &["apply", "-f", path.to_str().unwrap()]).await;
        assert_eq!(run.code, 3);
        assert!(
            run.stdout.contains("Plan: 3 to create"),
            "the plan is shown first"
        );
        assert!(run.stderr.contains("pass --yes"), "{}", run.stderr);
        assert!(sandbox.routes().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn apply_prints_one_line_per_change_respects_parallel_and_then_changes_nothing() {
        let sandbox = Sandbox::start().await.unwrap();
        let routes: Vec<_> = (0..100).map(nth).collect();
        let path = temp_file("hundred", &file_of(routes.clone()).to_yaml());
        let file = path.to_str().unwrap();

        let run = run_against(&sandbox, &["apply", "-f", file, "--yes", "--parallel", "2"]).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            run.stdout
                .lines()
                .filter(|l| l.starts_with("applied: create "))
                .count(),
            100
        );
        assert!(
            run.stdout
                .trim_end()
                .ends_with("Apply: 100 of 100 changes applied."),
            "{}",
            run.stdout
        );
        assert!(sandbox.max_in_flight() <= 2, "{}", sandbox.max_in_flight());
        assert_eq!(held(&sandbox), expected(&routes));

        let again = run_against(&sandbox, &["apply", "-f", file, "--yes"]).await;
        assert_eq!(again.code, 0);
        assert!(again.stdout.contains("No changes"), "{}", again.stdout);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_apply_exits_9_and_the_next_one_applies_only_what_is_missing() {
        let sandbox = Sandbox::start().await.unwrap();
        let routes: Vec<_> = (0..20).map(nth).collect();
        let path = temp_file("faults", &file_of(routes.clone()).to_yaml());
        let file = path.to_str().unwrap();
        sandbox.fail_request(Operation::CreateCalledRoute, 4, Fault::DropAfterCommit);
        sandbox.fail_request(Operation::CreateCalledRoute, 8, Fault::Status(503));

        let run = run_against(
            &sandbox,
            &["apply", "-f", file, "--yes", "--output", "json"],
        )
        .await;
        assert_eq!(run.code, 9, "{}", run.stderr);
        let json: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
        assert_eq!(json["ok"], false);
        assert_eq!(json["summary"]["applied"], 19);
        assert_eq!(json["summary"]["failed"], 1);
        let read_back: Vec<&Value> = json["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["readBack"] == true)
            .collect();
        assert_eq!(read_back.len(), 2, "both answers were lost and read back");
        assert!(run.stderr.contains("run apply again"), "{}", run.stderr);

        let again = run_against(&sandbox, &["apply", "-f", file, "--yes"]).await;
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert!(
            again.stdout.contains("Plan: 1 to create"),
            "{}",
            again.stdout
        );
        assert_eq!(held(&sandbox), expected(&routes));
    }
}
