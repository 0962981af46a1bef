//! The throttle in front of the sandbox ([`SandboxBuilder::rate_limit`](crate::SandboxBuilder::rate_limit)):
//! at most N requests, of every endpoint together, in any sliding
//! one-second window; one more is answered 429 with `Retry-After`, and not
//! carried out, as a throttling gateway in front of CEC would.

use std::{
    collections::VecDeque,
    num::NonZeroU32,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::time::Instant;

use crate::{Shared, return_code, wire::Envelope};

/// The window the limit is counted over.
const WINDOW: Duration = Duration::from_secs(1);

/// The requests let through in the last second, and the count of those
/// refused.
#[derive(Debug)]
pub(crate) struct Throttle {
    limit: NonZeroU32,
    /// When each request let through in the last second arrived, oldest
    /// first (tokio's clock, so paused time in tests moves it).
    admitted: Mutex<VecDeque<Instant>>,
    refused: AtomicUsize,
}

impl Throttle {
    pub(crate) fn new(limit: NonZeroU32) -> Self {
        Throttle {
            limit,
            // Grows with the traffic: a limit of billions must not reserve
            // gigabytes when the sandbox starts.
            admitted: Mutex::new(VecDeque::new()),
            refused: AtomicUsize::new(0),
        }
    }

    pub(crate) fn limit(&self) -> u32 {
        self.limit.get()
    }

    /// How many requests were refused so far.
    pub(crate) fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Lets a request arriving now through, or says how long until one
    /// would be: when the oldest of the last second's requests leaves the
    /// window. A refused request does not count.
    fn admit(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut admitted = self.admitted.lock().unwrap_or_else(PoisonError::into_inner);
        while admitted
            .front()
            .is_some_and(|at| now.duration_since(*at) >= WINDOW)
        {
            admitted.pop_front();
        }
        if admitted.len() < self.limit.get() as usize {
            admitted.push_back(now);
            return Ok(());
        }
        self.refused.fetch_add(1, Ordering::SeqCst);
        let oldest = admitted.front().copied().unwrap_or(now);
        Err((oldest + WINDOW).saturating_duration_since(now))
    }
}

/// The middleware: let the request through, or answer 429.
pub(crate) async fn throttle(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(throttle) = &shared.throttle else {
        return next.run(request).await;
    };
    match throttle.admit() {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(
            throttle.limit,
            wait,
            Envelope::of_path(request.uri().path()),
        ),
    }
}

/// 429 with `Retry-After` in whole seconds (rounded up, at least 1) and
/// the sandbox's refusal body, in the envelope of the endpoint asked.
fn too_many_requests(limit: NonZeroU32, wait: Duration, envelope: Envelope) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    tracing::debug!(retry_after_s = seconds, "throttled");
    let body = envelope.body(
        return_code::THROTTLED,
        format!(
            "more than {limit} requests in one second; try again after {seconds} s \
             (Retry-After); the request was not carried out"
        ),
    );
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("the body reads");
        serde_json::from_slice(&bytes).expect("the body is JSON")
    }

    #[tokio::test]
    async fn a_refusal_answers_in_the_envelope_of_the_endpoint_asked() {
        let limit = NonZeroU32::new(5).unwrap();
        let wait = Duration::from_millis(300);
        let ivr = body_of(too_many_requests(limit, wait, Envelope::RetCode)).await;
        assert_eq!(ivr["retCode"], return_code::THROTTLED, "{ivr}");
        assert!(ivr.get("returnCode").is_none(), "{ivr}");
        let routes = body_of(too_many_requests(limit, wait, Envelope::ReturnCode)).await;
        assert_eq!(routes["returnCode"], return_code::THROTTLED, "{routes}");
        assert!(routes.get("retCode").is_none(), "{routes}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_slides_and_refusals_do_not_count() {
        let throttle = Throttle::new(NonZeroU32::new(2).unwrap());
        assert!(throttle.admit().is_ok());
        tokio::time::advance(Duration::from_millis(400)).await;
        assert!(throttle.admit().is_ok());
        assert_eq!(throttle.admit(), Err(Duration::from_millis(600)));
        tokio::time::advance(Duration::from_millis(600)).await;
        assert!(throttle.admit().is_ok(), "the first left the window");
        assert_eq!(throttle.admit(), Err(Duration::from_millis(400)));
        assert_eq!(throttle.refused(), 2);
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        let limit = NonZeroU32::new(5).unwrap();
        for (wait, header) in [(0, "1"), (1, "1"), (999, "1"), (1000, "1"), (1001, "2")] {
            let response =
                too_many_requests(limit, Duration::from_millis(wait), Envelope::ReturnCode);
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(response.headers()[RETRY_AFTER], header, "{wait} ms");
        }
    }
}
