//! Contract tests for `deleteCalledRoute`: what the client sends (method,
//! path, headers, body exactly as documented, batches of at most 1000), what
//! it refuses to send, and how each answer — whole, partial or failed —
//! becomes a typed outcome.
//!
//! Fixtures are the documented example (api-cec cec_07_0041 / cec_07_1031,
//! via Huawei's zh mirror), copied exactly.

use crate::common;

use cec_routes::{Deletion, Error, limits::MAX_DELETE_BATCH};
use common::contract::{client, the_request};
use common::paths::DELETE_CALLED_ROUTE;
use common::statuses;
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{any, body_json, header, method, path},
};

/// The documented example request body.
fn documented_body() -> Value {
    json!({"dnids": "1,2"})
}

/// The documented example response.
fn documented_response() -> Value {
    json!({"returnCode": "0", "data": {"name": "9911411,99114111", "id": "1127983948544239618,1127986019188238339", "content": "9911411,99114111"}, "description": "data delete success"})
}

fn documented_success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(documented_response())
}

/// The documented response, had only the first route been deleted.
fn partial_response() -> Value {
    json!({"returnCode": "0", "data": {"name": "9911411,99114111", "id": "1127983948544239618", "content": "Success:9911411,Failed:99114111"}, "description": "data delete success"})
}

/// Mounts `deleteCalledRoute` answering with `response`, expected `times`
/// times.
async fn mount_delete_called_route(
    server: &MockServer,
    response: impl Respond + 'static,
    times: u64,
) {
    Mock::given(method("POST"))
        .and(path(DELETE_CALLED_ROUTE))
        .respond_with(response)
        .expect(times)
        .named("deleteCalledRoute")
        .mount(server)
        .await;
}

/// Deletes the documented dnids (1 and 2) against a fresh server answering
/// `response` `times` times, and returns the outcome.
async fn delete_answered_with(
    response: impl Respond + 'static,
    times: u64,
) -> Result<Deletion, Error> {
    let server = MockServer::start().await;
    mount_delete_called_route(&server, response, times).await;
    let outcome = client(&server).delete_called_routes(&[1, 2]).await;
    server.verify().await;
    outcome
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

/// The name CEC would give the route with this dnid (access code +
/// extension code).
fn name_of(dnid: u64) -> String {
    format!("9911411{dnid}")
}

/// The id CEC would give the route with this dnid (larger than 2^53).
fn id_of(dnid: u64) -> String {
    (1127983948544239618_u64 + dnid).to_string()
}

fn dnids_of(request: &Request) -> Vec<u64> {
    let body: Value = request.body_json().expect("the request body is JSON");
    body["dnids"]
        .as_str()
        .expect("dnids is a string")
        .split(',')
        .map(|d| d.parse().expect("each dnid is a number"))
        .collect()
}

/// Deletes every requested route, except that the batch starting at
/// `failing_batch_start` (if any) is refused with a business failure.
struct Deleter {
    failing_batch_start: Option<u64>,
}

impl Respond for Deleter {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let dnids = dnids_of(request);
        if Some(dnids[0]) == self.failing_batch_start {
            return ResponseTemplate::new(200)
                .set_body_json(json!({"returnCode": "02000001", "description": "delete failed"}));
        }
        let names: Vec<String> = dnids.iter().copied().map(name_of).collect();
        let ids: Vec<String> = dnids.iter().copied().map(id_of).collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "returnCode": "0",
            "data": {"name": names.join(","), "id": ids.join(","), "content": names.join(",")},
            "description": "data delete success",
        }))
    }
}

/// The dnids of every request the server received, in order.
async fn received_batches(server: &MockServer) -> Vec<Vec<u64>> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .iter()
        .map(dnids_of)
        .collect()
}

// ---------------------------------------------------------------------------
// What is sent
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sends_documented_example_body_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(DELETE_CALLED_ROUTE))
        .and(body_json(documented_body()))
        .respond_with(documented_success())
        .expect(1)
        .named("deleteCalledRoute with the documented body")
        .mount(&server)
        .await;

    client(&server)
        .delete_called_routes(&[1, 2])
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
        .and(path(DELETE_CALLED_ROUTE))
        .and(header("authorization", "Bearer t0k"))
        .and(|r: &Request| !r.headers.contains_key("api-version"))
        .respond_with(documented_success())
        .expect(1)
        .named("deleteCalledRoute, authenticated, without api-version")
        .mount(&server)
        .await;

    client(&server)
        .delete_called_routes(&[1, 2])
        .await
        .expect("success");

    let request = the_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), DELETE_CALLED_ROUTE);
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
async fn an_empty_list_is_refused_before_sending() {
    let server = server_expecting_nothing().await;

    let error = client(&server).delete_called_routes(&[]).await.unwrap_err();

    assert!(
        matches!(&error, Error::InvalidInput { field: "dnids", .. }),
        "{error:?}"
    );
    assert!(!error.may_have_reached_server());
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_negative_dnid_is_refused_before_sending() {
    let server = server_expecting_nothing().await;

    let error = client(&server)
        .delete_called_routes(&[1, -2])
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::InvalidInput { field: "dnids", .. }),
        "{error:?}"
    );
    server.verify().await;
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn deletes_2500_dnids_in_three_requests_of_1000_1000_and_500() {
    let server = MockServer::start().await;
    mount_delete_called_route(
        &server,
        Deleter {
            failing_batch_start: None,
        },
        3,
    )
    .await;
    let dnids: Vec<i64> = (1..=2500).collect();

    let deletion = client(&server)
        .delete_called_routes(&dnids)
        .await
        .expect("every batch succeeds");

    assert_eq!(MAX_DELETE_BATCH, 1000);
    assert_eq!(
        received_batches(&server).await,
        [
            (1..=1000).collect::<Vec<u64>>(),
            (1001..=2000).collect(),
            (2001..=2500).collect(),
        ]
    );
    assert_eq!(deletion.requests, 3);
    assert_eq!(
        deletion.deleted,
        (1..=2500).map(name_of).collect::<Vec<_>>()
    );
    assert_eq!(deletion.ids, (1..=2500).map(id_of).collect::<Vec<_>>());
}

#[tokio::test]
async fn exactly_1000_dnids_are_sent_in_one_request() {
    let server = MockServer::start().await;
    mount_delete_called_route(
        &server,
        Deleter {
            failing_batch_start: None,
        },
        1,
    )
    .await;
    let dnids: Vec<i64> = (1..=1000).collect();

    let deletion = client(&server)
        .delete_called_routes(&dnids)
        .await
        .expect("success");

    assert_eq!(deletion.requests, 1);
    assert_eq!(
        received_batches(&server).await,
        [(1..=1000).collect::<Vec<u64>>()]
    );
}

// ---------------------------------------------------------------------------
// How answers become outcomes
// ---------------------------------------------------------------------------

#[tokio::test]
async fn documented_response_is_a_deletion_of_both_routes() {
    let deletion = delete_answered_with(documented_success(), 1)
        .await
        .expect("the documented example is a whole deletion");

    assert_eq!(deletion.deleted, ["9911411", "99114111"]);
    assert_eq!(deletion.ids, ["1127983948544239618", "1127986019188238339"]);
    assert_eq!(deletion.requests, 1);
    insta::assert_debug_snapshot!(deletion);
}

#[tokio::test]
async fn a_partial_result_is_a_partial_deletion_never_success() {
    let response = ResponseTemplate::new(200).set_body_json(partial_response());

    let error = delete_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::PartialDeletion {
            deleted,
            failed,
            cause,
        } => {
            assert_eq!(deleted, &["9911411"]);
            assert_eq!(failed, &["99114111"]);
            assert_eq!(cause, &None);
        }
        other => panic!("expected Error::PartialDeletion, got {other:?}"),
    }
    assert!(error.may_have_reached_server());
    insta::assert_snapshot!(error.to_string());
}

/// The documentation does not say which `returnCode` comes with a partial
/// deletion; whichever it is, the routes that were deleted must be reported.
#[tokio::test]
async fn a_partial_result_with_a_failure_return_code_is_still_a_partial_deletion() {
    let mut body = partial_response();
    body["returnCode"] = json!("02000001");
    body["description"] = json!("some routes could not be deleted");
    let response = ResponseTemplate::new(200).set_body_json(body);

    let error = delete_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::PartialDeletion {
            deleted, failed, ..
        } => {
            assert_eq!(deleted, &["9911411"]);
            assert_eq!(failed, &["99114111"]);
        }
        other => {
            panic!("expected Error::PartialDeletion (route 9911411 was deleted), got {other:?}")
        }
    }
    assert!(
        error.to_string().contains("02000001"),
        "the refusal is kept as the cause: {error}"
    );
}

#[tokio::test]
async fn a_business_failure_on_the_second_of_three_batches_is_a_partial_deletion() {
    let server = MockServer::start().await;
    mount_delete_called_route(
        &server,
        Deleter {
            failing_batch_start: Some(1001),
        },
        3,
    )
    .await;
    let dnids: Vec<i64> = (1..=2500).collect();

    let error = client(&server)
        .delete_called_routes(&dnids)
        .await
        .unwrap_err();

    match &error {
        Error::PartialDeletion {
            deleted,
            failed,
            cause,
        } => {
            let expected_deleted: Vec<String> =
                (1..=1000).chain(2001..=2500).map(name_of).collect();
            assert_eq!(deleted, &expected_deleted);
            let expected_failed: Vec<String> = (1001..=2000).map(|d| format!("dnid {d}")).collect();
            assert_eq!(failed, &expected_failed);
            let cause = cause.as_deref().expect("the failed batch's cause is kept");
            assert!(cause.contains("02000001"), "{cause}");
            assert!(cause.contains("delete failed"), "{cause}");
        }
        other => panic!("expected Error::PartialDeletion, got {other:?}"),
    }
    assert_eq!(received_batches(&server).await.len(), 3);
    // The message lists all 2500 routes; the filters keep the first and last
    // of each list.
    insta::with_settings!({filters => vec![
        (r"(9911411\d+, )+", "9911411…, "),
        (r"(dnid \d+, )+", "dnid …, "),
    ]}, {
        insta::assert_snapshot!(error.to_string());
    });
}

/// CEC's `"0"` without the names of the deleted routes confirms nothing
/// route by route (the documented answer names them): not plain success.
#[tokio::test]
async fn a_success_that_names_no_route_is_an_unconfirmed_deletion() {
    // Each row: what CEC answers with returnCode "0".
    let table = [
        json!({"returnCode": "0", "description": "data delete success"}),
        json!({
            "returnCode": "0",
            "description": null,
            "data": {"name": null, "id": null, "content": null},
        }),
        json!({"returnCode": "0", "data": {"name": "", "id": "", "content": ""}}),
    ];
    for body in &table {
        let response = ResponseTemplate::new(200).set_body_json(body);

        let error = delete_answered_with(response, 1).await.unwrap_err();

        match &error {
            Error::UnconfirmedDeletion {
                dnids,
                deleted,
                reason,
            } => {
                assert_eq!(dnids, &[1, 2], "{body}");
                assert!(deleted.is_empty(), "{body}");
                assert!(
                    reason.contains("without naming a deleted route"),
                    "{reason}"
                );
            }
            other => panic!("{body}: expected Error::UnconfirmedDeletion, got {other:?}"),
        }
        assert!(error.may_have_reached_server());
        assert_eq!(error.status(), Some(200));
    }
    let error = delete_answered_with(ResponseTemplate::new(200).set_body_json(&table[0]), 1)
        .await
        .unwrap_err();
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn a_success_naming_more_routes_than_dnids_is_an_unconfirmed_deletion() {
    let response = ResponseTemplate::new(200).set_body_json(json!({
        "returnCode": "0",
        "data": {
            "name": "9911411,99114111,99114112",
            "id": "1,2,3",
            "content": "9911411,99114111,99114112",
        },
        "description": "data delete success",
    }));

    let error = delete_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::UnconfirmedDeletion {
            dnids,
            deleted,
            reason,
        } => {
            assert_eq!(dnids, &[1, 2]);
            assert_eq!(deleted, &["9911411", "99114111", "99114112"]);
            assert_eq!(reason, "CEC named 3 deleted routes for 2 dnids (dnids 1,2)");
        }
        other => panic!("expected Error::UnconfirmedDeletion, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

/// Answers each batch as [`Deleter`] does, except that the batch starting
/// at `unnamed_batch_start` is answered `"0"` without names and the one at
/// `failing_batch_start` refused.
struct SilentDeleter {
    unnamed_batch_start: u64,
    failing_batch_start: Option<u64>,
}

impl Respond for SilentDeleter {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if dnids_of(request)[0] == self.unnamed_batch_start {
            return ResponseTemplate::new(200).set_body_json(json!({"returnCode": "0"}));
        }
        Deleter {
            failing_batch_start: self.failing_batch_start,
        }
        .respond(request)
    }
}

#[tokio::test]
async fn one_unnamed_batch_of_several_leaves_only_its_dnids_unconfirmed() {
    let server = MockServer::start().await;
    mount_delete_called_route(
        &server,
        SilentDeleter {
            unnamed_batch_start: 1001,
            failing_batch_start: None,
        },
        2,
    )
    .await;
    let dnids: Vec<i64> = (1..=1500).collect();

    let error = client(&server)
        .delete_called_routes(&dnids)
        .await
        .unwrap_err();

    match &error {
        Error::UnconfirmedDeletion { dnids, deleted, .. } => {
            assert_eq!(dnids, &(1001..=1500).collect::<Vec<i64>>());
            assert_eq!(deleted, &(1..=1000).map(name_of).collect::<Vec<_>>());
        }
        other => panic!("expected Error::UnconfirmedDeletion, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unnamed_batch_beside_a_failed_one_is_listed_in_the_partial_deletion() {
    let server = MockServer::start().await;
    mount_delete_called_route(
        &server,
        SilentDeleter {
            unnamed_batch_start: 2001,
            failing_batch_start: Some(1001),
        },
        3,
    )
    .await;
    let dnids: Vec<i64> = (1..=2500).collect();

    let error = client(&server)
        .delete_called_routes(&dnids)
        .await
        .unwrap_err();

    let Error::PartialDeletion {
        deleted, failed, ..
    } = &error
    else {
        panic!("expected Error::PartialDeletion, got {error:?}");
    };
    assert_eq!(deleted.len(), 1000);
    assert_eq!(
        failed.len(),
        1001,
        "1000 refused dnids and one unconfirmed batch"
    );
    assert!(
        failed[1000].starts_with("dnids 2001,2002,")
            && failed[1000]
                .ends_with(",2500 (CEC answered returnCode \"0\" without naming a deleted route)"),
        "{}",
        failed[1000]
    );
}

#[tokio::test]
async fn a_missing_content_falls_back_to_the_names() {
    let mut body = documented_response();
    body["data"]
        .as_object_mut()
        .expect("data is an object")
        .remove("content");
    let response = ResponseTemplate::new(200).set_body_json(body);

    let deletion = delete_answered_with(response, 1).await.expect("success");

    assert_eq!(deletion.deleted, ["9911411", "99114111"]);
}

#[tokio::test]
async fn a_body_without_return_code_is_unconfirmed_not_success() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": null, "description": null, "data": null}));

    let error = delete_answered_with(response, 1).await.unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Decode {
                operation: "deleteCalledRoute",
                ..
            }
        ),
        "{error:?}"
    );
    insta::assert_snapshot!(error.to_string());
}

#[tokio::test]
async fn non_zero_return_code_is_business_failure_with_code_and_description() {
    let response = ResponseTemplate::new(200)
        .set_body_json(json!({"returnCode": "02000001", "description": "delete failed"}));

    let error = delete_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::Business { code, description } => {
            assert_eq!(code, "02000001");
            assert_eq!(description.as_deref(), Some("delete failed"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
    insta::assert_snapshot!(error.to_string());
}

/// The error statuses the spec documents for deleteCalledRoute, as one table
/// (`common::statuses`): each becomes its own error, whose message gives the
/// documented meaning and quotes the body.
#[tokio::test]
async fn documented_error_statuses_become_their_errors_with_the_documented_meaning() {
    let table = statuses::answer_each_documented_error(
        "deleteCalledRoute",
        &[
            (400, "gateway: malformed dnids"),
            (401, "gateway: token rejected"),
            (403, "gateway: app key not allowed"),
            (404, "gateway: no such API"),
            (500, "dnid 2 does not exist"),
        ],
        delete_answered_with,
    )
    .await;

    insta::assert_snapshot!(table);
}

/// A refusal that names only what was deleted (an empty failure list, as
/// for dnids CEC does not know) still leaves routes unaccounted for: never
/// success.
#[tokio::test]
async fn a_refusal_naming_fewer_routes_than_dnids_is_a_partial_deletion() {
    let response = ResponseTemplate::new(200).set_body_json(json!({
        "returnCode": "1",
        "data": {"id": "111", "name": "9911411", "content": "Success:9911411,Failed:"},
    }));

    let error = delete_answered_with(response, 1).await.unwrap_err();

    match &error {
        Error::PartialDeletion {
            deleted, failed, ..
        } => {
            assert_eq!(deleted, &["9911411"]);
            assert_eq!(
                failed,
                &["1 of the routes with dnids 1,2 (not accounted for)"]
            );
        }
        other => panic!("expected Error::PartialDeletion, got {other:?}"),
    }
}

/// A success that names fewer routes than dnids sent did not delete them
/// all, whatever its returnCode.
#[tokio::test]
async fn a_success_naming_fewer_routes_than_dnids_is_a_partial_deletion() {
    let response = ResponseTemplate::new(200).set_body_json(json!({
        "returnCode": "0",
        "data": {"id": "111", "name": "9911411", "content": "9911411"},
        "description": "data delete success",
    }));

    let error = delete_answered_with(response, 1).await.unwrap_err();

    assert!(matches!(error, Error::PartialDeletion { .. }), "{error:?}");
}
