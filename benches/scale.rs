//! Issue 17, a 100,000-route tenant: costs that grow with the work, not
//! with the tenant. Each figure is a ratio measured side by side in one run:
//!
//! - 9: the sandbox's cost per request against the routes it holds: 1,000
//!   creates into a sandbox of 100,000 routes ÷ into one of 1,000 (wall
//!   time), and reading every page of 100,000 routes ÷ of 10,000 (time per
//!   route; all routes, and those of one access code as `plan` reads them);
//!   in-process sandboxes seeded through `Seed`, the SDK client,
//!   interleaved rounds, medians;
//! - 10: the client's memory: peak resident memory of the release
//!   `cec-routes export` and `cec-routes plan` (the export as the routes
//!   file, so no changes) over 100,000 and 10,000 routes served by a
//!   standalone release `cec-routes sandbox`, per route above the idle size
//!   (`cec-routes export` of a tenant with no routes);
//! - 11: plan is bound by the listing: `Plan::from_live` (what `plan_routes`
//!   does after the last page) over 100,000 live routes
//!   ÷ the listing of them (`Client::routes_of_access_codes`, what
//!   `Client::plan_routes` reads), in-process;
//! - 12: apply at scale: 10,000 creates at 16 in flight, `plan_routes` then
//!   `apply_plan` (what `cec-routes apply --parallel 16` runs) against a
//!   raw reqwest loop of the same 10,000 requests at the same concurrency,
//!   each on a fresh sandbox.
//!
//! The seeds are generated at run time (in memory, and for figure 10 as
//! files in a temporary directory removed afterwards); none is committed.
//! Figure 10 needs the release binary: `cargo xtask bench` builds it and
//! passes it in `CEC_BENCH_CLI`; without it (and without
//! `target/release/cec-routes`) the figure is skipped. Peak resident memory
//! comes from `/usr/bin/time -f %M` (GNU time), which reports the child's
//! `ru_maxrss` from `wait4`.
//!
//! `cargo bench --bench scale` (or `cargo xtask bench`); `cargo test
//! --benches` runs it with tiny counts as a smoke test. `CEC_BENCH_ONLY`
//! (comma-separated figure numbers, e.g. `CEC_BENCH_ONLY=12`) runs only
//! those figures.

mod common;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use cec_routes::{
    CalledRoute, Client, Device, RouteFilter,
    plan::{ApplyOptions, Plan, PlanOptions, RoutesFile},
};
use cec_routes_sandbox::{Sandbox, Seed};
use common::{Goal, Report, median, raw_http, spawn_server};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// The access code every generated route is under (the default seed's
/// voice-and-video one).
const ACCESS_CODE: &str = "9911411";

/// The counts: full for `cargo bench`, tiny for `cargo test --benches`.
struct Counts {
    /// The large tenant (100,000).
    large: usize,
    /// The small tenant of the create figure (1,000).
    small_create: usize,
    /// The small tenant of the listing and memory figures (10,000).
    small_list: usize,
    /// Creates timed into each sandbox (1,000).
    creates: usize,
    /// Creates applied in figure 12 (10,000).
    apply: usize,
    rounds: usize,
    memory_runs: usize,
}

impl Counts {
    fn new(full: bool) -> Self {
        if full {
            Counts {
                large: 100_000,
                small_create: 1_000,
                small_list: 10_000,
                creates: 1_000,
                apply: 10_000,
                rounds: 5,
                // At 10,000 routes the memory above idle is a MiB or two,
                // which the idle size's own spread moves by a tenth: the
                // medians of three runs of each.
                memory_runs: 3,
            }
        } else {
            Counts {
                large: 2_000,
                small_create: 100,
                small_list: 200,
                creates: 50,
                apply: 100,
                rounds: 1,
                memory_runs: 1,
            }
        }
    }
}

fn main() {
    let counts = Counts::new(common::bench_mode());
    let mut report = Report::new("scale");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the client runtime builds");

    if runs(9) || runs(11) {
        let large = seed_json(counts.large);
        if runs(9) {
            sandbox_creates(&runtime, &counts, &large, &mut report);
            sandbox_listing(&runtime, &counts, &large, &mut report);
        }
        if runs(11) {
            plan_after_listing(&runtime, &counts, &large, &mut report);
        }
    }
    if runs(12) {
        apply_at_scale(&runtime, &counts, &mut report);
    }
    if runs(10) {
        client_memory(&counts, &mut report);
    }

    report.finish();
}

/// Whether figure `figure` runs: every figure, unless `CEC_BENCH_ONLY`
/// names some (comma-separated numbers, e.g. `CEC_BENCH_ONLY=12`).
fn runs(figure: u32) -> bool {
    match std::env::var("CEC_BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only
            .split(',')
            .any(|f| f.trim().parse::<u32>().is_ok_and(|f| f == figure)),
        _ => true,
    }
}

// ----------------------------------------------------------------------------
// Seeds and sandboxes

/// The default seed with `routes` routes under [`ACCESS_CODE`], extension
/// codes `0`, `1`, … (skill queue 2, voice and video), as seed JSON.
fn seed_json(routes: usize) -> String {
    let mut seed: Value = serde_json::from_str(&Seed::default().to_json()).expect("seed json");
    seed["routes"] = (0..routes)
        .map(|i| {
            json!({"accessCode": ACCESS_CODE, "extCode": i.to_string(), "devicetype": 1,
                   "deviceId": 2, "mediaTypeId": 5})
        })
        .collect();
    seed.to_string()
}

/// Where an in-process sandbox listens and its credentials.
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

/// An in-process sandbox on its own thread and 2-thread runtime, seeded
/// with `seed` (seed JSON).
fn start_sandbox(seed: &str) -> common::ServerThread<SandboxInfo> {
    let seed = Seed::from_json_str(seed).expect("the sandbox takes the generated seed");
    spawn_server(2, move || async move {
        let sandbox = Sandbox::builder()
            .credentials("bench-key", "bench-secret")
            .seed(seed)
            .start()
            .await
            .expect("the sandbox starts");
        let info = SandboxInfo {
            base_url: sandbox.base_url().to_owned(),
            app_key: sandbox.app_key().to_owned(),
            app_secret: sandbox.app_secret().expose_secret().to_owned(),
        };
        (info, sandbox)
    })
}

/// `n` new routes, extension codes from 1,000,000 on (none in any seed).
fn new_routes(n: usize) -> Vec<CalledRoute> {
    (0..n)
        .map(|i| {
            CalledRoute::new(ACCESS_CODE, Device::SkillQueue(2))
                .and_then(|r| r.with_ext_code((1_000_000 + i).to_string()))
                .expect("a valid route")
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// No figure starts another round after this long (a slow figure runs
/// one round).
const BUDGET: Duration = Duration::from_secs(60);

/// Runs `f` for each of two sides, alternating which goes first by round,
/// for `rounds` rounds or until [`BUDGET`] has passed; gives the times of
/// side A and of side B.
fn interleaved(rounds: usize, mut f: impl FnMut(usize, bool) -> f64) -> (Vec<f64>, Vec<f64>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let started = Instant::now();
    for round in 0..rounds {
        if round > 0 && started.elapsed() > BUDGET {
            break;
        }
        for a_turn in [round.is_multiple_of(2), !round.is_multiple_of(2)] {
            let value = f(round, a_turn);
            if a_turn {
                a.push(value);
            } else {
                b.push(value);
            }
        }
    }
    (a, b)
}

// ----------------------------------------------------------------------------
// 9: the sandbox's cost per request

fn sandbox_creates(
    runtime: &tokio::runtime::Runtime,
    counts: &Counts,
    large: &str,
    report: &mut Report,
) {
    let small = seed_json(counts.small_create);
    let routes = new_routes(counts.creates);
    // A fresh pair of sandboxes each round, so both start each round at
    // their size; the creates are one at a time, so the wall time is the
    // sum of the requests' times.
    let mut pair = None;
    let (large_ms, small_ms) = interleaved(counts.rounds, |round, large_turn| {
        if pair.as_ref().is_none_or(|(r, _, _)| *r != round) {
            pair = None;
            pair = Some((round, start_sandbox(large), start_sandbox(&small)));
        }
        let (_, big, little) = pair.as_ref().expect("the pair was just started");
        let sandbox = if large_turn { &big.info } else { &little.info };
        let client = sandbox.client();
        runtime.block_on(async {
            client.access_token().await.expect("a token");
            let started = Instant::now();
            for route in &routes {
                client
                    .create_called_route(route)
                    .await
                    .expect("the sandbox creates the route");
            }
            ms(started.elapsed())
        })
    });
    drop(pair);
    let (l, s) = (median(&large_ms), median(&small_ms));
    report.row(
        "scale.sandbox.create",
        &format!(
            "9. {} creates into a sandbox of {} routes ÷ of {}, wall time",
            thousands(counts.creates),
            thousands(counts.large),
            thousands(counts.small_create)
        ),
        l / s,
        Goal::AtMost(1.25),
        format!(
            "{l:.1} ms into {} routes, {s:.1} ms into {} (one at a time, SDK client, in-process \
             sandbox; medians of {} interleaved rounds, each on fresh sandboxes)",
            counts.large,
            counts.small_create,
            large_ms.len()
        ),
    );
    report.sides(
        format!("{l:.1} ms at {}", thousands(counts.large)),
        format!("{s:.1} ms at {}", thousands(counts.small_create)),
    );
}

fn sandbox_listing(
    runtime: &tokio::runtime::Runtime,
    counts: &Counts,
    large: &str,
    report: &mut Report,
) {
    let big = start_sandbox(large);
    let little = start_sandbox(&seed_json(counts.small_list));
    let clients = [big.info.client(), little.info.client()];
    // Warm-up: tokens, connections.
    for client in &clients {
        runtime
            .block_on(client.called_routes_page(&RouteFilter::new(), 0, 100))
            .expect("a page");
    }
    let unfiltered = RouteFilter::new();
    let filtered = RouteFilter::new()
        .access_code(ACCESS_CODE)
        .expect("a valid access code");
    listing_figure(
        runtime,
        counts,
        &clients,
        &unfiltered,
        ("scale.sandbox.list", ""),
        report,
    );
    listing_figure(
        runtime,
        counts,
        &clients,
        &filtered,
        (
            "scale.sandbox.list.access_code",
            " of one access code (as plan reads)",
        ),
        report,
    );
}

/// Figure 9's listing, with `filter`: `clients` of the large and the small
/// sandbox.
fn listing_figure(
    runtime: &tokio::runtime::Runtime,
    counts: &Counts,
    clients: &[Client; 2],
    filter: &RouteFilter,
    (id, which): (&str, &str),
    report: &mut Report,
) {
    let list = |client: &Client| {
        runtime.block_on(async {
            let started = Instant::now();
            let routes = client
                .called_routes(filter)
                .await
                .expect("the client lists every route");
            (started.elapsed(), routes.len())
        })
    };
    let (large_us, small_us) = interleaved(counts.rounds, |_, large_turn| {
        let (elapsed, listed) = list(&clients[usize::from(!large_turn)]);
        let expected = if large_turn {
            counts.large
        } else {
            counts.small_list
        };
        assert_eq!(listed, expected, "every route is listed");
        elapsed.as_secs_f64() * 1e6 / listed as f64
    });
    let (l, s) = (median(&large_us), median(&small_us));
    report.row(
        id,
        &format!(
            "9. listing every page of {} routes{which} ÷ of {}, time per route",
            thousands(counts.large),
            thousands(counts.small_list)
        ),
        l / s,
        Goal::AtMost(1.25),
        format!(
            "{l:.2} µs per route over {} routes ({:.0} ms), {s:.2} µs over {} (pages of 100, SDK \
             client, in-process sandbox; medians of {} interleaved rounds)",
            counts.large,
            l * counts.large as f64 / 1e3,
            counts.small_list,
            large_us.len()
        ),
    );
    report.sides(
        format!("{l:.2} µs/route at {}", thousands(counts.large)),
        format!("{s:.2} µs/route at {}", thousands(counts.small_list)),
    );
}

// ----------------------------------------------------------------------------
// 11: plan is bound by the listing

fn plan_after_listing(
    runtime: &tokio::runtime::Runtime,
    counts: &Counts,
    large: &str,
    report: &mut Report,
) {
    let sandbox = start_sandbox(large);
    let client = sandbox.info.client();
    // The routes file is the export itself, read back as `plan -f` reads it.
    let live = runtime
        .block_on(client.called_routes(&RouteFilter::new()))
        .expect("the client lists every route");
    let (exported, skipped) = RoutesFile::export(&live);
    assert!(skipped.is_empty(), "every generated route exports");
    let file = RoutesFile::parse(&exported.to_yaml()).expect("the export reads back");
    drop((live, exported));
    let codes = file.access_codes();
    let (mut listing_ms, mut plan_ms) = (Vec::new(), Vec::new());
    let begun = Instant::now();
    for _ in 0..counts.rounds {
        if begun.elapsed() > BUDGET {
            break;
        }
        let started = Instant::now();
        let live = runtime
            .block_on(client.routes_of_access_codes(&codes))
            .expect("the client lists the file's access codes");
        listing_ms.push(ms(started.elapsed()));
        // What `plan_routes` (and so `cec-routes plan`) does after the
        // last page: the live routes move into the plan.
        let started = Instant::now();
        let plan = Plan::from_live(&file, live, PlanOptions::new());
        plan_ms.push(ms(started.elapsed()));
        assert!(plan.is_converged(), "the export plans no changes");
        assert_eq!(
            plan.unchanged.len(),
            counts.large,
            "every route is unchanged"
        );
    }
    let (l, p) = (median(&listing_ms), median(&plan_ms));
    report.row(
        "scale.plan",
        &format!(
            "11. plan of {} routes: time after the last page ÷ listing time",
            thousands(counts.large)
        ),
        p / l,
        Goal::AtMost(0.1),
        format!(
            "Plan::from_live {p:.1} ms, listing (routes_of_access_codes, as plan_routes reads) {l:.1} \
             ms; the routes file is the export, no changes (medians of {} rounds, in-process \
             sandbox; the CLI's printing of the plan is not included)",
            plan_ms.len()
        ),
    );
    report.sides(format!("{p:.1} ms plan"), format!("{l:.1} ms listing"));
}

// ----------------------------------------------------------------------------
// 12: apply at scale

/// What the raw loop needs of a sandbox.
struct RawCreates {
    http: reqwest::Client,
    url: String,
    token: String,
    app_key: String,
    bodies: Vec<Value>,
    next: AtomicUsize,
}

/// The raw loop: `in_flight` tasks taking the next body until none is left.
async fn raw_creates(state: Arc<RawCreates>, in_flight: usize) -> usize {
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let state = state.clone();
        workers.spawn(async move {
            let mut done = 0;
            loop {
                let i = state.next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = state.bodies.get(i) else {
                    break done;
                };
                raw_create(&state, body).await;
                done += 1;
            }
        });
    }
    let mut done = 0;
    while let Some(worker) = workers.join_next().await {
        done += worker.expect("a raw worker panicked");
    }
    done
}

/// The raw loop's shape with the SDK's call: `in_flight` tasks taking the
/// next route and creating it with `Client::create_called_route`.
async fn sdk_creates(client: Client, routes: Arc<Vec<CalledRoute>>, in_flight: usize) -> usize {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (client, routes, next) = (client.clone(), routes.clone(), next.clone());
        workers.spawn(async move {
            let mut done = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(route) = routes.get(i) else {
                    break done;
                };
                client
                    .create_called_route(route)
                    .await
                    .expect("the sandbox creates");
                done += 1;
            }
        });
    }
    let mut done = 0;
    while let Some(worker) = workers.join_next().await {
        done += worker.expect("an SDK worker panicked");
    }
    done
}

/// One createCalledRoute, written by hand; panics unless it succeeds.
async fn raw_create(state: &RawCreates, body: &Value) {
    let answer: Value = state
        .http
        .post(&state.url)
        .header(reqwest::header::ACCEPT, "application/json")
        .bearer_auth(&state.token)
        .header("X-APP-Key", &state.app_key)
        .json(body)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the sandbox answers")
        .json()
        .await
        .expect("the answer is JSON");
    assert_eq!(answer["returnCode"], "0", "the sandbox creates: {answer}");
}

fn apply_at_scale(runtime: &tokio::runtime::Runtime, counts: &Counts, report: &mut Report) {
    const PARALLEL: usize = 16;
    let empty = seed_json(0);
    let routes = new_routes(counts.apply);
    let file = RoutesFile::from_routes(routes.iter().cloned()).expect("no duplicates");
    let bodies: Vec<Value> = routes
        .iter()
        .map(|r| serde_json::to_value(r.to_request()).expect("serializes"))
        .collect();
    let mut sdk_ms = Vec::new();
    let (apply_ms, raw_ms) = interleaved(counts.rounds.clamp(1, 3), |_, apply_turn| {
        let sandbox = start_sandbox(&empty);
        let client = sandbox.info.client();
        let token = runtime
            .block_on(client.access_token())
            .expect("a token")
            .secret()
            .expose_secret()
            .to_owned();
        if apply_turn {
            runtime.block_on(async {
                let started = Instant::now();
                let plan = client
                    .plan_routes(&file, PlanOptions::new())
                    .await
                    .expect("the plan");
                let applied = client
                    .apply_plan(&plan, ApplyOptions::new().parallel(PARALLEL), |_| {})
                    .await;
                let elapsed = ms(started.elapsed());
                assert_eq!(applied.applied(), counts.apply, "every create is applied");
                elapsed
            })
        } else {
            let state = Arc::new(RawCreates {
                http: raw_http(),
                url: format!("{}{}", sandbox.info.base_url, common::CREATE_PATH),
                token,
                app_key: sandbox.info.app_key.clone(),
                bodies: bodies.clone(),
                next: AtomicUsize::new(0),
            });
            let elapsed = runtime.block_on(async {
                let started = Instant::now();
                let done = raw_creates(state.clone(), PARALLEL).await;
                let elapsed = ms(started.elapsed());
                assert_eq!(done, counts.apply, "every raw create is made");
                elapsed
            });
            // The same creates through the SDK's call on 16 tasks, into a
            // fresh sandbox: what apply adds beyond its calls.
            drop(sandbox);
            let sandbox = start_sandbox(&empty);
            let client = sandbox.info.client();
            runtime.block_on(client.access_token()).expect("a token");
            let routes = Arc::new(routes.clone());
            sdk_ms.push(runtime.block_on(async {
                let started = Instant::now();
                let done = sdk_creates(client, routes, PARALLEL).await;
                assert_eq!(done, counts.apply, "every SDK create is made");
                ms(started.elapsed())
            }));
            elapsed
        }
    });
    let (a, r) = (median(&apply_ms), median(&raw_ms));
    report.row(
        "scale.apply",
        &format!(
            "12. apply of {} creates at 16 in flight, raw reqwest's wall time ÷ apply's",
            thousands(counts.apply)
        ),
        r / a,
        Goal::AtLeast(0.9),
        format!(
            "apply (plan_routes + apply_plan, parallel 16) {a:.0} ms, raw reqwest loop (16 tasks) \
             {r:.0} ms; {:.0} vs {:.0} creates/s (medians of {} interleaved rounds, each on a \
             fresh in-process sandbox)",
            counts.apply as f64 / a * 1e3,
            counts.apply as f64 / r * 1e3,
            apply_ms.len()
        ),
    );
    report.sides(format!("{a:.0} ms apply"), format!("{r:.0} ms raw reqwest"));
    let o = median(&sdk_ms);
    report.row(
        "scale.apply.sdk_loop",
        "12. the same loop with the SDK's create (16 tasks) ÷ apply",
        o / a,
        Goal::None,
        format!(
            "Client::create_called_route on 16 tasks taking the next route: {o:.0} ms, apply \
             {a:.0} ms, raw reqwest on 16 tasks {r:.0} ms (what of apply's time is its calls, \
             what its plan, tasks and bookkeeping)"
        ),
    );
    report.sides(format!("{o:.0} ms SDK loop"), format!("{a:.0} ms apply"));
}

// ----------------------------------------------------------------------------
// 10: the client's memory

/// The release `cec-routes` binary: `CEC_BENCH_CLI`, or
/// `<target>/release/cec-routes`.
fn cli_binary() -> Option<PathBuf> {
    std::env::var_os("CEC_BENCH_CLI")
        .map(PathBuf::from)
        .or_else(|| Some(common::target_dir().join("release").join("cec-routes")))
        .filter(|path| path.is_file())
}

/// A standalone `cec-routes sandbox` child, killed when dropped.
struct Standalone {
    child: Child,
    env: Vec<(String, String)>,
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cec-routes sandbox --seed <seed> --port 0` and reads the
/// `CEC_*` lines it prints; `config` is its `XDG_CONFIG_HOME`.
fn standalone(cli: &Path, seed: &Path, config: &Path) -> Result<Standalone, String> {
    let mut child = Command::new(cli)
        .args(["sandbox", "--port", "0", "--seed"])
        .arg(seed)
        .env_remove("CEC_APP_KEY")
        .env_remove("CEC_APP_SECRET")
        .env_remove("CEC_TOKEN")
        .env_remove("CEC_CONFIG")
        .env_remove("CEC_PROFILE")
        .env("XDG_CONFIG_HOME", config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", cli.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let mut sandbox = Standalone {
        child,
        env: Vec::new(),
    };
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("the sandbox's output: {e}"))?;
        if let Some((name, value)) = line.split_once('=')
            && name.starts_with("CEC_")
        {
            sandbox.env.push((name.to_owned(), value.to_owned()));
            if name == "CEC_APP_SECRET" {
                return Ok(sandbox);
            }
        }
    }
    Err("the sandbox ended before printing its CEC_* lines".to_owned())
}

/// Peak resident memory (KiB) of `cli args…` run under GNU time, its
/// stdout to `stdout`, with `env` and `config` as its `XDG_CONFIG_HOME`.
fn peak_kib(
    cli: &Path,
    args: &[&str],
    env: &[(String, String)],
    config: &Path,
    stdout: Option<&Path>,
) -> Result<f64, String> {
    let mut command = Command::new("/usr/bin/time");
    command
        .args(["-f", "peak-rss-kib=%M"])
        .arg(cli)
        .args(args)
        .env_remove("CEC_CONFIG")
        .env_remove("CEC_PROFILE")
        .env_remove("CEC_TOKEN")
        .env("XDG_CONFIG_HOME", config)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    match stdout {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
            command.stdout(file);
        }
        None => {
            command.stdout(Stdio::null());
        }
    }
    let output = command
        .output()
        .map_err(|e| format!("could not run /usr/bin/time: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "`cec-routes {}` exited with {}: {}",
            args.join(" "),
            output.status,
            stderr.trim()
        ));
    }
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kib="))
        .and_then(|kib| kib.trim().parse().ok())
        .ok_or_else(|| format!("no peak RSS in GNU time's output: {}", stderr.trim()))
}

/// Peak RSS (KiB, medians) of export and of plan (unless `routes` is 0)
/// over `routes` routes.
fn export_and_plan(
    cli: &Path,
    dir: &Path,
    routes: usize,
    runs: usize,
) -> Result<(f64, f64), String> {
    let config = dir.join("config");
    let seed = dir.join(format!("seed-{routes}.json"));
    std::fs::write(&seed, seed_json(routes)).map_err(|e| e.to_string())?;
    let sandbox = standalone(cli, &seed, &config)?;
    let export = dir.join(format!("export-{routes}.yaml"));
    let export_arg = export.to_str().ok_or("a temporary path that is UTF-8")?;
    let (mut exports, mut plans) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        exports.push(peak_kib(
            cli,
            &["export"],
            &sandbox.env,
            &config,
            Some(&export),
        )?);
        if routes > 0 {
            plans.push(peak_kib(
                cli,
                &["plan", "-f", export_arg],
                &sandbox.env,
                &config,
                None,
            )?);
        }
    }
    let listed = std::fs::read_to_string(&export)
        .map_err(|e| e.to_string())?
        .matches("accessCode:")
        .count();
    if listed != routes {
        return Err(format!("export wrote {listed} routes of {routes}"));
    }
    let plan = if plans.is_empty() {
        f64::NAN
    } else {
        median(&plans)
    };
    Ok((median(&exports), plan))
}

fn client_memory(counts: &Counts, report: &mut Report) {
    let ids = [
        ("scale.memory.export", "export"),
        ("scale.memory.plan", "plan"),
    ];
    let figure = |command: &str, what: &str| {
        format!(
            "10. `cec-routes {command}` of {} routes, {what}",
            thousands(counts.large)
        )
    };
    let skip = |report: &mut Report, why: String| {
        for (id, command) in ids {
            report.skipped(id, &figure(command, "peak RSS per route"), why.clone());
        }
    };
    let Some(cli) = cli_binary() else {
        return skip(
            report,
            "no release cec-routes binary: `cargo xtask bench` builds it, or set CEC_BENCH_CLI"
                .to_owned(),
        );
    };
    if !Path::new("/usr/bin/time").is_file() {
        return skip(
            report,
            "GNU time (/usr/bin/time) is not installed".to_owned(),
        );
    }
    let dir = std::env::temp_dir().join(format!("cec-bench-scale-{}", std::process::id()));
    let measured = (|| -> Result<_, String> {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // An empty config directory: no profile of the user's applies.
        let config = dir.join("config");
        let version = median(
            &(0..counts.memory_runs.max(3))
                .map(|_| peak_kib(&cli, &["--version"], &[], &config, None))
                .collect::<Result<Vec<_>, _>>()?,
        );
        // The idle size: the same process doing the same work over no
        // routes (runtime, HTTP client, token, one empty page).
        let (idle, _) = export_and_plan(&cli, &dir, 0, counts.memory_runs.max(3))?;
        let small = export_and_plan(&cli, &dir, counts.small_list, counts.memory_runs)?;
        let large = export_and_plan(&cli, &dir, counts.large, counts.memory_runs)?;
        Ok((version, idle, small, large))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let (version, idle, small, large) = match measured {
        Ok(measured) => measured,
        Err(why) => return skip(report, why),
    };
    for (i, (id, command)) in ids.into_iter().enumerate() {
        let (s, l) = if i == 0 {
            (small.0, large.0)
        } else {
            (small.1, large.1)
        };
        let per_large = (l - idle) * 1024.0 / counts.large as f64;
        let per_small = (s - idle) * 1024.0 / counts.small_list as f64;
        report.row(
            id,
            &figure(command, "bytes per route above idle"),
            per_large,
            Goal::AtMost(1024.0),
            format!(
                "peak RSS {:.1} MiB over {} routes, {:.1} MiB over {}, idle {:.1} MiB (`export` \
                 of a tenant with no routes; `--version` {:.1} MiB): {per_large:.0} B per route \
                 at {}, {per_small:.0} B at {} (release binary, standalone release sandbox, \
                 medians of {} runs, GNU time %M)",
                l / 1024.0,
                counts.large,
                s / 1024.0,
                counts.small_list,
                idle / 1024.0,
                version / 1024.0,
                counts.large,
                counts.small_list,
                counts.memory_runs
            ),
        );
        report.sides(
            format!("{:.1} MiB peak", l / 1024.0),
            format!("{:.1} MiB idle", idle / 1024.0),
        );
        report.row(
            &format!("{id}.growth"),
            &figure(
                command,
                &format!(
                    "per-route memory at {} ÷ at {}",
                    thousands(counts.large),
                    thousands(counts.small_list)
                ),
            ),
            per_large / per_small,
            Goal::AtMost(1.1),
            format!("{per_large:.0} B per route ÷ {per_small:.0} B per route"),
        );
        report.sides(
            format!("{per_large:.0} B/route at {}", thousands(counts.large)),
            format!("{per_small:.0} B/route at {}", thousands(counts.small_list)),
        );
    }
}

/// `100000` as `100,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
