//! Load figures for the wrapper, each a ratio measured side by side in one
//! run against one loopback server:
//!
//! 2. throughput: 10,000 creates at 64 in flight, wrapper vs raw reqwest;
//! 3. the same against `oha` (when installed; tracked, no goal: it measures
//!    reqwest more than the wrapper);
//! 4. token sharing: 1,000 concurrent calls on a cold AK/SK cache;
//! 5. connections opened by 1,000 sequential calls and by 64 in flight,
//!    and at 64 in flight with raw reqwest under each pool setting tried;
//! 6. listing 10,000 sandbox routes: time and peak client memory, wrapper
//!    vs raw reqwest pages decoded into `serde_json::Value`;
//! 8. requests per second the sandbox serves under `oha`, vs the bare server.
//!
//! The servers run on their own threads and runtimes; the client side on a
//! runtime of its own. Every loop is bounded in count and in time.
//!
//! `cargo bench --bench load` (or `cargo xtask bench`).

mod common;

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    future::Future,
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicI64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::body::Bytes;
use cec_routes::{CalledRoute, Client, RouteFilter};
use cec_routes_sandbox::{Sandbox, Seed};
use common::{
    Bare, Goal, Report, bare_server, documented_body, documented_route, median, quantile,
    raw_create, raw_http, spawn_server,
};
use progenitor_client::ClientInfo;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// Requests in flight for the concurrent figures.
const IN_FLIGHT: usize = 64;
/// No single load loop runs longer than this.
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// What `oha` and the raw clients authenticate with at the bare server.
const TOKEN: &str = "t";

// ----------------------------------------------------------------------------
// A counting allocator: bytes allocated by threads that opted in (the
// client's thread in the listing figure), and their peak.

struct Counting;

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}
static CURRENT: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);

fn track(delta: i64) {
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        let now = CURRENT.fetch_add(delta, Ordering::Relaxed) + delta;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to `System` unchanged; the counters are
// atomics and a const thread-local without a destructor, neither of which
// allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            track(layout.size() as i64);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            track(layout.size() as i64);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) };
        track(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            track(new_size as i64 - layout.size() as i64);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` on this thread, counting its allocations; gives its result and
/// the peak of bytes held above what was held when it started.
fn peak_bytes<R>(f: impl FnOnce() -> R) -> (R, i64) {
    COUNTED.with(|c| c.set(true));
    let start = CURRENT.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let result = f();
    let peak = PEAK.load(Ordering::Relaxed) - start;
    COUNTED.with(|c| c.set(false));
    (result, peak)
}

// ----------------------------------------------------------------------------

/// Counts of the figures: full for `cargo bench`, tiny for `cargo test --benches`.
struct Counts {
    creates: usize,
    rounds: usize,
    oha_rounds: usize,
    token_calls: usize,
    token_trials: usize,
    sequential: usize,
    routes: usize,
    list_rounds: usize,
    oha_requests: usize,
    /// Trials per pool setting (figure 5): connection counts move a lot
    /// from trial to trial, so a setting is judged on several.
    pool_trials: usize,
}

impl Counts {
    fn new(full: bool) -> Self {
        if full {
            Counts {
                creates: 10_000,
                rounds: 5,
                oha_rounds: 3,
                token_calls: 1_000,
                token_trials: 5,
                sequential: 1_000,
                routes: 10_000,
                list_rounds: 5,
                oha_requests: 10_000,
                pool_trials: 9,
            }
        } else {
            Counts {
                creates: 200,
                rounds: 1,
                oha_rounds: 1,
                token_calls: 50,
                token_trials: 1,
                sequential: 20,
                routes: 300,
                list_rounds: 1,
                oha_requests: 200,
                pool_trials: 1,
            }
        }
    }
}

fn main() {
    let full = common::bench_mode();
    let counts = Counts::new(full);
    let mut report = Report::new("load");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the client runtime builds");
    let oha = find_oha();
    if oha.is_none() {
        println!("oha not found (PATH, $OHA, ~/.cargo/bin): {OHA_HINT}");
    }

    // The sandbox first: its page of 100 routes is what the bare server
    // answers to queryCalledRoute in figure 8.
    let sandbox = start_sandbox(&runtime, counts.routes);
    let page = runtime.block_on(sandbox_page(&sandbox.info));
    let bare = bare_server(2, page);

    throughput(&runtime, &bare.info, &counts, oha.as_deref(), &mut report);
    connections(&runtime, &bare.info, &counts, &mut report);
    pool_settings(&runtime, &bare.info, &counts, &mut report);
    token_sharing(&runtime, &bare.info, &counts, &mut report);
    drop(runtime);
    listing(&sandbox.info, &counts, &mut report);
    sandbox_under_oha(
        &sandbox.info,
        &bare.info,
        &counts,
        oha.as_deref(),
        &mut report,
    );

    report.finish();
}

const OHA_HINT: &str = "install it with `cargo install oha --locked` (several minutes)";

// ----------------------------------------------------------------------------
// Concurrent runs

/// What a bounded concurrent run did.
struct Run {
    done: usize,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
}

impl Run {
    fn rps(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64()
    }

    fn check(&self, what: &str) {
        assert!(
            self.errors == 0,
            "{what}: {} of {} calls failed, e.g. {:?}",
            self.errors,
            self.done,
            self.first_error
        );
    }
}

/// `n` calls with `in_flight` workers, each calling one after another;
/// stops early at [`TIME_LIMIT`].
async fn drive<S, F, Fut>(n: usize, in_flight: usize, state: Arc<S>, call: F) -> Run
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + TIME_LIMIT;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let next = next.clone();
        let state = state.clone();
        workers.spawn(async move {
            let (mut done, mut errors, mut first_error) = (0, 0, None);
            while next.fetch_add(1, Ordering::Relaxed) < n && Instant::now() < deadline {
                if let Err(e) = call(state.clone()).await {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
                done += 1;
            }
            (done, errors, first_error)
        });
    }
    let mut run = Run {
        done: 0,
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
    };
    while let Some(worker) = workers.join_next().await {
        let (done, errors, first_error) = worker.expect("a load worker panicked");
        run.done += done;
        run.errors += errors;
        run.first_error = run.first_error.or(first_error);
    }
    run.elapsed = started.elapsed();
    run
}

/// `n` calls all started at once; gives the wall time and each call's
/// latency (ms).
async fn wave<S, F, Fut>(n: usize, state: Arc<S>, call: F) -> (Duration, Vec<f64>)
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..n {
        let state = state.clone();
        calls.spawn(async move {
            let began = Instant::now();
            call(state).await.map(|()| began.elapsed())
        });
    }
    let mut latencies = Vec::with_capacity(n);
    let all = async {
        while let Some(call) = calls.join_next().await {
            let latency = call.expect("a call panicked").expect("the call succeeds");
            latencies.push(latency.as_secs_f64() * 1e3);
        }
    };
    tokio::time::timeout(TIME_LIMIT, all)
        .await
        .expect("a wave finishes within the time limit");
    (started.elapsed(), latencies)
}

struct WrapperCall {
    client: Client,
    route: CalledRoute,
}

async fn wrapper_create(call: Arc<WrapperCall>) -> Result<(), String> {
    call.client
        .create_called_route(&call.route)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

struct RawCall {
    http: reqwest::Client,
    url: String,
    body: Value,
}

async fn raw_call(call: Arc<RawCall>) -> Result<(), String> {
    raw_create(&call.http, &call.url, TOKEN, &call.body).await
}

fn wrapper_for(bare: &Bare) -> Arc<WrapperCall> {
    let client = Client::builder()
        .base_url(bare.base_url.as_str())
        .token(TOKEN)
        .build()
        .expect("the wrapper client builds");
    Arc::new(WrapperCall {
        client,
        route: documented_route(),
    })
}

fn raw_for(bare: &Bare) -> Arc<RawCall> {
    Arc::new(RawCall {
        http: raw_http(),
        url: bare.create_url(),
        body: documented_body(),
    })
}

// ----------------------------------------------------------------------------
// 2 and 3: throughput

fn throughput(
    runtime: &tokio::runtime::Runtime,
    bare: &Bare,
    counts: &Counts,
    oha: Option<&Path>,
    report: &mut Report,
) {
    let wrapper = wrapper_for(bare);
    let raw = raw_for(bare);
    let n = counts.creates;
    let (mut wrapper_rps, mut raw_rps) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        drive(n / 10, IN_FLIGHT, wrapper.clone(), wrapper_create)
            .await
            .check("wrapper warm-up");
        drive(n / 10, IN_FLIGHT, raw.clone(), raw_call)
            .await
            .check("raw warm-up");
        for round in 0..counts.rounds {
            for wrapper_turn in [round.is_multiple_of(2), !round.is_multiple_of(2)] {
                let run = if wrapper_turn {
                    drive(n, IN_FLIGHT, wrapper.clone(), wrapper_create).await
                } else {
                    drive(n, IN_FLIGHT, raw.clone(), raw_call).await
                };
                run.check("throughput");
                if wrapper_turn {
                    wrapper_rps.push(run.rps());
                } else {
                    raw_rps.push(run.rps());
                }
            }
        }
    });
    let (w, r) = (median(&wrapper_rps), median(&raw_rps));
    report.row(
        "load.throughput",
        "2. throughput at 64 in flight, wrapper ÷ raw reqwest",
        w / r,
        Goal::AtLeast(0.97),
        format!(
            "wrapper {w:.0} req/s, raw {r:.0} req/s (medians of {} runs of {n} creates)",
            wrapper_rps.len()
        ),
    );
    report.sides(format!("{w:.0} req/s"), format!("{r:.0} req/s raw reqwest"));

    let figure = "3. throughput at 64 in flight, wrapper ÷ oha";
    let Some(oha) = oha else {
        report.skipped(
            "load.oha",
            figure,
            format!("oha is not installed: {OHA_HINT}"),
        );
        return;
    };
    let body = documented_body().to_string();
    let headers = [format!("Authorization: Bearer {TOKEN}")];
    let (mut oha_rps, mut wrapper_rps, mut raw_rps) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..counts.oha_rounds {
        match run_oha(oha, &bare.create_url(), n, &headers, OhaBody::Fixed(&body)) {
            Ok(rps) => oha_rps.push(rps),
            Err(e) => {
                report.skipped("load.oha", figure, format!("oha failed: {e}"));
                return;
            }
        }
        let run = runtime.block_on(drive(n, IN_FLIGHT, wrapper.clone(), wrapper_create));
        run.check("wrapper vs oha");
        wrapper_rps.push(run.rps());
        let run = runtime.block_on(drive(n, IN_FLIGHT, raw.clone(), raw_call));
        run.check("raw vs oha");
        raw_rps.push(run.rps());
    }
    let (w, o, r) = (median(&wrapper_rps), median(&oha_rps), median(&raw_rps));
    report.row(
        "load.oha",
        figure,
        w / o,
        Goal::None,
        format!(
            "wrapper {w:.0} req/s, oha {o:.0} req/s, raw reqwest {r:.0} req/s (raw ÷ oha {:.3}; \
             medians of {} alternating runs of {n}); tracked, no goal: it measures reqwest \
             more than cec-routes (raw reqwest itself reached only 0.49–0.75 of oha here)",
            r / o,
            oha_rps.len()
        ),
    );
    report.sides(format!("{w:.0} req/s"), format!("{o:.0} req/s oha"));
}

// ----------------------------------------------------------------------------
// 5: connections

fn connections(
    runtime: &tokio::runtime::Runtime,
    bare: &Bare,
    counts: &Counts,
    report: &mut Report,
) {
    let (wrapper_sequential, raw_sequential, concurrent, raw_concurrent) =
        runtime.block_on(async {
            let wrapper_sequential =
                sequential(bare, counts.sequential, wrapper_for(bare), wrapper_create).await;
            let raw_sequential = sequential(bare, counts.sequential, raw_for(bare), raw_call).await;

            let before = bare.connections();
            drive(counts.creates, IN_FLIGHT, wrapper_for(bare), wrapper_create)
                .await
                .check("64 in flight");
            let concurrent = bare.connections() - before;

            let before = bare.connections();
            drive(counts.creates, IN_FLIGHT, raw_for(bare), raw_call)
                .await
                .check("64 in flight, raw");
            (
                wrapper_sequential,
                raw_sequential,
                concurrent,
                bare.connections() - before,
            )
        });
    report.row(
        "load.connections.sequential",
        "5. TCP connections opened by 1,000 sequential calls",
        wrapper_sequential as f64,
        Goal::Exactly(1.0),
        format!(
            "{} calls, new client; raw reqwest opened {raw_sequential}",
            counts.sequential
        ),
    );
    report.counts(
        format!("{wrapper_sequential} opened"),
        format!("{raw_sequential} by raw reqwest"),
    );
    report.row(
        "load.connections.concurrent",
        "5. TCP connections opened at 64 in flight",
        concurrent as f64,
        Goal::AtMost(IN_FLIGHT as f64 + 1.0),
        format!(
            "{} calls, new client; raw reqwest opened {raw_concurrent}",
            counts.creates
        ),
    );
    report.counts(
        format!("{concurrent} opened"),
        format!("{raw_concurrent} by raw reqwest"),
    );
}

/// The pool settings tried in figure 5: a name and a builder with the
/// wrapper's other settings ([`raw_http`]'s).
fn pool_variants() -> Vec<(&'static str, reqwest::Client)> {
    let base = || {
        reqwest::Client::builder()
            .user_agent("cec-routes-bench-raw/0")
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
    };
    let build = |builder: reqwest::ClientBuilder| builder.build().expect("the client builds");
    vec![
        ("default (the SDK's)", build(base())),
        (
            "pool_max_idle_per_host(64)",
            build(base().pool_max_idle_per_host(IN_FLIGHT)),
        ),
        (
            "pool_max_idle_per_host(65)",
            build(base().pool_max_idle_per_host(IN_FLIGHT + 1)),
        ),
        (
            "pool_idle_timeout(None)",
            build(base().pool_idle_timeout(None)),
        ),
        ("http1_only", build(base().http1_only())),
        (
            "http1_only + pool_max_idle_per_host(64)",
            build(base().http1_only().pool_max_idle_per_host(IN_FLIGHT)),
        ),
    ]
}

/// Figure 5's connections at 64 in flight under each pool setting, with
/// raw reqwest (the SDK's pool cannot be set from outside `src/`), beside
/// the wrapper's default in the same rounds; a new client for every trial.
fn pool_settings(
    runtime: &tokio::runtime::Runtime,
    bare: &Bare,
    counts: &Counts,
    report: &mut Report,
) {
    let trials = counts.pool_trials.max(1);
    let names: Vec<&str> = pool_variants().iter().map(|(name, _)| *name).collect();
    let mut opened: Vec<Vec<usize>> = vec![Vec::new(); names.len() + 1];
    runtime.block_on(async {
        for _ in 0..trials {
            let before = bare.connections();
            drive(counts.creates, IN_FLIGHT, wrapper_for(bare), wrapper_create)
                .await
                .check("64 in flight, wrapper");
            opened[0].push(bare.connections() - before);
            for (i, (_, http)) in pool_variants().into_iter().enumerate() {
                let call = Arc::new(RawCall {
                    http,
                    url: bare.create_url(),
                    body: documented_body(),
                });
                let before = bare.connections();
                drive(counts.creates, IN_FLIGHT, call, raw_call)
                    .await
                    .check("64 in flight, a pool setting");
                opened[i + 1].push(bare.connections() - before);
            }
        }
    });
    let median_of =
        |counts: &[usize]| median(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>());
    let wrapper = median_of(&opened[0]);
    for (i, name) in names.iter().enumerate() {
        let m = median_of(&opened[i + 1]);
        report.row(
            &format!("load.connections.pool.{i}"),
            &format!("5. connections at 64 in flight, raw reqwest, {name}"),
            m,
            Goal::None,
            format!(
                "per trial {:?}; the wrapper (default pool) in the same rounds {:?} ({} calls \
                 each, a new client per trial; goal for the SDK: ≤ {})",
                opened[i + 1],
                opened[0],
                counts.creates,
                IN_FLIGHT + 1
            ),
        );
        report.counts(
            format!("{m:.0} opened (median of {trials})"),
            format!("wrapper {wrapper:.0}"),
        );
    }
}

/// The connections `n` calls one after another open (bounded in time).
async fn sequential<S, F, Fut>(bare: &Bare, n: usize, state: Arc<S>, call: F) -> usize
where
    F: Fn(Arc<S>) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let before = bare.connections();
    let deadline = Instant::now() + TIME_LIMIT;
    for _ in 0..n {
        call(state.clone())
            .await
            .expect("a sequential create succeeds");
        if Instant::now() > deadline {
            break;
        }
    }
    bare.connections() - before
}

// ----------------------------------------------------------------------------
// 4: token sharing

struct AkSkCall {
    client: Client,
    route: CalledRoute,
}

async fn aksk_create(call: Arc<AkSkCall>) -> Result<(), String> {
    call.client
        .create_called_route(&call.route)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Opens connections in the client's pool with plain requests (no token
/// involved), so that the cold and warm waves differ by the token alone.
async fn warm_pool(call: Arc<AkSkCall>) -> Result<(), String> {
    let url = format!("{}{}", call.client.base_url(), common::CREATE_PATH);
    call.client
        .raw()
        .client()
        .post(url)
        .bearer_auth(TOKEN)
        .json(&call.route.to_request())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn token_sharing(
    runtime: &tokio::runtime::Runtime,
    bare: &Bare,
    counts: &Counts,
    report: &mut Report,
) {
    let n = counts.token_calls;
    let mut tokens = Vec::new();
    let (mut cold, mut warm, mut cold_p50, mut warm_p50) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    runtime.block_on(async {
        for _ in 0..counts.token_trials {
            let call = Arc::new(AkSkCall {
                client: Client::builder()
                    .base_url(bare.base_url.as_str())
                    .credentials("bench-key", "bench-secret")
                    .build()
                    .expect("the AK/SK client builds"),
                route: documented_route(),
            });
            wave(n, call.clone(), warm_pool).await;
            let before = bare.token_requests();
            let (cold_wall, cold_latencies) = wave(n, call.clone(), aksk_create).await;
            tokens.push(bare.token_requests() - before);
            let (warm_wall, warm_latencies) = wave(n, call.clone(), aksk_create).await;
            cold.push(cold_wall.as_secs_f64() * 1e3);
            warm.push(warm_wall.as_secs_f64() * 1e3);
            cold_p50.push(quantile(&cold_latencies, 0.5));
            warm_p50.push(quantile(&warm_latencies, 0.5));
        }
    });
    let most = tokens.iter().copied().max().unwrap_or_default();
    let fewest = tokens.iter().copied().min().unwrap_or_default();
    report.row(
        "load.tokens",
        "4. token requests for 1,000 concurrent calls, cold cache",
        if most == fewest {
            most as f64
        } else {
            f64::NAN
        },
        Goal::Exactly(1.0),
        format!(
            "per trial: {tokens:?} ({} trials of {n} calls)",
            tokens.len()
        ),
    );
    report.counts(format!("{tokens:?} token requests"), "—");
    let (c, w) = (median(&cold), median(&warm));
    report.row(
        "load.tokens.first_wave",
        "4. first wave (cold token) ÷ warm wave, wall time",
        c / w,
        Goal::None,
        format!(
            "cold {c:.1} ms, warm {w:.1} ms (+{:.1} ms); median call {:.2} ms cold vs {:.2} ms warm; \
             connections pre-opened in both",
            c - w,
            median(&cold_p50),
            median(&warm_p50)
        ),
    );
    report.sides(format!("{c:.1} ms cold"), format!("{w:.1} ms warm"));
}

// ----------------------------------------------------------------------------
// 6: listing

/// What the listing figures need of the sandbox.
#[derive(Clone, Debug)]
struct SandboxInfo {
    base_url: String,
    app_key: String,
    app_secret: String,
}

impl SandboxInfo {
    fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url.as_str())
            .credentials(self.app_key.as_str(), self.app_secret.as_str())
            .build()
            .expect("the sandbox client builds")
    }
}

/// A sandbox holding `routes` routes (access code 9911411, extension codes
/// `0`…), seeded through its seed format.
fn start_sandbox(
    runtime: &tokio::runtime::Runtime,
    routes: usize,
) -> common::ServerThread<SandboxInfo> {
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).expect("seed json");
    seed["routes"] = (0..routes)
        .map(|i| {
            json!({"accessCode": "9911411", "extCode": i.to_string(), "devicetype": 1,
                   "deviceId": 2, "mediaTypeId": 5})
        })
        .collect();
    let seeded = Seed::from_json_str(&seed.to_string())
        .inspect_err(|e| {
            println!("the sandbox seed was refused ({e}); creating the routes through the client")
        })
        .ok();
    let server = spawn_server(2, move || async move {
        let sandbox = Sandbox::builder()
            .credentials("bench-key", "bench-secret")
            .seed(seeded.unwrap_or_default())
            .start()
            .await
            .expect("the sandbox starts");
        let info = SandboxInfo {
            base_url: sandbox.base_url().to_owned(),
            app_key: sandbox.app_key().to_owned(),
            app_secret: sandbox.app_secret().expose_secret().to_owned(),
        };
        (info, sandbox)
    });
    let info = server.info.clone();
    if runtime.block_on(sandbox_total(&info)) < routes {
        let client = info.client();
        let route = |i: usize| {
            CalledRoute::new("9911411", cec_routes::Device::SkillQueue(2))
                .and_then(|r| r.with_ext_code(i.to_string()))
                .expect("a valid route")
        };
        runtime.block_on(async {
            for i in 0..routes {
                client
                    .create_called_route(&route(i))
                    .await
                    .expect("the sandbox creates the route");
            }
        });
    }
    server
}

/// The sandbox's first page of 100 routes, as bytes.
async fn sandbox_page(sandbox: &SandboxInfo) -> Bytes {
    let token = sandbox_token(sandbox).await;
    raw_http()
        .post(format!("{}{}", sandbox.base_url, common::QUERY_PATH))
        .bearer_auth(token)
        .header("X-APP-Key", &sandbox.app_key)
        .json(&json!({"offset": 0, "limit": 100}))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the sandbox lists routes")
        .bytes()
        .await
        .expect("the page arrives")
}

/// How many routes the sandbox holds: the `total` of a one-route page.
async fn sandbox_total(sandbox: &SandboxInfo) -> usize {
    let token = sandbox_token(sandbox).await;
    let page: Value = raw_http()
        .post(format!("{}{}", sandbox.base_url, common::QUERY_PATH))
        .bearer_auth(token)
        .header("X-APP-Key", &sandbox.app_key)
        .json(&json!({"offset": 0, "limit": 1}))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the sandbox lists routes")
        .json()
        .await
        .expect("the page is JSON");
    page["data"]["total"]
        .as_u64()
        .expect("the page has a total") as usize
}

async fn sandbox_token(sandbox: &SandboxInfo) -> String {
    sandbox
        .client()
        .access_token()
        .await
        .expect("the sandbox issues a token")
        .secret()
        .expose_secret()
        .to_owned()
}

/// Every route, page by page (offset/limit 100), decoded into `Value`s.
async fn raw_list(http: &reqwest::Client, url: &str, token: &str, app_key: &str) -> Vec<Value> {
    let mut routes = Vec::new();
    loop {
        let page: Value = http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .bearer_auth(token)
            .header("X-APP-Key", app_key)
            .json(&json!({"offset": routes.len(), "limit": 100}))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the sandbox answers")
            .json()
            .await
            .expect("the page is JSON");
        assert_eq!(page["returnCode"], "0", "the sandbox lists: {page}");
        let total = page["data"]["total"].as_u64().unwrap_or_default() as usize;
        let Some(Value::Array(items)) = page["data"].get("calledRouteList").cloned() else {
            break;
        };
        if items.is_empty() {
            break;
        }
        routes.extend(items);
        if routes.len() >= total {
            break;
        }
    }
    routes
}

fn listing(sandbox: &SandboxInfo, counts: &Counts, report: &mut Report) {
    // One thread for client and connection, so the allocator counts all of
    // the client's work and none of the sandbox's.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the listing runtime builds");
    let client = sandbox.client();
    let http = raw_http();
    let url = format!("{}{}", sandbox.base_url, common::QUERY_PATH);
    let token = runtime.block_on(sandbox_token(sandbox));
    let expected = runtime.block_on(sandbox_total(sandbox));
    let wrapper_list = || {
        runtime.block_on(async {
            let started = Instant::now();
            let routes = client
                .called_routes(&RouteFilter::new())
                .await
                .expect("the wrapper lists every route");
            (started.elapsed(), routes.len())
        })
    };
    let raw_list = || {
        runtime.block_on(async {
            let started = Instant::now();
            let routes = raw_list(&http, &url, &token, &sandbox.app_key).await;
            (started.elapsed(), routes.len())
        })
    };
    // Warm-up: the token, the connection, the sandbox's caches.
    assert_eq!(wrapper_list().1, expected, "the wrapper lists every route");
    assert_eq!(raw_list().1, expected, "the raw client lists every route");

    let (mut wrapper_ms, mut raw_ms, mut wrapper_peak, mut raw_peak) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..counts.list_rounds {
        for wrapper_turn in [round.is_multiple_of(2), !round.is_multiple_of(2)] {
            let ((elapsed, listed), peak) = if wrapper_turn {
                peak_bytes(wrapper_list)
            } else {
                peak_bytes(raw_list)
            };
            assert_eq!(listed, expected, "every route is listed");
            let ms = elapsed.as_secs_f64() * 1e3;
            if wrapper_turn {
                wrapper_ms.push(ms);
                wrapper_peak.push(peak as f64);
            } else {
                raw_ms.push(ms);
                raw_peak.push(peak as f64);
            }
        }
    }
    let (w, r) = (median(&wrapper_ms), median(&raw_ms));
    report.row(
        "load.list.time",
        "6. listing 10,000 routes, time, wrapper ÷ raw reqwest+Value",
        w / r,
        Goal::None,
        format!("wrapper {w:.1} ms, raw {r:.1} ms ({expected} routes, pages of 100)"),
    );
    report.sides(format!("{w:.1} ms"), format!("{r:.1} ms raw reqwest"));
    let (w, r) = (median(&wrapper_peak), median(&raw_peak));
    report.row(
        "load.list.memory",
        "6. listing 10,000 routes, peak client memory, wrapper ÷ raw",
        w / r,
        Goal::None,
        format!(
            "wrapper {:.2} MiB, raw {:.2} MiB (bytes held by the client thread)",
            w / 1048576.0,
            r / 1048576.0
        ),
    );
    report.sides(
        format!("{:.2} MiB", w / 1048576.0),
        format!("{:.2} MiB raw reqwest", r / 1048576.0),
    );
}

// ----------------------------------------------------------------------------
// 8: the sandbox under oha

fn sandbox_under_oha(
    sandbox: &SandboxInfo,
    bare: &Bare,
    counts: &Counts,
    oha: Option<&Path>,
    report: &mut Report,
) {
    let figures = [
        (
            "load.sandbox.create",
            "8. sandbox create req/s ÷ bare server",
        ),
        (
            "load.sandbox.list",
            "8. sandbox list (page of 100) req/s ÷ bare server",
        ),
    ];
    let Some(oha) = oha else {
        for (id, figure) in figures {
            report.skipped(id, figure, format!("oha is not installed: {OHA_HINT}"));
        }
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime builds");
    let token = runtime.block_on(sandbox_token(sandbox));
    let n = counts.oha_requests;
    let sandbox_headers = [
        format!("Authorization: Bearer {token}"),
        format!("X-APP-Key: {}", sandbox.app_key),
    ];
    let bare_headers = [format!("Authorization: Bearer {TOKEN}")];

    // Creates with extension codes the seed does not use, picked at random
    // by oha from 100,000 lines: mostly new routes, some duplicates.
    let lines =
        std::env::temp_dir().join(format!("cec-bench-creates-{}.jsonl", std::process::id()));
    let bodies: String = (100_000..200_000)
        .map(|ext| {
            format!(
                "{{\"accessCode\":\"9911411\",\"extCode\":\"{ext}\",\"devicetype\":1,\"deviceId\":1,\"mediaTypeId\":19}}\n"
            )
        })
        .collect();
    std::fs::write(&lines, bodies).expect("the temporary body file is writable");
    let create_body = documented_body().to_string();
    let list_body = json!({"offset": 0, "limit": 100}).to_string();
    let sandbox_create = format!("{}{}", sandbox.base_url, common::CREATE_PATH);
    let sandbox_query = format!("{}{}", sandbox.base_url, common::QUERY_PATH);

    let before = runtime.block_on(sandbox_total(sandbox));
    let mut results = Vec::new();
    for _ in 0..counts.oha_rounds {
        let round = (|| -> Result<[f64; 4], String> {
            Ok([
                run_oha(
                    oha,
                    &sandbox_create,
                    n,
                    &sandbox_headers,
                    OhaBody::Lines(&lines),
                )?,
                run_oha(
                    oha,
                    &bare.create_url(),
                    n,
                    &bare_headers,
                    OhaBody::Fixed(&create_body),
                )?,
                run_oha(
                    oha,
                    &sandbox_query,
                    n,
                    &sandbox_headers,
                    OhaBody::Fixed(&list_body),
                )?,
                run_oha(
                    oha,
                    &bare.query_url(),
                    n,
                    &bare_headers,
                    OhaBody::Fixed(&list_body),
                )?,
            ])
        })();
        match round {
            Ok(round) => results.push(round),
            Err(e) => {
                let _ = std::fs::remove_file(&lines);
                for (id, figure) in figures {
                    report.skipped(id, figure, format!("oha failed: {e}"));
                }
                return;
            }
        }
    }
    let _ = std::fs::remove_file(&lines);
    let created = runtime.block_on(sandbox_total(sandbox)) - before;
    let column = |i: usize| median(&results.iter().map(|r| r[i]).collect::<Vec<_>>());
    let (sc, bc, sl, bl) = (column(0), column(1), column(2), column(3));
    report.row(
        figures[0].0,
        figures[0].1,
        sc / bc,
        Goal::AtLeast(0.5),
        format!(
            "sandbox {sc:.0} req/s, bare {bc:.0} req/s ({created} of {} creates were new routes)",
            n * results.len()
        ),
    );
    report.sides(
        format!("{sc:.0} req/s sandbox"),
        format!("{bc:.0} req/s bare"),
    );
    report.row(
        figures[1].0,
        figures[1].1,
        sl / bl,
        Goal::AtLeast(0.5),
        format!("sandbox {sl:.0} req/s, bare (same bytes, precomputed) {bl:.0} req/s"),
    );
    report.sides(
        format!("{sl:.0} req/s sandbox"),
        format!("{bl:.0} req/s bare"),
    );
}

// ----------------------------------------------------------------------------
// oha

enum OhaBody<'a> {
    Fixed(&'a str),
    /// A file with one body a line; oha picks one at random per request.
    Lines(&'a Path),
}

/// `oha` on the PATH, in `$OHA`, or in cargo's bin directory.
fn find_oha() -> Option<PathBuf> {
    let explicit = std::env::var_os("OHA").map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("oha"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("oha"));
    explicit
        .into_iter()
        .chain(on_path)
        .chain(cargo_home)
        .find(|candidate| candidate.is_file())
}

/// Runs oha (`n` POSTs, [`IN_FLIGHT`] connections) and gives its requests
/// per second; fails unless every answer was a 200.
fn run_oha(
    oha: &Path,
    url: &str,
    n: usize,
    headers: &[String],
    body: OhaBody<'_>,
) -> Result<f64, String> {
    let mut command = Command::new(oha);
    command
        .args(["--no-tui", "--output-format", "json", "-m", "POST"])
        .args(["-T", "application/json", "-A", "application/json"])
        .args(["-n", &n.to_string(), "-c", &IN_FLIGHT.to_string()])
        .args(["-t", "30s"]);
    for header in headers {
        command.args(["-H", header]);
    }
    match body {
        OhaBody::Fixed(text) => command.args(["-d", text]),
        OhaBody::Lines(path) => command.arg("-Z").arg(path),
    };
    let output = command
        .arg(url)
        .output()
        .map_err(|e| format!("could not run {}: {e}", oha.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} exited with {}: {}",
            oha.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let result: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("oha's output is not JSON ({e})"))?;
    let statuses = &result["statusCodeDistribution"];
    let ok = statuses["200"].as_u64().unwrap_or_default() as usize;
    if ok != n {
        return Err(format!(
            "{ok} of {n} answers were 200: {statuses}, errors {}",
            result["errorDistribution"]
        ));
    }
    result["summary"]["requestsPerSec"]
        .as_f64()
        .ok_or_else(|| "oha's output has no requestsPerSec".to_owned())
}
