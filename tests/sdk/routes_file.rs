//! The routes file: what loads, and every problem of what does not, each
//! with its line and column.

use cec_routes::{
    CalledRoute, Device, Listed, MediaType, Route,
    plan::{RoutesFile, RoutesFileError},
};

fn problems(yaml: &str) -> RoutesFileError {
    RoutesFile::parse(yaml).expect_err("the file has problems")
}

fn lines(error: &RoutesFileError) -> Vec<usize> {
    error.problems.iter().map(|p| p.line).collect()
}

#[test]
fn a_valid_file_loads_every_route_with_its_position() {
    let file = RoutesFile::parse(
        r#"routes:
  - accessCode: "9911411"
    extCode: "11"
    skillQueue: 1
    mediaType: video
  - accessCode: 9911411
    ivr: 7
    mediaType: 19
  - accessCode: "9911412"
    extCode: ~
    skillQueue: 3
    mediaType: multimedia
"#,
    )
    .expect("the file is valid");

    let routes: Vec<&CalledRoute> = file.routes().iter().map(|r| &r.route).collect();
    assert_eq!(
        routes[0],
        &CalledRoute::new("9911411", Device::SkillQueue(1))
            .unwrap()
            .with_ext_code("11")
            .unwrap()
            .with_media_type(MediaType::Video)
            .unwrap()
    );
    assert_eq!(routes[1].media_type(), Some(MediaType::Video));
    assert_eq!(routes[1].access_code(), "9911411");
    assert_eq!(routes[2].ext_code(), None);
    assert_eq!((file.routes()[1].line, file.routes()[1].column), (6, 5));
    assert_eq!(file.access_codes(), ["9911411", "9911412"]);
}

#[test]
fn every_problem_is_reported_at_once_with_its_line_and_column() {
    let error = problems(
        r#"routes:
  - accessCode: "9911411"
    extCode: "1x"
    skillQueue: 1
    ivr: 7
  - accessCode: "9911411"
    queue: 2
  - accessCode: "9911411"
    ivr: 7
    mediaType: multimedia
  - accessCode: ""
    skillQueue: -1
    mediaType: fax
  - accessCode: "012345678901234567890123456789012"
    ivr: 7
"#,
    );
    insta::assert_snapshot!(error.to_string(), @r###"
    the routes file has 9 problems; nothing was sent
      3:14: extCode: `1x` may contain only digits, `*` and `#`
      5:5: the route has both `skillQueue` and `ivr`; keep one
      6:5: the route has neither `skillQueue` nor `ivr`; add one (e.g. `skillQueue: 1`)
      7:5: unknown key `queue`; a route takes `accessCode`, `extCode`, `skillQueue`, `ivr`, `mediaType`
      10:16: device: an IVR flow cannot be chosen for the multimedia channel (mediaType 53); route multimedia calls to a skill queue
      11:17: accessCode: must not be empty
      12:17: `skillQueue` must be a whole number from 0 to 2147483647, the skill queue's id
      13:16: mediaType: `fax` is not a media type; use one of voice-click-to-dial (2), voice-and-video (5), video-click-to-dial (18), video (19), multimedia (53)
      14:17: accessCode: `012345678901234567890123456789012` is longer than 32 characters
    "###);
}

#[test]
fn the_same_access_code_and_extension_code_twice_names_the_first_line() {
    let error = problems(
        r#"routes:
  - accessCode: "9911411"
    extCode: "1"
    ivr: 7
  - accessCode: "9911411"
    ivr: 7
  - accessCode: "9911411"
    extCode: "1"
    skillQueue: 2
  - accessCode: "9911411"
    ivr: 8
"#,
    );
    assert_eq!(lines(&error), [7, 10]);
    assert_eq!(
        error.problems[0].message,
        "access code 9911411 extension code 1 is routed twice; the first is at line 2: keep one"
    );
    assert!(
        error.problems[1]
            .message
            .contains("without an extension code is routed twice; the first is at line 5")
    );
}

#[test]
fn the_file_must_be_a_mapping_with_a_routes_list() {
    assert_eq!(
        problems("").problems[0].message,
        "the file is empty; write `routes:` and a list of routes (`routes: []` for none)"
    );
    let error = problems("route:\n  - accessCode: \"1\"\n");
    assert_eq!(lines(&error), [1, 1]);
    assert!(
        error.problems[0]
            .message
            .starts_with("unknown key `route` at the top")
    );
    assert!(error.problems[1].message.starts_with("no `routes:` key"));
    assert!(
        problems("routes: 5\n").problems[0]
            .message
            .starts_with("`routes` is a value")
    );
    assert!(
        problems("- 1\n").problems[0]
            .message
            .starts_with("the file is a list")
    );
    assert!(
        RoutesFile::parse("routes: []\n")
            .unwrap()
            .routes()
            .is_empty()
    );
    assert!(RoutesFile::parse("routes:\n").unwrap().routes().is_empty());
}

#[test]
fn broken_yaml_is_one_problem_with_its_position() {
    let error = problems("routes:\n  - accessCode: \"9911411\n    ivr: 7\n");
    assert_eq!(error.problems.len(), 1);
    assert!(error.problems[0].message.starts_with("not valid YAML"));
    let error = problems("routes:\n  - accessCode: \"1\"\n    accessCode: \"2\"\n    ivr: 7\n");
    assert_eq!(error.problems.len(), 1, "{error}");
    assert_eq!(error.problems[0].line, 3);
}

#[test]
fn an_entry_that_is_not_a_mapping_is_a_problem_and_the_others_are_still_checked() {
    let error =
        problems("routes:\n  - 9911411\n  - accessCode: \"9911411\"\n    fooBar: 1\n    ivr: 7\n");
    assert_eq!(lines(&error), [2, 4]);
}

#[test]
fn a_loaded_file_names_its_path_in_every_problem() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("routes_file_bad.yaml");
    std::fs::write(&path, "routes:\n  - accessCode: \"9911411\"\n").unwrap();
    let error = RoutesFile::load(&path).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains(&format!("{}:2:5: the route has neither", path.display())),
        "{text}"
    );
    let missing = RoutesFile::load("/nonexistent/routes.yaml").unwrap_err();
    assert!(missing.to_string().contains("could not be read"));
}

#[test]
fn the_example_routes_file_loads() {
    let file = RoutesFile::load(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/routes.yaml"))
        .expect("examples/routes.yaml is valid");
    assert_eq!(file.routes().len(), 4);
}

fn live(code: &str, ext: Option<&str>, device: Device, media: Option<MediaType>) -> Route {
    let mut route = Route::new(code, device);
    route.dnid = Some(1);
    route.ext_code = ext.map(Into::into);
    route.media_type = media.map(Listed::Known);
    route
}

#[test]
fn export_writes_a_stable_order_that_reads_back_to_the_same_routes() {
    let routes = vec![
        live(
            "9911412",
            Some("1"),
            Device::SkillQueue(3),
            Some(MediaType::Multimedia),
        ),
        live("9911411", Some("10"), Device::Ivr(7), None),
        live(
            "9911411",
            Some("2"),
            Device::SkillQueue(1),
            Some(MediaType::Video),
        ),
        live("9911411", None, Device::Ivr(8), None),
    ];
    let (file, skipped) = RoutesFile::export(&routes);
    assert!(skipped.is_empty());
    let mut reversed = routes.clone();
    reversed.reverse();
    assert_eq!(
        RoutesFile::export(&reversed).0,
        file,
        "the order does not depend on CEC's"
    );
    insta::assert_snapshot!(file.to_yaml(), @r###"
    # cec-routes routes file: one entry per route, keyed by accessCode + extCode.
    # Each entry takes skillQueue or ivr; mediaType is optional (none = voice-and-video).
    routes:
      - accessCode: "9911411"
        ivr: 8
      - accessCode: "9911411"
        extCode: "2"
        skillQueue: 1
        mediaType: video
      - accessCode: "9911411"
        extCode: "10"
        ivr: 7
      - accessCode: "9911412"
        extCode: "1"
        skillQueue: 3
        mediaType: multimedia
    "###);
    let back = RoutesFile::parse(&file.to_yaml()).unwrap();
    let routes = |f: &RoutesFile| {
        f.routes()
            .iter()
            .map(|r| r.route.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(routes(&back), routes(&file));
}

#[test]
fn export_leaves_out_routes_a_file_cannot_describe_and_says_why() {
    let mut odd = live("9911411", Some("3"), Device::Ivr(7), None);
    odd.media_type = Some(Listed::Unknown("77".into()));
    let (file, skipped) = RoutesFile::export(&[odd, live("9911411", None, Device::Ivr(7), None)]);
    assert_eq!(file.routes().len(), 1);
    assert_eq!(skipped[0].1, "its media type is not a documented one (77)");
}

/// A live route a routes file cannot describe (an undocumented media type)
/// is one export had to leave out: `--prune` keeps it rather than delete it.
#[test]
fn prune_keeps_routes_a_file_cannot_describe() {
    let file = RoutesFile::parse(
        r#"routes:
  - accessCode: "9911411"
    extCode: "1"
    skillQueue: 1
"#,
    )
    .expect("the file loads");
    let mut live = Route::new("9911411", Device::SkillQueue(1));
    live.id = Some("1127986019188238339".parse().expect("an id"));
    live.dnid = Some(2);
    live.ext_code = Some("2".into());
    live.media_type = Some(Listed::Unknown("77".into()));

    let plan = cec_routes::plan::Plan::new(
        &file,
        std::slice::from_ref(&live),
        cec_routes::plan::PlanOptions::new().prune(true),
    );

    assert!(
        plan.changes.iter().all(|c| c.ext_code() != Some("2")),
        "the undescribable route must not be deleted: {:?}",
        plan.changes
    );
    assert_eq!(plan.unmanaged, [live]);
}
