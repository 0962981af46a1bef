//! Fault injection: every business operation and `tokenByAkSk` against a
//! server that refuses, hangs up, resets, stalls, cuts bodies short, answers
//! garbage, redirects or floods. Each fault gives a typed error (never a
//! panic, never a hang past the timeout) that says truthfully whether the
//! request may have reached CEC; nothing that may have reached CEC is sent
//! twice; and no response is read past the size limit.
//!
//! The clients here send each request once ([`RetryPolicy::none`]: a refused
//! connection is still tried again), so that each test sees what one fault
//! becomes; what the default policy resends, and what it never resends, is
//! the `retries` module's subject.
//!
//! The client's timeout is generous (tests run in parallel on small
//! machines), except against the silent servers, where it is short and is
//! what ends the call. Each test also runs under a guard, so a hang fails the
//! test instead of stalling the suite.

use crate::common;

use std::{future::Future, time::Duration};

use cec_routes::{
    AccessCodeFilter, CalledRoute, Client, Device, Error, RetryPolicy, RouteChange, RouteFilter,
    config::DEFAULT_MAX_RESPONSE_BYTES,
};
use common::fault_server::{Fault, FaultServer, Framing};
use futures::future::join_all;

/// The client's whole-request and connect timeout in these tests: long
/// enough that only a silent server runs into it.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The timeout against silent servers.
const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
/// How long a test may take before it counts as hung.
const GUARD: Duration = Duration::from_secs(30);
/// The flood: 20 MB.
const HUGE: usize = 20_000_000;

const TOKEN_BY_AK_SK: &str = "/apigovernance/api/oauth/tokenByAkSk";

/// The business operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    CreateCalledRoute,
    QueryCalledRoute,
    QueryAccessCodeList,
    ModifyCalledRoute,
    DeleteCalledRoute,
}

const OPERATIONS: [Op; 5] = [
    Op::CreateCalledRoute,
    Op::QueryCalledRoute,
    Op::QueryAccessCodeList,
    Op::ModifyCalledRoute,
    Op::DeleteCalledRoute,
];

impl Op {
    /// The operationId, as errors name it.
    fn id(self) -> &'static str {
        match self {
            Op::CreateCalledRoute => "createCalledRoute",
            Op::QueryCalledRoute => "queryCalledRoute",
            Op::QueryAccessCodeList => "queryAccessCodeList",
            Op::ModifyCalledRoute => "modifyCalledRoute",
            Op::DeleteCalledRoute => "deleteCalledRoute",
        }
    }

    fn path(self) -> String {
        let resource = match self {
            Op::QueryAccessCodeList => "accessCodeInfo",
            _ => "calledRoute",
        };
        format!("/apiaccess/rest/cc-management/v1/{resource}/{}", self.id())
    }

    /// Runs the operation with a valid input; only the outcome's kind matters.
    async fn run(self, client: &Client) -> Result<(), Error> {
        match self {
            Op::CreateCalledRoute => {
                let route = CalledRoute::new("9911411", Device::SkillQueue(1))?;
                client.create_called_route(&route).await.map(drop)
            }
            Op::QueryCalledRoute => client
                .called_routes_page(&RouteFilter::new(), 0, 10)
                .await
                .map(drop),
            Op::QueryAccessCodeList => client
                .access_codes_page(&AccessCodeFilter::new(), 0, 10)
                .await
                .map(drop),
            Op::ModifyCalledRoute => {
                let change =
                    RouteChange::by_id("1125397061153369092".parse()?, Device::SkillQueue(2))?;
                client.modify_called_route(&change).await.map(drop)
            }
            Op::DeleteCalledRoute => client.delete_called_routes(&[1, 2]).await.map(drop),
        }
    }
}

/// The documented success of every business operation: a server that works.
fn success() -> Fault {
    Fault::json(200, r#"{"returnCode":"0","description":"success"}"#)
}

/// A client with a fixed token and the generous timeout, sending each
/// request once.
fn client_builder(base_url: &str) -> cec_routes::ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .token("t0k")
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .retry_policy(RetryPolicy::none())
}

/// A client that fetches its tokens from `tokenByAkSk` under `base_url`.
fn aksk_client(base_url: &str) -> Client {
    aksk_client_with(base_url, TIMEOUT)
}

/// [`aksk_client`], with this timeout.
fn aksk_client_with(base_url: &str, timeout: Duration) -> Client {
    Client::builder()
        .base_url(base_url)
        .credentials("my-app-key", "my-app-secret")
        .timeout(timeout)
        .connect_timeout(TIMEOUT)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a loopback base URL and AK/SK credentials make a valid client")
}

/// Runs `test`, failing if it takes longer than [`GUARD`].
async fn guarded<F: Future>(test: F) -> F::Output {
    tokio::time::timeout(GUARD, test)
        .await
        .expect("the client hung past its timeout")
}

/// What one operation did against a fresh server with one fault.
struct Outcome {
    op: Op,
    result: Result<(), Error>,
    /// The requests the server read.
    requests: usize,
    server: FaultServer,
}

/// Every business operation, each against its own server answering `fault`,
/// all at once.
async fn every_operation_against(fault: Fault) -> Vec<Outcome> {
    every_operation_against_with(fault, TIMEOUT).await
}

/// [`every_operation_against`], with this client timeout.
async fn every_operation_against_with(fault: Fault, timeout: Duration) -> Vec<Outcome> {
    // Servers and clients first: building a client takes a while in a debug
    // build, and must not eat into the timeout of a call already under way.
    let mut prepared = Vec::new();
    for op in OPERATIONS {
        let server = FaultServer::start(fault.clone())
            .await
            .expect("a loopback port is free");
        let client = client_builder(&server.uri())
            .timeout(timeout)
            .build()
            .expect("a loopback base URL and a token make a valid client");
        prepared.push((op, server, client));
    }
    guarded(join_all(prepared.into_iter().map(
        |(op, server, client)| async move {
            let result = op.run(&client).await;
            Outcome {
                op,
                result,
                requests: server.requests(),
                server,
            }
        },
    )))
    .await
}

impl Outcome {
    /// The error, which must be there.
    fn error(&self) -> &Error {
        match &self.result {
            Err(error) => error,
            Ok(()) => panic!("{:?} succeeded; an error was expected", self.op),
        }
    }

    /// The request may have reached CEC, and was sent exactly once.
    fn assert_sent_once(&self) {
        let error = self.error();
        assert!(
            error.may_have_reached_server(),
            "{:?}: {error:?} must say the request may have reached CEC",
            self.op
        );
        assert_eq!(
            self.requests, 1,
            "{:?}: a request that may have reached CEC must be sent exactly once ({error:?})",
            self.op
        );
    }

    /// A decode error naming the operation.
    fn assert_decode(&self) {
        match self.error() {
            Error::Decode { operation, .. } => assert_eq!(*operation, self.op.id()),
            other => panic!("{:?}: expected a decode error, got {other:?}", self.op),
        }
        self.assert_sent_once();
    }
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_and_nothing_was_sent() {
    let url = FaultServer::refused().expect("a loopback port is free");
    let outcomes = guarded(join_all(OPERATIONS.map(|op| {
        let client = client_builder(&url).connect_retries(1).build().unwrap();
        async move { (op, op.run(&client).await) }
    })))
    .await;
    for (op, result) in outcomes {
        let error = result.expect_err("nothing listens there");
        assert!(
            matches!(&error, Error::Connect { url: tried, .. } if tried.starts_with(&url)),
            "{op:?}: {error:?}"
        );
        assert!(!error.may_have_reached_server(), "{op:?}: {error:?}");
    }
}

#[tokio::test]
async fn connection_closed_before_any_response_is_a_transport_error_and_sent_once() {
    for outcome in every_operation_against(Fault::CloseBeforeResponse).await {
        assert!(
            matches!(outcome.error(), Error::Transport { .. }),
            "{:?}: {:?}",
            outcome.op,
            outcome.error()
        );
        outcome.assert_sent_once();
    }
}

#[tokio::test]
async fn connection_reset_mid_body_is_a_transport_error_and_sent_once() {
    for outcome in every_operation_against(Fault::ResetMidBody).await {
        assert!(
            matches!(outcome.error(), Error::Transport { .. }),
            "{:?}: {:?}",
            outcome.op,
            outcome.error()
        );
        outcome.assert_sent_once();
    }
}

#[tokio::test]
async fn body_cut_short_of_its_content_length_is_a_transport_error_and_sent_once() {
    for outcome in every_operation_against(Fault::ShortBody).await {
        assert!(
            matches!(outcome.error(), Error::Transport { .. }),
            "{:?}: {:?}",
            outcome.op,
            outcome.error()
        );
        outcome.assert_sent_once();
    }
}

#[tokio::test]
async fn silence_before_the_headers_times_out_at_the_configured_timeout() {
    for outcome in every_operation_against_with(Fault::Timeout, SHORT_TIMEOUT).await {
        assert!(
            matches!(outcome.error(), Error::Timeout { timeout } if *timeout == SHORT_TIMEOUT),
            "{:?}: {:?}",
            outcome.op,
            outcome.error()
        );
        outcome.assert_sent_once();
    }
}

#[tokio::test]
async fn silence_after_the_headers_times_out_at_the_configured_timeout() {
    for outcome in every_operation_against_with(Fault::TimeoutAfterHeaders, SHORT_TIMEOUT).await {
        assert!(
            matches!(outcome.error(), Error::Timeout { timeout } if *timeout == SHORT_TIMEOUT),
            "{:?}: {:?}",
            outcome.op,
            outcome.error()
        );
        outcome.assert_sent_once();
    }
}

#[tokio::test]
async fn html_instead_of_json_is_a_decode_error_naming_the_operation() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    for outcome in every_operation_against(Fault::body(200, "text/html", html)).await {
        outcome.assert_decode();
        assert!(
            outcome.error().to_string().contains("<html>"),
            "the error quotes the body: {}",
            outcome.error()
        );
    }
}

#[tokio::test]
async fn empty_body_is_a_decode_error_naming_the_operation() {
    for outcome in every_operation_against(Fault::json(200, "")).await {
        outcome.assert_decode();
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_naming_the_operation() {
    for outcome in every_operation_against(Fault::json(200, r#"{"returnCode":"0","descr"#)).await {
        outcome.assert_decode();
    }
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_decode_error_naming_the_operation() {
    for body in [
        "[1,2,3]",
        r#""0""#,
        "null",
        r#"{"returnCode":0}"#,
        r#"{"description":"data create success"}"#,
    ] {
        for outcome in every_operation_against(Fault::json(200, body)).await {
            outcome.assert_decode();
        }
    }
}

#[tokio::test]
async fn throttling_and_gateway_statuses_are_unexpected_statuses_and_sent_once() {
    for status in [429, 502, 503, 504] {
        let fault = Fault::body(status, "text/plain", "try again later");
        for outcome in every_operation_against(fault).await {
            assert!(
                matches!(
                    outcome.error(),
                    Error::UnexpectedStatus { status: s, body } if *s == status && body == "try again later"
                ),
                "{:?}: {:?}",
                outcome.op,
                outcome.error()
            );
            assert_eq!(outcome.error().status(), Some(status));
            outcome.assert_sent_once();
        }
    }
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let elsewhere = FaultServer::start(success())
        .await
        .expect("a loopback port is free");
    let fault = Fault::Redirect {
        location: format!("{}/elsewhere", elsewhere.uri()),
    };
    for outcome in every_operation_against(fault).await {
        assert!(
            matches!(outcome.error(), Error::UnexpectedStatus { status: 302, .. }),
            "{:?}: {:?}",
            outcome.op,
            outcome.error()
        );
        outcome.assert_sent_once();
    }
    assert_eq!(
        elsewhere.requests(),
        0,
        "the redirect target (which would receive the token) was never called"
    );
}

/// Asserts that every operation failed with the size-limit error and that
/// the client hung up before the server could write the whole body.
async fn assert_too_large_and_cut_short(outcomes: Vec<Outcome>, limit: usize) {
    for outcome in outcomes {
        match outcome.error() {
            Error::ResponseTooLarge {
                operation,
                limit: reported,
            } => {
                assert_eq!(*operation, outcome.op.id());
                assert_eq!(*reported, limit);
            }
            other => panic!("{:?}: expected ResponseTooLarge, got {other:?}", outcome.op),
        }
        outcome.assert_sent_once();
        let deliveries = outcome.server.deliveries(1).await;
        let delivery = deliveries
            .first()
            .expect("the server tried to send the body");
        assert!(
            delivery.cut_by_client && delivery.written < delivery.len,
            "{:?}: the client must hang up before reading all {} bytes: {delivery:?}",
            outcome.op,
            delivery.len
        );
    }
}

#[tokio::test]
async fn huge_success_with_content_length_fails_before_its_body_is_read() {
    let fault = Fault::Huge {
        status: 200,
        len: HUGE,
        framing: Framing::ContentLength,
    };
    let outcomes = every_operation_against(fault).await;
    assert_too_large_and_cut_short(outcomes, DEFAULT_MAX_RESPONSE_BYTES).await;
}

#[tokio::test]
async fn huge_chunked_success_stops_at_the_limit() {
    let fault = Fault::Huge {
        status: 200,
        len: HUGE,
        framing: Framing::Chunked,
    };
    let outcomes = every_operation_against(fault).await;
    assert_too_large_and_cut_short(outcomes, DEFAULT_MAX_RESPONSE_BYTES).await;
}

#[tokio::test]
async fn huge_error_body_is_quoted_from_its_start_and_not_read_further() {
    for framing in [Framing::ContentLength, Framing::Chunked] {
        for status in [500, 502] {
            let fault = Fault::Huge {
                status,
                len: HUGE,
                framing,
            };
            for outcome in every_operation_against(fault).await {
                let error = outcome.error();
                assert_eq!(error.status(), Some(status), "{:?}: {error:?}", outcome.op);
                assert!(
                    error.to_string().contains(r#"{"x":"xxxx"#),
                    "{:?}: the error quotes the start of the body: {error}",
                    outcome.op
                );
                assert!(error.to_string().len() < 1000, "the quote is short");
                outcome.assert_sent_once();
                let delivery = outcome.server.deliveries(1).await[0];
                assert!(
                    delivery.cut_by_client && delivery.written < delivery.len,
                    "{:?} {framing:?} {status}: {delivery:?}",
                    outcome.op
                );
            }
        }
    }
}

/// A success of exactly `len` bytes: the documented envelope, padded.
fn success_of_len(len: usize) -> Vec<u8> {
    let envelope = r#"{"returnCode":"0","description":""}"#;
    let padding = len - envelope.len();
    format!(
        r#"{{"returnCode":"0","description":"{}"}}"#,
        "x".repeat(padding)
    )
    .into_bytes()
}

#[tokio::test]
async fn body_at_the_limit_is_read_and_one_byte_more_is_refused() {
    const LIMIT: usize = 4096;
    for chunked in [false, true] {
        for (len, fits) in [(LIMIT, true), (LIMIT + 1, false)] {
            let body = success_of_len(len);
            assert_eq!(body.len(), len);
            let fault = if chunked {
                Fault::RespondChunked { status: 200, body }
            } else {
                Fault::json(200, body)
            };
            let server = FaultServer::start(fault)
                .await
                .expect("a loopback port is free");
            let client = client_builder(&server.uri())
                .max_response_bytes(LIMIT)
                .build()
                .unwrap();
            let outcome = guarded(Op::CreateCalledRoute.run(&client)).await;
            if fits {
                outcome.unwrap_or_else(|e| panic!("{len} bytes fit a {LIMIT}-byte limit: {e}"));
            } else {
                let error = outcome.expect_err("one byte over the limit");
                assert!(
                    matches!(
                        error,
                        Error::ResponseTooLarge {
                            operation: "createCalledRoute",
                            limit: LIMIT
                        }
                    ),
                    "chunked {chunked}: {error:?}"
                );
                assert!(error.may_have_reached_server());
                assert_eq!(error.status(), Some(200));
                assert_eq!(
                    error.to_string(),
                    "the createCalledRoute response is larger than the 4096-byte limit, so its \
                     outcome is unknown"
                );
            }
            assert_eq!(server.requests(), 1);
        }
    }
}

#[test]
fn response_limit_defaults_to_one_mebibyte_and_must_be_at_least_one_byte() {
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 1 << 20);
    let client = Client::builder().token("t0k").build().unwrap();
    assert_eq!(client.max_response_bytes(), DEFAULT_MAX_RESPONSE_BYTES);
    let error = Client::builder()
        .token("t0k")
        .max_response_bytes(0)
        .build()
        .expect_err("a limit of zero refuses every answer");
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
}

/// Every fault, as `tokenByAkSk` might suffer it.
fn token_faults() -> Vec<(&'static str, Fault)> {
    vec![
        ("close before response", Fault::CloseBeforeResponse),
        ("reset mid-body", Fault::ResetMidBody),
        ("short body", Fault::ShortBody),
        ("silence before headers", Fault::Timeout),
        ("silence after headers", Fault::TimeoutAfterHeaders),
        ("html", Fault::body(200, "text/html", "<html>oops</html>")),
        ("empty", Fault::json(200, "")),
        ("truncated", Fault::json(200, r#"{"AccessToken":"zz"#)),
        (
            "wrong shape",
            Fault::json(200, r#"{"AccessToken":1,"Expires":600}"#),
        ),
        ("no token", Fault::json(200, r#"{"Expires":"600"}"#)),
        ("429", Fault::body(429, "text/plain", "slow down")),
        ("502", Fault::body(502, "text/plain", "bad gateway")),
        ("503", Fault::body(503, "text/plain", "unavailable")),
        ("504", Fault::body(504, "text/plain", "gateway timeout")),
        (
            "huge with content-length",
            Fault::Huge {
                status: 200,
                len: HUGE,
                framing: Framing::ContentLength,
            },
        ),
        (
            "huge chunked",
            Fault::Huge {
                status: 200,
                len: HUGE,
                framing: Framing::Chunked,
            },
        ),
    ]
}

/// Asserts a token failure: an auth error naming `tokenByAkSk`, and the
/// business request never sent.
fn assert_token_failure(what: &str, op: Op, result: Result<(), Error>) {
    let error = result.expect_err("no token, no call");
    match &error {
        Error::Auth { reason, .. } => assert!(
            reason.contains("tokenByAkSk"),
            "{what}, {op:?}: the error names the token endpoint: {reason}"
        ),
        other => panic!("{what}, {op:?}: expected an auth error, got {other:?}"),
    }
    assert!(!error.may_have_reached_server(), "{what}: {error:?}");
    assert!(
        !error.to_string().contains("my-app-secret"),
        "{what}: the secret never appears: {error}"
    );
}

#[tokio::test]
async fn token_faults_are_auth_errors_and_the_operation_is_never_sent() {
    let mut cases = Vec::new();
    for (what, fault) in token_faults() {
        let silent = matches!(fault, Fault::Timeout | Fault::TimeoutAfterHeaders);
        let timeout = if silent { SHORT_TIMEOUT } else { TIMEOUT };
        for op in OPERATIONS {
            let server = FaultServer::start(fault.clone())
                .await
                .expect("a loopback port is free");
            let client = aksk_client_with(&server.uri(), timeout);
            cases.push(async move {
                let result = op.run(&client).await;
                assert_token_failure(what, op, result);
                assert_eq!(server.requests_to(TOKEN_BY_AK_SK), 1, "{what}, {op:?}");
                assert_eq!(server.requests_to(&op.path()), 0, "{what}, {op:?}");
            });
        }
    }
    guarded(join_all(cases)).await;
}

#[tokio::test]
async fn token_endpoint_refusing_connections_is_a_connect_error_and_no_operation_is_sent() {
    let url = FaultServer::refused().expect("a loopback port is free");
    for op in OPERATIONS {
        let error = guarded(op.run(&aksk_client(&url)))
            .await
            .expect_err("no token, no call");
        match &error {
            Error::Connect { url: tried, .. } => assert!(
                tried.ends_with(TOKEN_BY_AK_SK),
                "{op:?}: the error names the token endpoint: {tried}"
            ),
            other => panic!("{op:?}: expected a connect error, got {other:?}"),
        }
        assert!(!error.may_have_reached_server(), "{op:?}: {error:?}");
    }
}

#[tokio::test]
async fn token_redirect_is_not_followed() {
    let elsewhere = FaultServer::start(success())
        .await
        .expect("a loopback port is free");
    let server = FaultServer::start(Fault::Redirect {
        location: format!("{}{TOKEN_BY_AK_SK}", elsewhere.uri()),
    })
    .await
    .expect("a loopback port is free");
    let result = guarded(Op::CreateCalledRoute.run(&aksk_client(&server.uri()))).await;
    assert_token_failure("redirect", Op::CreateCalledRoute, result);
    assert_eq!(
        elsewhere.requests(),
        0,
        "the app secret never follows a redirect"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_until_the_server_listens_and_then_sent_once() {
    // A port bound but not yet listening refuses connections, and stays
    // ours: the server starts listening on it after the first attempt was
    // refused; the retries (100 ms, then 200 ms later) find it.
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("a loopback port is free");
    let addr = socket.local_addr().expect("a bound socket has an address");
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let listener = socket.listen(1024).expect("the bound port listens");
        FaultServer::serve(listener, success()).expect("a bound listener serves")
    });
    let client = client_builder(&format!("http://{addr}"))
        .connect_retries(2)
        .build()
        .unwrap();
    let outcome = guarded(Op::CreateCalledRoute.run(&client)).await;
    let server = late.await.expect("the late server started");
    outcome.expect("a retry after the refusal reaches the server");
    assert_eq!(server.requests(), 1, "the create was sent exactly once");
}

#[tokio::test]
async fn without_connect_retries_a_refusal_is_final() {
    let url = FaultServer::refused().expect("a loopback port is free");
    let client = client_builder(&url).connect_retries(0).build().unwrap();
    for op in OPERATIONS {
        let error = guarded(op.run(&client)).await.expect_err("nothing listens");
        assert!(matches!(error, Error::Connect { .. }), "{op:?}: {error:?}");
    }
}

#[tokio::test]
async fn token_response_over_the_configured_limit_is_an_auth_error() {
    let token = format!(r#"{{"AccessToken":"{}","Expires":"600"}}"#, "z".repeat(200));
    let server = FaultServer::start(Fault::json(200, token))
        .await
        .expect("a loopback port is free");
    let client = Client::builder()
        .base_url(server.uri())
        .credentials("my-app-key", "my-app-secret")
        .max_response_bytes(100)
        .timeout(TIMEOUT)
        .build()
        .unwrap();
    let result = guarded(Op::CreateCalledRoute.run(&client)).await;
    let error = result.expect_err("the token response is over the limit");
    assert!(
        matches!(&error, Error::Auth { reason, status: Some(200) }
            if reason.contains("tokenByAkSk") && reason.contains("larger than the 100-byte limit")),
        "{error:?}"
    );
    assert_eq!(server.requests_to(&Op::CreateCalledRoute.path()), 0);
}

#[tokio::test]
async fn the_generated_client_behind_raw_is_capped_at_the_default_limit() {
    let server = FaultServer::start(Fault::Huge {
        status: 200,
        len: HUGE,
        framing: Framing::Chunked,
    })
    .await
    .expect("a loopback port is free");
    let client = client_builder(&server.uri()).build().unwrap();
    let route = CalledRoute::new("9911411", Device::SkillQueue(1)).unwrap();
    let body = route.to_request();
    let result = guarded(client.raw().create_called_route(&body)).await;
    match result {
        Err(progenitor_client::Error::ResponseBodyError(error)) => {
            let mut causes = Vec::new();
            let mut cause: Option<&dyn std::error::Error> = Some(&error);
            while let Some(error) = cause {
                causes.push(error.to_string());
                cause = error.source();
            }
            let limit = format!("larger than the {DEFAULT_MAX_RESPONSE_BYTES}-byte limit");
            assert!(causes.iter().any(|c| c.contains(&limit)), "{causes:?}");
        }
        other => panic!("expected a body error, got {other:?}"),
    }
    let delivery = server.deliveries(1).await[0];
    assert!(delivery.cut_by_client && delivery.written < delivery.len);
}
