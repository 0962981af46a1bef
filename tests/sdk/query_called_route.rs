//! Contract tests for `queryCalledRoute`: what the client sends (method, path,
//! headers, body exactly as documented), how each documented and undocumented
//! answer becomes routes or an error, and how the listing pages.
//!
//! Fixtures are the documented example (api-cec cec_07_0043 / cec_07_1033,
//! via Huawei's zh mirror), copied exactly; the one deliberate difference is
//! noted at [`documented_body`].

use crate::common;

use common::contract::{client, received_bodies, the_request};
use common::paths::QUERY_CALLED_ROUTE;
use common::statuses;
use std::time::Duration;

use cec_routes::{Device, Editable, Error, Listed, MediaType, Page, Route, RouteFilter, RouteId};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

/// The documented example filter: access code `9911411`, extension code
/// `11`, skill queues, device `defaultVideoSkill`, video.
fn documented_filter() -> RouteFilter {
    RouteFilter::new()
        .access_code("9911411")
        .and_then(|f| f.ext_code("11"))
        .map(|f| {
            f.skill_queues()
                .device_desc("defaultVideoSkill")
                .media_type(MediaType::Video)
        })
        .expect("the documented example filter is valid")
}

/// The documented example request, with one deliberate difference: the
/// example spells the media-type field `mediatypeId`, the request table
/// `mediaTypeId` (capital T). The spec and the client follow the table.
fn documented_body() -> Value {
    json!({"accessCode": "9911411", "extCode": "11", "devicetype": 1, "deviceDesc": "defaultVideoSkill", "mediaTypeId": 19, "limit": 10, "offset": 0})
}

/// The documented example response.
fn documented_response() -> Value {
    json!({"returnCode": "0", "data": {"total": 3, "calledRouteList": [{"id": "1125397061153369092", "dnid": 3, "accessCode": "9911411", "mediatypeId": 19, "extCode": "11", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}, {"id": "1127983948544239618", "dnid": 1, "accessCode": "9911411", "mediatypeId": null, "extCode": "", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}, {"id": "1127986019188238339", "dnid": 2, "accessCode": "9911411", "mediatypeId": 19, "extCode": "1", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}]}, "description": "success"})
}

fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(documented_response())
}

/// Mounts `queryCalledRoute` answering with `response`, expected `times` times.
async fn mount_query_called_route(
    server: &MockServer,
    response: impl Respond + 'static,
    times: u64,
) {
    Mock::given(method("POST"))
        .and(path(QUERY_CALLED_ROUTE))
        .respond_with(response)
        .expect(times)
        .named("queryCalledRoute")
        .mount(server)
        .await;
}

/// Lists every route against a fresh server that answers `response`
/// `times` times.
async fn called_routes_answered_with(
    response: impl Respond + 'static,
    times: u64,
) -> Result<Vec<Route>, Error> {
    let server = MockServer::start().await;
    mount_query_called_route(&server, response, times).await;
    let outcome = client(&server).called_routes(&RouteFilter::new()).await;
    server.verify().await;
    outcome
}

/// The documented routes, as the client decodes them.
async fn documented_routes() -> Vec<Route> {
    called_routes_answered_with(documented_success(), 1)
        .await
        .expect("the documented example response decodes")
}

/// A 200 `returnCode` `"0"` page.
fn page(total: Option<u64>, routes: Vec<Value>) -> Value {
    json!({"returnCode": "0", "data": {"total": total, "calledRouteList": routes}, "description": "success"})
}

/// The `n`th route of a synthetic listing: a video route to skill queue 1
/// whose id, like CEC's, is larger than 2^53.
fn route_json(n: u64) -> Value {
    json!({
        "id": (1125397061153369092_u64 + n).to_string(),
        "dnid": n,
        "accessCode": "9911411",
        "mediatypeId": 19,
        "extCode": n.to_string(),
        "devicetype": 1,
        "deviceId": 1,
        "deviceDesc": "defaultVideoSkill",
        "editable": "0",
    })
}

/// The documented second route (`mediatypeId` null, extCode `""`) with one
/// field replaced.
fn documented_route_with(field: &str, value: Value) -> Value {
    let mut route = documented_response()["data"]["calledRouteList"][1].clone();
    route[field] = value;
    route
}

/// Serves `total` synthetic routes, answering each request with the slice
/// its `offset` and `limit` ask for.
struct Listing {
    total: u64,
}

impl Respond for Listing {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().expect("the request body is JSON");
        let offset = body["offset"].as_u64().expect("offset is sent");
        let limit = body["limit"].as_u64().expect("limit is sent");
        let routes = (offset..(offset + limit).min(self.total))
            .map(route_json)
            .collect();
        ResponseTemplate::new(200).set_body_json(page(Some(self.total), routes))
    }
}

/// Answers `first` at offset 0 and an empty page after it.
fn only_first_page(first: Value) -> impl Respond {
    move |request: &Request| {
        let body: Value = request.body_json().expect("the request body is JSON");
        if body["offset"] == json!(0) {
            ResponseTemplate::new(200).set_body_json(first.clone())
        } else {
            ResponseTemplate::new(200).set_body_json(page(None, vec![]))
        }
    }
}

fn id(raw: &str) -> Option<RouteId> {
    Some(raw.parse().expect("a valid route id"))
}

// ---------------------------------------------------------------------------
// What is sent
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sends_documented_example_body_exactly_with_the_tables_media_type_spelling() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_CALLED_ROUTE))
        .and(body_json(documented_body()))
        .respond_with(documented_success())
        .expect(1)
        .named("queryCalledRoute with the documented body")
        .mount(&server)
        .await;

    client(&server)
        .called_routes_page(&documented_filter(), 0, 10)
        .await
        .expect("the documented example succeeds");

    // Exact JSON equality: no field more, none less, no other value.
    let received: Value = the_request(&server).await.body_json().expect("JSON body");
    assert_eq!(received, documented_body());
    assert!(
        received.get("mediatypeId").is_none(),
        "the example's spelling `mediatypeId` must not be sent as well"
    );
}

#[tokio::test]
async fn sends_post_with_the_bearer_token_and_no_api_version_to_the_documented_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_CALLED_ROUTE))
        .and(header("authorization", "Bearer t0k"))
        .and(|r: &Request| !r.headers.contains_key("api-version"))
        .respond_with(documented_success())
        .expect(1)
        .named("queryCalledRoute, authenticated, without api-version")
        .mount(&server)
        .await;

    client(&server)
        .called_routes_page(&documented_filter(), 0, 10)
        .await
        .expect("success");

    let request = the_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), QUERY_CALLED_ROUTE);
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
async fn listing_every_page_asks_for_100_routes_from_offset_0() {
    let server = MockServer::start().await;
    let expected = json!({"accessCode": "9911411", "extCode": "11", "devicetype": 1, "deviceDesc": "defaultVideoSkill", "mediaTypeId": 19, "limit": 100, "offset": 0});
    Mock::given(method("POST"))
        .and(path(QUERY_CALLED_ROUTE))
        .and(body_json(&expected))
        .respond_with(documented_success())
        .expect(1)
        .named("queryCalledRoute, first page of 100")
        .mount(&server)
        .await;

    client(&server)
        .called_routes(&documented_filter())
        .await
        .expect("success");

    assert_eq!(received_bodies(&server).await, [expected]);
}

#[tokio::test]
async fn an_empty_filter_sends_only_limit_and_offset() {
    let server = MockServer::start().await;
    mount_query_called_route(&server, documented_success(), 1).await;

    client(&server)
        .called_routes(&RouteFilter::new())
        .await
        .expect("success");

    assert_eq!(
        received_bodies(&server).await,
        [json!({"limit": 100, "offset": 0})]
    );
}

#[tokio::test]
async fn the_ivr_flows_filter_sends_devicetype_3() {
    let server = MockServer::start().await;
    mount_query_called_route(
        &server,
        ResponseTemplate::new(200).set_body_json(page(Some(0), vec![])),
        1,
    )
    .await;

    client(&server)
        .called_routes(&RouteFilter::new().ivr_flows())
        .await
        .expect("success");

    assert_eq!(
        received_bodies(&server).await,
        [json!({"devicetype": 3, "limit": 100, "offset": 0})]
    );
}

#[tokio::test]
async fn a_page_limit_outside_1_to_100_is_refused_before_sending() {
    let server = MockServer::start().await;
    mount_query_called_route(&server, documented_success(), 0).await;
    let client = client(&server);

    let zero = client
        .called_routes_page(&RouteFilter::new(), 0, 0)
        .await
        .unwrap_err();
    let too_many = client
        .called_routes_page(&RouteFilter::new(), 0, 101)
        .await
        .unwrap_err();

    assert!(
        matches!(&zero, Error::InvalidInput { field: "limit", .. }),
        "{zero:?}"
    );
    assert!(
        matches!(&too_many, Error::InvalidInput { field: "limit", .. }),
        "{too_many:?}"
    );
    server.verify().await;
    insta::assert_snapshot!(format!("{zero}\n{too_many}"));
}

// ---------------------------------------------------------------------------
// How the documented answer decodes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn documented_response_decodes_to_the_three_documented_routes() {
    let routes = documented_routes().await;

    assert_eq!(routes.len(), 3);
    insta::assert_debug_snapshot!(routes);
}

#[tokio::test]
async fn route_ids_larger_than_2_pow_53_are_kept_exactly_as_sent() {
    let routes = documented_routes().await;

    let ids: Vec<&str> = routes
        .iter()
        .map(|r| {
            r.id.as_ref()
                .expect("every documented route has an id")
                .as_str()
        })
        .collect();
    assert_eq!(
        ids,
        [
            "1125397061153369092",
            "1127983948544239618",
            "1127986019188238339"
        ]
    );
    // Why they must stay strings: as a double, the first id is another id.
    let as_double: f64 = "1125397061153369092".parse().expect("a number");
    assert_ne!(as_double as u64, 1125397061153369092);
}

#[tokio::test]
async fn dnids_decode_as_integers() {
    let routes = documented_routes().await;

    let dnids: Vec<Option<i64>> = routes.iter().map(|r| r.dnid).collect();
    assert_eq!(dnids, [Some(3), Some(1), Some(2)]);
}

#[tokio::test]
async fn an_empty_extension_code_decodes_as_none() {
    let routes = documented_routes().await;

    let ext_codes: Vec<Option<&str>> = routes.iter().map(|r| r.ext_code.as_deref()).collect();
    assert_eq!(ext_codes, [Some("11"), None, Some("1")]);
}

#[tokio::test]
async fn a_null_media_type_decodes_as_none() {
    let routes = documented_routes().await;

    assert_eq!(routes[1].media_type, None);
    assert_eq!(routes[0].media_type, Some(Listed::Known(MediaType::Video)));
    assert_eq!(routes[2].media_type, Some(Listed::Known(MediaType::Video)));
}

#[tokio::test]
async fn the_documented_routes_point_at_skill_queue_1_and_are_editable() {
    let routes = documented_routes().await;

    for route in &routes {
        assert_eq!(route.device, Listed::Known(Device::SkillQueue(1)));
        assert_eq!(route.device_desc.as_deref(), Some("defaultVideoSkill"));
        assert_eq!(route.access_code, "9911411");
        assert_eq!(route.editable, Editable::Yes);
    }
}

#[tokio::test]
async fn one_page_reports_the_total_and_how_many_routes_were_received() {
    let server = MockServer::start().await;
    mount_query_called_route(&server, documented_success(), 1).await;

    let page: Page<Route> = client(&server)
        .called_routes_page(&RouteFilter::new(), 0, 10)
        .await
        .expect("the documented example decodes");

    assert_eq!(page.total, Some(3));
    assert_eq!(page.received, 3);
    assert_eq!(page.items, documented_routes().await);
}

// ---------------------------------------------------------------------------
// Undocumented values, nulls and missing parts
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_media_type_is_kept_as_unknown_and_the_page_still_decodes() {
    let response = page(
        Some(2),
        vec![
            route_json(1),
            documented_route_with("mediatypeId", json!(77)),
        ],
    );

    let routes = called_routes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("an undocumented media type never fails a page");

    assert_eq!(routes.len(), 2);
    assert_eq!(routes[1].media_type, Some(Listed::Unknown("77".into())));
}

#[tokio::test]
async fn an_unknown_device_type_is_kept_as_unknown_and_the_page_still_decodes() {
    let response = page(
        Some(2),
        vec![route_json(1), documented_route_with("devicetype", json!(9))],
    );

    let routes = called_routes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("an undocumented device type never fails a page");

    assert_eq!(routes.len(), 2);
    assert!(
        matches!(&routes[1].device, Listed::Unknown(raw) if raw.contains("devicetype 9")),
        "{:?}",
        routes[1].device
    );
    insta::assert_snapshot!(routes[1].device.to_string());
}

#[tokio::test]
async fn an_unknown_editable_state_is_kept_as_unknown_and_the_page_still_decodes() {
    let response = page(
        Some(2),
        vec![route_json(1), documented_route_with("editable", json!("7"))],
    );

    let routes = called_routes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("an undocumented editable state never fails a page");

    assert_eq!(routes.len(), 2);
    assert_eq!(routes[1].editable, Editable::Unknown("7".into()));
    assert!(!routes[1].editable.can_edit());
    assert!(!routes[1].editable.can_delete());
}

#[tokio::test]
async fn editable_states_decode_as_documented() {
    let states = [json!("0"), json!(null), json!("1"), json!("2"), json!("3")];
    let routes: Vec<Value> = states
        .iter()
        .enumerate()
        .map(|(n, state)| {
            let mut route = route_json(n as u64);
            route["editable"] = state.clone();
            route
        })
        .collect();

    let routes = called_routes_answered_with(
        ResponseTemplate::new(200).set_body_json(page(Some(5), routes)),
        1,
    )
    .await
    .expect("success");

    let editable: Vec<Editable> = routes.into_iter().map(|r| r.editable).collect();
    assert_eq!(
        editable,
        [
            Editable::Yes,
            Editable::Yes,
            Editable::DeleteOnly,
            Editable::EditOnly,
            Editable::Locked
        ]
    );
}

#[tokio::test]
async fn null_in_every_field_decodes_without_failing() {
    let response = json!({
        "returnCode": "0",
        "description": null,
        "data": {"total": null, "calledRouteList": [{
            "id": null, "dnid": null, "accessCode": null, "mediatypeId": null, "extCode": null,
            "devicetype": null, "deviceId": null, "deviceDesc": null, "editable": null,
        }]},
    });

    // With no total, the listing asks for a second page, which is empty.
    let routes = called_routes_answered_with(only_first_page(response), 2)
        .await
        .expect("every field may be null");

    insta::assert_debug_snapshot!(routes);
}

#[tokio::test]
async fn a_success_without_a_route_list_is_an_empty_listing() {
    let successes = [
        (
            "a null route list",
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
        let routes =
            called_routes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));

        assert_eq!(routes, [], "{what}");
    }
}

#[tokio::test]
async fn a_body_without_return_code_is_unconfirmed_not_an_empty_listing() {
    let response = json!({"returnCode": null, "description": null, "data": null});

    let error = called_routes_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "queryCalledRoute",
                ..
            }
        ),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_decode_error_naming_the_operation() {
    let response = ResponseTemplate::new(200).set_body_string("<html>maintenance</html>");

    let error = called_routes_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::Decode {
            operation, body, ..
        } => {
            assert_eq!(*operation, "queryCalledRoute");
            assert!(body.contains("<html>maintenance</html>"), "{body}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

// ---------------------------------------------------------------------------
// Statuses and business failures
// ---------------------------------------------------------------------------

#[tokio::test]
async fn non_zero_return_code_is_business_failure_with_code_and_description() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "02000001", "description": "query failed"}));

    let error = called_routes_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::Business { code, description } => {
            assert_eq!(code, "02000001");
            assert_eq!(description.as_deref(), Some("query failed"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

/// The error statuses the spec documents for queryCalledRoute, as one table
/// (`common::statuses`): each becomes its own error, whose message gives the
/// documented meaning and quotes the body.
#[tokio::test]
async fn documented_error_statuses_become_their_errors_with_the_documented_meaning() {
    let table = statuses::answer_each_documented_error(
        "queryCalledRoute",
        &[
            (400, "gateway: malformed limit"),
            (401, "gateway: token rejected"),
            (403, "gateway: app key not allowed"),
            (404, "gateway: no such API"),
            (500, "query failed"),
        ],
        called_routes_answered_with,
    )
    .await;

    insta::assert_snapshot!(table);
}

#[tokio::test]
async fn a_failure_on_a_later_page_fails_the_listing() {
    let server = MockServer::start().await;
    mount_query_called_route(
        &server,
        |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            if body["offset"] == json!(0) {
                ResponseTemplate::new(200)
                    .set_body_json(page(Some(150), (0..100).map(route_json).collect()))
            } else {
                ResponseTemplate::new(500).set_body_string("query failed")
            }
        },
        2,
    )
    .await;

    let error = client(&server)
        .called_routes(&RouteFilter::new())
        .await
        .unwrap_err();

    assert!(matches!(&error, Error::ServerFailure { .. }), "{error:?}");
}

// ---------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------

#[tokio::test]
async fn lists_250_routes_in_three_requests_of_100() {
    let server = MockServer::start().await;
    mount_query_called_route(&server, Listing { total: 250 }, 3).await;

    let routes = client(&server)
        .called_routes(&RouteFilter::new())
        .await
        .expect("success");

    assert_eq!(routes.len(), 250);
    let dnids: Vec<i64> = routes.iter().filter_map(|r| r.dnid).collect();
    assert_eq!(
        dnids,
        (0..250).collect::<Vec<i64>>(),
        "every route once, in order"
    );
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
    let same_page = page(Some(1000), (0..100).map(route_json).collect());
    mount_query_called_route(
        &server,
        ResponseTemplate::new(200).set_body_json(same_page),
        2,
    )
    .await;

    let outcome = tokio::time::timeout(
        Duration::from_secs(5),
        client(&server).called_routes(&RouteFilter::new()),
    )
    .await
    .expect("the listing must stop, not loop");

    let error = outcome.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "queryCalledRoute",
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
    mount_query_called_route(
        &server,
        |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            let routes = if body["offset"] == json!(0) {
                (0..3).map(route_json).collect()
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(page(Some(5), routes))
        },
        2,
    )
    .await;

    let routes = tokio::time::timeout(
        Duration::from_secs(5),
        client(&server).called_routes(&RouteFilter::new()),
    )
    .await
    .expect("the listing must stop")
    .expect("an empty page ends the listing");

    assert_eq!(routes.len(), 3);
    let offsets: Vec<Value> = received_bodies(&server)
        .await
        .iter()
        .map(|b| b["offset"].clone())
        .collect();
    assert_eq!(
        offsets,
        [json!(0), json!(3)],
        "the offset advances by the routes received"
    );
}

#[tokio::test]
async fn a_huge_reported_total_lists_what_cec_sends_without_reserving_for_it() {
    // The client reserves room from the first page's total, but never for
    // more than a bounded number: a total of 2^62 must not abort the
    // process on an impossible allocation.
    let server = MockServer::start().await;
    mount_query_called_route(
        &server,
        |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            let routes = if body["offset"] == json!(0) {
                (0..3).map(route_json).collect()
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(page(Some(1 << 62), routes))
        },
        2,
    )
    .await;

    let routes = client(&server)
        .called_routes(&RouteFilter::new())
        .await
        .expect("the listing ends at the empty page");

    assert_eq!(routes.len(), 3);
}

#[tokio::test]
async fn without_a_total_the_listing_ends_at_the_first_empty_page() {
    let server = MockServer::start().await;
    mount_query_called_route(
        &server,
        |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            let offset = body["offset"].as_u64().expect("offset");
            let routes = (offset..(offset + 100).min(130)).map(route_json).collect();
            ResponseTemplate::new(200).set_body_json(page(None, routes))
        },
        3,
    )
    .await;

    let routes = client(&server)
        .called_routes(&RouteFilter::new())
        .await
        .expect("success");

    assert_eq!(routes.len(), 130);
}

#[tokio::test]
async fn a_route_of_another_media_type_is_dropped_when_the_server_ignores_the_filter() {
    let server = MockServer::start().await;
    let mut voice = route_json(2);
    voice["mediatypeId"] = json!(5);
    mount_query_called_route(
        &server,
        ResponseTemplate::new(200).set_body_json(page(Some(2), vec![route_json(1), voice])),
        1,
    )
    .await;

    let routes = client(&server)
        .called_routes(&RouteFilter::new().media_type(MediaType::Video))
        .await
        .expect("success");

    let dnids: Vec<Option<i64>> = routes.iter().map(|r| r.dnid).collect();
    assert_eq!(dnids, [Some(1)], "the voice-and-video route is dropped");
}

#[tokio::test]
async fn one_page_counts_the_dropped_route_as_received() {
    let server = MockServer::start().await;
    let mut voice = route_json(2);
    voice["mediatypeId"] = json!(5);
    mount_query_called_route(
        &server,
        ResponseTemplate::new(200).set_body_json(page(Some(2), vec![route_json(1), voice])),
        1,
    )
    .await;

    let page = client(&server)
        .called_routes_page(&RouteFilter::new().media_type(MediaType::Video), 0, 100)
        .await
        .expect("success");

    assert_eq!(page.received, 2);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, id("1125397061153369093"));
}

// ---------------------------------------------------------------------------
// The extension-code filter: exact, or as a caller dials
// ---------------------------------------------------------------------------

/// Lists against the documented answer (routes with extension `"11"`, none
/// and `"1"`, as CEC answers the filter `"11"`) with `filter`; gives the
/// extension codes listed, and what was sent.
async fn ext_codes_listed_for(filter: RouteFilter) -> (Vec<Option<String>>, Vec<Value>) {
    let server = MockServer::start().await;
    mount_query_called_route(&server, documented_success(), 1).await;
    let routes = client(&server)
        .called_routes(&filter)
        .await
        .expect("success");
    let ext_codes = routes.into_iter().map(|r| r.ext_code).collect();
    (ext_codes, received_bodies(&server).await)
}

#[tokio::test]
async fn an_extension_code_filter_lists_exactly_that_extension_not_its_prefixes() {
    let filter = RouteFilter::new()
        .access_code("9911411")
        .and_then(|f| f.ext_code("11"))
        .expect("a valid filter");
    let (ext_codes, sent) = ext_codes_listed_for(filter).await;
    assert_eq!(
        ext_codes,
        [Some("11".to_owned())],
        "the main route (no extension) and ext 1 are not ext 11"
    );
    assert_eq!(
        sent,
        [json!({"accessCode": "9911411", "extCode": "11", "limit": 100, "offset": 0})]
    );
}

#[tokio::test]
async fn the_dial_match_filter_lists_every_route_a_caller_dialling_it_could_reach() {
    let filter = RouteFilter::new()
        .access_code("9911411")
        .and_then(|f| f.ext_code_dial_match("11"))
        .expect("a valid filter");
    let (ext_codes, sent) = ext_codes_listed_for(filter).await;
    assert_eq!(
        ext_codes,
        [Some("11".to_owned()), None, Some("1".to_owned())]
    );
    assert_eq!(
        sent,
        [json!({"accessCode": "9911411", "extCode": "11", "limit": 100, "offset": 0})],
        "both readings send the same filter"
    );
}

#[tokio::test]
async fn the_dial_match_filter_drops_extensions_that_are_not_a_prefix() {
    // A server that matched more loosely still gives only dial matches.
    let filter = RouteFilter::new()
        .ext_code_dial_match("1")
        .expect("a valid filter");
    let (ext_codes, _) = ext_codes_listed_for(filter).await;
    assert_eq!(
        ext_codes,
        [None, Some("1".to_owned())],
        "ext 11 is not reached by dialling 1"
    );
}

#[tokio::test]
async fn an_exact_extension_filter_with_no_such_route_lists_nothing() {
    let filter = RouteFilter::new().ext_code("111").expect("a valid filter");
    let (ext_codes, _) = ext_codes_listed_for(filter).await;
    assert!(ext_codes.is_empty(), "{ext_codes:?}");
}

#[tokio::test]
async fn an_access_code_filter_drops_routes_of_other_access_codes() {
    let server = MockServer::start().await;
    let mut other = route_json(2);
    other["accessCode"] = json!("99114110");
    mount_query_called_route(
        &server,
        ResponseTemplate::new(200).set_body_json(page(Some(2), vec![route_json(1), other])),
        1,
    )
    .await;

    let routes = client(&server)
        .called_routes(&RouteFilter::new().access_code("9911411").expect("valid"))
        .await
        .expect("success");

    let dnids: Vec<Option<i64>> = routes.iter().map(|r| r.dnid).collect();
    assert_eq!(
        dnids,
        [Some(1)],
        "a fuzzy match on the access code is dropped"
    );
}

#[tokio::test]
async fn one_page_of_an_exact_extension_filter_counts_the_prefix_routes_as_received() {
    let server = MockServer::start().await;
    mount_query_called_route(&server, documented_success(), 1).await;

    let page = client(&server)
        .called_routes_page(&documented_filter(), 0, 10)
        .await
        .expect("success");

    assert_eq!(page.received, 3);
    assert_eq!(page.total, Some(3), "CEC's total, as it sent it");
    let ext_codes: Vec<Option<&str>> = page.items.iter().map(|r| r.ext_code.as_deref()).collect();
    assert_eq!(ext_codes, [Some("11")]);
}

// ---------------------------------------------------------------------------
// Page by page
// ---------------------------------------------------------------------------

/// The sizes of the pages `called_route_pages` gives, to the end.
async fn page_sizes(server: &MockServer) -> Vec<usize> {
    let client = client(server);
    let mut pages = client.called_route_pages(RouteFilter::new());
    let mut sizes = Vec::new();
    while let Some(routes) = pages.next_page().await.expect("success") {
        sizes.push(routes.len());
    }
    sizes
}

#[tokio::test]
async fn route_pages_give_250_routes_as_pages_of_100_100_and_50() {
    let server = MockServer::start().await;
    mount_query_called_route(&server, Listing { total: 250 }, 3).await;

    assert_eq!(page_sizes(&server).await, [100, 100, 50]);
}

#[tokio::test]
async fn route_pages_give_a_route_repeated_on_a_later_page_once() {
    let server = MockServer::start().await;
    mount_query_called_route(
        &server,
        |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            let routes = match body["offset"].as_u64().expect("offset") {
                0 => (0..3).map(route_json).collect(),
                3 => (2..5).map(route_json).collect(),
                _ => vec![],
            };
            ResponseTemplate::new(200).set_body_json(page(None, routes))
        },
        3,
    )
    .await;

    assert_eq!(page_sizes(&server).await, [3, 2]);
}

#[tokio::test]
async fn route_pages_fail_at_the_page_that_fails_and_then_end() {
    let server = MockServer::start().await;
    mount_query_called_route(
        &server,
        |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            if body["offset"] == json!(0) {
                ResponseTemplate::new(200)
                    .set_body_json(page(Some(150), (0..100).map(route_json).collect()))
            } else {
                ResponseTemplate::new(500).set_body_string("query failed")
            }
        },
        2,
    )
    .await;
    let client = client(&server);
    let mut pages = client.called_route_pages(RouteFilter::new());

    let first = pages.next_page().await.expect("the first page is served");
    let second = pages.next_page().await;
    let after = pages.next_page().await;

    assert_eq!(first.map(|routes| routes.len()), Some(100));
    assert!(
        matches!(&second, Err(Error::ServerFailure { .. })),
        "{second:?}"
    );
    assert_eq!(after.expect("no further request"), None);
}

#[tokio::test]
async fn routes_against_the_filter_are_warned_of_once_counting_every_page() {
    let server = MockServer::start().await;
    let voice = |n| {
        let mut route = route_json(n);
        route["mediatypeId"] = json!(5);
        route
    };
    mount_query_called_route(
        &server,
        move |request: &Request| {
            let body: Value = request.body_json().expect("JSON body");
            let routes = if body["offset"] == json!(0) {
                (0..100)
                    .map(|n| if n < 2 { voice(n) } else { route_json(n) })
                    .collect()
            } else {
                vec![route_json(100), voice(101)]
            };
            ResponseTemplate::new(200).set_body_json(page(Some(102), routes))
        },
        2,
    )
    .await;
    let (logs, _capturing) = crate::common::logs::capture_logs();

    let routes = client(&server)
        .called_routes(&RouteFilter::new().media_type(MediaType::Video))
        .await
        .expect("success");

    assert_eq!(routes.len(), 99);
    let text = logs.text();
    assert_eq!(text.matches("do not match the filter").count(), 1, "{text}");
    assert!(text.contains("dropped=3"), "{text}");
}
