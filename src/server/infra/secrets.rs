//! Random values from the operating system's CSPRNG.

use rand::rngs::OsRng;
use rand::{Rng, RngCore};

use crate::domain::AccountId;

/// `n` random bytes as lower-case hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A short id a user can quote to find an error in the server log.
pub fn reference_id() -> String {
    random_hex(5)
}

/// A per-user value stored with each session; changing it ends all of the user's sessions.
pub fn security_stamp() -> String {
    random_hex(16)
}

pub fn account_id() -> AccountId {
    AccountId::from_random(|| OsRng.gen_range(0..10))
}

/// A uniformly random index below `n`, for the generators in `domain::generated` and
/// `domain::credential`.
pub fn pick(n: usize) -> usize {
    OsRng.gen_range(0..n)
}

/// The SHA-256 of a bearer secret, as stored: the secret has at least 128 bits, so a fast hash
/// is enough (no guessing is feasible) and lookups stay cheap.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two stored hashes in constant time.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
