//! The request rate cap (`ClientBuilder::max_requests_per_second`): no
//! one-second window at the server holds more than N requests of a client,
//! whatever the concurrency, counting token requests and retries.
//!
//! In paused time against the scripted server: each arrival is stamped with
//! tokio's clock, which stands still while a request is under way, so the
//! windows counted at the server are exact.

use crate::common;

use std::time::Duration;

use cec_routes::{Client, ClientBuilder, Error, RetryPolicy, RouteFilter, config::ENV_RPS};
use common::{
    paths::{QUERY_CALLED_ROUTE, TOKEN_BY_AK_SK},
    scripted::{Answer, Scripted, busiest_second},
};
use futures::future::join_all;

fn client_builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .token("t0k")
        .timeout(Duration::from_secs(10))
}

/// `count` page queries at once through `client`; all must succeed.
async fn queries_at_once(client: &Client, count: usize) {
    let outcomes = join_all(
        (0..count).map(|_| async { client.called_routes_page(&RouteFilter::new(), 0, 10).await }),
    )
    .await;
    for outcome in outcomes {
        outcome.expect("every query succeeds");
    }
}

#[tokio::test(start_paused = true)]
async fn no_second_at_the_server_holds_more_than_the_cap() {
    let server = Scripted::start(|_, _| Answer::empty_page()).await;
    let client = client_builder(&server.uri())
        .max_requests_per_second(5)
        .build()
        .unwrap();

    queries_at_once(&client, 40).await;

    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 40);
    assert_eq!(busiest_second(&arrivals), 5);
}

#[tokio::test(start_paused = true)]
async fn without_a_cap_the_same_burst_arrives_in_one_second() {
    let server = Scripted::start(|_, _| Answer::empty_page()).await;
    let client = client_builder(&server.uri()).build().unwrap();
    assert_eq!(client.max_requests_per_second(), None);

    queries_at_once(&client, 40).await;

    assert_eq!(busiest_second(&server.arrivals()), 40);
}

#[tokio::test(start_paused = true)]
async fn token_requests_and_retries_count_against_the_cap() {
    let server = Scripted::start(|n, path| match path {
        TOKEN_BY_AK_SK => Answer::json(200, r#"{"AccessToken":"tok","Expires":"600"}"#),
        // Three of the first queries are refused, and retried (each
        // retry waits behind the queries already queued at the cap).
        _ if matches!(n, 1 | 3 | 5) => Answer::json(503, "{}"),
        _ => Answer::empty_page(),
    })
    .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials("my-app-key", "my-app-secret")
        .retry_policy(RetryPolicy::standard().initial_backoff(Duration::from_millis(1)))
        .max_requests_per_second(3)
        .build()
        .unwrap();

    queries_at_once(&client, 12).await;

    assert_eq!(server.requests_to(TOKEN_BY_AK_SK), 1);
    assert_eq!(server.requests_to(QUERY_CALLED_ROUTE), 15, "three retries");
    assert_eq!(busiest_second(&server.arrivals()), 3);
}

#[tokio::test(start_paused = true)]
async fn clones_of_a_client_share_its_cap() {
    let server = Scripted::start(|_, _| Answer::empty_page()).await;
    let client = client_builder(&server.uri())
        .max_requests_per_second(4)
        .build()
        .unwrap();
    let clone = client.clone();

    futures::join!(queries_at_once(&client, 10), queries_at_once(&clone, 10));

    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 20);
    assert_eq!(busiest_second(&arrivals), 4);
}

#[test]
fn the_cap_is_read_from_cec_rps_and_must_be_at_least_one() {
    let lookup = |rps: &'static str| {
        move |name: &str| match name {
            "CEC_TOKEN" => Some("t0k".to_owned()),
            ENV_RPS => Some(rps.to_owned()),
            _ => None,
        }
    };
    let client = ClientBuilder::from_lookup(lookup("45"))
        .and_then(ClientBuilder::build)
        .expect("45 requests per second");
    assert_eq!(client.max_requests_per_second(), Some(45));

    for bad in ["0", "-1", "fast", "1.5"] {
        let error = ClientBuilder::from_lookup(lookup(bad)).expect_err(bad);
        assert!(
            matches!(&error, Error::Config { reason } if reason.starts_with(&format!("CEC_RPS is `{bad}`"))),
            "{bad}: {error:?}"
        );
    }
    let error = Client::builder()
        .token("t0k")
        .max_requests_per_second(0)
        .build()
        .expect_err("a cap of zero allows nothing");
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
}
