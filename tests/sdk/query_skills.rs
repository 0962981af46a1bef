//! Contract tests for `querySkills`: what the client sends (every number a
//! string, as the request table types it), how the documented answer and
//! every documented status become skill queues or an error, and how the
//! listing pages.
//!
//! Fixtures are the documented example (zh cec_07_1018 via Huawei's
//! mirror), copied exactly.

use crate::common;

use common::contract::{client, received_bodies, the_request};
use common::paths::QUERY_SKILLS;
use common::statuses;

use cec_routes::{
    Error, Listed, MediaType,
    targets::{SkillQueue, SkillQueueFilter},
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

/// The documented example request, as the request table types it (`limit`
/// and `offset` strings; the example itself sends `offset` as a number).
fn documented_body() -> Value {
    json!({"limit": "10", "offset": "0"})
}

/// The documented example response.
fn documented_response() -> Value {
    json!({
        "returnCode": "0",
        "total": 1,
        "data": [{
            "skillId": 1,
            "maxAgentWrapupTime": 5,
            "maxWaitTime": 60,
            "name": "defaultVideoSkill",
            "mediaTypeId": 19,
            "description": "2021ok",
            "maxWaitNum": 100,
            "skillParam": {
                "noAgents": {"transferType": "Release"},
                "busy": {"transferType": "Release"},
                "answerFunction": "0",
                "timeOut": {"transferType": "Release"},
                "waitVoice": {"parameterType": "Voice"}
            }
        }],
        "description": "success"
    })
}

fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(documented_response())
}

/// Mounts `querySkills` answering with `response`, expected `times` times.
async fn mount_query_skills(server: &MockServer, response: impl Respond + 'static, times: u64) {
    Mock::given(method("POST"))
        .and(path(QUERY_SKILLS))
        .respond_with(response)
        .expect(times)
        .named("querySkills")
        .mount(server)
        .await;
}

/// Lists every skill queue against a fresh server that answers `response`
/// `times` times.
async fn skill_queues_answered_with(
    response: impl Respond + 'static,
    times: u64,
) -> Result<Vec<SkillQueue>, Error> {
    let server = MockServer::start().await;
    mount_query_skills(&server, response, times).await;
    let outcome = client(&server).skill_queues(&SkillQueueFilter::new()).await;
    server.verify().await;
    outcome
}

/// A 200 `returnCode` `"0"` page.
fn page(total: Option<u64>, queues: Vec<Value>) -> Value {
    json!({"returnCode": "0", "total": total, "data": queues, "description": "success"})
}

/// The `n`th queue of a synthetic listing: voice and video.
fn queue_json(n: u64) -> Value {
    json!({"skillId": n, "name": format!("queue{n}"), "mediaTypeId": 5})
}

/// Serves `total` synthetic queues, answering each request with the slice
/// its `offset` and `limit` (strings) ask for.
struct Listing {
    total: u64,
}

impl Respond for Listing {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().expect("the request body is JSON");
        let number = |field: &str| -> u64 {
            body[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} is sent as a string"))
                .parse()
                .expect("a decimal number")
        };
        let (offset, limit) = (number("offset"), number("limit"));
        let queues = (offset..(offset + limit).min(self.total))
            .map(|n| queue_json(n + 1))
            .collect();
        ResponseTemplate::new(200).set_body_json(page(Some(self.total), queues))
    }
}

// ---------------------------------------------------------------------------
// What is sent
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sends_documented_example_body_exactly_with_numbers_as_strings() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(QUERY_SKILLS))
        .and(header("authorization", "Bearer t0k"))
        .and(body_json(documented_body()))
        .respond_with(documented_success())
        .expect(1)
        .named("querySkills with the documented body")
        .mount(&server)
        .await;

    client(&server)
        .skill_queues_page(&SkillQueueFilter::new(), 0, 10)
        .await
        .expect("the documented example succeeds");

    let request = the_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.query(), None);
    assert!(!request.headers.contains_key("api-version"));
    let received: Value = request.body_json().expect("JSON body");
    assert_eq!(received, documented_body());
}

#[tokio::test]
async fn every_filter_is_sent_as_the_request_table_types_it() {
    let server = MockServer::start().await;
    mount_query_skills(&server, documented_success(), 1).await;
    let filter = SkillQueueFilter::new()
        .name("defaultVideoSkill")
        .expect("a valid name")
        .media_type(MediaType::Video)
        .ids([1]);

    client(&server)
        .skill_queues(&filter)
        .await
        .expect("success");

    assert_eq!(
        received_bodies(&server).await,
        [json!({
            "name": "defaultVideoSkill",
            "mediaTypeId": "19",
            "skillIds": ["1"],
            "limit": "100",
            "offset": "0",
        })]
    );
}

#[test]
fn a_name_with_a_forbidden_character_is_refused_before_sending() {
    let error = SkillQueueFilter::new().name("video skill!").unwrap_err();

    assert!(
        matches!(&error, Error::InvalidInput { field: "name", .. }),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string());
}

// ---------------------------------------------------------------------------
// How the documented answer decodes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn documented_response_decodes_to_the_documented_queue() {
    let queues = skill_queues_answered_with(documented_success(), 1)
        .await
        .expect("the documented example decodes");

    insta::assert_debug_snapshot!(queues);
}

#[tokio::test]
async fn a_queue_without_a_media_type_is_voice_and_video() {
    let response = page(
        Some(2),
        vec![
            json!({"skillId": 1, "name": "a"}),
            json!({"skillId": 2, "name": "b", "mediaTypeId": null}),
        ],
    );

    let queues = skill_queues_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("success");

    let media: Vec<_> = queues.into_iter().map(|q| q.media_type).collect();
    assert_eq!(
        media,
        [const { Listed::Known(MediaType::VoiceAndVideo) }; 2]
    );
}

#[tokio::test]
async fn an_unknown_media_type_is_kept_as_unknown_and_the_page_still_decodes() {
    let response = page(
        Some(2),
        vec![queue_json(1), json!({"skillId": 2, "mediaTypeId": 77})],
    );

    let queues = skill_queues_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .expect("an undocumented media type never fails a page");

    assert_eq!(queues[1].media_type, Listed::Unknown("77".into()));
}

#[tokio::test]
async fn a_success_without_queues_is_an_empty_listing() {
    for response in [
        json!({"returnCode": "0", "description": "success", "total": 0, "data": []}),
        json!({"returnCode": "0", "description": "success", "data": null}),
        json!({"returnCode": "0"}),
    ] {
        let queues =
            skill_queues_answered_with(ResponseTemplate::new(200).set_body_json(&response), 1)
                .await
                .unwrap_or_else(|e| panic!("{response}: {e}"));

        assert_eq!(queues, [], "{response}");
    }
}

#[tokio::test]
async fn a_body_without_return_code_is_unconfirmed_not_an_empty_listing() {
    let response = json!({"description": null, "data": null});

    let error = skill_queues_answered_with(ResponseTemplate::new(200).set_body_json(response), 1)
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "querySkills",
                ..
            }
        ),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------
// Statuses and business failures
// ---------------------------------------------------------------------------

#[tokio::test]
async fn non_zero_return_code_is_business_failure_with_code_and_description() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "02000001", "description": "query failed"}));

    let error = skill_queues_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::Business { code, description } => {
            assert_eq!(code, "02000001");
            assert_eq!(description.as_deref(), Some("query failed"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
}

/// The error statuses the spec documents for querySkills, as one table
/// (`common::statuses`).
#[tokio::test]
async fn documented_error_statuses_become_their_errors_with_the_documented_meaning() {
    let table = statuses::answer_each_documented_error(
        "querySkills",
        &[
            (400, "gateway: malformed limit"),
            (401, "gateway: token rejected"),
            (403, "gateway: app key not allowed"),
            (404, "gateway: no such API"),
            (500, "query failed"),
        ],
        skill_queues_answered_with,
    )
    .await;

    insta::assert_snapshot!(table);
}

// ---------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------

#[tokio::test]
async fn lists_250_queues_in_three_requests_of_100_with_strings_for_numbers() {
    let server = MockServer::start().await;
    mount_query_skills(&server, Listing { total: 250 }, 3).await;

    let queues = client(&server)
        .skill_queues(&SkillQueueFilter::new())
        .await
        .expect("success");

    assert_eq!(queues.len(), 250);
    let pages: Vec<Value> = received_bodies(&server).await;
    assert_eq!(
        pages,
        [
            json!({"limit": "100", "offset": "0"}),
            json!({"limit": "100", "offset": "100"}),
            json!({"limit": "100", "offset": "200"}),
        ]
    );
}

#[tokio::test]
async fn one_page_reports_the_total_and_how_many_queues_were_received() {
    let server = MockServer::start().await;
    mount_query_skills(&server, Listing { total: 30 }, 1).await;

    let page = client(&server)
        .skill_queues_page(&SkillQueueFilter::new(), 20, 5)
        .await
        .expect("success");

    assert_eq!(page.total, Some(30));
    assert_eq!(page.received, 5);
    let ids: Vec<_> = page.items.iter().map(|q| q.id).collect();
    assert_eq!(ids, [21, 22, 23, 24, 25].map(Some));
}

#[tokio::test]
async fn a_queue_of_another_media_type_is_dropped_when_the_server_ignores_the_filter() {
    let mut video = queue_json(2);
    video["mediaTypeId"] = json!(19);
    let server = MockServer::start().await;
    mount_query_skills(
        &server,
        ResponseTemplate::new(200).set_body_json(page(Some(2), vec![queue_json(1), video])),
        1,
    )
    .await;

    let queues = client(&server)
        .skill_queues(&SkillQueueFilter::new().media_type(MediaType::Video))
        .await
        .expect("success");

    let ids: Vec<_> = queues.iter().map(|q| q.id).collect();
    assert_eq!(ids, [Some(2)]);
}
