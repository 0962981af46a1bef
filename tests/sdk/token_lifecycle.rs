//! Contract tests for the AK/SK token lifecycle: the `tokenByAkSk` request,
//! one token fetch for any number of concurrent callers, refresh ahead of
//! expiry, one refresh and resend after a 401, and token-endpoint failures.
//!
//! Time: the tests that depend on a token's age run on the current-thread
//! runtime and jump tokio's clock forward between calls (`pause`, `advance`,
//! `resume`), so the HTTP exchanges with wiremock happen in real time and no
//! test waits for a token to age.

use crate::common;

use common::logs::capture_logs;
use common::paths::{CREATE_CALLED_ROUTE, TOKEN_BY_AK_SK};
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use cec_routes::{CalledRoute, Client, Device, Error, MediaType};
use serde::Serialize;
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate, Times,
    matchers::{bearer_token, method, path},
};

fn documented_route() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(1))
        .and_then(|r| r.with_ext_code("11"))
        .and_then(|r| r.with_media_type(MediaType::Video))
        .expect("the documented example route is valid")
}

fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "0", "description": "data create success"}))
}

/// The documented token response shape (every field a string).
fn token_response(token: &str, expires: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "AccessToken": token,
        "ApplyType": "Bearer",
        "CreateTime": "1545650171",
        "Expires": expires,
        "Scope": "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "AppKey": "app-key",
        "UserID": "Anonymous",
    }))
}

/// Answers `tok-1`, `tok-2`, … on successive token requests.
struct SuccessiveTokens {
    issued: AtomicUsize,
    expires: &'static str,
    delay: Duration,
}

impl SuccessiveTokens {
    fn expiring_in(expires: &'static str) -> Self {
        SuccessiveTokens {
            issued: AtomicUsize::new(0),
            expires,
            delay: Duration::ZERO,
        }
    }

    fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

impl Respond for SuccessiveTokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        token_response(&format!("tok-{n}"), self.expires).set_delay(self.delay)
    }
}

fn aksk_client(server: &MockServer) -> Client {
    aksk_client_with_lifetime(server, Duration::from_secs(600))
}

fn aksk_client_with_lifetime(server: &MockServer, lifetime: Duration) -> Client {
    Client::builder()
        .base_url(server.uri())
        .credentials("app-key", "app-secret")
        .token_lifetime(lifetime)
        .build()
        .expect("a loopback base URL and credentials make a valid client")
}

async fn mount_token_by_ak_sk(
    server: &MockServer,
    responder: impl Respond + 'static,
    times: impl Into<Times>,
) {
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(responder)
        .expect(times)
        .named("tokenByAkSk")
        .mount(server)
        .await;
}

async fn mount_create_called_route(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(documented_success())
        .expect(times)
        .named("createCalledRoute")
        .mount(server)
        .await;
}

/// Mounts `createCalledRoute` accepting only `token`, `times` times.
async fn mount_create_called_route_for(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(bearer_token(token))
        .respond_with(documented_success())
        .expect(times)
        .named(format!("createCalledRoute with {token}"))
        .mount(server)
        .await;
}

async fn requests_to(server: &MockServer, operation: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .into_iter()
        .filter(|r| r.url.path() == operation)
        .collect()
}

/// The `Authorization` header of every business request, in order.
async fn tokens_sent(server: &MockServer) -> Vec<String> {
    requests_to(server, CREATE_CALLED_ROUTE)
        .await
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .expect("every business request is authenticated")
                .to_str()
                .expect("ASCII")
                .to_owned()
        })
        .collect()
}

/// Moves tokio's clock forward by `by`, instantly, and lets it run on.
async fn jump(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

/// Creates a route at 0 s and then at each of `at` (seconds since the first
/// call), with a token lifetime of `lifetime` asked for and `expires` granted;
/// returns the token each create carried.
async fn tokens_sent_at(lifetime: u64, expires: &'static str, at: &[u64]) -> Vec<String> {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, SuccessiveTokens::expiring_in(expires), 1..).await;
    mount_create_called_route(&server, 1 + at.len() as u64).await;
    let client = aksk_client_with_lifetime(&server, Duration::from_secs(lifetime));

    client
        .create_called_route(&documented_route())
        .await
        .expect("first create");
    let mut now = 0;
    for &t in at {
        jump(Duration::from_secs(t - now)).await;
        now = t;
        client
            .create_called_route(&documented_route())
            .await
            .unwrap_or_else(|e| panic!("create at {t} s: {e}"));
    }
    tokens_sent(&server).await
}

/// A URL on which nothing listens: connections to it are refused.
fn closed_port_address() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("the port is known");
    drop(listener);
    address
}

/// A received request in a form insta can redact and snapshot.
#[derive(Serialize)]
struct RecordedRequest {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: Value,
}

impl From<&Request> for RecordedRequest {
    fn from(request: &Request) -> Self {
        RecordedRequest {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            headers: request
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = value.to_str().expect("header values are ASCII");
                    (name.as_str().to_owned(), value.to_owned())
                })
                .collect(),
            body: serde_json::from_slice(&request.body).expect("the body is JSON"),
        }
    }
}

// ---------------------------------------------------------------------------
// The token request
// ---------------------------------------------------------------------------

#[tokio::test]
async fn token_request_carries_exactly_the_documented_headers_and_body() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, token_response("tok-1", "600"), 1).await;
    mount_create_called_route(&server, 1).await;

    aksk_client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let requests = requests_to(&server, TOKEN_BY_AK_SK).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    let header = |name: &str| request.headers.get(name).map(|v| v.to_str().unwrap());
    assert_eq!(header("content-type"), Some("application/json"));
    assert_eq!(header("x-token-expire"), Some("600"));
    let names: BTreeSet<&str> = request.headers.keys().map(|n| n.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "accept",
            "content-length",
            "content-type",
            "host",
            "user-agent",
            "x-token-expire",
        ]),
        "no Authorization, X-APP-Key or api-version on the token request"
    );
    let body: Value = request.body_json().expect("JSON body");
    assert_eq!(
        body,
        json!({"app_key": "app-key", "app_secret": "app-secret"})
    );
    insta::assert_json_snapshot!(RecordedRequest::from(request), {
        ".headers.host" => "[host]",
        ".body.app_secret" => "[secret]",
    });
}

#[tokio::test]
async fn token_request_asks_for_the_configured_lifetime() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, token_response("tok-1", "1800"), 1).await;
    mount_create_called_route(&server, 1).await;

    aksk_client_with_lifetime(&server, Duration::from_secs(1800))
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let requests = requests_to(&server, TOKEN_BY_AK_SK).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].headers.get("x-token-expire").unwrap(),
        "1800",
        "X-Token-Expire carries the configured lifetime"
    );
}

#[tokio::test]
async fn business_call_carries_the_fetched_token_and_app_key() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, token_response("zzzzzzzzzzzzzzzzzz", "600"), 1).await;
    mount_create_called_route(&server, 1).await;

    aksk_client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let requests = requests_to(&server, CREATE_CALLED_ROUTE).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].headers.get("authorization").unwrap(),
        "Bearer zzzzzzzzzzzzzzzzzz"
    );
    assert_eq!(requests[0].headers.get("x-app-key").unwrap(), "app-key");
}

#[test]
fn token_lifetime_outside_1_to_3600_whole_seconds_is_a_config_error() {
    for lifetime in [
        Duration::ZERO,
        Duration::from_secs(3601),
        Duration::from_millis(1500),
    ] {
        let result = Client::builder()
            .base_url("https://service.besclouds.com")
            .credentials("app-key", "app-secret")
            .token_lifetime(lifetime)
            .build();
        match result {
            Err(Error::Config { reason }) => {
                assert!(reason.contains("1 to 3600"), "{lifetime:?}: {reason}")
            }
            other => panic!("{lifetime:?}: expected Error::Config, got {other:?}"),
        }
    }
    for lifetime in [1, 600, 3600] {
        Client::builder()
            .base_url("https://service.besclouds.com")
            .credentials("app-key", "app-secret")
            .token_lifetime(Duration::from_secs(lifetime))
            .build()
            .unwrap_or_else(|e| panic!("{lifetime} s is a valid lifetime: {e}"));
    }
}

// ---------------------------------------------------------------------------
// One fetch for many callers
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_on_a_cold_cache_fetch_one_token() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(
        &server,
        SuccessiveTokens::expiring_in("600").delayed(Duration::from_millis(200)),
        1,
    )
    .await;
    mount_create_called_route(&server, 200).await;
    let client = aksk_client(&server);
    let route = documented_route();

    let outcomes =
        futures::future::join_all((0..200).map(|_| client.create_called_route(&route))).await;

    for outcome in &outcomes {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    let token_requests = requests_to(&server, TOKEN_BY_AK_SK).await.len();
    assert_eq!(
        token_requests, 1,
        "token requests for 200 concurrent creates"
    );
    let sent = tokens_sent(&server).await;
    assert_eq!(sent.len(), 200);
    assert!(sent.iter().all(|t| t == "Bearer tok-1"), "{sent:?}");
}

#[tokio::test]
async fn token_is_reused_for_later_calls() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, SuccessiveTokens::expiring_in("600"), 1).await;
    mount_create_called_route_for(&server, "tok-1", 3).await;
    let client = aksk_client(&server);

    for _ in 0..3 {
        client
            .create_called_route(&documented_route())
            .await
            .expect("success");
    }
}

// ---------------------------------------------------------------------------
// Refresh ahead of expiry
// ---------------------------------------------------------------------------

/// When the token is refreshed: a margin before the end of its lifetime,
/// the margin being 10 % of the lifetime, at least 30 s and at most half of
/// it; the lifetime is the shorter of the one asked for and the one CEC
/// granted (`Expires`).
#[tokio::test]
async fn the_token_is_refreshed_a_margin_before_the_end_of_its_lifetime() {
    // Each row: the lifetime asked for (s), `Expires`, when the creates after
    // the first are made (s), which token each create carried.
    #[rustfmt::skip]
    let table: [(u64, &str, &[u64], &[u32]); 10] = [
        // 600 s: the margin is 10 %, 60 s, so the token is refreshed from 540 s on.
        (600, "600",  &[535, 545], &[1, 1, 2]),
        // 100 s: 10 % would be 10 s, but the margin is at least 30 s: from 70 s on.
        (100, "100",  &[65, 75],   &[1, 1, 2]),
        // 40 s: 30 s would be more than half, so the margin is 20 s: from 20 s on.
        (40,  "40",   &[15, 25],   &[1, 1, 2]),
        // Asked for 600 s, granted 100 s: the grant is honoured; by 75 s the
        // token is within the margin of its real end, long before 540 s.
        (600, "100",  &[75],       &[1, 2]),
        // Asked for 100 s, "granted" 3600 s: the request caps it, 100 s holds.
        (100, "3600", &[75],       &[1, 2]),
        // Asked for 600 s, granted 20 s: the margin is that of a 20 s token
        // (10 s, half of it), not 60 s, which would be longer than the token's
        // whole life and make every call fetch a new token.
        (600, "20",   &[5, 15],    &[1, 1, 2]),
        // `Expires` is documented as the "token expiry time"; when it is not
        // a number of seconds, the lifetime asked for holds.
        (600, "abc",                 &[535, 545], &[1, 1, 2]),
        (100, "2018-12-24 11:26:11", &[65, 75],   &[1, 1, 2]),
        (600, "",                    &[535, 545], &[1, 1, 2]),
        (600, "0",                   &[535, 545], &[1, 1, 2]),
    ];
    for (asked, granted, at, tokens) in table {
        let sent = tokens_sent_at(asked, granted, at).await;

        let expected: Vec<String> = tokens.iter().map(|n| format!("Bearer tok-{n}")).collect();
        assert_eq!(
            sent, expected,
            "asked for {asked} s, granted {granted} s, creates at 0 and {at:?} s"
        );
    }
}

#[tokio::test]
async fn an_expires_that_is_not_seconds_is_the_lifetime_asked_for_with_one_warning() {
    let (logs, _capturing) = capture_logs();
    let server = MockServer::start().await;
    mount_token_by_ak_sk(
        &server,
        SuccessiveTokens::expiring_in("2018-12-24 11:36:11"),
        2,
    )
    .await;
    mount_create_called_route(&server, 3).await;
    let client = aksk_client_with_lifetime(&server, Duration::from_secs(600));

    for _ in 0..2 {
        client
            .create_called_route(&documented_route())
            .await
            .expect("the token is used, not refused");
    }
    let token = client.access_token().await.expect("a token");
    let left = token
        .expires_at()
        .expect("an AK/SK token has an end")
        .saturating_duration_since(tokio::time::Instant::now());
    assert!(
        left > Duration::from_secs(590) && left <= Duration::from_secs(600),
        "it lasts the 600 s asked for: {left:?}"
    );
    // A second token from the same provider: no second warning.
    jump(Duration::from_secs(545)).await;
    client
        .create_called_route(&documented_route())
        .await
        .expect("a fresh token");
    assert_eq!(
        tokens_sent(&server).await,
        ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    );

    let text = logs.text();
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("Expires"))
        .collect();
    assert_eq!(warnings.len(), 1, "{text}");
    assert!(
        warnings[0].contains("expires=2018-12-24 11:36:11")
            && warnings[0].contains("lifetime_s=600")
            && warnings[0].contains("the lifetime asked for"),
        "{}",
        warnings[0]
    );
    server.verify().await;
}

#[tokio::test]
async fn expired_token_is_never_sent() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, SuccessiveTokens::expiring_in("600"), 2).await;
    mount_create_called_route_for(&server, "tok-1", 1).await;
    mount_create_called_route_for(&server, "tok-2", 1).await;
    let client = aksk_client(&server);

    client
        .create_called_route(&documented_route())
        .await
        .expect("first create, with tok-1");
    jump(Duration::from_secs(601)).await;
    client
        .create_called_route(&documented_route())
        .await
        .expect("second create, with a fresh token (tok-1 is not accepted)");

    server.verify().await;
}

// ---------------------------------------------------------------------------
// 401: one refresh, one resend
// ---------------------------------------------------------------------------

#[tokio::test]
async fn unauthorized_is_answered_by_one_refresh_and_one_resend() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, SuccessiveTokens::expiring_in("600"), 2).await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(bearer_token("tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .named("createCalledRoute refusing tok-1")
        .mount(&server)
        .await;
    mount_create_called_route_for(&server, "tok-2", 1).await;

    let success = aksk_client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("the resend with a fresh token succeeds");

    assert_eq!(success.description.as_deref(), Some("data create success"));
    assert_eq!(tokens_sent(&server).await, ["Bearer tok-1", "Bearer tok-2"]);
    server.verify().await;
}

#[tokio::test]
async fn unauthorized_twice_is_an_unauthorized_error_after_two_calls() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, SuccessiveTokens::expiring_in("600"), 2).await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(ResponseTemplate::new(401).set_body_string("token rejected"))
        .expect(2)
        .named("createCalledRoute refusing every token")
        .mount(&server)
        .await;

    let error = aksk_client(&server)
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    assert!(matches!(&error, Error::Unauthorized { .. }), "{error:?}");
    assert_eq!(tokens_sent(&server).await, ["Bearer tok-1", "Bearer tok-2"]);
    server.verify().await;
}

// ---------------------------------------------------------------------------
// Token endpoint failures
// ---------------------------------------------------------------------------

/// Creates the documented route with a token endpoint answering `failure`
/// once; the business endpoint must not be called.
async fn create_with_token_endpoint_answering(failure: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, failure, 1).await;
    mount_create_called_route(&server, 0).await;

    let error = aksk_client(&server)
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    server.verify().await;
    error
}

/// The checks every token failure passes: `Error::Auth`, naming the
/// endpoint, without the secret, nothing sent to CEC.
fn assert_token_failure(error: &Error, status: Option<u16>) -> String {
    let Error::Auth {
        status: auth_status,
        ..
    } = error
    else {
        panic!("expected Error::Auth, got {error:?}");
    };
    assert_eq!(*auth_status, status);
    assert_eq!(error.status(), status);
    assert!(!error.may_have_reached_server());
    let message = error.to_string();
    assert!(message.contains("tokenByAkSk"), "{message}");
    assert!(!message.contains("app-secret"), "{message}");
    assert!(!format!("{error:?}").contains("app-secret"), "{error:?}");
    message
}

/// Creates the documented route with tokens from `token_base_url`; the
/// business endpoint must not be called.
async fn create_with_token_endpoint_at(token_base_url: &str) -> Error {
    let server = MockServer::start().await;
    mount_create_called_route(&server, 0).await;
    let client = Client::builder()
        .base_url(server.uri())
        .token_base_url(token_base_url)
        .credentials("app-key", "app-secret")
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("valid client");

    let error = client
        .create_called_route(&documented_route())
        .await
        .unwrap_err();
    server.verify().await;
    error
}

/// A token endpoint that cannot be reached says nothing about the
/// credentials: each way of not reaching it is `Error::Connect`, the error
/// of any other call that cannot connect, naming the token endpoint's URL.
#[tokio::test]
async fn a_token_endpoint_that_cannot_be_reached_is_a_connect_error_naming_it() {
    let plain_http = MockServer::start().await;
    let https_to_http = format!("https://{}", plain_http.address());
    let refused = format!("http://{}", closed_port_address());
    // Each row: the token base URL, and what the case is.
    let table = [
        (refused.as_str(), "a refused connection"),
        ("https://cec.invalid", "a name that does not resolve"),
        (https_to_http.as_str(), "https to a plain http server"),
    ];
    for (url, case) in table {
        let error = create_with_token_endpoint_at(url).await;

        let Error::Connect { url: tried, .. } = &error else {
            panic!("{case}: expected Error::Connect, got {error:?}");
        };
        assert_eq!(
            tried,
            &format!("{url}{TOKEN_BY_AK_SK}"),
            "{case}: the token endpoint is named"
        );
        assert!(!error.is_auth(), "{case}");
        assert!(!error.may_have_reached_server(), "{case}");
        assert_eq!(error.status(), None, "{case}");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("could not connect to {url}{TOKEN_BY_AK_SK}: ")),
            "{case}: {message}"
        );
        assert!(!message.contains("app-secret"), "{case}: {message}");
    }
    assert!(
        plain_http
            .received_requests()
            .await
            .expect("recording")
            .is_empty(),
        "a TLS handshake is not an HTTP request"
    );
}

#[tokio::test]
async fn a_token_endpoint_answering_404_is_a_config_error_saying_the_url_looks_wrong() {
    let server = MockServer::start().await;
    mount_create_called_route(&server, 0).await;
    // A base URL with a path stem that is not there: wiremock answers 404.
    let base = format!("{}/wrong", server.uri());
    let client = Client::builder()
        .base_url(&base)
        .credentials("app-key", "app-secret")
        .build()
        .expect("valid client");

    let error = client
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(!error.is_auth());
    assert!(!error.may_have_reached_server());
    assert_eq!(
        error.to_string(),
        format!(
            "invalid configuration: tokenByAkSk answered 404 not found at {base}{TOKEN_BY_AK_SK}: \
             the URL looks wrong; check the base URL, or set the token base URL if tokenByAkSk is \
             served elsewhere (such as port 28070)"
        )
    );
    server.verify().await;
}

#[tokio::test]
async fn a_token_endpoint_refusing_the_credentials_is_an_auth_error() {
    for status in [401, 403] {
        let error = create_with_token_endpoint_answering(
            ResponseTemplate::new(status).set_body_string("app-secret is not valid"),
        )
        .await;

        let message = assert_token_failure(&error, Some(status));
        assert!(error.is_auth(), "{status}");
        assert!(message.contains(&status.to_string()), "{message}");
        assert!(message.contains("[REDACTED] is not valid"), "{message}");
    }
}

/// A token endpoint that answers without a usable token: the call is an
/// auth error naming the status and what was wrong, and nothing is sent to
/// CEC (`assert_token_failure`).
#[tokio::test]
async fn a_token_endpoint_answer_without_a_usable_token_is_an_auth_error_saying_why() {
    // Each row: the answer, its status, words the message must carry.
    let table = [
        (
            ResponseTemplate::new(500).set_body_string("internal error"),
            500,
            &["500"][..],
        ),
        (
            ResponseTemplate::new(200).set_body_string("<html>login</html>"),
            200,
            &["not the documented JSON"],
        ),
        (
            ResponseTemplate::new(200)
                .set_body_json(json!({"ApplyType": "Bearer", "Expires": "600"})),
            200,
            &["AccessToken"],
        ),
        // No row for an `Expires` that is not seconds: it is not a failure
        // (see `an_expires_that_is_not_seconds_…`).
    ];
    let mut messages = String::new();
    for (response, status, says) in table {
        let error = create_with_token_endpoint_answering(response).await;

        let message = assert_token_failure(&error, Some(status));
        for words in says {
            assert!(message.contains(words), "{status}: {message}");
        }
        messages.push_str(&format!("{status}: {message}\n"));
    }
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]")]}, {
        insta::assert_snapshot!(messages);
    });
}

#[tokio::test]
async fn failed_token_fetch_does_not_poison_the_cache() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .named("tokenByAkSk failing once")
        .mount(&server)
        .await;
    mount_token_by_ak_sk(&server, token_response("tok-1", "600"), 1).await;
    mount_create_called_route_for(&server, "tok-1", 1).await;
    let client = aksk_client(&server);

    let first = client.create_called_route(&documented_route()).await;
    assert!(matches!(first, Err(Error::Auth { .. })), "{first:?}");
    assert_eq!(requests_to(&server, CREATE_CALLED_ROUTE).await.len(), 0);

    client
        .create_called_route(&documented_route())
        .await
        .expect("the next call fetches a token again and succeeds");
    server.verify().await;
}

#[tokio::test]
async fn token_endpoint_back_after_refusing_connections_recovers() {
    let business = MockServer::start().await;
    mount_create_called_route_for(&business, "tok-1", 1).await;
    let token_address = closed_port_address();
    let client = Client::builder()
        .base_url(business.uri())
        .token_base_url(format!("http://{token_address}"))
        .credentials("app-key", "app-secret")
        .build()
        .expect("valid client");

    let first = client.create_called_route(&documented_route()).await;
    assert!(matches!(first, Err(Error::Connect { .. })), "{first:?}");

    let listener = std::net::TcpListener::bind(token_address).expect("the port is free again");
    let token_server = MockServer::builder().listener(listener).start().await;
    mount_token_by_ak_sk(&token_server, token_response("tok-1", "600"), 1).await;

    client
        .create_called_route(&documented_route())
        .await
        .expect("the token endpoint is back, so the call succeeds");
    token_server.verify().await;
    business.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_the_error_of_one_failed_fetch() {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(
        &server,
        ResponseTemplate::new(500).set_delay(Duration::from_millis(300)),
        1,
    )
    .await;
    mount_create_called_route(&server, 0).await;
    let client = aksk_client(&server);
    let route = documented_route();

    let outcomes =
        futures::future::join_all((0..20).map(|_| client.create_called_route(&route))).await;

    for outcome in &outcomes {
        assert!(
            matches!(
                outcome,
                Err(Error::Auth {
                    status: Some(500),
                    ..
                })
            ),
            "{outcome:?}"
        );
    }
    server.verify().await;
}
