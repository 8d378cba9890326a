//! When and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Exponential backoff with full jitter, bounded in attempts and in total time.
///
/// Only requests that are safe to repeat are retried: idempotent methods, and the POST
/// operations the codegen config marks as read-only. A retry happens on connection errors,
/// timeouts and the statuses 408, 429, 502, 503 and 504; a `Retry-After` header (seconds or
/// an HTTP date) sets the wait, and a wait longer than `max_backoff` ends the retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Option<Duration>,
}

impl Default for RetryPolicy {
    /// Three attempts, backoff from 200 ms up to 20 s, at most 60 s in all.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            max_elapsed: Some(Duration::from_secs(60)),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn disabled() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Sets the number of attempts, the first one included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff; each retry doubles it.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the longest single wait.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the time after which no new attempt starts (`None`: no limit).
    pub fn max_elapsed(mut self, limit: Option<Duration>) -> Self {
        self.max_elapsed = limit;
        self
    }

    /// The longest wait between attempts: a `Retry-After` beyond it ends the call.
    pub(crate) fn longest_wait(&self) -> Duration {
        self.max_backoff
    }

    /// The number of attempts, the first one included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1), jittered.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self.initial_backoff.saturating_mul(1 << exponent).min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }

    /// The wait before the next attempt, or `None` when the policy says stop.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match retry_after {
            Some(wait) if wait > self.max_backoff => return None,
            Some(wait) => wait,
            None => self.backoff(attempt),
        };
        match self.max_elapsed {
            Some(limit) if elapsed + wait >= limit => None,
            _ => Some(wait),
        }
    }
}

/// Statuses that say "try again later".
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// The wait a `Retry-After` header asks for, in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_never_exceeds_the_cap() {
        let policy = RetryPolicy::default().max_attempts(30);
        for attempt in 1..30 {
            assert!(policy.backoff(attempt) <= Duration::from_secs(20));
        }
    }

    #[test]
    fn stops_after_the_last_attempt_and_on_long_retry_after() {
        let policy = RetryPolicy::default();
        assert!(policy.next_wait(1, Duration::ZERO, None).is_some());
        assert!(policy.next_wait(3, Duration::ZERO, None).is_none());
        assert!(policy.next_wait(1, Duration::ZERO, Some(Duration::from_secs(3600))).is_none());
        assert_eq!(policy.next_wait(1, Duration::ZERO, Some(Duration::from_secs(2))), Some(Duration::from_secs(2)));
        assert!(policy.next_wait(1, Duration::from_secs(59), Some(Duration::from_secs(2))).is_none());
    }

    #[test]
    fn reads_retry_after_in_seconds_and_as_a_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        headers.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120), "{wait:?}");
    }
}
