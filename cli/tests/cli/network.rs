//! Reaching a CEC (or a sandbox) elsewhere: `--token-url` for a
//! tokenByAkSk on another host or port, `--allow-http` for plain http to a
//! host that is not loopback, with a warning; and a wrong URL or a stopped
//! server told apart from bad credentials.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};

use cec_routes_sandbox::Sandbox;

use crate::support::{dead_url, run_against_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_url_sends_tokenbyaksk_elsewhere() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let dead = dead_url();
    let run = run_against_with(&sandbox, &["list", "--token-url", &dead], &[], None).await;
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: could not connect to {dead}/apigovernance/api/oauth/tokenByAkSk: "
        )),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.token_requests(), 0);

    let run = run_against_with(
        &sandbox,
        &["list"],
        &[("CEC_TOKEN_URL", sandbox.base_url())],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(sandbox.token_requests(), 1);
}

/// An address of this machine that is not loopback.
fn outward_address() -> IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").expect("a UDP socket");
    socket
        .connect("192.0.2.1:9")
        .expect("this machine has a route out (no packet is sent)");
    let ip = socket.local_addr().expect("an address").ip();
    assert!(!ip.is_loopback() && !ip.is_unspecified(), "{ip}");
    ip
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_another_host_needs_allow_http_and_warns() {
    let sandbox = Sandbox::builder()
        .bind(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        .start()
        .await
        .expect("the sandbox starts");
    let url = format!("http://{}:{}", outward_address(), sandbox.addr().port());
    let env = [("CEC_BASE_URL", url.as_str())];

    let refused = run_against_with(&sandbox, &["list"], &env, None).await;
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("plain http to a host that is not loopback")
            && refused
                .stderr
                .contains("hint: --allow-http (or CEC_ALLOW_HTTP=1) allows it"),
        "{}",
        refused.stderr
    );

    for (args, extra, by) in [
        (&["list", "--allow-http"][..], None, "--allow-http"),
        (
            &["list"][..],
            Some(("CEC_ALLOW_HTTP", "1")),
            "CEC_ALLOW_HTTP",
        ),
    ] {
        let warning = format!(
            "warning: plain http to {url} is allowed ({by}): the app secret and tokens \
             cross the network in clear text; use it only on a test network"
        );
        let mut env = env.to_vec();
        env.extend(extra);
        let run = run_against_with(&sandbox, args, &env, None).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim(), warning, "{args:?}");
    }

    // Loopback needs no flag and gets no warning.
    let run = run_against_with(
        &sandbox,
        &["list", "--allow-http"],
        &[(
            "CEC_BASE_URL",
            &format!("http://127.0.0.1:{}", sandbox.addr().port()),
        )],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
}

/// With AK/SK credentials, a CEC that cannot be reached is a transport
/// failure (7) and a wrong path a configuration error (3) with a hint, as
/// they are with a fixed token; only credentials CEC refuses exit 4.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_url_or_a_stopped_server_is_not_an_authentication_failure() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let dead = dead_url();
    let https_to_http = format!("https://127.0.0.1:{}", sandbox.addr().port());
    let wrong_path = format!("{}/wrong", sandbox.base_url());
    let token = "/apigovernance/api/oauth/tokenByAkSk";
    // Each row: the base URL, the app secret, the exit code, how stderr starts.
    let table = [
        (
            dead.as_str(),
            None,
            7,
            format!("error: could not connect to {dead}{token}: "),
        ),
        (
            "https://cec.invalid",
            None,
            7,
            format!("error: could not connect to https://cec.invalid{token}: "),
        ),
        (
            https_to_http.as_str(),
            None,
            7,
            format!("error: could not connect to {https_to_http}{token}: "),
        ),
        (
            wrong_path.as_str(),
            None,
            3,
            format!(
                "error: invalid configuration: tokenByAkSk answered 404 not found at \
                 {wrong_path}{token}: the URL looks wrong"
            ),
        ),
        (
            sandbox.base_url(),
            Some("not-the-secret"),
            4,
            "error: authentication failed: tokenByAkSk at ".to_owned(),
        ),
    ];
    for (url, secret, code, starts) in table {
        let mut env = vec![("CEC_BASE_URL", url)];
        env.extend(secret.map(|s| ("CEC_APP_SECRET", s)));
        for args in [
            &["list"][..],
            &["create", "--access-code", "9911411", "--ivr", "7"],
        ] {
            let run = run_against_with(&sandbox, args, &env, None).await;
            assert_eq!(run.code, code, "{url} {args:?}: {}", run.stderr);
            assert!(run.stderr.starts_with(&starts), "{url}: {}", run.stderr);
            assert!(!run.stderr.contains("authentication failed") || code == 4);
            if code == 3 {
                assert!(
                    run.stderr.contains(
                        "hint: --base-url (or CEC_BASE_URL) says where CEC is; --token-url"
                    ),
                    "{}",
                    run.stderr
                );
            }
            assert!(
                !run.stderr.contains("may have reached CEC"),
                "no token, nothing sent: {}",
                run.stderr
            );
        }
    }
    assert!(sandbox.routes().is_empty());
    assert_eq!(
        sandbox.token_requests(),
        2,
        "only the two runs with the wrong secret reached tokenByAkSk"
    );
}
