//! `check`, and the same checks before `plan` and `apply`: every problem
//! of a routes file against the tenant, each at the line and column of the
//! value at fault, found with queries only.

use cec_routes_sandbox::{Operation, Sandbox, Seed};
use serde_json::Value;

use crate::support::{run_against, scratch_file};

async fn documented_sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts")
}

/// One route with each of the five problems the tenant decides: a missing
/// queue, a queue of another media type, an IVR flow on a multimedia access
/// code, an access code the tenant does not have, and a media type the
/// access code refuses.
const FIVE_PROBLEMS: &str = r#"routes:
  - accessCode: "9911411"
    extCode: "21"
    skillQueue: 99
  - accessCode: "9911411"
    extCode: "22"
    skillQueue: 2
    mediaType: video
  - accessCode: "9911412"
    extCode: "23"
    ivr: 7
  - accessCode: "9999999"
    skillQueue: 2
  - accessCode: "9911413"
    extCode: "25"
    skillQueue: 1
    mediaType: video
"#;

/// The same routes, corrected.
const CORRECTED: &str = r#"routes:
  - accessCode: "9911411"
    extCode: "21"
    skillQueue: 2
  - accessCode: "9911411"
    extCode: "22"
    skillQueue: 1
    mediaType: video
  - accessCode: "9911412"
    extCode: "23"
    skillQueue: 3
  - accessCode: "9911413"
    extCode: "25"
    skillQueue: 4
"#;

const WRITES: [Operation; 3] = [
    Operation::CreateCalledRoute,
    Operation::ModifyCalledRoute,
    Operation::DeleteCalledRoute,
];

fn problems_without_path(stdout: &str) -> String {
    let path = stdout
        .lines()
        .nth(1)
        .and_then(|line| line.trim_start().split(':').next())
        .unwrap_or_default()
        .to_owned();
    stdout.replace(&path, "routes.yaml")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_lists_all_five_problems_with_positions_and_sends_only_queries() {
    let sandbox = documented_sandbox().await;
    let file = scratch_file("checks_five.yaml", FIVE_PROBLEMS);

    let run = run_against(&sandbox, &["check", "-f", file.to_str().unwrap()]).await;

    assert_eq!(run.code, 11, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(problems_without_path(&run.stdout));
    for operation in WRITES {
        assert_eq!(sandbox.requests(operation), 0, "{operation:?}");
    }
    for operation in [
        Operation::QueryAccessCodeList,
        Operation::QuerySkills,
        Operation::QueryIvrFlowList,
    ] {
        assert_eq!(sandbox.requests(operation), 1, "{operation:?}: listed once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_and_apply_refuse_the_file_with_the_same_problems_and_change_nothing() {
    let sandbox = documented_sandbox().await;
    let file = scratch_file("checks_five_plan.yaml", FIVE_PROBLEMS);
    let file = file.to_str().unwrap();

    let check = run_against(&sandbox, &["check", "-f", file]).await;
    let plan = run_against(&sandbox, &["plan", "-f", file, "--detailed-exitcode"]).await;
    let apply = run_against(&sandbox, &["apply", "-f", file, "--yes"]).await;

    assert_eq!(plan.code, 11, "{}{}", plan.stdout, plan.stderr);
    assert_eq!(apply.code, 11, "{}{}", apply.stdout, apply.stderr);
    assert_eq!(
        plan.stdout, check.stdout,
        "plan shows the problems, no plan"
    );
    assert_eq!(apply.stdout, check.stdout);
    assert_eq!(plan.stdout.matches("\n  ").count(), 5);
    for operation in WRITES {
        assert_eq!(sandbox.requests(operation), 0, "{operation:?}");
    }
    assert_eq!(
        sandbox.requests(Operation::QueryCalledRoute),
        0,
        "no plan is made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_json_gives_each_problem_its_line_and_column() {
    let sandbox = documented_sandbox().await;
    let file = scratch_file("checks_five_json.yaml", FIVE_PROBLEMS);

    let run = run_against(
        &sandbox,
        &["check", "-f", file.to_str().unwrap(), "--output", "json"],
    )
    .await;

    assert_eq!(run.code, 11, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(json["ok"], false);
    let at: Vec<(u64, u64)> = json["problems"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(at, [(4, 17), (8, 16), (11, 10), (12, 17), (17, 16)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corrected_file_checks_clean_and_applies_at_the_first_try() {
    let sandbox = documented_sandbox().await;
    let file = scratch_file("checks_corrected.yaml", CORRECTED);
    let file = file.to_str().unwrap();

    let check = run_against(&sandbox, &["check", "-f", file]).await;
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("no problems"), "{}", check.stdout);

    let apply = run_against(&sandbox, &["apply", "-f", file, "--yes"]).await;
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    let plan = run_against(&sandbox, &["plan", "-f", file, "--detailed-exitcode"]).await;
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_check_sends_nothing_and_reports_the_file_s_own_problems() {
    let sandbox = documented_sandbox().await;
    let good = scratch_file("checks_offline_good.yaml", FIVE_PROBLEMS);
    let bad = scratch_file(
        "checks_offline_bad.yaml",
        "routes:\n  - accessCode: \"9911412\"\n    ivr: 7\n    mediaType: multimedia\n",
    );

    let clean = run_against(
        &sandbox,
        &["check", "-f", good.to_str().unwrap(), "--offline"],
    )
    .await;
    let refused = run_against(
        &sandbox,
        &["check", "-f", bad.to_str().unwrap(), "--offline"],
    )
    .await;

    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert_eq!(refused.code, 11, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stdout.contains(":4:16: device: an IVR flow cannot"),
        "{}",
        refused.stdout
    );
    assert_eq!(sandbox.requests(Operation::TokenByAkSk), 0);
    assert_eq!(sandbox.requests(Operation::QueryAccessCodeList), 0);
}

/// The documented examples' queues and flows under other ids (queue `n`
/// becomes `n + 100`), with no routes.
fn same_names_other_ids() -> Seed {
    let mut seed: Value =
        serde_json::from_str(&Seed::documented_examples().to_json()).expect("a seed is JSON");
    for queue in seed["skillQueues"].as_array_mut().expect("queues") {
        queue["id"] = Value::from(queue["id"].as_u64().expect("an id") + 100);
    }
    seed["routes"] = Value::Array(vec![]);
    Seed::from_json_str(&seed.to_string()).expect("the edited seed loads")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_exported_by_name_applies_unchanged_to_a_tenant_whose_ids_differ() {
    let from = documented_sandbox().await;
    let to = Sandbox::builder()
        .seed(same_names_other_ids())
        .start()
        .await
        .expect("the sandbox starts");

    let export = run_against(&from, &["export"]).await;
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(
        export.stdout.contains("skillQueue: \"defaultVideoSkill\""),
        "{}",
        export.stdout
    );
    let file = scratch_file("checks_exported_by_name.yaml", &export.stdout);
    let file = file.to_str().unwrap();

    let apply = run_against(&to, &["apply", "-f", file, "--yes"]).await;
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains("skill queue 101"),
        "the name resolves to the other tenant's id: {}",
        apply.stdout
    );
    let plan = run_against(&to, &["plan", "-f", file, "--detailed-exitcode"]).await;
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("No changes"), "{}", plan.stdout);

    let by_id = run_against(&from, &["export", "--ids"]).await;
    assert!(by_id.stdout.contains("skillQueue: 1\n"), "{}", by_id.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_that_matches_no_target_lists_the_candidates() {
    let sandbox = documented_sandbox().await;
    let file = scratch_file(
        "checks_unknown_name.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"31\"\n    skillQueue: videoSkill\n  - accessCode: \"9911411\"\n    extCode: \"32\"\n    ivr: welcomeIvr\n  - accessCode: \"9911411\"\n    extCode: \"33\"\n    skillQueue: defaultVoiceSkill\n",
    );

    let run = run_against(&sandbox, &["check", "-f", file.to_str().unwrap()]).await;

    assert_eq!(run.code, 11, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(problems_without_path(&run.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_document_s_problems_are_named_by_their_entry() {
    let sandbox = documented_sandbox().await;
    let text = r#"{"routes": [
        {"accessCode": "9911411", "extCode": "41", "skillQueue": 2},
        {"accessCode": "9911411", "extCode": "42", "skillQueue": 99}
    ]}"#;

    let run =
        crate::support::run_against_with(&sandbox, &["check", "-f", "-"], &[], Some(text)).await;

    assert_eq!(run.code, 11, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("\n  stdin: routes[1]: skill queue 99 does not exist"),
        "{}",
        run.stdout
    );
}
