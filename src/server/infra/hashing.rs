//! Password hashing with Argon2id (SECURITY.md rule 4), off the async workers.
//!
//! Each hash costs tens of milliseconds of CPU. Hashes run on tokio's blocking pool and at most
//! one per core at a time, so a burst of logins queues here instead of starving page rendering.
//!
//! Each hash also needs 19 MiB of working memory. Fresh memory costs page faults and zeroing
//! (a quarter of a login's CPU when measured), so a finished hash hands its memory to the next
//! one while others wait, and lets it go when none does: a burst of logins touches no fresh
//! pages, and an idle server holds none of it.

use anyhow::Context;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// Argon2's working memory, reused from one hash to the next.
type Memory = Vec<Block>;

fn params() -> anyhow::Result<Params> {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))
}

/// The PHC string of `password` hashed with `algorithm`, `version` and `params` under `salt`,
/// computed in `memory` (grown as needed; whatever it holds is overwritten, never read).
fn hash_in<'a>(
    memory: &mut Memory,
    (algorithm, version, params): (Algorithm, Version, Params),
    password: &[u8],
    salt: Salt<'a>,
) -> anyhow::Result<PasswordHash<'a>> {
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_buf)
        .map_err(|e| anyhow::anyhow!("argon2 salt: {e}"))?;
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let output = Output::init_with(output_len, |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])?)
    })
    .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("argon2: {e}"))?,
        salt: Some(salt),
        hash: Some(output),
    })
}

fn hash_now(memory: &mut Memory, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let current = (Algorithm::Argon2id, Version::V0x13, params()?);
    Ok(hash_in(memory, current, password.as_bytes(), salt.as_salt())?.to_string())
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

fn verify_now(memory: &mut Memory, password: &str, stored: &str) -> anyhow::Result<Verified> {
    let parsed = PasswordHash::new(stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Ok(Verified::No);
    };
    let algorithm =
        Algorithm::try_from(parsed.algorithm).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| anyhow::anyhow!("stored hash: {e}"))?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let computed = hash_in(
        memory,
        (algorithm, version, params),
        password.as_bytes(),
        salt,
    )?;
    // `Output` compares in constant time.
    if computed.hash != Some(expected) {
        return Ok(Verified::No);
    }
    if is_current(&parsed) {
        Ok(Verified::Yes)
    } else {
        Ok(Verified::YesRehashed(hash_now(memory, password)?))
    }
}

fn is_current(hash: &PasswordHash<'_>) -> bool {
    let param = |name: &str| hash.params.get_decimal(name).unwrap_or(0);
    hash.algorithm.as_str() == "argon2id"
        && param("m") >= MEMORY_KIB
        && param("t") >= ITERATIONS
        && param("p") >= PARALLELISM
}

/// The hashing queue is full, or a hash waited too long for its turn: the request is refused
/// (503 with `Retry-After`) instead of waiting without bound behind a flood (SECURITY.md rule 27).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: u64,
}

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "password hashing queue full")
    }
}

impl std::error::Error for Busy {}

/// How much waiting the hashing queue allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueBound {
    /// Hashes (and password checks) waiting for a core, past which new ones are refused.
    pub max_waiting: usize,
    /// The longest a hash waits for a core before it is refused.
    pub max_wait: std::time::Duration,
}

impl Default for QueueBound {
    fn default() -> Self {
        Self {
            max_waiting: 64,
            max_wait: std::time::Duration::from_secs(5),
        }
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    bound: QueueBound,
    /// Refusals by the bound, for `/metrics`.
    refused: Arc<AtomicUsize>,
    /// Hashes waiting for a permit: while there are any, a finished hash keeps its memory for
    /// them.
    waiting: Arc<AtomicUsize>,
    spare: Arc<std::sync::Mutex<Vec<Memory>>>,
    /// Checked against when the account or login does not exist, so that an unknown login costs
    /// the same time as a wrong password (SECURITY.md rule 6).
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new() -> anyhow::Result<Self> {
        Self::bounded(QueueBound::default())
    }

    pub fn bounded(bound: QueueBound) -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            permits: Arc::new(Semaphore::new(cores)),
            bound,
            refused: Arc::default(),
            waiting: Arc::default(),
            spare: Arc::default(),
            dummy_hash: hash_now(
                &mut Memory::new(),
                "steward dummy password for unknown users",
            )?
            .into(),
        })
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<Memory>> {
        self.spare
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many hashes the bound has refused since start.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }

    fn busy(&self) -> anyhow::Error {
        self.refused.fetch_add(1, Ordering::Relaxed);
        // About the time the queue takes to drain, rounded up to whole seconds.
        let retry_after = self.bound.max_wait.as_secs().clamp(1, 30);
        anyhow::Error::new(Busy { retry_after })
    }

    /// Waits for a core, within the queue's bound.
    async fn permit(&self) -> anyhow::Result<tokio::sync::SemaphorePermit<'_>> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.bound.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(self.busy());
        }
        let permit = tokio::time::timeout(self.bound.max_wait, self.permits.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match permit {
            Ok(permit) => permit.context("password hasher closed"),
            Err(_) => Err(self.busy()),
        }
    }

    /// Runs other CPU-heavy work on passwords (the strength checker) in the same bounded queue,
    /// off the async workers.
    pub async fn run_cpu<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(job)
            .await
            .context("password work failed")
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Memory) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.permit().await?;
        let mut memory = self.spare().pop().unwrap_or_default();
        let (result, memory) = tokio::task::spawn_blocking(move || {
            let result = job(&mut memory);
            (result, memory)
        })
        .await
        .context("password hashing task failed")?;
        let mut spare = self.spare();
        if self.waiting.load(Ordering::SeqCst) > 0 {
            spare.push(memory);
        } else {
            // The last of a burst lets go of any memory kept for a waiter that took another.
            spare.clear();
        }
        result
    }

    /// How many working memories are kept for waiting hashes (none when idle).
    #[cfg(test)]
    fn spare_memories(&self) -> usize {
        self.spare().len()
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.run(move |memory| hash_now(memory, &password)).await
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is no stored hash;
    /// the latter is always [`Verified::No`].
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> anyhow::Result<Verified> {
        match stored {
            Some(stored) => {
                self.run(move |memory| verify_now(memory, &password, &stored))
                    .await
            }
            None => {
                let dummy = self.dummy_hash.clone();
                self.run(move |memory| verify_now(memory, &password, &dummy))
                    .await?;
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
        let stored = hash_now(&mut Memory::new(), "correct horse").unwrap();
        let parsed = PasswordHash::new(&stored).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(parsed.params.get_decimal("m"), Some(19_456));
        assert_eq!(parsed.params.get_decimal("t"), Some(2));
        assert_eq!(parsed.params.get_decimal("p"), Some(1));
        assert!(stored.starts_with("$argon2id$v=19$"));
    }

    #[test]
    fn only_the_exact_password_verifies() {
        let memory = &mut Memory::new();
        let stored = hash_now(memory, "Zq8!vLp2 with spaces 🦀").unwrap();
        assert_eq!(
            verify_now(memory, "Zq8!vLp2 with spaces 🦀", &stored).unwrap(),
            Verified::Yes
        );
        assert_eq!(
            verify_now(memory, "Zq8!vLp2 with spaces ", &stored).unwrap(),
            Verified::No
        );
        assert_eq!(
            verify_now(memory, "zq8!vLp2 with spaces 🦀", &stored).unwrap(),
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
        let memory = &mut Memory::new();
        let stored = hash_now(memory, &long).unwrap();
        assert_eq!(
            verify_now(memory, &long[..127], &stored).unwrap(),
            Verified::No
        );
        assert_eq!(verify_now(memory, &long, &stored).unwrap(), Verified::Yes);
    }

    #[test]
    fn a_hash_with_weaker_parameters_is_replaced_on_success() {
        use argon2::PasswordHasher as _;
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
        let memory = &mut Memory::new();
        match verify_now(memory, "old password", &stored).unwrap() {
            Verified::YesRehashed(new) => {
                assert!(new.contains("m=19456,t=2,p=1"));
                assert_eq!(
                    verify_now(memory, "old password", &new).unwrap(),
                    Verified::Yes
                );
            }
            other => panic!("expected a rehash, got {other:?}"),
        }
    }

    /// Reused memory holds the last hash's blocks: results must not depend on them, in either
    /// direction, against the argon2 crate's own hashing and verifying.
    #[test]
    fn hashes_made_in_reused_memory_match_the_reference_implementation() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params().unwrap());
        let memory = &mut Memory::new();
        for (i, password) in ["first", "sécond 🦀", "", "third"].into_iter().enumerate() {
            let salt = SaltString::generate(&mut OsRng);
            let expected = reference
                .hash_password(password.as_bytes(), &salt)
                .unwrap()
                .to_string();
            let current = (Algorithm::Argon2id, Version::V0x13, params().unwrap());
            let ours = hash_in(memory, current, password.as_bytes(), salt.as_salt())
                .unwrap()
                .to_string();
            assert_eq!(ours, expected, "password {i}");
            assert_eq!(
                verify_now(memory, password, &expected).unwrap(),
                Verified::Yes
            );
            let made_here = hash_now(memory, password).unwrap();
            let parsed = PasswordHash::new(&made_here).unwrap();
            assert!(
                reference
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            );
            assert_eq!(
                verify_now(memory, &format!("{password}x"), &made_here).unwrap(),
                Verified::No
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn after_a_burst_of_hashes_an_idle_hasher_keeps_no_memory() {
        let hasher = PasswordHasher::new().unwrap();
        let stored = hasher.hash("burst".to_owned()).await.unwrap();
        let checks = (0..8).map(|_| {
            let (hasher, stored) = (hasher.clone(), stored.clone());
            tokio::spawn(async move { hasher.verify("burst".to_owned(), Some(stored)).await })
        });
        for check in checks.collect::<Vec<_>>() {
            assert_eq!(check.await.unwrap().unwrap(), Verified::Yes);
        }
        assert_eq!(hasher.spare_memories(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_its_bound_the_queue_refuses_instead_of_waiting() {
        let hasher = PasswordHasher::bounded(QueueBound {
            max_waiting: 2,
            max_wait: std::time::Duration::from_secs(60),
        })
        .unwrap();
        let jobs: Vec<_> = (0..16)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash("flood".to_owned()).await })
            })
            .collect();
        let mut busy = 0;
        for job in jobs {
            if let Err(e) = job.await.unwrap() {
                assert!(e.downcast_ref::<Busy>().is_some(), "{e:#}");
                busy += 1;
            }
        }
        assert!(busy > 0 && busy < 16, "{busy} refused");
        assert_eq!(hasher.refused(), busy);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hash_that_waits_past_the_limit_is_refused() {
        let hasher = PasswordHasher::bounded(QueueBound {
            max_waiting: 1_000,
            max_wait: std::time::Duration::from_millis(1),
        })
        .unwrap();
        let jobs: Vec<_> = (0..16)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash("slow".to_owned()).await })
            })
            .collect();
        let mut refused = 0;
        for job in jobs {
            if job.await.unwrap().is_err() {
                refused += 1;
            }
        }
        assert!(refused > 0, "someone waited more than a millisecond");
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
