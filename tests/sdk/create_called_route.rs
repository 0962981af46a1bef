//! Contract tests for `createCalledRoute`: what the client sends (method, path,
//! headers, body exactly as documented) and how each documented and
//! undocumented answer becomes a typed outcome.
//!
//! Fixtures are the documented example (api-cec cec_07_0040 / cec_07_1030).

use crate::common;

use common::contract::{client, the_request};
use common::logs::capture_logs;
use common::paths::CREATE_CALLED_ROUTE;
use common::statuses;
use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};

use cec_routes::{CalledRoute, Client, Device, Error, MediaType, Success};
use serde::Serialize;
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{any, body_json, header, method, path},
};

/// The documented example route: `9911411` ext `11` → skill queue 1, video.
fn documented_route() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(1))
        .and_then(|r| r.with_ext_code("11"))
        .and_then(|r| r.with_media_type(MediaType::Video))
        .expect("the documented example route is valid")
}

/// The documented example request body.
fn documented_body() -> Value {
    json!({"accessCode": "9911411", "extCode": "11", "devicetype": 1, "deviceId": 1, "mediaTypeId": 19})
}

/// The documented example response.
fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "0", "description": "data create success"}))
}

fn client_with_app_key(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token("t0k")
        .app_key("my-app-key")
        .build()
        .expect("a loopback base URL, a token and an app key make a valid client")
}

/// Mounts `createCalledRoute` answering `response`, expected `times` times.
async fn mount_create_called_route(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(response)
        .expect(times)
        .named("createCalledRoute")
        .mount(server)
        .await;
}

/// Creates the documented route against a fresh server answering `response`
/// `times` times, and returns the outcome.
async fn create_called_route_answered_with(
    response: ResponseTemplate,
    times: u64,
) -> Result<Success, Error> {
    let server = MockServer::start().await;
    mount_create_called_route(&server, response, times).await;
    let outcome = client(&server)
        .create_called_route(&documented_route())
        .await;
    server.verify().await;
    outcome
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

fn header_names(request: &Request) -> BTreeSet<String> {
    request
        .headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|name| (*name).to_owned()).collect()
}

/// A URL on which nothing listens: connections to it are refused.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("the port is known");
    drop(listener);
    format!("http://{address}")
}

// ---------------------------------------------------------------------------
// What is sent
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sends_documented_example_body_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(body_json(documented_body()))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute with the documented body")
        .mount(&server)
        .await;

    client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("the documented example succeeds");

    // Exact JSON equality: no field more, none less, no other value.
    let received: Value = the_request(&server).await.body_json().expect("JSON body");
    assert_eq!(received, documented_body());
}

#[tokio::test]
async fn sends_post_to_the_documented_path() {
    let server = MockServer::start().await;
    mount_create_called_route(&server, documented_success(), 1).await;

    client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let request = the_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), CREATE_CALLED_ROUTE);
    assert_eq!(
        request.url.query(),
        None,
        "no query parameters are documented"
    );
}

#[tokio::test]
async fn sends_bearer_token_in_authorization_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(header("authorization", "Bearer t0k"))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute with Bearer t0k")
        .mount(&server)
        .await;

    client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let request = the_request(&server).await;
    let values: Vec<_> = request.headers.get_all("authorization").iter().collect();
    assert_eq!(values, ["Bearer t0k"], "exactly one Authorization header");
}

#[tokio::test]
async fn sends_x_app_key_when_an_app_key_is_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(header("x-app-key", "my-app-key"))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute with X-APP-Key")
        .mount(&server)
        .await;

    client_with_app_key(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let request = the_request(&server).await;
    let values: Vec<_> = request.headers.get_all("x-app-key").iter().collect();
    assert_eq!(values, ["my-app-key"], "exactly one X-APP-Key header");
}

#[tokio::test]
async fn sends_no_x_app_key_when_none_is_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(|r: &Request| !r.headers.contains_key("x-app-key"))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute without X-APP-Key")
        .mount(&server)
        .await;

    client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");
}

#[tokio::test]
async fn sends_json_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(header("content-type", "application/json"))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute with JSON content type")
        .mount(&server)
        .await;

    client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");
}

#[tokio::test]
async fn sends_no_api_version_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(|r: &Request| !r.headers.contains_key("api-version"))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute without api-version")
        .mount(&server)
        .await;

    client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");
}

#[tokio::test]
async fn sends_only_documented_and_ordinary_headers() {
    let server = MockServer::start().await;
    mount_create_called_route(&server, documented_success(), 1).await;

    client_with_app_key(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let request = the_request(&server).await;
    assert_eq!(
        header_names(&request),
        names(&[
            "accept",
            "authorization",
            "content-length",
            "content-type",
            "host",
            "user-agent",
            "x-app-key",
        ]),
        "an unexpected header was sent (or an expected one is missing)"
    );
    insta::assert_json_snapshot!(RecordedRequest::from(&request), {
        ".headers.authorization" => "[token]",
        ".headers.host" => "[host]",
    });
}

#[tokio::test]
async fn sends_only_ordinary_headers_besides_authorization_without_app_key() {
    let server = MockServer::start().await;
    mount_create_called_route(&server, documented_success(), 1).await;

    client(&server)
        .create_called_route(&documented_route())
        .await
        .expect("success");

    let request = the_request(&server).await;
    assert_eq!(
        header_names(&request),
        names(&[
            "accept",
            "authorization",
            "content-length",
            "content-type",
            "host",
            "user-agent",
        ]),
    );
}

#[tokio::test]
async fn route_without_ext_code_or_media_type_sends_neither_field() {
    let server = MockServer::start().await;
    let expected = json!({"accessCode": "9911411", "devicetype": 1, "deviceId": 1});
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(body_json(&expected))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute without extCode and mediaTypeId")
        .mount(&server)
        .await;

    let route = CalledRoute::new("9911411", Device::SkillQueue(1)).expect("valid route");
    client(&server)
        .create_called_route(&route)
        .await
        .expect("success");

    let received: Value = the_request(&server).await.body_json().expect("JSON body");
    assert_eq!(received, expected);
}

#[tokio::test]
async fn ivr_route_sends_devicetype_3() {
    let server = MockServer::start().await;
    let expected = json!({"accessCode": "9911411", "devicetype": 3, "deviceId": 7});
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(body_json(&expected))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute to an IVR flow")
        .mount(&server)
        .await;

    let route = CalledRoute::new("9911411", Device::Ivr(7)).expect("valid route");
    client(&server)
        .create_called_route(&route)
        .await
        .expect("success");

    let received: Value = the_request(&server).await.body_json().expect("JSON body");
    assert_eq!(received, expected);
}

// ---------------------------------------------------------------------------
// How answers become outcomes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn documented_example_response_is_success_with_its_description() {
    let outcome = create_called_route_answered_with(documented_success(), 1).await;

    let success = outcome.expect("returnCode \"0\" is success");
    assert_eq!(success.description.as_deref(), Some("data create success"));
}

#[tokio::test]
async fn unknown_fields_in_a_success_response_are_ignored() {
    let response = ResponseTemplate::new(200).set_body_json(json!({
        "returnCode": "0",
        "description": "data create success",
        "data": {"id": "1125397061153369092"},
        "traceId": "abc",
    }));

    let success = create_called_route_answered_with(response, 1)
        .await
        .expect("extra fields do not turn success into failure");
    assert_eq!(success.description.as_deref(), Some("data create success"));
}

/// The error statuses the spec documents for createCalledRoute, as one table
/// (`common::statuses`): each becomes its own error, whose message gives the
/// documented meaning and quotes the body.
#[tokio::test]
async fn documented_error_statuses_become_their_errors_with_the_documented_meaning() {
    let table = statuses::answer_each_documented_error(
        "createCalledRoute",
        &[
            (400, "gateway: malformed accessCode"),
            (401, "gateway: token rejected"),
            (403, "gateway: app key not allowed"),
            (404, "gateway: no such API"),
            (500, "skill queue 1 is not a video queue"),
        ],
        create_called_route_answered_with,
    )
    .await;

    insta::assert_snapshot!(table);
}

#[tokio::test]
async fn non_zero_return_code_is_business_failure_with_code_and_description() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "02000001", "description": "access code exists"}));

    let error = create_called_route_answered_with(response, 1)
        .await
        .unwrap_err();

    match &error {
        Error::Business { code, description } => {
            assert_eq!(code, "02000001");
            assert_eq!(description.as_deref(), Some("access code exists"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
    assert_eq!(error.return_code(), Some("02000001"));
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn body_that_is_not_json_is_a_decode_error() {
    let response = ResponseTemplate::new(200).set_body_string("<html>maintenance</html>");

    let error = create_called_route_answered_with(response, 1)
        .await
        .unwrap_err();

    match &error {
        Error::Decode {
            operation, body, ..
        } => {
            assert_eq!(*operation, "createCalledRoute");
            assert!(body.contains("<html>maintenance</html>"), "{body}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn body_without_return_code_is_unconfirmed_not_success() {
    let response = ResponseTemplate::new(200).set_body_json(json!({}));

    let error = create_called_route_answered_with(response, 1)
        .await
        .unwrap_err();

    match &error {
        Error::Decode {
            operation, reason, ..
        } => {
            assert_eq!(*operation, "createCalledRoute");
            assert!(reason.contains("returnCode"), "{reason}");
            assert!(reason.contains("cannot be confirmed"), "{reason}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert!(error.may_have_reached_server());
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn redirect_is_unexpected_status_and_is_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = format!("{}/elsewhere", server.uri());
    mount_create_called_route(
        &server,
        ResponseTemplate::new(302)
            .insert_header("Location", elsewhere.as_str())
            .set_body_string("moved"),
        1,
    )
    .await;
    Mock::given(path("/elsewhere"))
        .respond_with(documented_success())
        .expect(0)
        .named("redirect target")
        .mount(&server)
        .await;

    let error = client(&server)
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::UnexpectedStatus { status: 302, .. }),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(302));
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn undocumented_status_503_is_unexpected_status() {
    let response = ResponseTemplate::new(503).set_body_string("service unavailable");

    let error = create_called_route_answered_with(response, 1)
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::UnexpectedStatus { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("service unavailable"));
    insta::assert_snapshot!(error.to_string());
}

// ---------------------------------------------------------------------------
// Whether the request may have reached CEC; retries
// ---------------------------------------------------------------------------

#[tokio::test]
async fn connection_refused_has_not_reached_the_server() {
    let client = Client::builder()
        .base_url(closed_port_url())
        .token("t0k")
        .build()
        .expect("valid client");

    let error = client
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    assert!(matches!(&error, Error::Connect { .. }), "{error:?}");
    assert!(!error.may_have_reached_server());
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]")]}, {
        insta::assert_snapshot!(error.to_string());
    });
}

#[test]
fn invalid_input_has_not_reached_the_server() {
    let error = CalledRoute::new("", Device::SkillQueue(1)).unwrap_err();

    assert!(matches!(&error, Error::InvalidInput { .. }), "{error:?}");
    assert!(!error.may_have_reached_server());
}

#[tokio::test]
async fn server_failure_may_have_reached_the_server() {
    let error = create_called_route_answered_with(ResponseTemplate::new(500), 1)
        .await
        .unwrap_err();

    assert!(matches!(&error, Error::ServerFailure { .. }), "{error:?}");
    assert!(error.may_have_reached_server());
}

#[tokio::test]
async fn timeout_may_have_reached_the_server_and_the_create_is_sent_once() {
    let server = MockServer::start().await;
    mount_create_called_route(
        &server,
        documented_success().set_delay(Duration::from_secs(3)),
        1,
    )
    .await;
    let client = Client::builder()
        .base_url(server.uri())
        .token("t0k")
        .timeout(Duration::from_millis(200))
        .build()
        .expect("valid client");

    let error = client
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    assert!(matches!(&error, Error::Timeout { .. }), "{error:?}");
    assert!(error.may_have_reached_server());
    // expect(1): a create that may have reached CEC is never retried.
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn connection_refused_is_retried_connect_retries_times_and_no_more() {
    let (logs, _capturing) = capture_logs();
    let client = Client::builder()
        .base_url(closed_port_url())
        .token("t0k")
        .connect_retries(3)
        .build()
        .expect("valid client");

    let error = client
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    assert!(matches!(&error, Error::Connect { .. }), "{error:?}");
    let logs = logs.text();
    let retries = logs.lines().filter(|l| l.contains("trying again")).count();
    assert_eq!(
        retries, 3,
        "expected 3 retries after the first attempt:\n{logs}"
    );
}

// ---------------------------------------------------------------------------
// The generated client
// ---------------------------------------------------------------------------

#[tokio::test]
async fn raw_generated_client_is_authenticated_by_the_same_hooks() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(header("authorization", "Bearer t0k"))
        .and(header("x-app-key", "my-app-key"))
        .and(|r: &Request| !r.headers.contains_key("api-version"))
        .and(body_json(documented_body()))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute through the raw client")
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(418))
        .expect(0)
        .named("anything else")
        .mount(&server)
        .await;

    let client = client_with_app_key(&server);
    let response = client
        .raw()
        .create_called_route(&documented_route().to_request())
        .await
        .expect("the raw client gets the documented success");

    assert_eq!(response.into_inner().return_code.as_deref(), Some("0"));
    server.verify().await;
}
