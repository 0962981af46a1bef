//! Reaching a CEC (or a sandbox) elsewhere: `--token-url` for a
//! tokenByAkSk on another host or port, `--allow-http` for plain http to a
//! host that is not loopback, with a warning.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};

use cec_routes_sandbox::Sandbox;

use crate::support::{dead_url, run_against_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_url_sends_tokenbyaksk_elsewhere() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let dead = dead_url();
    let run = run_against_with(&sandbox, &["list", "--token-url", &dead], &[], None).await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: authentication failed: tokenByAkSk at {dead}"
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
