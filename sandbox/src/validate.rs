//! Request bodies, checked by deserialising them into the generated request
//! types: the spec's schemas decide which fields exist, which are required,
//! their JSON types, lengths, patterns and enums, and that no other field is
//! sent. What the generated types do not check (numeric ranges, `null` for an
//! optional field, the rules between fields) is checked while the request is
//! turned into the sandbox's own values, by the library's domain types
//! ([`CalledRoute`], [`Device`], [`MediaType`], [`RouteId`]) whose rules the
//! client applies before sending.

use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::state::{AccessCodeQuery, Paging, Refused, RouteQuery, SkillQuery, ivr_on_multimedia};
use cec_routes::{
    CalledRoute, Device, Error, MediaType, RouteId, generated::types, limits::MAX_PAGE_SIZE,
};

/// Why a body is refused: the 400's description, naming the field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Invalid(pub(crate) String);

impl From<Error> for Invalid {
    /// The library's `invalid <field>: <reason>`.
    fn from(error: Error) -> Self {
        Invalid(error.to_string())
    }
}

/// Whether a refusal may quote the value it refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    /// Yes: the value helps the caller find the mistake.
    Values,
    /// No: the body holds a secret, which must reach neither the answer nor
    /// the log.
    Nothing,
}

/// A `createCalledRoute` body as the route it asks for. A well-formed body
/// that asks for an IVR flow on the multimedia channel is a business
/// refusal (the inner `Err`), as at modify: the schema allows the pair, the
/// documentation's rule forbids it.
pub(crate) fn called_route(body: &[u8]) -> Result<Result<CalledRoute, Refused>, Invalid> {
    let request: types::CreateCalledRouteRequest = request(body, Quote::Values)?;
    let device = device(&request.devicetype, &request.device_id)?;
    let mut route = CalledRoute::new(request.access_code.as_str(), device)?;
    if let Some(ext_code) = &request.ext_code {
        route = route.with_ext_code(ext_code.as_str())?;
    }
    if let Some(code) = &request.media_type_id {
        let media = media_type(code)?;
        if matches!(device, Device::Ivr(_)) && media == MediaType::Multimedia {
            return Ok(Err(ivr_on_multimedia(media)));
        }
        route = route.with_media_type(media)?;
    }
    Ok(Ok(route))
}

/// A `queryCalledRoute` body as the query it asks for. The media type may
/// be spelled `mediaTypeId` (the request table) or `mediatypeId` (the
/// documented example); sent both ways, both filters apply.
pub(crate) fn route_query(body: &[u8]) -> Result<RouteQuery, Invalid> {
    let request: types::QueryCalledRouteRequest = request(body, Quote::Values)?;
    let media_types = [&request.media_type_id, &request.mediatype_id]
        .into_iter()
        .flatten()
        .map(media_type)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RouteQuery {
        access_code: request.access_code.map(String::from),
        ext_code: request.ext_code.map(String::from),
        device_type: request.devicetype.map(i32::from),
        device_desc: request.device_desc,
        media_types,
        paging: paging(request.limit, request.offset)?,
    })
}

/// A `queryAccessCodeList` body as the query it asks for.
pub(crate) fn access_code_query(body: &[u8]) -> Result<AccessCodeQuery, Invalid> {
    let request: types::QueryAccessCodeListRequest = request(body, Quote::Values)?;
    let media_type = request
        .mediatype_id
        .map(|code| MediaType::try_from(i32::from(code)))
        .transpose()?;
    Ok(AccessCodeQuery {
        access_code: request.access_code.map(String::from),
        media_type,
        description: request.description,
        paging: paging(request.limit, request.offset)?,
    })
}

/// A `querySkills` body as the query it asks for. `limit` and `offset`
/// may be strings of digits (the request table) or numbers (the documented
/// example's `offset`).
pub(crate) fn skills_query(body: &[u8]) -> Result<SkillQuery, Invalid> {
    let request: types::QuerySkillsRequest = request(body, Quote::Values)?;
    let media_type = request
        .media_type_id
        .map(|code| {
            let code: i32 = code
                .to_string()
                .parse()
                .expect("the spec's media type filters are numbers");
            MediaType::try_from(code)
        })
        .transpose()?;
    // The spec's pattern allows 1 to 10 digits: always a u64.
    let skill_ids = request
        .skill_ids
        .iter()
        .map(|id| {
            id.parse::<u64>()
                .map_err(|e| Invalid(format!("invalid skillIds: `{}` {e}", id.as_str())))
        })
        .collect::<Result<_, _>>()?;
    Ok(SkillQuery {
        name: request.name.map(String::from),
        media_type,
        skill_ids,
        paging: skill_paging(request.limit, request.offset)?,
    })
}

/// A `queryIVRFlowList` body: an empty JSON object, as the client sends it
/// (the page documents none).
pub(crate) fn ivr_flow_query(body: &[u8]) -> Result<(), Invalid> {
    let _: types::QueryIvrFlowListRequest = request(body, Quote::Values)?;
    Ok(())
}

/// A `modifyCalledRoute` body as the route's id and the new device.
pub(crate) fn modify(body: &[u8]) -> Result<(RouteId, Device), Invalid> {
    let request: types::ModifyCalledRouteRequest = request(body, Quote::Values)?;
    let id = request.id.parse::<RouteId>()?;
    Ok((id, device(&request.devicetype, &request.device_id)?))
}

/// A `deleteCalledRoute` body as its dnids, in order.
pub(crate) fn delete(body: &[u8]) -> Result<Vec<u64>, Invalid> {
    let request: types::DeleteCalledRouteRequest = request(body, Quote::Values)?;
    // The spec's pattern allows 1 to 19 digits per dnid: always a u64.
    request
        .dnids
        .split(',')
        .map(|dnid| {
            dnid.parse::<u64>()
                .map_err(|e| Invalid(format!("invalid dnids: `{dnid}` {e}")))
        })
        .collect()
}

/// A `tokenByAkSk` body as its app key and app secret. No refusal quotes a
/// value, so the secret never reaches a response or a log.
pub(crate) fn token_request(body: &[u8]) -> Result<(String, SecretString), Invalid> {
    let request: types::TokenRequest = request(body, Quote::Nothing)?;
    Ok((
        String::from(request.app_key),
        SecretString::from(String::from(request.app_secret)),
    ))
}

/// The device of a create or modify: the library's rules (`deviceId` 0 or
/// more; the generated type takes any `i32`).
fn device(device_type: &types::DeviceType, id: &types::DeviceId) -> Result<Device, Invalid> {
    Ok(Device::from_wire(
        i64::from(i32::from(device_type.clone())),
        i64::from(id.0),
    )?)
}

fn media_type(code: &types::MediaTypeId) -> Result<MediaType, Invalid> {
    Ok(MediaType::try_from(i32::from(code.clone()))?)
}

/// `limit` (default [`MAX_PAGE_SIZE`]; a larger one is treated as
/// [`MAX_PAGE_SIZE`], as both queries' pages say; a negative one, which the
/// spec's `PageLimit` refuses, is refused) and `offset` (default 0; a
/// negative one is treated as 0, as the route query's page says).
fn paging(
    limit: Option<types::PageLimit>,
    offset: Option<types::PageOffset>,
) -> Result<Paging, Invalid> {
    let max = MAX_PAGE_SIZE as usize;
    let limit = match limit.map(|limit| limit.0) {
        None => max,
        Some(limit) => usize::try_from(limit)
            .map(|limit| limit.min(max))
            .map_err(|_| Invalid(format!("invalid limit: {limit} is negative")))?,
    };
    // A negative offset is treated as 0.
    let offset = offset.map_or(0, |offset| usize::try_from(offset.0).unwrap_or(0));
    Ok(Paging { limit, offset })
}

/// The skill-queue query's paging, written as strings or numbers: `limit`
/// (default [`MAX_PAGE_SIZE`]; a larger one is treated as [`MAX_PAGE_SIZE`],
/// as on the other listings; above 2^31 − 1, the spec's maximum for a
/// number, refused) and `offset` (default 0; a negative one is treated as 0).
fn skill_paging(
    limit: Option<types::SkillPageLimit>,
    offset: Option<types::SkillPageOffset>,
) -> Result<Paging, Invalid> {
    let max = MAX_PAGE_SIZE as usize;
    let limit = match limit {
        None => max,
        Some(types::SkillPageLimit::Text(text)) => text
            .parse::<usize>()
            .map_err(|e| Invalid(format!("invalid limit: `{}` {e}", text.as_str())))?
            .min(max),
        Some(types::SkillPageLimit::Number(number)) => {
            let limit = number.0.get();
            if i32::try_from(limit).is_err() {
                return Err(Invalid(format!(
                    "invalid limit: {limit} is above {}",
                    i32::MAX
                )));
            }
            (limit as usize).min(max)
        }
    };
    let offset = match offset {
        None => 0,
        Some(types::SkillPageOffset::Text(text)) => text
            .parse::<i64>()
            .map_err(|e| Invalid(format!("invalid offset: `{}` {e}", text.as_str())))?,
        Some(types::SkillPageOffset::Number(number)) => i64::from(number.0),
    };
    // A negative offset is treated as 0.
    let offset = usize::try_from(offset).unwrap_or(0);
    Ok(Paging { limit, offset })
}

/// The body as the generated request type `T`.
fn request<T: DeserializeOwned>(body: &[u8], quote: Quote) -> Result<T, Invalid> {
    typed(object(body)?, quote)
}

/// The body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, Invalid> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Invalid(format!("the body is not JSON: {e}")))?;
    match value {
        Value::Object(fields) => Ok(fields),
        other => Err(Invalid(format!(
            "the body must be a JSON object, not {}",
            kind(&other)
        ))),
    }
}

/// `fields` as the generated type `T`, which refuses unknown fields, missing
/// required ones and values its schema does not allow, naming the field;
/// and a `null` the generated type would take as "absent": the spec has no
/// nullable request field.
fn typed<T: DeserializeOwned>(fields: Map<String, Value>, quote: Quote) -> Result<T, Invalid> {
    let value = Value::Object(fields);
    let typed = serde_path_to_error::deserialize(&value).map_err(|error| {
        let field = error.path().to_string();
        let reason = error.into_inner().to_string();
        refusal(&value, &field, &reason, quote)
    })?;
    let null = value
        .as_object()
        .and_then(|fields| fields.iter().find(|(_, value)| value.is_null()));
    if let Some((name, _)) = null {
        return Err(Invalid(format!(
            "invalid {name}: null is not allowed; leave the field out instead"
        )));
    }
    Ok(typed)
}

/// The description of a refusal by a generated type: the field and the
/// generated type's reason, with the value refused when `quote` allows and
/// the reason does not quote it already.
fn refusal(body: &Value, field: &str, reason: &str, quote: Quote) -> Invalid {
    if field == "." || reason.starts_with("unknown field ") {
        // A missing or an unknown field, which the reason names.
        return Invalid(reason.to_owned());
    }
    // A field the spec takes in more than one form (a string or a number)
    // fits none of them: say which forms. A string enum (serde reads it as
    // an enum, which could also be a map) expects a string.
    let expected;
    let reason = if reason.starts_with("data did not match any variant of untagged enum") {
        expected = format!("expected {}", forms(field));
        expected.as_str()
    } else if let Some(kind) = reason.strip_suffix(", expected string or map") {
        expected = format!("{kind}, expected a string");
        expected.as_str()
    } else {
        reason
    };
    match quote {
        Quote::Nothing => {
            // serde quotes the value it refuses ("invalid type: integer `1`,
            // expected a string"); keep only what was expected.
            let expected = reason
                .rsplit_once(", expected ")
                .map_or(reason, |(_, expected)| expected);
            if expected == reason {
                Invalid(format!("invalid {field}: {reason}"))
            } else {
                Invalid(format!("invalid {field}: expected {expected}"))
            }
        }
        Quote::Values => {
            let quoted =
                reason.starts_with("invalid type: ") || reason.starts_with("invalid value: ");
            match body.get(field) {
                Some(value) if !quoted => {
                    Invalid(format!("invalid {field}: {reason} (got {value})"))
                }
                _ => Invalid(format!("invalid {field}: {reason}")),
            }
        }
    }
}

/// The forms a field with several (an untagged enum of the generated
/// types) takes, for messages.
fn forms(field: &str) -> &'static str {
    match field {
        "limit" => {
            "a whole number from 1 to 2147483647, as a string of digits (at most 9) or a number"
        }
        "offset" => {
            "a whole number, as a string of digits (at most 9, optionally after `-`) or a number \
             from -2147483648 to 2147483647"
        }
        _ => "a value the spec allows",
    }
}

/// A JSON value's type, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn refused(body: &str) -> String {
        called_route(body.as_bytes()).unwrap_err().0
    }

    #[test]
    fn the_documented_example_is_accepted() {
        let body = r#"{"accessCode": "9911411", "extCode": "11", "devicetype": 1, "deviceId": 1, "mediaTypeId": 19}"#;
        let route = called_route(body.as_bytes()).unwrap().unwrap();
        assert_eq!(
            route,
            CalledRoute::new("9911411", Device::SkillQueue(1))
                .unwrap()
                .with_ext_code("11")
                .unwrap()
                .with_media_type(MediaType::Video)
                .unwrap()
        );
    }

    #[test]
    fn an_ivr_flow_on_the_multimedia_channel_is_a_business_refusal_not_a_bad_body() {
        let body =
            r#"{"accessCode": "9911411", "devicetype": 3, "deviceId": 7, "mediaTypeId": 53}"#;
        let refusal = called_route(body.as_bytes()).unwrap().unwrap_err();
        assert_eq!(refusal.code, crate::return_code::IVR_ON_MULTIMEDIA);
    }

    #[test]
    fn a_body_that_is_not_a_json_object_is_refused() {
        assert!(refused("{").starts_with("the body is not JSON"));
        assert_eq!(
            refused("[1]"),
            "the body must be a JSON object, not an array"
        );
    }

    #[test]
    fn an_unknown_field_is_refused_naming_it_and_the_fields_the_spec_has() {
        assert_eq!(
            refused(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 1, "mediatypeId": 5}"#),
            "unknown field `mediatypeId`, expected one of `accessCode`, `deviceId`, \
             `devicetype`, `extCode`, `mediaTypeId`"
        );
    }

    #[test]
    fn a_missing_required_field_is_refused_naming_it() {
        assert_eq!(
            refused(r#"{"accessCode": "1", "devicetype": 1}"#),
            "missing field `deviceId`"
        );
    }

    #[test]
    fn a_value_of_the_wrong_json_type_is_refused_naming_the_field() {
        assert_eq!(
            refused(r#"{"accessCode": 1, "devicetype": 1, "deviceId": 1}"#),
            "invalid accessCode: invalid type: integer `1`, expected a string"
        );
        assert_eq!(
            refused(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 1.5}"#),
            "invalid deviceId: invalid type: floating point `1.5`, expected i32"
        );
        assert_eq!(
            refused(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 18446744073709551615}"#),
            "invalid deviceId: invalid value: integer `18446744073709551615`, expected i32"
        );
    }

    #[test]
    fn null_is_refused_for_an_optional_field_too() {
        assert_eq!(
            refused(r#"{"accessCode": "1", "extCode": null, "devicetype": 1, "deviceId": 1}"#),
            "invalid extCode: null is not allowed; leave the field out instead"
        );
    }

    #[test]
    fn a_value_the_spec_forbids_is_refused_naming_the_field_and_the_value() {
        assert_eq!(
            refused(r#"{"accessCode": "", "devicetype": 1, "deviceId": 1}"#),
            r#"invalid accessCode: shorter than 1 characters (got "")"#
        );
        assert_eq!(
            refused(r#"{"accessCode": "1", "extCode": "1a", "devicetype": 1, "deviceId": 1}"#),
            r#"invalid extCode: doesn't match pattern "^[0-9*#]{1,12}$" (got "1a")"#
        );
        assert_eq!(
            refused(r#"{"accessCode": "1", "devicetype": 2, "deviceId": 1}"#),
            "invalid devicetype: invalid value (got 2)"
        );
        assert_eq!(
            refused(r#"{"accessCode": "1", "mediaTypeId": 4, "devicetype": 1, "deviceId": 1}"#),
            "invalid mediaTypeId: invalid value (got 4)"
        );
    }

    #[test]
    fn a_negative_device_id_is_refused_by_the_librarys_rule() {
        let library = Device::from_wire(1, -1).unwrap_err().to_string();
        assert_eq!(
            refused(r#"{"accessCode": "1", "devicetype": 1, "deviceId": -1}"#),
            library
        );
    }

    #[test]
    fn a_route_query_takes_either_spelling_of_the_media_type_and_pages_by_default() {
        let table = route_query(br#"{"mediaTypeId": 19}"#).unwrap();
        let example = route_query(br#"{"mediatypeId": 19}"#).unwrap();
        assert_eq!(table, example);
        assert_eq!(table.media_types, [MediaType::Video]);
        assert_eq!(
            table.paging,
            Paging {
                limit: 100,
                offset: 0
            }
        );
        let empty = route_query(b"{}").unwrap();
        assert_eq!((empty.access_code, empty.ext_code), (None, None));
    }

    #[test]
    fn a_route_query_refuses_a_media_type_of_the_examples_spelling_naming_that_spelling() {
        assert_eq!(
            route_query(br#"{"mediatypeId": 4}"#).unwrap_err().0,
            "invalid mediatypeId: invalid value (got 4)"
        );
    }

    #[test]
    fn a_route_query_sent_with_both_spellings_applies_both() {
        let both = route_query(br#"{"mediaTypeId": 5, "mediatypeId": 19}"#).unwrap();
        assert_eq!(
            both.media_types,
            [MediaType::VoiceAndVideo, MediaType::Video]
        );
    }

    #[test]
    fn a_limit_above_100_is_treated_as_100() {
        let paging = |body: &str| route_query(body.as_bytes()).unwrap().paging;
        assert_eq!(paging(r#"{"limit": 101}"#).limit, 100);
        assert_eq!(paging(&format!(r#"{{"limit": {}}}"#, i32::MAX)).limit, 100);
        assert_eq!(paging(r#"{"limit": 0}"#).limit, 0);
    }

    #[test]
    fn a_negative_offset_is_treated_as_0() {
        let paging = |body: &str| access_code_query(body.as_bytes()).unwrap().paging;
        assert_eq!(paging(r#"{"offset": -1}"#).offset, 0);
        assert_eq!(paging(&format!(r#"{{"offset": {}}}"#, i32::MIN)).offset, 0);
    }

    #[test]
    fn paging_outside_the_spec_is_refused() {
        let refused = |body: &str| route_query(body.as_bytes()).unwrap_err().0;
        assert_eq!(refused(r#"{"limit": -1}"#), "invalid limit: -1 is negative");
        assert_eq!(
            refused(r#"{"offset": 2147483648}"#),
            "invalid offset: invalid value: integer `2147483648`, expected i32"
        );
        assert!(refused(r#"{"limit": 1.5}"#).starts_with("invalid limit: invalid type"));
    }

    #[test]
    fn dnids_follow_the_spec_pattern() {
        assert_eq!(delete(br#"{"dnids": "1,2"}"#).unwrap(), [1, 2]);
        assert_eq!(
            delete(br#"{"dnids": "9999999999999999999"}"#).unwrap(),
            [9_999_999_999_999_999_999]
        );
        for bad in [
            r#""a,b""#,
            r#""""#,
            r#""1,""#,
            r#"" 1""#,
            r#""12345678901234567890""#,
        ] {
            let body = format!(r#"{{"dnids": {bad}}}"#);
            assert!(
                delete(body.as_bytes())
                    .unwrap_err()
                    .0
                    .starts_with("invalid dnids"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_modify_names_its_route_by_a_digit_string() {
        let (id, device) =
            modify(br#"{"id": "1125397061153369092", "devicetype": 1, "deviceId": 1}"#).unwrap();
        assert_eq!(
            (id.as_str(), device),
            ("1125397061153369092", Device::SkillQueue(1))
        );
        assert!(
            modify(br#"{"id": "", "devicetype": 1, "deviceId": 1}"#)
                .unwrap_err()
                .0
                .starts_with("invalid id")
        );
    }

    #[test]
    fn an_access_code_query_takes_only_the_access_code_media_types() {
        let refused = access_code_query(br#"{"mediatypeId": 19}"#).unwrap_err();
        assert_eq!(refused.0, "invalid mediatypeId: invalid value (got 19)");
        let multimedia = access_code_query(br#"{"mediatypeId": 53}"#).unwrap();
        assert_eq!(multimedia.media_type, Some(MediaType::Multimedia));
    }

    #[test]
    fn a_skill_query_takes_its_numbers_as_strings_or_numbers() {
        let paging = |body: &str| skills_query(body.as_bytes()).unwrap().paging;
        let documented = paging(r#"{"limit": "10", "offset": 0}"#);
        assert_eq!(documented, paging(r#"{"limit": "10", "offset": "0"}"#));
        assert_eq!(documented, paging(r#"{"limit": 10, "offset": 0}"#));
        assert_eq!(
            documented,
            Paging {
                limit: 10,
                offset: 0
            }
        );
        assert_eq!(
            paging("{}"),
            Paging {
                limit: 100,
                offset: 0
            }
        );
        assert_eq!(paging(r#"{"limit": "101"}"#).limit, 100);
        assert_eq!(paging(r#"{"limit": 2147483647}"#).limit, 100);
        assert_eq!(paging(r#"{"offset": "-5"}"#).offset, 0);
        assert_eq!(paging(r#"{"offset": -5}"#).offset, 0);
        assert_eq!(paging(r#"{"offset": "120"}"#).offset, 120);

        let query = skills_query(br#"{"mediaTypeId": "19", "skillIds": ["1", "02"]}"#).unwrap();
        assert_eq!(query.media_type, Some(MediaType::Video));
        assert_eq!(query.skill_ids, [1, 2]);
        assert!(
            skills_query(br#"{"skillIds": []}"#)
                .unwrap()
                .skill_ids
                .is_empty()
        );
    }

    #[test]
    fn a_skill_query_refuses_what_its_schema_refuses_saying_what_is_expected() {
        let refused = |body: &str| skills_query(body.as_bytes()).unwrap_err().0;
        assert_eq!(
            refused(r#"{"limit": "0"}"#),
            "invalid limit: expected a whole number from 1 to 2147483647, as a string of \
             digits (at most 9) or a number (got \"0\")"
        );
        assert!(refused(r#"{"limit": 0}"#).starts_with("invalid limit: expected"));
        assert_eq!(
            refused(r#"{"limit": 2147483648}"#),
            "invalid limit: 2147483648 is above 2147483647"
        );
        assert!(refused(r#"{"offset": "1.5"}"#).starts_with("invalid offset: expected"));
        assert_eq!(
            refused(r#"{"mediaTypeId": 19}"#),
            "invalid mediaTypeId: invalid type: integer `19`, expected a string"
        );
        assert!(refused(r#"{"skillIds": [1]}"#).starts_with("invalid skillIds[0]"));
        assert!(refused(r#"{"name": "a b"}"#).starts_with("invalid name: doesn't match pattern"));
        assert!(refused(r#"{"mediatypeId": "19"}"#).starts_with("unknown field `mediatypeId`"));
        assert_eq!(
            refused(r#"{"limit": null}"#),
            "invalid limit: null is not allowed; leave the field out instead"
        );
    }

    #[test]
    fn an_ivr_flow_query_is_an_empty_object() {
        assert_eq!(ivr_flow_query(b"{}"), Ok(()));
        assert_eq!(
            ivr_flow_query(br#"{"pageNum": 1}"#).unwrap_err().0,
            "unknown field `pageNum`, there are no fields"
        );
        assert!(
            ivr_flow_query(b"")
                .unwrap_err()
                .0
                .starts_with("the body is not JSON")
        );
    }

    #[test]
    fn token_requests_never_quote_their_values() {
        let (key, secret) = token_request(br#"{"app_key": "k", "app_secret": "s3cr3t"}"#).unwrap();
        assert_eq!((key.as_str(), secret.expose_secret()), ("k", "s3cr3t"));
        let refused = |body: &str| token_request(body.as_bytes()).unwrap_err().0;
        assert_eq!(
            refused(r#"{"app_key": "s3cr3t", "app_secret": ""}"#),
            "invalid app_secret: shorter than 1 characters"
        );
        assert_eq!(
            refused(r#"{"app_key": "k", "app_secret": 12345678}"#),
            "invalid app_secret: expected a string"
        );
        assert_eq!(
            refused(r#"{"app_key": "k", "app_secret": ["s3cr3t"]}"#),
            "invalid app_secret: expected a string"
        );
        assert_eq!(refused(r#"{"app_key": "k"}"#), "missing field `app_secret`");
    }
}
