//! The sandbox behaves as the documented CEC: the real client works against
//! it, and every request the client would never send is refused as the
//! sandbox's module docs say.
//!
//! Run with `cargo test -p cec-routes-sandbox --test sandbox`.

use std::{
    io::Write,
    sync::{Mutex, OnceLock},
    time::Duration,
};

use cec_routes::{CalledRoute, Device, Error, MediaType};
use cec_routes_sandbox::{Sandbox, SandboxRoute, return_code};
use reqwest::{StatusCode, header::HeaderMap};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const TOKEN_PATH: &str = "/apigovernance/api/oauth/tokenByAkSk";
const CREATE_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute";
const QUERY_IVR_FLOW_LIST_PATH: &str = "/apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList";
const BUSINESS_PATHS: [&str; 7] = [
    "/apiaccess/rest/cc-management/v1/accessCodeInfo/queryAccessCodeList",
    CREATE_PATH,
    "/apiaccess/rest/cc-management/v1/calledRoute/queryCalledRoute",
    "/apiaccess/rest/cc-management/v1/calledRoute/modifyCalledRoute",
    "/apiaccess/rest/cc-management/v1/calledRoute/deleteCalledRoute",
    "/apiaccess/rest/cc-management/v1/skill/querySkills",
    QUERY_IVR_FLOW_LIST_PATH,
];

/// The documented example: 9911411 ext 11 → skill queue 1, video.
fn documented_route() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(1))
        .and_then(|route| route.with_ext_code("11"))
        .and_then(|route| route.with_media_type(MediaType::Video))
        .expect("the documented example is a valid route")
}

/// 9911411 without extension code → skill queue 2 (voice and video), with no
/// media type: CEC's default, 5, is the queue's.
fn voice_route_without_extension() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(2)).expect("a valid route")
}

/// The documented example request body.
fn documented_body() -> Value {
    json!({"accessCode": "9911411", "extCode": "11", "devicetype": 1, "deviceId": 1, "mediaTypeId": 19})
}

/// A raw `tokenByAkSk` call: status, headers and JSON body.
async fn request_token(
    sandbox: &Sandbox,
    expire: Option<&str>,
    body: &Value,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{TOKEN_PATH}", sandbox.base_url()))
        .json(body);
    if let Some(expire) = expire {
        request = request.header("X-Token-Expire", expire);
    }
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.expect("the sandbox answers JSON");
    (status, headers, body)
}

/// A token for the sandbox's own credentials, from a raw call.
async fn token(sandbox: &Sandbox, expire: &str) -> String {
    let credentials = json!({
        "app_key": sandbox.app_key(),
        "app_secret": sandbox.app_secret().expose_secret(),
    });
    let (status, _, body) = request_token(sandbox, Some(expire), &credentials).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["AccessToken"]
        .as_str()
        .expect("AccessToken is a string")
        .to_owned()
}

/// A raw `createCalledRoute` call with these headers and this body.
async fn create_called_route_raw(
    sandbox: &Sandbox,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{CREATE_PATH}", sandbox.base_url()))
        .header("Content-Type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.expect("the sandbox answers JSON");
    (status, headers, body)
}

/// A raw `createCalledRoute` call with a fresh valid token.
async fn create_called_route_with_body(sandbox: &Sandbox, body: &str) -> (StatusCode, Value) {
    let token = token(sandbox, "600").await;
    let bearer = format!("Bearer {token}");
    let (status, _, body) =
        create_called_route_raw(sandbox, &[("Authorization", &bearer)], body.to_owned()).await;
    (status, body)
}

fn assert_refused(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["returnCode"], code, "{body}");
    assert!(body["description"].is_string(), "{body}");
}

// The client against the sandbox.

#[tokio::test]
async fn creates_the_documented_example_route() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();

    let done = client
        .create_called_route(&documented_route())
        .await
        .unwrap();

    assert_eq!(done.description.as_deref(), Some("data create success"));
    let routes = sandbox.routes();
    assert_eq!(routes.len(), 1);
    let SandboxRoute {
        id,
        dnid,
        access_code,
        ext_code,
        device,
        media_type,
        ..
    } = &routes[0];
    assert_eq!(*dnid, 1);
    assert_eq!(id.len(), 19);
    assert!(id.parse::<u64>().unwrap() > 1 << 53, "{id}");
    assert_eq!(access_code, "9911411");
    assert_eq!(ext_code.as_deref(), Some("11"));
    assert_eq!(*device, Device::SkillQueue(1));
    assert_eq!(*media_type, Some(MediaType::Video));
}

#[tokio::test]
async fn refuses_a_second_route_for_the_same_access_code_and_extension_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    client
        .create_called_route(&documented_route())
        .await
        .unwrap();

    let to_ivr = CalledRoute::new("9911411", Device::Ivr(7))
        .and_then(|route| route.with_ext_code("11"))
        .unwrap();
    let refused = client.create_called_route(&to_ivr).await.unwrap_err();

    let Error::Business { code, description } = &refused else {
        panic!("expected a business failure, got {refused:?}");
    };
    assert_eq!(code, return_code::DUPLICATE);
    insta::assert_json_snapshot!(json!({"returnCode": code, "description": description}));
    assert_eq!(sandbox.routes().len(), 1, "the first route is kept");
    assert_eq!(sandbox.routes()[0].device, Device::SkillQueue(1));
}

#[tokio::test]
async fn keys_routes_by_access_code_and_extension_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let bare = voice_route_without_extension();

    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    client.create_called_route(&bare).await.unwrap();
    let again = client.create_called_route(&bare).await.unwrap_err();

    assert_eq!(again.return_code(), Some(return_code::DUPLICATE));
    let dnids: Vec<(u64, Option<String>)> = sandbox
        .routes()
        .into_iter()
        .map(|route| (route.dnid, route.ext_code))
        .collect();
    assert_eq!(dnids, [(1, Some("11".to_owned())), (2, None)]);
}

#[tokio::test]
async fn the_client_refreshes_an_expired_token_and_the_create_succeeds() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    assert_eq!(sandbox.token_requests(), 1);

    sandbox.expire_tokens();
    let bare = voice_route_without_extension();
    let done = client.create_called_route(&bare).await.unwrap();

    assert_eq!(done.description.as_deref(), Some("data create success"));
    assert_eq!(sandbox.token_requests(), 2);
    assert_eq!(sandbox.routes().len(), 2);
}

#[tokio::test]
async fn accepts_every_configured_credential_pair() {
    let sandbox = Sandbox::builder()
        .credentials("first-key", "first-secret")
        .credentials("second-key", "second-secret")
        .start()
        .await
        .unwrap();
    assert_eq!(sandbox.app_key(), "first-key");

    let second = cec_routes::Client::builder()
        .base_url(sandbox.base_url())
        .credentials("second-key", "second-secret")
        .build()
        .unwrap();
    second
        .create_called_route(&documented_route())
        .await
        .unwrap();

    let mixed = cec_routes::Client::builder()
        .base_url(sandbox.base_url())
        .credentials("second-key", "first-secret")
        .build()
        .unwrap();
    let refused = mixed
        .create_called_route(&documented_route())
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(401), "{refused:?}");
}

// tokenByAkSk.

#[tokio::test]
async fn issues_tokens_in_the_documented_shape() {
    let sandbox = Sandbox::builder()
        .credentials("my-app-key", "my-app-secret")
        .start()
        .await
        .unwrap();
    let credentials = json!({"app_key": "my-app-key", "app_secret": "my-app-secret"});

    let (status, _, body) = request_token(&sandbox, Some("600"), &credentials).await;

    assert_eq!(status, StatusCode::OK);
    let token = body["AccessToken"].as_str().unwrap();
    assert!(token.len() >= 32, "at least 128 bits in hex: {token}");
    let created: u64 = body["CreateTime"].as_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        now.abs_diff(created) < 60,
        "CreateTime is epoch seconds: {created}"
    );
    insta::assert_json_snapshot!(body, {
        ".AccessToken" => "[token]",
        ".CreateTime" => "[epoch seconds]",
    });
}

#[tokio::test]
async fn issues_tokens_for_600_seconds_without_x_token_expire() {
    let sandbox = Sandbox::start().await.unwrap();
    let credentials = json!({
        "app_key": sandbox.app_key(),
        "app_secret": sandbox.app_secret().expose_secret(),
    });

    let (status, _, body) = request_token(&sandbox, None, &credentials).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Expires"], "600");
}

#[tokio::test]
async fn issues_tokens_for_the_lifetime_asked_for() {
    let sandbox = Sandbox::start().await.unwrap();
    let credentials = json!({
        "app_key": sandbox.app_key(),
        "app_secret": sandbox.app_secret().expose_secret(),
    });
    for lifetime in ["1", "3600"] {
        let (status, _, body) = request_token(&sandbox, Some(lifetime), &credentials).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["Expires"], lifetime);
    }
}

#[tokio::test]
async fn refuses_x_token_expire_outside_1_to_3600_seconds() {
    let sandbox = Sandbox::start().await.unwrap();
    let credentials = json!({
        "app_key": sandbox.app_key(),
        "app_secret": sandbox.app_secret().expose_secret(),
    });
    for expire in ["0", "3601", "abc"] {
        let (status, _, body) = request_token(&sandbox, Some(expire), &credentials).await;
        assert_refused(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            return_code::BAD_REQUEST,
        );
        let description = body["description"].as_str().unwrap();
        assert!(description.contains("X-Token-Expire"), "{description}");
        assert!(description.contains(expire), "{description}");
    }
    assert_eq!(sandbox.token_requests(), 3);
}

#[tokio::test]
async fn refuses_a_wrong_app_secret_with_401() {
    let sandbox = Sandbox::start().await.unwrap();
    let wrong = json!({"app_key": sandbox.app_key(), "app_secret": "not-the-secret"});

    let (status, headers, body) = request_token(&sandbox, Some("600"), &wrong).await;

    assert_refused(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        return_code::UNAUTHORIZED,
    );
    assert_eq!(headers["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn refuses_an_unknown_app_key_as_a_wrong_secret() {
    let sandbox = Sandbox::start().await.unwrap();
    let wrong_secret = json!({"app_key": sandbox.app_key(), "app_secret": "nope"});
    let unknown_key = json!({
        "app_key": "someone-else",
        "app_secret": sandbox.app_secret().expose_secret(),
    });

    let (_, _, wrong_secret) = request_token(&sandbox, Some("600"), &wrong_secret).await;
    let (status, _, unknown_key) = request_token(&sandbox, Some("600"), &unknown_key).await;

    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_secret, unknown_key,
        "the description does not reveal valid keys"
    );
}

#[tokio::test]
async fn refuses_a_token_request_with_a_missing_field() {
    let sandbox = Sandbox::start().await.unwrap();

    let (status, _, body) = request_token(
        &sandbox,
        Some("600"),
        &json!({"app_key": sandbox.app_key()}),
    )
    .await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    assert_eq!(body["description"], "missing field `app_secret`");
}

// Authentication of createCalledRoute.

#[tokio::test]
async fn refuses_a_create_without_a_bearer_token() {
    let sandbox = Sandbox::start().await.unwrap();

    let (status, headers, body) =
        create_called_route_raw(&sandbox, &[], documented_body().to_string()).await;

    assert_refused(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        return_code::UNAUTHORIZED,
    );
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn refuses_a_malformed_authorization_header() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox, "600").await;

    for malformed in [
        token.clone(),
        format!("Bearer {token} x"),
        format!("Basic {token}"),
        "Bearer ".to_owned(),
    ] {
        let (status, _, body) = create_called_route_raw(
            &sandbox,
            &[("Authorization", &malformed)],
            documented_body().to_string(),
        )
        .await;
        assert_refused(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            return_code::UNAUTHORIZED,
        );
    }
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn accepts_the_bearer_scheme_in_any_case_and_after_more_than_one_space() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox, "600").await;

    for (ext, authorization) in [
        ("1", format!("bearer {token}")),
        ("2", format!("BEARER {token}")),
        ("3", format!("Bearer   {token}")),
    ] {
        let mut body = documented_body();
        body["extCode"] = json!(ext);
        let (status, _, body) = create_called_route_raw(
            &sandbox,
            &[("Authorization", &authorization)],
            body.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{authorization}: {body}");
    }
    assert_eq!(sandbox.routes().len(), 3);
}

#[tokio::test]
async fn refuses_an_unknown_token() {
    let sandbox = Sandbox::start().await.unwrap();

    let (status, _, body) = create_called_route_raw(
        &sandbox,
        &[("Authorization", "Bearer zzzzzzzzzzzzzzzzzz")],
        documented_body().to_string(),
    )
    .await;

    assert_refused(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        return_code::UNAUTHORIZED,
    );
    assert_eq!(body["description"], "the access token is unknown");
}

#[tokio::test]
async fn refuses_a_token_after_its_lifetime() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox, "60").await;
    let bearer = format!("Bearer {token}");

    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(60)).await;
    tokio::time::resume();
    let (status, _, body) = create_called_route_raw(
        &sandbox,
        &[("Authorization", &bearer)],
        documented_body().to_string(),
    )
    .await;

    assert_refused(
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        return_code::UNAUTHORIZED,
    );
    assert!(
        body["description"].as_str().unwrap().contains("expired"),
        "{body}"
    );
}

#[tokio::test]
async fn accepts_a_token_until_its_lifetime_ends() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox, "60").await;
    let bearer = format!("Bearer {token}");

    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(59)).await;
    tokio::time::resume();
    let (status, _, body) = create_called_route_raw(
        &sandbox,
        &[("Authorization", &bearer)],
        documented_body().to_string(),
    )
    .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"returnCode": "0", "description": "data create success"})
    );
}

#[tokio::test]
async fn refuses_an_x_app_key_other_than_the_tokens_with_403() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox, "600").await;
    let bearer = format!("Bearer {token}");

    let (status, _, body) = create_called_route_raw(
        &sandbox,
        &[("Authorization", &bearer), ("X-APP-Key", "someone-else")],
        documented_body().to_string(),
    )
    .await;

    assert_refused(status, &body, StatusCode::FORBIDDEN, return_code::FORBIDDEN);
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn accepts_the_tokens_own_x_app_key() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox, "600").await;
    let bearer = format!("Bearer {token}");

    let (status, _, body) = create_called_route_raw(
        &sandbox,
        &[("Authorization", &bearer), ("x-app-key", sandbox.app_key())],
        documented_body().to_string(),
    )
    .await;

    assert_eq!(status, StatusCode::OK, "{body}");
}

// Validation of createCalledRoute bodies.

#[tokio::test]
async fn answers_the_documented_example_exactly() {
    let sandbox = Sandbox::start().await.unwrap();

    let (status, body) =
        create_called_route_with_body(&sandbox, &documented_body().to_string()).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"returnCode": "0", "description": "data create success"})
    );
}

#[tokio::test]
async fn refuses_a_body_that_is_not_json() {
    let sandbox = Sandbox::start().await.unwrap();

    let (status, body) = create_called_route_with_body(&sandbox, "accessCode=9911411").await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .starts_with("the body is not JSON"),
        "{body}"
    );
}

#[tokio::test]
async fn refuses_a_body_that_is_not_an_object() {
    let sandbox = Sandbox::start().await.unwrap();

    let (status, body) = create_called_route_with_body(&sandbox, "[]").await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    assert_eq!(
        body["description"],
        "the body must be a JSON object, not an array"
    );
}

#[tokio::test]
async fn refuses_an_unknown_field_naming_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut body = documented_body();
    body["mediatypeId"] = json!(19);

    let (status, body) = create_called_route_with_body(&sandbox, &body.to_string()).await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    insta::assert_json_snapshot!(body);
}

#[tokio::test]
async fn refuses_a_missing_access_code_naming_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({"extCode": "11", "devicetype": 1, "deviceId": 1});

    let (status, body) = create_called_route_with_body(&sandbox, &body.to_string()).await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    assert_eq!(body["description"], "missing field `accessCode`");
}

#[tokio::test]
async fn refuses_a_field_of_the_wrong_json_type_naming_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut body = documented_body();
    body["deviceId"] = json!("1");

    let (status, body) = create_called_route_with_body(&sandbox, &body.to_string()).await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    assert_eq!(
        body["description"],
        "invalid deviceId: invalid type: string \"1\", expected i32"
    );
}

#[tokio::test]
async fn refuses_an_access_code_of_33_characters() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut body = documented_body();
    body["accessCode"] = json!("1".repeat(33));

    let (status, body) = create_called_route_with_body(&sandbox, &body.to_string()).await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    insta::assert_json_snapshot!(body);
}

#[tokio::test]
async fn refuses_an_extension_code_the_library_refuses_too_naming_the_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut body = documented_body();
    body["extCode"] = json!("1a");

    let (status, body) = create_called_route_with_body(&sandbox, &body.to_string()).await;

    let library = documented_route().with_ext_code("1a").unwrap_err();
    assert!(library.is_invalid_input(), "{library:?}");
    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    assert_eq!(
        body["description"],
        r#"invalid extCode: doesn't match pattern "^[0-9*#]{1,12}$" (got "1a")"#
    );
}

#[tokio::test]
async fn refuses_an_ivr_flow_on_the_multimedia_channel() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({"accessCode": "9911411", "devicetype": 3, "deviceId": 7, "mediaTypeId": 53});

    let (status, body) = create_called_route_with_body(&sandbox, &body.to_string()).await;

    // Well formed by the schema, refused by the documented rule: a business
    // refusal, as at modify (schemathesis expects schema-valid bodies to get
    // no 400).
    assert_refused(
        status,
        &body,
        StatusCode::OK,
        return_code::IVR_ON_MULTIMEDIA,
    );
    let description = body["description"].as_str().unwrap();
    assert!(
        description.starts_with("an IVR flow cannot be chosen for the multimedia channel"),
        "{description}"
    );
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn refuses_a_body_over_64_kib_with_400() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut body = documented_body();
    body["accessCode"] = json!("1".repeat(cec_routes_sandbox::BODY_LIMIT));

    let (status, body) = create_called_route_with_body(&sandbox, &body.to_string()).await;

    assert_refused(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        return_code::BAD_REQUEST,
    );
    assert_eq!(body["description"], "the body is larger than 65536 bytes");
}

// Paths and methods.

#[tokio::test]
async fn answers_405_to_a_method_other_than_post() {
    let sandbox = Sandbox::start().await.unwrap();

    for path in std::iter::once(TOKEN_PATH).chain(BUSINESS_PATHS) {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", sandbox.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()["allow"], "POST");
        let body: Value = response.json().await.unwrap();
        // In the envelope of the operation at that path.
        let code = if path == QUERY_IVR_FLOW_LIST_PATH {
            "retCode"
        } else {
            "returnCode"
        };
        assert_eq!(
            body[code],
            return_code::METHOD_NOT_ALLOWED,
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn answers_404_to_an_unknown_path() {
    let sandbox = Sandbox::start().await.unwrap();

    let response = reqwest::Client::new()
        .post(format!(
            "{}/apiaccess/rest/cc-management/v1/calledRoute/dropAllRoutes",
            sandbox.base_url()
        ))
        .json(&documented_body())
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["returnCode"], return_code::NOT_FOUND);
}

// Lifecycle.

/// Whether something accepts connections at `addr`, within about a second.
async fn still_listening(addr: std::net::SocketAddr) -> bool {
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

#[tokio::test]
async fn listens_on_loopback_by_default() {
    let sandbox = Sandbox::start().await.unwrap();

    assert!(sandbox.addr().ip().is_loopback());
    assert_ne!(sandbox.addr().port(), 0);
    assert_eq!(sandbox.base_url(), format!("http://{}", sandbox.addr()));
}

#[tokio::test]
async fn stops_listening_when_dropped() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    let addr = sandbox.addr();

    drop(sandbox);

    assert!(!still_listening(addr).await, "the port is still open");
}

#[tokio::test]
async fn shutdown_closes_the_port_before_returning() {
    let sandbox = Sandbox::start().await.unwrap();
    let addr = sandbox.addr();

    sandbox.shutdown().await;

    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn serves_until_the_signal() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let addr = sandbox.addr();
    let (stop, signal) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sandbox.serve_until(signal));

    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    stop.send(()).unwrap();

    server.await.unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn refuses_to_start_on_a_port_in_use() {
    let first = Sandbox::start().await.unwrap();

    let second = Sandbox::builder().port(first.addr().port()).start().await;

    let error = second.unwrap_err();
    assert!(
        matches!(error, cec_routes_sandbox::Error::Bind { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn refuses_to_start_with_an_empty_secret() {
    let error = Sandbox::builder()
        .credentials("key", "")
        .start()
        .await
        .unwrap_err();

    assert!(
        matches!(error, cec_routes_sandbox::Error::Credentials { .. }),
        "{error:?}"
    );
}

// Secrets.

/// Everything `tracing` writes in this test binary, at every level, from
/// the first call on. A global subscriber: a thread-local one misses events
/// while other tests register the same callsites on other threads.
fn captured_logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs: &'static Mutex<Vec<u8>> = Box::leak(Box::default());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || LogWriter(logs))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other test installs a global subscriber");
        logs
    })
}

struct LogWriter(&'static Mutex<Vec<u8>>);

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_each_request_without_secrets_or_tokens() {
    let logs = captured_logs();
    let sandbox = Sandbox::start().await.unwrap();
    let token = token(&sandbox, "600").await;
    let client = sandbox.client_builder().build().unwrap();
    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    let wrong = json!({"app_key": sandbox.app_key(), "app_secret": "wrong-secret-value"});
    request_token(&sandbox, Some("600"), &wrong).await;

    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    let this_sandbox = format!("sandbox={} ", sandbox.addr());
    let requests: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(&this_sandbox))
        .collect();
    let create = format!("method=POST path={CREATE_PATH} status=200");
    let refused = format!("method=POST path={TOKEN_PATH} status=401");
    assert!(requests.iter().any(|l| l.contains(&create)), "{text}");
    assert!(requests.iter().any(|l| l.contains(&refused)), "{text}");
    assert!(
        !text.contains(sandbox.app_secret().expose_secret()),
        "{text}"
    );
    assert!(!text.contains("wrong-secret-value"), "{text}");
    assert!(!text.contains(&token), "{text}");
    assert!(!format!("{sandbox:?}").contains(sandbox.app_secret().expose_secret()));
}
