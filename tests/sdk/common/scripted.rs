//! A loopback server that answers from a script and records when each
//! request arrived, on tokio's clock: for the tests that run in paused time
//! (retries' sleeps, the rate cap's windows).
//!
//! It runs on the test's own runtime, unlike wiremock's, which runs on a
//! thread of its own: in paused time tokio moves its clock forward whenever
//! the runtime has nothing to do, and a request waiting on another thread
//! would see its timeout fire. Here the loopback exchange is always ready
//! work, so paused time stands still while a request is under way, and an
//! arrival instant is the instant the client sent the request.

use std::sync::{Arc, Mutex};

use axum::{
    Router,
    body::Body,
    extract::Request,
    http::{HeaderName, HeaderValue, StatusCode},
    response::Response,
};
use tokio::{task::JoinHandle, time::Instant};

/// One answer of the script.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    /// `status` with a JSON `body`.
    pub fn json(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: body.to_owned(),
        }
    }

    /// The documented success of every business operation.
    pub fn success() -> Answer {
        Answer::json(200, r#"{"returnCode":"0","description":"success"}"#)
    }

    /// An empty page of a listing.
    pub fn empty_page() -> Answer {
        Answer::json(
            200,
            r#"{"returnCode":"0","description":"success","data":{"total":0,"calledRouteList":[]}}"#,
        )
    }

    /// The same answer with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Answer {
        self.headers.push((name, value.into()));
        self
    }
}

/// The script: the answer to the `n`th request (0 for the first), by path.
type Script = dyn Fn(usize, &str) -> Answer + Send + Sync;

/// A running scripted server; dropping it stops it.
pub struct Scripted {
    uri: String,
    arrivals: Arc<Mutex<Vec<(String, Instant)>>>,
    task: JoinHandle<()>,
}

impl Scripted {
    /// Serves on a free loopback port, on the current runtime.
    pub async fn start(script: impl Fn(usize, &str) -> Answer + Send + Sync + 'static) -> Scripted {
        let script: Arc<Script> = Arc::new(script);
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let recorded = arrivals.clone();
        let router = Router::new().fallback(move |request: Request| {
            let (script, recorded) = (script.clone(), recorded.clone());
            async move {
                let path = request.uri().path().to_owned();
                let n = {
                    let mut arrivals = recorded.lock().unwrap();
                    arrivals.push((path.clone(), Instant::now()));
                    arrivals.len() - 1
                };
                respond(script(n, &path))
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let uri = format!("http://{}", listener.local_addr().expect("a bound port"));
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("the scripted server serves");
        });
        Scripted {
            uri,
            arrivals,
            task,
        }
    }

    pub fn uri(&self) -> String {
        self.uri.clone()
    }

    /// When each request arrived, in order of arrival.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.arrivals
            .lock()
            .unwrap()
            .iter()
            .map(|(_, at)| *at)
            .collect()
    }

    /// How many requests arrived at `path`.
    pub fn requests_to(&self, path: &str) -> usize {
        self.arrivals
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .count()
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn respond(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).expect("a valid status");
    for (name, value) in answer.headers {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).expect("a valid header value"),
        );
    }
    response
}

/// The most of `instants` (in any order) that fall in one window
/// `[t, t + 1 s)`, over every `t`.
pub fn busiest_second(instants: &[Instant]) -> usize {
    let mut sorted = instants.to_vec();
    sorted.sort();
    let mut most = 0;
    let mut first = 0;
    for (last, at) in sorted.iter().enumerate() {
        while at.duration_since(sorted[first]) >= std::time::Duration::from_secs(1) {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}
