//! Configuration: the environment variables (read through
//! `ClientBuilder::from_lookup`, so no test touches the process environment) and
//! the base URL rules.

use crate::common;

use common::paths::CREATE_CALLED_ROUTE;
use std::collections::HashMap;

use cec_routes::{CalledRoute, Client, ClientBuilder, Device, Error};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

/// Builds a client from these variables, as `Client::from_env` would.
fn client_from(vars: &[(&str, &str)]) -> Result<Client, Error> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    ClientBuilder::from_lookup(|name| vars.get(name).cloned())?.build()
}

/// The reason of the `Error::Config` these variables give.
#[track_caller]
fn config_error(vars: &[(&str, &str)]) -> String {
    match client_from(vars) {
        Err(Error::Config { reason }) => reason,
        Err(other) => panic!("expected Error::Config for {vars:?}, got {other:?}"),
        Ok(client) => panic!("expected Error::Config for {vars:?}, got {client:?}"),
    }
}

/// The reason of the `Error::Config` building a token client for `base_url` gives.
#[track_caller]
fn base_url_error(base_url: &str) -> String {
    match Client::builder().base_url(base_url).token("t0k").build() {
        Err(Error::Config { reason }) => reason,
        Err(other) => panic!("expected Error::Config for {base_url}, got {other:?}"),
        Ok(client) => panic!("expected Error::Config for {base_url}, got {client:?}"),
    }
}

// ---------------------------------------------------------------------------
// Environment variables
// ---------------------------------------------------------------------------

#[test]
fn no_credentials_is_a_config_error_naming_the_variables() {
    let reason = config_error(&[("CEC_BASE_URL", "https://service.besclouds.com")]);

    assert!(reason.contains("CEC_TOKEN"), "{reason}");
    assert!(reason.contains("CEC_APP_KEY"), "{reason}");
    assert!(reason.contains("CEC_APP_SECRET"), "{reason}");
}

#[test]
fn app_secret_without_app_key_is_a_config_error_naming_cec_app_key() {
    let reason = config_error(&[("CEC_APP_SECRET", "app-secret")]);

    assert!(reason.contains("CEC_APP_KEY"), "{reason}");
    assert!(!reason.contains("app-secret"), "{reason}");
}

#[test]
fn token_and_app_secret_together_are_a_config_error_naming_both() {
    let reason = config_error(&[
        ("CEC_TOKEN", "t0k"),
        ("CEC_APP_KEY", "app-key"),
        ("CEC_APP_SECRET", "app-secret"),
    ]);

    assert!(reason.contains("CEC_TOKEN"), "{reason}");
    assert!(reason.contains("CEC_APP_SECRET"), "{reason}");
}

#[test]
fn empty_app_key_is_a_config_error_naming_cec_app_key() {
    let reason = config_error(&[("CEC_APP_KEY", ""), ("CEC_APP_SECRET", "app-secret")]);

    assert!(reason.contains("CEC_APP_KEY"), "{reason}");
    assert!(reason.contains("empty"), "{reason}");
}

#[test]
fn non_numeric_timeout_is_a_config_error_naming_cec_timeout() {
    let reason = config_error(&[("CEC_TOKEN", "t0k"), ("CEC_TIMEOUT", "abc")]);

    assert!(reason.contains("CEC_TIMEOUT"), "{reason}");
    assert!(reason.contains("abc"), "{reason}");
}

#[test]
fn token_lifetime_outside_1_to_3600_is_a_config_error_naming_cec_token_lifetime() {
    for lifetime in ["0", "4000"] {
        let reason = config_error(&[
            ("CEC_APP_KEY", "app-key"),
            ("CEC_APP_SECRET", "app-secret"),
            ("CEC_TOKEN_LIFETIME", lifetime),
        ]);

        assert!(
            reason.contains("CEC_TOKEN_LIFETIME"),
            "{lifetime}: {reason}"
        );
        assert!(reason.contains("3600"), "{lifetime}: {reason}");
    }
}

#[test]
fn complete_variables_build_a_client_for_the_base_url() {
    let with_aksk = client_from(&[
        ("CEC_BASE_URL", "https://cec.example.com"),
        ("CEC_APP_KEY", "app-key"),
        ("CEC_APP_SECRET", "app-secret"),
        ("CEC_TOKEN_LIFETIME", "1800"),
        ("CEC_TIMEOUT", "10"),
    ])
    .expect("AK/SK variables make a client");
    let with_token = client_from(&[("CEC_TOKEN", "t0k")]).expect("a token makes a client");

    assert_eq!(with_aksk.base_url(), "https://cec.example.com");
    assert_eq!(with_token.base_url(), cec_routes::config::DEFAULT_BASE_URL);
}

// ---------------------------------------------------------------------------
// Base URL
// ---------------------------------------------------------------------------

#[test]
fn plain_http_to_a_remote_host_is_refused_saying_why() {
    let reason = base_url_error("http://cec.example.com");

    assert!(reason.contains("http://cec.example.com"), "{reason}");
    assert!(reason.contains("clear text"), "{reason}");
    assert!(reason.contains("https"), "{reason}");
}

#[test]
fn plain_http_to_a_remote_host_from_the_environment_is_refused() {
    let reason = config_error(&[
        ("CEC_BASE_URL", "http://cec.example.com"),
        ("CEC_TOKEN", "t0k"),
    ]);

    assert!(reason.contains("clear text"), "{reason}");
}

#[test]
fn plain_http_to_loopback_is_accepted() {
    for base_url in [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
    ] {
        let client = Client::builder()
            .base_url(base_url)
            .token("t0k")
            .build()
            .unwrap_or_else(|e| panic!("{base_url} is loopback: {e}"));
        assert_eq!(client.base_url(), base_url);
    }
}

#[test]
fn plain_http_to_a_remote_host_is_allowed_when_insecure_http_is_allowed() {
    let client = Client::builder()
        .base_url("http://cec.example.com")
        .token("t0k")
        .allow_insecure_http(true)
        .build()
        .expect("insecure http was allowed explicitly");

    assert_eq!(client.base_url(), "http://cec.example.com");
}

#[test]
fn base_url_that_is_not_a_url_is_refused() {
    let reason = base_url_error("service.besclouds.com");

    assert!(reason.contains("not a URL"), "{reason}");
}

#[tokio::test]
async fn base_url_with_a_trailing_slash_reaches_the_documented_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CREATE_CALLED_ROUTE))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"returnCode": "0", "description": "data create success"})),
        )
        .expect(1)
        .named("createCalledRoute")
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(format!("{}/", server.uri()))
        .token("t0k")
        .build()
        .expect("a trailing slash is tolerated");
    let route = CalledRoute::new("9911411", Device::SkillQueue(1)).expect("valid route");

    client
        .create_called_route(&route)
        .await
        .expect("the request reaches the documented path");

    assert_eq!(client.base_url(), server.uri());
    server.verify().await;
}

#[test]
fn an_app_key_a_header_cannot_carry_is_refused_when_the_client_is_built() {
    let outcome = Client::builder()
        .token("t0k")
        .app_key("key\nwith a line break")
        .build();

    match outcome {
        Err(Error::Config { reason }) => {
            assert_eq!(
                reason,
                "the app key contains characters a header cannot carry"
            )
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
}
