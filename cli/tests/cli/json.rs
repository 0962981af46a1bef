//! One JSON vocabulary for routes: every command's `--output json` matches
//! its schema under `cli/schemas/`, and what `list` and `export` print can
//! be fed back to `plan -f` (`-` is stdin).

use std::path::PathBuf;

use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};
use serde_json::Value;

use crate::support::{Run, run_against, run_against_with, scratch_file};

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// Reads the schemas' `$ref`s to their neighbours from disk.
struct Neighbours;

impl jsonschema::Retrieve for Neighbours {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = std::fs::read_to_string(uri.path().as_str())?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// Checks `run`'s stdout against `cli/schemas/<name>.schema.json`.
pub(crate) fn assert_matches_schema(name: &str, run: &Run) -> Value {
    let path = schemas_dir().join(format!("{name}.schema.json"));
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("a schema is JSON");
    let validator = jsonschema::options()
        .with_base_uri(format!("file://{}", path.display()))
        .with_retriever(Neighbours)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: the schema builds: {e}"));
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{name}: stdout is one JSON document ({e}): {}", run.stdout));
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: output does not match its schema:\n{}\n{json:#}",
        errors.join("\n")
    );
    json
}

/// `args` with `--output json`.
fn json<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut args = args.to_vec();
    args.extend(["--output", "json"]);
    args
}

async fn documented_sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_output_matches_its_schema() {
    let sandbox = documented_sandbox().await;
    let check = async |name: &str, args: &[&str]| {
        let run = run_against(&sandbox, &json(args)).await;
        assert!(run.code == 0 || run.code == 9, "{name}: {}", run.stderr);
        assert_matches_schema(name, &run)
    };

    let list = check("list", &["list"]).await;
    assert_eq!(list["routes"][0]["skillQueue"], 1);
    assert_eq!(list["routes"][0]["mediaType"], "video");
    assert_eq!(list["routes"][0]["editable"], "yes");
    check("export", &["export"]).await;
    let codes = check("access-codes", &["access-codes"]).await;
    assert_eq!(codes["accessCodes"][0]["accessCode"], "9911411");
    let queues = check("skill-queues", &["skill-queues"]).await;
    assert_eq!(queues["skillQueues"][0]["name"], "defaultVideoSkill");
    let flows = check("ivr-flows", &["ivr-flows"]).await;
    assert_eq!(flows["ivrFlows"][0]["ivr"], 7);
    let created = check(
        "create",
        &[
            "create",
            "--access-code",
            "9911411",
            "--ext-code",
            "7",
            "--ivr",
            "7",
        ],
    )
    .await;
    assert_eq!(created["route"]["ivr"], 7);
    check(
        "modify",
        &["modify", "--id", "1127983948544239618", "--ivr", "8"],
    )
    .await;
    check("token", &["token"]).await;
    check("delete", &["delete", "--dnid", "2", "--yes"]).await;
    check("demo", &["demo"]).await;
    check("config-list", &["config", "list"]).await;
    check("config-show", &["config", "show"]).await;

    let file = scratch_file(
        "json_plan.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    ivr: 7\n  - accessCode: \"9911411\"\n    extCode: \"8\"\n    skillQueue: 2\n",
    );
    let file = file.to_str().expect("a UTF-8 path");
    let checked = check("check", &["check", "-f", file]).await;
    assert_eq!(checked["problems"], serde_json::json!([]));
    let plan = check("plan", &["plan", "-f", file, "--prune"]).await;
    assert_eq!(plan["changes"][0]["from"]["ivr"], 8);
    assert_eq!(plan["changes"][0]["to"]["ivr"], 7);
    check("apply", &["apply", "-f", file, "--prune", "--yes"]).await;
    check("apply", &["apply", "-f", file, "--prune", "--yes"]).await;
    let misfit = scratch_file(
        "json_check_misfit.yaml",
        "routes:\n  - accessCode: \"9999999\"\n    skillQueue: 99\n",
    );
    let misfit = misfit.to_str().expect("a UTF-8 path");
    for args in [
        &["check", "-f", misfit][..],
        &["plan", "-f", misfit],
        &["apply", "-f", misfit, "--yes"],
    ] {
        let refused = run_against(&sandbox, &json(args)).await;
        assert_eq!(refused.code, 11, "{args:?}: {}", refused.stderr);
        let problems = assert_matches_schema("check", &refused);
        assert_eq!(problems["ok"], false);
        assert_eq!(
            problems["problems"].as_array().map(Vec::len),
            Some(2),
            "{args:?}"
        );
    }
    // A 500 is final (a 503 would be retried).
    sandbox.fail_request(Operation::QueryCalledRoute, 1, Fault::Status(500));
    let failed = run_against(&sandbox, &json(&["list"])).await;
    assert_eq!(failed.code, 6);
    assert_matches_schema("error", &failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_and_export_json_feed_back_to_plan_from_stdin() {
    let sandbox = documented_sandbox().await;
    for source in [
        &["list", "--output", "json"][..],
        &["export", "--output", "json"],
    ] {
        let printed = run_against(&sandbox, source).await;
        assert_eq!(printed.code, 0, "{}", printed.stderr);

        let plan = run_against_with(
            &sandbox,
            &["plan", "-f", "-", "--prune", "--detailed-exitcode"],
            &[],
            Some(&printed.stdout),
        )
        .await;
        assert_eq!(plan.code, 0, "{source:?}: {}{}", plan.stdout, plan.stderr);
        assert!(
            plan.stdout
                .starts_with("Plan for stdin: 3 routes under 1 access code."),
            "{}",
            plan.stdout
        );
        assert!(plan.stdout.contains("No changes"), "{}", plan.stdout);
    }
    // YAML from stdin too.
    let yaml = run_against(&sandbox, &["export"]).await;
    let plan = run_against_with(&sandbox, &["plan", "-f", "-"], &[], Some(&yaml.stdout)).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("No changes"), "{}", plan.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_routes_document_is_checked_like_a_file() {
    let sandbox = documented_sandbox().await;
    let text = r#"{"routes": [
        {"accessCode": "9911411", "ivr": 7, "queue": 1},
        {"accessCode": "9911411", "extCode": "1", "skillQueue": 99999999999999999999999999999999}
    ], "extra": 1}"#;
    let run = run_against_with(&sandbox, &["plan", "-f", "-"], &[], Some(text)).await;

    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim_end(),
        "error: invalid routes file: stdin has 3 problems; nothing was sent\n  \
         stdin: unknown key `extra` at the top; the routes are under `routes`\n  \
         stdin: routes[0]: unknown key `queue`; a route takes `accessCode`, `extCode`, `skillQueue`, `ivr`, `mediaType`\n  \
         stdin: routes[1]: `skillQueue` must be a name or a whole number from 0 to 2147483647, the skill queue's id"
    );
    assert_eq!(sandbox.token_requests(), 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_from_stdin_and_the_secret_from_stdin_are_refused_together() {
    let sandbox = documented_sandbox().await;
    let run = run_against(&sandbox, &["plan", "-f", "-", "--app-secret-stdin"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("both read stdin"), "{}", run.stderr);
}
