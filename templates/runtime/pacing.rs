//! How fast a client sends: the pause a server asks for, kept for every call, and an
//! optional limit of its own.
//!
//! A server that answers 429 (or 503) with `Retry-After` is saying so to the client, not to
//! one call: fifty calls in flight would otherwise each find out for themselves and retry
//! on their own schedules. [`Pacing`] keeps the pause for the client and its clones; every
//! attempt to the client's origin waits until it has passed. A rate limit
//! ([`RateLimit`], a `governor` limiter) spaces the attempts out before the server has to.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};

/// A client-side limit on requests: at most `requests` per `period`, in bursts of up to
/// `requests` (a token bucket refilled evenly over the period). Every attempt counts,
/// retries included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    requests: NonZeroU32,
    period: Duration,
}

impl RateLimit {
    /// At most `requests` per `period`; `None` when either is zero.
    pub fn new(requests: u32, period: Duration) -> Option<Self> {
        let requests = NonZeroU32::new(requests)?;
        (!period.is_zero()).then_some(Self { requests, period })
    }

    /// At most `requests` per second.
    pub fn per_second(requests: u32) -> Option<Self> {
        Self::new(requests, Duration::from_secs(1))
    }

    fn quota(&self) -> Quota {
        let each = self.period / self.requests.get();
        // A period shorter than a nanosecond per request: as fast as the clock tells.
        Quota::with_period(each.max(Duration::from_nanos(1)))
            .expect("a period of at least a nanosecond")
            .allow_burst(self.requests)
    }
}

type Limiter = RateLimiter<governor::state::NotKeyed, governor::state::InMemoryState, DefaultClock>;

/// The pace of one client, shared by its clones.
pub(crate) struct Pacing {
    /// What `paused_until` counts from.
    epoch: Instant,
    /// Until when (milliseconds after `epoch`, plus one) the server asked the client to
    /// wait; 0 when it did not.
    paused_until: AtomicU64,
    limiter: Option<(RateLimit, Limiter)>,
}

impl std::fmt::Debug for Pacing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacing").field("rate_limit", &self.limiter.as_ref().map(|(limit, _)| limit)).finish()
    }
}

impl Pacing {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            epoch: Instant::now(),
            paused_until: AtomicU64::new(0),
            limiter: limit.map(|limit| (limit, RateLimiter::direct(limit.quota()))),
        }
    }

    /// Records that the server asked for a pause of `wait` from now: every call waits it
    /// out before its next attempt (a longer pause already asked for stays).
    pub(crate) fn pause(&self, wait: Duration) {
        let until = self.millis(Instant::now() + wait) + 1;
        let before = self.paused_until.fetch_max(until, Ordering::Relaxed);
        if until > before {
            tracing::info!(wait_ms = wait.as_millis() as u64, "the server asked for a pause; every call waits for it");
        }
    }

    /// How long an attempt must wait before it is sent: for the server's pause, then for the
    /// rate limit. A pause longer than `longest` is not waited for (the call goes on, and
    /// the server decides); `None` when the attempt may go now. Taking a slot of the rate
    /// limit is part of the answer: call again after the wait.
    pub(crate) fn wait(&self, longest: Duration) -> Option<Duration> {
        let until = self.paused_until.load(Ordering::Relaxed);
        if until != 0 {
            let now = self.millis(Instant::now()) + 1;
            let left = Duration::from_millis(until.saturating_sub(now));
            if !left.is_zero() && left <= longest {
                tracing::debug!(wait_ms = left.as_millis() as u64, "waiting out the server's pause");
                return Some(left);
            }
        }
        let (_, limiter) = self.limiter.as_ref()?;
        match limiter.check() {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                tracing::debug!(wait_ms = wait.as_millis() as u64, "waiting for the client's rate limit");
                Some(wait.max(Duration::from_millis(1)))
            }
        }
    }

    fn millis(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.epoch).as_millis() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_is_kept_until_it_has_passed_and_a_longer_one_wins() {
        let pacing = Pacing::new(None);
        assert_eq!(pacing.wait(Duration::from_secs(60)), None);
        pacing.pause(Duration::from_secs(30));
        pacing.pause(Duration::from_secs(1));
        let wait = pacing.wait(Duration::from_secs(60)).unwrap();
        assert!(wait > Duration::from_secs(28) && wait <= Duration::from_secs(30), "{wait:?}");
        assert_eq!(pacing.wait(Duration::from_secs(10)), None, "a pause beyond the call's patience");
    }

    #[test]
    fn the_rate_limit_lets_a_burst_through_then_spaces_requests_out() {
        let pacing = Pacing::new(RateLimit::new(2, Duration::from_secs(10)));
        assert_eq!(pacing.wait(Duration::ZERO), None);
        assert_eq!(pacing.wait(Duration::ZERO), None);
        let wait = pacing.wait(Duration::ZERO).unwrap();
        assert!(wait > Duration::from_secs(4) && wait <= Duration::from_secs(5), "{wait:?}");
        assert_eq!(RateLimit::new(0, Duration::from_secs(1)), None);
        assert_eq!(RateLimit::new(1, Duration::ZERO), None);
    }
}
