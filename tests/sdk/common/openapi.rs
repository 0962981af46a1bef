//! The OpenAPI spec as JSON, its operations and schemas, and JSON Schema validators for
//! them.
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4/5 (boolean
//! `exclusiveMinimum`, no `null` type): [`json_schema`] turns one into plain draft 4 —
//! `nullable: true` becomes "or null", `$ref`s into `#/components/schemas` point at a
//! `definitions` copy of those schemas, `format: int32`/`int64` become range checks
//! (progenitor generates `i32`/`i64` for them), and documentation-only keywords
//! (`example`, `readOnly`, …) are dropped.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

/// The spec, relative to the repository root.
pub const SPEC_PATH: &str = "openapi/cec-number-management.yaml";

/// The status codes every operation documents.
pub const DOCUMENTED_STATUSES: [&str; 6] = ["200", "400", "401", "403", "404", "500"];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The parsed spec.
pub fn spec() -> Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SPEC_PATH);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        // Through YAML's own value type, so that a key such as an unquoted `200:` becomes
        // a string instead of failing.
        let yaml: serde_norway::Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{SPEC_PATH} is not valid YAML: {e}"));
        serde_json::to_value(yaml).expect("YAML values convert to JSON")
    })
    .clone()
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Lower-case HTTP method.
    pub method: String,
    pub path: String,
    /// The `operationId`, or `METHOD path` when it has none.
    pub id: String,
    /// The operation object, with the path item's parameters merged into `parameters`.
    pub node: Value,
}

impl Operation {
    /// The parameters (resolved), path-level ones included.
    pub fn parameters(&self) -> Vec<Value> {
        let spec = spec();
        self.node["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|parameter| resolve(&spec, parameter))
            .collect()
    }

    /// The request body (resolved), if the operation has one.
    pub fn request_body(&self) -> Option<Value> {
        self.node
            .get("requestBody")
            .map(|body| resolve(&spec(), body))
    }

    /// The responses (each resolved) by status.
    pub fn responses(&self) -> Vec<(String, Value)> {
        let spec = spec();
        self.node["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(status, response)| (status.clone(), resolve(&spec, response)))
            .collect()
    }
}

/// Every operation of the spec, in document order.
pub fn operations() -> Vec<Operation> {
    let spec = spec();
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("the spec has `paths`") {
        for method in METHODS {
            let Some(node) = item.get(method) else {
                continue;
            };
            let mut node = node.clone();
            // Path-level parameters apply unless the operation redefines them.
            let mut parameters = item["parameters"].as_array().cloned().unwrap_or_default();
            parameters.extend(node["parameters"].as_array().cloned().unwrap_or_default());
            node["parameters"] = Value::Array(parameters);
            let id = match node["operationId"].as_str() {
                Some(id) => id.to_owned(),
                None => format!("{} {path}", method.to_uppercase()),
            };
            operations.push(Operation {
                method: method.to_owned(),
                path: path.clone(),
                id,
                node,
            });
        }
    }
    operations
}

/// The operation with this `operationId`.
pub fn operation(operation_id: &str) -> Operation {
    operations()
        .into_iter()
        .find(|operation| operation.id == operation_id)
        .unwrap_or_else(|| panic!("the spec has no operation `{operation_id}`"))
}

/// The schema of a header parameter of an operation (header names are case-insensitive).
pub fn header_param_schema(operation_id: &str, header_name: &str) -> Value {
    operation(operation_id)
        .parameters()
        .into_iter()
        .find(|p| {
            p["in"] == "header"
                && p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(header_name))
        })
        .and_then(|p| p.get("schema").cloned())
        .unwrap_or_else(|| {
            panic!("{operation_id} has no header parameter {header_name} with a schema")
        })
}

/// Follows `$ref`s to objects in the spec (`#/components/…`).
pub fn resolve(spec: &Value, node: &Value) -> Value {
    let mut node = node.clone();
    for _ in 0..32 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| {
            panic!("only references inside the spec are supported, not {reference}")
        });
        node = spec
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{reference} points at nothing in the spec"))
            .clone();
    }
    node
}

/// A validator for `#/components/schemas/<component>`.
pub fn validator(component: &str) -> jsonschema::Validator {
    assert!(
        spec()["components"]["schemas"].get(component).is_some(),
        "the spec has no schema `{component}`"
    );
    validator_for(&json!({ "$ref": format!("#/components/schemas/{component}") }))
}

/// A validator for any schema of the spec (inline or a `$ref`).
pub fn validator_for(schema: &Value) -> jsonschema::Validator {
    let spec = spec();
    let definitions: Map<String, Value> = spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| (name.clone(), json_schema(schema)))
        .collect();
    let document = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "allOf": [json_schema(schema)],
        "definitions": definitions,
    });
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&document)
        .unwrap_or_else(|e| panic!("the schema {schema} does not compile as JSON Schema: {e}"))
}

/// Every validation error of `instance`, one per line, empty when it is valid.
pub fn errors(validator: &jsonschema::Validator, instance: &Value) -> String {
    validator
        .iter_errors(instance)
        .map(|error| format!("  at `{}`: {error}\n", error.instance_path()))
        .collect()
}

/// The keywords whose value is one schema.
const SCHEMA_KEYWORDS: [&str; 3] = ["items", "not", "additionalProperties"];
/// The keywords whose value is a list of schemas.
const SCHEMA_LIST_KEYWORDS: [&str; 3] = ["allOf", "anyOf", "oneOf"];
/// Keywords with no meaning for validation.
const ANNOTATIONS: [&str; 7] = [
    "example",
    "readOnly",
    "writeOnly",
    "deprecated",
    "xml",
    "externalDocs",
    "discriminator",
];

/// An OpenAPI 3.0 schema as a JSON Schema draft 4 schema.
pub fn json_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        // `additionalProperties: false` and the like.
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "$ref" => {
                let reference = value.as_str().expect("`$ref` is a string");
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| {
                        panic!("schemas may only refer to #/components/schemas/…, not {reference}")
                    });
                json!(format!("#/definitions/{name}"))
            }
            "properties" => Value::Object(
                value
                    .as_object()
                    .expect("`properties` is a map")
                    .iter()
                    .map(|(name, property)| (name.clone(), json_schema(property)))
                    .collect(),
            ),
            key if SCHEMA_KEYWORDS.contains(&key) => json_schema(value),
            key if SCHEMA_LIST_KEYWORDS.contains(&key) => Value::Array(
                value
                    .as_array()
                    .expect("a list of schemas")
                    .iter()
                    .map(json_schema)
                    .collect(),
            ),
            key if ANNOTATIONS.contains(&key) || key == "nullable" || key.starts_with("x-") => {
                continue;
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }

    let integer_range = match (
        map.get("type").and_then(Value::as_str),
        map.get("format").and_then(Value::as_str),
    ) {
        (Some("integer"), Some("int32")) => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        (Some("integer"), Some("int64")) => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    let mut schema = Value::Object(out);
    if let Some((min, max)) = integer_range {
        schema = json!({ "allOf": [schema, { "minimum": min, "maximum": max }] });
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        schema = json!({ "anyOf": [schema, { "type": "null" }] });
    }
    schema
}

/// Calls `visit(where, schema)` for every schema in the spec: component schemas, the
/// schemas of parameters, request bodies and responses, and every schema nested in
/// those (properties, items, compositions). `$ref`s are not followed, so each schema is
/// visited once, where it is written.
pub fn visit_schemas(visit: &mut dyn FnMut(&str, &Value)) {
    let spec = spec();
    for (name, schema) in spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        walk(&format!("components.schemas.{name}"), schema, visit);
    }
    for section in ["parameters", "headers"] {
        for (name, item) in spec["components"][section]
            .as_object()
            .into_iter()
            .flatten()
        {
            if let Some(schema) = item.get("schema") {
                walk(&format!("components.{section}.{name}"), schema, visit);
            }
        }
    }
    for section in ["requestBodies", "responses"] {
        for (name, item) in spec["components"][section]
            .as_object()
            .into_iter()
            .flatten()
        {
            walk_content(&format!("components.{section}.{name}"), item, visit);
        }
    }
    for operation in operations() {
        for parameter in operation.node["parameters"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(schema) = parameter.get("schema") {
                let name = parameter["name"].as_str().unwrap_or("?");
                walk(&format!("{} parameter {name}", operation.id), schema, visit);
            }
        }
        if let Some(body) = operation.node.get("requestBody") {
            walk_content(&format!("{} request", operation.id), body, visit);
        }
        for (status, response) in operation.node["responses"]
            .as_object()
            .into_iter()
            .flatten()
        {
            walk_content(
                &format!("{} response {status}", operation.id),
                response,
                visit,
            );
        }
    }
}

fn walk_content(place: &str, item: &Value, visit: &mut dyn FnMut(&str, &Value)) {
    for (media_type, media) in item["content"].as_object().into_iter().flatten() {
        if let Some(schema) = media.get("schema") {
            walk(&format!("{place} {media_type}"), schema, visit);
        }
    }
}

fn walk(place: &str, schema: &Value, visit: &mut dyn FnMut(&str, &Value)) {
    if !schema.is_object() {
        return;
    }
    visit(place, schema);
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        walk(&format!("{place}.{name}"), property, visit);
    }
    for keyword in SCHEMA_KEYWORDS {
        if let Some(inner) = schema.get(keyword) {
            walk(&format!("{place}.{keyword}"), inner, visit);
        }
    }
    for keyword in SCHEMA_LIST_KEYWORDS {
        for (i, inner) in schema[keyword].as_array().into_iter().flatten().enumerate() {
            walk(&format!("{place}.{keyword}[{i}]"), inner, visit);
        }
    }
}

/// The field names a schema declares, following `$ref`s and `allOf` members; `None` when
/// it declares none (not an object schema, or a free-form one).
pub fn declared_fields(schema: &Value) -> Option<Vec<(String, Value)>> {
    let spec = spec();
    let schema = resolve(&spec, schema);
    let mut fields: Vec<(String, Value)> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, property)| (name.clone(), property.clone()))
        .collect();
    for member in schema["allOf"].as_array().into_iter().flatten() {
        fields.extend(declared_fields(member).unwrap_or_default());
    }
    (!fields.is_empty()).then_some(fields)
}
