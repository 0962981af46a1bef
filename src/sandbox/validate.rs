//! Request bodies, checked as the spec says: JSON shape and types here, the
//! value rules by the library's own [`CalledRoute`], [`Device`] and
//! [`MediaType`], so the client and the sandbox cannot disagree.

use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::{CalledRoute, Device, Error, MediaType};

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

/// A `createCalledRoute` body as the route it asks for.
pub(crate) fn called_route(body: &[u8]) -> Result<CalledRoute, Invalid> {
    let fields = object(body, &ROUTE_FIELDS, &ROUTE_REQUIRED)?;
    let access_code = required(string(&fields, "accessCode")?, "accessCode")?;
    let ext_code = string(&fields, "extCode")?;
    let media_type = integer(&fields, "mediaTypeId")?;
    let device_type = required(integer(&fields, "devicetype")?, "devicetype")?;
    let device_id = required(integer(&fields, "deviceId")?, "deviceId")?;

    let mut route = CalledRoute::new(access_code, Device::from_wire(device_type, device_id)?)?;
    if let Some(ext_code) = ext_code {
        route = route.with_ext_code(ext_code)?;
    }
    if let Some(code) = media_type {
        let media_type = match i32::try_from(code) {
            Ok(code) => MediaType::try_from(code)?,
            // Beyond i32: the library's "not a media type" message still applies.
            Err(_) => code.to_string().parse::<MediaType>()?,
        };
        route = route.with_media_type(media_type)?;
    }
    Ok(route)
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
        let route = called_route(body.as_bytes()).unwrap();
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
    fn token_requests_never_quote_their_values() {
        let (key, secret) = token_request(br#"{"app_key": "k", "app_secret": "s3cr3t"}"#).unwrap();
        assert_eq!((key.as_str(), secret.expose_secret()), ("k", "s3cr3t"));
        let refused = token_request(br#"{"app_key": "s3cr3t", "app_secret": ""}"#).unwrap_err();
        assert_eq!(refused.0, "`app_secret` must not be empty");
        let refused = token_request(br#"{"app_key": "k", "app_secret": ["s3cr3t"]}"#).unwrap_err();
        assert_eq!(refused.0, "`app_secret` must be a string, not an array");
    }
}
