//! `compare` on hand-made spec pairs.

use serde_json::json;

use super::*;

/// A small spec shaped like ours: one operation, `$ref`s, an `allOf` wrapper, a header.
fn base() -> Value {
    json!({
        "openapi": "3.0.3",
        "paths": {
            "/calledRoute/createCalledRoute": {
                "post": {
                    "operationId": "createCalledRoute",
                    "parameters": [{
                        "name": "X-Token-Expire",
                        "in": "header",
                        "required": false,
                        "schema": { "type": "integer", "minimum": 1, "maximum": 3600 }
                    }],
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/CreateCalledRouteRequest" }
                        }}
                    },
                    "responses": {
                        "200": { "description": "ok", "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/ReturnResult" }
                        }}},
                        "400": { "$ref": "#/components/responses/BadRequest" }
                    }
                }
            }
        },
        "components": {
            "responses": {
                "BadRequest": { "description": "bad", "content": { "*/*": {
                    "schema": { "type": "string", "format": "binary" }
                }}}
            },
            "schemas": {
                "AccessCode": { "type": "string", "minLength": 1, "maxLength": 32 },
                "DeviceType": { "type": "integer", "format": "int32", "enum": [1, 3] },
                "CreateCalledRouteRequest": {
                    "type": "object",
                    "required": ["accessCode", "devicetype"],
                    "properties": {
                        "accessCode": { "$ref": "#/components/schemas/AccessCode" },
                        "extCode": { "type": "string", "maxLength": 12 },
                        "devicetype": {
                            "description": "device type",
                            "allOf": [{ "$ref": "#/components/schemas/DeviceType" }]
                        }
                    }
                },
                "ReturnResult": {
                    "type": "object",
                    "required": ["returnCode"],
                    "properties": {
                        "returnCode": { "type": "string", "maxLength": 8 },
                        "description": { "type": "string" }
                    }
                }
            }
        }
    })
}

/// `base()` changed by `edit`, then compared with `base()`.
fn after(edit: impl FnOnce(&mut Value)) -> Report {
    let mut new = base();
    edit(&mut new);
    compare(&base(), &new)
}

fn at<'v>(spec: &'v mut Value, pointer: &str) -> &'v mut Value {
    spec.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the test spec"))
}

const REQUEST: &str = "/components/schemas/CreateCalledRouteRequest";
const RESPONSE: &str = "/components/schemas/ReturnResult";

fn lines(changes: impl Iterator<Item = impl ToString>) -> Vec<String> {
    changes.map(|change| change.to_string()).collect()
}

fn breaking(report: &Report) -> Vec<String> {
    lines(report.breaking())
}

fn additive(report: &Report) -> Vec<String> {
    lines(report.additive())
}

#[test]
fn identical_specs_have_no_changes() {
    let report = compare(&base(), &base());
    assert!(report.changes.is_empty(), "{report}");
    assert_eq!(report.to_string(), "no changes to any operation\n");
}

#[test]
fn lowering_a_request_max_length_is_breaking() {
    let report = after(|spec| *at(spec, "/components/schemas/AccessCode/maxLength") = json!(30));
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: request field accessCode: maxLength narrowed 32 → 30"]
    );
    assert!(report.is_breaking());
}

#[test]
fn raising_a_request_max_length_is_additive() {
    let report = after(|spec| *at(spec, "/components/schemas/AccessCode/maxLength") = json!(40));
    assert_eq!(
        additive(&report),
        ["createCalledRoute: request field accessCode: maxLength widened 32 → 40"]
    );
    assert!(!report.is_breaking());
}

#[test]
fn raising_a_request_min_length_is_breaking() {
    let report = after(|spec| *at(spec, "/components/schemas/AccessCode/minLength") = json!(3));
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: request field accessCode: minLength narrowed 1 → 3"]
    );
}

#[test]
fn adding_or_changing_a_request_pattern_is_breaking() {
    let added = after(|spec| {
        at(spec, &format!("{REQUEST}/properties/extCode"))["pattern"] = json!("^[0-9]+$")
    });
    assert_eq!(
        breaking(&added),
        ["createCalledRoute: request field extCode: pattern added `^[0-9]+$`"]
    );

    let mut old = base();
    at(&mut old, &format!("{REQUEST}/properties/extCode"))["pattern"] = json!("^[0-9]+$");
    let mut new = old.clone();
    at(&mut new, &format!("{REQUEST}/properties/extCode"))["pattern"] = json!("^[0-9*#]+$");
    assert_eq!(
        breaking(&compare(&old, &new)),
        ["createCalledRoute: request field extCode: pattern changed `^[0-9]+$` → `^[0-9*#]+$`"]
    );
    assert_eq!(
        additive(&compare(&new, &base())),
        ["createCalledRoute: request field extCode: pattern removed (was `^[0-9*#]+$`)"]
    );
}

#[test]
fn removing_an_enum_value_behind_an_all_of_wrapper_is_breaking() {
    let report = after(|spec| *at(spec, "/components/schemas/DeviceType/enum") = json!([1]));
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: request field devicetype: enum value 3 removed"]
    );
}

#[test]
fn adding_a_request_enum_value_is_additive() {
    let report = after(|spec| *at(spec, "/components/schemas/DeviceType/enum") = json!([1, 3, 5]));
    assert_eq!(
        additive(&report),
        ["createCalledRoute: request field devicetype: enum value 5 added"]
    );
    assert!(!report.is_breaking());
}

#[test]
fn a_new_optional_request_field_is_additive() {
    let report = after(|spec| {
        at(spec, &format!("{REQUEST}/properties"))["mediaTypeId"] = json!({ "type": "integer" });
    });
    assert_eq!(
        additive(&report),
        ["createCalledRoute: new optional request field mediaTypeId"]
    );
    assert!(!report.is_breaking());
}

#[test]
fn a_new_required_request_field_is_breaking() {
    let report = after(|spec| {
        at(spec, &format!("{REQUEST}/properties"))["mediaTypeId"] = json!({ "type": "integer" });
        at(spec, &format!("{REQUEST}/required"))
            .as_array_mut()
            .unwrap()
            .push(json!("mediaTypeId"));
    });
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: new required request field mediaTypeId"]
    );
}

#[test]
fn making_a_request_field_required_is_breaking() {
    let report = after(|spec| {
        at(spec, &format!("{REQUEST}/required"))
            .as_array_mut()
            .unwrap()
            .push(json!("extCode"));
    });
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: request field extCode became required"]
    );
}

#[test]
fn removing_a_request_field_is_breaking() {
    let report = after(|spec| {
        at(spec, &format!("{REQUEST}/properties"))
            .as_object_mut()
            .unwrap()
            .remove("extCode");
    });
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: request field extCode removed"]
    );
}

#[test]
fn changing_a_type_or_format_is_breaking() {
    let report = after(|spec| *at(spec, "/components/schemas/AccessCode/type") = json!("integer"));
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: request field accessCode: type changed string → integer"]
    );

    let report = after(|spec| *at(spec, "/components/schemas/DeviceType/format") = json!("int64"));
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: request field devicetype: format changed int32 → int64"]
    );
}

#[test]
fn removing_an_operation_is_breaking_and_adding_one_is_additive() {
    let mut renamed = base();
    *at(
        &mut renamed,
        "/paths/~1calledRoute~1createCalledRoute/post/operationId",
    ) = json!("createRoute");
    let report = compare(&base(), &renamed);
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: operation removed (was POST /calledRoute/createCalledRoute)"]
    );
    assert_eq!(
        additive(&report),
        ["createRoute: new operation POST /calledRoute/createCalledRoute"]
    );
}

#[test]
fn removing_a_status_code_is_breaking_and_adding_one_is_additive() {
    let report = after(|spec| {
        let responses = at(
            spec,
            "/paths/~1calledRoute~1createCalledRoute/post/responses",
        );
        let bad_request = responses.as_object_mut().unwrap().remove("400").unwrap();
        responses["404"] = bad_request;
    });
    assert_eq!(
        breaking(&report),
        ["createCalledRoute: status 400 no longer documented"]
    );
    assert_eq!(
        additive(&report),
        ["createCalledRoute: new status 404 documented"]
    );
}

#[test]
fn a_response_field_that_is_no_longer_required_or_removed_is_breaking() {
    let optional = after(|spec| *at(spec, &format!("{RESPONSE}/required")) = json!([]));
    assert_eq!(
        breaking(&optional),
        ["createCalledRoute: response field returnCode no longer required"]
    );

    let removed = after(|spec| {
        at(spec, &format!("{RESPONSE}/properties"))
            .as_object_mut()
            .unwrap()
            .remove("description");
    });
    assert_eq!(
        breaking(&removed),
        ["createCalledRoute: response field description removed"]
    );
}

#[test]
fn a_new_response_field_is_additive() {
    let report = after(|spec| {
        at(spec, &format!("{RESPONSE}/properties"))["id"] = json!({ "type": "string" });
    });
    assert_eq!(
        additive(&report),
        ["createCalledRoute: new response field id"]
    );
    assert!(!report.is_breaking());
}

#[test]
fn response_limits_break_when_widened_not_when_narrowed() {
    let widened =
        after(|spec| *at(spec, &format!("{RESPONSE}/properties/returnCode/maxLength")) = json!(16));
    assert_eq!(
        breaking(&widened),
        ["createCalledRoute: response field returnCode: maxLength widened 8 → 16"]
    );

    let narrowed =
        after(|spec| *at(spec, &format!("{RESPONSE}/properties/returnCode/maxLength")) = json!(4));
    assert_eq!(
        additive(&narrowed),
        ["createCalledRoute: response field returnCode: maxLength narrowed 8 → 4"]
    );
    assert!(!narrowed.is_breaking());
}

#[test]
fn header_parameter_changes_are_compared_like_request_fields() {
    let report = after(|spec| {
        let header = at(
            spec,
            "/paths/~1calledRoute~1createCalledRoute/post/parameters/0",
        );
        header["required"] = json!(true);
        header["schema"]["maximum"] = json!(600);
    });
    assert_eq!(
        breaking(&report),
        [
            "createCalledRoute: header X-Token-Expire became required",
            "createCalledRoute: header X-Token-Expire: maximum narrowed 3600 → 600",
        ]
    );
}

#[test]
fn the_report_separates_breaking_from_additive_changes() {
    let report = after(|spec| {
        *at(spec, "/components/schemas/AccessCode/maxLength") = json!(30);
        *at(spec, "/components/schemas/DeviceType/enum") = json!([1, 3, 5]);
    });
    assert_eq!(
        report.to_string(),
        "breaking changes (1):\n  createCalledRoute: request field accessCode: maxLength narrowed 32 → 30\n\
         additive (non-breaking) changes (1):\n  createCalledRoute: request field devicetype: enum value 5 added\n"
    );
}

#[test]
fn the_repository_spec_has_no_changes_against_itself() {
    let path = crate::repo_root().join(crate::SPEC);
    let spec = parse_yaml(&fs::read_to_string(path).expect("the spec is readable"))
        .expect("the spec parses");
    assert!(operations(&spec).contains_key("createCalledRoute"));
    assert!(compare(&spec, &spec).changes.is_empty());
}
