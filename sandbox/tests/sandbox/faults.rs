//! Faults on demand (the feature `faults`): the sandbox fails the request a
//! test picked with any [`Fault`] of the one vocabulary it shares with the
//! [`FaultServer`], before or after carrying it out, and counts requests.
//!
//! Run with `cargo test -p cec-routes-sandbox --features faults --test sandbox faults::`.

use std::time::Duration;

use cec_routes::{
    CalledRoute, Client, Device, Error, RetryPolicy, RouteFilter,
    config::DEFAULT_MAX_RESPONSE_BYTES,
};
use cec_routes_sandbox::{Fault, FaultServer, Framing, Operation, Sandbox};
use secrecy::ExposeSecret;

/// The client's timeout against faults that answer nothing.
const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
/// A test that hangs fails instead.
const GUARD: Duration = Duration::from_secs(30);

/// 9911411 → IVR flow 7: valid on the default seed.
fn route(ext: &str) -> CalledRoute {
    CalledRoute::new("9911411", Device::Ivr(7))
        .and_then(|route| route.with_ext_code(ext))
        .expect("a valid route")
}

/// A client that sends each request once: each fault is met once.
fn client(sandbox: &Sandbox) -> Client {
    sandbox
        .client_builder()
        .timeout(SHORT_TIMEOUT)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client for the sandbox")
}

/// A sandbox whose next create suffers `fault`, and a client with a token
/// already (so the token request is not what fails).
async fn failing_next_create(fault: Fault) -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = client(&sandbox);
    client.access_token().await.expect("a token");
    sandbox.fail_request(Operation::CreateCalledRoute, 1, fault);
    (sandbox, client)
}

async fn create(client: &Client, ext: &str) -> Result<(), Error> {
    tokio::time::timeout(GUARD, client.create_called_route(&route(ext)))
        .await
        .expect("the client gives up in time")
        .map(drop)
}

/// An error's variant, status and `returnCode`: what a caller can tell apart.
fn kind(error: &Error) -> String {
    let debug = format!("{error:?}");
    let variant = debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned();
    format!(
        "{variant} status {:?} returnCode {:?}",
        error.status(),
        error.return_code()
    )
}

#[tokio::test]
async fn a_status_fault_answers_that_status_and_creates_nothing() {
    let (sandbox, client) = failing_next_create(Fault::Status(500)).await;

    let error = create(&client, "1").await.unwrap_err();

    assert_eq!(error.status(), Some(500), "{error:?}");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn a_return_code_fault_is_a_business_failure_and_creates_nothing() {
    let (sandbox, client) = failing_next_create(Fault::ReturnCode("E-42".into())).await;

    let error = create(&client, "1").await.unwrap_err();

    assert_eq!(error.return_code(), Some("E-42"), "{error:?}");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn a_timeout_fault_answers_nothing_until_the_client_gives_up() {
    let (sandbox, client) = failing_next_create(Fault::Timeout).await;

    let error = create(&client, "1").await.unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn a_timeout_after_the_headers_sends_the_head_and_leaves_the_client_waiting_for_the_body() {
    let (sandbox, client) = failing_next_create(Fault::TimeoutAfterHeaders).await;
    let token = client.access_token().await.expect("a token");

    let response = reqwest::Client::new()
        .post(format!(
            "{}/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute",
            sandbox.base_url()
        ))
        .header(
            "Authorization",
            format!("Bearer {}", token.secret().expose_secret()),
        )
        .json(&serde_json::json!({"accessCode": "9911411", "devicetype": 3, "deviceId": 7}))
        .send()
        .await
        .expect("the head arrives");
    let status = response.status();
    let announced = response.content_length();
    let body = tokio::time::timeout(SHORT_TIMEOUT, response.bytes()).await;

    assert_eq!((status.as_u16(), announced), (200, Some(100)));
    assert!(body.is_err(), "the body never comes: {body:?}");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn closing_before_the_response_is_a_transport_error_and_the_next_request_is_served() {
    let (sandbox, client) = failing_next_create(Fault::CloseBeforeResponse).await;

    let error = create(&client, "1").await.unwrap_err();
    create(&client, "2")
        .await
        .expect("the next create is served");

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.may_have_reached_server());
    assert_eq!(sandbox.routes().len(), 1, "only the second create");
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 2);
}

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error() {
    let (sandbox, client) = failing_next_create(Fault::ResetMidBody).await;

    let error = create(&client, "1").await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn a_body_cut_short_of_its_content_length_is_a_transport_error() {
    let (sandbox, client) = failing_next_create(Fault::ShortBody).await;

    let error = create(&client, "1").await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn an_html_answer_is_a_decode_error_quoting_it() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let (sandbox, client) = failing_next_create(Fault::body(200, "text/html", html)).await;

    let error = create(&client, "1").await.unwrap_err();

    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.to_string().contains("<html>"), "{error}");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn a_chunked_answer_is_read_like_any_other() {
    let body = r#"{"returnCode":"0","description":"data create success"}"#;
    let (sandbox, client) = failing_next_create(Fault::RespondChunked {
        status: 200,
        body: body.into(),
    })
    .await;

    create(&client, "1")
        .await
        .expect("the injected success is read");

    assert!(sandbox.routes().is_empty(), "injected: nothing was done");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let (_sandbox, client) = failing_next_create(Fault::Redirect {
        location: "http://127.0.0.1:9/elsewhere".into(),
    })
    .await;

    let error = create(&client, "1").await.unwrap_err();

    assert!(
        matches!(error, Error::UnexpectedStatus { status: 302, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_huge_answer_stops_at_the_clients_limit_whatever_its_framing() {
    for framing in [Framing::ContentLength, Framing::Chunked] {
        let (_sandbox, client) = failing_next_create(Fault::Huge {
            status: 200,
            len: 20_000_000,
            framing,
        })
        .await;

        let error = create(&client, "1").await.unwrap_err();

        assert!(
            matches!(error, Error::ResponseTooLarge { limit, .. } if limit == DEFAULT_MAX_RESPONSE_BYTES),
            "{framing:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_status_after_commit_answers_that_status_but_the_route_is_created() {
    let (sandbox, client) = failing_next_create(Fault::StatusAfterCommit(503)).await;

    let error = create(&client, "1").await.unwrap_err();

    assert_eq!(error.status(), Some(503), "{error:?}");
    assert_eq!(sandbox.routes().len(), 1);
}

#[tokio::test]
async fn a_timeout_after_commit_answers_nothing_but_the_route_is_created() {
    let (sandbox, client) = failing_next_create(Fault::TimeoutAfterCommit).await;

    let error = create(&client, "1").await.unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(sandbox.routes().len(), 1);
}

#[tokio::test]
async fn a_drop_after_commit_breaks_the_answer_but_the_route_is_created() {
    let (sandbox, client) = failing_next_create(Fault::DropAfterCommit).await;

    let error = create(&client, "1").await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(sandbox.routes().len(), 1);
}

#[tokio::test]
async fn only_the_nth_request_of_the_operation_fails() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = client(&sandbox);
    sandbox.fail_request(Operation::CreateCalledRoute, 2, Fault::Status(500));

    let outcomes = [
        create(&client, "1").await.is_ok(),
        create(&client, "2").await.is_ok(),
        create(&client, "3").await.is_ok(),
    ];
    client
        .called_routes(&RouteFilter::new())
        .await
        .expect("another operation is not failed");

    assert_eq!(outcomes, [true, false, true]);
    assert_eq!(sandbox.routes().len(), 2);
}

#[tokio::test]
async fn requests_are_counted_per_operation_whatever_their_outcome() {
    let (sandbox, client) = failing_next_create(Fault::Status(500)).await;

    let _ = create(&client, "1").await;
    create(&client, "2").await.expect("created");
    client
        .called_routes(&RouteFilter::new())
        .await
        .expect("listed");

    assert_eq!(sandbox.requests(Operation::TokenByAkSk), 1);
    assert_eq!(sandbox.requests(Operation::CreateCalledRoute), 2);
    assert_eq!(sandbox.requests(Operation::QueryCalledRoute), 1);
    assert_eq!(sandbox.requests(Operation::DeleteCalledRoute), 0);
}

#[tokio::test]
async fn the_sandbox_and_the_fault_server_give_the_client_the_same_error_for_each_fault() {
    let faults = [
        Fault::Status(500),
        Fault::ReturnCode("E-1".into()),
        Fault::body(200, "text/html", "<html>oops</html>"),
        Fault::json(200, r#"{"returnCode":"0","descr"#),
        Fault::body(429, "text/plain", "slow down"),
        Fault::Redirect {
            location: "http://127.0.0.1:9/".into(),
        },
        Fault::Timeout,
        Fault::TimeoutAfterHeaders,
        Fault::CloseBeforeResponse,
        Fault::ResetMidBody,
        Fault::ShortBody,
        Fault::Huge {
            status: 502,
            len: 2_000_000,
            framing: Framing::Chunked,
        },
    ];
    let mut disagreements = Vec::new();
    for fault in faults {
        let (_sandbox, sandbox_client) = failing_next_create(fault.clone()).await;
        let by_sandbox = create(&sandbox_client, "1").await.unwrap_err();
        let server = FaultServer::start(fault.clone())
            .await
            .expect("a loopback port is free");
        let server_client = Client::builder()
            .base_url(server.uri())
            .token("t0k")
            .timeout(SHORT_TIMEOUT)
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("a client for the fault server");
        let by_server = create(&server_client, "1").await.unwrap_err();
        if kind(&by_sandbox) != kind(&by_server) {
            disagreements.push(format!(
                "{fault:?}: sandbox {by_sandbox:?}, fault server {by_server:?}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// A raw POST of `{}` to `path` with `client`'s token: status and JSON body.
async fn post_empty_object(
    sandbox: &Sandbox,
    client: &Client,
    path: &str,
) -> (u16, serde_json::Value) {
    let token = client.access_token().await.expect("a token");
    let response = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.base_url()))
        .header(
            "Authorization",
            format!("Bearer {}", token.secret().expose_secret()),
        )
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("the sandbox answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn faults_reach_the_lookups_each_in_its_own_envelope() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = client(&sandbox);
    sandbox.fail_request(Operation::QuerySkills, 1, Fault::Status(500));
    sandbox.fail_request(
        Operation::QueryIvrFlowList,
        1,
        Fault::ReturnCode("E-42".into()),
    );

    let skills = post_empty_object(
        &sandbox,
        &client,
        "/apiaccess/rest/cc-management/v1/skill/querySkills",
    )
    .await;
    let flows = post_empty_object(
        &sandbox,
        &client,
        "/apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList",
    )
    .await;

    assert_eq!(skills.0, 500);
    assert_eq!(skills.1["returnCode"], "SANDBOX-FAULT-500");
    assert_eq!(flows.0, 200);
    assert_eq!(
        flows.1,
        serde_json::json!({"retCode": "E-42", "message": "a fault the sandbox was told to inject"})
    );
    assert_eq!(sandbox.requests(Operation::QuerySkills), 1);
    assert_eq!(sandbox.requests(Operation::QueryIvrFlowList), 1);
}
