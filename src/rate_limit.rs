//! The client's own request rate cap
//! ([`ClientBuilder::max_requests_per_second`](crate::ClientBuilder::max_requests_per_second)):
//! at most N requests start in any one-second window, so that a gateway that
//! counts requests per second never sees more than N from this client.

use std::{num::NonZeroU32, time::Duration};

use tokio::{sync::Mutex, time::Instant};

/// Requests spaced at least `1 s / N` apart (rounded up to the
/// nanosecond, so that N intervals are never shorter than a second): no
/// window of a second can then hold more than N starts, bursts included.
///
/// Evenly spaced rather than N at once and then a wait: a limiter that lets
/// N through in a burst repeats that burst every second, right at the
/// boundary of the gateway's window, where a millisecond of difference
/// between the client's clock and the gateway's arrivals (a new connection
/// for the first burst, a busy scheduler) moves requests into the previous
/// window. Measured against the sandbox's limit of 50, a cap of 45 that let
/// bursts through still met 429s; spaced 22 ms apart, the gateway would need
/// 22 ms of jitter to see one request too many.
///
/// Every request of a client passes through it (business operations,
/// `tokenByAkSk`, retries, calls through `Client::raw`), just before it is
/// handed to the HTTP client, so waiting here does not count against the
/// request's timeout. Waiters are served first come, first served; the gap
/// is measured from when the previous request actually started.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: NonZeroU32,
    interval: Duration,
    /// When the last request started; the lock is held while waiting, so
    /// waiters queue in order.
    last: Mutex<Option<Instant>>,
}

impl RateLimiter {
    pub(crate) fn new(per_second: NonZeroU32) -> Self {
        let nanos = 1_000_000_000u64.div_ceil(u64::from(per_second.get()));
        RateLimiter {
            per_second,
            interval: Duration::from_nanos(nanos),
            last: Mutex::new(None),
        }
    }

    pub(crate) fn per_second(&self) -> u32 {
        self.per_second.get()
    }

    /// Waits until a request may start, and counts it as started.
    pub(crate) async fn acquire(&self) {
        let mut last = self.last.lock().await;
        if let Some(previous) = *last {
            tokio::time::sleep_until(previous + self.interval).await;
        }
        *last = Some(Instant::now());
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
            while start.duration_since(starts[first]) >= Duration::from_secs(1) {
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
    async fn requests_are_spaced_evenly_and_a_slow_one_does_not_wait() {
        let limiter = RateLimiter::new(NonZeroU32::new(4).unwrap());
        let begin = Instant::now();
        for n in 0..3 {
            limiter.acquire().await;
            assert_eq!(Instant::now(), begin + Duration::from_millis(250) * n);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let later = Instant::now();
        limiter.acquire().await;
        assert_eq!(Instant::now(), later, "the last start is long past");
    }

    #[test]
    fn the_interval_is_rounded_up_so_n_of_them_fill_a_second() {
        for per_second in [1, 3, 7, 45, 1000, 999_999_999, u32::MAX] {
            let limiter = RateLimiter::new(NonZeroU32::new(per_second).unwrap());
            assert!(
                limiter.interval * per_second >= Duration::from_secs(1),
                "{per_second}"
            );
        }
    }
}
