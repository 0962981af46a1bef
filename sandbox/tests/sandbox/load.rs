//! The sandbox under load: racing creates, concurrent changes and a shutdown
//! in the middle. Every test is bounded in count and time and uses loopback
//! only.

use std::{sync::Arc, time::Duration};

use cec_routes::{CalledRoute, Client, Device, Error, Listed, MediaType, RouteChange, RouteFilter};
use cec_routes_sandbox::{Sandbox, return_code};
use tokio::task::JoinSet;

/// A test that hangs fails instead.
const GUARD: Duration = Duration::from_secs(60);

/// Access code 9911411 (voice and video in the default seed) + `ext` →
/// skill queue 2 (voice and video).
fn route(ext: usize) -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(2))
        .and_then(|r| r.with_ext_code(ext.to_string()))
        .and_then(|r| r.with_media_type(MediaType::VoiceAndVideo))
        .expect("a valid route")
}

async fn client_for(sandbox: &Sandbox) -> Client {
    sandbox
        .client_builder()
        .build()
        .expect("a client for the sandbox")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_racing_creates_store_each_pair_exactly_once() {
    tokio::time::timeout(GUARD, async {
        let sandbox = Sandbox::start().await.expect("the sandbox starts");
        let client = Arc::new(client_for(&sandbox).await);
        let mut racers = JoinSet::new();
        for racer in 0..1000 {
            let client = client.clone();
            racers.spawn(async move { client.create_called_route(&route(racer % 100)).await });
        }

        let (mut created, mut duplicates, mut other) = (0, 0, Vec::new());
        while let Some(outcome) = racers.join_next().await {
            match outcome.expect("no racer panics") {
                Ok(_) => created += 1,
                Err(Error::Business { code, .. }) if code == return_code::DUPLICATE => {
                    duplicates += 1
                }
                Err(error) => other.push(error.to_string()),
            }
        }

        assert!(other.is_empty(), "unexpected outcomes: {other:?}");
        assert_eq!((created, duplicates), (100, 900));
        let routes = sandbox.routes();
        assert_eq!(routes.len(), 100);
        let mut exts: Vec<usize> = routes
            .iter()
            .map(|r| {
                r.ext_code
                    .as_deref()
                    .expect("an ext code")
                    .parse()
                    .expect("a number")
            })
            .collect();
        exts.sort_unstable();
        assert_eq!(exts, (0..100).collect::<Vec<_>>());
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_leave_the_state_their_responses_describe() {
    tokio::time::timeout(GUARD, async {
        let sandbox = Sandbox::start().await.expect("the sandbox starts");
        let client = Arc::new(client_for(&sandbox).await);
        for ext in 0..60 {
            client
                .create_called_route(&route(ext))
                .await
                .expect("created");
        }
        let listed = client
            .called_routes(&RouteFilter::new())
            .await
            .expect("listed");
        assert_eq!(listed.len(), 60);

        // Each route gets at most one change, so its final state follows
        // from that one response; lists run alongside.
        let mut tasks = JoinSet::new();
        for route in listed {
            let client = client.clone();
            let ext: usize = route
                .ext_code
                .as_deref()
                .and_then(|e| e.parse().ok())
                .expect("ext");
            tasks.spawn(async move {
                let outcome = match ext % 3 {
                    0 => Some((
                        "delete",
                        client
                            .delete_called_routes(&[route.dnid.expect("dnid")])
                            .await
                            .map(|_| ()),
                    )),
                    1 => {
                        let change = RouteChange::new(&route, Device::Ivr(7)).expect("a change");
                        Some((
                            "modify",
                            client.modify_called_route(&change).await.map(|_| ()),
                        ))
                    }
                    _ => None,
                };
                (route, outcome)
            });
        }
        let mut listers = JoinSet::new();
        for _ in 0..10 {
            let client = client.clone();
            listers.spawn(async move { client.called_routes(&RouteFilter::new()).await });
        }

        let mut expected = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let (route, outcome) = joined.expect("no task panics");
            let state = match outcome {
                None => Some(Device::SkillQueue(2)),
                Some(("delete", Ok(()))) => None,
                Some(("modify", Ok(()))) => Some(Device::Ivr(7)),
                Some((op, Err(error))) => panic!("{op} failed: {error}"),
                Some((op, Ok(()))) => unreachable!("unknown operation {op}"),
            };
            expected.push((route.id.expect("an id").to_string(), state));
        }
        while let Some(listed) = listers.join_next().await {
            let routes = listed.expect("no lister panics").expect("a list succeeds");
            for r in routes {
                assert!(
                    matches!(
                        r.device,
                        Listed::Known(Device::SkillQueue(2) | Device::Ivr(7))
                    ),
                    "a list saw an impossible device: {:?}",
                    r.device
                );
            }
        }

        let stored = sandbox.routes();
        for (id, state) in expected {
            let found = stored.iter().find(|r| r.id == id).map(|r| r.device);
            assert_eq!(found, state, "route {id}");
        }
        assert_eq!(stored.len(), 40, "20 of the 60 routes were deleted");
    })
    .await
    .expect("the test finishes in time");
}

/// Needs the feature `faults`, for `Sandbox::max_in_flight`.
#[cfg(feature = "faults")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_shuts_down_cleanly_under_load() {
    tokio::time::timeout(GUARD, async {
        // Each request takes 300 ms, so the shutdown finds many under way.
        let sandbox = Sandbox::builder()
            .latency(Duration::from_millis(300))
            .start()
            .await
            .expect("the sandbox starts");
        let client = Arc::new(
            sandbox
                .client_builder()
                .timeout(Duration::from_secs(5))
                .connect_retries(0)
                .build()
                .expect("a client"),
        );
        client
            .access_token()
            .await
            .expect("a token before the load");
        let mut load = JoinSet::new();
        for ext in 0..300 {
            let client = client.clone();
            load.spawn(async move { client.create_called_route(&route(ext)).await });
        }
        while sandbox.max_in_flight() < 20 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let under_way = sandbox.max_in_flight();
        let addr = sandbox.addr();

        sandbox.shutdown().await;

        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "the port is closed once shutdown returns"
        );

        let (mut created, mut refused) = (0, 0);
        while let Some(outcome) = load.join_next().await {
            match outcome.expect("no request panics") {
                Ok(_) => created += 1,
                Err(Error::Connect { .. } | Error::Transport { .. } | Error::Timeout { .. }) => {
                    refused += 1
                }
                Err(error) => panic!("an unexpected error during shutdown: {error}"),
            }
        }
        // Every request ended, each with a result or a typed error.
        assert_eq!(created + refused, 300);
        assert!(
            created >= under_way,
            "the {under_way} requests under way must be answered before the server ends \
             (created {created})"
        );
    })
    .await
    .expect("the shutdown and every request finish in time");
}
