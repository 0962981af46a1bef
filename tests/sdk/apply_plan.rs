//! Routing as code against the sandbox, at the SDK's level: every path of
//! `Client::apply_plan` (units, the checks before a replace, the restore,
//! the read-backs, fail-fast, cancellation) and `Client::plan_drift`.

use std::time::Duration;

use cec_routes::{
    CalledRoute, Client, Device, MediaType, Route,
    plan::{
        ApplyOptions, ApplyReport, BlastRadius, CancellationToken, Change, ChangeKind, Outcome,
        Plan, PlanOptions, RoutesFile, SavedPlan,
    },
};
use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};

fn route(ext: &str, device: Device, media: Option<MediaType>) -> CalledRoute {
    let route = CalledRoute::new("9911411", device)
        .unwrap()
        .with_ext_code(ext)
        .unwrap();
    match media {
        Some(media) => route.with_media_type(media).unwrap(),
        None => route,
    }
}

/// A sandbox holding these routes of 9911411 (ext, device, media).
async fn holding(routes: &[(&str, Device, Option<u8>)]) -> (Sandbox, Client) {
    let mut seed: serde_json::Value = serde_json::from_str(&Seed::default().to_json()).unwrap();
    seed["routes"] = routes
        .iter()
        .map(|(ext, device, media)| {
            let mut r = serde_json::json!({
                "accessCode": "9911411",
                "extCode": ext,
                "devicetype": device.device_type(),
                "deviceId": device.id(),
            });
            if let Some(media) = media {
                r["mediaTypeId"] = (*media).into();
            }
            r
        })
        .collect();
    let sandbox = Sandbox::builder()
        .seed(Seed::from_json_str(&seed.to_string()).unwrap())
        .start()
        .await
        .unwrap();
    let client = sandbox
        .client_builder()
        .timeout(Duration::from_millis(1500))
        .build()
        .unwrap();
    (sandbox, client)
}

async fn plan_for(client: &Client, routes: &[CalledRoute]) -> Plan {
    let file = RoutesFile::from_routes(routes.iter().cloned()).unwrap();
    client
        .plan_routes(&file, PlanOptions::new().prune(true).allow_replace(true))
        .await
        .unwrap()
}

async fn apply(client: &Client, plan: &Plan) -> ApplyReport {
    client.apply_plan(plan, ApplyOptions::new(), |_| {}).await
}

/// The sandbox's routes as (ext, device, media).
fn held(sandbox: &Sandbox) -> Vec<(String, Device, MediaType)> {
    let mut routes: Vec<_> = sandbox
        .routes()
        .into_iter()
        .map(|r| {
            (
                r.ext_code.unwrap_or_default(),
                r.device,
                r.media_type.unwrap_or(MediaType::VoiceAndVideo),
            )
        })
        .collect();
    routes.sort_by(|a, b| a.0.cmp(&b.0));
    routes
}

fn one(ext: &str, device: Device, media: MediaType) -> Vec<(String, Device, MediaType)> {
    vec![(ext.to_owned(), device, media)]
}

const IVR7: Device = Device::Ivr(7);
const IVR8: Device = Device::Ivr(8);

/// ext 1 → IVR 7 (voice and video), to become IVR 7 video: a replace.
async fn replace_setup() -> (Sandbox, Client, Plan) {
    let (sandbox, client) = holding(&[("1", IVR7, None)]).await;
    let plan = plan_for(&client, &[route("1", IVR7, Some(MediaType::Video))]).await;
    assert_eq!(plan.changes[0].kind(), ChangeKind::Replace);
    (sandbox, client, plan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_modifies_and_deletes_are_applied_and_reported_in_plan_order() {
    let (sandbox, client) = holding(&[("1", IVR7, None), ("2", IVR7, None)]).await;
    let plan = plan_for(&client, &[route("1", IVR8, None), route("3", IVR7, None)]).await;
    let kinds: Vec<ChangeKind> = plan.changes.iter().map(Change::kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::Modify, ChangeKind::Delete, ChangeKind::Create]
    );
    let mut seen = Vec::new();
    let report = client
        .apply_plan(&plan, ApplyOptions::new().parallel(1), |r| {
            seen.push(r.change.kind())
        })
        .await;
    assert!(report.all_applied(), "{report:#?}");
    assert_eq!(seen, kinds, "each reported as it ends");
    assert!(!report.read_back && !report.interrupted);
    assert!(report.results.iter().all(|r| r.restore.is_none()));
    assert_eq!(
        held(&sandbox),
        [
            ("1".to_owned(), IVR8, MediaType::VoiceAndVideo),
            ("3".to_owned(), IVR7, MediaType::VoiceAndVideo)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replace_deletes_then_creates() {
    let (sandbox, client, plan) = replace_setup().await;
    let report = apply(&client, &plan).await;
    assert!(report.all_applied(), "{report:#?}");
    assert!(report.results[0].restore.is_none());
    assert_eq!(
        sandbox.requests(Operation::QueryAccessCodeList),
        1,
        "checked first"
    );
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::Video));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_create_of_a_replace_restores_the_old_route() {
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    let report = apply(&client, &plan).await;
    let result = &report.results[0];
    assert!(
        matches!(&result.outcome, Outcome::Failed { error, read_back: false } if error.return_code() == Some("E-1")),
        "{result:#?}"
    );
    assert!(result.restore.as_ref().unwrap().restored());
    assert_eq!(report.unrouted().count(), 0);
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::VoiceAndVideo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_restore_leaves_the_route_named_in_the_report() {
    let (sandbox, client, plan) = replace_setup().await;
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
    let queries = sandbox.requests(Operation::QueryCalledRoute);
    let report = apply(&client, &plan).await;
    assert_eq!(
        sandbox.requests(Operation::QueryCalledRoute),
        queries,
        "a refusal is not read back"
    );
    let unrouted: Vec<_> = report.unrouted().collect();
    assert_eq!(unrouted.len(), 1);
    assert_eq!(unrouted[0].route, route("1", IVR7, None));
    assert_eq!(
        unrouted[0].error.as_ref().unwrap().return_code(),
        Some("E-2")
    );
    assert!(sandbox.routes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_whose_answer_is_lost_is_read_back() {
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    sandbox.fail_request(Operation::CreateCalledRoute, 2, Fault::DropAfterCommit);
    let report = apply(&client, &plan).await;
    assert!(report.results[0].restore.as_ref().unwrap().restored());
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::VoiceAndVideo));

    // Lost before it was carried out: read back, and not there.
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode("E-1".into()),
    );
    sandbox.fail_request(Operation::CreateCalledRoute, 2, Fault::Status(500));
    let report = apply(&client, &plan).await;
    assert_eq!(report.unrouted().count(), 1);
    assert!(sandbox.routes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_is_lost_is_read_back_at_once() {
    // Carried out: applied, nothing restored.
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::StatusAfterCommit(500),
    );
    let report = apply(&client, &plan).await;
    assert!(
        matches!(
            report.results[0].outcome,
            Outcome::Applied { read_back: true }
        ),
        "{report:#?}"
    );
    assert!(report.results[0].restore.is_none());
    assert!(report.results[0].note.is_none());
    assert!(!report.read_back, "settled at once, not after the run");
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 1);
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::Video));

    // Not carried out: the old route is put back.
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::Status(500));
    let report = apply(&client, &plan).await;
    assert!(
        matches!(
            report.results[0].outcome,
            Outcome::Failed {
                read_back: true,
                ..
            }
        ),
        "{report:#?}"
    );
    assert!(report.results[0].restore.as_ref().unwrap().restored());
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::VoiceAndVideo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_is_lost_and_cannot_be_read_back_names_the_route() {
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::Status(500));
    // The read-back after the create, and the one after the run.
    sandbox.fail_request(Operation::QueryCalledRoute, 1, Fault::Status(500));
    sandbox.fail_request(Operation::QueryCalledRoute, 2, Fault::Status(500));
    let report = apply(&client, &plan).await;
    let result = &report.results[0];
    assert!(
        matches!(result.outcome, Outcome::Unknown { .. }),
        "{result:#?}"
    );
    assert!(!report.read_back);
    let restore = result
        .restore
        .as_ref()
        .expect("the route to restore is named");
    assert_eq!(restore.route, route("1", IVR7, None));
    assert!(result.note.as_deref().unwrap().contains(&restore.command()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_whose_answer_is_lost_is_read_back_before_the_create() {
    // Carried out: the replace goes on.
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(Operation::DeleteCalledRoute, 1, Fault::DropAfterCommit);
    let report = apply(&client, &plan).await;
    assert!(report.all_applied(), "{report:#?}");
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::Video));

    // Not carried out: nothing else is sent.
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(Operation::DeleteCalledRoute, 1, Fault::Status(500));
    let report = apply(&client, &plan).await;
    assert!(
        matches!(
            report.results[0].outcome,
            Outcome::Failed {
                read_back: true,
                ..
            }
        ),
        "{report:#?}"
    );
    assert!(!report.read_back, "settled at once, not after the run");
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 0);
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::VoiceAndVideo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_whose_answer_is_lost_and_cannot_be_read_back_stays_unknown() {
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(Operation::DeleteCalledRoute, 1, Fault::DropAfterCommit);
    sandbox.fail_request(Operation::QueryCalledRoute, 1, Fault::Status(500));
    let report = apply(&client, &plan).await;
    // Read back after the run: the old route is gone and the new one was
    // never sent, so the old one is put back.
    let result = &report.results[0];
    assert!(report.read_back);
    assert!(
        matches!(
            result.outcome,
            Outcome::Failed {
                read_back: true,
                ..
            }
        ),
        "{result:#?}"
    );
    assert!(result.restore.as_ref().unwrap().restored());
    assert_eq!(
        sandbox.requests(Operation::CreateCalledRoute),
        1,
        "only the restore"
    );
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::VoiceAndVideo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_delete_of_a_replace_creates_nothing() {
    let (sandbox, client, plan) = replace_setup().await;
    sandbox.fail_request(
        Operation::DeleteCalledRoute,
        1,
        Fault::ReturnCode("E-5".into()),
    );
    let report = apply(&client, &plan).await;
    assert!(matches!(
        report.results[0].outcome,
        Outcome::Failed {
            read_back: false,
            ..
        }
    ));
    assert!(report.results[0].restore.is_none());
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replace_is_checked_before_anything_is_sent() {
    // A media type the access code does not take.
    let (sandbox, client) = holding(&[("1", IVR7, None)]).await;
    let plan = plan_for(
        &client,
        &[route(
            "1",
            Device::SkillQueue(3),
            Some(MediaType::Multimedia),
        )],
    )
    .await;
    let report = apply(&client, &plan).await;
    assert!(
        report.results[0]
            .outcome
            .error()
            .unwrap()
            .to_string()
            .contains("does not take multimedia")
    );
    // The check cannot be made: nothing is deleted either.
    let (sandbox2, client2, plan2) = replace_setup().await;
    // A 500 is final (a 503 would be retried).
    sandbox2.fail_request(Operation::QueryAccessCodeList, 1, Fault::Status(500));
    let report2 = apply(&client2, &plan2).await;
    assert!(
        matches!(
            report2.results[0].outcome,
            Outcome::Failed {
                read_back: false,
                ..
            }
        ),
        "a failed check is no unknown outcome: {report2:#?}"
    );
    assert!(!report2.read_back);
    for s in [&sandbox, &sandbox2] {
        assert_eq!(s.requests(Operation::DeleteCalledRoute), 0);
        assert_eq!(held(s), one("1", IVR7, MediaType::VoiceAndVideo));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replace_under_an_access_code_the_tenant_lacks_deletes_nothing() {
    let (sandbox, client) = holding(&[]).await;
    let mut live = Route::new("9911499", IVR7);
    live.ext_code = Some("1".into());
    live.dnid = Some(1);
    let mut plan = Plan::default();
    plan.changes = vec![Change::Replace {
        live,
        route: CalledRoute::new("9911499", IVR7)
            .unwrap()
            .with_ext_code("1")
            .unwrap()
            .with_media_type(MediaType::Video)
            .unwrap(),
    }];
    let report = apply(&client, &plan).await;
    assert!(
        report.results[0]
            .outcome
            .error()
            .unwrap()
            .to_string()
            .contains("not one of the tenant's access codes")
    );
    assert_eq!(sandbox.requests(Operation::DeleteCalledRoute), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replace_of_an_undescribable_route_is_not_attempted() {
    let (sandbox, client) = holding(&[]).await;
    let mut live = Route::new("9911411", IVR7);
    live.ext_code = Some("1".into());
    live.dnid = Some(1);
    live.media_type = Some(cec_routes::Listed::Unknown("77".into()));
    let mut plan = Plan::default();
    plan.changes = vec![Change::Replace {
        live,
        route: route("1", IVR7, Some(MediaType::Video)),
    }];
    let report = apply(&client, &plan).await;
    assert!(matches!(report.results[0].outcome, Outcome::Failed { .. }));
    assert_eq!(sandbox.requests(Operation::QueryAccessCodeList), 0);
    assert_eq!(sandbox.requests(Operation::DeleteCalledRoute), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_paired_with_a_create_reports_both() {
    let (sandbox, client) = holding(&[("1", IVR7, None)]).await;
    let live = client
        .routes_of_access_codes(&["9911411".to_owned()])
        .await
        .unwrap()
        .remove(0);
    let mut plan = Plan::default();
    plan.changes = vec![
        Change::Delete { live },
        Change::Create {
            route: route("1", IVR8, Some(MediaType::Video)),
        },
    ];
    let report = apply(&client, &plan).await;
    assert!(report.all_applied(), "{report:#?}");
    assert_eq!(held(&sandbox), one("1", IVR8, MediaType::Video));

    // The check refuses the create: the delete is not attempted.
    let (sandbox, client) = holding(&[("1", IVR7, None)]).await;
    let live = client
        .routes_of_access_codes(&["9911411".to_owned()])
        .await
        .unwrap()
        .remove(0);
    plan.changes = vec![
        Change::Delete { live },
        Change::Create {
            route: route("1", Device::SkillQueue(3), Some(MediaType::Multimedia)),
        },
    ];
    let report = apply(&client, &plan).await;
    assert!(matches!(report.results[0].outcome, Outcome::Failed { .. }));
    assert!(matches!(report.results[1].outcome, Outcome::Skipped));
    assert_eq!(sandbox.requests(Operation::DeleteCalledRoute), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_delete_found_gone_after_the_run_has_its_route_put_back() {
    let (sandbox, client) = holding(&[("1", IVR7, None)]).await;
    let live = client
        .routes_of_access_codes(&["9911411".to_owned()])
        .await
        .unwrap()
        .remove(0);
    let mut plan = Plan::default();
    plan.changes = vec![
        Change::Delete { live },
        Change::Create {
            route: route("1", IVR8, Some(MediaType::Video)),
        },
    ];
    // The delete's answer is lost and the read-back right after it fails:
    // the create is not sent. After the run, the number is found empty.
    sandbox.fail_request(Operation::DeleteCalledRoute, 1, Fault::DropAfterCommit);
    sandbox.fail_request(Operation::QueryCalledRoute, 1, Fault::Status(500));
    let report = apply(&client, &plan).await;
    assert!(report.read_back);
    assert!(
        matches!(
            report.results[0].outcome,
            Outcome::Applied { read_back: true }
        ),
        "{report:#?}"
    );
    assert!(matches!(report.results[1].outcome, Outcome::Skipped));
    let restore = report.results[1].restore.as_ref().expect("a restore");
    assert!(restore.restored(), "{restore:#?}");
    assert_eq!(report.unrouted().count(), 0);
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::VoiceAndVideo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_create_found_missing_after_the_run_has_the_old_route_put_back() {
    let (sandbox, client) = holding(&[("1", IVR7, None)]).await;
    let live = client
        .routes_of_access_codes(&["9911411".to_owned()])
        .await
        .unwrap()
        .remove(0);
    let mut plan = Plan::default();
    plan.changes = vec![
        Change::Delete { live },
        Change::Create {
            route: route("1", IVR8, Some(MediaType::Video)),
        },
    ];
    // The create's answer is lost and the read-back right after it fails:
    // the old route is named, not yet put back. After the run, the
    // number is found empty.
    sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::Status(500));
    sandbox.fail_request(Operation::QueryCalledRoute, 1, Fault::Status(500));
    let report = apply(&client, &plan).await;
    assert!(report.read_back);
    assert!(
        matches!(
            report.results[1].outcome,
            Outcome::Failed {
                read_back: true,
                ..
            }
        ),
        "{report:#?}"
    );
    assert!(report.results[1].restore.as_ref().unwrap().restored());
    assert_eq!(report.unrouted().count(), 0);
    assert_eq!(held(&sandbox), one("1", IVR7, MediaType::VoiceAndVideo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_are_settled_by_one_read_back_after_the_run() {
    let (sandbox, client) = holding(&[("1", IVR7, None), ("2", IVR7, None)]).await;
    let plan = plan_for(
        &client,
        &[
            route("1", IVR8, None),
            route("3", IVR7, None),
            route("4", IVR7, None),
        ],
    )
    .await;
    sandbox.fail_request(Operation::ModifyCalledRoute, 1, Fault::DropAfterCommit);
    sandbox.fail_request(
        Operation::DeleteCalledRoute,
        1,
        Fault::StatusAfterCommit(500),
    );
    sandbox.fail_request(Operation::CreateCalledRoute, 1, Fault::Status(500));
    let report = client
        .apply_plan(&plan, ApplyOptions::new().parallel(1), |r| {
            assert!(!r.outcome.is_applied() || r.change.kind() == ChangeKind::Create)
        })
        .await;
    assert!(report.read_back);
    let read: Vec<(ChangeKind, bool)> = report
        .results
        .iter()
        .map(|r| (r.change.kind(), r.outcome.is_applied()))
        .collect();
    assert_eq!(
        read,
        [
            (ChangeKind::Modify, true),
            (ChangeKind::Delete, true),
            (ChangeKind::Create, false),
            (ChangeKind::Create, true)
        ]
    );
    assert_eq!(report.unknown(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_starts_only_once_the_callback_has_seen_the_results_before_it() {
    let (sandbox, client) = holding(&[]).await;
    let routes: Vec<_> = (1..=6).map(|i| route(&i.to_string(), IVR7, None)).collect();
    let plan = plan_for(&client, &routes).await;
    let stop = CancellationToken::new();
    let report = client
        .apply_plan(
            &plan,
            ApplyOptions::new().parallel(1).cancel_on(stop.clone()),
            |_| stop.cancel(),
        )
        .await;
    assert_eq!((report.applied(), report.skipped()), (1, 5), "{report:#?}");
    assert!(report.interrupted);
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 1);
}

/// The changes run on tasks of their own; the callback stays on the
/// caller's, so it may hold what cannot cross threads, on any runtime.
#[tokio::test(flavor = "current_thread")]
async fn the_callback_runs_on_the_callers_task() {
    let (sandbox, client) = holding(&[]).await;
    let routes: Vec<_> = (1..=5).map(|i| route(&i.to_string(), IVR7, None)).collect();
    let plan = plan_for(&client, &routes).await;
    let seen = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = seen.clone();
    let report = client
        .apply_plan(&plan, ApplyOptions::new().parallel(3), move |_| {
            counter.set(counter.get() + 1);
        })
        .await;
    assert!(report.all_applied(), "{report:#?}");
    assert_eq!(seen.get(), 5);
    assert_eq!(sandbox.routes().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_fast_and_cancel_start_nothing_new() {
    let (sandbox, client) = holding(&[]).await;
    let routes: Vec<_> = (1..=6).map(|i| route(&i.to_string(), IVR7, None)).collect();
    let plan = plan_for(&client, &routes).await;
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        2,
        Fault::ReturnCode("E".into()),
    );
    let report = client
        .apply_plan(
            &plan,
            ApplyOptions::new().parallel(1).fail_fast(true),
            |_| {},
        )
        .await;
    assert_eq!(
        (report.applied(), report.failed(), report.skipped()),
        (1, 1, 4)
    );
    assert!(!report.interrupted, "fail-fast is no interrupt");

    let stop = CancellationToken::new();
    let mut started = 0;
    let report = client
        .apply_plan(
            &plan,
            ApplyOptions::new().parallel(1).cancel_on(stop.clone()),
            |r| {
                if r.outcome.is_applied() {
                    started += 1;
                    if started == 2 {
                        stop.cancel();
                    }
                }
            },
        )
        .await;
    assert!(report.interrupted);
    assert!(report.skipped() >= 1, "{report:#?}");
    assert_eq!(
        report.applied() + report.skipped(),
        6 - 1,
        "one was refused before"
    );

    // Cancelled once every change has ended: nothing was left unstarted.
    let late = CancellationToken::new();
    let mut ended = 0;
    let done = client
        .apply_plan(
            &plan,
            ApplyOptions::new().parallel(1).cancel_on(late.clone()),
            |_| {
                ended += 1;
                if ended == plan.changes.len() {
                    late.cancel();
                }
            },
        )
        .await;
    assert!(late.is_cancelled());
    assert_eq!(done.skipped(), 0);
    assert!(!done.interrupted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_round_trips_and_drift_is_found_only_where_the_plan_touches() {
    let (sandbox, client) = holding(&[
        ("1", Device::SkillQueue(1), Some(19)),
        ("2", IVR7, None),
        ("3", IVR7, None),
    ])
    .await;
    let plan = plan_for(
        &client,
        &[
            route("1", IVR7, Some(MediaType::Video)),
            route("3", IVR7, None),
            route("4", IVR8, None),
        ],
    )
    .await;
    assert_eq!(plan.managed(), 3);
    assert_eq!(BlastRadius::of(&plan).destructive, 1);
    let saved = SavedPlan::new(&plan, "routes.yaml", b"routes: []\n");
    let digest = &saved.routes_file_sha256;
    assert!(digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()));
    let read = SavedPlan::from_json(&saved.to_json()).unwrap();
    assert_eq!(read.plan.changes, plan.changes);
    assert_eq!(read.managed, 3);
    assert!(client.plan_drift(&read.plan).await.unwrap().is_empty());

    // ext 3 is not touched by the plan: changing it does not matter.
    let ext3 = client
        .routes_of_access_codes(&["9911411".to_owned()])
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.ext_code.as_deref() == Some("3"))
        .unwrap();
    client
        .modify_called_route(&cec_routes::RouteChange::new(&ext3, IVR8).unwrap())
        .await
        .unwrap();
    assert!(client.plan_drift(&read.plan).await.unwrap().is_empty());

    // ext 4 is created behind the plan's back.
    client
        .create_called_route(&route("4", IVR7, None))
        .await
        .unwrap();
    let drift = client.plan_drift(&read.plan).await.unwrap();
    assert_eq!(drift.len(), 1);
    assert_eq!(
        drift[0].to_string(),
        "create 9911411 ext 4: planned against no route, now IVR flow 7 (dnid 4)"
    );
    let _ = sandbox;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_after_every_change_started_is_not_an_interruption() {
    // A delete paired with a create: the refused delete leaves the create
    // skipped, and the token is cancelled only once both have ended.
    let (sandbox, client) = holding(&[("1", IVR7, None)]).await;
    let live = client
        .routes_of_access_codes(&["9911411".to_owned()])
        .await
        .unwrap()
        .remove(0);
    let mut plan = Plan::default();
    plan.changes = vec![
        Change::Delete { live },
        Change::Create {
            route: route("1", IVR8, Some(MediaType::Video)),
        },
    ];
    sandbox.fail_request(
        Operation::DeleteCalledRoute,
        1,
        Fault::ReturnCode("E-5".into()),
    );
    let stop = CancellationToken::new();
    let report = client
        .apply_plan(&plan, ApplyOptions::new().cancel_on(stop.clone()), |_| {
            stop.cancel()
        })
        .await;
    assert_eq!(report.skipped(), 1, "{report:#?}");
    assert!(
        !report.interrupted,
        "nothing was kept from starting: {report:#?}"
    );
}
