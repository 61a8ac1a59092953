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
