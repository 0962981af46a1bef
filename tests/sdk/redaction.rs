//! Secrets cannot leak: the app secret and access tokens never appear in any
//! `Debug` or `Display` output, in any error, or in the tracing output of a
//! whole AK/SK flow.

use crate::common;

use common::logs::capture_logs;
use common::paths::{CREATE_CALLED_ROUTE, TOKEN_BY_AK_SK};
use std::time::Duration;

use cec_routes::{
    AccessToken, AkSkProvider, CalledRoute, Client, Device, Error, RetryPolicy, StaticToken,
};
use serde_json::json;
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{bearer_token, method, path},
};

const APP_SECRET: &str = "s3cr3t-app-secret";
const TOKEN: &str = "t0k3n-value-xyz";

/// Fails when `text` contains the app secret or the token, or a telling part
/// of either (their first ten characters).
#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for secret in [APP_SECRET, TOKEN] {
        let part = &secret[..10];
        assert!(
            !text.contains(part),
            "{what} shows (part of) `{secret}`:\n{text}"
        );
    }
}

/// Checks `Display`, `Debug` and pretty `Debug` of an error.
#[track_caller]
fn assert_error_hides_secrets(error: &Error) {
    assert_error_of_hides_secrets("the error", error);
}

/// Checks `Display`, `Debug` and pretty `Debug` of the error of `what`.
#[track_caller]
fn assert_error_of_hides_secrets(what: &str, error: &Error) {
    assert_no_secret(&format!("{what}: Display"), &error.to_string());
    assert_no_secret(&format!("{what}: Debug"), &format!("{error:?}"));
    assert_no_secret(&format!("{what}: pretty Debug"), &format!("{error:#?}"));
}

fn route() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(1)).expect("valid route")
}

fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "0", "description": "data create success"}))
}

fn token_response(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "AccessToken": token,
        "ApplyType": "Bearer",
        "CreateTime": "1545650171",
        "Expires": "600",
        "Scope": "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "AppKey": "app-key",
        "UserID": "Anonymous",
    }))
}

/// A client with AK/SK credentials that sends each request once (each
/// answer below is met once).
fn aksk_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .credentials("app-key", APP_SECRET)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid client")
}

async fn mount_token_by_ak_sk(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(response)
        .expect(1)
        .named("tokenByAkSk")
        .mount(server)
        .await;
}

/// The error of a create whose token request is answered with `response`.
async fn error_when_token_by_ak_sk_answers(response: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    mount_token_by_ak_sk(&server, response).await;

    let error = aksk_client(&server)
        .create_called_route(&route())
        .await
        .expect_err("the token request fails");

    assert!(matches!(&error, Error::Auth { .. }), "{error:?}");
    server.verify().await;
    error
}

// ---------------------------------------------------------------------------
// Debug of configuration and tokens
// ---------------------------------------------------------------------------

#[test]
fn client_builder_debug_hides_the_app_secret_and_the_token() {
    let with_credentials = Client::builder()
        .base_url("https://service.besclouds.com")
        .credentials("app-key", APP_SECRET);
    let with_token = Client::builder()
        .base_url("https://service.besclouds.com")
        .token(TOKEN);

    for builder in [&with_credentials, &with_token] {
        assert_no_secret("Debug", &format!("{builder:?}"));
        assert_no_secret("pretty Debug", &format!("{builder:#?}"));
    }
}

#[test]
fn client_debug_hides_the_app_secret_and_the_token() {
    let with_credentials = Client::builder()
        .base_url("https://service.besclouds.com")
        .credentials("app-key", APP_SECRET)
        .build()
        .expect("valid client");
    let with_token = Client::builder()
        .base_url("https://service.besclouds.com")
        .token(TOKEN)
        .build()
        .expect("valid client");

    for client in [&with_credentials, &with_token] {
        assert_no_secret("Debug", &format!("{client:?}"));
        assert_no_secret("pretty Debug", &format!("{client:#?}"));
    }
}

#[test]
fn aksk_provider_debug_hides_the_app_secret() {
    let provider = AkSkProvider::new(
        "https://service.besclouds.com",
        "app-key",
        APP_SECRET.into(),
    )
    .expect("valid provider");

    assert_no_secret("Debug", &format!("{provider:?}"));
    assert_no_secret("pretty Debug", &format!("{provider:#?}"));
    assert!(format!("{provider:?}").contains("app-key"), "{provider:?}");
}

#[test]
fn static_token_and_access_token_debug_hide_the_token() {
    let static_token = StaticToken::new(TOKEN);
    let token = AccessToken::new(TOKEN);
    let dated = AccessToken::with_expiry(TOKEN, tokio::time::Instant::now());

    assert_no_secret("StaticToken Debug", &format!("{static_token:?}"));
    assert_no_secret("StaticToken pretty Debug", &format!("{static_token:#?}"));
    for token in [&token, &dated] {
        assert_no_secret("AccessToken Debug", &format!("{token:?}"));
        assert_no_secret("AccessToken pretty Debug", &format!("{token:#?}"));
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Whatever the token endpoint answers, echoing the app secret or holding
/// the token, the error shows neither (`error_when_token_by_ak_sk_answers`
/// also checks it is an auth error).
#[tokio::test]
async fn token_endpoint_answers_echoing_the_secret_or_holding_the_token_never_show_them() {
    // The body snippet is cut at BODY_SNIPPET_CHARS characters: this padding
    // puts the cut in the middle of the echoed secret.
    let padding = "x".repeat(cec_routes::limits::BODY_SNIPPET_CHARS - 12);
    // Each row: the answer, and what of it the message still says.
    let table = [
        (
            "an error body echoing the secret",
            ResponseTemplate::new(500)
                .set_body_string(format!("bad app_secret {APP_SECRET} for app-key")),
            Some("for app-key"),
        ),
        (
            "an error body cut inside the secret",
            ResponseTemplate::new(400).set_body_string(format!("{padding} {APP_SECRET} rejected")),
            None,
        ),
        (
            "an unexpected status with a body echoing the secret",
            ResponseTemplate::new(503)
                .set_body_string(format!("unavailable; app_secret={APP_SECRET}")),
            None,
        ),
        (
            "a body that is not JSON, echoing the secret",
            ResponseTemplate::new(200).set_body_string(format!("<html>{APP_SECRET}</html>")),
            None,
        ),
        (
            // `Expires` as a number, as many token servers send it: the body
            // does not decode, so it is not quoted, and it holds the token.
            "a token response that does not decode",
            ResponseTemplate::new(200).set_body_json(json!({"AccessToken": TOKEN, "Expires": 600})),
            None,
        ),
    ];
    for (what, response, still_says) in table {
        let error = error_when_token_by_ak_sk_answers(response).await;

        assert_error_of_hides_secrets(what, &error);
        if let Some(words) = still_says {
            assert!(error.to_string().contains(words), "{what}: {error}");
        }
    }
}

#[tokio::test]
async fn token_endpoint_refusing_connections_error_hides_the_secret() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let closed = listener.local_addr().expect("the port is known");
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://{closed}"))
        .credentials("app-key", APP_SECRET)
        .build()
        .expect("valid client");

    let error = client.create_called_route(&route()).await.unwrap_err();

    assert!(matches!(&error, Error::Connect { .. }), "{error:?}");
    assert_error_hides_secrets(&error);
}

#[tokio::test]
async fn unauthorized_after_refresh_error_hides_the_secret_and_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(token_response(TOKEN))
        .expect(2)
        .named("tokenByAkSk")
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(ResponseTemplate::new(401).set_body_string("token rejected"))
        .expect(2)
        .named("createCalledRoute refusing every token")
        .mount(&server)
        .await;

    let error = aksk_client(&server)
        .create_called_route(&route())
        .await
        .unwrap_err();

    assert!(matches!(&error, Error::Unauthorized { .. }), "{error:?}");
    assert_error_hides_secrets(&error);
}

#[tokio::test]
async fn business_error_body_echoing_the_token_is_redacted() {
    // The Error type promises that no variant ever holds an access token;
    // a gateway that quotes the rejected token must not break that promise.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(
            ResponseTemplate::new(403).set_body_string(format!("token {TOKEN} is not allowed")),
        )
        .expect(1)
        .named("createCalledRoute echoing the token")
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .token(TOKEN)
        .build()
        .expect("valid client");

    let error = client.create_called_route(&route()).await.unwrap_err();

    assert!(matches!(&error, Error::Forbidden { .. }), "{error:?}");
    assert_error_hides_secrets(&error);
}

// ---------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------

#[tokio::test]
async fn logs_of_an_aksk_flow_with_a_401_refresh_show_no_secret_or_token() {
    let server = MockServer::start().await;
    let second_token = format!("{TOKEN}-2");
    let issued = std::sync::atomic::AtomicUsize::new(0);
    let tokens = [TOKEN.to_owned(), second_token.clone()];
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(move |_: &Request| {
            let n = issued.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            token_response(&tokens[n.min(1)])
        })
        .expect(2)
        .named("tokenByAkSk")
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .named("createCalledRoute refusing the first token")
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .and(bearer_token(second_token.as_str()))
        .respond_with(documented_success())
        .expect(1)
        .named("createCalledRoute accepting the second token")
        .mount(&server)
        .await;
    let (logs, capturing) = capture_logs();

    aksk_client(&server)
        .create_called_route(&route())
        .await
        .expect("the resend with the second token succeeds");
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(capturing);

    let logs = logs.text();
    assert!(
        logs.contains("tokenByAkSk"),
        "the token request is logged:\n{logs}"
    );
    assert!(
        logs.contains("401"),
        "the refresh after a 401 is logged:\n{logs}"
    );
    assert_no_secret("the logs", &logs);
    server.verify().await;
}
