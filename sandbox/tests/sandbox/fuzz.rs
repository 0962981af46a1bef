//! Hostile input to the sandbox: arbitrary bodies, headers and paths never
//! panic it or wedge it. Every case gets a documented status, and the
//! sandbox still serves a well-formed request afterwards.

use std::sync::atomic::{AtomicUsize, Ordering};

use cec_routes_sandbox::Sandbox;
use proptest::prelude::*;
use secrecy::ExposeSecret;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const CASES: u32 = 256;

/// The statuses the sandbox may answer with.
const STATUSES: [u16; 6] = [200, 400, 401, 403, 404, 405];

const PATHS: [&str; 8] = [
    "/apigovernance/api/oauth/tokenByAkSk",
    "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute",
    "/apiaccess/rest/cc-management/v1/calledRoute/queryCalledRoute",
    "/apiaccess/rest/cc-management/v1/calledRoute/modifyCalledRoute",
    "/apiaccess/rest/cc-management/v1/calledRoute/deleteCalledRoute",
    "/apiaccess/rest/cc-management/v1/accessCodeInfo/queryAccessCodeList",
    "/apiaccess/rest/cc-management/v1/skill/querySkills",
    "/apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList",
];

/// One request built from arbitrary parts.
#[derive(Debug, Clone)]
struct Hostile {
    method: &'static str,
    path: String,
    authorization: Option<Vec<u8>>,
    app_key: Option<Vec<u8>>,
    token_expire: Option<Vec<u8>>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    // Visible ASCII and obs-text: what an HTTP client can put in a header.
    prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..80)
}

fn json_like() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(
            |f| serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        ),
        "[0-9*#a-z]{0,40}".prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("accessCode".to_owned()),
                    Just("extCode".to_owned()),
                    Just("devicetype".to_owned()),
                    Just("deviceId".to_owned()),
                    Just("mediaTypeId".to_owned()),
                    Just("mediatypeId".to_owned()),
                    Just("dnids".to_owned()),
                    Just("id".to_owned()),
                    Just("limit".to_owned()),
                    Just("offset".to_owned()),
                    Just("name".to_owned()),
                    Just("skillIds".to_owned()),
                    Just("app_key".to_owned()),
                    Just("app_secret".to_owned()),
                    "[a-zA-Z]{1,12}",
                ],
                inner,
                0..7,
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    });
    value.prop_map(|v| v.to_string().into_bytes())
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (
        prop_oneof![Just("POST"), Just("GET"), Just("PUT"), Just("DELETE")],
        prop_oneof![
            prop::sample::select(PATHS.to_vec()).prop_map(str::to_owned),
            "/[a-zA-Z0-9/._%-]{0,60}",
        ],
        prop::option::of(prop_oneof![
            header_bytes(),
            Just(b"Bearer ".to_vec()),
            header_bytes().prop_map(|t| [b"Bearer ".as_slice(), &t].concat()),
        ]),
        prop::option::of(header_bytes()),
        prop::option::of(prop_oneof![
            header_bytes(),
            (0i64..5000).prop_map(|n| n.to_string().into_bytes()),
        ]),
        prop::option::of(prop_oneof![Just("application/json"), Just("text/plain")]),
        prop_oneof![json_like(), prop::collection::vec(any::<u8>(), 0..300)],
    )
        .prop_map(
            |(method, path, authorization, app_key, token_expire, content_type, body)| Hostile {
                method,
                path,
                authorization,
                app_key,
                token_expire,
                content_type,
                body,
            },
        )
}

/// Sends one request on a fresh connection and reads the status line.
async fn send(addr: std::net::SocketAddr, request: &Hostile) -> u16 {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: sandbox\r\nconnection: close\r\n",
        request.method, request.path
    )
    .into_bytes();
    let mut header = |name: &str, value: &[u8]| {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    };
    if let Some(v) = &request.authorization {
        header("authorization", v);
    }
    if let Some(v) = &request.app_key {
        header("x-app-key", v);
    }
    if let Some(v) = &request.token_expire {
        header("x-token-expire", v);
    }
    if let Some(v) = request.content_type {
        header("content-type", v.as_bytes());
    }
    header("content-length", request.body.len().to_string().as_bytes());
    head.extend_from_slice(b"\r\n");
    head.extend_from_slice(&request.body);

    let mut stream = TcpStream::connect(addr)
        .await
        .expect("the sandbox accepts connections");
    stream
        .write_all(&head)
        .await
        .expect("the request is written");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let status_line = String::from_utf8_lossy(&response);
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in answer to {request:?}: {status_line:?}"))
}

#[test]
fn arbitrary_requests_get_a_documented_status_and_never_wedge_the_sandbox() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let sandbox = runtime
        .block_on(Sandbox::start())
        .expect("the sandbox starts");
    let addr = sandbox.addr();
    let ran = AtomicUsize::new(0);

    proptest!(ProptestConfig::with_cases(CASES), |(request in hostile())| {
        let status = runtime.block_on(send(addr, &request));
        ran.fetch_add(1, Ordering::Relaxed);
        prop_assert!(STATUSES.contains(&status), "status {} for {:?}", status, request);
    });

    // Still serving: a well-formed token request succeeds.
    let body = serde_json::json!({
        "app_key": sandbox.app_key(),
        "app_secret": sandbox.app_secret().expose_secret(),
    })
    .to_string()
    .into_bytes();
    let healthy = Hostile {
        method: "POST",
        path: PATHS[0].to_owned(),
        authorization: None,
        app_key: None,
        token_expire: Some(b"600".to_vec()),
        content_type: Some("application/json"),
        body,
    };
    assert_eq!(runtime.block_on(send(addr, &healthy)), 200);
    eprintln!(
        "sandbox fuzz: {} hostile requests",
        ran.load(Ordering::Relaxed)
    );
    assert!(ran.load(Ordering::Relaxed) >= CASES as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_garbage_on_the_socket_is_answered_or_dropped_and_serving_goes_on() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    for garbage in [
        &b"\x00\x01\x02\x03 not http at all\r\n\r\n"[..],
        b"POST /x HTTP/1.1\r\ncontent-length: -5\r\n\r\n",
        b"POST /apigovernance/api/oauth/tokenByAkSk HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    ] {
        let mut stream = TcpStream::connect(sandbox.addr()).await.expect("connects");
        stream.write_all(garbage).await.expect("written");
        let mut answer = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut answer),
        )
        .await;
        assert!(
            read.is_ok(),
            "the sandbox neither answered nor closed: {garbage:?}"
        );
    }
    let client = sandbox.client_builder().build().expect("a client");
    client
        .access_token()
        .await
        .expect("the sandbox still issues tokens");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let sandbox = Sandbox::builder()
        .header_read_timeout(std::time::Duration::from_millis(300))
        .start()
        .await
        .expect("the sandbox starts");
    let mut slow = TcpStream::connect(sandbox.addr()).await.expect("connects");
    slow.write_all(b"POST /apigovernance/api/oauth/tokenByAkSk HTTP/1.1\r\nhost: a\r\n")
        .await
        .expect("half the headers are written");

    let mut answer = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        slow.read_to_end(&mut answer),
    )
    .await;

    assert!(closed.is_ok(), "the slow connection was held open");
    let client = sandbox.client_builder().build().expect("a client");
    client
        .access_token()
        .await
        .expect("others are still served");
}
