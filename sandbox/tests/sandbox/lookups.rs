//! The two lookups of what a route can point at: querySkills (skill queues,
//! filtered and paged, numbers written as strings) and queryIVRFlowList
//! (every IVR flow, in its own `retCode`/`message`/`result` envelope), as
//! documented and as the sandbox's module docs choose where the pages are
//! silent.
//!
//! Run with `cargo test -p cec-routes-sandbox --test sandbox lookups::`.

use cec_routes_sandbox::{Sandbox, Seed, return_code};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const QUERY_SKILLS_PATH: &str = "/apiaccess/rest/cc-management/v1/skill/querySkills";
const QUERY_IVR_FLOW_LIST_PATH: &str = "/apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList";

/// The documented querySkills request, verbatim: `limit` a string, `offset`
/// a number.
fn documented_request() -> Value {
    json!({"limit": "10", "offset": 0})
}

/// The documented querySkills response, verbatim.
fn documented_response() -> Value {
    json!({
        "returnCode": "0",
        "total": 1,
        "data": [
            {
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
            }
        ],
        "description": "success"
    })
}

/// The default seed with only its first skill queue: the tenant of the
/// documented querySkills example.
fn documented_skills_tenant() -> Seed {
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).unwrap();
    let first = seed["skillQueues"][0].clone();
    seed["skillQueues"] = json!([first]);
    Seed::from_json_str(&seed.to_string()).unwrap()
}

/// The default seed plus `count` more skill queues, ids 100, 101, …, all
/// voice and video.
fn many_queues(count: u32) -> Seed {
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).unwrap();
    let more = (0..count).map(|n| json!({"id": 100 + n, "name": format!("queue{n}")}));
    seed["skillQueues"].as_array_mut().unwrap().extend(more);
    Seed::from_json_str(&seed.to_string()).unwrap()
}

async fn start(seed: Seed) -> Sandbox {
    Sandbox::builder().seed(seed).start().await.unwrap()
}

/// A fresh token from the sandbox, through the client.
async fn token(sandbox: &Sandbox) -> String {
    let client = sandbox.client_builder().build().unwrap();
    let token = client.access_token().await.unwrap();
    token.secret().expose_secret().to_owned()
}

/// A raw POST with these headers and this body: status and JSON body.
async fn post_raw(
    sandbox: &Sandbox,
    path: &str,
    headers: &[(&str, String)],
    body: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.base_url()))
        .header("Content-Type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status();
    (
        status,
        response.json().await.expect("the sandbox answers JSON"),
    )
}

/// A raw POST of `body` with a fresh bearer token.
async fn post(sandbox: &Sandbox, path: &str, body: Value) -> (StatusCode, Value) {
    let bearer = format!("Bearer {}", token(sandbox).await);
    post_raw(
        sandbox,
        path,
        &[("Authorization", bearer)],
        body.to_string(),
    )
    .await
}

/// querySkills with `body`; panics unless it is answered 200 with
/// `returnCode` "0".
async fn query_skills(sandbox: &Sandbox, body: Value) -> Value {
    let (status, answer) = post(sandbox, QUERY_SKILLS_PATH, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["returnCode"], "0", "{answer}");
    answer
}

/// The `skillId`s of a querySkills answer, in order.
fn skill_ids(answer: &Value) -> Vec<u64> {
    answer["data"]
        .as_array()
        .expect("`data` is a list")
        .iter()
        .map(|queue| queue["skillId"].as_u64().expect("a numeric skillId"))
        .collect()
}

// querySkills

#[tokio::test]
async fn answers_the_documented_query_skills_example_as_documented() {
    let sandbox = start(documented_skills_tenant()).await;
    let headers = [
        ("X-APP-KEY", sandbox.app_key().to_owned()),
        ("Authorization", format!("Bearer {}", token(&sandbox).await)),
    ];

    let (status, answer) = post_raw(
        &sandbox,
        QUERY_SKILLS_PATH,
        &headers,
        documented_request().to_string(),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, documented_response());
    insta::assert_json_snapshot!(answer);
}

#[tokio::test]
async fn the_documented_examples_seed_lists_the_documented_queue_first() {
    let sandbox = start(Seed::documented_examples()).await;

    let answer = query_skills(&sandbox, documented_request()).await;

    assert_eq!(answer["total"], 5);
    assert_eq!(skill_ids(&answer), [1, 2, 3, 4, 5]);
    assert_eq!(answer["data"][0], documented_response()["data"][0]);
}

#[tokio::test]
async fn filters_skill_queues_by_a_name_containing_the_text_ignoring_case() {
    let sandbox = start(Seed::default()).await;

    let video = query_skills(&sandbox, json!({"name": "VIDEO"})).await;
    let exact = query_skills(&sandbox, json!({"name": "defaultVideoSkill"})).await;
    let none = query_skills(&sandbox, json!({"name": "sales"})).await;

    assert_eq!(skill_ids(&video), [1, 5]);
    assert_eq!(video["total"], 2);
    assert_eq!(skill_ids(&exact), [1]);
    assert_eq!(
        (none["total"].clone(), none["data"].clone()),
        (json!(0), json!([]))
    );
}

#[tokio::test]
async fn filters_skill_queues_by_media_type_written_as_a_string() {
    let sandbox = start(Seed::default()).await;

    let mut found = Vec::new();
    for code in ["2", "5", "18", "19", "53"] {
        let answer = query_skills(&sandbox, json!({"mediaTypeId": code})).await;
        found.push((code, skill_ids(&answer)));
    }

    assert_eq!(
        found,
        [
            ("2", vec![4]),
            ("5", vec![2]),
            ("18", vec![5]),
            ("19", vec![1]),
            ("53", vec![3])
        ]
    );
}

#[tokio::test]
async fn filters_skill_queues_by_ids_written_as_strings() {
    let sandbox = start(Seed::default()).await;

    let some = query_skills(&sandbox, json!({"skillIds": ["4", "2", "99"]})).await;
    let every = query_skills(&sandbox, json!({"skillIds": []})).await;

    assert_eq!(
        skill_ids(&some),
        [2, 4],
        "by skillId, unknown ids matching nothing"
    );
    assert_eq!(some["total"], 2);
    assert_eq!(
        skill_ids(&every),
        [1, 2, 3, 4, 5],
        "an empty list: every queue"
    );
}

#[tokio::test]
async fn combines_the_skill_queue_filters() {
    let sandbox = start(Seed::default()).await;

    let answer = query_skills(
        &sandbox,
        json!({"name": "Skill", "mediaTypeId": "5", "skillIds": ["1", "2", "3"]}),
    )
    .await;

    assert_eq!(skill_ids(&answer), [2]);
}

#[tokio::test]
async fn pages_skill_queues_across_pages_of_100() {
    let sandbox = start(many_queues(245)).await;

    let mut seen = Vec::new();
    let mut totals = Vec::new();
    for offset in ["0", "100", "200"] {
        let answer = query_skills(&sandbox, json!({"limit": "100", "offset": offset})).await;
        totals.push(answer["total"].as_u64().unwrap());
        seen.extend(skill_ids(&answer));
    }

    assert_eq!(totals, [250, 250, 250]);
    assert_eq!(seen.len(), 250);
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, seen, "every queue once, by skillId");
}

#[tokio::test]
async fn a_skill_query_past_the_end_answers_the_total_and_no_queues() {
    let sandbox = start(Seed::default()).await;

    let answer = query_skills(&sandbox, json!({"offset": "5"})).await;

    assert_eq!(answer["total"], 5);
    assert_eq!(answer["data"], json!([]));
}

#[tokio::test]
async fn accepts_limit_and_offset_as_strings_or_numbers_alike() {
    let sandbox = start(Seed::default()).await;

    let mut answers = Vec::new();
    for body in [
        json!({"limit": "2", "offset": "1"}),
        json!({"limit": 2, "offset": 1}),
        json!({"limit": "2", "offset": 1}),
        json!({"limit": 2, "offset": "1"}),
    ] {
        answers.push(query_skills(&sandbox, body).await);
    }

    assert_eq!(skill_ids(&answers[0]), [2, 3]);
    assert!(answers.iter().all(|answer| *answer == answers[0]));
}

#[tokio::test]
async fn treats_a_skill_limit_above_100_as_100_and_a_negative_offset_as_0() {
    let sandbox = start(many_queues(150)).await;

    let big = query_skills(&sandbox, json!({"limit": "101"})).await;
    let negative = query_skills(&sandbox, json!({"limit": "3", "offset": "-1"})).await;
    let zero = query_skills(&sandbox, json!({"limit": "3", "offset": "0"})).await;

    assert_eq!(big["data"].as_array().unwrap().len(), 100);
    assert_eq!(big["total"], 155);
    assert_eq!(negative, zero);
}

#[tokio::test]
async fn refuses_skill_query_values_outside_the_spec_with_400() {
    let sandbox = start(Seed::default()).await;

    let mut refusals = Vec::new();
    for body in [
        json!({"limit": "0"}),
        json!({"limit": 2_147_483_648_u64}),
        json!({"offset": "1.5"}),
        json!({"mediaTypeId": 19}),
        json!({"mediaTypeId": "4"}),
        json!({"skillIds": [1]}),
        json!({"name": "default skill"}),
        json!({"name": "x".repeat(101)}),
    ] {
        let (status, answer) = post(&sandbox, QUERY_SKILLS_PATH, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["returnCode"], return_code::BAD_REQUEST, "{answer}");
        refusals.push(format!(
            "{body} → {}",
            answer["description"].as_str().unwrap()
        ));
    }

    insta::assert_snapshot!(refusals.join("\n"));
}

// queryIVRFlowList

#[tokio::test]
async fn lists_every_ivr_flow_of_the_default_seed() {
    let sandbox = start(Seed::default()).await;

    let (status, answer) = post(&sandbox, QUERY_IVR_FLOW_LIST_PATH, json!({})).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["retCode"], "0");
    assert_eq!(answer["message"], "success");
    assert!(answer.get("returnCode").is_none() && answer.get("total").is_none());
    insta::assert_json_snapshot!(answer);
}

#[tokio::test]
async fn lists_an_ivr_flow_of_an_old_seed_file_with_its_name_as_description() {
    let seed = Seed::from_json_str(r#"{"ivrFlows": [{"id": 9, "name": "legacyIvr"}]}"#).unwrap();
    let sandbox = start(seed).await;

    let (_, answer) = post(&sandbox, QUERY_IVR_FLOW_LIST_PATH, json!({})).await;

    assert_eq!(
        answer["result"],
        json!([{"id": 9, "description": "legacyIvr"}])
    );
}

#[tokio::test]
async fn an_empty_tenant_has_no_skill_queues_and_no_ivr_flows() {
    let sandbox = start(Seed::empty()).await;

    let skills = query_skills(&sandbox, documented_request()).await;
    let (_, flows) = post(&sandbox, QUERY_IVR_FLOW_LIST_PATH, json!({})).await;

    assert_eq!(
        skills,
        json!({"returnCode": "0", "description": "success", "total": 0, "data": []})
    );
    assert_eq!(
        flows,
        json!({"retCode": "0", "message": "success", "result": []})
    );
}

#[tokio::test]
async fn an_ivr_flow_query_takes_an_empty_object_and_nothing_else() {
    let sandbox = start(Seed::default()).await;

    let mut refusals = Vec::new();
    for body in ["", "[]", "null", r#"{"pageNum": 1, "pageSize": 10}"#] {
        let bearer = format!("Bearer {}", token(&sandbox).await);
        let (status, answer) = post_raw(
            &sandbox,
            QUERY_IVR_FLOW_LIST_PATH,
            &[("Authorization", bearer)],
            body,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}: {answer}");
        assert_eq!(answer["retCode"], return_code::BAD_REQUEST, "{answer}");
        refusals.push(format!(
            "{body:?} → {}",
            answer["message"].as_str().unwrap()
        ));
    }

    insta::assert_snapshot!(refusals.join("\n"));
}

// Both lookups

#[tokio::test]
async fn refuses_either_lookup_without_a_token_in_its_own_envelope() {
    let sandbox = start(Seed::default()).await;

    let (skills_status, skills) = post_raw(&sandbox, QUERY_SKILLS_PATH, &[], "{}").await;
    let (flows_status, flows) = post_raw(&sandbox, QUERY_IVR_FLOW_LIST_PATH, &[], "{}").await;

    assert_eq!(skills_status, StatusCode::UNAUTHORIZED);
    assert_eq!(skills["returnCode"], return_code::UNAUTHORIZED);
    assert!(skills["description"].is_string());
    assert_eq!(flows_status, StatusCode::UNAUTHORIZED);
    assert_eq!(flows["retCode"], return_code::UNAUTHORIZED);
    assert!(flows["message"].is_string() && flows.get("returnCode").is_none());
}

#[tokio::test]
async fn refuses_an_app_key_other_than_the_tokens_at_either_lookup() {
    let sandbox = start(Seed::default()).await;
    let bearer = format!("Bearer {}", token(&sandbox).await);

    let mut statuses = Vec::new();
    for (path, header) in [
        (QUERY_SKILLS_PATH, "X-APP-KEY"),
        (QUERY_IVR_FLOW_LIST_PATH, "X-APP-Key"),
    ] {
        let headers = [
            ("Authorization", bearer.clone()),
            (header, "another-app".to_owned()),
        ];
        let (status, _) = post_raw(&sandbox, path, &headers, "{}").await;
        statuses.push(status);
    }

    assert_eq!(statuses, [StatusCode::FORBIDDEN, StatusCode::FORBIDDEN]);
}

#[tokio::test]
async fn refuses_an_unknown_field_at_either_lookup_naming_it() {
    let sandbox = start(Seed::default()).await;

    let (skills_status, skills) =
        post(&sandbox, QUERY_SKILLS_PATH, json!({"mediatypeId": "19"})).await;
    let (flows_status, flows) =
        post(&sandbox, QUERY_IVR_FLOW_LIST_PATH, json!({"pageNum": 1})).await;

    assert_eq!(skills_status, StatusCode::BAD_REQUEST);
    assert_eq!(
        skills["description"],
        "unknown field `mediatypeId`, expected one of `limit`, `mediaTypeId`, `name`, \
         `offset`, `skillIds`"
    );
    assert_eq!(flows_status, StatusCode::BAD_REQUEST);
    assert_eq!(
        flows["message"],
        "unknown field `pageNum`, there are no fields"
    );
}
