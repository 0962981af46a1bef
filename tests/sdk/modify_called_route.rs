//! Contract tests for `modifyCalledRoute`: what the client sends (method,
//! path, headers, body exactly as documented), what it refuses to send, and
//! how each answer becomes a typed outcome.
//!
//! Fixtures are the documented examples (api-cec cec_07_0042 / cec_07_1032;
//! the route ids come from the queryCalledRoute example, cec_07_0043).

use crate::common;

use cec_routes::{
    Device, Editable, Error, Listed, MediaType, Route, RouteChange, RouteFilter, RouteId, Success,
};
use common::contract::{client, the_request};
use common::paths::{MODIFY_CALLED_ROUTE, QUERY_CALLED_ROUTE};
use common::statuses;
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{any, body_json, header, method, path},
};

/// The documented example request body.
fn documented_body() -> Value {
    json!({"id": "1125397061153369092", "devicetype": 1, "deviceId": 1})
}

/// The documented example response.
fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "0", "description": "data update success"}))
}

/// The documented queryCalledRoute example response, whose first route is
/// the one the modify example changes.
fn documented_query_response() -> Value {
    json!({"returnCode": "0", "data": {"total": 3, "calledRouteList": [{"id": "1125397061153369092", "dnid": 3, "accessCode": "9911411", "mediatypeId": 19, "extCode": "11", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}, {"id": "1127983948544239618", "dnid": 1, "accessCode": "9911411", "mediatypeId": null, "extCode": "", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}, {"id": "1127986019188238339", "dnid": 2, "accessCode": "9911411", "mediatypeId": 19, "extCode": "1", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}]}, "description": "success"})
}

/// The documented example change: route `1125397061153369092` → skill
/// queue 1.
fn documented_change() -> RouteChange {
    RouteChange::by_id(documented_id(), Device::SkillQueue(1))
        .expect("the documented example change is valid")
}

fn documented_id() -> RouteId {
    "1125397061153369092"
        .parse()
        .expect("the documented id is valid")
}

/// The documented first route, as listed, in the given state and media type.
fn listed_route(editable: Editable, media_type: Option<MediaType>) -> Route {
    let mut route = Route::new("9911411", Device::SkillQueue(1));
    route.id = Some(documented_id());
    route.dnid = Some(3);
    route.ext_code = Some("11".into());
    route.device_desc = Some("defaultVideoSkill".into());
    route.media_type = media_type.map(Listed::Known);
    route.editable = editable;
    route
}

/// Mounts `modifyCalledRoute` answering `response`, expected `times` times.
async fn mount_modify_called_route(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path(MODIFY_CALLED_ROUTE))
        .respond_with(response)
        .expect(times)
        .named("modifyCalledRoute")
        .mount(server)
        .await;
}

/// A server that expects no request at all.
async fn server_expecting_nothing() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(documented_success())
        .expect(0)
        .named("nothing may be sent")
        .mount(&server)
        .await;
    server
}

/// Sends the documented change to a fresh server answering `response`
/// `times` times, and returns the outcome.
async fn modify_answered_with(response: ResponseTemplate, times: u64) -> Result<Success, Error> {
    let server = MockServer::start().await;
    mount_modify_called_route(&server, response, times).await;
    let outcome = client(&server)
        .modify_called_route(&documented_change())
        .await;
    server.verify().await;
    outcome
}

// ---------------------------------------------------------------------------
// What is sent
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sends_documented_example_body_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MODIFY_CALLED_ROUTE))
        .and(body_json(documented_body()))
        .respond_with(documented_success())
        .expect(1)
        .named("modifyCalledRoute with the documented body")
        .mount(&server)
        .await;

    client(&server)
        .modify_called_route(&documented_change())
        .await
        .expect("the documented example succeeds");

    // Exact JSON equality: no field more, none less, no other value.
    let received: Value = the_request(&server).await.body_json().expect("JSON body");
    assert_eq!(received, documented_body());
}

#[tokio::test]
async fn sends_post_with_the_bearer_token_and_no_api_version_to_the_documented_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MODIFY_CALLED_ROUTE))
        .and(header("authorization", "Bearer t0k"))
        .and(|r: &Request| !r.headers.contains_key("api-version"))
        .respond_with(documented_success())
        .expect(1)
        .named("modifyCalledRoute, authenticated, without api-version")
        .mount(&server)
        .await;

    client(&server)
        .modify_called_route(&documented_change())
        .await
        .expect("success");

    let request = the_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), MODIFY_CALLED_ROUTE);
    assert_eq!(
        request.url.query(),
        None,
        "no query parameters are documented"
    );
    let authorization: Vec<_> = request.headers.get_all("authorization").iter().collect();
    assert_eq!(
        authorization,
        ["Bearer t0k"],
        "exactly one Authorization header"
    );
    assert!(!request.headers.contains_key("api-version"));
}

#[tokio::test]
async fn the_route_id_is_sent_as_a_json_string_digit_for_digit() {
    let server = MockServer::start().await;
    mount_modify_called_route(&server, documented_success(), 1).await;

    client(&server)
        .modify_called_route(&documented_change())
        .await
        .expect("success");

    let body = String::from_utf8(the_request(&server).await.body).expect("UTF-8 body");
    assert!(
        body.contains(r#""id":"1125397061153369092""#),
        "the id must be a JSON string, never a number: {body}"
    );
}

#[tokio::test]
async fn an_ivr_flow_is_sent_as_devicetype_3() {
    let server = MockServer::start().await;
    let expected = json!({"id": "1125397061153369092", "devicetype": 3, "deviceId": 7});
    Mock::given(method("POST"))
        .and(path(MODIFY_CALLED_ROUTE))
        .and(body_json(&expected))
        .respond_with(documented_success())
        .expect(1)
        .named("modifyCalledRoute to an IVR flow")
        .mount(&server)
        .await;

    let change = RouteChange::by_id(documented_id(), Device::Ivr(7)).expect("valid change");
    client(&server)
        .modify_called_route(&change)
        .await
        .expect("success");

    let received: Value = the_request(&server).await.body_json().expect("JSON body");
    assert_eq!(received, expected);
}

#[tokio::test]
async fn route_ids_from_the_documented_query_reach_the_modify_body_unchanged() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_CALLED_ROUTE))
        .respond_with(ResponseTemplate::new(200).set_body_json(documented_query_response()))
        .expect(1)
        .named("queryCalledRoute")
        .mount(&server)
        .await;
    mount_modify_called_route(&server, documented_success(), 3).await;
    let client = client(&server);

    let routes = client
        .called_routes(&RouteFilter::new())
        .await
        .expect("the documented query decodes");
    for route in &routes {
        let change = RouteChange::new(route, Device::SkillQueue(1)).expect("editable routes");
        client.modify_called_route(&change).await.expect("success");
    }

    let sent: Vec<Value> = server
        .received_requests()
        .await
        .expect("request recording is on")
        .iter()
        .filter(|r| r.url.path() == MODIFY_CALLED_ROUTE)
        .map(|r| r.body_json().expect("JSON body"))
        .collect();
    assert_eq!(
        sent,
        [
            documented_body(),
            json!({"id": "1127983948544239618", "devicetype": 1, "deviceId": 1}),
            json!({"id": "1127986019188238339", "devicetype": 1, "deviceId": 1}),
        ]
    );
}

// ---------------------------------------------------------------------------
// What is refused before sending
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_delete_only_route_is_refused_before_sending() {
    let server = server_expecting_nothing().await;

    let error = RouteChange::new(
        &listed_route(Editable::DeleteOnly, Some(MediaType::Video)),
        Device::SkillQueue(2),
    )
    .unwrap_err();

    assert!(matches!(&error, Error::InvalidInput { .. }), "{error:?}");
    assert!(!error.may_have_reached_server());
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_locked_route_is_refused_before_sending() {
    let server = server_expecting_nothing().await;

    let error = RouteChange::new(
        &listed_route(Editable::Locked, Some(MediaType::Video)),
        Device::SkillQueue(2),
    )
    .unwrap_err();

    assert!(matches!(&error, Error::InvalidInput { .. }), "{error:?}");
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_route_in_an_unknown_state_is_refused_before_sending() {
    let server = server_expecting_nothing().await;

    let error = RouteChange::new(
        &listed_route(Editable::Unknown("7".into()), Some(MediaType::Video)),
        Device::SkillQueue(2),
    )
    .unwrap_err();

    assert!(matches!(&error, Error::InvalidInput { .. }), "{error:?}");
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn an_ivr_flow_on_a_multimedia_route_is_refused_before_sending() {
    let server = server_expecting_nothing().await;

    let error = RouteChange::new(
        &listed_route(Editable::Yes, Some(MediaType::Multimedia)),
        Device::Ivr(7),
    )
    .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::InvalidInput {
                field: "devicetype",
                ..
            }
        ),
        "{error:?}"
    );
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_route_without_an_id_is_refused_before_sending() {
    let server = server_expecting_nothing().await;
    let mut route = listed_route(Editable::Yes, Some(MediaType::Video));
    route.id = None;

    let error = RouteChange::new(&route, Device::SkillQueue(2)).unwrap_err();

    assert!(
        matches!(&error, Error::InvalidInput { field: "id", .. }),
        "{error:?}"
    );
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn an_editable_route_is_accepted_and_sent() {
    let server = MockServer::start().await;
    let expected = json!({"id": "1125397061153369092", "devicetype": 1, "deviceId": 2});
    Mock::given(method("POST"))
        .and(path(MODIFY_CALLED_ROUTE))
        .and(body_json(&expected))
        .respond_with(documented_success())
        .expect(1)
        .named("modifyCalledRoute of an editable route")
        .mount(&server)
        .await;

    let change = RouteChange::new(
        &listed_route(Editable::Yes, Some(MediaType::Video)),
        Device::SkillQueue(2),
    )
    .expect("an editable route may be modified");
    client(&server)
        .modify_called_route(&change)
        .await
        .expect("success");
}

#[tokio::test]
async fn an_edit_only_route_is_accepted_and_sent() {
    let server = MockServer::start().await;
    let expected = json!({"id": "1125397061153369092", "devicetype": 1, "deviceId": 2});
    Mock::given(method("POST"))
        .and(path(MODIFY_CALLED_ROUTE))
        .and(body_json(&expected))
        .respond_with(documented_success())
        .expect(1)
        .named("modifyCalledRoute of an edit-only route")
        .mount(&server)
        .await;

    let change = RouteChange::new(
        &listed_route(Editable::EditOnly, Some(MediaType::Video)),
        Device::SkillQueue(2),
    )
    .expect("an edit-only route may be modified");
    client(&server)
        .modify_called_route(&change)
        .await
        .expect("success");
}

#[test]
fn an_ivr_flow_on_a_video_route_is_accepted() {
    let change = RouteChange::new(
        &listed_route(Editable::Yes, Some(MediaType::Video)),
        Device::Ivr(7),
    )
    .expect("only the multimedia channel refuses IVR flows");

    assert_eq!(change.device(), Device::Ivr(7));
    assert_eq!(change.id(), &documented_id());
}

// ---------------------------------------------------------------------------
// How answers become outcomes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn documented_example_response_is_success_with_its_description() {
    let success = modify_answered_with(documented_success(), 1)
        .await
        .expect("returnCode \"0\" is success");

    assert_eq!(success.description.as_deref(), Some("data update success"));
}

#[tokio::test]
async fn a_null_description_is_success_without_one() {
    let response =
        ResponseTemplate::new(200).set_body_json(json!({"returnCode": "0", "description": null}));

    let success = modify_answered_with(response, 1).await.expect("success");

    assert_eq!(success.description, None);
}

#[tokio::test]
async fn a_body_of_nulls_is_unconfirmed_not_success() {
    let response =
        ResponseTemplate::new(200).set_body_json(json!({"returnCode": null, "description": null}));

    let error = modify_answered_with(response, 1).await.unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "modifyCalledRoute",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.may_have_reached_server());
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn non_zero_return_code_is_business_failure_with_code_and_description() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "02000001", "description": "route not found"}));

    let error = modify_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::Business { code, description } => {
            assert_eq!(code, "02000001");
            assert_eq!(description.as_deref(), Some("route not found"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

/// The error statuses the spec documents for modifyCalledRoute, as one table
/// (`common::statuses`): each becomes its own error, whose message gives the
/// documented meaning and quotes the body.
#[tokio::test]
async fn documented_error_statuses_become_their_errors_with_the_documented_meaning() {
    let table = statuses::answer_each_documented_error(
        "modifyCalledRoute",
        &[
            (400, "gateway: malformed id"),
            (401, "gateway: token rejected"),
            (403, "gateway: app key not allowed"),
            (404, "gateway: no such API"),
            (500, "skill queue 2 is not a video queue"),
        ],
        modify_answered_with,
    )
    .await;

    insta::assert_snapshot!(table);
}
