//! Login throttling (SECURITY.md rules 5 and 11): a few free attempts, then a delay that doubles
//! with each failure, then a lock. Pure: the caller passes the time, so tests control the clock.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures in a row allowed without any delay.
    pub free_attempts: u32,
    /// Failures in a row after which the login is locked.
    pub lock_after: u32,
    /// How long a lock lasts after the last failure.
    pub lock_for: Duration,
    /// The longest delay before the lock.
    pub max_delay: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_attempts: 5,
            lock_after: 20,
            lock_for: Duration::from_secs(15 * 60),
            max_delay: Duration::from_secs(5 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The password may be checked.
    Allowed,
    /// Too soon: refuse without checking, for this many more seconds.
    Wait(i64),
}

impl ThrottlePolicy {
    /// The delay after `failures` failures in a row: none for the free attempts, then 1 s, 2 s,
    /// 4 s… up to `max_delay`; the lock duration from `lock_after` on.
    pub fn delay(&self, failures: u32) -> i64 {
        if failures >= self.lock_after {
            return secs(self.lock_for);
        }
        if failures < self.free_attempts {
            return 0;
        }
        let doublings = (failures - self.free_attempts).min(30);
        (1i64 << doublings).min(secs(self.max_delay))
    }

    /// Whether an attempt at `now` may check the password, given `failures` failures in a row,
    /// the last at `last_failure` (Unix seconds).
    pub fn check(&self, failures: u32, last_failure: i64, now: i64) -> Verdict {
        let until = last_failure.saturating_add(self.delay(failures));
        if now < until {
            Verdict::Wait(until - now)
        } else {
            Verdict::Allowed
        }
    }
}

impl ThrottlePolicy {
    /// Until when a user with `failures` failures in a row, the last at `last_failure`, is
    /// locked out (not merely slowed down), if they are at `now`.
    pub fn locked_until(&self, failures: i64, last_failure: i64, now: i64) -> Option<i64> {
        let failures = u32::try_from(failures).unwrap_or(u32::MAX);
        match self.check(failures, last_failure, now) {
            Verdict::Wait(wait) if failures >= self.lock_after => Some(now + wait),
            _ => None,
        }
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    #[test]
    fn the_first_five_failures_cost_nothing() {
        let policy = ThrottlePolicy::default();
        for failures in 0..5 {
            assert_eq!(
                policy.check(failures, T0, T0),
                Verdict::Allowed,
                "{failures}"
            );
        }
    }

    #[test]
    fn from_the_fifth_failure_the_delay_doubles_up_to_its_cap() {
        let policy = ThrottlePolicy::default();
        assert_eq!(policy.check(5, T0, T0), Verdict::Wait(1));
        assert_eq!(policy.check(5, T0, T0 + 1), Verdict::Allowed);
        assert_eq!(policy.check(6, T0, T0), Verdict::Wait(2));
        assert_eq!(policy.check(8, T0, T0 + 3), Verdict::Wait(5));
        assert_eq!(policy.check(8, T0, T0 + 8), Verdict::Allowed);
        assert_eq!(policy.delay(19), 300, "capped at five minutes");
    }

    #[test]
    fn twenty_failures_in_a_row_lock_for_fifteen_minutes() {
        let policy = ThrottlePolicy::default();
        assert_eq!(policy.check(20, T0, T0 + 60), Verdict::Wait(840));
        assert_eq!(policy.check(20, T0, T0 + 899), Verdict::Wait(1));
        assert_eq!(policy.check(20, T0, T0 + 900), Verdict::Allowed);
        // Each further failure locks again from its own time.
        assert_eq!(policy.check(21, T0 + 900, T0 + 901), Verdict::Wait(899));
    }

    #[test]
    fn the_numbers_are_configurable() {
        let policy = ThrottlePolicy {
            free_attempts: 2,
            lock_after: 3,
            lock_for: Duration::from_secs(60),
            max_delay: Duration::from_secs(10),
        };
        assert_eq!(policy.check(1, T0, T0), Verdict::Allowed);
        assert_eq!(policy.check(2, T0, T0), Verdict::Wait(1));
        assert_eq!(policy.check(3, T0, T0), Verdict::Wait(60));
    }
}
