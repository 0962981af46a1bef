//! Contract tests for `queryIVRFlowList`: what the client sends (`{}`, the
//! only body the page allows), how its own envelope (`retCode`, `message`,
//! `result`) becomes IVR flows or an error, and every documented status.
//!
//! No copy of the page shows an example; the fixture is the spec's
//! illustrative one (the sandbox's default flows).

use crate::common;

use common::contract::{client, the_request};
use common::paths::QUERY_IVR_FLOW_LIST;
use common::statuses;

use cec_routes::{
    Error, Listed,
    targets::{FlowType, IvrFlow},
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Respond, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

/// The spec's example response.
fn example_response() -> Value {
    json!({
        "retCode": "0",
        "message": "success",
        "result": [
            {"id": 7, "accessCode": "1001", "description": "welcomeIvr", "flowFileName": "welcome.vxml", "flowType": 4, "isLoad": 1, "maxCallNum": 100},
            {"id": 8, "accessCode": "1002", "description": "afterHoursIvr", "flowFileName": "after_hours.vxml", "flowType": 4, "isLoad": 0, "maxCallNum": 50}
        ]
    })
}

/// Lists the IVR flows against a fresh server that answers `response`
/// `times` times.
async fn ivr_flows_answered_with(
    response: impl Respond + 'static,
    times: u64,
) -> Result<Vec<IvrFlow>, Error> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_IVR_FLOW_LIST))
        .respond_with(response)
        .expect(times)
        .named("queryIVRFlowList")
        .mount(&server)
        .await;
    let outcome = client(&server).ivr_flows().await;
    server.verify().await;
    outcome
}

#[tokio::test]
async fn sends_an_empty_json_object_once_with_the_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_IVR_FLOW_LIST))
        .and(header("authorization", "Bearer t0k"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(200).set_body_json(example_response()))
        .expect(1)
        .named("queryIVRFlowList with {}")
        .mount(&server)
        .await;

    client(&server).ivr_flows().await.expect("success");

    let request = the_request(&server).await;
    assert_eq!(request.url.query(), None, "no paging is documented");
    assert!(!request.headers.contains_key("api-version"));
}

#[tokio::test]
async fn the_example_response_decodes_to_every_flow() {
    let flows = ivr_flows_answered_with(
        ResponseTemplate::new(200).set_body_json(example_response()),
        1,
    )
    .await
    .expect("the example decodes");

    insta::assert_debug_snapshot!(flows);
}

#[tokio::test]
async fn is_load_and_flow_type_decode_as_documented_and_unknown_values_are_kept() {
    let response = json!({"retCode": "0", "result": [
        {"id": 1, "isLoad": 0, "flowType": 6},
        {"id": 2, "isLoad": 1, "flowType": 9},
        {"id": 3, "isLoad": 7, "flowType": null},
    ]});

    let flows = ivr_flows_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("undocumented values never fail the listing");

    let seen: Vec<_> = flows
        .into_iter()
        .map(|f| (f.device_id(), f.loaded, f.flow_type))
        .collect();
    assert_eq!(
        seen,
        [
            (
                Some(1),
                Some(false),
                Some(Listed::Known(FlowType::WaitScript))
            ),
            (Some(2), Some(true), Some(Listed::Unknown("9".into()))),
            (Some(3), None, None),
        ]
    );
}

#[tokio::test]
async fn a_success_without_result_is_an_empty_listing() {
    for response in [
        json!({"retCode": "0", "message": "success", "result": []}),
        json!({"retCode": "0", "result": null}),
        json!({"retCode": "0"}),
    ] {
        let flows = ivr_flows_answered_with(ResponseTemplate::new(200).set_body_json(&response), 1)
            .await
            .unwrap_or_else(|e| panic!("{response}: {e}"));

        assert_eq!(flows, [], "{response}");
    }
}

#[tokio::test]
async fn a_non_zero_ret_code_is_a_business_failure_with_the_message() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"retCode": "0100", "message": "tenant space not found"}));

    let error = ivr_flows_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::Business { code, description } => {
            assert_eq!(code, "0100");
            assert_eq!(description.as_deref(), Some("tenant space not found"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_200_without_ret_code_is_unconfirmed_even_with_number_management_s_return_code() {
    // Number Management's envelope is not this operation's: `returnCode`
    // "0" does not confirm the IVR query.
    let response = json!({"returnCode": "0", "description": "success", "result": []});

    let error = ivr_flows_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "queryIVRFlowList",
                ..
            }
        ),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string());
}

/// The error statuses the spec documents for queryIVRFlowList, as one table
/// (`common::statuses`).
#[tokio::test]
async fn documented_error_statuses_become_their_errors_with_the_documented_meaning() {
    let table = statuses::answer_each_documented_error(
        "queryIVRFlowList",
        &[
            (400, "gateway: malformed body"),
            (401, "gateway: token rejected"),
            (403, "gateway: app key not allowed"),
            (404, "gateway: no such API"),
            (500, "query failed"),
        ],
        ivr_flows_answered_with,
    )
    .await;

    insta::assert_snapshot!(table);
}
