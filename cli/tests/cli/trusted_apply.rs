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
    async fn an_unrouted_number_exits_10_and_prints_the_command_that_restores_it() {
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

        assert_eq!(run.code, 10, "{}{}", run.stdout, run.stderr);
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
