//! The client's own request rate cap
//! ([`ClientBuilder::max_requests_per_second`](crate::ClientBuilder::max_requests_per_second)):
//! at most N requests start in any one-second window, so that a gateway that
//! counts requests per second never sees more than N from this client.

use std::{collections::VecDeque, num::NonZeroU32, time::Duration};

use tokio::{sync::Mutex, time::Instant};

/// The window the cap is counted over.
const WINDOW: Duration = Duration::from_secs(1);

/// A sliding-window limiter: the start times of the requests of the last
/// second, and a first-come, first-served queue for the next start.
///
/// Every request of a client passes through it (business operations,
/// `tokenByAkSk`, retries, calls through `Client::raw`), just before it is
/// handed to the HTTP client, so waiting here does not count against the
/// request's timeout. Bursts are capped too: the N+1st request waits until
/// the first of the N leaves the window, whatever the concurrency.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: NonZeroU32,
    /// The start times of the last second's requests, oldest first; the
    /// lock is held while waiting, so waiters are served in order.
    starts: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    pub(crate) fn new(per_second: NonZeroU32) -> Self {
        RateLimiter {
            per_second,
            starts: Mutex::new(VecDeque::with_capacity(per_second.get() as usize)),
        }
    }

    pub(crate) fn per_second(&self) -> u32 {
        self.per_second.get()
    }

    /// Waits until a request may start, and counts it as started.
    pub(crate) async fn acquire(&self) {
        let mut starts = self.starts.lock().await;
        let limit = self.per_second.get() as usize;
        forget_before(&mut starts, Instant::now());
        if starts.len() >= limit {
            // The oldest start leaves the window at `oldest + WINDOW`.
            let oldest = starts[starts.len() - limit];
            tokio::time::sleep_until(oldest + WINDOW).await;
            forget_before(&mut starts, Instant::now());
        }
        starts.push_back(Instant::now());
    }
}

/// Drops the starts that are a whole window old at `now`.
fn forget_before(starts: &mut VecDeque<Instant>, now: Instant) {
    while starts
        .front()
        .is_some_and(|start| now.duration_since(*start) >= WINDOW)
    {
        starts.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The most instants of `starts` (sorted) in any window [t, t + 1 s).
    fn busiest_window(starts: &[Instant]) -> usize {
        let mut most = 0;
        let mut first = 0;
        for (last, start) in starts.iter().enumerate() {
            while start.duration_since(starts[first]) >= WINDOW {
                first += 1;
            }
            most = most.max(last - first + 1);
        }
        most
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_of_a_second_holds_more_than_the_cap_whatever_the_concurrency() {
        let limiter = Arc::new(RateLimiter::new(NonZeroU32::new(7).unwrap()));
        let started = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..50u64 {
            let (limiter, started) = (limiter.clone(), started.clone());
            tasks.spawn(async move {
                // Arrivals spread over a little more than a second, in bursts.
                tokio::time::sleep(Duration::from_millis(task / 10 * 300)).await;
                limiter.acquire().await;
                started.lock().unwrap().push(Instant::now());
            });
        }
        while tasks.join_next().await.is_some() {}
        let mut starts = started.lock().unwrap().clone();
        starts.sort();
        assert_eq!(starts.len(), 50);
        assert_eq!(busiest_window(&starts), 7);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_under_the_cap_do_not_wait() {
        let limiter = RateLimiter::new(NonZeroU32::new(3).unwrap());
        let begin = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(Instant::now(), begin, "three of three start at once");
        limiter.acquire().await;
        assert_eq!(
            Instant::now(),
            begin + WINDOW,
            "the fourth waits for the first to leave"
        );
    }
}
