//! Password hashing with Argon2id (SECURITY.md rule 4), off the async workers.
//!
//! Each hash costs tens of milliseconds of CPU. Hashes run on tokio's blocking pool and at most
//! one per core at a time, so a burst of logins queues here instead of starving page rendering.

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn argon2() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?;
    Ok(hash.to_string())
}

/// The result of checking a password against a stored hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, and hashed with weaker parameters than today's: store this new hash.
    YesRehashed(String),
}

impl Verified {
    pub fn ok(&self) -> bool {
        !matches!(self, Self::No)
    }
}

fn verify_now(password: &str, stored: &str) -> anyhow::Result<Verified> {
    let parsed = PasswordHash::new(stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    if argon2()?
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Ok(Verified::No);
    }
    if is_current(&parsed) {
        Ok(Verified::Yes)
    } else {
        Ok(Verified::YesRehashed(hash_now(password)?))
    }
}

fn is_current(hash: &PasswordHash<'_>) -> bool {
    let param = |name: &str| hash.params.get_decimal(name).unwrap_or(0);
    hash.algorithm.as_str() == "argon2id"
        && param("m") >= MEMORY_KIB
        && param("t") >= ITERATIONS
        && param("p") >= PARALLELISM
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Checked against when the account or login does not exist, so that an unknown login costs
    /// the same time as a wrong password (SECURITY.md rule 6).
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new() -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: hash_now("steward dummy password for unknown users")?.into(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .context("password hasher closed")?;
        tokio::task::spawn_blocking(job)
            .await
            .context("password hashing task failed")?
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.run(move || hash_now(&password)).await
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is no stored hash;
    /// the latter is always [`Verified::No`].
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> anyhow::Result<Verified> {
        match stored {
            Some(stored) => self.run(move || verify_now(&password, &stored)).await,
            None => {
                let dummy = self.dummy_hash.clone();
                self.run(move || verify_now(&password, &dummy)).await?;
                Ok(Verified::No)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_at_least_owasp_parameters() {
        let stored = hash_now("correct horse").unwrap();
        let parsed = PasswordHash::new(&stored).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(parsed.params.get_decimal("m"), Some(19_456));
        assert_eq!(parsed.params.get_decimal("t"), Some(2));
        assert_eq!(parsed.params.get_decimal("p"), Some(1));
        assert!(stored.starts_with("$argon2id$v=19$"));
    }

    #[test]
    fn only_the_exact_password_verifies() {
        let stored = hash_now("Zq8!vLp2 with spaces 🦀").unwrap();
        assert_eq!(
            verify_now("Zq8!vLp2 with spaces 🦀", &stored).unwrap(),
            Verified::Yes
        );
        assert_eq!(
            verify_now("Zq8!vLp2 with spaces ", &stored).unwrap(),
            Verified::No
        );
        assert_eq!(
            verify_now("zq8!vLp2 with spaces 🦀", &stored).unwrap(),
            Verified::No
        );
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        // 128 characters, far past bcrypt's 72-byte limit: the last one still matters.
        let long: String = "correct-horse-battery-staple-"
            .repeat(5)
            .chars()
            .take(128)
            .collect();
        let stored = hash_now(&long).unwrap();
        assert_eq!(verify_now(&long[..127], &stored).unwrap(), Verified::No);
        assert_eq!(verify_now(&long, &stored).unwrap(), Verified::Yes);
    }

    #[test]
    fn a_hash_with_weaker_parameters_is_replaced_on_success() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let stored = weak
            .hash_password(b"old password", &salt)
            .unwrap()
            .to_string();
        match verify_now("old password", &stored).unwrap() {
            Verified::YesRehashed(new) => {
                assert!(new.contains("m=19456,t=2,p=1"));
                assert_eq!(verify_now("old password", &new).unwrap(), Verified::Yes);
            }
            other => panic!("expected a rehash, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn unknown_users_are_checked_against_the_dummy_and_never_verify() {
        let hasher = PasswordHasher::new().unwrap();
        let dummy_password = "steward dummy password for unknown users".to_owned();
        assert_eq!(
            hasher.verify(dummy_password, None).await.unwrap(),
            Verified::No
        );
    }
}
