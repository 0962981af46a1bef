//! Text from CEC never reaches the terminal raw: escape sequences, NUL
//! bytes and line breaks in error bodies, descriptions and route fields are
//! printed escaped, in text and in JSON, and in the logs.

use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};
use serde_json::Value;

use crate::support::{run_against, run_against_with};

/// A title change, a screen clear, a NUL, a C1 CSI, a bidi override.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\0\u{9b}31m\u{202e}";

/// No character a terminal could act on, but line breaks.
fn assert_inert(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(bad.is_empty(), "{what} carries {bad:?}: {text:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_from_cec_is_printed_escaped() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let create = ["create", "--access-code", "9911411", "--ivr", "7"];
    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode(format!("E-1{HOSTILE}\nerror: a line of its own")),
    );
    let run = run_against(&sandbox, &create).await;

    assert_eq!(run.code, 5, "{}", run.stderr);
    assert_inert("stderr", &run.stderr);
    assert!(
        run.stderr
            .contains(r"E-1\u{1b}]0;pwned\u{7}\u{1b}[2J\u{0}\u{9b}31m\u{202e}\nerror: a line"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "no line of CEC's own: {}",
        run.stderr
    );

    sandbox.fail_request(
        Operation::CreateCalledRoute,
        1,
        Fault::ReturnCode(format!("E-2{HOSTILE}")),
    );
    let mut json_args = create.to_vec();
    json_args.extend(["--output", "json"]);
    let run = run_against(&sandbox, &json_args).await;
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert_inert("stdout", &run.stdout);
    assert_inert("stderr", &run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(
        json["error"]["returnCode"],
        format!("E-2{HOSTILE}"),
        "JSON keeps the exact text, escaped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_are_escaped_too() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    sandbox.fail_request(
        Operation::QueryCalledRoute,
        1,
        Fault::ReturnCode(format!("E-3{HOSTILE}")),
    );
    let run = run_against(&sandbox, &["list", "-vv"]).await;
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert_inert("stderr", &run.stderr);
}

/// The default seed with a hostile skill-queue name and access-code
/// description, and a route to that queue.
fn hostile_seed() -> Seed {
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).expect("a seed is JSON");
    seed["skillQueues"][0]["name"] = format!("queue{HOSTILE}\nfake row").into();
    seed["accessCodes"][0]["description"] = format!("hotline{HOSTILE}\nfake row").into();
    seed["accessCodes"][0]["n400Number"] = format!("400{HOSTILE}").into();
    let queue = seed["skillQueues"][0]["id"].clone();
    let code = seed["accessCodes"][0]["accessCode"].clone();
    let media = seed["skillQueues"][0]["mediaTypeId"].clone();
    seed["routes"] = serde_json::json!([
        {"accessCode": code, "extCode": "1", "devicetype": 1, "deviceId": queue, "mediaTypeId": media}
    ]);
    Seed::from_json_str(&seed.to_string()).expect("the seed loads")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_and_access_code_fields_are_printed_escaped() {
    let sandbox = Sandbox::builder()
        .seed(hostile_seed())
        .start()
        .await
        .expect("the sandbox starts");
    for args in [
        &["list"][..],
        &["list", "--output", "json"],
        &["access-codes"],
        &["access-codes", "--output", "json"],
        &["export"],
        &["export", "--output", "json"],
    ] {
        let run = run_against_with(&sandbox, args, &[], None).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_inert(&format!("{args:?} stdout"), &run.stdout);
        assert_inert(&format!("{args:?} stderr"), &run.stderr);
        assert!(
            !run.stdout.contains("\nfake row"),
            "{args:?}: {}",
            run.stdout
        );
    }
    let table = run_against(&sandbox, &["access-codes"]).await;
    assert!(
        table
            .stdout
            .contains(r"hotline\u{1b}]0;pwned\u{7}\u{1b}[2J\u{0}\u{9b}31m\u{202e}\nfake row"),
        "{}",
        table.stdout
    );
}
