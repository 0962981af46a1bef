//! The bodies of the listings: items with `null` for each field they leave
//! out, as the documented examples send them, and a route page written from
//! items serialized once per route (the state keeps them) rather than
//! rebuilt as a JSON tree on every request. A leaf: the handlers and the
//! state both build on it.

use cec_routes::generated::types;
use serde_json::Value;

/// The fields of a listed route that are sent as `null` when they have no
/// value, as in the documented example (the generated type leaves them out).
pub(crate) const ROUTE_NULLS: [&str; 9] = [
    "id",
    "dnid",
    "accessCode",
    "mediatypeId",
    "extCode",
    "devicetype",
    "deviceId",
    "deviceDesc",
    "editable",
];

/// The same for a listed access code.
pub(crate) const ACCESS_CODE_NULLS: [&str; 6] = [
    "id",
    "accessCode",
    "mediatypeId",
    "n400Number",
    "description",
    "numCallAttr",
];

/// A listing response as JSON, with `null` for each of `fields` an item of
/// `data.calledRouteList` leaves out: the documented examples send `null`
/// (`"mediatypeId": null`, `"n400Number": null`), while the generated types
/// skip a field without a value.
pub(crate) fn with_nulls(response: impl serde::Serialize, fields: &[&str]) -> Value {
    let mut json = serde_json::to_value(response).expect("a generated type always serializes");
    if let Some(items) = json
        .pointer_mut("/data/calledRouteList")
        .and_then(Value::as_array_mut)
    {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            add_nulls(item, fields);
        }
    }
    json
}

fn add_nulls(item: &mut serde_json::Map<String, Value>, fields: &[&str]) {
    for field in fields {
        item.entry(*field).or_insert(Value::Null);
    }
}

/// One listed route as the text of a `calledRouteList` item: exactly what
/// [`with_nulls`] makes of it inside a page.
pub(crate) fn route_item_json(route: &types::CalledRouteInfo) -> String {
    let mut json = serde_json::to_value(route).expect("a generated type always serializes");
    if let Some(item) = json.as_object_mut() {
        add_nulls(item, &ROUTE_NULLS);
    }
    json.to_string()
}

/// A queryCalledRoute success, written from its items' text: the bytes
/// [`with_nulls`] gives for the same page (`data`, `description`,
/// `returnCode`, keys in the order a JSON object map keeps them).
pub(crate) fn route_page_body<S: AsRef<str>>(
    total: usize,
    items: &[S],
    description: &str,
) -> String {
    let length: usize = items.iter().map(|item| item.as_ref().len() + 1).sum();
    let mut body = String::with_capacity(length + 96 + description.len());
    body.push_str(r#"{"data":{"calledRouteList":["#);
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            body.push(',');
        }
        body.push_str(item.as_ref());
    }
    body.push_str(r#"],"total":"#);
    body.push_str(&total.to_string());
    body.push_str(r#"},"description":"#);
    body.push_str(&Value::from(description).to_string());
    body.push_str(r#","returnCode":"0"}"#);
    body
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn route() -> impl Strategy<Value = types::CalledRouteInfo> {
        (
            prop::option::of("[0-9]{1,19}"),
            prop::option::of(0i64..1 << 40),
            prop::option::of("[0-9]{1,24}"),
            prop::option::of(".{0,12}"),
            prop::option::of(1i64..=5),
            prop::option::of(0i64..1 << 31),
            prop::option::of(".{0,12}"),
            prop::option::of(prop::sample::select(vec![2i64, 5, 18, 19, 53])),
            prop::option::of("[0-9]"),
        )
            .prop_map(
                |(
                    id,
                    dnid,
                    access_code,
                    ext_code,
                    devicetype,
                    device_id,
                    desc,
                    media,
                    editable,
                )| {
                    types::CalledRouteInfo {
                        id,
                        dnid,
                        access_code,
                        ext_code,
                        devicetype,
                        device_id,
                        device_desc: desc,
                        mediatype_id: media,
                        editable,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn a_page_written_from_its_items_is_the_page_the_generated_types_give(
            routes in prop::collection::vec(route(), 0..5),
            total in 0usize..1_000_000,
            description in ".{0,20}",
        ) {
            let response = types::QueryCalledRouteResponse {
                return_code: Some("0".to_owned()),
                description: Some(description.clone()),
                data: Some(types::CalledRoutePage(Some(types::CalledRoutePageInner {
                    total: Some(total as i64),
                    called_route_list: Some(routes.clone()),
                }))),
            };
            let expected = with_nulls(response, &ROUTE_NULLS).to_string();
            let items: Vec<String> = routes.iter().map(route_item_json).collect();
            prop_assert_eq!(route_page_body(total, &items, &description), expected);
        }
    }

    #[test]
    fn a_listed_route_without_a_value_sends_null_for_it() {
        let item = route_item_json(&types::CalledRouteInfo {
            id: Some("1".into()),
            ..types::CalledRouteInfo::default()
        });
        let item: Value = serde_json::from_str(&item).unwrap();
        assert_eq!(item["id"], "1");
        for field in ROUTE_NULLS.iter().filter(|f| **f != "id") {
            assert_eq!(item[*field], Value::Null, "{field}");
        }
    }
}
