//! Every documented rule of a called route is checked when the route is
//! built, with an `Error::InvalidInput` that names the wire field and says
//! the limit; a route that breaks a rule cannot exist, so it is never sent.

use cec_routes::{AccessCodeFilter, CalledRoute, Device, Error, MediaType, RouteFilter};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

/// The wire field and reason of an `Error::InvalidInput`.
#[track_caller]
fn invalid_input(result: Result<CalledRoute, Error>) -> (&'static str, String) {
    match result {
        Err(Error::InvalidInput { field, reason }) => (field, reason),
        Err(other) => panic!("expected Error::InvalidInput, got {other:?}"),
        Ok(route) => panic!("expected Error::InvalidInput, got the route {route:?}"),
    }
}

fn skill_queue_route(access_code: &str) -> Result<CalledRoute, Error> {
    CalledRoute::new(access_code, Device::SkillQueue(1))
}

fn with_ext_code(ext_code: &str) -> Result<CalledRoute, Error> {
    skill_queue_route("9911411")?.with_ext_code(ext_code)
}

// ---------------------------------------------------------------------------
// accessCode
// ---------------------------------------------------------------------------

#[test]
fn empty_access_code_is_refused() {
    let (field, reason) = invalid_input(skill_queue_route(""));

    assert_eq!(field, "accessCode");
    assert!(reason.contains("empty"), "{reason}");
}

#[test]
fn access_code_of_33_characters_is_refused_naming_the_limit() {
    let (field, reason) = invalid_input(skill_queue_route(&"1".repeat(33)));

    assert_eq!(field, "accessCode");
    assert!(reason.contains("32"), "{reason}");
}

#[test]
fn access_code_of_32_characters_is_accepted() {
    let route = skill_queue_route(&"1".repeat(32)).expect("32 characters are allowed");

    assert_eq!(route.access_code(), "1".repeat(32));
}

// ---------------------------------------------------------------------------
// extCode
// ---------------------------------------------------------------------------

#[test]
fn empty_ext_code_is_refused() {
    let (field, reason) = invalid_input(with_ext_code(""));

    assert_eq!(field, "extCode");
    assert!(reason.contains("empty"), "{reason}");
}

#[test]
fn ext_code_of_13_characters_is_refused_naming_the_limit() {
    let (field, reason) = invalid_input(with_ext_code(&"1".repeat(13)));

    assert_eq!(field, "extCode");
    assert!(reason.contains("12"), "{reason}");
}

#[test]
fn ext_code_of_12_characters_is_accepted() {
    let route = with_ext_code("123456789*#0").expect("12 characters are allowed");

    assert_eq!(route.ext_code(), Some("123456789*#0"));
}

#[test]
fn ext_code_with_letters_is_refused_naming_the_allowed_characters() {
    let (field, reason) = invalid_input(with_ext_code("12a"));

    assert_eq!(field, "extCode");
    assert!(reason.contains("digits"), "{reason}");
    assert!(reason.contains('*') && reason.contains('#'), "{reason}");
}

// ---------------------------------------------------------------------------
// devicetype and deviceId
// ---------------------------------------------------------------------------

#[test]
fn ivr_on_the_multimedia_channel_is_refused() {
    let result = CalledRoute::new("9911411", Device::Ivr(7))
        .and_then(|r| r.with_media_type(MediaType::Multimedia));
    let (field, reason) = invalid_input(result);

    assert_eq!(field, "devicetype");
    assert!(reason.contains("IVR"), "{reason}");
    assert!(reason.contains("53"), "{reason}");
}

#[test]
fn skill_queue_on_the_multimedia_channel_is_accepted() {
    let route = CalledRoute::new("9911411", Device::SkillQueue(1))
        .and_then(|r| r.with_media_type(MediaType::Multimedia))
        .expect("a skill queue may take multimedia calls");

    assert_eq!(route.media_type(), Some(MediaType::Multimedia));
}

#[test]
fn ivr_on_every_other_media_type_is_accepted() {
    for media in MediaType::ALL
        .into_iter()
        .filter(|m| *m != MediaType::Multimedia)
    {
        CalledRoute::new("9911411", Device::Ivr(7))
            .and_then(|r| r.with_media_type(media))
            .unwrap_or_else(|e| panic!("an IVR flow may take {media}: {e}"));
    }
}

#[test]
fn device_id_above_i32_max_is_refused_naming_the_limit() {
    let too_big = i32::MAX as u32 + 1;
    for device in [Device::SkillQueue(too_big), Device::Ivr(too_big)] {
        let (field, reason) = invalid_input(CalledRoute::new("9911411", device));

        assert_eq!(field, "deviceId");
        assert!(reason.contains(&i32::MAX.to_string()), "{reason}");
    }
}

#[test]
fn device_id_of_i32_max_is_accepted() {
    let route = CalledRoute::new("9911411", Device::SkillQueue(i32::MAX as u32))
        .expect("the largest int32 is a valid device id");

    assert_eq!(route.device().id(), i32::MAX as u32);
}

#[test]
fn device_from_the_wire_refuses_unknown_types_and_out_of_range_ids() {
    assert_eq!(Device::from_wire(1, 5).unwrap(), Device::SkillQueue(5));
    assert_eq!(Device::from_wire(3, 5).unwrap(), Device::Ivr(5));
    for (device_type, id, wire_field) in [
        (2, 5, "devicetype"),
        (1, -1, "deviceId"),
        (1, i64::from(i32::MAX) + 1, "deviceId"),
    ] {
        match Device::from_wire(device_type, id) {
            Err(Error::InvalidInput { field, .. }) => {
                assert_eq!(field, wire_field, "({device_type}, {id})")
            }
            other => panic!("({device_type}, {id}): expected InvalidInput, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// mediaTypeId
// ---------------------------------------------------------------------------

#[test]
fn media_types_are_the_five_documented_codes() {
    let codes: Vec<i32> = MediaType::ALL.iter().map(|m| m.code()).collect();

    assert_eq!(codes, [2, 5, 18, 19, 53]);
    assert_eq!(MediaType::VoiceClickToDial.code(), 2);
    assert_eq!(MediaType::VoiceAndVideo.code(), 5);
    assert_eq!(MediaType::VideoClickToDial.code(), 18);
    assert_eq!(MediaType::Video.code(), 19);
    assert_eq!(MediaType::Multimedia.code(), 53);
}

#[test]
fn media_type_parses_from_its_name_and_its_number() {
    for media in MediaType::ALL {
        assert_eq!(media.name().parse::<MediaType>().unwrap(), media);
        assert_eq!(
            media.name().to_uppercase().parse::<MediaType>().unwrap(),
            media
        );
        assert_eq!(
            media.code().to_string().parse::<MediaType>().unwrap(),
            media
        );
        assert_eq!(MediaType::try_from(media.code()).unwrap(), media);
    }
    assert_eq!("video".parse::<MediaType>().unwrap(), MediaType::Video);
    assert_eq!("53".parse::<MediaType>().unwrap(), MediaType::Multimedia);
}

#[test]
fn unknown_media_type_is_refused_listing_the_choices() {
    for input in ["7", "fax", ""] {
        match input.parse::<MediaType>() {
            Err(Error::InvalidInput { field, reason }) => {
                assert_eq!(field, "mediaTypeId");
                for code in ["2", "5", "18", "19", "53"] {
                    assert!(reason.contains(code), "{reason}");
                }
            }
            other => panic!("{input:?}: expected InvalidInput, got {other:?}"),
        }
    }
    assert!(matches!(
        MediaType::try_from(0),
        Err(Error::InvalidInput {
            field: "mediaTypeId",
            ..
        })
    ));
}

// ---------------------------------------------------------------------------
// All the messages, and nothing sent
// ---------------------------------------------------------------------------

#[test]
fn error_messages_name_the_field_and_the_limit() {
    let too_big = i32::MAX as u32 + 1;
    let cases: Vec<(&str, Result<CalledRoute, Error>)> = vec![
        ("empty access code", skill_queue_route("")),
        (
            "33-character access code",
            skill_queue_route(&"1".repeat(33)),
        ),
        ("empty ext code", with_ext_code("")),
        ("13-character ext code", with_ext_code(&"1".repeat(13))),
        ("ext code with letters", with_ext_code("12a")),
        (
            "IVR on multimedia",
            CalledRoute::new("9911411", Device::Ivr(7))
                .and_then(|r| r.with_media_type(MediaType::Multimedia)),
        ),
        (
            "device id above i32::MAX",
            CalledRoute::new("9911411", Device::SkillQueue(too_big)),
        ),
        (
            "unknown media type",
            "fax".parse::<MediaType>().and_then(|m| {
                CalledRoute::new("9911411", Device::SkillQueue(1))?.with_media_type(m)
            }),
        ),
    ];

    let table: String = cases
        .into_iter()
        .map(|(case, result)| {
            let error = result.expect_err(case);
            assert!(error.is_invalid_input(), "{case}: {error:?}");
            assert!(!error.may_have_reached_server(), "{case}");
            format!("{case}: {error}\n")
        })
        .collect();
    insta::assert_snapshot!(table);
}

#[tokio::test]
async fn invalid_route_is_never_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .named("any request")
        .mount(&server)
        .await;
    let client = cec_routes::Client::builder()
        .base_url(server.uri())
        .token("t0k")
        .build()
        .expect("valid client");

    // The only way to call createCalledRoute is with a CalledRoute, and an
    // invalid one cannot be built: the error comes before any request.
    let outcome = match CalledRoute::new("9911411", Device::Ivr(7))
        .and_then(|r| r.with_media_type(MediaType::Multimedia))
    {
        Ok(route) => client.create_called_route(&route).await.map(|_| ()),
        Err(error) => Err(error),
    };

    assert!(
        matches!(outcome, Err(Error::InvalidInput { .. })),
        "{outcome:?}"
    );
    server.verify().await;
}

/// The filters word their length rules as the routes do, with the SDK's own
/// plurals, never the generated types' "shorter than 1 characters".
#[test]
fn filter_messages_name_the_field_and_the_limit_in_the_sdks_words() {
    let long_code = "1".repeat(33);
    let long_ext = "1".repeat(13);
    let cases: Vec<(&str, Result<(), Error>)> = vec![
        (
            "empty access code",
            RouteFilter::new().access_code("").map(drop),
        ),
        (
            "33-character access code",
            RouteFilter::new().access_code(&long_code).map(drop),
        ),
        ("empty ext code", RouteFilter::new().ext_code("").map(drop)),
        (
            "13-character ext code",
            RouteFilter::new().ext_code(&long_ext).map(drop),
        ),
        (
            "13-character dial match",
            RouteFilter::new().ext_code_dial_match(&long_ext).map(drop),
        ),
        (
            "33-character access-code search",
            AccessCodeFilter::new().access_code(&long_code).map(drop),
        ),
    ];
    let table: String = cases
        .into_iter()
        .map(|(case, result)| {
            let error = result.expect_err(case);
            assert!(error.is_invalid_input(), "{case}: {error:?}");
            assert!(
                !error.to_string().contains("1 characters"),
                "{case}: {error}"
            );
            format!("{case}: {error}\n")
        })
        .collect();
    insta::assert_snapshot!(table, @r"
    empty access code: invalid accessCode: must not be empty
    33-character access code: invalid accessCode: must be at most 32 characters; `111111111111111111111111111111111` has 33
    empty ext code: invalid extCode: must not be empty
    13-character ext code: invalid extCode: must be at most 12 characters; `1111111111111` has 13
    13-character dial match: invalid extCode: must be at most 12 characters; `1111111111111` has 13
    33-character access-code search: invalid accessCode: must be at most 32 characters; `111111111111111111111111111111111` has 33
    ");
    assert!(
        AccessCodeFilter::new().access_code("").is_ok(),
        "an empty search text matches every access code"
    );
}
