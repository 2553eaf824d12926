//! When and how long to wait before sending a failed request again.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::error::NetworkErrorKind;

/// How the delay grows from one retry to the next.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Backoff {
    /// The same delay before every retry.
    Constant,
    /// The delay is multiplied by `factor` after each retry.
    Exponential {
        /// The growth factor (at least 1).
        factor: f64,
    },
}

/// Which failed requests are sent again, how often, and after how long.
///
/// The default: at most 3 retries of idempotent requests (GET, HEAD, PUT,
/// DELETE, OPTIONS) on a connection failure or a 429, 500, 502, 503 or 504
/// (a transient 500 is common behind Tapis' proxies; the AWS and Google SDKs
/// retry it too);
/// delays start at 500 ms and double up to 30 s, with jitter; a
/// `Retry-After` header is honoured (a longer wait than `max_delay` gives
/// up instead). POST and PATCH are never retried unless
/// [`RetryPolicy::retry_non_idempotent`] says so. There is no wait after the
/// last attempt: its error is returned at once.
///
/// ```
/// use std::time::Duration;
/// use tapis::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_retries(6)
///     .initial_delay(Duration::from_secs(1))
///     .max_delay(Duration::from_secs(60));
/// let never = RetryPolicy::none();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_delay: Duration,
    max_delay: Duration,
    backoff: Backoff,
    jitter: bool,
    statuses: Vec<u16>,
    on_connect_error: bool,
    on_timeout: bool,
    non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            backoff: Backoff::Exponential { factor: 2.0 },
            jitter: true,
            statuses: vec![429, 500, 502, 503, 504],
            on_connect_error: true,
            on_timeout: false,
            non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().max_retries(0)
    }

    /// Retries after the first attempt (0 = never retry). Default 3.
    #[must_use]
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The delay before the first retry. Default 500 ms.
    #[must_use]
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The longest delay between attempts, and the longest `Retry-After`
    /// that is waited for. Default 30 s.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How the delay grows. Default exponential with factor 2.
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Whether delays are randomised (each is between half and all of the
    /// computed delay), so that many clients do not retry in lockstep.
    /// Default on.
    #[must_use]
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The HTTP statuses that are retried, replacing the defaults (429, 500,
    /// 502, 503, 504). To add one to the defaults, use
    /// [`RetryPolicy::also_retry_status`].
    #[must_use]
    pub fn retry_statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Retries `status` too, keeping the statuses already retried.
    ///
    /// ```
    /// let policy = tapis::RetryPolicy::default().also_retry_status(409);
    /// # let _ = policy;
    /// ```
    #[must_use]
    pub fn also_retry_status(mut self, status: u16) -> Self {
        if !self.statuses.contains(&status) {
            self.statuses.push(status);
        }
        self
    }

    /// Stops retrying `status`, keeping the other statuses.
    #[must_use]
    pub fn never_retry_status(mut self, status: u16) -> Self {
        self.statuses.retain(|s| *s != status);
        self
    }

    /// Whether a failure to connect is retried. Default on.
    #[must_use]
    pub fn retry_on_connect_error(mut self, on: bool) -> Self {
        self.on_connect_error = on;
        self
    }

    /// Whether a timed-out request is retried. Default off: the server may
    /// still be working on it.
    #[must_use]
    pub fn retry_on_timeout(mut self, on: bool) -> Self {
        self.on_timeout = on;
        self
    }

    /// Whether POST and PATCH requests may be retried too. Default off: the
    /// first attempt may have taken effect.
    #[must_use]
    pub fn retry_non_idempotent(mut self, on: bool) -> Self {
        self.non_idempotent = on;
        self
    }

    /// The number of retries after the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether a request with this method may be sent more than once.
    #[doc(hidden)]
    pub fn allows(&self, method: &Method) -> bool {
        self.max_retries > 0
            && (self.non_idempotent
                || matches!(
                    *method,
                    Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
                ))
    }

    #[doc(hidden)]
    pub fn retries_status(&self, status: StatusCode) -> bool {
        self.statuses.contains(&status.as_u16())
    }

    #[doc(hidden)]
    pub fn retries_network(&self, kind: NetworkErrorKind) -> bool {
        match kind {
            // A connection closed before the answer is a failure to get
            // through, like a refused one.
            NetworkErrorKind::Connect
            | NetworkErrorKind::Closed
            | NetworkErrorKind::BodyInterrupted => self.on_connect_error,
            NetworkErrorKind::Timeout => self.on_timeout,
            // A certificate does not fix itself.
            NetworkErrorKind::Tls | NetworkErrorKind::Other => false,
        }
    }

    /// The wait before retry number `retry` (1-based), or `None` to give up
    /// because the server asked for a longer wait than `max_delay`.
    #[doc(hidden)]
    pub fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Option<Duration> {
        if let Some(asked) = headers.and_then(retry_after) {
            return (asked <= self.max_delay).then_some(asked);
        }
        // Saturating throughout: the durations are the user's, and any of
        // them may be `Duration::MAX`.
        let base = match self.backoff {
            Backoff::Constant => self.initial_delay,
            Backoff::Exponential { factor } => {
                let exp = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
                let factor = if factor.is_finite() {
                    factor.max(1.0)
                } else {
                    1.0
                };
                Duration::try_from_secs_f64(
                    self.initial_delay.as_secs_f64() * factor.powi(exp).min(1e9),
                )
                .unwrap_or(Duration::MAX)
            }
        }
        .min(self.max_delay);
        Some(if self.jitter {
            let half = base / 2;
            half.saturating_add(
                Duration::try_from_secs_f64(half.as_secs_f64() * random_fraction()).unwrap_or(half),
            )
        } else {
            base
        })
    }
}

/// `Retry-After` in every RFC 9110 form: delay seconds (a number too large
/// for a `u64` is a wait longer than any cap), or an HTTP date as IMF-fixdate,
/// RFC 850 or asctime.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A number in [0, 1): the standard library's per-instance random hash keys
/// are randomness enough for jitter.
fn random_fraction() -> f64 {
    let bits = RandomState::new().build_hasher().finish() >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_capped_without_jitter() {
        let p = RetryPolicy::default()
            .jitter(false)
            .initial_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(5));
        let delays: Vec<_> = (1..=5)
            .map(|r| p.delay(r, None).unwrap().as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 5, 5]);
    }

    #[test]
    fn jitter_stays_in_range() {
        let p = RetryPolicy::default().initial_delay(Duration::from_secs(8));
        for _ in 0..100 {
            let d = p.delay(1, None).unwrap();
            assert!(
                d >= Duration::from_secs(4) && d <= Duration::from_secs(8),
                "{d:?}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        let p = RetryPolicy::default().max_delay(Duration::from_secs(5));
        h.insert(RETRY_AFTER, "60".parse().unwrap());
        assert_eq!(p.delay(1, Some(&h)), None, "longer than max_delay: give up");
        // RFC 850 and asctime dates (in the past: no wait), a huge number.
        for date in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            h.insert(RETRY_AFTER, date.parse().unwrap());
            assert_eq!(retry_after(&h), Some(Duration::ZERO), "{date}");
        }
        h.insert(RETRY_AFTER, "99999999999999999999999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::MAX));
        assert_eq!(p.delay(1, Some(&h)), None);
    }

    #[test]
    fn extreme_durations_do_not_panic() {
        let p = RetryPolicy::default()
            .initial_delay(Duration::MAX)
            .max_delay(Duration::MAX)
            .backoff(Backoff::Exponential {
                factor: f64::INFINITY,
            });
        for retry in [1, 2, 64, u32::MAX] {
            assert!(p.delay(retry, None).is_some());
        }
        assert!(p.clone().jitter(false).delay(3, None).is_some());
    }

    #[test]
    fn methods() {
        let p = RetryPolicy::default();
        assert!(p.allows(&Method::GET) && p.allows(&Method::DELETE));
        assert!(!p.allows(&Method::POST) && !p.allows(&Method::PATCH));
        assert!(p.clone().retry_non_idempotent(true).allows(&Method::POST));
        assert!(!RetryPolicy::none().allows(&Method::GET));
    }
}
