//! Request bodies, checked as the spec says: JSON shape and types here, the
//! value rules by the library's own [`CalledRoute`], [`Device`],
//! [`MediaType`], [`RouteFilter`], [`AccessCodeFilter`] and [`RouteId`] and
//! by the generated types, so the client and the sandbox cannot disagree.

use secrecy::SecretString;
use serde_json::{Map, Value};

use super::state::{AccessCodeQuery, Paging, Refused, RouteQuery, ivr_on_multimedia};
use cec_routes::{
    AccessCodeFilter, CalledRoute, Device, Error, MediaType, RouteFilter, RouteId,
    generated::types, limits::MAX_PAGE_SIZE,
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

/// The fields of `CreateCalledRouteRequest`, in the spec's order.
const ROUTE_FIELDS: [&str; 5] = [
    "accessCode",
    "extCode",
    "mediaTypeId",
    "devicetype",
    "deviceId",
];
/// The required ones.
const ROUTE_REQUIRED: [&str; 3] = ["accessCode", "devicetype", "deviceId"];

/// The fields of `TokenRequest`, all required.
const TOKEN_FIELDS: [&str; 2] = ["app_key", "app_secret"];

/// The fields of `QueryCalledRouteRequest`, plus `mediatypeId`: the
/// documented example's spelling of `mediaTypeId`.
const ROUTE_QUERY_FIELDS: [&str; 8] = [
    "accessCode",
    "extCode",
    "devicetype",
    "deviceDesc",
    "mediaTypeId",
    "mediatypeId",
    "limit",
    "offset",
];

/// The fields of `QueryAccessCodeListRequest`.
const ACCESS_CODE_QUERY_FIELDS: [&str; 5] = [
    "accessCode",
    "mediatypeId",
    "description",
    "limit",
    "offset",
];

/// The fields of `ModifyCalledRouteRequest`, all required.
const MODIFY_FIELDS: [&str; 3] = ["id", "devicetype", "deviceId"];

/// The field of `DeleteCalledRouteRequest`, required.
const DELETE_FIELDS: [&str; 1] = ["dnids"];

/// A `createCalledRoute` body as the route it asks for. A well-formed body
/// that asks for an IVR flow on the multimedia channel is a business
/// refusal (the inner `Err`), as at modify: the schema allows the pair, the
/// documentation's rule forbids it.
pub(crate) fn called_route(body: &[u8]) -> Result<Result<CalledRoute, Refused>, Invalid> {
    let fields = object(body, &ROUTE_FIELDS, &ROUTE_REQUIRED)?;
    let access_code = required(string(&fields, "accessCode")?, "accessCode")?;
    let ext_code = string(&fields, "extCode")?;
    let media_type = integer(&fields, "mediaTypeId")?;
    let device_type = required(integer(&fields, "devicetype")?, "devicetype")?;
    let device_id = required(integer(&fields, "deviceId")?, "deviceId")?;

    let device = Device::from_wire(device_type, device_id)?;
    let mut route = CalledRoute::new(access_code, device)?;
    if let Some(ext_code) = ext_code {
        route = route.with_ext_code(ext_code)?;
    }
    if let Some(code) = media_type {
        let media = media(code)?;
        if matches!(device, Device::Ivr(_)) && media == MediaType::Multimedia {
            return Ok(Err(ivr_on_multimedia(media)));
        }
        route = route.with_media_type(media)?;
    }
    Ok(Ok(route))
}

/// A `queryCalledRoute` body as the query it asks for. The media type may
/// be spelled `mediaTypeId` (the request table) or `mediatypeId` (the
/// documented example), not both.
pub(crate) fn route_query(body: &[u8]) -> Result<RouteQuery, Invalid> {
    let fields = object(body, &ROUTE_QUERY_FIELDS, &[])?;
    let access_code = string(&fields, "accessCode")?
        .map(|code| {
            RouteFilter::new()
                .access_code(code)
                .map(|_| code.to_owned())
        })
        .transpose()?;
    let ext_code = string(&fields, "extCode")?
        .map(|ext| RouteFilter::new().ext_code(ext).map(|_| ext.to_owned()))
        .transpose()?;
    let device_type = integer(&fields, "devicetype")?
        .map(|t| Device::from_wire(t, 0).map(Device::device_type))
        .transpose()?;
    let device_desc = string(&fields, "deviceDesc")?.map(str::to_owned);
    let media_type = match (
        integer(&fields, "mediaTypeId")?,
        integer(&fields, "mediatypeId")?,
    ) {
        (Some(_), Some(_)) => {
            return Err(Invalid(
                "send the media type once, as `mediaTypeId` or `mediatypeId`, not both".into(),
            ));
        }
        (Some(code), None) | (None, Some(code)) => Some(media(code)?),
        (None, None) => None,
    };
    Ok(RouteQuery {
        access_code,
        ext_code,
        device_type,
        device_desc,
        media_type,
        paging: paging(&fields)?,
    })
}

/// A `queryAccessCodeList` body as the query it asks for.
pub(crate) fn access_code_query(body: &[u8]) -> Result<AccessCodeQuery, Invalid> {
    let fields = object(body, &ACCESS_CODE_QUERY_FIELDS, &[])?;
    let access_code = string(&fields, "accessCode")?
        .map(|code| {
            AccessCodeFilter::new()
                .access_code(code)
                .map(|_| code.to_owned())
        })
        .transpose()?;
    let media_type = integer(&fields, "mediatypeId")?
        .map(|code| -> Result<MediaType, Invalid> {
            let media = media(code).map_err(|_| access_code_media_refused(code))?;
            match AccessCodeFilter::new().media_type(media) {
                Ok(_) => Ok(media),
                Err(_) => Err(access_code_media_refused(code)),
            }
        })
        .transpose()?;
    let description = string(&fields, "description")?.map(str::to_owned);
    Ok(AccessCodeQuery {
        access_code,
        media_type,
        description,
        paging: paging(&fields)?,
    })
}

fn access_code_media_refused(code: i64) -> Invalid {
    Invalid(format!(
        "invalid mediatypeId: {code} is not an access-code media type; use 2 (click-to-dial), \
         5 (voice and video) or 53 (multimedia)"
    ))
}

/// A `modifyCalledRoute` body as the route's id and the new device.
pub(crate) fn modify(body: &[u8]) -> Result<(RouteId, Device), Invalid> {
    let fields = object(body, &MODIFY_FIELDS, &MODIFY_FIELDS)?;
    let id = required(string(&fields, "id")?, "id")?;
    let device_type = required(integer(&fields, "devicetype")?, "devicetype")?;
    let device_id = required(integer(&fields, "deviceId")?, "deviceId")?;
    let id = id.parse::<RouteId>()?;
    Ok((id, Device::from_wire(device_type, device_id)?))
}

/// A `deleteCalledRoute` body as its dnids, in order.
pub(crate) fn delete(body: &[u8]) -> Result<Vec<u64>, Invalid> {
    let fields = object(body, &DELETE_FIELDS, &DELETE_FIELDS)?;
    let dnids = required(string(&fields, "dnids")?, "dnids")?;
    let refused = || {
        Invalid(
            "invalid dnids: must be 1 to 1000 dnids of 1 to 19 digits, joined with commas \
             (e.g. \"1,2\")"
                .into(),
        )
    };
    types::DeleteCalledRouteRequestDnids::try_from(dnids).map_err(|_| refused())?;
    // 19 digits always fit a u64.
    dnids
        .split(',')
        .map(|dnid| dnid.parse::<u64>().map_err(|_| refused()))
        .collect()
}

/// `limit` (0 to 100, default 100) and `offset` (0 or more, default 0), as
/// the spec's `PageLimit` and `PageOffset` allow.
fn paging(fields: &Map<String, Value>) -> Result<Paging, Invalid> {
    let max = i64::from(MAX_PAGE_SIZE);
    let limit = match integer(fields, "limit")? {
        None => MAX_PAGE_SIZE as usize,
        Some(limit) if (0..=max).contains(&limit) => limit as usize,
        Some(limit) => {
            return Err(Invalid(format!(
                "invalid limit: {limit} is outside 0..={max}"
            )));
        }
    };
    let offset = match integer(fields, "offset")? {
        None => 0,
        Some(offset) if (0..=i64::from(i32::MAX)).contains(&offset) => offset as usize,
        Some(offset) => {
            return Err(Invalid(format!(
                "invalid offset: {offset} is outside 0..={}",
                i32::MAX
            )));
        }
    };
    Ok(Paging { limit, offset })
}

/// A media type code, with the library's message when it is none.
fn media(code: i64) -> Result<MediaType, Invalid> {
    Ok(match i32::try_from(code) {
        Ok(code) => MediaType::try_from(code)?,
        // Beyond i32: the library's "not a media type" message still applies.
        Err(_) => code.to_string().parse::<MediaType>()?,
    })
}

/// A `tokenByAkSk` body as its app key and app secret. No message repeats a
/// value, so the secret never reaches a response or a log.
pub(crate) fn token_request(body: &[u8]) -> Result<(String, SecretString), Invalid> {
    let fields = object(body, &TOKEN_FIELDS, &TOKEN_FIELDS)?;
    let non_empty = |name: &str| match required(string(&fields, name)?, name)? {
        "" => Err(Invalid(format!("`{name}` must not be empty"))),
        value => Ok(value.to_owned()),
    };
    let app_key = non_empty("app_key")?;
    let app_secret = non_empty("app_secret")?;
    Ok((app_key, SecretString::from(app_secret)))
}

/// The body as a JSON object with only `allowed` fields and every
/// `required` one.
fn object(body: &[u8], allowed: &[&str], required: &[&str]) -> Result<Map<String, Value>, Invalid> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| Invalid(format!("the body is not JSON: {e}")))?;
    let Value::Object(fields) = value else {
        return Err(Invalid(format!(
            "the body must be a JSON object, not {}",
            kind(&value)
        )));
    };
    if let Some(unknown) = fields.keys().find(|name| !allowed.contains(&name.as_str())) {
        return Err(Invalid(format!(
            "unknown field `{unknown}`; the fields are {}",
            allowed.join(", ")
        )));
    }
    if let Some(missing) = required.iter().find(|name| !fields.contains_key(**name)) {
        return Err(Invalid(format!("missing required field `{missing}`")));
    }
    Ok(fields)
}

/// A field `object` found present.
fn required<T>(value: Option<T>, name: &str) -> Result<T, Invalid> {
    value.ok_or_else(|| Invalid(format!("missing required field `{name}`")))
}

/// A string field, if present.
fn string<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, Invalid> {
    match fields.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(other) => Err(Invalid(format!(
            "`{name}` must be a string, not {}",
            kind(other)
        ))),
    }
}

/// An integer field, if present.
fn integer(fields: &Map<String, Value>, name: &str) -> Result<Option<i64>, Invalid> {
    match fields.get(name) {
        None => Ok(None),
        Some(Value::Number(number)) => match number.as_i64() {
            Some(value) => Ok(Some(value)),
            None if number.is_u64() => Err(Invalid(format!("`{name}` {number} is out of range"))),
            None => Err(Invalid(format!(
                "`{name}` must be an integer, not {number}"
            ))),
        },
        Some(other) => Err(Invalid(format!(
            "`{name}` must be an integer, not {}",
            kind(other)
        ))),
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
    fn shape_and_types_are_refused_naming_the_field() {
        assert!(refused("[1]").contains("JSON object, not an array"));
        assert!(refused("{").starts_with("the body is not JSON"));
        assert!(
            refused(r#"{"accessCode": 1, "devicetype": 1, "deviceId": 1}"#)
                .contains("`accessCode` must be a string, not a number")
        );
        assert!(
            refused(r#"{"accessCode": "1", "devicetype": "1", "deviceId": 1}"#)
                .contains("`devicetype` must be an integer, not a string")
        );
        assert!(
            refused(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 1.5}"#)
                .contains("`deviceId` must be an integer, not 1.5")
        );
        assert!(
            refused(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 18446744073709551615}"#)
                .contains("`deviceId` 18446744073709551615 is out of range")
        );
        assert!(
            refused(r#"{"accessCode": "1", "extCode": null, "devicetype": 1, "deviceId": 1}"#)
                .contains("`extCode` must be a string, not null")
        );
        assert!(
            refused(r#"{"accessCode": "1", "devicetype": 1}"#)
                .contains("missing required field `deviceId`")
        );
    }

    #[test]
    fn value_rules_come_from_the_library() {
        assert_eq!(
            refused(r#"{"accessCode": "", "devicetype": 1, "deviceId": 1}"#),
            "invalid accessCode: must not be empty"
        );
        assert!(
            refused(r#"{"accessCode": "1", "devicetype": 2, "deviceId": 1}"#)
                .starts_with("invalid devicetype")
        );
        assert!(
            refused(r#"{"accessCode": "1", "devicetype": 1, "deviceId": -1}"#)
                .starts_with("invalid deviceId")
        );
        assert!(
            refused(r#"{"accessCode": "1", "extCode": "", "devicetype": 1, "deviceId": 1}"#)
                .starts_with("invalid extCode")
        );
        assert!(
            refused(r#"{"accessCode": "1", "extCode": "1a", "devicetype": 1, "deviceId": 1}"#)
                .starts_with("invalid extCode")
        );
        assert!(
            refused(r#"{"accessCode": "1", "mediaTypeId": 4, "devicetype": 1, "deviceId": 1}"#)
                .starts_with("invalid mediaTypeId")
        );
        assert!(
            refused(
                r#"{"accessCode": "1", "mediaTypeId": 99999999999, "devicetype": 1, "deviceId": 1}"#
            )
            .starts_with("invalid mediaTypeId")
        );
    }

    #[test]
    fn a_route_query_takes_either_spelling_of_the_media_type_and_pages_by_default() {
        let table = route_query(br#"{"mediaTypeId": 19}"#).unwrap();
        let example = route_query(br#"{"mediatypeId": 19}"#).unwrap();
        assert_eq!(table, example);
        assert_eq!(table.media_type, Some(MediaType::Video));
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
    fn paging_outside_the_spec_is_refused() {
        let refused = |body: &str| route_query(body.as_bytes()).unwrap_err().0;
        assert_eq!(
            refused(r#"{"limit": 101}"#),
            "invalid limit: 101 is outside 0..=100"
        );
        assert_eq!(
            refused(r#"{"limit": -1}"#),
            "invalid limit: -1 is outside 0..=100"
        );
        assert_eq!(
            refused(r#"{"offset": 2147483648}"#),
            "invalid offset: 2147483648 is outside 0..=2147483647"
        );
        assert!(refused(r#"{"limit": 1.5}"#).contains("`limit` must be an integer"));
        let zero = access_code_query(br#"{"limit": 0}"#).unwrap();
        assert_eq!(zero.paging.limit, 0);
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
    fn token_requests_never_quote_their_values() {
        let (key, secret) = token_request(br#"{"app_key": "k", "app_secret": "s3cr3t"}"#).unwrap();
        assert_eq!((key.as_str(), secret.expose_secret()), ("k", "s3cr3t"));
        let refused = token_request(br#"{"app_key": "s3cr3t", "app_secret": ""}"#).unwrap_err();
        assert_eq!(refused.0, "`app_secret` must not be empty");
        let refused = token_request(br#"{"app_key": "k", "app_secret": ["s3cr3t"]}"#).unwrap_err();
        assert_eq!(refused.0, "`app_secret` must be a string, not an array");
    }
}
