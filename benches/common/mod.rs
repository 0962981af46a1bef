//! What both benchmarks share: a minimal loopback server on its own runtime,
//! the hand-written reqwest calls the wrapper is compared with, timing
//! statistics, and the results file `cargo xtask bench` summarises.

// Each bench binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::{
    future::Future,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    thread::JoinHandle,
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    http::{HeaderName, header::CONTENT_TYPE},
    routing::post,
    serve::ListenerExt,
};
use cec_routes::{CalledRoute, Device, MediaType};
use serde_json::{Value, json};

pub const CREATE_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute";
pub const QUERY_PATH: &str = "/apiaccess/rest/cc-management/v1/calledRoute/queryCalledRoute";
pub const TOKEN_PATH: &str = "/apigovernance/api/oauth/tokenByAkSk";

/// The documented createCalledRoute answer, sent by the bare server.
pub const CREATED: &str = r#"{"returnCode":"0","description":"data create success"}"#;

/// The content type of every answer of the bare server.
const JSON: [(HeaderName, &str); 1] = [(CONTENT_TYPE, "application/json")];

/// The documented tokenByAkSk answer (600 s).
const TOKEN: &str = r#"{"AccessToken":"bench-token","ApplyType":"Bearer","CreateTime":"1545650171","Expires":"600","Scope":"cc-management","AppKey":"bench-key","UserID":"Anonymous"}"#;

/// Whether the binary runs as a benchmark (`cargo bench` passes `--bench`)
/// or as a smoke test (`cargo test --benches` does not): smoke tests use
/// tiny counts.
pub fn bench_mode() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// The documented create example, through the wrapper's types.
pub fn documented_route() -> CalledRoute {
    CalledRoute::new("9911411", Device::SkillQueue(1))
        .and_then(|r| r.with_ext_code("11"))
        .and_then(|r| r.with_media_type(MediaType::Video))
        .expect("the documented example is a valid route")
}

/// The same body, as a hand-written client would write it; checked once
/// against what the wrapper serializes.
pub fn documented_body() -> Value {
    let body = json!({
        "accessCode": "9911411",
        "extCode": "11",
        "devicetype": 1,
        "deviceId": 1,
        "mediaTypeId": 19,
    });
    let wrapper = serde_json::to_value(documented_route().to_request()).expect("serializes");
    assert_eq!(body, wrapper, "the raw body must be the wrapper's body");
    body
}

/// A reqwest client with the wrapper's settings (no redirects, the same
/// timeouts, default connection pool).
pub fn raw_http() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent("cec-routes-bench-raw/0")
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("the raw reqwest client builds")
}

/// createCalledRoute written by hand: the wrapper's headers and body, the
/// answer decoded and its `returnCode` checked.
pub async fn raw_create(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<(), String> {
    let response = http
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    let answer: Value = response.json().await.map_err(|e| e.to_string())?;
    match answer.get("returnCode").and_then(Value::as_str) {
        Some("0") => Ok(()),
        other => Err(format!("returnCode {other:?}")),
    }
}

/// A server on its own thread and tokio runtime, so that client and server
/// are scheduled independently; it stops when dropped.
pub struct ServerThread<T> {
    pub info: T,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Starts `start` on a new thread with a runtime of `workers` threads; the
/// guard it returns lives until the [`ServerThread`] is dropped.
pub fn spawn_server<T, G, F, Fut>(workers: usize, start: F) -> ServerThread<T>
where
    T: Send + 'static,
    G: 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = (T, G)>,
{
    let (info_tx, info_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .expect("the server runtime builds");
        runtime.block_on(async move {
            let (info, guard) = start().await;
            info_tx.send(info).expect("the bench waits for the server");
            let _ = stop_rx.await;
            drop(guard);
        });
    });
    let info = info_rx.recv().expect("the server thread started");
    ServerThread {
        info,
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

impl<T> Drop for ServerThread<T> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The bare server: createCalledRoute answers [`CREATED`], tokenByAkSk a
/// token, queryCalledRoute a fixed page; it counts connections and token
/// requests.
#[derive(Clone, Debug)]
pub struct Bare {
    pub base_url: String,
    pub connections: Arc<AtomicUsize>,
    pub token_requests: Arc<AtomicUsize>,
}

impl Bare {
    pub fn create_url(&self) -> String {
        format!("{}{CREATE_PATH}", self.base_url)
    }

    pub fn query_url(&self) -> String {
        format!("{}{QUERY_PATH}", self.base_url)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn token_requests(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }
}

/// Starts the bare server with `workers` runtime threads; `page` is what
/// its queryCalledRoute answers.
pub fn bare_server(workers: usize, page: Bytes) -> ServerThread<Bare> {
    spawn_server(workers, move || async move {
        let connections = Arc::new(AtomicUsize::new(0));
        let token_requests = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let addr = listener.local_addr().expect("the listener has an address");
        let listener = listener.tap_io(move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
        });
        let tokens = token_requests.clone();
        let router = Router::new()
            .route(CREATE_PATH, post(move || async move { (JSON, CREATED) }))
            .route(
                TOKEN_PATH,
                post(move || {
                    tokens.fetch_add(1, Ordering::SeqCst);
                    async move { (JSON, TOKEN) }
                }),
            )
            .route(
                QUERY_PATH,
                post(move || {
                    let page = page.clone();
                    async move { (JSON, page) }
                }),
            );
        let server = tokio::spawn(async move { axum::serve(listener, router).await });
        let bare = Bare {
            base_url: format!("http://{addr}"),
            connections,
            token_requests,
        };
        (bare, AbortOnDrop(server))
    })
}

/// Aborts a task when dropped.
pub struct AbortOnDrop<T>(pub tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "a median needs values");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// The `q` quantile (0–1) of `values`, nearest rank.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    assert!(!values.is_empty(), "a quantile needs values");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// How a measured figure compares with its goal.
#[derive(Clone, Copy, Debug)]
pub enum Goal {
    /// No goal: a figure to track.
    None,
    AtMost(f64),
    AtLeast(f64),
    Exactly(f64),
}

impl Goal {
    fn text(self) -> String {
        match self {
            Goal::None => "—".to_owned(),
            Goal::AtMost(v) => format!("≤ {}", trim(v)),
            Goal::AtLeast(v) => format!("≥ {}", trim(v)),
            Goal::Exactly(v) => format!("= {}", trim(v)),
        }
    }

    fn pass(self, value: f64) -> Option<bool> {
        match self {
            Goal::None => None,
            Goal::AtMost(v) => Some(value <= v),
            Goal::AtLeast(v) => Some(value >= v),
            Goal::Exactly(v) => Some(value == v),
        }
    }
}

fn trim(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The figures of one bench binary: printed as a table at the end and
/// written to `<target>/cec-bench/<bench>.json` for `cargo xtask bench`.
pub struct Report {
    bench: &'static str,
    rows: Vec<Value>,
}

impl Report {
    pub fn new(bench: &'static str) -> Self {
        Report {
            bench,
            rows: Vec::new(),
        }
    }

    /// Adds a figure: `value` is what the goal is checked against,
    /// `detail` the numbers it comes from.
    pub fn row(&mut self, id: &str, figure: &str, value: f64, goal: Goal, detail: String) {
        let pass = goal.pass(value);
        println!(
            "[{}] {figure}: {} (goal {}) {} — {detail}",
            self.bench,
            trim(value),
            goal.text(),
            verdict(pass)
        );
        self.rows.push(json!({
            "id": id,
            "figure": figure,
            "value": value,
            "shown": trim(value),
            "goal": goal.text(),
            "pass": pass,
            "detail": detail,
        }));
    }

    /// The two sides of the last figure, as `BENCHMARKS.md` shows them
    /// (e.g. `184.8 µs` and `166.4 µs raw reqwest`): the figure is their
    /// ratio.
    pub fn sides(&mut self, wrapper: impl Into<String>, baseline: impl Into<String>) {
        let row = self.rows.last_mut().expect("sides follow a row");
        row["wrapper"] = Value::String(wrapper.into());
        row["baseline"] = Value::String(baseline.into());
    }

    /// Like [`sides`](Report::sides), for a figure that is a count, not a
    /// ratio of the two sides (connections, token requests).
    pub fn counts(&mut self, wrapper: impl Into<String>, baseline: impl Into<String>) {
        self.sides(wrapper, baseline);
        let row = self.rows.last_mut().expect("counts follow a row");
        row["ratio"] = Value::Bool(false);
    }

    /// A figure that could not be measured, and why.
    pub fn skipped(&mut self, id: &str, figure: &str, why: String) {
        println!("[{}] {figure}: skipped — {why}", self.bench);
        self.rows.push(json!({
            "id": id,
            "figure": figure,
            "value": null,
            "shown": "skipped",
            "goal": "",
            "pass": null,
            "detail": why,
        }));
    }

    /// Prints the table and writes the results file.
    pub fn finish(self) {
        println!("\n{} summary", self.bench);
        for row in &self.rows {
            println!(
                "  {:<58} {:>12}  {:<8} {}",
                row["figure"].as_str().unwrap_or_default(),
                row["shown"].as_str().unwrap_or_default(),
                row["goal"].as_str().unwrap_or_default(),
                verdict(row["pass"].as_bool()),
            );
        }
        if !bench_mode() {
            return;
        }
        let dir = results_dir();
        let path = dir.join(format!("{}.json", self.bench));
        let file = json!({ "bench": self.bench, "rows": self.rows });
        std::fs::create_dir_all(&dir)
            .and_then(|()| {
                std::fs::write(&path, serde_json::to_string_pretty(&file).expect("json"))
            })
            .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
        println!("results written to {}", path.display());
    }
}

fn verdict(pass: Option<bool>) -> &'static str {
    match pass {
        Some(true) => "PASS",
        Some(false) => "FAIL",
        None => "",
    }
}

/// The cargo target directory: the bench binary is `<target>/<profile>/deps/<name>`.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// Where results go: `CEC_BENCH_OUT`, or `<target>/cec-bench`.
pub fn results_dir() -> PathBuf {
    std::env::var_os("CEC_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("cec-bench"))
}
