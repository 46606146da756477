//! Webhook retries: when a delivery is first tried, when a failed one is tried again,
//! and when it is given up.
//!
//! A new delivery (and one redelivered by hand) is due at once and retried until its
//! window (`webhook_retry_window_secs`, 3 days) runs out. After a failed attempt the
//! next one waits `webhook_retry_base_ms`, doubling with each attempt up to
//! `webhook_retry_max_delay_secs`, with jitter so that many deliveries failing together
//! do not come back together. A delivery whose next attempt would fall after its window,
//! or whose endpoint is gone (410, or plain http to a public address), is given up
//! (FAILED). Only the oldest pending delivery of an endpoint is due (`sender::claim`),
//! so a failing one holds the later ones back until it succeeds or is given up.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use super::entity::DeliveryStatus;
use crate::config::Settings;

/// How long a delivery is retried before it is given up.
pub fn retry_window(settings: &Settings) -> chrono::Duration {
    chrono::Duration::seconds(settings.webhook_retry_window_secs.min(i64::MAX as u64) as i64)
}

/// When a delivery is next due and until when it is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub next_attempt_at: DateTime<Utc>,
    pub retry_until: DateTime<Utc>,
}

/// A delivery starting afresh at `at` (new, or sent again by hand): due at once, retried
/// for `window`.
pub fn fresh(at: DateTime<Utc>, window: chrono::Duration) -> Schedule {
    Schedule {
        next_attempt_at: at,
        retry_until: at + window,
    }
}

/// Retry timing.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

/// What a delivery comes to after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterAttempt {
    /// SUCCEEDED, PENDING (retried at `next_attempt_at`) or FAILED (given up).
    pub status: DeliveryStatus,
    /// When the next attempt would be (recorded unless the attempt succeeded).
    pub next_attempt_at: DateTime<Utc>,
}

impl Backoff {
    /// The configured timing.
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            base: Duration::from_millis(settings.webhook_retry_base_ms),
            max: Duration::from_secs(settings.webhook_retry_max_delay_secs.max(1)),
        }
    }

    /// The delay after the `attempts`-th failed attempt: exponential, with jitter in
    /// its upper half so that retries of many deliveries spread out.
    pub fn delay(&self, attempts: i32) -> Duration {
        let exp = attempts.clamp(1, 30) as u32 - 1;
        let full = self.base.saturating_mul(2u32.saturating_pow(exp)).min(self.max);
        let half = full / 2;
        half + full.mul_f64(rand::rng().random_range(0.0..0.5))
    }

    /// The delivery's status after its `attempts`-th attempt, made at `at`: delivered,
    /// retried after the backoff, or given up when the endpoint is gone or the next
    /// attempt would fall after `retry_until`.
    pub fn after_attempt(
        &self,
        attempts: i32,
        at: DateTime<Utc>,
        retry_until: DateTime<Utc>,
        succeeded: bool,
        endpoint_gone: bool,
    ) -> AfterAttempt {
        let next_attempt_at = at + chrono::Duration::from_std(self.delay(attempts)).unwrap_or_default();
        let status = if succeeded {
            DeliveryStatus::Succeeded
        } else if endpoint_gone || next_attempt_at > retry_until {
            DeliveryStatus::Failed
        } else {
            DeliveryStatus::Pending
        };
        AfterAttempt {
            status,
            next_attempt_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff() -> Backoff {
        Backoff {
            base: Duration::from_secs(10),
            max: Duration::from_secs(60),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stays_under_its_cap() {
        let b = backoff();
        for _ in 0..50 {
            let first = b.delay(1);
            assert!(first >= Duration::from_secs(5) && first <= Duration::from_secs(10));
            let third = b.delay(3);
            assert!(third >= Duration::from_secs(20) && third <= Duration::from_secs(40));
            assert!(b.delay(30) <= Duration::from_secs(60));
        }
    }

    #[test]
    fn a_failure_is_retried_within_the_window_and_given_up_after_it() {
        let at = Utc::now();
        let b = backoff();
        let later = b.after_attempt(1, at, at + chrono::Duration::hours(1), false, false);
        assert_eq!(later.status, DeliveryStatus::Pending);
        assert!(later.next_attempt_at > at);
        let late = b.after_attempt(1, at, at + chrono::Duration::seconds(1), false, false);
        assert_eq!(late.status, DeliveryStatus::Failed);
    }

    #[test]
    fn a_gone_endpoint_is_given_up_at_once_and_a_success_is_final() {
        let at = Utc::now();
        let window = at + chrono::Duration::days(3);
        let b = backoff();
        assert_eq!(
            b.after_attempt(1, at, window, false, true).status,
            DeliveryStatus::Failed
        );
        assert_eq!(
            b.after_attempt(1, at, window, true, false).status,
            DeliveryStatus::Succeeded
        );
    }
}
