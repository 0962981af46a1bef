//! The retry policy: what is resent, how often, how long the client waits
//! first, and what is never resent.
//!
//! Most tests use a policy with millisecond backoffs and real time; the
//! ones about the length of a wait run in paused time against the scripted
//! server (see `common::scripted`) and read tokio's clock.

use crate::common;

use std::time::{Duration, SystemTime};

use cec_routes::{
    AccessCodeFilter, CalledRoute, Client, ClientBuilder, Device, Error, RetryPolicy, RouteChange,
    RouteFilter,
};
use cec_routes_sandbox::{Fault, FaultServer, Operation, Sandbox, Seed};
use common::{
    logs::capture_logs,
    paths::{
        CREATE_CALLED_ROUTE, DELETE_CALLED_ROUTE, MODIFY_CALLED_ROUTE, QUERY_ACCESS_CODE_LIST,
        QUERY_CALLED_ROUTE, TOKEN_BY_AK_SK,
    },
    scripted::{Answer, Scripted},
};
use tokio::time::Instant;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

/// The standard policy with backoffs of a millisecond or two.
fn quick() -> RetryPolicy {
    RetryPolicy::standard()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(4))
}

/// The standard policy with a backoff of a millisecond at first, and the
/// default longest wait for a `Retry-After` (20 s).
fn quick_but_patient() -> RetryPolicy {
    RetryPolicy::standard().initial_backoff(Duration::from_millis(1))
}

fn client_builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .token("t0k")
        .timeout(Duration::from_secs(10))
}

fn quick_client(base_url: &str) -> Client {
    client_builder(base_url)
        .retry_policy(quick())
        .build()
        .expect("a loopback base URL and a token make a valid client")
}

fn patient_client(base_url: &str) -> Client {
    client_builder(base_url)
        .retry_policy(quick_but_patient())
        .build()
        .expect("a loopback base URL and a token make a valid client")
}

fn success() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({"returnCode": "0", "description": "success"}))
}

/// The documented success of the operation at `at`: a deletion names
/// the two routes [`Op::Delete`] deletes, as CEC confirms each one.
fn success_at(at: &str) -> ResponseTemplate {
    if at == crate::common::paths::DELETE_CALLED_ROUTE {
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "returnCode": "0",
            "data": {"name": "9911411,99114111", "id": "1,2", "content": "9911411,99114111"},
            "description": "data delete success"
        }))
    } else {
        success()
    }
}

/// Mounts `path` answering `first` once, then the documented success.
async fn mount_once_then_success(server: &MockServer, at: &str, first: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .named("the failing answer")
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(success_at(at))
        .named("the success")
        .mount(server)
        .await;
}

/// How many requests `server` received at `at`.
async fn requests_to(server: &MockServer, at: &str) -> usize {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .iter()
        .filter(|r| r.url.path() == at)
        .count()
}

/// The business operations, each with a valid input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Create,
    QueryRoutes,
    QueryAccessCodes,
    Modify,
    Delete,
}

const OPERATIONS: [Op; 5] = [
    Op::Create,
    Op::QueryRoutes,
    Op::QueryAccessCodes,
    Op::Modify,
    Op::Delete,
];

impl Op {
    fn path(self) -> &'static str {
        match self {
            Op::Create => CREATE_CALLED_ROUTE,
            Op::QueryRoutes => QUERY_CALLED_ROUTE,
            Op::QueryAccessCodes => QUERY_ACCESS_CODE_LIST,
            Op::Modify => MODIFY_CALLED_ROUTE,
            Op::Delete => DELETE_CALLED_ROUTE,
        }
    }

    fn is_read(self) -> bool {
        matches!(self, Op::QueryRoutes | Op::QueryAccessCodes)
    }

    async fn run(self, client: &Client) -> Result<(), Error> {
        match self {
            Op::Create => {
                let route = CalledRoute::new("9911411", Device::SkillQueue(1))?;
                client.create_called_route(&route).await.map(drop)
            }
            Op::QueryRoutes => client
                .called_routes_page(&RouteFilter::new(), 0, 10)
                .await
                .map(drop),
            Op::QueryAccessCodes => client
                .access_codes_page(&AccessCodeFilter::new(), 0, 10)
                .await
                .map(drop),
            Op::Modify => {
                let change =
                    RouteChange::by_id("1125397061153369092".parse()?, Device::SkillQueue(2))?;
                client.modify_called_route(&change).await.map(drop)
            }
            Op::Delete => client.delete_called_routes(&[1, 2]).await.map(drop),
        }
    }
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_query_is_retried_on_each_retryable_status_and_succeeds() {
    for status in [429, 502, 503, 504] {
        for op in [Op::QueryRoutes, Op::QueryAccessCodes] {
            let server = MockServer::start().await;
            let refusal = ResponseTemplate::new(status).set_body_string("try again later");
            mount_once_then_success(&server, op.path(), refusal).await;

            let outcome = op.run(&quick_client(&server.uri())).await;

            outcome.unwrap_or_else(|e| panic!("{op:?} after {status}: {e}"));
            assert_eq!(requests_to(&server, op.path()).await, 2, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn a_query_is_retried_after_a_timeout_or_a_lost_connection_up_to_the_attempts() {
    let cases = [
        (Fault::Timeout, Duration::from_millis(300)),
        (Fault::CloseBeforeResponse, Duration::from_secs(10)),
        (Fault::ResetMidBody, Duration::from_secs(10)),
        (Fault::ShortBody, Duration::from_secs(10)),
    ];
    for (fault, timeout) in cases {
        for op in [Op::QueryRoutes, Op::QueryAccessCodes] {
            let server = FaultServer::start(fault.clone())
                .await
                .expect("a loopback port is free");
            let client = client_builder(&server.uri())
                .timeout(timeout)
                .retry_policy(quick())
                .build()
                .unwrap();

            let error = op.run(&client).await.expect_err("every attempt fails");

            assert!(
                matches!(error, Error::Timeout { .. } | Error::Transport { .. }),
                "{fault:?} {op:?}: {error:?}"
            );
            assert_eq!(
                server.requests(),
                3,
                "{fault:?} {op:?}: three attempts in all"
            );
        }
    }
}

#[tokio::test]
async fn attempts_are_bounded_by_the_policy() {
    for (policy, attempts) in [
        (quick(), 3),
        (quick().max_attempts(5), 5),
        (quick().max_attempts(1), 1),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(QUERY_CALLED_ROUTE))
            .respond_with(ResponseTemplate::new(503))
            .expect(attempts)
            .named("queryCalledRoute, always unavailable")
            .mount(&server)
            .await;
        let client = client_builder(&server.uri())
            .retry_policy(policy)
            .build()
            .unwrap();

        let error = Op::QueryRoutes.run(&client).await.expect_err("always 503");

        assert_eq!(error.status(), Some(503));
        server.verify().await;
    }
}

#[tokio::test]
async fn turned_off_every_request_is_sent_once() {
    for op in OPERATIONS {
        let server = MockServer::start().await;
        mount_once_then_success(&server, op.path(), ResponseTemplate::new(429)).await;
        let client = client_builder(&server.uri())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();

        let error = op.run(&client).await.expect_err("the 429 is final");

        assert_eq!(error.status(), Some(429), "{op:?}");
        assert_eq!(requests_to(&server, op.path()).await, 1, "{op:?}");
    }
}

#[tokio::test]
async fn with_the_budget_spent_failures_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_CALLED_ROUTE))
        .respond_with(ResponseTemplate::new(503))
        .named("queryCalledRoute, always unavailable")
        .mount(&server)
        .await;
    // Room for two retries of 5 tokens; attempts are not what stops them.
    let client = client_builder(&server.uri())
        .retry_policy(quick().max_attempts(10).budget(10))
        .build()
        .unwrap();

    Op::QueryRoutes.run(&client).await.expect_err("always 503");
    assert_eq!(requests_to(&server, QUERY_CALLED_ROUTE).await, 3);

    // The budget is the client's: a clone finds it spent too.
    Op::QueryRoutes
        .run(&client.clone())
        .await
        .expect_err("always 503");
    assert_eq!(
        requests_to(&server, QUERY_CALLED_ROUTE).await,
        4,
        "sent once: no token left for a retry"
    );
}

#[tokio::test]
async fn successes_refill_the_budget() {
    let server = MockServer::start().await;
    // One 503 then a success, for each call.
    let answers = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path(QUERY_CALLED_ROUTE))
        .respond_with(move |_: &wiremock::Request| {
            if answers
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                .is_multiple_of(2)
            {
                ResponseTemplate::new(503)
            } else {
                success()
            }
        })
        .mount(&server)
        .await;
    // Room for one retry: a success after it puts back what it took.
    let client = client_builder(&server.uri())
        .retry_policy(quick().budget(5))
        .build()
        .unwrap();
    for call in 0..5 {
        Op::QueryRoutes
            .run(&client)
            .await
            .unwrap_or_else(|e| panic!("call {call}: the retry succeeds ({e})"));
    }
    assert_eq!(requests_to(&server, QUERY_CALLED_ROUTE).await, 10);
}

#[tokio::test]
async fn token_requests_are_retried_as_reads() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(ResponseTemplate::new(503).set_body_string("unavailable"))
        .up_to_n_times(1)
        .with_priority(1)
        .named("tokenByAkSk, unavailable once")
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"AccessToken": "tok", "Expires": "600"})),
        )
        .named("tokenByAkSk")
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(success())
        .named("createCalledRoute")
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials("my-app-key", "my-app-secret")
        .retry_policy(quick())
        .build()
        .unwrap();

    Op::Create
        .run(&client)
        .await
        .expect("the token came on the second try");

    assert_eq!(requests_to(&server, TOKEN_BY_AK_SK).await, 2);
    assert_eq!(requests_to(&server, CREATE_CALLED_ROUTE).await, 1);
}

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn creates_and_deletes_answered_anything_but_429_are_sent_once() {
    let answers = [
        (500, ""),
        (502, ""),
        (503, ""),
        (503, "unavailable"),
        (504, ""),
    ];
    for (status, body) in answers {
        for op in [Op::Create, Op::Delete] {
            let server = MockServer::start().await;
            let answer = ResponseTemplate::new(status).set_body_string(body);
            mount_once_then_success(&server, op.path(), answer).await;

            let error = op.run(&quick_client(&server.uri())).await.unwrap_err();

            assert!(
                error.may_have_reached_server(),
                "{op:?} {status}: {error:?}"
            );
            assert_eq!(requests_to(&server, op.path()).await, 1, "{op:?} {status}");
        }
    }
}

#[tokio::test]
async fn writes_meeting_a_timeout_or_a_lost_connection_are_sent_once() {
    let cases = [
        (Fault::Timeout, Duration::from_millis(300)),
        (Fault::CloseBeforeResponse, Duration::from_secs(10)),
        (Fault::ResetMidBody, Duration::from_secs(10)),
    ];
    for (fault, timeout) in cases {
        for op in OPERATIONS.into_iter().filter(|op| !op.is_read()) {
            let server = FaultServer::start(fault.clone())
                .await
                .expect("a loopback port is free");
            let client = client_builder(&server.uri())
                .timeout(timeout)
                .retry_policy(quick())
                .build()
                .unwrap();

            let error = op.run(&client).await.expect_err("the fault is final");

            assert!(
                error.may_have_reached_server(),
                "{fault:?} {op:?}: {error:?}"
            );
            assert_eq!(server.requests(), 1, "{fault:?} {op:?}");
        }
    }
}

#[tokio::test]
async fn every_write_answered_429_is_resent_as_it_was_not_carried_out() {
    for op in [Op::Create, Op::Modify, Op::Delete] {
        let server = MockServer::start().await;
        let throttled = ResponseTemplate::new(429).set_body_string("slow down");
        mount_once_then_success(&server, op.path(), throttled).await;

        op.run(&quick_client(&server.uri()))
            .await
            .unwrap_or_else(|e| panic!("{op:?}: resent after the 429 ({e})"));

        assert_eq!(requests_to(&server, op.path()).await, 2, "{op:?}");
    }
}

#[tokio::test]
async fn a_modify_is_resent_after_429_and_an_empty_503_but_not_after_500() {
    let cases = [
        ("429", ResponseTemplate::new(429), 2),
        ("503, empty body", ResponseTemplate::new(503), 2),
        (
            "503 with a body",
            ResponseTemplate::new(503).set_body_string("unavailable"),
            1,
        ),
        ("500", ResponseTemplate::new(500), 1),
        ("502", ResponseTemplate::new(502), 1),
        ("504", ResponseTemplate::new(504), 1),
    ];
    for (what, answer, requests) in cases {
        let server = MockServer::start().await;
        mount_once_then_success(&server, MODIFY_CALLED_ROUTE, answer).await;

        let outcome = Op::Modify.run(&quick_client(&server.uri())).await;

        assert_eq!(outcome.is_ok(), requests == 2, "{what}: {outcome:?}");
        assert_eq!(
            requests_to(&server, MODIFY_CALLED_ROUTE).await,
            requests,
            "{what}"
        );
    }
}

#[tokio::test]
async fn a_modify_refused_with_a_chunked_503_body_keeps_the_body_in_its_error() {
    let server = FaultServer::start(Fault::RespondChunked {
        status: 503,
        body: br#"{"returnCode":"GW-503","description":"maintenance"}"#.to_vec(),
    })
    .await
    .expect("a loopback port is free");

    let error = Op::Modify
        .run(&quick_client(&server.uri()))
        .await
        .unwrap_err();

    assert_eq!(server.requests(), 1, "a 503 with a body may come from CEC");
    assert!(
        matches!(&error, Error::UnexpectedStatus { status: 503, body } if body.contains("maintenance")),
        "the body read to look at it is still quoted: {error:?}"
    );
}

// ---------------------------------------------------------------------------
// Waiting: Retry-After and the tracing events
// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn retry_after_in_seconds_is_waited_for() {
    let server = Scripted::start(|n, _| match n {
        0 => Answer::json(503, "{}").with_header("retry-after", "7"),
        _ => Answer::success(),
    })
    .await;
    let client = patient_client(&server.uri());

    Op::QueryRoutes
        .run(&client)
        .await
        .expect("the retry succeeds");

    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 2);
    // The backoff alone is at most 1 ms.
    assert_eq!(arrivals[1] - arrivals[0], Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_waited_for() {
    // Whole seconds: the date is 3 s ahead at most, and more than 2 s.
    let at = httpdate_in(Duration::from_secs(3));
    let server = Scripted::start(move |n, _| match n {
        0 => Answer::json(429, "{}").with_header("retry-after", at.clone()),
        _ => Answer::success(),
    })
    .await;

    Op::Create
        .run(&patient_client(&server.uri()))
        .await
        .expect("the retry succeeds");

    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 2);
    let waited = arrivals[1] - arrivals[0];
    assert!(
        waited > Duration::from_secs(1) && waited <= Duration::from_secs(3),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_longer_than_the_max_backoff_ends_the_retrying() {
    let server =
        Scripted::start(|_, _| Answer::json(429, "{}").with_header("retry-after", "3600")).await;
    let started = Instant::now();

    let error = Op::QueryRoutes
        .run(&quick_client(&server.uri()))
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(429));
    assert_eq!(server.requests(), 1);
    assert_eq!(Instant::now(), started, "no time spent waiting");
}

#[tokio::test(start_paused = true)]
async fn the_default_backoff_stays_under_its_doubling_ceilings() {
    let server = Scripted::start(|_, _| Answer::json(502, "{}")).await;
    let client = client_builder(&server.uri()).build().unwrap();

    Op::QueryRoutes.run(&client).await.unwrap_err();

    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 3);
    assert!(arrivals[1] - arrivals[0] <= Duration::from_secs(1));
    assert!(arrivals[2] - arrivals[1] <= Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn each_retry_is_a_tracing_event_with_operation_attempt_reason_and_delay() {
    let (logs, _capturing) = capture_logs();
    let server = Scripted::start(|n, _| match n {
        0 => Answer::json(503, "").with_header("retry-after", "2"),
        1 => Answer::json(429, ""),
        _ => Answer::success(),
    })
    .await;

    Op::Modify
        .run(&patient_client(&server.uri()))
        .await
        .expect("the third attempt succeeds");

    let logs = logs.text();
    let retries: Vec<&str> = logs.lines().filter(|l| l.contains("retrying")).collect();
    assert_eq!(retries.len(), 2, "{logs}");
    for (line, (attempt, reason)) in retries.iter().zip([
        ("2", "503 Service Unavailable (empty body)"),
        ("3", "429 Too Many Requests"),
    ]) {
        assert!(line.contains(" INFO "), "{line}");
        assert!(line.contains("operation=\"modifyCalledRoute\""), "{line}");
        assert!(line.contains(&format!("attempt={attempt}")), "{line}");
        assert!(line.contains(&format!("reason={reason}")), "{line}");
        assert!(line.contains("delay_ms="), "{line}");
    }
    assert!(retries[0].contains("delay_ms=2000"), "{}", retries[0]);
}

// ---------------------------------------------------------------------------
// A long listing
// ---------------------------------------------------------------------------

/// A seed of the default tenant with `count` routes of access code
/// 9911411, extension codes 1 to `count`, to skill queue 2.
fn seed_of_routes(count: usize) -> Seed {
    let defaults: serde_json::Value =
        serde_json::from_str(&Seed::default().to_json()).expect("a seed is JSON");
    let routes: Vec<serde_json::Value> = (1..=count)
        .map(|ext| {
            serde_json::json!({
                "accessCode": "9911411", "extCode": ext.to_string(),
                "devicetype": 1, "deviceId": 2, "mediaTypeId": 5
            })
        })
        .collect();
    let mut seed = defaults;
    seed["routes"] = routes.into();
    Seed::from_json_str(&seed.to_string()).expect("a valid seed")
}

#[tokio::test]
async fn a_listing_of_ten_thousand_routes_through_one_in_ten_503s_is_complete_and_exact() {
    let sandbox = Sandbox::builder()
        .seed(seed_of_routes(10_000))
        .start()
        .await
        .expect("the sandbox starts");
    // Every tenth request of the listing is refused: 100 pages take 111
    // requests, each failing page retried once.
    for nth in (10..=110).step_by(10) {
        sandbox.fail_request(Operation::QueryCalledRoute, nth, Fault::Status(503));
    }
    let client = sandbox
        .client_builder()
        .retry_policy(quick())
        .build()
        .unwrap();

    let routes = client
        .called_routes(&RouteFilter::new())
        .await
        .expect("each failing page is retried");

    assert_eq!(sandbox.requests(Operation::QueryCalledRoute), 111);
    assert_eq!(routes.len(), 10_000);
    let mut exts: Vec<usize> = routes
        .iter()
        .map(|r| r.ext_code.as_deref().unwrap().parse().unwrap())
        .collect();
    exts.sort_unstable();
    assert!(
        exts.iter().copied().eq(1..=10_000),
        "each route exactly once"
    );
}

fn httpdate_in(wait: Duration) -> String {
    httpdate::fmt_http_date(SystemTime::now() + wait)
}
