//! Per-call overhead of the wrapper: `Client::create_called_route` against
//! the same POST written by hand with reqwest (same body, same headers, the
//! answer decoded and its `returnCode` checked), one call at a time, on one
//! loopback server that answers without doing any work.
//!
//! A third variant, the generated client alone (`client.raw()`, with the
//! authentication hooks but without the wrapper's call layer), shows which
//! layer the overhead comes from.
//!
//! Criterion measures each side; then an interleaved loop (blocks of calls,
//! wrapper and raw alternating, so that machine noise hits both alike)
//! gives the ratio of the medians that the goal (≤ 1.03) is checked
//! against. The ratio of criterion's own medians is reported too.
//!
//! `cargo bench --bench overhead` (or `cargo xtask bench`, which shortens
//! criterion's times).
//!
//! # Counting instructions (profiling mode)
//!
//! Timings on a shared machine move by several percent; instruction counts
//! under callgrind do not. With `CEC_BENCH_PROFILE=<variant>` (`wrapper`,
//! `generated` or `raw`) the binary skips criterion, makes
//! `CEC_BENCH_CALLS` (default 1,000) sequential calls of that variant only,
//! after 100 warm-up calls, all inside the function `profile_calls`, so that
//! callgrind can count just those calls on the client thread:
//!
//! ```sh
//! cargo bench --bench overhead --no-run   # prints the binary's path
//! CEC_BENCH_PROFILE=wrapper valgrind --tool=callgrind --collect-atstart=no \
//!     --toggle-collect='*profile_calls*' --callgrind-out-file=/tmp/cg.wrapper \
//!     target/release/deps/overhead-<hash>
//! callgrind_annotate /tmp/cg.wrapper | head -40        # total Ir ÷ CEC_BENCH_CALLS = per call
//! callgrind_annotate --inclusive=yes /tmp/cg.wrapper | grep -E 'cec_routes|tracing'
//! ```
//!
//! The server runs on its own thread, outside `profile_calls`, so its
//! instructions are not counted. The line the mode prints ends with the TCP
//! connections the server accepted; `CEC_BENCH_WORKERS=2` puts the client
//! on a 2-worker runtime, as in `benches/load.rs`, instead of the current
//! thread.

mod common;

use std::time::{Duration, Instant};

use axum::body::Bytes;
use cec_routes::Client;
use common::{Goal, Report, bare_server, documented_body, documented_route, median, raw_create};
use criterion::Criterion;
use serde_json::Value;

const GROUP: &str = "create_called_route";
const GOAL: f64 = 1.03;

fn main() {
    let full = common::bench_mode();
    let server = bare_server(1, Bytes::from_static(b"{}"));
    let bare = server.info.clone();
    // `CEC_BENCH_WORKERS=2` runs the client on a 2-worker runtime, as
    // `benches/load.rs` does (profiling mode: compare the TCP connections
    // sequential calls open on each kind of runtime).
    let runtime = match std::env::var("CEC_BENCH_WORKERS") {
        Ok(workers) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers.parse().expect("CEC_BENCH_WORKERS is a number"))
            .enable_all()
            .build(),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    }
    .expect("the client runtime builds");
    let client = Client::builder()
        .base_url(bare.base_url.as_str())
        .token("t")
        .build()
        .expect("the wrapper client builds");
    let http = common::raw_http();
    let url = bare.create_url();
    let route = documented_route();
    let body = documented_body();

    let wrapper = || async {
        client
            .create_called_route(&route)
            .await
            .expect("the bare server confirms the create");
    };
    // The generated client alone (with the authentication hooks, without
    // the wrapper's `call`: no span, retries or error mapping), to tell
    // where overhead comes from.
    let generated = || async {
        let body = route.to_request();
        let answer = client
            .raw()
            .create_called_route(&body)
            .await
            .expect("the bare server confirms the create")
            .into_inner();
        assert_eq!(answer.return_code.as_deref(), Some("0"));
    };
    let raw = || async {
        raw_create(&http, &url, "t", &body)
            .await
            .expect("the bare server confirms the create");
    };

    if let Ok(variant) = std::env::var("CEC_BENCH_PROFILE") {
        let calls = std::env::var("CEC_BENCH_CALLS")
            .ok()
            .map(|n| n.parse().expect("CEC_BENCH_CALLS is a number of calls"))
            .unwrap_or(1_000);
        let one = || async {
            match variant.as_str() {
                "wrapper" => wrapper().await,
                "generated" => generated().await,
                "raw" => raw().await,
                other => panic!("CEC_BENCH_PROFILE is wrapper, generated or raw, not {other}"),
            }
        };
        runtime.block_on(async {
            for _ in 0..100 {
                one().await;
            }
        });
        let started = Instant::now();
        profile_calls(&runtime, calls, one);
        println!(
            "{variant}: {calls} calls, {:.1} µs per call, {} TCP connections in all",
            started.elapsed().as_nanos() as f64 / calls as f64 / 1e3,
            bare.connections()
        );
        drop(server);
        return;
    }

    let mut criterion = Criterion::default().configure_from_args();
    {
        let mut group = criterion.benchmark_group(GROUP);
        group.bench_function("wrapper", |b| b.to_async(&runtime).iter(wrapper));
        group.bench_function("generated", |b| b.to_async(&runtime).iter(generated));
        group.bench_function("raw_reqwest", |b| b.to_async(&runtime).iter(raw));
        group.finish();
    }
    criterion.final_summary();

    // Interleaved blocks, the order rotating every round: bounded in count
    // (rounds × calls) and in time.
    let (rounds, calls): (usize, usize) = if full { (40, 250) } else { (2, 5) };
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut per_call: [Vec<f64>; 3] = Default::default();
    runtime.block_on(async {
        for _ in 0..calls {
            wrapper().await;
            generated().await;
            raw().await;
        }
        for round in 0..rounds {
            for step in 0..3 {
                let variant = (round + step) % 3;
                let started = Instant::now();
                for _ in 0..calls {
                    match variant {
                        0 => wrapper().await,
                        1 => generated().await,
                        _ => raw().await,
                    }
                }
                per_call[variant].push(started.elapsed().as_nanos() as f64 / calls as f64);
            }
            if Instant::now() > deadline {
                println!("interleaved loop stopped at its time limit after {round} rounds");
                break;
            }
        }
    });

    let mut report = Report::new("overhead");
    let [w, g, r] = per_call.each_ref().map(|times| median(times));
    report.row(
        "overhead.interleaved",
        "1. per-call time, wrapper ÷ raw reqwest (interleaved medians)",
        w / r,
        Goal::AtMost(GOAL),
        format!(
            "wrapper {:.1} µs, generated client alone {:.1} µs ({:.3} of raw), raw {:.1} µs \
             per call; {} blocks of {calls} calls each",
            w / 1e3,
            g / 1e3,
            g / r,
            r / 1e3,
            per_call[0].len()
        ),
    );
    report.sides(
        format!("{:.1} µs", w / 1e3),
        format!("{:.1} µs raw reqwest", r / 1e3),
    );
    report.row(
        "overhead.generated",
        "1. per-call time, generated client alone ÷ raw reqwest",
        g / r,
        Goal::None,
        "the same interleaved blocks: the hooks' share, without the wrapper's call layer"
            .to_owned(),
    );
    report.sides(
        format!("{:.1} µs", g / 1e3),
        format!("{:.1} µs raw reqwest", r / 1e3),
    );
    let medians = ["wrapper", "generated", "raw_reqwest"].map(criterion_median);
    match medians {
        [Some(w), Some(g), Some(r)] if full => {
            report.row(
                "overhead.criterion",
                "1. per-call time, wrapper ÷ raw reqwest (criterion medians)",
                w / r,
                Goal::AtMost(GOAL),
                format!(
                    "wrapper {:.1} µs, generated client alone {:.1} µs, raw {:.1} µs per call \
                     (measured one after the other)",
                    w / 1e3,
                    g / 1e3,
                    r / 1e3
                ),
            );
            report.sides(
                format!("{:.1} µs", w / 1e3),
                format!("{:.1} µs raw reqwest", r / 1e3),
            );
        }
        _ => report.skipped(
            "overhead.criterion",
            "1. per-call time, wrapper ÷ raw reqwest (criterion medians)",
            "criterion's estimates are written only by `cargo bench`".to_owned(),
        ),
    }
    report.finish();
    drop(server);
}

/// `calls` sequential calls of `one`: the function callgrind's
/// `--toggle-collect='*profile_calls*'` counts (profiling mode).
#[inline(never)]
fn profile_calls<F, Fut>(runtime: &tokio::runtime::Runtime, calls: usize, one: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    runtime.block_on(async {
        for _ in 0..calls {
            one().await;
        }
    });
}

/// Criterion's median estimate (ns) for `id`, from
/// `<target>/criterion/<group>/<id>/new/estimates.json`.
fn criterion_median(id: &str) -> Option<f64> {
    let path = common::target_dir()
        .join("criterion")
        .join(GROUP)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let estimates: Value = serde_json::from_str(&text).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}
