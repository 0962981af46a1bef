//! The OpenAPI spec itself: the conventions every operation follows, and the documented
//! examples checked against the schemas they illustrate.
//!
//! The checks are over every operation, so an operation added to the spec is held to
//! them without touching this file. `cargo xtask spec-check` runs this file after
//! Spectral and openapi-spec-validator.

use crate::common;

use common::openapi::{self, DOCUMENTED_STATUSES, Operation};
use common::paths;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A documented example and the schema it illustrates.
struct Example {
    place: String,
    schema: Value,
    value: Value,
}

/// The examples of an OpenAPI object that has `example` or `examples` (media types,
/// parameters), each with the object's schema.
fn examples_of(place: &str, node: &Value, schema: &Value) -> Vec<Example> {
    let mut examples = Vec::new();
    if let Some(value) = node.get("example") {
        examples.push(Example {
            place: place.to_owned(),
            schema: schema.clone(),
            value: value.clone(),
        });
    }
    for (name, example) in node["examples"].as_object().into_iter().flatten() {
        let example = openapi::resolve(&openapi::spec(), example);
        if let Some(value) = example.get("value") {
            examples.push(Example {
                place: format!("{place} example `{name}`"),
                schema: schema.clone(),
                value: value.clone(),
            });
        }
    }
    examples
}

/// The examples of the JSON content of a request body or response.
fn content_examples(place: &str, item: &Value) -> Vec<Example> {
    item["content"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(media_type, _)| media_type.contains("json"))
        .flat_map(|(media_type, media)| {
            examples_of(&format!("{place} ({media_type})"), media, &media["schema"])
        })
        .collect()
}

fn request_examples(operation: &Operation) -> Vec<Example> {
    operation
        .request_body()
        .map(|body| content_examples(&format!("{} request body", operation.id), &body))
        .unwrap_or_default()
}

fn response_examples(operation: &Operation, status: &str) -> Vec<Example> {
    operation
        .responses()
        .into_iter()
        .filter(|(code, _)| code == status)
        .flat_map(|(code, response)| {
            content_examples(&format!("{} response {code}", operation.id), &response)
        })
        .collect()
}

fn parameter_examples(operation: &Operation) -> Vec<Example> {
    operation
        .parameters()
        .iter()
        .flat_map(|parameter| {
            let location = parameter["in"].as_str().unwrap_or("?");
            let name = parameter["name"].as_str().unwrap_or("?");
            let place = format!("{} {location} parameter {name}", operation.id);
            examples_of(&place, parameter, &parameter["schema"])
        })
        .collect()
}

/// Every `example` written on a schema, anywhere in the spec.
fn schema_examples() -> Vec<Example> {
    let mut examples = Vec::new();
    openapi::visit_schemas(&mut |place, schema| {
        if let Some(value) = schema.get("example") {
            examples.push(Example {
                place: place.to_owned(),
                schema: schema.clone(),
                value: value.clone(),
            });
        }
    });
    examples
}

/// Panics with every example that does not validate, and what is wrong with it.
fn assert_all_valid(kind: &str, examples: &[Example]) {
    assert!(!examples.is_empty(), "the spec has no {kind} to check");
    let failures: String = examples
        .iter()
        .filter_map(|example| {
            let errors = openapi::errors(&openapi::validator_for(&example.schema), &example.value);
            (!errors.is_empty()).then(|| format!("{}: {}\n{errors}", example.place, example.value))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{kind} that do not match their schemas:\n{failures}"
    );
}

/// Panics with every example object field that its schema does not declare; a typo in
/// a field name would otherwise slip through schemas that allow unknown fields.
fn assert_declared_fields_only(
    place: &str,
    schema: &Value,
    value: &Value,
    failures: &mut Vec<String>,
) {
    match value {
        Value::Object(map) => {
            let Some(fields) = openapi::declared_fields(schema) else {
                return;
            };
            for (name, inner) in map {
                match fields.iter().find(|(field, _)| field == name) {
                    Some((_, field_schema)) => assert_declared_fields_only(
                        &format!("{place}.{name}"),
                        field_schema,
                        inner,
                        failures,
                    ),
                    None => {
                        failures.push(format!("{place}: `{name}` is not a field of the schema"))
                    }
                }
            }
        }
        Value::Array(items) => {
            let schema = openapi::resolve(&openapi::spec(), schema);
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    assert_declared_fields_only(
                        &format!("{place}[{i}]"),
                        item_schema,
                        item,
                        failures,
                    );
                }
            }
        }
        _ => {}
    }
}

fn is_camel_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

#[test]
fn spec_parses_as_openapi_3_0() {
    let spec = openapi::spec();
    let version = spec["openapi"]
        .as_str()
        .expect("`openapi` is a version string");
    assert!(
        version
            .strip_prefix("3.0.")
            .is_some_and(|patch| patch.parse::<u32>().is_ok()),
        "progenitor reads OpenAPI 3.0.x, the spec says {version}"
    );
    assert!(spec["info"]["title"].is_string() && spec["info"]["version"].is_string());
    assert!(
        !openapi::operations().is_empty(),
        "the spec has no operations"
    );
}

#[test]
fn every_operation_has_a_unique_camel_case_operation_id() {
    let mut seen = Vec::new();
    for operation in openapi::operations() {
        let id = operation.node["operationId"].as_str();
        let id = id.unwrap_or_else(|| {
            panic!("{} {} has no operationId", operation.method, operation.path)
        });
        assert!(
            is_camel_case(id),
            "operationId `{id}` is not camelCase (progenitor names methods after it)"
        );
        assert!(
            !seen.contains(&id.to_owned()),
            "operationId `{id}` is used twice"
        );
        seen.push(id.to_owned());
    }
}

/// The spec defines the documented operations, each at its documented path
/// with `POST` (`common::paths`, which the contract tests use).
#[test]
fn every_operation_is_at_its_documented_path() {
    let in_spec: BTreeSet<(String, String, String)> = openapi::operations()
        .into_iter()
        .map(|operation| (operation.id, operation.method, operation.path))
        .collect();
    let documented: BTreeSet<(String, String, String)> = paths::OPERATIONS
        .iter()
        .map(|(id, path)| ((*id).to_owned(), "post".to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(in_spec, documented);
}

#[test]
fn every_operation_has_a_summary() {
    for operation in openapi::operations() {
        let summary = operation.node["summary"].as_str().unwrap_or_default();
        assert!(
            !summary.trim().is_empty(),
            "{} has no summary",
            operation.id
        );
    }
}

#[test]
fn every_operation_documents_the_standard_statuses() {
    for operation in openapi::operations() {
        let documented: Vec<String> = operation
            .responses()
            .into_iter()
            .map(|(status, _)| status)
            .collect();
        for status in DOCUMENTED_STATUSES {
            assert!(
                documented.iter().any(|s| s == status),
                "{} does not document status {status}",
                operation.id
            );
        }
    }
}

#[test]
fn every_operation_has_a_request_example() {
    for operation in openapi::operations() {
        if operation.request_body().is_some() {
            assert!(
                !request_examples(&operation).is_empty(),
                "{} has no request body example",
                operation.id
            );
        } else {
            // Without a body, the request is its parameters: each needs an example.
            for parameter in operation.parameters() {
                assert!(
                    !examples_of("", &parameter, &parameter["schema"]).is_empty(),
                    "{} parameter {} has no example",
                    operation.id,
                    parameter["name"]
                );
            }
        }
    }
}

#[test]
fn every_operation_has_a_200_response_example() {
    for operation in openapi::operations() {
        assert!(
            !response_examples(&operation, "200").is_empty(),
            "{} has no 200 response example",
            operation.id
        );
    }
}

#[test]
fn request_examples_match_their_schemas() {
    let examples: Vec<Example> = openapi::operations()
        .iter()
        .flat_map(request_examples)
        .collect();
    assert_all_valid("request examples", &examples);
}

#[test]
fn response_examples_match_their_schemas() {
    let examples: Vec<Example> = openapi::operations()
        .iter()
        .flat_map(|operation| {
            let statuses = operation.responses().into_iter().map(|(status, _)| status);
            statuses
                .flat_map(|status| response_examples(operation, &status))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_all_valid("response examples", &examples);
}

#[test]
fn parameter_examples_match_their_schemas() {
    // Headers (`X-Token-Expire`) and any other parameter.
    let examples: Vec<Example> = openapi::operations()
        .iter()
        .flat_map(parameter_examples)
        .collect();
    assert_all_valid("parameter examples", &examples);
}

#[test]
fn schema_examples_match_their_schemas() {
    assert_all_valid("schema examples", &schema_examples());
}

#[test]
fn examples_use_only_declared_field_names() {
    let mut examples = schema_examples();
    for operation in openapi::operations() {
        examples.extend(request_examples(&operation));
        for (status, _) in operation.responses() {
            examples.extend(response_examples(&operation, &status));
        }
    }
    let mut failures = Vec::new();
    for example in &examples {
        assert_declared_fields_only(
            &example.place,
            &example.schema,
            &example.value,
            &mut failures,
        );
    }
    assert!(
        failures.is_empty(),
        "examples with undeclared fields:\n{}",
        failures.join("\n")
    );
}

#[test]
fn validators_reject_what_the_schemas_forbid() {
    // The validators are built by converting the OpenAPI dialect; check that the
    // conversion keeps limits, enums, required fields, closed objects and `$ref`s.
    let route = openapi::validator("CreateCalledRouteRequest");
    let valid = json!({ "accessCode": "9911411", "devicetype": 1, "deviceId": 1 });
    assert!(
        route.is_valid(&valid),
        "{}",
        openapi::errors(&route, &valid)
    );
    let invalid = [
        json!({ "accessCode": "1".repeat(33), "devicetype": 1, "deviceId": 1 }),
        json!({ "accessCode": "", "devicetype": 1, "deviceId": 1 }),
        json!({ "accessCode": "9911411", "devicetype": 2, "deviceId": 1 }),
        json!({ "accessCode": "9911411", "devicetype": 1, "deviceId": -1 }),
        json!({ "accessCode": "9911411", "devicetype": 1, "deviceId": 2_147_483_648_i64 }),
        json!({ "accessCode": "9911411", "devicetype": 1, "deviceId": 1, "extCode": "1a" }),
        json!({ "accessCode": "9911411", "devicetype": 1 }),
        json!({ "accessCode": "9911411", "deviceType": 1, "devicetype": 1, "deviceId": 1 }),
    ];
    for instance in invalid {
        assert!(
            !route.is_valid(&instance),
            "CreateCalledRouteRequest accepted {instance}"
        );
    }

    let skills = openapi::validator("QuerySkillsRequest");
    let valid = [
        json!({}),
        json!({ "limit": "10", "offset": 0 }),
        json!({ "limit": "10", "offset": "0" }),
        json!({ "limit": 10, "offset": -1 }),
        json!({ "limit": "101" }),
        json!({ "mediaTypeId": "19", "skillIds": ["1", "2147483647"] }),
        json!({ "skillIds": [] }),
        json!({ "name": "defaultVideoSkill" }),
        json!({ "name": "九".repeat(100) }),
        json!({ "name": "" }),
    ];
    for instance in valid {
        assert!(
            skills.is_valid(&instance),
            "QuerySkillsRequest refused {instance}: {}",
            openapi::errors(&skills, &instance)
        );
    }
    let invalid = [
        json!({ "limit": "0" }),
        json!({ "limit": 0 }),
        json!({ "limit": "-1" }),
        json!({ "limit": "ten" }),
        json!({ "limit": 2_147_483_648_i64 }),
        json!({ "offset": "1.5" }),
        json!({ "offset": 2_147_483_648_i64 }),
        json!({ "mediaTypeId": 19 }),
        json!({ "mediaTypeId": "4" }),
        json!({ "skillIds": [1] }),
        json!({ "skillIds": ["a"] }),
        json!({ "skillIds": "1" }),
        json!({ "name": "九".repeat(101) }),
        json!({ "name": "default skill" }),
        json!({ "name": "sales,support" }),
        json!({ "name": "sales，support" }),
        json!({ "name": "a\tb" }),
        json!({ "mediatypeId": "19" }),
        json!({ "pageSize": "10" }),
    ];
    for instance in invalid {
        assert!(
            !skills.is_valid(&instance),
            "QuerySkillsRequest accepted {instance}"
        );
    }

    let flows = openapi::validator("QueryIvrFlowListRequest");
    assert!(flows.is_valid(&json!({})));
    for instance in [
        json!({ "pageNum": 1, "pageSize": 10 }),
        json!([]),
        json!(null),
    ] {
        assert!(
            !flows.is_valid(&instance),
            "QueryIvrFlowListRequest accepted {instance}"
        );
    }

    let expire = openapi::validator_for(&openapi::header_param_schema(
        "tokenByAkSk",
        "x-token-expire",
    ));
    assert!(expire.is_valid(&json!(600)));
    assert!(!expire.is_valid(&json!(3601)) && !expire.is_valid(&json!(0)));
}

#[test]
fn nullable_schemas_accept_null_and_others_do_not() {
    let nullable =
        openapi::validator_for(&json!({ "type": "string", "nullable": true, "maxLength": 2 }));
    assert!(nullable.is_valid(&json!(null)) && nullable.is_valid(&json!("ab")));
    assert!(!nullable.is_valid(&json!("abc")));
    let plain = openapi::validator_for(&json!({ "type": "string" }));
    assert!(!plain.is_valid(&json!(null)));
}

#[test]
fn security_schemes_are_bearer_auth_and_an_x_app_key_header() {
    let spec = openapi::spec();
    let schemes = spec["components"]["securitySchemes"]
        .as_object()
        .expect("the spec has securitySchemes");
    assert!(
        schemes.values().any(|s| s["type"] == "http"
            && s["scheme"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case("bearer"))),
        "no bearer scheme (`type: http`, `scheme: bearer`) in {schemes:?}"
    );
    assert!(
        schemes
            .values()
            .any(|s| s["type"] == "apiKey" && s["in"] == "header" && s["name"] == "X-APP-Key"),
        "no apiKey header scheme named X-APP-Key in {schemes:?}"
    );
}

#[test]
fn no_operation_takes_authentication_headers_as_parameters() {
    // Authentication is added by the client's hooks from the security schemes; a
    // parameter would make every caller pass it by hand.
    for operation in openapi::operations() {
        for parameter in operation.parameters() {
            let name = parameter["name"].as_str().unwrap_or_default();
            assert!(
                !(parameter["in"] == "header"
                    && ["authorization", "x-app-key"]
                        .contains(&name.to_ascii_lowercase().as_str())),
                "{} declares `{name}` as a header parameter; use its security scheme instead",
                operation.id
            );
        }
    }
}

#[test]
fn no_schema_has_a_default() {
    // progenitor fills a default in and always sends it, so the server would never see
    // a field left out; the spec says in prose what the server does when one is missing.
    let mut defaults = Vec::new();
    openapi::visit_schemas(&mut |place, schema| {
        if let Some(default) = schema.get("default") {
            defaults.push(format!("{place}: default {default}"));
        }
    });
    assert!(
        defaults.is_empty(),
        "schemas with a `default`:\n{}",
        defaults.join("\n")
    );
}

#[test]
fn field_names_are_spelled_as_on_the_wire() {
    // Exactly as the documentation spells them, odd casing included (`devicetype`).
    let expected = [
        (
            "CreateCalledRouteRequest",
            &[
                "accessCode",
                "extCode",
                "mediaTypeId",
                "devicetype",
                "deviceId",
            ][..],
        ),
        ("ReturnResult", &["returnCode", "description"][..]),
        (
            "QuerySkillsRequest",
            &["name", "mediaTypeId", "limit", "offset", "skillIds"][..],
        ),
        (
            "QuerySkillsResponse",
            &["returnCode", "description", "total", "data"][..],
        ),
        (
            "SkillQueue",
            &[
                "skillId",
                "name",
                "description",
                "mediaTypeId",
                "maxAgentWrapupTime",
                "maxWaitTime",
                "maxWaitNum",
                "skillParam",
            ][..],
        ),
        (
            "SkillParam",
            &["noAgents", "busy", "timeOut", "answerFunction", "waitVoice"][..],
        ),
        (
            "SkillTransferPolicy",
            &["transferType", "deviceType", "value"][..],
        ),
        ("QueryIvrFlowListRequest", &[][..]),
        (
            "QueryIvrFlowListResponse",
            &["retCode", "message", "result"][..],
        ),
        (
            "IvrFlow",
            &[
                "id",
                "accessCode",
                "description",
                "flowFileName",
                "flowType",
                "isLoad",
                "maxCallNum",
            ][..],
        ),
        ("TokenRequest", &["app_key", "app_secret"][..]),
        (
            "TokenResponse",
            &[
                "AccessToken",
                "ApplyType",
                "CreateTime",
                "Expires",
                "Scope",
                "AppKey",
                "UserID",
            ][..],
        ),
    ];
    let spec = openapi::spec();
    for (component, fields) in expected {
        let properties = spec["components"]["schemas"][component]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{component} has no properties"));
        let mut actual: Vec<&str> = properties.keys().map(String::as_str).collect();
        let mut fields = fields.to_vec();
        actual.sort_unstable();
        fields.sort_unstable();
        assert_eq!(actual, fields, "the fields of {component}");
    }
    let header = openapi::operation("tokenByAkSk")
        .parameters()
        .into_iter()
        .find(|p| p["in"] == "header")
        .expect("tokenByAkSk has a header parameter");
    assert_eq!(header["name"], "X-Token-Expire");
}

#[test]
fn the_generated_lookup_requests_send_only_what_is_set_and_numbers_as_strings() {
    // progenitor turns a `default:` into a field that is always sent, and a
    // schema's type into the type the client sends: the two lookups send
    // nothing unasked for, and the paging and filters as the request table
    // types them (strings).
    use cec_routes::generated::types::{
        QueryIvrFlowListRequest, QuerySkillsRequest, SkillIdText, SkillMediaTypeFilter,
        SkillPageLimit, SkillPageLimitText, SkillPageOffset, SkillPageOffsetText,
    };

    let empty = serde_json::to_value(QuerySkillsRequest::default()).expect("serializes");
    assert_eq!(empty, json!({}));
    assert_eq!(
        serde_json::to_value(QueryIvrFlowListRequest::default()).expect("serializes"),
        json!({})
    );

    let request = QuerySkillsRequest {
        limit: Some(SkillPageLimit::Text(
            SkillPageLimitText::try_from("10").expect("a valid limit"),
        )),
        offset: Some(SkillPageOffset::Text(
            SkillPageOffsetText::try_from("0").expect("a valid offset"),
        )),
        media_type_id: Some(SkillMediaTypeFilter::X19),
        skill_ids: vec![SkillIdText::try_from("1").expect("a valid id")],
        name: None,
    };
    assert_eq!(
        serde_json::to_value(&request).expect("serializes"),
        json!({ "limit": "10", "offset": "0", "mediaTypeId": "19", "skillIds": ["1"] })
    );

    // The documented example, verbatim (`offset` a number), is a value of the type.
    let documented: QuerySkillsRequest =
        serde_json::from_value(json!({ "limit": "10", "offset": 0 })).expect("deserializes");
    assert!(matches!(
        documented.offset,
        Some(SkillPageOffset::Number(_))
    ));
    assert_eq!(
        serde_json::to_value(&documented).expect("serializes"),
        json!({ "limit": "10", "offset": 0 })
    );
}

#[test]
fn the_generated_lookup_responses_read_the_documented_examples() {
    use cec_routes::generated::types::{QueryIvrFlowListResponse, QuerySkillsResponse};

    for (operation, check) in [
        (
            "querySkills",
            (|value: Value| {
                let response: QuerySkillsResponse =
                    serde_json::from_value(value.clone()).expect("the example deserializes");
                assert_eq!(serde_json::to_value(response).expect("serializes"), value);
            }) as fn(Value),
        ),
        ("queryIVRFlowList", |value: Value| {
            let response: QueryIvrFlowListResponse =
                serde_json::from_value(value.clone()).expect("the example deserializes");
            assert_eq!(serde_json::to_value(response).expect("serializes"), value);
        }),
    ] {
        let examples = response_examples(&openapi::operation(operation), "200");
        assert!(!examples.is_empty(), "{operation} has a 200 example");
        for example in examples {
            check(example.value);
        }
    }
}
