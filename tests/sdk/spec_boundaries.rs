//! The spec and the wrapper agree: every boundary value gets the same verdict
//! from the spec's JSON Schema and from the wrapper's validation, so the
//! wrapper follows the spec rather than a copy of its limits.

use crate::common;

use cec_routes::{CalledRoute, Device, MediaType};
use serde_json::{Value, json};

/// The wrapper's verdict on a request body: can a `CalledRoute` be built
/// from it, and does it send exactly this body back?
fn wrapper_accepts(body: &Value) -> bool {
    let build = || -> Result<CalledRoute, cec_routes::Error> {
        let access_code = body["accessCode"].as_str().unwrap_or_default();
        let device = Device::from_wire(
            body["devicetype"].as_i64().unwrap_or(i64::MIN),
            body["deviceId"].as_i64().unwrap_or(i64::MIN),
        )?;
        let mut route = CalledRoute::new(access_code, device)?;
        if let Some(ext) = body.get("extCode") {
            route = route.with_ext_code(ext.as_str().unwrap_or_default())?;
        }
        if let Some(media) = body.get("mediaTypeId") {
            let code = media
                .as_i64()
                .and_then(|c| i32::try_from(c).ok())
                .unwrap_or(i32::MIN);
            route = route.with_media_type(MediaType::try_from(code)?)?;
        }
        Ok(route)
    };
    match build() {
        Ok(route) => {
            let sent = serde_json::to_value(route.to_request()).expect("a request serializes");
            assert_eq!(
                &sent, body,
                "the wrapper must send exactly the body it accepted"
            );
            true
        }
        Err(error) => {
            assert!(
                error.is_invalid_input(),
                "a refusal is invalid input: {error}"
            );
            false
        }
    }
}

fn body(overrides: Value) -> Value {
    let mut body = json!({"accessCode": "9911411", "devicetype": 1, "deviceId": 1});
    for (key, value) in overrides.as_object().expect("overrides are an object") {
        body[key] = value.clone();
    }
    body
}

#[test]
fn schema_and_wrapper_give_the_same_verdict_on_every_boundary_value() {
    let schema = common::openapi::validator("CreateCalledRouteRequest");
    let cases: Vec<(&str, Value)> = vec![
        (
            "documented example",
            body(json!({"extCode": "11", "mediaTypeId": 19})),
        ),
        ("accessCode empty", body(json!({"accessCode": ""}))),
        ("accessCode 1 character", body(json!({"accessCode": "9"}))),
        (
            "accessCode 32 characters",
            body(json!({"accessCode": "9".repeat(32)})),
        ),
        (
            "accessCode 33 characters",
            body(json!({"accessCode": "9".repeat(33)})),
        ),
        (
            "accessCode 32 multi-byte characters",
            body(json!({"accessCode": "九".repeat(32)})),
        ),
        (
            "accessCode 33 multi-byte characters",
            body(json!({"accessCode": "九".repeat(33)})),
        ),
        ("extCode empty", body(json!({"extCode": ""}))),
        (
            "extCode 12 characters",
            body(json!({"extCode": "1".repeat(12)})),
        ),
        (
            "extCode 13 characters",
            body(json!({"extCode": "1".repeat(13)})),
        ),
        ("extCode with * and #", body(json!({"extCode": "*1#"}))),
        ("extCode with a letter", body(json!({"extCode": "1a"}))),
        ("extCode with a space", body(json!({"extCode": "1 2"}))),
        ("mediaTypeId 2", body(json!({"mediaTypeId": 2}))),
        ("mediaTypeId 5", body(json!({"mediaTypeId": 5}))),
        ("mediaTypeId 18", body(json!({"mediaTypeId": 18}))),
        ("mediaTypeId 19", body(json!({"mediaTypeId": 19}))),
        ("mediaTypeId 53", body(json!({"mediaTypeId": 53}))),
        ("mediaTypeId 0", body(json!({"mediaTypeId": 0}))),
        ("mediaTypeId 3", body(json!({"mediaTypeId": 3}))),
        ("mediaTypeId 20", body(json!({"mediaTypeId": 20}))),
        ("mediaTypeId 54", body(json!({"mediaTypeId": 54}))),
        ("mediaTypeId -5", body(json!({"mediaTypeId": -5}))),
        ("devicetype 1", body(json!({"devicetype": 1}))),
        (
            "devicetype 3",
            body(json!({"devicetype": 3, "deviceId": 7})),
        ),
        ("devicetype 0", body(json!({"devicetype": 0}))),
        ("devicetype 2", body(json!({"devicetype": 2}))),
        ("devicetype 4", body(json!({"devicetype": 4}))),
        ("deviceId 0", body(json!({"deviceId": 0}))),
        ("deviceId -1", body(json!({"deviceId": -1}))),
        ("deviceId 2^31-1", body(json!({"deviceId": i32::MAX}))),
        (
            "deviceId 2^31",
            body(json!({"deviceId": i64::from(i32::MAX) + 1})),
        ),
    ];

    let mut disagreements = Vec::new();
    for (name, case) in &cases {
        let by_schema = schema.is_valid(case);
        let by_wrapper = wrapper_accepts(case);
        if by_schema != by_wrapper {
            disagreements.push(format!(
                "{name}: schema {}, wrapper {}",
                verdict(by_schema),
                verdict(by_wrapper)
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "the wrapper and the spec disagree:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn the_boundary_table_has_both_verdicts_for_every_field() {
    // Guards the table above against a schema that accepts (or refuses)
    // everything: each field has a value on each side of its limit.
    let schema = common::openapi::validator("CreateCalledRouteRequest");
    for (field, ok, refused) in [
        ("accessCode", json!("9".repeat(32)), json!("9".repeat(33))),
        ("extCode", json!("1".repeat(12)), json!("1".repeat(13))),
        ("mediaTypeId", json!(53), json!(54)),
        ("devicetype", json!(3), json!(2)),
        ("deviceId", json!(i32::MAX), json!(-1)),
    ] {
        assert!(
            schema.is_valid(&body(json!({ field: ok }))),
            "{field}: {ok} should be valid"
        );
        assert!(
            !schema.is_valid(&body(json!({ field: refused }))),
            "{field}: {refused} should be refused"
        );
    }
}

#[test]
fn the_rule_beyond_the_schema_is_enforced_by_the_wrapper_only() {
    // No IVR flow on the multimedia channel: documented in prose, not
    // expressible in the schema's per-field constraints.
    let schema = common::openapi::validator("CreateCalledRouteRequest");
    let ivr_multimedia = body(json!({"devicetype": 3, "mediaTypeId": 53}));
    assert!(schema.is_valid(&ivr_multimedia));
    assert!(!wrapper_accepts(&ivr_multimedia));
}

fn verdict(accepted: bool) -> &'static str {
    if accepted { "accepts" } else { "refuses" }
}

/// The wrapper's verdict on a modify body: can a `RouteChange` be built from
/// it, and does it send exactly this body back?
fn wrapper_accepts_modify(body: &Value) -> bool {
    let build = || -> Result<cec_routes::RouteChange, cec_routes::Error> {
        let id: cec_routes::RouteId = body["id"].as_str().unwrap_or_default().parse()?;
        let device = Device::from_wire(
            body["devicetype"].as_i64().unwrap_or(i64::MIN),
            body["deviceId"].as_i64().unwrap_or(i64::MIN),
        )?;
        cec_routes::RouteChange::by_id(id, device)
    };
    match build() {
        Ok(change) => {
            let sent = serde_json::to_value(change.to_request()).expect("a request serializes");
            assert_eq!(
                &sent, body,
                "the wrapper must send exactly the body it accepted"
            );
            true
        }
        Err(error) => {
            assert!(
                error.is_invalid_input(),
                "a refusal is invalid input: {error}"
            );
            false
        }
    }
}

#[test]
fn schema_and_wrapper_agree_on_every_modify_boundary_value() {
    let schema = common::openapi::validator("ModifyCalledRouteRequest");
    let modify = |id: Value, devicetype: i64, device_id: i64| json!({"id": id, "devicetype": devicetype, "deviceId": device_id});
    let cases: Vec<(&str, Value)> = vec![
        (
            "documented example",
            modify(json!("1125397061153369092"), 1, 1),
        ),
        ("id above 2^53", modify(json!("9007199254740993"), 1, 1)),
        ("id of 32 digits", modify(json!("9".repeat(32)), 1, 1)),
        ("id of 33 digits", modify(json!("9".repeat(33)), 1, 1)),
        ("id empty", modify(json!(""), 1, 1)),
        ("id with a letter", modify(json!("12a"), 1, 1)),
        ("id with a sign", modify(json!("-12"), 1, 1)),
        ("IVR", modify(json!("1"), 3, 7)),
        ("devicetype 2", modify(json!("1"), 2, 7)),
        ("deviceId -1", modify(json!("1"), 1, -1)),
        (
            "deviceId 2^31",
            modify(json!("1"), 1, i64::from(i32::MAX) + 1),
        ),
    ];
    let disagreements: Vec<String> = cases
        .iter()
        .filter_map(|(name, case)| {
            let (by_schema, by_wrapper) = (schema.is_valid(case), wrapper_accepts_modify(case));
            (by_schema != by_wrapper).then(|| {
                format!(
                    "{name}: schema {}, wrapper {}",
                    verdict(by_schema),
                    verdict(by_wrapper)
                )
            })
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "the wrapper and the spec disagree:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn schema_and_wrapper_agree_on_the_route_filters() {
    // The filters reuse the create request's schemas: each value a filter
    // setter accepts is one the query's schema accepts.
    let schema = common::openapi::validator("QueryCalledRouteRequest");
    let cases: Vec<(&str, String, bool)> = vec![
        ("accessCode", "9".repeat(32), true),
        ("accessCode", "9".repeat(33), false),
        ("accessCode", String::new(), false),
        ("extCode", "1".repeat(12), true),
        ("extCode", "1".repeat(13), false),
        ("extCode", "1a".into(), false),
    ];
    for (field, value, valid) in cases {
        let value = value.as_str();
        let by_schema = schema.is_valid(&json!({ field: value }));
        let filter = cec_routes::RouteFilter::new();
        let by_wrapper = match field {
            "accessCode" => filter.access_code(value).is_ok(),
            _ => filter.ext_code(value).is_ok(),
        };
        assert_eq!(by_schema, valid, "schema on {field} {value:?}");
        assert_eq!(by_wrapper, valid, "wrapper on {field} {value:?}");
    }
    for limit in [1, 100] {
        assert!(schema.is_valid(&json!({ "limit": limit })), "limit {limit}");
    }
    // CEC treats a larger limit as 100 and a negative offset as 0, so the
    // schema takes them; the client refuses them before sending
    // (query_called_route::a_page_limit_outside_1_to_100_is_refused_before_sending).
    assert!(schema.is_valid(&json!({ "limit": 101 })));
    assert!(schema.is_valid(&json!({ "offset": -1 })));
    assert!(!schema.is_valid(&json!({ "limit": -1 })));
}
