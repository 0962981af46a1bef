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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
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
    let medians = ["wrapper", "generated", "raw_reqwest"].map(criterion_median);
    match medians {
        [Some(w), Some(g), Some(r)] if full => report.row(
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
        ),
        _ => report.skipped(
            "overhead.criterion",
            "1. per-call time, wrapper ÷ raw reqwest (criterion medians)",
            "criterion's estimates are written only by `cargo bench`".to_owned(),
        ),
    }
    report.finish();
    drop(server);
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
