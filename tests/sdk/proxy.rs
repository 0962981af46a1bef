//! Proxies and the caller's own HTTP client: a proxy set on the builder
//! carries every request (`tokenByAkSk` included), a loopback base URL never
//! goes through one, and a reqwest client of the caller's sends everything
//! while the SDK keeps its timeout and refuses answers from elsewhere.
//!
//! The proxy is a wiremock server: a plain-http proxy receives each request
//! whole (in absolute form), so it can answer as CEC would. The base URL's
//! host does not resolve, so a request that arrives proves the proxy
//! carried it. The environment's proxies (`HTTPS_PROXY`, …) are tested
//! through the command-line tool, in its own process.

use crate::common;

use common::paths::{CREATE_CALLED_ROUTE, TOKEN_BY_AK_SK};
use std::time::{Duration, Instant};

use cec_routes::{CalledRoute, Client, ClientBuilder, Device, Error};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

/// A host that does not resolve: only a proxy can reach it.
const FAR_AWAY: &str = "http://cec.example.invalid";

fn route() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(1)).expect("a valid route")
}

/// Mounts `tokenByAkSk` and `createCalledRoute` answering as documented,
/// each expected `times` times.
async fn mount_cec(server: &MockServer, times: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_BY_AK_SK))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "AccessToken": "tok-1", "ApplyType": "Bearer", "CreateTime": "1545650171",
            "Expires": "600", "Scope": "x", "AppKey": "app-key", "UserID": "Anonymous"
        })))
        .expect(times)
        .named("tokenByAkSk")
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"returnCode": "0", "description": "data create success"})),
        )
        .expect(times)
        .named("createCalledRoute")
        .mount(server)
        .await;
}

/// An AK/SK client for `base_url` (plain http allowed).
fn aksk(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .allow_insecure_http(true)
        .credentials("app-key", "app-secret")
}

/// The `Host` header of every request `server` received.
async fn hosts(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .iter()
        .map(|r| {
            r.headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_proxy_set_on_the_builder_carries_every_request() {
    let proxy = MockServer::start().await;
    mount_cec(&proxy, 1).await;

    aksk(FAR_AWAY)
        .proxy(proxy.uri())
        .build()
        .expect("valid client")
        .create_called_route(&route())
        .await
        .expect("the proxy reaches CEC");

    assert_eq!(
        hosts(&proxy).await,
        ["cec.example.invalid", "cec.example.invalid"],
        "tokenByAkSk and createCalledRoute, both for CEC's host"
    );
    proxy.verify().await;
}

#[tokio::test]
async fn a_loopback_base_url_never_goes_through_the_proxy() {
    let proxy = MockServer::start().await;
    let port = {
        let cec = MockServer::start().await;
        mount_cec(&cec, 2).await;
        let port = cec.address().port();
        for base in [
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ] {
            aksk(&base)
                .proxy(proxy.uri())
                .build()
                .expect("valid client")
                .create_called_route(&route())
                .await
                .unwrap_or_else(|e| panic!("{base}: {e}"));
        }
        cec.verify().await;
        port
    };
    assert!(
        hosts(&proxy).await.is_empty(),
        "port {port}: the proxy saw nothing"
    );
}

#[tokio::test]
async fn no_proxy_connects_straight_to_the_server() {
    let proxy = MockServer::start().await;

    let error = aksk(FAR_AWAY)
        .proxy(proxy.uri())
        .no_proxy()
        .build()
        .expect("valid client")
        .create_called_route(&route())
        .await
        .expect_err("cec.example.invalid does not resolve");

    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
    assert!(hosts(&proxy).await.is_empty());
}

#[test]
fn a_proxy_url_that_is_not_http_is_refused_without_repeating_it() {
    for url in ["ftp://user:hunter2@proxy:21", "http://", "not a url at all"] {
        let builder = Client::builder().token("t0k").proxy(url);
        assert!(
            !format!("{builder:?}").contains("hunter2"),
            "Debug hides the proxy's password: {builder:?}"
        );
        let error = builder.build().expect_err("not a usable proxy");
        assert!(matches!(error, Error::Config { .. }), "{url}: {error:?}");
        assert!(error.to_string().contains("the proxy URL"), "{error}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
}

#[tokio::test]
async fn your_own_http_client_sends_every_request() {
    let proxy = MockServer::start().await;
    mount_cec(&proxy, 1).await;
    let http = reqwest::Client::builder()
        .proxy(reqwest::Proxy::all(proxy.uri()).expect("a proxy URL"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");

    aksk(FAR_AWAY)
        .http_client(http)
        .build()
        .expect("valid client")
        .create_called_route(&route())
        .await
        .expect("your client's proxy reaches CEC");

    assert_eq!(
        hosts(&proxy).await.len(),
        2,
        "tokenByAkSk and createCalledRoute"
    );
    proxy.verify().await;
}

#[test]
fn your_own_http_client_takes_no_proxy_or_connect_timeout_setting() {
    type Setting = fn(ClientBuilder) -> ClientBuilder;
    let settings: [(&str, Setting); 3] = [
        ("proxy", |b| b.proxy("http://proxy:3128")),
        ("no_proxy", |b| b.no_proxy()),
        ("connect_timeout", |b| {
            b.connect_timeout(Duration::from_secs(1))
        }),
    ];
    for (name, set) in settings {
        let builder = Client::builder()
            .token("t0k")
            .http_client(reqwest::Client::new());
        let error = set(builder).build().expect_err("the setting cannot apply");
        assert!(matches!(error, Error::Config { .. }), "{name}: {error:?}");
        assert!(
            error
                .to_string()
                .contains("your own HTTP client cannot be combined"),
            "{name}: {error}"
        );
    }
}

#[tokio::test]
async fn the_timeout_applies_to_your_own_http_client_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;

    let started = Instant::now();
    let error = Client::builder()
        .base_url(server.uri())
        .token("t0k")
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("valid client")
        .create_called_route(&route())
        .await
        .expect_err("the answer is too slow");

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_answer_your_own_client_fetched_from_a_redirect_is_refused() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"returnCode": "0"})))
        .mount(&elsewhere)
        .await;
    let cec = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}{CREATE_CALLED_ROUTE}", elsewhere.uri()),
        ))
        .expect(1)
        .mount(&cec)
        .await;

    // reqwest's default client follows redirects.
    let error = Client::builder()
        .base_url(cec.uri())
        .token("t0k")
        .http_client(reqwest::Client::new())
        .build()
        .expect("valid client")
        .create_called_route(&route())
        .await
        .expect_err("an answer from elsewhere is not CEC's");

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.may_have_reached_server());
    assert!(
        error.to_string().contains(&format!(
            "the HTTP client followed a redirect to {}{CREATE_CALLED_ROUTE}",
            elsewhere.uri()
        )),
        "{error}"
    );
    // What the SDK cannot undo: the request went on to the other server.
    let forwarded = elsewhere.received_requests().await.expect("recording");
    assert_eq!(forwarded.len(), 1);
}
