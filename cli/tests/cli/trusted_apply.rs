//! Issue 15: an apply that can be trusted with a live tenant. No change
//! leaves a number without a route; saved plans; the blast-radius guard;
//! clean interrupts.

use cec_routes::{
    Device, MediaType,
    plan::{ApplyOptions, Change, ChangeKind, Outcome, Plan},
};
use cec_routes_sandbox::{Fault, Operation, Sandbox};

use super::routing_as_code::{apply, everything, expected, file_of, held, plan, route, seed_with};

/// One route, 9911411 ext 1 → IVR flow 7 (voice and video), and a client.
async fn one_ivr_route() -> (Sandbox, cec_routes::Client) {
    let seed = seed_with(serde_json::json!([
        {"accessCode": "9911411", "extCode": "1", "devicetype": 3, "deviceId": 7}
    ]));
    let sandbox = Sandbox::builder().seed(seed).start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    (sandbox, client)
}

/// The sandbox's one route: its device and media type.
fn only_route(sandbox: &Sandbox) -> (Device, MediaType) {
    let routes = sandbox.routes();
    assert_eq!(routes.len(), 1, "{routes:?}");
    (
        routes[0].device,
        routes[0].media_type.unwrap_or(MediaType::VoiceAndVideo),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replace_whose_create_is_refused_puts_the_old_route_back_and_says_so() {
    let (sandbox, client) = one_ivr_route().await;
    let wanted = route("9911411", Some("1"), Device::Ivr(7), Some(MediaType::Video));
    let file = file_of([wanted.clone()]);
    let replace = plan(&client, &file, everything()).await;
    assert_eq!(replace.changes[0].kind(), ChangeKind::Replace);

    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    let report = apply(&client, &replace, ApplyOptions::new()).await;

    let result = &report.results[0];
    assert!(
        matches!(&result.outcome, Outcome::Failed { error, .. } if error.return_code() == Some("E-1")),
        "{result:?}"
    );
    let restore = result.restore.as_ref().expect("the old route was restored");
    assert!(restore.restored());
    assert!(
        result
            .note
            .as_deref()
            .unwrap()
            .contains("re-created at once"),
        "{:?}",
        result.note
    );
    assert_eq!(report.restored().count(), 1);
    assert_eq!(report.unrouted().count(), 0);
    assert_eq!(sandbox.requests(Operation::DeleteCalledRoute), 1);
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 2);
    assert_eq!(
        only_route(&sandbox),
        (Device::Ivr(7), MediaType::VoiceAndVideo),
        "the hotline is routed as before"
    );

    // The next apply tries the replace again, and it goes through.
    let again = plan(&client, &file, everything()).await;
    assert_eq!(again.changes[0].kind(), ChangeKind::Replace);
    assert!(
        apply(&client, &again, ApplyOptions::new())
            .await
            .all_applied()
    );
    assert_eq!(held(&sandbox), expected(&[wanted]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_restore_fails_too_the_report_names_the_route_and_the_command() {
    let (sandbox, client) = one_ivr_route().await;
    let file = file_of([route(
        "9911411",
        Some("1"),
        Device::Ivr(7),
        Some(MediaType::Video),
    )]);
    let replace = plan(&client, &file, everything()).await;
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    sandbox.fail_request(Operation::CreateCalledRoute, 2, Fault::Status(503));

    let report = apply(&client, &replace, ApplyOptions::new()).await;

    let unrouted: Vec<_> = report.unrouted().collect();
    assert_eq!(unrouted.len(), 1, "{report:#?}");
    assert_eq!(
        unrouted[0].command(),
        "cec-routes create --access-code 9911411 --ext-code 1 --ivr 7"
    );
    assert_eq!(unrouted[0].route.to_string(), "9911411 ext 1 → IVR flow 7");
    let note = report.results[0].note.as_deref().unwrap();
    assert!(note.contains("the number has no route"), "{note}");
    assert!(
        note.contains("cec-routes create --access-code 9911411 --ext-code 1 --ivr 7"),
        "{note}"
    );
    assert!(sandbox.routes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replace_the_access_code_would_refuse_deletes_nothing() {
    let (sandbox, client) = one_ivr_route().await;
    // 9911411 is a voice-and-video access code: it takes no multimedia route.
    let file = file_of([route(
        "9911411",
        Some("1"),
        Device::SkillQueue(3),
        Some(MediaType::Multimedia),
    )]);
    let replace = plan(&client, &file, everything()).await;
    assert_eq!(replace.changes[0].kind(), ChangeKind::Replace);

    let report = apply(&client, &replace, ApplyOptions::new()).await;

    let result = &report.results[0];
    assert!(
        matches!(&result.outcome, Outcome::Failed { error, .. } if error.to_string().contains("does not take")),
        "{result:?}"
    );
    assert!(result.restore.is_none());
    assert_eq!(sandbox.requests(Operation::DeleteCalledRoute), 0);
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 0);
    assert_eq!(
        only_route(&sandbox),
        (Device::Ivr(7), MediaType::VoiceAndVideo)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_that_a_create_of_the_same_route_follows_is_undone_when_the_create_fails() {
    let (sandbox, client) = one_ivr_route().await;
    let live = client
        .routes_of_access_codes(&["9911411".to_owned()])
        .await
        .unwrap()
        .remove(0);
    let mut swap = Plan::default();
    swap.changes = vec![
        Change::Delete { live },
        Change::Create {
            route: route("9911411", Some("1"), Device::Ivr(8), Some(MediaType::Video)),
        },
    ];
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );

    let report = apply(&client, &swap, ApplyOptions::new().parallel(4)).await;

    assert!(report.results[0].outcome.is_applied(), "the delete");
    assert!(matches!(report.results[1].outcome, Outcome::Failed { .. }));
    assert!(report.results[1].restore.as_ref().unwrap().restored());
    assert_eq!(
        only_route(&sandbox),
        (Device::Ivr(7), MediaType::VoiceAndVideo)
    );
}

mod cli {
    use cec_routes_sandbox::{Fault, Operation, Sandbox};

    use super::{super::support::run_against, seed_with};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unrouted_number_exits_12_and_prints_the_command_that_restores_it() {
        let seed = seed_with(serde_json::json!([
            {"accessCode": "9911411", "extCode": "1", "devicetype": 3, "deviceId": 7}
        ]));
        let sandbox = Sandbox::builder().seed(seed).start().await.unwrap();
        let path = super::super::support::scratch_file(
            "unrouted.yaml",
            "routes:\n  - accessCode: \"9911411\"\n    extCode: \"1\"\n    ivr: 7\n    mediaType: video\n",
        );
        sandbox.fail_request(
            Operation::CreateCalledRoute,
            1,
            Fault::ReturnCode("E-1".into()),
        );
        sandbox.fail_request(
            Operation::CreateCalledRoute,
            2,
            Fault::ReturnCode("E-2".into()),
        );

        let run = run_against(
            &sandbox,
            &[
                "apply",
                "-f",
                path.to_str().unwrap(),
                "--allow-replace",
                "--yes",
            ],
        )
        .await;

        assert_eq!(run.code, 12, "{}{}", run.stdout, run.stderr);
        let command = "cec-routes create --access-code 9911411 --ext-code 1 --ivr 7";
        assert!(run.stderr.contains(command), "{}", run.stderr);
        assert!(sandbox.routes().is_empty());

        // The printed command does what it says.
        let words: Vec<&str> = command.split(' ').skip(1).collect();
        let restore = run_against(&sandbox, &words).await;
        assert_eq!(restore.code, 0, "{}", restore.stderr);
        assert_eq!(sandbox.routes().len(), 1);
    }
}

mod saved_plans {
    //! `plan --out` and `apply --plan`.

    use std::path::{Path, PathBuf};

    use cec_routes::{Device, RouteChange};
    use cec_routes_sandbox::{Operation, Sandbox, Seed};
    use serde_json::Value;

    use super::super::support::{Run, run_against, scratch_dir, scratch_file};

    const ROUTES: &str = r#"routes:
  - accessCode: "9911411"
    skillQueue: 1
  - accessCode: "9911411"
    extCode: "1"
    ivr: 7
    mediaType: video
  - accessCode: "9911411"
    extCode: "2"
    ivr: 8
"#;

    async fn documented() -> Sandbox {
        Sandbox::builder()
            .seed(Seed::documented_examples())
            .start()
            .await
            .unwrap()
    }

    /// `plan -f <ROUTES> --prune --out <name>.json`: the plan file's path.
    async fn saved_plan(sandbox: &Sandbox, name: &str) -> PathBuf {
        let routes = scratch_file(&format!("{name}.yaml"), ROUTES);
        let out = scratch_dir("plans").join(format!("{name}.json"));
        let run = run_against(
            sandbox,
            &[
                "plan",
                "-f",
                routes.to_str().unwrap(),
                "--prune",
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("apply --plan"), "{}", run.stderr);
        out
    }

    async fn apply_plan(sandbox: &Sandbox, path: &Path) -> Run {
        run_against(
            sandbox,
            &["apply", "--plan", path.to_str().unwrap(), "--yes"],
        )
        .await
    }

    fn read(path: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_saved_plan_matches_its_schema_and_applies_exactly_its_changes() {
        let sandbox = documented().await;
        let path = saved_plan(&sandbox, "exact").await;

        let plan = read(&path);
        let schema_path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/plan-file.schema.json");
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).expect("the schema builds");
        let errors: Vec<String> = validator
            .iter_errors(&plan)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{plan:#}");
        assert_eq!(plan["formatVersion"], 1);
        assert_eq!(
            plan["routesFile"]["sha256"].as_str().unwrap().len(),
            64,
            "a SHA-256 of the routes file"
        );
        let kinds: Vec<&str> = plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["modify", "create", "delete"]);
        let modify = &plan["changes"][0];
        assert_eq!(modify["before"]["id"], "1127986019188238339");
        assert_eq!(modify["before"]["skillQueue"], 1);
        assert!(modify["before"]["deviceName"].is_string(), "{modify:#}");
        assert_eq!(modify["after"]["ivr"], 7);

        let run = apply_plan(&sandbox, &path).await;
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("Saved plan"), "{}", run.stdout);
        assert!(
            run.stdout.contains("Apply: 3 of 3 changes applied."),
            "{}",
            run.stdout
        );
        let routes = scratch_file("exact-check.yaml", ROUTES);
        let again = run_against(
            &sandbox,
            &[
                "plan",
                "-f",
                routes.to_str().unwrap(),
                "--prune",
                "--detailed-exitcode",
            ],
        )
        .await;
        assert_eq!(again.code, 0, "{}", again.stdout);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_touched_route_changed_behind_the_plans_back_refuses_it_and_changes_nothing() {
        let sandbox = documented().await;
        let path = saved_plan(&sandbox, "stale").await;
        // ext 1, which the plan modifies, is re-pointed meanwhile.
        let client = sandbox.client_builder().build().unwrap();
        let live = client
            .routes_of_access_codes(&["9911411".to_owned()])
            .await
            .unwrap();
        let ext1 = live
            .iter()
            .find(|r| r.ext_code.as_deref() == Some("1"))
            .unwrap();
        client
            .modify_called_route(&RouteChange::new(ext1, Device::Ivr(8)).unwrap())
            .await
            .unwrap();
        let before = sandbox.routes();
        let writes = || {
            sandbox.requests(Operation::CreateCalledRoute)
                + sandbox.requests(Operation::ModifyCalledRoute)
                + sandbox.requests(Operation::DeleteCalledRoute)
        };
        let writes_before = writes();

        let run = apply_plan(&sandbox, &path).await;

        assert_eq!(run.code, 13, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(
                "modify 9911411 ext 1: planned against skill queue 1 (dnid 2), now IVR flow 8 (dnid 2)"
            ),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
        assert_eq!(sandbox.routes(), before);
        assert_eq!(writes(), writes_before, "no write was sent");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn routes_the_plan_does_not_touch_may_change() {
        let sandbox = documented().await;
        let path = saved_plan(&sandbox, "untouched").await;
        // The route without an extension code is unchanged by the plan; a
        // route under another access code is not the plan's either.
        let client = sandbox.client_builder().build().unwrap();
        let live = client
            .routes_of_access_codes(&["9911411".to_owned()])
            .await
            .unwrap();
        let bare = live.iter().find(|r| r.ext_code.is_none()).unwrap();
        client
            .modify_called_route(&RouteChange::new(bare, Device::Ivr(7)).unwrap())
            .await
            .unwrap();
        client
            .create_called_route(&super::route(
                "9911412",
                None,
                Device::SkillQueue(3),
                Some(cec_routes::MediaType::Multimedia),
            ))
            .await
            .unwrap();

        let run = apply_plan(&sandbox, &path).await;

        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("3 of 3 changes applied"),
            "{}",
            run.stdout
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_edited_or_foreign_plan_file_is_refused_with_a_clear_error() {
        let sandbox = documented().await;
        let path = saved_plan(&sandbox, "edited").await;
        let plan = read(&path);
        let write = |name: &str, json: &Value| {
            let path = scratch_dir("plans").join(name);
            std::fs::write(&path, json.to_string()).unwrap();
            path
        };

        let mut edited = plan.clone();
        edited["changes"][0]["after"]["ivr"] = 8.into();
        let mut newer = plan.clone();
        newer["formatVersion"] = 2.into();
        let mut shape = plan.clone();
        shape["changes"][0]["after"]["queue"] = 1.into();
        for (file, json, says) in [
            ("edited.json", &edited, "checksum does not match"),
            (
                "newer.json",
                &newer,
                "format version 2; this cec-routes reads version 1",
            ),
            (
                "shape.json",
                &shape,
                "not a cec-routes plan file: unknown field `queue`",
            ),
        ] {
            let run = apply_plan(&sandbox, &write(file, json)).await;
            assert_eq!(run.code, 3, "{file}: {}", run.stderr);
            assert!(run.stderr.contains(says), "{file}: {}", run.stderr);
        }
        assert_eq!(
            sandbox.requests(Operation::ModifyCalledRoute)
                + sandbox.requests(Operation::CreateCalledRoute),
            0
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn plan_output_markdown_is_fit_for_a_pull_request_comment() {
        let sandbox = documented().await;
        let routes = scratch_file("markdown.yaml", ROUTES);
        let run = run_against(
            &sandbox,
            &[
                "plan",
                "-f",
                routes.to_str().unwrap(),
                "--prune",
                "--output",
                "markdown",
            ],
        )
        .await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = run.stdout.replace(routes.to_str().unwrap(), "routes.yaml");
        insta::assert_snapshot!(text, @r"
        ### cec-routes plan for `routes.yaml`

        **1 to create, 1 to modify, 0 to replace, 1 to delete**; 1 unchanged.

        | | change | route | now | after |
        |---|---|---|---|---|
        | `~` | modify | 9911411 ext 1 | skill queue 1 (defaultVideoSkill) | IVR flow 7 (video) |
        | `+` | create | 9911411 ext 2 | — | IVR flow 8 |
        | `-` | delete | 9911411 ext 11 | skill queue 1 (defaultVideoSkill) | — |
        ");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_saved_plan_applied_in_part_says_to_plan_again_not_to_apply_it_again() {
        let sandbox = documented().await;
        let path = saved_plan(&sandbox, "in-part").await;
        sandbox.fail_request(
            Operation::CreateCalledRoute,
            1,
            cec_routes_sandbox::Fault::Status(500),
        );
        let run = apply_plan(&sandbox, &path).await;
        assert_eq!(run.code, 9, "not every change was applied: {}", run.stderr);
        assert!(
            run.stderr
                .contains("make a new plan (plan --out) and apply it"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("run apply again"), "{}", run.stderr);
        // And the advice holds: the same saved plan is now refused as stale.
        assert_eq!(apply_plan(&sandbox, &path).await.code, 13);
    }
}

mod guard {
    //! The blast-radius guard, in plan and apply alike.

    use cec_routes::plan::ApplyOptions;
    use cec_routes_sandbox::{Operation, Sandbox};

    use super::super::{
        routing_as_code::{apply, everything, file_of, nth, plan},
        support::{run_against, scratch_file},
    };

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_that_prunes_40_percent_of_50_routes_is_refused_unless_forced() {
        let sandbox = Sandbox::start().await.unwrap();
        let client = sandbox.client_builder().build().unwrap();
        let fifty = file_of((0..50).map(nth));
        let report = apply(
            &client,
            &plan(&client, &fifty, everything()).await,
            ApplyOptions::new(),
        )
        .await;
        assert!(report.all_applied());
        // Keep 30 of the 50, under the same access code: 20 pruned.
        let path = scratch_file("guard.yaml", &file_of((0..30).map(nth)).to_yaml());
        let file = path.to_str().unwrap();

        let plan_args = ["plan", "-f", file, "--prune"];
        let apply_args = ["apply", "-f", file, "--prune", "--yes"];
        for args in [&plan_args[..], &apply_args[..]] {
            let command = args[0];
            let run = run_against(&sandbox, args).await;
            assert_eq!(run.code, 14, "{command}: {}{}", run.stdout, run.stderr);
            assert!(
                run.stderr.contains(
                    "the plan deletes or replaces 20 of the 50 routes it manages (40%), more than \
                     --max-change 30%"
                ),
                "{command}: {}",
                run.stderr
            );
        }
        assert_eq!(sandbox.requests(Operation::DeleteCalledRoute), 0);
        assert_eq!(sandbox.routes().len(), 50);

        let higher = run_against(
            &sandbox,
            &["plan", "-f", file, "--prune", "--max-change", "50%"],
        )
        .await;
        assert_eq!(higher.code, 0, "{}", higher.stderr);

        let forced = run_against(
            &sandbox,
            &["apply", "-f", file, "--prune", "--yes", "--force"],
        )
        .await;
        assert_eq!(forced.code, 0, "{}{}", forced.stdout, forced.stderr);
        assert_eq!(sandbox.routes().len(), 30);
    }
}

pub(crate) mod interrupts {
    //! Ctrl-C during apply: nothing new starts, the report says what
    //! became of everything, and the next apply converges.

    use std::{
        process::{Command, Stdio},
        time::Duration,
    };

    use cec_routes_sandbox::{Operation, Sandbox};
    use serde_json::Value;

    use super::super::{
        routing_as_code::{expected, file_of, held, nth},
        support::{Run, run_against, sandbox_env, scratch_dir, scratch_file},
    };

    /// What an interrupted apply of `n` creates gave, and the sandbox's
    /// create count when the signal was sent.
    pub(crate) struct Interrupted {
        pub run: Run,
        pub sandbox: Sandbox,
        pub file: std::path::PathBuf,
        pub creates_at_signal: usize,
    }

    /// Applies `n` routes with `--parallel parallel` against a slow
    /// sandbox, and sends SIGINT once `after` creates have arrived.
    pub(crate) async fn interrupted_apply(n: usize, parallel: usize, after: usize) -> Interrupted {
        let sandbox = Sandbox::builder()
            .latency(Duration::from_millis(40))
            .start()
            .await
            .unwrap();
        let file = scratch_file(
            &format!("interrupt-{n}.yaml"),
            &file_of((0..n).map(nth)).to_yaml(),
        );
        let parallel = parallel.to_string();
        let child = Command::new(assert_cmd::cargo::cargo_bin!("cec-routes"))
            .args([
                "apply",
                "-f",
                file.to_str().unwrap(),
                "--yes",
                "--parallel",
                &parallel,
                "-o",
                "json",
            ])
            .env_clear()
            .envs(sandbox_env(&sandbox))
            .env("XDG_CONFIG_HOME", scratch_dir("no-config"))
            .env("HOME", scratch_dir("no-home"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        while sandbox.requests(Operation::CreateCalledRoute) < after {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let creates_at_signal = sandbox.requests(Operation::CreateCalledRoute);
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(kill.success());
        let output =
            tokio::task::spawn_blocking(move || child.wait_with_output().expect("the binary ends"))
                .await
                .unwrap();
        Interrupted {
            run: Run {
                code: output.status.code().expect("an exit code, not a signal"),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            },
            sandbox,
            file,
            creates_at_signal,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_first_ctrl_c_starts_nothing_new_reports_everything_and_exits_130() {
        let Interrupted {
            run,
            sandbox,
            file,
            creates_at_signal,
        } = interrupted_apply(200, 2, 20).await;

        assert_eq!(run.code, 130, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("interrupted: starting nothing new"),
            "{}",
            run.stderr
        );
        let json: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
        let summary = &json["summary"];
        assert_eq!(summary["interrupted"], true);
        let creates = sandbox.requests(Operation::CreateCalledRoute);
        assert!(
            creates <= creates_at_signal + 2,
            "only the requests in flight went on: {creates_at_signal} at the signal, {creates} at the end"
        );
        assert_eq!(summary["applied"], creates, "{summary}");
        assert_eq!(summary["skipped"], 200 - creates, "{summary}");
        assert_eq!(summary["failed"], 0);
        assert_eq!(summary["unknown"], 0);
        assert_eq!(sandbox.routes().len(), creates);
        assert!(run.stderr.contains("not started"), "{}", run.stderr);

        let again = run_against(&sandbox, &["apply", "-f", file.to_str().unwrap(), "--yes"]).await;
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert!(
            again
                .stdout
                .contains(&format!("Plan: {} to create", 200 - creates)),
            "{}",
            again.stdout
        );
        assert_eq!(
            held(&sandbox),
            expected(&(0..200).map(nth).collect::<Vec<_>>()),
            "every route once, no duplicate"
        );
    }
}
