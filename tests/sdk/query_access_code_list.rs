//! Contract tests for `queryAccessCodeList`: what the client sends (method,
//! path, headers, body exactly as documented), how each documented and
//! undocumented answer becomes access codes or an error, and how the listing
//! pages.
//!
//! Fixtures are the documented example (api-cec cec_07_0039 / cec_07_1029,
//! via Huawei's zh mirror), copied exactly.

use crate::common;

use common::contract::{client, received_bodies, the_request};
use common::paths::QUERY_ACCESS_CODE_LIST;
use common::statuses;
use std::time::Duration;

use cec_routes::{AccessCode, AccessCodeFilter, CallDirection, Error, Listed, MediaType};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

/// The documented example filter: access code `9911411`, voice and video,
/// description `接入码`.
fn documented_filter() -> AccessCodeFilter {
    AccessCodeFilter::new()
        .access_code("9911411")
        .and_then(|f| f.media_type(MediaType::VoiceAndVideo))
        .map(|f| f.description("接入码"))
        .expect("the documented example filter is valid")
}

/// The documented example request (`mediatypeId`, lower-case t, as this
/// operation's table and example both spell it).
fn documented_body() -> Value {
    json!({"accessCode": "9911411", "mediatypeId": 5, "description": "接入码", "limit": 10, "offset": 0})
}

/// The documented example response.
fn documented_response() -> Value {
    json!({"returnCode": "0", "data": {"total": 1, "calledRouteList": [{"id": "1124167935465633793", "accessCode": "9911411", "mediatypeId": 5, "n400Number": null, "description": null, "numCallAttr": 3}]}, "description": "success"})
}

fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(documented_response())
}

/// Mounts `queryAccessCodeList` answering with `response`, expected `times`
/// times.
async fn mount_query_access_code_list(
    server: &MockServer,
    response: impl Respond + 'static,
    times: u64,
) {
    Mock::given(method("POST"))
        .and(path(QUERY_ACCESS_CODE_LIST))
        .respond_with(response)
        .expect(times)
        .named("queryAccessCodeList")
        .mount(server)
        .await;
}

/// Lists every access code against a fresh server that answers `response`
/// `times` times.
async fn access_codes_answered_with(
    response: impl Respond + 'static,
    times: u64,
) -> Result<Vec<AccessCode>, Error> {
    let server = MockServer::start().await;
    mount_query_access_code_list(&server, response, times).await;
    let outcome = client(&server).access_codes(&AccessCodeFilter::new()).await;
    server.verify().await;
    outcome
}

/// The documented access code, as the client decodes it.
async fn documented_access_code() -> AccessCode {
    let mut codes = access_codes_answered_with(documented_success(), 1)
        .await
        .expect("the documented example response decodes");
    assert_eq!(codes.len(), 1);
    codes.remove(0)
}

/// A 200 `returnCode` `"0"` page.
fn page(total: Option<u64>, codes: Vec<Value>) -> Value {
    json!({"returnCode": "0", "data": {"total": total, "calledRouteList": codes}, "description": "success"})
}

/// The `n`th access code of a synthetic listing: voice and video, inbound
/// and outbound.
fn access_code_json(n: u64) -> Value {
    json!({
        "id": (1124167935465633793_u64 + n).to_string(),
        "accessCode": format!("99114{n:03}"),
        "mediatypeId": 5,
        "n400Number": null,
        "description": null,
        "numCallAttr": 3,
    })
}

/// The documented access code with one field replaced.
fn documented_access_code_with(field: &str, value: Value) -> Value {
    let mut code = documented_response()["data"]["calledRouteList"][0].clone();
    code[field] = value;
    code
}

/// Serves `total` synthetic access codes, answering each request with the
/// slice its `offset` and `limit` ask for.
struct Listing {
    total: u64,
}

impl Respond for Listing {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().expect("the request body is JSON");
        let offset = body["offset"].as_u64().expect("offset is sent");
        let limit = body["limit"].as_u64().expect("limit is sent");
        let codes = (offset..(offset + limit).min(self.total))
            .map(access_code_json)
            .collect();
        ResponseTemplate::new(200).set_body_json(page(Some(self.total), codes))
    }
}

// ---------------------------------------------------------------------------
// What is sent
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sends_documented_example_body_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_ACCESS_CODE_LIST))
        .and(body_json(documented_body()))
        .respond_with(documented_success())
        .expect(1)
        .named("queryAccessCodeList with the documented body")
        .mount(&server)
        .await;

    client(&server)
        .access_codes_page(&documented_filter(), 0, 10)
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
        .and(path(QUERY_ACCESS_CODE_LIST))
        .and(header("authorization", "Bearer t0k"))
        .and(|r: &Request| !r.headers.contains_key("api-version"))
        .respond_with(documented_success())
        .expect(1)
        .named("queryAccessCodeList, authenticated, without api-version")
        .mount(&server)
        .await;

    client(&server)
        .access_codes_page(&documented_filter(), 0, 10)
        .await
        .expect("success");

    let request = the_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), QUERY_ACCESS_CODE_LIST);
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
async fn listing_every_page_asks_for_100_access_codes_from_offset_0() {
    let server = MockServer::start().await;
    let expected = json!({"accessCode": "9911411", "mediatypeId": 5, "description": "接入码", "limit": 100, "offset": 0});
    Mock::given(method("POST"))
        .and(path(QUERY_ACCESS_CODE_LIST))
        .and(body_json(&expected))
        .respond_with(documented_success())
        .expect(1)
        .named("queryAccessCodeList, first page of 100")
        .mount(&server)
        .await;

    client(&server)
        .access_codes(&documented_filter())
        .await
        .expect("success");

    assert_eq!(received_bodies(&server).await, [expected]);
}

#[tokio::test]
async fn an_empty_filter_sends_only_limit_and_offset() {
    let server = MockServer::start().await;
    mount_query_access_code_list(&server, documented_success(), 1).await;

    client(&server)
        .access_codes(&AccessCodeFilter::new())
        .await
        .expect("success");

    assert_eq!(
        received_bodies(&server).await,
        [json!({"limit": 100, "offset": 0})]
    );
}

#[test]
fn a_media_type_this_query_does_not_document_is_refused_before_sending() {
    let error = AccessCodeFilter::new()
        .media_type(MediaType::Video)
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::InvalidInput {
                field: "mediatypeId",
                ..
            }
        ),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string());
}

// ---------------------------------------------------------------------------
// How the documented answer decodes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn documented_response_decodes_to_the_documented_access_code() {
    let code = documented_access_code().await;

    insta::assert_debug_snapshot!(code);
}

#[tokio::test]
async fn null_service_number_and_description_decode_as_none() {
    let code = documented_access_code().await;

    assert_eq!(code.service_number, None);
    assert_eq!(code.description, None);
}

#[tokio::test]
async fn num_call_attr_3_decodes_as_inbound_and_outbound() {
    let code = documented_access_code().await;

    assert_eq!(code.direction, Some(Listed::Known(CallDirection::Both)));
}

#[tokio::test]
async fn the_documented_id_code_and_media_type_are_kept() {
    let code = documented_access_code().await;

    assert_eq!(code.id.as_deref(), Some("1124167935465633793"));
    assert_eq!(code.code, "9911411");
    assert_eq!(
        code.media_type,
        Some(Listed::Known(MediaType::VoiceAndVideo))
    );
}

#[tokio::test]
async fn one_page_reports_the_total_and_how_many_access_codes_were_received() {
    let server = MockServer::start().await;
    mount_query_access_code_list(&server, documented_success(), 1).await;

    let page = client(&server)
        .access_codes_page(&AccessCodeFilter::new(), 0, 10)
        .await
        .expect("the documented example decodes");

    assert_eq!(page.total, Some(1));
    assert_eq!(page.received, 1);
    assert_eq!(page.items, [documented_access_code().await]);
}

#[tokio::test]
async fn call_directions_decode_as_documented() {
    let codes = (1..=3)
        .map(|attr| {
            let mut code = access_code_json(attr);
            code["numCallAttr"] = json!(attr);
            code
        })
        .collect();

    let codes = access_codes_answered_with(
        ResponseTemplate::new(200).set_body_json(page(Some(3), codes)),
        1,
    )
    .await
    .expect("success");

    let directions: Vec<_> = codes.into_iter().map(|c| c.direction).collect();
    assert_eq!(
        directions,
        [
            Some(Listed::Known(CallDirection::Inbound)),
            Some(Listed::Known(CallDirection::Outbound)),
            Some(Listed::Known(CallDirection::Both)),
        ]
    );
}

// ---------------------------------------------------------------------------
// Undocumented values, nulls and missing parts
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_media_type_is_kept_as_unknown_and_the_page_still_decodes() {
    let response = page(
        Some(2),
        vec![
            access_code_json(1),
            documented_access_code_with("mediatypeId", json!(77)),
        ],
    );

    let codes = access_codes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("an undocumented media type never fails a page");

    assert_eq!(codes.len(), 2);
    assert_eq!(codes[1].media_type, Some(Listed::Unknown("77".into())));
}

#[tokio::test]
async fn an_unknown_call_attribute_is_kept_as_unknown_and_the_page_still_decodes() {
    let response = page(
        Some(2),
        vec![
            access_code_json(1),
            documented_access_code_with("numCallAttr", json!(4)),
        ],
    );

    let codes = access_codes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("an undocumented call attribute never fails a page");

    assert_eq!(codes.len(), 2);
    assert_eq!(codes[1].direction, Some(Listed::Unknown("4".into())));
}

#[tokio::test]
async fn null_in_every_field_decodes_without_failing() {
    let response = json!({
        "returnCode": "0",
        "description": null,
        "data": {"total": 1, "calledRouteList": [{
            "id": null, "accessCode": null, "mediatypeId": null, "n400Number": null,
            "description": null, "numCallAttr": null,
        }]},
    });

    let codes = access_codes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("every field may be null");

    insta::assert_debug_snapshot!(codes);
}

#[tokio::test]
async fn a_success_without_an_access_code_list_is_an_empty_listing() {
    let successes = [
        (
            "a null access code list",
            json!({"returnCode": "0", "description": "success", "data": {"total": null, "calledRouteList": null}}),
        ),
        (
            "a missing data",
            json!({"returnCode": "0", "description": "success"}),
        ),
        (
            "a null data",
            json!({"returnCode": "0", "description": "success", "data": null}),
        ),
    ];
    for (what, response) in successes {
        let codes =
            access_codes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));

        assert_eq!(codes, [], "{what}");
    }
}

#[tokio::test]
async fn a_body_without_return_code_is_unconfirmed_not_an_empty_listing() {
    let response = json!({"returnCode": null, "description": null, "data": null});

    let error = access_codes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "queryAccessCodeList",
                ..
            }
        ),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string());
}

// ---------------------------------------------------------------------------
// Statuses and business failures
// ---------------------------------------------------------------------------

#[tokio::test]
async fn non_zero_return_code_is_business_failure_with_code_and_description() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "02000001", "description": "query failed"}));

    let error = access_codes_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::Business { code, description } => {
            assert_eq!(code, "02000001");
            assert_eq!(description.as_deref(), Some("query failed"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

/// The error statuses the spec documents for queryAccessCodeList, as one table
/// (`common::statuses`): each becomes its own error, whose message gives the
/// documented meaning and quotes the body.
#[tokio::test]
async fn documented_error_statuses_become_their_errors_with_the_documented_meaning() {
    let table = statuses::answer_each_documented_error(
        "queryAccessCodeList",
        &[
            (400, "gateway: malformed limit"),
            (401, "gateway: token rejected"),
            (403, "gateway: app key not allowed"),
            (404, "gateway: no such API"),
            (500, "query failed"),
        ],
        access_codes_answered_with,
    )
    .await;

    insta::assert_snapshot!(table);
}

// ---------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------

#[tokio::test]
async fn lists_250_access_codes_in_three_requests_of_100() {
    let server = MockServer::start().await;
    mount_query_access_code_list(&server, Listing { total: 250 }, 3).await;

    let codes = client(&server)
        .access_codes(&AccessCodeFilter::new())
        .await
        .expect("success");

    assert_eq!(codes.len(), 250);
    let pages: Vec<(u64, u64)> = received_bodies(&server)
        .await
        .iter()
        .map(|b| (b["offset"].as_u64().unwrap(), b["limit"].as_u64().unwrap()))
        .collect();
    assert_eq!(pages, [(0, 100), (100, 100), (200, 100)]);
}

#[tokio::test]
async fn a_server_that_repeats_the_same_page_is_a_decode_error_not_a_hang() {
    let server = MockServer::start().await;
    let same_page = page(Some(1000), (0..100).map(access_code_json).collect());
    mount_query_access_code_list(
        &server,
        ResponseTemplate::new(200).set_body_json(same_page),
        2,
    )
    .await;

    let outcome = tokio::time::timeout(
        Duration::from_secs(5),
        client(&server).access_codes(&AccessCodeFilter::new()),
    )
    .await
    .expect("the listing must stop, not loop");

    let error = outcome.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "queryAccessCodeList",
                ..
            }
        ),
        "{error:?}"
    );
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn an_empty_page_before_the_reported_total_ends_the_listing_with_what_it_has() {
    let server = MockServer::start().await;
    mount_query_access_code_list(
        &server,
        |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            let codes = if body["offset"] == json!(0) {
                (0..3).map(access_code_json).collect()
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(page(Some(5), codes))
        },
        2,
    )
    .await;

    let codes = tokio::time::timeout(
        Duration::from_secs(5),
        client(&server).access_codes(&AccessCodeFilter::new()),
    )
    .await
    .expect("the listing must stop")
    .expect("an empty page ends the listing");

    assert_eq!(codes.len(), 3);
}

#[tokio::test]
async fn an_access_code_of_another_media_type_is_dropped_when_the_server_ignores_the_filter() {
    let server = MockServer::start().await;
    let mut multimedia = access_code_json(2);
    multimedia["mediatypeId"] = json!(53);
    mount_query_access_code_list(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(page(Some(2), vec![access_code_json(1), multimedia])),
        1,
    )
    .await;

    let filter = AccessCodeFilter::new()
        .media_type(MediaType::VoiceAndVideo)
        .expect("5 is a documented filter");
    let codes = client(&server)
        .access_codes(&filter)
        .await
        .expect("success");

    let ids: Vec<Option<&str>> = codes.iter().map(|c| c.id.as_deref()).collect();
    assert_eq!(
        ids,
        [Some("1124167935465633794")],
        "the multimedia access code is dropped"
    );
}
