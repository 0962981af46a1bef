//! The sandbox serves the whole number-management family with state: the
//! real client creates, lists, modifies and deletes routes and lists access
//! codes against it; every documented rule is refused as the sandbox's module
//! docs say; the documented examples answer as documented.
//!
//! Run with `cargo test -p cec-routes-sandbox --test sandbox family::`.

use cec_routes::{
    AccessCodeFilter, CalledRoute, Client, Device, Editable, Error, Listed, MediaType, Route,
    RouteChange, RouteFilter, RouteId,
};
use cec_routes_sandbox::{Sandbox, Seed, return_code};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const ACCESS_CODES_PATH: &str =
    "/apiaccess/rest/cc-management/v1/accessCodeInfo/queryAccessCodeList";
const CREATE_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute";
const QUERY_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/queryCalledRoute";
const MODIFY_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/modifyCalledRoute";
const DELETE_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/deleteCalledRoute";
const QUERY_SKILLS_PATH: &str = "/apiaccess/rest/cc-management/v1/skill/querySkills";
const QUERY_IVR_FLOW_LIST_PATH: &str = "/apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList";

/// The seed file shipped in `examples/`: routes in every `editable` state.
fn example_seed() -> Seed {
    Seed::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/sandbox-seed.json"
    ))
    .expect("the example seed file loads")
}

async fn start(seed: Seed) -> (Sandbox, Client) {
    let sandbox = Sandbox::builder().seed(seed).start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    (sandbox, client)
}

/// The documented create example: 9911411 ext 11 → skill queue 1, video.
fn documented_route() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(1))
        .and_then(|route| route.with_ext_code("11"))
        .and_then(|route| route.with_media_type(MediaType::Video))
        .expect("the documented example is a valid route")
}

fn route(
    access_code: &str,
    ext: Option<&str>,
    device: Device,
    media: Option<MediaType>,
) -> CalledRoute {
    let mut route = CalledRoute::new(access_code, device).unwrap();
    if let Some(ext) = ext {
        route = route.with_ext_code(ext).unwrap();
    }
    if let Some(media) = media {
        route = route.with_media_type(media).unwrap();
    }
    route
}

/// The one listed route with this access code and extension code.
async fn listed(client: &Client, access_code: &str, ext: Option<&str>) -> Route {
    let routes = client.called_routes(&RouteFilter::new()).await.unwrap();
    routes
        .into_iter()
        .find(|r| r.access_code == access_code && r.ext_code.as_deref() == ext)
        .unwrap_or_else(|| panic!("no route {access_code} ext {ext:?}"))
}

/// The `returnCode` and description of a business refusal.
fn business(error: Error) -> (String, String) {
    match error {
        Error::Business { code, description } => (code, description.unwrap_or_default()),
        other => panic!("expected a business refusal, got {other:?}"),
    }
}

/// A raw POST with a fresh token: status and JSON body.
async fn post(
    sandbox: &Sandbox,
    path: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let client = sandbox.client_builder().build().unwrap();
    let token = client.access_token().await.unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.base_url()))
        .header("Content-Type", "application/json")
        .header(
            "Authorization",
            format!("Bearer {}", token.secret().expose_secret()),
        )
        .body(body)
        .send()
        .await
        .expect("the sandbox answers");
    let status = response.status();
    (
        status,
        response.json().await.expect("the sandbox answers JSON"),
    )
}

async fn post_json(sandbox: &Sandbox, path: &str, body: Value) -> (StatusCode, Value) {
    post(sandbox, path, body.to_string()).await
}

fn assert_bad_request(status: StatusCode, body: &Value, says: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["returnCode"], return_code::BAD_REQUEST, "{body}");
    let description = body["description"].as_str().unwrap();
    assert!(description.contains(says), "{description}");
}

// The whole family through the client.

#[tokio::test]
async fn a_route_is_created_listed_modified_and_deleted() {
    let (sandbox, client) = start(Seed::default()).await;

    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    let created = listed(&client, "9911411", Some("11")).await;
    assert_eq!(created.device, Listed::Known(Device::SkillQueue(1)));
    assert_eq!(created.device_desc.as_deref(), Some("defaultVideoSkill"));
    assert_eq!(created.media_type, Some(Listed::Known(MediaType::Video)));
    assert_eq!(created.editable, Editable::Yes);
    assert_eq!(created.dnid, Some(1));

    let change = RouteChange::new(&created, Device::Ivr(7)).unwrap();
    let done = client.modify_called_route(&change).await.unwrap();
    assert_eq!(done.description.as_deref(), Some("data update success"));
    let modified = listed(&client, "9911411", Some("11")).await;
    assert_eq!(modified.device, Listed::Known(Device::Ivr(7)));
    assert_eq!(modified.device_desc.as_deref(), Some("welcomeIvr"));
    assert_eq!(modified.id, created.id);
    assert_eq!(
        modified.media_type, created.media_type,
        "a modify keeps the media type"
    );
    assert_eq!(sandbox.routes()[0].device, Device::Ivr(7));

    let deletion = client.delete_called_routes(&[1]).await.unwrap();
    assert_eq!(deletion.deleted, ["991141111"]);
    assert_eq!(deletion.ids, [created.id.unwrap().to_string()]);
    assert!(
        client
            .called_routes(&RouteFilter::new())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn a_deleted_dnid_is_never_reused() {
    let (sandbox, client) = start(Seed::default()).await;
    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    client.delete_called_routes(&[1]).await.unwrap();

    client
        .create_called_route(&documented_route())
        .await
        .unwrap();

    assert_eq!(sandbox.routes()[0].dnid, 2);
}

#[tokio::test]
async fn a_route_created_without_a_media_type_is_stored_and_listed_with_5() {
    let (sandbox, client) = start(Seed::default()).await;

    client
        .create_called_route(&route("9911411", None, Device::Ivr(7), None))
        .await
        .unwrap();
    let (_, listed) = post_json(&sandbox, QUERY_PATH, json!({})).await;

    assert_eq!(
        sandbox.routes()[0].media_type,
        Some(MediaType::VoiceAndVideo)
    );
    assert_eq!(listed["data"]["calledRouteList"][0]["mediatypeId"], 5);
}

#[tokio::test]
async fn a_route_created_without_a_media_type_matches_only_the_filter_5() {
    let (sandbox, client) = start(Seed::default()).await;
    client
        .create_called_route(&route("9911411", None, Device::Ivr(7), None))
        .await
        .unwrap();

    let (_, video) = post_json(&sandbox, QUERY_PATH, json!({"mediaTypeId": 19})).await;
    let (_, voice) = post_json(&sandbox, QUERY_PATH, json!({"mediaTypeId": 5})).await;

    assert_eq!(video["data"]["total"], 0);
    assert_eq!(voice["data"]["total"], 1);
}

// The documented rules, refused through the client.

#[tokio::test]
async fn refuses_an_access_code_the_tenant_does_not_have() {
    let (sandbox, client) = start(Seed::default()).await;

    let refused = client
        .create_called_route(&route("4000", None, Device::SkillQueue(2), None))
        .await
        .unwrap_err();

    let (code, description) = business(refused);
    assert_eq!(code, return_code::ACCESS_CODE_NOT_FOUND);
    assert_eq!(description, "access code `4000` does not exist");
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn refuses_a_media_type_the_access_code_does_not_allow() {
    let (sandbox, client) = start(Seed::default()).await;

    let multimedia_on_voice = client
        .create_called_route(&route(
            "9911411",
            None,
            Device::SkillQueue(3),
            Some(MediaType::Multimedia),
        ))
        .await
        .unwrap_err();
    let default_on_multimedia = client
        .create_called_route(&route("9911412", None, Device::SkillQueue(2), None))
        .await
        .unwrap_err();
    let video_on_click_to_dial = client
        .create_called_route(&route(
            "9911413",
            None,
            Device::SkillQueue(1),
            Some(MediaType::Video),
        ))
        .await
        .unwrap_err();

    let refusals: Vec<(String, String)> = [
        multimedia_on_voice,
        default_on_multimedia,
        video_on_click_to_dial,
    ]
    .into_iter()
    .map(business)
    .collect();
    for (code, _) in &refusals {
        assert_eq!(code, return_code::MEDIA_TYPE_NOT_ALLOWED);
    }
    let descriptions: Vec<&str> = refusals.iter().map(|(_, d)| d.as_str()).collect();
    insta::assert_snapshot!(descriptions.join("\n"));
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn accepts_every_media_type_the_access_code_allows() {
    let (sandbox, client) = start(Seed::default()).await;

    for (access_code, ext, device, media) in [
        (
            "9911411",
            "1",
            Device::SkillQueue(2),
            MediaType::VoiceAndVideo,
        ),
        ("9911411", "2", Device::SkillQueue(1), MediaType::Video),
        ("9911412", "1", Device::SkillQueue(3), MediaType::Multimedia),
        (
            "9911413",
            "1",
            Device::SkillQueue(4),
            MediaType::VoiceClickToDial,
        ),
        (
            "9911413",
            "2",
            Device::SkillQueue(5),
            MediaType::VideoClickToDial,
        ),
        ("9911413", "3", Device::Ivr(8), MediaType::VideoClickToDial),
    ] {
        client
            .create_called_route(&route(access_code, Some(ext), device, Some(media)))
            .await
            .unwrap_or_else(|e| panic!("{access_code} ext {ext} → {device} ({media}): {e}"));
    }

    assert_eq!(sandbox.routes().len(), 6);
}

#[tokio::test]
async fn refuses_a_skill_queue_of_another_media_type() {
    let (sandbox, client) = start(Seed::default()).await;

    let refused = client
        .create_called_route(&route("9911411", Some("1"), Device::SkillQueue(1), None))
        .await
        .unwrap_err();

    let (code, description) = business(refused);
    assert_eq!(code, return_code::SKILL_QUEUE_MEDIA_MISMATCH);
    insta::assert_snapshot!(description);
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn refuses_a_skill_queue_or_ivr_flow_the_tenant_does_not_have() {
    let (sandbox, client) = start(Seed::default()).await;

    let queue = client
        .create_called_route(&route("9911411", None, Device::SkillQueue(99), None))
        .await
        .unwrap_err();
    let ivr = client
        .create_called_route(&route("9911411", None, Device::Ivr(99), None))
        .await
        .unwrap_err();

    assert_eq!(
        business(queue),
        (
            return_code::SKILL_QUEUE_NOT_FOUND.to_owned(),
            "skill queue 99 does not exist".to_owned()
        )
    );
    assert_eq!(
        business(ivr),
        (
            return_code::IVR_FLOW_NOT_FOUND.to_owned(),
            "IVR flow 99 does not exist".to_owned()
        )
    );
    assert!(sandbox.routes().is_empty());
}

#[tokio::test]
async fn refuses_to_point_a_route_at_a_skill_queue_or_ivr_flow_the_tenant_does_not_have() {
    let (sandbox, client) = start(Seed::documented_examples()).await;
    let id: RouteId = "1125397061153369092".parse().unwrap();

    let mut refusals = Vec::new();
    for device in [Device::SkillQueue(99), Device::Ivr(99)] {
        let change = RouteChange::by_id(id.clone(), device).unwrap();
        refusals.push(business(
            client.modify_called_route(&change).await.unwrap_err(),
        ));
    }

    assert_eq!(
        refusals,
        [
            (
                return_code::SKILL_QUEUE_NOT_FOUND.to_owned(),
                "skill queue 99 does not exist".to_owned()
            ),
            (
                return_code::IVR_FLOW_NOT_FOUND.to_owned(),
                "IVR flow 99 does not exist".to_owned()
            )
        ]
    );
    let documented = sandbox.routes().into_iter().find(|r| r.dnid == 3).unwrap();
    assert_eq!(documented.device, Device::SkillQueue(1), "unchanged");
}

#[tokio::test]
async fn every_device_the_lookups_list_is_one_a_create_accepts_and_no_other() {
    // What querySkills and queryIVRFlowList answer is what createCalledRoute
    // checks: each listed queue takes a route of its listed media type,
    // each listed flow a route, and an id neither lists is refused.
    let (sandbox, client) = start(Seed::default()).await;
    let (_, skills) = post_json(&sandbox, QUERY_SKILLS_PATH, json!({})).await;
    let (_, flows) = post_json(&sandbox, QUERY_IVR_FLOW_LIST_PATH, json!({})).await;
    // An access code whose media type allows each route media type.
    let access_code_for = |media: MediaType| match media {
        MediaType::VoiceAndVideo | MediaType::Video => "9911411",
        MediaType::Multimedia => "9911412",
        _ => "9911413",
    };

    let mut ext = 0;
    let mut listed = Vec::new();
    for queue in skills["data"].as_array().unwrap() {
        let id = queue["skillId"].as_u64().unwrap() as u32;
        let code = i32::try_from(queue["mediaTypeId"].as_i64().unwrap()).unwrap();
        let media = MediaType::try_from(code).unwrap();
        ext += 1;
        let ext = ext.to_string();
        let to_queue = route(
            access_code_for(media),
            Some(&ext),
            Device::SkillQueue(id),
            Some(media),
        );
        client.create_called_route(&to_queue).await.unwrap();
        listed.push(Device::SkillQueue(id));
    }
    for flow in flows["result"].as_array().unwrap() {
        let id = flow["id"].as_u64().unwrap() as u32;
        ext += 1;
        let to_flow = route("9911411", Some(&ext.to_string()), Device::Ivr(id), None);
        client.create_called_route(&to_flow).await.unwrap();
        listed.push(Device::Ivr(id));
    }
    let unlisted = [Device::SkillQueue(6), Device::Ivr(6), Device::Ivr(9)];
    let mut codes = Vec::new();
    for device in unlisted {
        let refused = client
            .create_called_route(&route("9911411", Some("99"), device, None))
            .await
            .unwrap_err();
        codes.push(business(refused).0);
    }

    assert_eq!(listed.len(), 7);
    assert_eq!(sandbox.routes().len(), 7);
    assert_eq!(
        codes,
        [
            return_code::SKILL_QUEUE_NOT_FOUND,
            return_code::IVR_FLOW_NOT_FOUND,
            return_code::IVR_FLOW_NOT_FOUND
        ]
    );
}

#[tokio::test]
async fn refuses_to_point_a_multimedia_route_at_an_ivr_flow() {
    let (sandbox, client) = start(Seed::default()).await;
    client
        .create_called_route(&route(
            "9911412",
            None,
            Device::SkillQueue(3),
            Some(MediaType::Multimedia),
        ))
        .await
        .unwrap();
    let multimedia = listed(&client, "9911412", None).await;

    let client_side = RouteChange::new(&multimedia, Device::Ivr(7)).unwrap_err();
    let by_id = RouteChange::by_id(multimedia.id.clone().unwrap(), Device::Ivr(7)).unwrap();
    let refused = client.modify_called_route(&by_id).await.unwrap_err();

    assert!(client_side.is_invalid_input(), "{client_side:?}");
    let (code, description) = business(refused);
    assert_eq!(code, return_code::IVR_ON_MULTIMEDIA);
    insta::assert_snapshot!(description);
    assert_eq!(sandbox.routes()[0].device, Device::SkillQueue(3));
}

#[tokio::test]
async fn a_modify_keeps_the_media_type_so_the_skill_queue_must_match_it() {
    let (sandbox, client) = start(Seed::default()).await;
    client
        .create_called_route(&documented_route())
        .await
        .unwrap();
    let video = listed(&client, "9911411", Some("11")).await;

    let refused = client
        .modify_called_route(&RouteChange::new(&video, Device::SkillQueue(2)).unwrap())
        .await
        .unwrap_err();

    let (code, description) = business(refused);
    assert_eq!(code, return_code::SKILL_QUEUE_MEDIA_MISMATCH);
    assert!(
        description.contains("skill queue 2 `defaultVoiceSkill` takes voice-and-video (5)"),
        "{description}"
    );
    assert_eq!(sandbox.routes()[0].device, Device::SkillQueue(1));
}

#[tokio::test]
async fn refuses_to_modify_a_route_id_that_does_not_exist() {
    let (_sandbox, client) = start(Seed::default()).await;
    let id: RouteId = "1125397061153369092".parse().unwrap();

    let refused = client
        .modify_called_route(&RouteChange::by_id(id, Device::SkillQueue(1)).unwrap())
        .await
        .unwrap_err();

    assert_eq!(
        business(refused),
        (
            return_code::ROUTE_NOT_FOUND.to_owned(),
            "no route has id 1125397061153369092".to_owned()
        )
    );
}

#[tokio::test]
async fn refuses_to_modify_routes_whose_editable_state_forbids_it() {
    let (sandbox, client) = start(example_seed()).await;
    let delete_only = listed(&client, "9911411", Some("3")).await;
    let locked = listed(&client, "9911411", Some("5")).await;
    let edit_only = listed(&client, "9911411", Some("4")).await;
    assert_eq!(delete_only.editable, Editable::DeleteOnly);
    assert_eq!(locked.editable, Editable::Locked);
    assert_eq!(edit_only.editable, Editable::EditOnly);

    let mut refusals = Vec::new();
    for route in [&delete_only, &locked] {
        let change = RouteChange::by_id(route.id.clone().unwrap(), Device::SkillQueue(2)).unwrap();
        refusals.push(business(
            client.modify_called_route(&change).await.unwrap_err(),
        ));
    }
    let allowed = RouteChange::new(&edit_only, Device::SkillQueue(2)).unwrap();
    client.modify_called_route(&allowed).await.unwrap();

    for (code, _) in &refusals {
        assert_eq!(code, return_code::NOT_EDITABLE);
    }
    insta::assert_snapshot!(refusals[0].1);
    let devices: Vec<(u64, Device)> = sandbox
        .routes()
        .iter()
        .map(|r| (r.dnid, r.device))
        .collect();
    assert!(devices.contains(&(11, Device::Ivr(7))), "{devices:?}");
    assert!(devices.contains(&(13, Device::Ivr(8))), "{devices:?}");
    assert!(
        devices.contains(&(12, Device::SkillQueue(2))),
        "{devices:?}"
    );
}

#[tokio::test]
async fn refuses_to_delete_routes_whose_editable_state_forbids_it() {
    let (sandbox, client) = start(example_seed()).await;

    let refused = client.delete_called_routes(&[12, 13]).await.unwrap_err();
    let delete_only = client.delete_called_routes(&[11]).await.unwrap();

    let (code, description) = business(refused);
    assert_eq!(code, return_code::NOT_DELETED);
    insta::assert_snapshot!(description);
    assert_eq!(delete_only.deleted, ["99114113"]);
    let dnids: Vec<u64> = sandbox.routes().iter().map(|r| r.dnid).collect();
    assert_eq!(dnids, [3, 10, 12, 13, 20, 21]);
}

#[tokio::test]
async fn a_partial_deletion_is_reported_as_partial() {
    let (sandbox, client) = start(example_seed()).await;

    let partial = client
        .delete_called_routes(&[10, 12, 99])
        .await
        .unwrap_err();

    let Error::PartialDeletion {
        deleted,
        failed,
        cause,
    } = &partial
    else {
        panic!("expected a partial deletion, got {partial:?}");
    };
    assert_eq!(deleted, &["99114112"]);
    assert_eq!(failed, &["99114114", "dnid 99"]);
    assert_eq!(cause, &None);
    assert!(sandbox.routes().iter().all(|r| r.dnid != 10));
    assert!(sandbox.routes().iter().any(|r| r.dnid == 12));
}

#[tokio::test]
async fn a_partial_deletion_answers_in_the_documented_content_format() {
    let sandbox = Sandbox::builder()
        .seed(example_seed())
        .start()
        .await
        .unwrap();

    let (status, body) = post_json(&sandbox, DELETE_PATH, json!({"dnids": "3,12,99"})).await;

    assert_eq!(status, StatusCode::OK);
    insta::assert_json_snapshot!(body);
}

// Listing.

#[tokio::test]
async fn lists_250_routes_across_pages_of_100() {
    let routes: Vec<Value> = (1..=250)
        .map(|n| json!({"accessCode": "9911411", "extCode": n.to_string(), "devicetype": 1, "deviceId": 2, "mediaTypeId": 5}))
        .collect();
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).unwrap();
    seed["routes"] = Value::Array(routes);
    let (_sandbox, client) = start(Seed::from_json_str(&seed.to_string()).unwrap()).await;

    let all = client.called_routes(&RouteFilter::new()).await.unwrap();
    let last = client
        .called_routes_page(&RouteFilter::new(), 200, 100)
        .await
        .unwrap();

    assert_eq!(all.len(), 250);
    let dnids: Vec<i64> = all.iter().map(|r| r.dnid.unwrap()).collect();
    assert_eq!(
        dnids,
        (1..=250).collect::<Vec<i64>>(),
        "ordered by id, as created"
    );
    assert_eq!((last.total, last.items.len()), (Some(250), 50));
}

#[tokio::test]
async fn filters_routes_as_the_module_docs_say() {
    let (_sandbox, client) = start(Seed::documented_examples()).await;
    let dnids =
        |routes: Vec<Route>| -> Vec<i64> { routes.iter().map(|r| r.dnid.unwrap()).collect() };

    // The dial-match reading sends the same extCode and keeps what a
    // prefix reading returns (the exact one would drop the main route).
    let ext_1 = RouteFilter::new()
        .access_code("9911411")
        .unwrap()
        .ext_code_dial_match("1")
        .unwrap();
    let by_name = RouteFilter::new().device_desc("videoskill");
    let other_code = RouteFilter::new().access_code("991141").unwrap();

    assert_eq!(
        dnids(client.called_routes(&ext_1).await.unwrap()),
        [1, 2],
        "`\"\"` and `1` are prefixes of `1`"
    );
    assert_eq!(
        dnids(client.called_routes(&by_name).await.unwrap()),
        [3, 1, 2]
    );
    assert!(
        client.called_routes(&other_code).await.unwrap().is_empty(),
        "accessCode is exact"
    );
    assert!(
        client
            .called_routes(&RouteFilter::new().ivr_flows())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn lists_the_default_seeds_access_codes() {
    let (sandbox, client) = start(Seed::default()).await;

    let all = client.access_codes(&AccessCodeFilter::new()).await.unwrap();
    let multimedia = client
        .access_codes(
            &AccessCodeFilter::new()
                .media_type(MediaType::Multimedia)
                .unwrap(),
        )
        .await
        .unwrap();
    let callback = client
        .access_codes(&AccessCodeFilter::new().description("CALLBACK"))
        .await
        .unwrap();
    let containing = client
        .access_codes(&AccessCodeFilter::new().access_code("1141").unwrap())
        .await
        .unwrap();

    assert_eq!(all, sandbox.access_codes());
    let (_, wire) = post_json(&sandbox, ACCESS_CODES_PATH, json!({})).await;
    insta::assert_json_snapshot!(wire);
    assert_eq!(
        multimedia
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["9911412"]
    );
    let callback: Vec<&str> = callback.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(
        callback,
        ["9911411", "9911413"],
        "no description matches every description filter"
    );
    assert_eq!(containing.len(), 3);
}

// The documented examples, byte for byte.

#[tokio::test]
async fn the_documented_examples_seed_answers_the_documented_route_query() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .unwrap();
    let request = json!({"accessCode": "9911411", "extCode": "11", "devicetype": 1, "deviceDesc": "defaultVideoSkill", "mediatypeId": 19, "limit": 10, "offset": 0});

    let (status, body) = post_json(&sandbox, QUERY_PATH, request).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"returnCode": "0", "data": {"total": 3, "calledRouteList": [{"id": "1125397061153369092", "dnid": 3, "accessCode": "9911411", "mediatypeId": 19, "extCode": "11", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}, {"id": "1127983948544239618", "dnid": 1, "accessCode": "9911411", "mediatypeId": null, "extCode": "", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}, {"id": "1127986019188238339", "dnid": 2, "accessCode": "9911411", "mediatypeId": 19, "extCode": "1", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}]}, "description": "success"})
    );
}

#[tokio::test]
async fn accepts_the_request_tables_spelling_of_the_media_type_too() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .unwrap();

    let (_, table) = post_json(&sandbox, QUERY_PATH, json!({"mediaTypeId": 19})).await;
    let (_, example) = post_json(&sandbox, QUERY_PATH, json!({"mediatypeId": 19})).await;

    assert_eq!(table, example);
    assert_eq!(table["data"]["total"], 3);
}

#[tokio::test]
async fn applies_both_spellings_of_the_media_type_when_both_are_sent() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .unwrap();

    let (_, one) = post_json(&sandbox, QUERY_PATH, json!({"mediaTypeId": 19})).await;
    let (status, same) = post_json(
        &sandbox,
        QUERY_PATH,
        json!({"mediaTypeId": 19, "mediatypeId": 19}),
    )
    .await;
    let (_, different) = post_json(
        &sandbox,
        QUERY_PATH,
        json!({"mediaTypeId": 5, "mediatypeId": 19}),
    )
    .await;

    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(same, one);
    let dnids: Vec<&Value> = different["data"]["calledRouteList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|route| &route["dnid"])
        .collect();
    assert_eq!(dnids, [&json!(1)], "only the route without a media type");
}

#[tokio::test]
async fn the_documented_modify_and_delete_examples_answer_as_documented() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .unwrap();

    let (_, modified) = post_json(
        &sandbox,
        MODIFY_PATH,
        json!({"id": "1125397061153369092", "devicetype": 1, "deviceId": 1}),
    )
    .await;
    let (_, deleted) = post_json(&sandbox, DELETE_PATH, json!({"dnids": "1,2"})).await;

    assert_eq!(
        modified,
        json!({"returnCode": "0", "description": "data update success"})
    );
    assert_eq!(
        deleted,
        json!({"returnCode": "0", "data": {"name": "9911411,99114111", "id": "1127983948544239618,1127986019188238339", "content": "9911411,99114111"}, "description": "data delete success"})
    );
    let left: Vec<u64> = sandbox.routes().iter().map(|r| r.dnid).collect();
    assert_eq!(left, [3]);
}

#[tokio::test]
async fn the_default_seed_answers_the_documented_access_code_query() {
    let sandbox = Sandbox::start().await.unwrap();
    let request = json!({"accessCode": "9911411", "mediatypeId": 5, "description": "接入码", "limit": 10, "offset": 0});

    let (status, body) = post_json(&sandbox, ACCESS_CODES_PATH, request).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"returnCode": "0", "data": {"total": 1, "calledRouteList": [{"id": "1124167935465633793", "accessCode": "9911411", "mediatypeId": 5, "n400Number": null, "description": null, "numCallAttr": 3}]}, "description": "success"})
    );
}

#[tokio::test]
async fn a_limit_of_0_answers_only_the_total() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .unwrap();

    let (_, routes) = post_json(&sandbox, QUERY_PATH, json!({"limit": 0})).await;
    let (_, codes) = post_json(
        &sandbox,
        ACCESS_CODES_PATH,
        json!({"limit": 0, "offset": 2}),
    )
    .await;

    assert_eq!(routes["data"], json!({"total": 3, "calledRouteList": []}));
    assert_eq!(codes["data"], json!({"total": 3, "calledRouteList": []}));
}

// Seeds.

#[tokio::test]
async fn the_example_seed_file_loads_with_generated_ids() {
    let (sandbox, client) = start(example_seed()).await;

    let routes = sandbox.routes();
    let last = routes.last().unwrap();
    let listed = listed(&client, "9911413", Some("*9")).await;

    assert_eq!(routes.len(), 7);
    assert_eq!((last.dnid, last.id.as_str()), (21, "1127983948544239637"));
    assert_eq!(
        listed.media_type,
        Some(Listed::Known(MediaType::VoiceClickToDial))
    );
    assert_eq!(
        sandbox.access_codes()[2].id.as_deref(),
        Some("1124167935465633795")
    );
}

#[test]
fn a_seed_that_names_an_unknown_device_is_refused_naming_it() {
    let error = Seed::from_json_str(
        r#"{"accessCodes": [{"accessCode": "1", "mediaTypeId": 5}],
            "routes": [{"accessCode": "1", "devicetype": 3, "deviceId": 7}]}"#,
    )
    .unwrap_err();

    assert!(
        matches!(error, cec_routes_sandbox::Error::Seed { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "sandbox seed: routes[0]: IVR flow 7 is not among the seed's devices"
    );
}

#[tokio::test]
async fn an_empty_seed_refuses_every_create() {
    let (sandbox, client) = start(Seed::empty()).await;

    let refused = client
        .create_called_route(&documented_route())
        .await
        .unwrap_err();

    assert_eq!(
        refused.return_code(),
        Some(return_code::ACCESS_CODE_NOT_FOUND)
    );
    assert!(sandbox.access_codes().is_empty());
}

// Validation of the new bodies (raw requests).

#[tokio::test]
async fn every_business_path_requires_a_bearer_token() {
    let sandbox = Sandbox::start().await.unwrap();

    for path in [
        ACCESS_CODES_PATH,
        CREATE_PATH,
        QUERY_PATH,
        MODIFY_PATH,
        DELETE_PATH,
        QUERY_SKILLS_PATH,
        QUERY_IVR_FLOW_LIST_PATH,
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", sandbox.base_url()))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
}

/// The default seed with `routes` routes (9911411 + extension 1, 2, …, to
/// skill queue 2) and `codes` more access codes (4000, 4001, …).
fn big_seed(routes: usize, codes: usize) -> Seed {
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).unwrap();
    seed["routes"] = (1..=routes)
        .map(|n| json!({"accessCode": "9911411", "extCode": n.to_string(), "devicetype": 1, "deviceId": 2, "mediaTypeId": 5}))
        .collect();
    let more = (0..codes).map(|n| json!({"accessCode": (4000 + n).to_string(), "mediaTypeId": 5}));
    seed["accessCodes"].as_array_mut().unwrap().extend(more);
    Seed::from_json_str(&seed.to_string()).unwrap()
}

#[tokio::test]
async fn treats_a_limit_above_100_as_100() {
    let sandbox = Sandbox::builder()
        .seed(big_seed(150, 150))
        .start()
        .await
        .unwrap();

    for path in [QUERY_PATH, ACCESS_CODES_PATH] {
        let (status, body) = post_json(&sandbox, path, json!({"limit": 101})).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let page = body["data"]["calledRouteList"].as_array().unwrap();
        assert_eq!(page.len(), 100, "{path}");
        assert!(body["data"]["total"].as_u64().unwrap() >= 150, "{path}");
    }
}

#[tokio::test]
async fn treats_a_negative_offset_as_0() {
    let sandbox = Sandbox::builder()
        .seed(Seed::documented_examples())
        .start()
        .await
        .unwrap();

    for path in [QUERY_PATH, ACCESS_CODES_PATH] {
        let (status, negative) = post_json(&sandbox, path, json!({"offset": -1, "limit": 2})).await;
        let (_, zero) = post_json(&sandbox, path, json!({"offset": 0, "limit": 2})).await;
        assert_eq!(status, StatusCode::OK, "{path}: {negative}");
        assert_eq!(negative, zero, "{path}");
    }
}

#[tokio::test]
async fn refuses_a_negative_limit_with_400() {
    let sandbox = Sandbox::start().await.unwrap();

    for path in [QUERY_PATH, ACCESS_CODES_PATH] {
        let (status, body) = post_json(&sandbox, path, json!({"limit": -1})).await;
        assert_bad_request(status, &body, "invalid limit: -1 is negative");
    }
}

#[tokio::test]
async fn refuses_an_unknown_field_with_400_naming_it() {
    let sandbox = Sandbox::start().await.unwrap();

    for (path, body) in [
        (QUERY_PATH, json!({"accessCodes": "9911411"})),
        (ACCESS_CODES_PATH, json!({"mediaTypeId": 5})),
        (
            MODIFY_PATH,
            json!({"id": "1", "devicetype": 1, "deviceId": 1, "mediaTypeId": 19}),
        ),
        (DELETE_PATH, json!({"dnids": "1", "force": true})),
    ] {
        let (status, answer) = post_json(&sandbox, path, body).await;
        assert_bad_request(status, &answer, "unknown field");
    }
}

#[tokio::test]
async fn refuses_dnids_that_are_not_numbers_with_400() {
    let sandbox = Sandbox::start().await.unwrap();

    for dnids in [json!("a,b"), json!(""), json!("1,,2"), json!(1)] {
        let (status, body) = post_json(&sandbox, DELETE_PATH, json!({"dnids": dnids})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{dnids}: {body}");
    }
}

#[tokio::test]
async fn refuses_more_than_1000_dnids_with_400() {
    let sandbox = Sandbox::start().await.unwrap();
    let dnids = |n: u64| (1..=n).map(|d| d.to_string()).collect::<Vec<_>>().join(",");

    let (status, body) = post_json(&sandbox, DELETE_PATH, json!({"dnids": dnids(1001)})).await;
    let (at_most, nothing) = post_json(&sandbox, DELETE_PATH, json!({"dnids": dnids(1000)})).await;

    assert_bad_request(status, &body, "invalid dnids: doesn't match pattern");
    assert_eq!(at_most, StatusCode::OK);
    assert_eq!(nothing["returnCode"], return_code::NOT_DELETED);
}

#[tokio::test]
async fn refuses_a_modify_with_a_malformed_body_with_400() {
    let sandbox = Sandbox::start().await.unwrap();

    for (body, says) in [
        (
            json!({"id": "12a", "devicetype": 1, "deviceId": 1}),
            "invalid id",
        ),
        (
            json!({"id": 1125397061153369092_u64, "devicetype": 1, "deviceId": 1}),
            "invalid id: invalid type: integer `1125397061153369092`, expected a string",
        ),
        (
            json!({"id": "1", "devicetype": 2, "deviceId": 1}),
            "invalid devicetype",
        ),
        (
            json!({"id": "1", "devicetype": 1}),
            "missing field `deviceId`",
        ),
    ] {
        let (status, answer) = post_json(&sandbox, MODIFY_PATH, body).await;
        assert_bad_request(status, &answer, says);
    }
}

#[tokio::test]
async fn refuses_route_query_values_outside_the_spec_with_400() {
    let sandbox = Sandbox::start().await.unwrap();

    for (body, says) in [
        (json!({"extCode": ""}), "invalid extCode"),
        (json!({"accessCode": ""}), "invalid accessCode"),
        (
            json!({"mediatypeId": 4}),
            "invalid mediatypeId: invalid value (got 4)",
        ),
        (json!({"devicetype": 2}), "invalid devicetype"),
        (
            json!({"deviceDesc": null}),
            "invalid deviceDesc: null is not allowed; leave the field out instead",
        ),
    ] {
        let (status, answer) = post_json(&sandbox, QUERY_PATH, body).await;
        assert_bad_request(status, &answer, says);
    }
    let (status, answer) = post_json(&sandbox, ACCESS_CODES_PATH, json!({"mediatypeId": 19})).await;
    assert_bad_request(
        status,
        &answer,
        "invalid mediatypeId: invalid value (got 19)",
    );
}
