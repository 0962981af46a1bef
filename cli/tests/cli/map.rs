//! `cec-routes map`: the documented examples drawn, live and from a file.

use cec_routes_sandbox::{Sandbox, Seed};

use crate::support::{run_against, scratch_file};

async fn documented_sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .expect("the sandbox starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_draws_the_documented_routes_as_mermaid() {
    let sandbox = documented_sandbox().await;

    let run = run_against(&sandbox, &["map"]).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_draws_the_documented_routes_as_dot() {
    let sandbox = documented_sandbox().await;

    let run = run_against(
        &sandbox,
        &["map", "--format", "dot", "--access-code", "9911411"],
    )
    .await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_draws_a_routes_file_without_sending_anything() {
    let sandbox = documented_sandbox().await;
    let file = scratch_file(
        "map_file.yaml",
        "routes:\n  - accessCode: \"9911411\"\n    extCode: \"11\"\n    skillQueue: defaultVideoSkill\n  - accessCode: \"9911411\"\n    ivr: 7\n  - accessCode: \"9911412\"\n    skillQueue: 3\n    mediaType: multimedia\n",
    );

    let run = run_against(&sandbox, &["map", "-f", file.to_str().unwrap()]).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(sandbox.token_requests(), 0, "nothing was sent");
    insta::assert_snapshot!(run.stdout);
}
