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
      12:17: `skillQueue` must be a name or a whole number from 0 to 2147483647, the skill queue's id
      13:16: mediaType: `fax` is not a media type; use one of voice-click-to-dial (2), voice-and-video (5), video-click-to-dial (18), video (19), multimedia (53)
      14:17: accessCode: must be at most 32 characters; `012345678901234567890123456789012` has 33
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
    # Each entry takes skillQueue or ivr (an id or a name); mediaType is optional
    # (none: a skill queue's own media type, checked against the tenant; voice-and-video for an IVR flow).
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

// ---------------------------------------------------------------------------
// Export, write, read back: the writer's round trip
// ---------------------------------------------------------------------------

/// The routes of a file, without their positions.
fn called_routes(file: &RoutesFile) -> Vec<CalledRoute> {
    file.routes().iter().map(|r| r.route.clone()).collect()
}

/// The access and extension codes of a file, as another YAML reader
/// (libyaml, through serde_norway) reads the text.
fn codes_as_libyaml_reads_them(yaml: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let document: serde_norway::Value = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
    let entries = document["routes"]
        .as_sequence()
        .ok_or("`routes` is not a list")?;
    entries
        .iter()
        .map(|entry| {
            let access = entry["accessCode"]
                .as_str()
                .ok_or_else(|| format!("accessCode is not text: {:?}", entry["accessCode"]))?;
            let ext = match entry.get("extCode") {
                None => None,
                Some(ext) => Some(
                    ext.as_str()
                        .ok_or_else(|| format!("extCode is not text: {ext:?}"))?
                        .to_owned(),
                ),
            };
            Ok((access.to_owned(), ext))
        })
        .collect()
}

/// Exports `live`, writes the file and reads it back: the routes read are
/// the routes exported, in the same order. Another YAML reader reads the
/// same codes from the text, so the file is YAML, not only what our loader
/// accepts. Returns how many routes the file holds.
fn assert_round_trip(live: &[Route]) -> Result<usize, String> {
    let (file, _skipped) = RoutesFile::export(live);
    let yaml = file.to_yaml();
    let back = RoutesFile::parse(&yaml)
        .map_err(|problems| format!("the written file does not read back: {problems}\n{yaml}"))?;
    if called_routes(&back) != called_routes(&file) {
        return Err(format!(
            "the file reads back to other routes:\n{yaml}\nexported {:?}\nread     {:?}",
            called_routes(&file),
            called_routes(&back)
        ));
    }
    let exported: Vec<(String, Option<String>)> = file
        .routes()
        .iter()
        .map(|r| {
            let route = &r.route;
            (
                route.access_code().to_owned(),
                route.ext_code().map(str::to_owned),
            )
        })
        .collect();
    match codes_as_libyaml_reads_them(&yaml) {
        Ok(codes) if codes == exported => Ok(codes.len()),
        Ok(codes) => Err(format!(
            "libyaml reads other codes:\n{yaml}\nexported {exported:?}\nread     {codes:?}"
        )),
        Err(e) => Err(format!("libyaml cannot read the written file: {e}\n{yaml}")),
    }
}

/// Codes YAML would read as something other than the text, or not at all,
/// were they written bare: each is written so that it reads back as itself.
#[test]
fn codes_that_yaml_would_misread_are_written_to_read_back_as_themselves() {
    #[rustfmt::skip]
    let tricky = [
        // numbers, with and without leading zeros, in YAML's notations
        "007", "0", "-1", "+1", "1e3", "0x1F", "0o17", "1_000", "1.5", ".inf", "-.inf", ".nan",
        // booleans and nulls (YAML 1.1 and 1.2)
        "yes", "no", "on", "off", "y", "n", "true", "False", "~", "null", "NULL",
        // indicators and comments
        "*", "#", "*1#", "9911411 # not a comment", "a: b", ":", "- x", "? x", "&anchor",
        "*alias", "!tag", "|", ">", "%", "@", "`", "{}", "[]", "{a: b}", "---", "...", "<<",
        // quotes and escapes
        "'", "\"", "\\", "a\"b\\c", "it's", "\\n", "\\u0041",
        // white space, and line breaks of YAML 1.2 and of YAML 1.1
        " leading", "trailing ", " ", "\t", "a\nb", "a\r\nb", "\u{85}", "\u{2028}", "\u{2029}",
        "a\u{85}  b", "\u{2028} #", "a\u{2029}  b",
        // beyond ASCII, and characters YAML does not allow as they are
        "接入码", "é", "🙂", "\u{feff}", "\u{fffe}", "\u{ffff}", "\u{0}", "\u{7f}", "\u{9f}",
    ];
    // Extension codes are digits, `*` and `#` only.
    let tricky_ext = ["007", "0", "*", "#", "#1", "1#", "*#", "**"];
    let routes = tricky
        .iter()
        .map(|code| live(code, None, Device::SkillQueue(1), None))
        .chain(
            tricky_ext
                .iter()
                .map(|ext| live("9911411", Some(ext), Device::Ivr(7), None)),
        );
    let failures: Vec<String> = routes
        .filter_map(|route| {
            let codes = (route.access_code.clone(), route.ext_code.clone());
            match assert_round_trip(&[route]) {
                Ok(1) => None,
                Ok(kept) => Some(format!("{codes:?}: export kept {kept} routes, not 1")),
                Err(why) => Some(format!("{codes:?}: {why}")),
            }
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Any live routes (any text, any extension code, device and media type,
/// documented or not): what export keeps, the written file gives back.
mod round_trip {
    use super::*;
    use proptest::{prelude::*, test_runner::Config};

    /// Text of 0 to 32 characters: codes with leading zeros, the pieces
    /// YAML reads specially, any printable Unicode, and anything.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => "[0-9]{1,6}",
            3 => "[0-9*#]{1,6}",
            3 => prop::sample::select(vec![
                "", "yes", "no", "on", "Off", "true", "FALSE", "~", "null", "Null", "0x1F",
                "0o7", "1e3", ".inf", ".NaN", "-", "+", "*", "#", " #", ":", ": ", "'", "\"",
                "\\", "&", "!", "|", ">", "%", "@", "`", "{", "}", "[", "]", ",", "?", "---",
                "...", "<<", " ", "\t", "\n", "\r", "接入码", "é", "🙂", "\u{feff}", "\u{85}",
                "\u{2028}", "\u{2029}", "\u{fffe}", "\u{ffff}",
            ])
            .prop_map(str::to_owned),
            2 => "\\PC{1,8}",
            1 => "(?s).{1,8}",
        ];
        prop::collection::vec(piece, 0..5)
            .prop_map(|pieces| pieces.concat().chars().take(32).collect())
    }

    fn ext_code() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            2 => Just(None),
            4 => "[0-9*#]{0,12}".prop_map(Some),
            1 => text().prop_map(Some),
        ]
    }

    fn device() -> impl Strategy<Value = Listed<Device>> {
        let id = prop_oneof![4 => 0..1000u32, 1 => any::<u32>()];
        prop_oneof![
            4 => id.clone().prop_map(|id| Listed::Known(Device::SkillQueue(id))),
            4 => id.prop_map(|id| Listed::Known(Device::Ivr(id))),
            1 => "[0-9]{1,3}".prop_map(Listed::Unknown),
        ]
    }

    fn media_type() -> impl Strategy<Value = Option<Listed<MediaType>>> {
        prop_oneof![
            2 => Just(None),
            4 => prop::sample::select(MediaType::ALL.to_vec()).prop_map(|m| Some(Listed::Known(m))),
            1 => "[0-9]{1,3}".prop_map(|raw| Some(Listed::Unknown(raw))),
        ]
    }

    fn live_route() -> impl Strategy<Value = Route> {
        (text(), ext_code(), device(), media_type()).prop_map(
            |(access_code, ext_code, device, media_type)| {
                let mut route = Route::new(access_code, Device::SkillQueue(1));
                route.dnid = Some(1);
                route.ext_code = ext_code;
                route.device = device;
                route.media_type = media_type;
                route
            },
        )
    }

    proptest! {
        // Failures are kept as rows of the tricky-values test above, not in
        // a regressions file next to the sources.
        #![proptest_config(Config { failure_persistence: None, ..Config::default() })]

        #[test]
        fn exported_routes_read_back_from_the_written_file_unchanged(
            live in prop::collection::vec(live_route(), 0..8)
        ) {
            let outcome = assert_round_trip(&live);
            prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
        }
    }
}
