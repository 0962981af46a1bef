//! Property tests with one oracle, the spec.
//!
//! - Requests: for every request type, any input the wrapper accepts becomes
//!   exactly the body the spec's schema describes (and validates against
//!   it), and any input the schema rejects the wrapper rejects before
//!   sending. The wrapper is stricter than the schema only where the spec
//!   says so in prose ("Reading: …"); each such rule is named below.
//! - Responses: any bytes served as a 200 to any operation (garbage, invalid
//!   UTF-8, arbitrary JSON, huge numbers, deep nesting, duplicate keys,
//!   near-misses of the documented envelope) give a success or a typed error
//!   — never a panic — and a decode error names the operation.
//!
//! Each property runs 256 cases (`PROPTEST_CASES` overrides it; seeds are
//! random unless `PROPTEST_RNG_SEED` is set) and prints how many it ran.

use crate::common;

use common::contract::client;
use std::{
    collections::BTreeMap,
    fmt::Debug,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use cec_routes::{
    AccessCodeFilter, AkSkProvider, CalledRoute, Client, Device, Error, MediaType, RouteChange,
    RouteFilter, RouteId,
};
use common::openapi::{errors, header_param_schema, validator, validator_for};
use common::paths::TOKEN_BY_AK_SK;
use proptest::{
    prelude::*,
    string::string_regex,
    test_runner::{Config, TestCaseError, TestRunner},
};
use serde_json::{Map, Value, json};
use tokio::runtime::Runtime;
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{any as any_request, method, path},
};

/// Cases per property: 256, or `PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256)
}

/// Runs `test` on values of `strategy`, prints how many cases ran and how
/// they ended (the label each case returns), and fails with the smallest
/// failing input.
fn check<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<&'static str, TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    };
    let ran = AtomicUsize::new(0);
    let outcomes = Mutex::new(BTreeMap::<&str, usize>::new());
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        let outcome = test(value)?;
        *outcomes.lock().unwrap().entry(outcome).or_default() += 1;
        Ok(())
    });
    let ran = ran.load(Ordering::Relaxed);
    let outcomes: Vec<String> = outcomes
        .into_inner()
        .unwrap()
        .iter()
        .map(|(outcome, count)| format!("{outcome} {count}"))
        .collect();
    println!(
        "property `{name}`: {ran} cases run ({})",
        outcomes.join(", ")
    );
    if let Err(failure) = result {
        panic!("property `{name}` failed ({ran} cases run): {failure}");
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

// ---------------------------------------------------------------- inputs --

/// Text of 0 to `max` characters: mostly digits, `*` and `#` (the alphabet
/// of codes), also letters, spaces, any printable Unicode, and anything.
fn text(max: usize) -> impl Strategy<Value = String> {
    let regex = |pattern: String| string_regex(&pattern).expect("a valid regex");
    prop_oneof![
        4 => regex(format!("[0-9]{{0,{max}}}")),
        3 => regex(format!("[0-9*#]{{0,{max}}}")),
        2 => regex(format!("[0-9*#a-zA-Z ]{{0,{max}}}")),
        2 => regex(format!("\\PC{{0,{max}}}")),
        1 => regex(format!("(?s).{{0,{max}}}")),
    ]
}

fn device_type() -> impl Strategy<Value = i64> {
    prop_oneof![Just(1i64), Just(3), -2..6i64, any::<i64>()]
}

fn device_id() -> impl Strategy<Value = i64> {
    let i32_max = i64::from(i32::MAX);
    prop_oneof![
        4 => 0..1000i64,
        1 => prop::sample::select(vec![-1, i32_max, i32_max + 1, i64::from(u32::MAX)]),
        1 => any::<i64>(),
    ]
}

/// A media type as a number: a documented one, a near miss, or any.
fn media_code() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => prop::sample::select(vec![2i64, 5, 18, 19, 53]),
        1 => Just(53i64),
        2 => -1..60i64,
        1 => any::<i64>(),
    ]
}

fn offset() -> impl Strategy<Value = u32> {
    let i32_max = i32::MAX as u32;
    prop_oneof![
        4 => 0..500u32,
        1 => prop::sample::select(vec![i32_max, i32_max + 1, u32::MAX]),
        1 => any::<u32>(),
    ]
}

fn limit() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0..=101u32, 1 => any::<u32>()]
}

/// A media type through the public parser (numbers as the CLI reads them).
fn media_type(code: i64) -> Result<MediaType, Error> {
    code.to_string().parse()
}

/// Asserts that `body` is valid for `schema`'s validator.
fn assert_valid(
    validator: &jsonschema::Validator,
    body: &Value,
    what: &str,
) -> Result<(), TestCaseError> {
    prop_assert!(
        validator.is_valid(body),
        "{what} {body} breaks the schema:\n{}",
        errors(validator, body)
    );
    Ok(())
}

// --------------------------------------------------------------- requests --

#[test]
fn a_called_route_is_accepted_exactly_when_the_schema_accepts_its_body() {
    let schema = validator("CreateCalledRouteRequest");
    // Valid codes often, so that the rules between fields get exercised.
    let code = prop_oneof![1 => string_regex("[0-9]{1,32}").unwrap(), 2 => text(40)];
    let ext = prop_oneof![1 => string_regex("[0-9*#]{1,12}").unwrap(), 2 => text(16)];
    let inputs = (
        code,
        prop::option::of(ext),
        device_type(),
        device_id(),
        prop::option::of(media_code()),
    );
    check(
        "createCalledRoute request",
        inputs,
        |(code, ext, kind, id, media)| {
            let mut oracle = json!({"accessCode": code, "devicetype": kind, "deviceId": id});
            if let Some(ext) = &ext {
                oracle["extCode"] = json!(ext);
            }
            if let Some(media) = media {
                oracle["mediaTypeId"] = json!(media);
            }
            // Stricter than the schema, as the spec's prose says: no IVR flow
            // on the multimedia channel.
            let documented_rule = !(kind == 3 && media == Some(53));
            let expected = schema.is_valid(&oracle) && documented_rule;

            let built = Device::from_wire(kind, id).and_then(|device| {
                let mut route = CalledRoute::new(&code, device)?;
                if let Some(ext) = &ext {
                    route = route.with_ext_code(ext)?;
                }
                if let Some(media) = media {
                    route = route.with_media_type(media_type(media)?)?;
                }
                Ok(route)
            });
            match built {
                Ok(route) => {
                    prop_assert!(expected, "accepted {oracle}, which the spec refuses");
                    let body = serde_json::to_value(route.to_request()).unwrap();
                    prop_assert_eq!(&body, &oracle);
                    assert_valid(&schema, &body, "the body")?;
                    Ok("accepted")
                }
                Err(error) => {
                    prop_assert!(
                        !expected,
                        "refused {oracle}, which the spec allows: {error}"
                    );
                    prop_assert!(error.is_invalid_input(), "{error:?}");
                    Ok("refused")
                }
            }
        },
    );
}

#[test]
fn a_route_change_is_accepted_exactly_when_the_schema_accepts_its_body() {
    let schema = validator("ModifyCalledRouteRequest");
    let id = prop_oneof![
        3 => string_regex("[0-9]{1,32}").unwrap(),
        3 => text(40),
        1 => string_regex(" ?[0-9]{1,33} ?").unwrap(),
        1 => string_regex("[٠-٩０-９]{1,5}").unwrap(),
    ];
    let inputs = (id, device_type(), device_id());
    check(
        "modifyCalledRoute request",
        inputs,
        |(id, kind, device_id)| {
            let oracle = json!({"id": id, "devicetype": kind, "deviceId": device_id});
            let expected = schema.is_valid(&oracle);
            let built = id.parse::<RouteId>().and_then(|route_id| {
                RouteChange::by_id(route_id, Device::from_wire(kind, device_id)?)
            });
            match built {
                Ok(change) => {
                    prop_assert!(expected, "accepted {oracle}, which the spec refuses");
                    let body = serde_json::to_value(change.to_request()).unwrap();
                    prop_assert_eq!(&body, &oracle);
                    assert_valid(&schema, &body, "the body")?;
                    Ok("accepted")
                }
                Err(error) => {
                    prop_assert!(
                        !expected,
                        "refused {oracle}, which the spec allows: {error}"
                    );
                    prop_assert!(error.is_invalid_input(), "{error:?}");
                    Ok("refused")
                }
            }
        },
    );
}

/// A server that answers every request with an empty success and records
/// what it receives.
async fn recording_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any_request())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "returnCode": "0",
            "description": "success",
            "data": null,
        })))
        .mount(&server)
        .await;
    server
}

/// The bodies of the requests `server` received after the first `seen`.
async fn bodies_since(server: &MockServer, seen: usize) -> Vec<Value> {
    let requests = server.received_requests().await.expect("recording is on");
    requests[seen..]
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("the client sends JSON"))
        .collect()
}

async fn received(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

/// Checks one call of a filtered query: `sent` is what the client did
/// (`Ok` if it sent), `bodies` what the server received.
fn check_sent(
    schema: &jsonschema::Validator,
    oracle: &Value,
    expected: bool,
    sent: Result<(), Error>,
    bodies: &[Value],
) -> Result<&'static str, TestCaseError> {
    match sent {
        Ok(()) => {
            prop_assert!(expected, "sent {oracle}, which the spec refuses");
            prop_assert_eq!(bodies.len(), 1);
            prop_assert_eq!(&bodies[0], oracle);
            assert_valid(schema, &bodies[0], "the body")?;
            Ok("sent")
        }
        Err(error) => {
            prop_assert!(
                !expected,
                "refused {oracle}, which the spec allows: {error}"
            );
            prop_assert!(error.is_invalid_input(), "{error:?}");
            prop_assert!(bodies.is_empty(), "refused, yet sent: {bodies:?}");
            Ok("refused")
        }
    }
}

#[test]
fn a_route_filter_is_sent_exactly_when_the_schema_accepts_its_body() {
    let rt = runtime();
    let server = rt.block_on(recording_server());
    let client = client(&server);
    let schema = validator("QueryCalledRouteRequest");
    let inputs = (
        prop::option::of(text(40)),
        prop::option::of(text(16)),
        prop::option::of(prop::sample::select(vec![1i64, 3])),
        prop::option::of(text(20)),
        prop::option::of(media_code()),
        offset(),
        limit(),
    );
    check(
        "queryCalledRoute request",
        inputs,
        |(code, ext, kind, desc, media, offset, limit)| {
            let mut oracle = Map::new();
            let mut filter = Ok(RouteFilter::new());
            if let Some(code) = &code {
                oracle.insert("accessCode".into(), json!(code));
                filter = filter.and_then(|f| f.access_code(code));
            }
            if let Some(ext) = &ext {
                oracle.insert("extCode".into(), json!(ext));
                filter = filter.and_then(|f| f.ext_code(ext));
            }
            if let Some(kind) = kind {
                oracle.insert("devicetype".into(), json!(kind));
                filter = filter.map(|f| {
                    if kind == 1 {
                        f.skill_queues()
                    } else {
                        f.ivr_flows()
                    }
                });
            }
            if let Some(desc) = &desc {
                oracle.insert("deviceDesc".into(), json!(desc));
                filter = filter.map(|f| f.device_desc(desc));
            }
            if let Some(media) = media {
                oracle.insert("mediaTypeId".into(), json!(media));
                filter = filter.and_then(|f| Ok(f.media_type(media_type(media)?)));
            }
            oracle.insert("limit".into(), json!(limit));
            oracle.insert("offset".into(), json!(offset));
            let oracle = Value::Object(oracle);
            // Stricter than the schema, as the spec's prose says: a limit
            // of 0 is never sent, nor one above 100 (which CEC treats as 100).
            let expected = schema.is_valid(&oracle) && (1..=100).contains(&limit);

            let (sent, bodies) = rt.block_on(async {
                let seen = received(&server).await;
                let sent = match filter {
                    Ok(filter) => client
                        .called_routes_page(&filter, offset, limit)
                        .await
                        .map(drop),
                    Err(error) => Err(error),
                };
                (sent, bodies_since(&server, seen).await)
            });
            check_sent(&schema, &oracle, expected, sent, &bodies)
        },
    );
}

#[test]
fn an_access_code_filter_is_sent_exactly_when_the_schema_accepts_its_body() {
    let rt = runtime();
    let server = rt.block_on(recording_server());
    let client = client(&server);
    let schema = validator("QueryAccessCodeListRequest");
    let inputs = (
        prop::option::of(text(40)),
        prop::option::of(media_code()),
        prop::option::of(text(20)),
        offset(),
        limit(),
    );
    check(
        "queryAccessCodeList request",
        inputs,
        |(code, media, description, offset, limit)| {
            let mut oracle = Map::new();
            let mut filter = Ok(AccessCodeFilter::new());
            if let Some(code) = &code {
                oracle.insert("accessCode".into(), json!(code));
                filter = filter.and_then(|f| f.access_code(code));
            }
            if let Some(media) = media {
                oracle.insert("mediatypeId".into(), json!(media));
                filter = filter.and_then(|f| f.media_type(media_type(media)?));
            }
            if let Some(description) = &description {
                oracle.insert("description".into(), json!(description));
                filter = filter.map(|f| f.description(description));
            }
            oracle.insert("limit".into(), json!(limit));
            oracle.insert("offset".into(), json!(offset));
            let oracle = Value::Object(oracle);
            // A limit of 0 is never sent, nor one above 100 (the spec's prose).
            let expected = schema.is_valid(&oracle) && (1..=100).contains(&limit);

            let (sent, bodies) = rt.block_on(async {
                let seen = received(&server).await;
                let sent = match filter {
                    Ok(filter) => client
                        .access_codes_page(&filter, offset, limit)
                        .await
                        .map(drop),
                    Err(error) => Err(error),
                };
                (sent, bodies_since(&server, seen).await)
            });
            check_sent(&schema, &oracle, expected, sent, &bodies)
        },
    );
}

#[test]
fn a_deletion_is_sent_exactly_when_the_schema_accepts_every_batch() {
    let rt = runtime();
    let server = rt.block_on(recording_server());
    let client = client(&server);
    let schema = validator("DeleteCalledRouteRequest");
    let dnid = prop_oneof![
        4 => 0..100i64,
        1 => prop::sample::select(vec![-1i64, i64::MIN, i64::MAX]),
        1 => any::<i64>(),
    ];
    let dnids = prop_oneof![
        8 => prop::collection::vec(dnid, 0..8),
        1 => prop::collection::vec(0..10_000i64, 995..1010),
    ];
    check("deleteCalledRoute request", dnids, |dnids| {
        // The spec's unit is one body of at most 1000 dnids; the wrapper
        // sends a longer list in batches of 1000 (documented).
        let oracles: Vec<Value> = if dnids.is_empty() {
            vec![json!({"dnids": ""})]
        } else {
            dnids
                .chunks(1000)
                .map(|batch| {
                    let joined: Vec<String> = batch.iter().map(i64::to_string).collect();
                    json!({"dnids": joined.join(",")})
                })
                .collect()
        };
        let expected = oracles.iter().all(|oracle| schema.is_valid(oracle));
        let (sent, bodies) = rt.block_on(async {
            let seen = received(&server).await;
            // The recording server names no deleted route, so a deletion it
            // answers is unconfirmed: sent all the same.
            let sent = match client.delete_called_routes(&dnids).await {
                Ok(_) | Err(Error::UnconfirmedDeletion { .. }) => Ok(()),
                Err(error) => Err(error),
            };
            (sent, bodies_since(&server, seen).await)
        });
        match sent {
            Ok(()) => {
                prop_assert!(expected, "sent {oracles:?}, which the spec refuses");
                prop_assert_eq!(&bodies, &oracles);
                for body in &bodies {
                    assert_valid(&schema, body, "the body")?;
                }
                Ok(if bodies.len() > 1 {
                    "sent in batches"
                } else {
                    "sent"
                })
            }
            Err(error) => {
                prop_assert!(
                    !expected,
                    "refused {oracles:?}, which the spec allows: {error}"
                );
                prop_assert!(error.is_invalid_input(), "{error:?}");
                prop_assert!(bodies.is_empty(), "refused, yet sent: {bodies:?}");
                Ok("refused")
            }
        }
    });
}

#[test]
fn a_token_request_is_sent_exactly_when_the_schema_accepts_its_body_and_header() {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_BY_AK_SK))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"AccessToken": "zz", "Expires": "600"})),
            )
            .mount(&server)
            .await;
        server
    });
    let body_schema = validator("TokenRequest");
    let header_schema = validator_for(&header_param_schema("tokenByAkSk", "X-Token-Expire"));
    let blank = || string_regex("[ \t]{0,3}").unwrap();
    let inputs = (
        prop_oneof![3 => text(40), 1 => blank()],
        prop_oneof![3 => text(40), 1 => blank()],
        prop_oneof![3 => 0..4000u64, 1 => 3599..3602u64, 1 => any::<u64>()],
    );
    check(
        "tokenByAkSk request",
        inputs,
        |(app_key, app_secret, lifetime)| {
            let body_oracle = json!({"app_key": app_key, "app_secret": app_secret});
            let header_oracle = json!(lifetime);
            // Stricter than the schema: a blank app key names no app
            // (the provider says "the app key is empty").
            let expected = body_schema.is_valid(&body_oracle)
                && header_schema.is_valid(&header_oracle)
                && !app_key.trim().is_empty();

            let (sent, requests) = rt.block_on(async {
                let seen = received(&server).await;
                let sent = async {
                    AkSkProvider::new(&server.uri(), app_key.clone(), app_secret.clone().into())?
                        .with_lifetime(Duration::from_secs(lifetime))?
                        .fetch()
                        .await
                }
                .await;
                let requests = server.received_requests().await.unwrap();
                (sent.map(drop), requests[seen..].to_vec())
            });
            match sent {
                Ok(()) => {
                    prop_assert!(expected, "sent {body_oracle} with {lifetime} s");
                    prop_assert_eq!(requests.len(), 1);
                    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
                    prop_assert_eq!(&body, &body_oracle);
                    assert_valid(&body_schema, &body, "the body")?;
                    let header: Value = requests[0].headers["x-token-expire"]
                        .to_str()
                        .unwrap()
                        .parse::<u64>()
                        .unwrap()
                        .into();
                    prop_assert_eq!(&header, &header_oracle);
                    assert_valid(&header_schema, &header, "X-Token-Expire")?;
                    Ok("sent")
                }
                Err(error) => {
                    prop_assert!(!expected, "refused {body_oracle}, {lifetime} s: {error}");
                    prop_assert!(matches!(error, Error::Config { .. }), "{error:?}");
                    prop_assert!(requests.is_empty(), "refused, yet sent");
                    Ok("refused")
                }
            }
        },
    );
}

// -------------------------------------------------------------- responses --

/// The field names of every documented response.
const KNOWN_KEYS: [&str; 21] = [
    "returnCode",
    "description",
    "data",
    "total",
    "calledRouteList",
    "id",
    "dnid",
    "accessCode",
    "extCode",
    "devicetype",
    "deviceId",
    "deviceDesc",
    "mediatypeId",
    "editable",
    "n400Number",
    "numCallAttr",
    "name",
    "content",
    "AccessToken",
    "Expires",
    "ApplyType",
];

/// Mostly a string (as documented), sometimes any scalar.
fn string_mostly() -> impl Strategy<Value = Value> {
    prop_oneof![3 => text(20).prop_map(Value::from), 1 => scalar()]
}

/// A JSON scalar: any type, with the values that matter often.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        text(20).prop_map(Value::from),
        prop::sample::select(vec![
            "0",
            "1",
            "",
            "600",
            "-1",
            "Success:a,Failed:b",
            "Failed:a",
            "Success:",
            "3",
        ])
        .prop_map(Value::from),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KNOWN_KEYS.to_vec()).prop_map(str::to_owned),
        1 => text(8),
    ]
}

/// Any JSON, nested a few levels, with the documented keys often.
fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// The `data` of an envelope: an object of documented keys with any values
/// (lists of such objects among them), or any JSON.
fn data() -> BoxedStrategy<Value> {
    let item = prop::collection::btree_map(key(), scalar(), 0..10)
        .prop_map(|map| Value::Object(map.into_iter().collect()));
    let field = prop_oneof![
        3 => scalar(),
        2 => prop::collection::vec(item, 0..4).prop_map(Value::Array),
        1 => json_value(),
    ];
    prop_oneof![
        3 => prop::collection::btree_map(key(), field, 0..6)
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        1 => json_value(),
    ]
    .boxed()
}

/// The `data` of a deletion: names, ids and a `content` that is often a
/// partial result.
fn deletion_data() -> BoxedStrategy<Value> {
    let content = prop_oneof![
        2 => prop::sample::select(vec![
            "Success:9911411,Failed:99114111",
            "Success:,Failed:a",
            "Success:a,b",
            "Failed:a",
            "a,b",
            "",
        ])
        .prop_map(Value::from),
        1 => text(20).prop_map(|t| Value::from(format!("Success:{t}"))),
        1 => scalar(),
    ];
    prop_oneof![
        3 => (
            prop::option::of(string_mostly()),
            prop::option::of(string_mostly()),
            prop::option::of(content),
        )
            .prop_map(|(id, name, content)| {
                let mut data = Map::new();
                for (key, value) in [("id", id), ("name", name), ("content", content)] {
                    if let Some(value) = value {
                        data.insert(key.into(), value);
                    }
                }
                Value::Object(data)
            }),
        1 => data(),
    ]
    .boxed()
}

/// An object shaped like a documented envelope (`returnCode`,
/// `description`, `data`), with any values.
fn envelope(data: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    let return_code = prop_oneof![4 => Just(json!("0")), 2 => scalar()];
    (
        prop::option::of(return_code),
        prop::option::of(string_mostly()),
        prop::option::of(data),
        prop::collection::btree_map(key(), scalar(), 0..3),
    )
        .prop_map(|(code, description, data, extra)| {
            let mut object: Map<String, Value> = extra.into_iter().collect();
            for (name, value) in [
                ("returnCode", code),
                ("description", description),
                ("data", data),
            ] {
                if let Some(value) = value {
                    object.insert(name.into(), value);
                }
            }
            Value::Object(object)
        })
        .boxed()
}

/// An object shaped like a token response, with any values.
fn token_response() -> BoxedStrategy<Value> {
    let token = string_mostly();
    let expires = prop_oneof![
        3 => prop::sample::select(vec!["600", "1", "0", "-1", " 600 ", "3600", "99999999999999999999"])
            .prop_map(Value::from),
        1 => scalar(),
    ];
    (
        prop::option::of(token),
        prop::option::of(expires),
        prop::collection::btree_map(key(), scalar(), 0..3),
    )
        .prop_map(|(token, expires, extra)| {
            let mut object: Map<String, Value> = extra.into_iter().collect();
            for (name, value) in [("AccessToken", token), ("Expires", expires)] {
                if let Some(value) = value {
                    object.insert(name.into(), value);
                }
            }
            Value::Object(object)
        })
        .boxed()
}

/// Any body: garbage, JSON, objects shaped like `shaped`, and the usual
/// poisons.
fn body(shaped: BoxedStrategy<Value>) -> impl Strategy<Value = Vec<u8>> {
    let bytes = |value: &Value| serde_json::to_vec(value).unwrap();
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..256),
        2 => json_value().prop_map(move |v| bytes(&v)),
        4 => shaped.clone().prop_map(move |v| bytes(&v)),
        // Deep nesting.
        1 => (1usize..5000).prop_map(|depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()),
        1 => (1usize..2000).prop_map(|depth| {
            format!("{}null{}", r#"{"data":"#.repeat(depth), "}".repeat(depth)).into_bytes()
        }),
        // Huge numbers where integers and strings are expected.
        1 => string_regex("-?[0-9]{19,400}(\\.[0-9]{1,5})?(e[0-9]{1,4})?").unwrap().prop_map(|n| {
            format!(
                r#"{{"returnCode":"0","data":{{"total":{n},"calledRouteList":[{{"dnid":{n},"deviceId":{n},"mediatypeId":{n}}}],"id":{n}}},"Expires":{n}}}"#
            )
            .into_bytes()
        }),
        // Duplicate keys.
        1 => (prop::sample::select(KNOWN_KEYS.to_vec()), scalar(), scalar()).prop_map(|(key, a, b)| {
            format!(r#"{{"returnCode":"0","{key}":{a},"{key}":{b}}}"#).into_bytes()
        }),
        // A shaped object with one byte changed (invalid UTF-8, a stray
        // quote, …) or cut short.
        2 => (shaped.clone(), any::<prop::sample::Index>(), any::<u8>()).prop_map(move |(v, at, byte)| {
            let mut body = bytes(&v);
            let at = at.index(body.len());
            body[at] = byte;
            body
        }),
        1 => (shaped, any::<prop::sample::Index>()).prop_map(move |(v, at)| {
            let mut body = bytes(&v);
            body.truncate(at.index(body.len() + 1));
            body
        }),
    ]
}

/// The business operations, and what their decoders may answer.
#[derive(Clone, Copy, Debug)]
enum Op {
    CreateCalledRoute,
    QueryCalledRoute,
    QueryAccessCodeList,
    ModifyCalledRoute,
    DeleteCalledRoute,
}

impl Op {
    fn id(self) -> &'static str {
        match self {
            Op::CreateCalledRoute => "createCalledRoute",
            Op::QueryCalledRoute => "queryCalledRoute",
            Op::QueryAccessCodeList => "queryAccessCodeList",
            Op::ModifyCalledRoute => "modifyCalledRoute",
            Op::DeleteCalledRoute => "deleteCalledRoute",
        }
    }

    async fn run(self, client: &Client) -> Result<(), Error> {
        match self {
            Op::CreateCalledRoute => {
                let route = CalledRoute::new("9911411", Device::SkillQueue(1))?;
                client.create_called_route(&route).await.map(drop)
            }
            Op::QueryCalledRoute => client
                .called_routes_page(&RouteFilter::new(), 0, 100)
                .await
                .map(drop),
            Op::QueryAccessCodeList => client
                .access_codes_page(&AccessCodeFilter::new(), 0, 100)
                .await
                .map(drop),
            Op::ModifyCalledRoute => {
                let change =
                    RouteChange::by_id("1125397061153369092".parse()?, Device::SkillQueue(2))?;
                client.modify_called_route(&change).await.map(drop)
            }
            Op::DeleteCalledRoute => client.delete_called_routes(&[1, 2]).await.map(drop),
        }
    }
}

/// A server answering every request with 200 and whatever `body` holds.
async fn server_serving(body: Arc<Mutex<Vec<u8>>>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any_request())
        .respond_with(move |_: &Request| {
            let body = body.lock().unwrap().clone();
            ResponseTemplate::new(200).set_body_raw(body, "application/json")
        })
        .mount(&server)
        .await;
    server
}

/// Runs `op` against a 200 of any body: success or a typed error.
fn decoder_never_panics(op: Op) {
    let rt = runtime();
    let served = Arc::new(Mutex::new(Vec::new()));
    let server = rt.block_on(server_serving(served.clone()));
    let client = client(&server);
    let shaped = match op {
        Op::DeleteCalledRoute => envelope(deletion_data()),
        _ => envelope(data()),
    };
    check(
        &format!("{} response decoder", op.id()),
        body(shaped),
        |body| {
            *served.lock().unwrap() = body.clone();
            let outcome = rt.block_on(op.run(&client));
            match outcome {
                Ok(()) => Ok("success"),
                Err(Error::Decode {
                    operation, body, ..
                }) => {
                    prop_assert_eq!(operation, op.id());
                    prop_assert!(body.chars().count() <= 201, "the quote is cut");
                    Ok("decode error")
                }
                Err(Error::Business { .. }) => Ok("business error"),
                Err(Error::UnconfirmedDeletion { .. }) if matches!(op, Op::DeleteCalledRoute) => {
                    Ok("unconfirmed deletion")
                }
                Err(Error::PartialDeletion { .. }) if matches!(op, Op::DeleteCalledRoute) => {
                    Ok("partial deletion")
                }
                Err(other) => Err(TestCaseError::fail(format!("{op:?}: unexpected {other:?}"))),
            }
        },
    );
}

#[test]
fn create_called_route_decodes_any_200_to_success_or_a_typed_error() {
    decoder_never_panics(Op::CreateCalledRoute);
}

#[test]
fn query_called_route_decodes_any_200_to_a_page_or_a_typed_error() {
    decoder_never_panics(Op::QueryCalledRoute);
}

#[test]
fn query_access_code_list_decodes_any_200_to_a_page_or_a_typed_error() {
    decoder_never_panics(Op::QueryAccessCodeList);
}

#[test]
fn modify_called_route_decodes_any_200_to_success_or_a_typed_error() {
    decoder_never_panics(Op::ModifyCalledRoute);
}

#[test]
fn delete_called_route_decodes_any_200_to_a_deletion_or_a_typed_error() {
    decoder_never_panics(Op::DeleteCalledRoute);
}

#[test]
fn token_by_ak_sk_decodes_any_200_to_a_token_or_an_auth_error() {
    let rt = runtime();
    let served = Arc::new(Mutex::new(Vec::new()));
    let server = rt.block_on(server_serving(served.clone()));
    let provider = AkSkProvider::new(&server.uri(), "my-app-key", "my-app-secret".into()).unwrap();
    check(
        "tokenByAkSk response decoder",
        body(token_response()),
        |body| {
            *served.lock().unwrap() = body.clone();
            match rt.block_on(provider.fetch()) {
                Ok(token) => {
                    let shown = format!("{token:?}");
                    prop_assert!(shown.contains("[REDACTED]"), "{}", shown);
                    Ok("token")
                }
                Err(Error::Auth { reason, .. }) => {
                    prop_assert!(reason.contains("tokenByAkSk"), "{reason}");
                    prop_assert!(!reason.contains("my-app-secret"), "{reason}");
                    Ok("auth error")
                }
                Err(other) => Err(TestCaseError::fail(format!("unexpected {other:?}"))),
            }
        },
    );
}
