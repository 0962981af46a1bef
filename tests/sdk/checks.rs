//! The checks of a routes file against a tenant (`plan::check`), without a
//! server: targets by name, and what `export` writes.

use cec_routes::{
    AccessCode, Device, Listed, MediaType,
    plan::{RoutesFile, Tenant, check},
    targets::{IvrFlow, SkillQueue},
};

fn tenant() -> Tenant {
    let mut code = AccessCode::new("9911411");
    code.media_type = Some(Listed::Known(MediaType::VoiceAndVideo));
    Tenant::new(
        vec![code],
        vec![
            SkillQueue::new(1, "defaultVideoSkill", MediaType::Video),
            SkillQueue::new(2, "sales", MediaType::VoiceAndVideo),
            SkillQueue::new(3, "sales", MediaType::VoiceAndVideo),
        ],
        vec![IvrFlow::new(7, "welcomeIvr")],
    )
}

#[test]
fn a_target_by_name_resolves_to_its_id_and_a_queue_route_takes_the_queue_s_media_type() {
    let file = RoutesFile::parse(
        "routes:\n  - accessCode: \"9911411\"\n    skillQueue: defaultVideoSkill\n  - accessCode: \"9911411\"\n    extCode: \"2\"\n    ivr: welcomeIvr\n",
    )
    .expect("names are accepted");
    assert_eq!(
        file.routes()[0].target_name.as_deref(),
        Some("defaultVideoSkill")
    );

    let (resolved, problems) = check(&file, &tenant());

    assert_eq!(problems, []);
    let routes: Vec<_> = resolved
        .routes()
        .iter()
        .map(|r| (r.route.device(), r.route.media_type()))
        .collect();
    assert_eq!(
        routes,
        [
            (Device::SkillQueue(1), Some(MediaType::Video)),
            (Device::Ivr(7), None)
        ]
    );
}

#[test]
fn a_name_several_targets_share_is_an_error_that_lists_their_ids() {
    let file =
        RoutesFile::parse("routes:\n  - accessCode: \"9911411\"\n    skillQueue: sales\n").unwrap();

    let (_, problems) = check(&file, &tenant());

    insta::assert_snapshot!(problems[0].to_string(), @"3:17: 2 skill queues are named `sales` (ids 2, 3); write the id instead");
}

#[test]
fn with_names_writes_a_name_only_where_it_is_the_target_s_alone() {
    let file = RoutesFile::parse(
        "routes:\n  - accessCode: \"9911411\"\n    skillQueue: 1\n    mediaType: video\n  - accessCode: \"9911411\"\n    extCode: \"2\"\n    skillQueue: 2\n",
    )
    .unwrap();

    let named = tenant().with_names(&file);

    let written: Vec<_> = named
        .routes()
        .iter()
        .map(|r| r.target_name.as_deref())
        .collect();
    assert_eq!(written, [Some("defaultVideoSkill"), None]);
    let back = RoutesFile::parse(&named.to_yaml()).expect("the file reads back");
    let routes = |f: &RoutesFile| {
        f.routes()
            .iter()
            .map(|r| r.route.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(routes(&check(&back, &tenant()).0), routes(&file));
}
