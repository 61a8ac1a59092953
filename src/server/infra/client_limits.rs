//! Per-client limits on the endpoints anyone may call without an account (SECURITY.md rule 27):
//! logging in (both steps), signing up, and checking a password while it is typed.
//!
//! Token buckets keyed by the client's address, in this process's memory (`governor`). Several
//! app servers each keep their own; the per-user limiter in the database (`attempts`) is the one
//! that holds across servers. An IPv6 client is keyed by its /64, the block one host is given.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// How many requests one client address may make, per endpoint group; 0 turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientLimitConfig {
    /// Logins and login codes, per minute.
    pub logins_per_minute: u32,
    /// Sign-ups, per hour.
    pub signups_per_hour: u32,
    /// Password checks while typing, per minute.
    pub password_checks_per_minute: u32,
}

impl Default for ClientLimitConfig {
    fn default() -> Self {
        Self {
            logins_per_minute: 30,
            signups_per_hour: 10,
            password_checks_per_minute: 120,
        }
    }
}

impl ClientLimitConfig {
    /// Limits no test or tool reaches: for tests that are not about them.
    pub fn unlimited() -> Self {
        Self {
            logins_per_minute: 0,
            signups_per_hour: 0,
            password_checks_per_minute: 0,
        }
    }
}

/// One bucket per client address and endpoint group.
pub struct ClientLimits {
    logins: Option<DefaultKeyedRateLimiter<IpAddr>>,
    signups: Option<DefaultKeyedRateLimiter<IpAddr>>,
    password_checks: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl std::fmt::Debug for ClientLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientLimits(..)")
    }
}

fn limiter(quota: Option<Quota>) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    quota.map(governor::RateLimiter::keyed)
}

impl ClientLimits {
    pub fn new(config: &ClientLimitConfig) -> Self {
        Self {
            logins: limiter(NonZeroU32::new(config.logins_per_minute).map(Quota::per_minute)),
            signups: limiter(NonZeroU32::new(config.signups_per_hour).map(Quota::per_hour)),
            password_checks: limiter(
                NonZeroU32::new(config.password_checks_per_minute).map(Quota::per_minute),
            ),
        }
    }

    /// Whether a request to the server function `endpoint` from `ip` may go on; otherwise the
    /// seconds to wait before trying again.
    pub fn check(&self, endpoint: &str, ip: IpAddr) -> Result<(), u64> {
        let limiter = match endpoint {
            // Asking for a recovery link and using one count as logins: each is a way in. So do
            // a key's challenge and answer: each challenge is a session kept on the server.
            "login"
            | "login_code"
            | "login_key_options"
            | "login_key"
            | "passkey_login_options"
            | "passkey_login"
            | "request_password_reset"
            | "complete_password_reset" => &self.logins,
            "signup" => &self.signups,
            "check_password" => &self.password_checks,
            _ => &None,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter.check_key(&client_key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            // Whole seconds, rounded up: waiting the time said always succeeds.
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Forgets clients whose buckets are full again, so that the memory held follows the
    /// clients of the last while, not every address ever seen.
    pub fn forget_idle_clients(&self) {
        for limiter in [&self.logins, &self.signups, &self.password_checks]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Calls [`Self::forget_idle_clients`] every minute, for as long as `limits` lives.
    pub fn spawn_pruning(limits: std::sync::Weak<Self>) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                match limits.upgrade() {
                    Some(limits) => limits.forget_idle_clients(),
                    None => return,
                }
            }
        });
    }
}

/// The key of a client: its IPv4 address, or the /64 of its IPv6 address (an IPv4 address
/// mapped into IPv6 counts as that IPv4 address).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let segments = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(
                    segments[0],
                    segments[1],
                    segments[2],
                    segments[3],
                    0,
                    0,
                    0,
                    0,
                ))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_past_its_quota_is_told_how_long_to_wait_and_others_are_not() {
        let limits = ClientLimits::new(&ClientLimitConfig {
            logins_per_minute: 3,
            ..ClientLimitConfig::default()
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limits.check("login", a), Ok(()));
        }
        let wait = limits.check("login_code", a).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limits.check("login", b), Ok(()));
        assert_eq!(
            limits.check("list_users", a),
            Ok(()),
            "only the open endpoints are limited"
        );
    }

    #[test]
    fn an_ipv6_host_cannot_escape_by_changing_its_last_64_bits() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(one), client_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        let limits = ClientLimits::new(&ClientLimitConfig::unlimited());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..1_000 {
            assert_eq!(limits.check("signup", a), Ok(()));
        }
    }
}
