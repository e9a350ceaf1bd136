//! When to try a failed attempt again, and how long to wait first.

use crate::config::RetryPolicy;
use std::time::Duration;

/// What a failed attempt says about trying again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Retry {
    /// The connection could not be made: the request never reached the server, so any
    /// command may be sent again.
    NeverSent,
    /// The request may have reached the server (timeout, broken connection, 5xx): only a
    /// command that changes nothing may be sent again.
    Transient,
    /// HTTP 429 or 5xx, with the server's `Retry-After`: as `Transient`, waiting as asked
    /// (when it asks for no longer than the policy's `max_retry_after`).
    Asked(Option<Duration>),
    /// Trying again would not help (4xx, an answer that does not decode).
    Final,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based), or `None` when the failure must not be
    /// retried for a command that does (`changes_state`) or does not change state.
    pub(crate) fn wait_before(
        &self,
        retry: u32,
        failure: Retry,
        changes_state: bool,
    ) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        match failure {
            Retry::Final => None,
            Retry::Transient | Retry::Asked(_) if changes_state => None,
            Retry::Asked(Some(after)) => (after <= self.max_retry_after).then_some(after),
            Retry::NeverSent | Retry::Transient | Retry::Asked(None) => Some(self.backoff(retry)),
        }
    }

    /// Exponential backoff: `initial * 2^retry`, capped, scaled to 75–100 % with jitter.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(30));
        let base = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        if self.jitter {
            base.mul_f64(0.75 + fastrand::f64() * 0.25)
        } else {
            base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        let p = RetryPolicy {
            max_retries: 10,
            ..policy()
        };
        let waits: Vec<u64> = (0..6).map(|r| p.backoff(r).as_millis() as u64).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 8000]);
    }

    #[test]
    fn jitter_stays_within_a_quarter() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            let w = p.backoff(1).as_millis();
            assert!((750..=1000).contains(&w), "{w}");
        }
    }

    #[test]
    fn state_changing_commands_retry_only_what_never_reached_the_server() {
        let p = policy();
        assert!(p.wait_before(0, Retry::NeverSent, true).is_some());
        assert_eq!(p.wait_before(0, Retry::Transient, true), None);
        assert_eq!(p.wait_before(0, Retry::Asked(None), true), None);
        assert!(p.wait_before(0, Retry::Transient, false).is_some());
        assert_eq!(p.wait_before(0, Retry::Final, false), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap_and_retries_run_out() {
        let p = policy();
        let asked = Duration::from_secs(3);
        assert_eq!(
            p.wait_before(0, Retry::Asked(Some(asked)), false),
            Some(asked)
        );
        assert_eq!(
            p.wait_before(0, Retry::Asked(Some(Duration::from_secs(3600))), false),
            None
        );
        assert_eq!(p.wait_before(2, Retry::Transient, false), None);
    }
}
