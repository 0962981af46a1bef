//! The rate limit (`SandboxBuilder::rate_limit`): at most N requests of
//! every path together in any sliding second; one more is answered 429 with
//! `Retry-After` and not carried out.
//!
//! In paused time: the sandbox runs on the test's runtime and counts on
//! tokio's clock, which stands still while a request is under way.

use std::time::Duration;

use cec_routes::{CalledRoute, Client, Device, Error, RetryPolicy};
use cec_routes_sandbox::{Sandbox, return_code};
use reqwest::{StatusCode, header::RETRY_AFTER};
use serde_json::Value;

const CREATE_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute";

/// 9911411 + `ext` → IVR flow 7: valid on the default seed.
fn route(ext: u32) -> CalledRoute {
    CalledRoute::new("9911411", Device::Ivr(7))
        .and_then(|route| route.with_ext_code(ext.to_string()))
        .expect("a valid route")
}

/// A client that sends each request once, with its token fetched already.
async fn once_client(sandbox: &Sandbox) -> Client {
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client for the sandbox");
    client.access_token().await.expect("a token");
    client
}

#[tokio::test(start_paused = true)]
async fn a_request_beyond_the_limit_is_answered_429_and_not_carried_out() {
    let sandbox = Sandbox::builder()
        .rate_limit(4)
        .start()
        .await
        .expect("the sandbox starts");
    assert_eq!(sandbox.rate_limit(), Some(4));
    let client = once_client(&sandbox).await;

    // The token request and three creates fill the second.
    for ext in 1..=3 {
        client
            .create_called_route(&route(ext))
            .await
            .expect("let through");
    }
    let error = client.create_called_route(&route(4)).await.unwrap_err();

    assert!(
        matches!(&error, Error::UnexpectedStatus { status: 429, body } if body.contains(return_code::THROTTLED)),
        "{error:?}"
    );
    assert!(error.to_string().contains("not carried out"), "{error}");
    assert_eq!(
        sandbox.routes().len(),
        3,
        "the fourth create was not carried out"
    );
    assert_eq!(sandbox.throttled(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_429_says_when_to_come_back_and_then_the_request_goes_through() {
    let sandbox = Sandbox::builder()
        .rate_limit(1)
        .start()
        .await
        .expect("the sandbox starts");
    let http = reqwest::Client::new();
    let post = || async {
        http.post(format!("{}{CREATE_PATH}", sandbox.base_url()))
            .body("{}")
            .send()
            .await
            .expect("the sandbox answers")
    };

    // Unauthenticated, so a 401: still a request that counts.
    assert_eq!(post().await.status(), StatusCode::UNAUTHORIZED);
    tokio::time::advance(Duration::from_millis(300)).await;
    let throttled = post().await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()[RETRY_AFTER], "1", "0.7 s, rounded up");
    let body: Value = throttled.json().await.expect("a JSON body");
    assert_eq!(body["returnCode"], return_code::THROTTLED);

    tokio::time::advance(Duration::from_millis(699)).await;
    assert_eq!(
        post().await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "still in the window"
    );
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(
        post().await.status(),
        StatusCode::UNAUTHORIZED,
        "the first left the window"
    );
    assert_eq!(sandbox.throttled(), 2);
}

#[tokio::test(start_paused = true)]
async fn every_path_counts_towards_one_limit() {
    let sandbox = Sandbox::builder()
        .rate_limit(3)
        .start()
        .await
        .expect("the sandbox starts");
    let http = reqwest::Client::new();
    let status = async |path: &str| {
        http.post(format!("{}{path}", sandbox.base_url()))
            .body("{}")
            .send()
            .await
            .expect("the sandbox answers")
            .status()
    };

    assert_eq!(status("/nowhere").await, StatusCode::NOT_FOUND);
    assert_eq!(
        status("/apigovernance/api/oauth/tokenByAkSk").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(status(CREATE_PATH).await, StatusCode::UNAUTHORIZED);
    for path in [
        "/nowhere",
        "/apigovernance/api/oauth/tokenByAkSk",
        CREATE_PATH,
    ] {
        assert_eq!(status(path).await, StatusCode::TOO_MANY_REQUESTS, "{path}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_standard_policy_waits_out_a_429_and_the_create_is_carried_out_once() {
    let sandbox = Sandbox::builder()
        .rate_limit(2)
        .start()
        .await
        .expect("the sandbox starts");
    let client = sandbox.client_builder().build().expect("a client");
    let started = tokio::time::Instant::now();

    // Token and first create fill the second; the second create is
    // refused, waits for Retry-After, and is resent.
    client
        .create_called_route(&route(1))
        .await
        .expect("created");
    client
        .create_called_route(&route(2))
        .await
        .expect("created after the 429");

    assert_eq!(sandbox.throttled(), 1);
    assert_eq!(sandbox.routes().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was waited for"
    );
}

#[tokio::test]
async fn without_a_limit_nothing_is_throttled() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = once_client(&sandbox).await;
    for ext in 1..=60 {
        client
            .create_called_route(&route(ext))
            .await
            .expect("created");
    }
    // Every create above went through; with no limit there is no counter
    // of refusals to look at.
    assert_eq!(sandbox.rate_limit(), None);
}
