//! Proxies: `--proxy` / `CEC_PROXY` / a profile's `proxy`, the
//! environment's `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` by default,
//! `--no-proxy` (or `proxy = "none"`) for none, and loopback hosts always
//! reached directly.
//!
//! The proxy is the sandbox: a plain-http proxy receives each request whole
//! (in absolute form), so the sandbox answers it as CEC. The base URL's host
//! does not resolve, so an answer proves the proxy carried the request.

use cec_routes_sandbox::Sandbox;

use crate::support::{dead_url, run_against_with, scratch_file};

/// A CEC only a proxy can reach (plain http, so that the sandbox can be the
/// proxy: `--allow-http` is given with it).
const FAR_AWAY: &str = "http://cec.example.invalid";

/// The warning `--allow-http` prints for [`FAR_AWAY`], which is not loopback.
fn without_warning(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("warning: plain http to http://cec.example.invalid"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_comes_from_the_flag_the_variable_the_profile_or_the_environment() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let proxy = sandbox.base_url().to_owned();
    let profile = scratch_file(
        "proxy_profile.toml",
        &format!("[profiles.far]\nproxy = \"{proxy}\"\n"),
    );
    let profile = profile.to_str().expect("a UTF-8 path");
    let far = ("CEC_BASE_URL", FAR_AWAY);
    // Each row: the flags, the variables, what carried the request.
    type Row<'a> = (&'a [&'a str], Vec<(&'a str, &'a str)>, &'a str);
    let table: [Row; 5] = [
        (&["--proxy", &proxy], vec![far], "--proxy"),
        (&[], vec![far, ("CEC_PROXY", &proxy)], "CEC_PROXY"),
        (
            &["--profile", "far"],
            vec![far, ("CEC_CONFIG", profile)],
            "the profile",
        ),
        (&[], vec![far, ("HTTP_PROXY", &proxy)], "HTTP_PROXY"),
        (&[], vec![far, ("ALL_PROXY", &proxy)], "ALL_PROXY"),
    ];
    for (n, (flags, env, by)) in table.into_iter().enumerate() {
        let mut args = vec!["list", "--allow-http"];
        args.extend(flags);
        let run = run_against_with(&sandbox, &args, &env, None).await;
        assert_eq!(run.code, 0, "{by}: {}", run.stderr);
        assert_eq!(without_warning(&run.stderr), "", "{by}");
        assert_eq!(sandbox.token_requests(), n + 1, "{by} carried tokenByAkSk");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_proxy_connects_straight_to_cec_whatever_the_environment_says() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let proxy = sandbox.base_url().to_owned();
    let profile = scratch_file("proxy_none.toml", "[profiles.direct]\nproxy = \"none\"\n");
    let profile = profile.to_str().expect("a UTF-8 path");
    let env = [("CEC_BASE_URL", FAR_AWAY), ("HTTP_PROXY", proxy.as_str())];
    for (args, extra) in [
        (&["list", "--allow-http", "--no-proxy"][..], None),
        (
            &["list", "--allow-http", "--profile", "direct"],
            Some(("CEC_CONFIG", profile)),
        ),
        (
            &["list", "--allow-http"],
            Some(("NO_PROXY", "example.invalid")),
        ),
    ] {
        let mut env = env.to_vec();
        env.extend(extra);
        let run = run_against_with(&sandbox, args, &env, None).await;
        assert_eq!(run.code, 7, "{args:?}: {}", run.stderr);
        assert!(
            without_warning(&run.stderr).starts_with(&format!(
                "error: could not connect to {FAR_AWAY}/apigovernance/api/oauth/tokenByAkSk"
            )),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(sandbox.token_requests(), 0, "the proxy saw nothing");

    let run = run_against_with(
        &sandbox,
        &["list", "--proxy", &proxy, "--no-proxy"],
        &[],
        None,
    )
    .await;
    assert_eq!(run.code, 64, "one or the other: {}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_base_url_never_goes_through_a_proxy() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let dead = dead_url();
    // The sandbox is on 127.0.0.1; a proxy that is not there would fail
    // every request sent through it.
    for (args, env) in [
        (&["list", "--proxy", dead.as_str()][..], vec![]),
        (&["list"], vec![("HTTP_PROXY", dead.as_str())]),
        (&["list"], vec![("ALL_PROXY", dead.as_str())]),
    ] {
        let run = run_against_with(&sandbox, args, &env, None).await;
        assert_eq!(run.code, 0, "{args:?} {env:?}: {}", run.stderr);
    }
    let localhost = format!("http://localhost:{}", sandbox.addr().port());
    let run = run_against_with(
        &sandbox,
        &["list", "--proxy", &dead],
        &[("CEC_BASE_URL", &localhost)],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_show_names_the_proxy_and_where_it_came_from_without_its_password() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let run = run_against_with(
        &sandbox,
        &["config", "show", "-o", "json"],
        &[("CEC_PROXY", "http://me:hunter2@proxy.internal:3128")],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        json["settings"]["proxy"],
        serde_json::json!({
            "value": "http://me:[redacted]@proxy.internal:3128/",
            "source": "CEC_PROXY",
        })
    );

    let run = run_against_with(&sandbox, &["config", "show", "--no-proxy"], &[], None).await;
    assert!(
        run.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["proxy", "none", "--no-proxy"]),
        "{}",
        run.stdout
    );
}
