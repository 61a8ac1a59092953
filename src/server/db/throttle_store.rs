//! Failed attempts at a user's secrets, per user and bucket, and the browsers a user has logged
//! in from. An attempt is reserved (counted as a failure) *before* the secret is checked, so that
//! a burst of parallel guesses gets no more checks than the policy allows (SECURITY.md rule 5).

use crate::domain::event::Event;
use crate::domain::throttle_policy::{ThrottlePolicy, Verdict};
use crate::server::db::Db;
use crate::server::db::now;
use crate::{execute, on_db};

/// What [`reserve`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt may be checked; it already counts as a failure, which a success undoes.
    Granted {
        /// Failures in a row, this one included.
        failures: i64,
    },
    /// Refused unchecked, for this many more seconds. Nothing was written: a refused attempt
    /// never extends a lock.
    Refused { wait: i64 },
}

/// How often a reservation retries when other attempts changed the count under it. Each retry
/// means another attempt was counted, so a burst ends in refusals long before this.
const MAX_TRIES: usize = 1_000;

/// Reserves one attempt at `user_id`'s secret from `bucket` under `policy`, at `now`.
///
/// A compare-and-set on the failure count: read it, let the policy decide, and write the new
/// count only if nobody changed it meanwhile (else read again). The decision stays in one pure
/// function ([`ThrottlePolicy::check`]) and is atomic on both databases.
pub async fn reserve(
    db: &Db,
    user_id: i64,
    bucket: &str,
    policy: &ThrottlePolicy,
    at: i64,
) -> Result<Reservation, sqlx::Error> {
    const READ: &str =
        "SELECT failures, last_failure_at FROM login_failures WHERE user_id = $1 AND bucket = $2";
    const FIRST: &str = "INSERT INTO login_failures (user_id, bucket, failures, last_failure_at)
                         VALUES ($1, $2, 1, $3) ON CONFLICT (user_id, bucket) DO NOTHING";
    const NEXT: &str = "UPDATE login_failures SET failures = failures + 1, last_failure_at = $4
                        WHERE user_id = $1 AND bucket = $2 AND failures = $3";
    for _ in 0..MAX_TRIES {
        let current: Option<(i64, i64)> = on_db!(db, |pool| sqlx::query_as(READ)
            .bind(user_id)
            .bind(bucket)
            .fetch_optional(pool)
            .await)?;
        let written = match current {
            None => execute!(db, FIRST, user_id, bucket, at)?,
            Some((failures, last_failure_at)) => {
                let counted = u32::try_from(failures).unwrap_or(u32::MAX);
                if let Verdict::Wait(wait) = policy.check(counted, last_failure_at, at) {
                    return Ok(Reservation::Refused { wait });
                }
                execute!(db, NEXT, user_id, bucket, failures, at)?
            }
        };
        if written == 1 {
            let failures = current.map_or(1, |(failures, _)| failures + 1);
            return Ok(Reservation::Granted { failures });
        }
    }
    // Never seen: refuse rather than check without counting.
    Ok(Reservation::Refused { wait: 1 })
}

/// The secret was right: the reserved attempt was not a failure after all. The count of the
/// attempts before it stays (a correct password does not wipe out wrong codes).
pub async fn release(db: &Db, user_id: i64, bucket: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE login_failures SET failures = failures - 1
         WHERE user_id = $1 AND bucket = $2 AND failures > 0",
        user_id,
        bucket
    )?;
    // A count back at zero is no count at all.
    execute!(
        db,
        "DELETE FROM login_failures WHERE user_id = $1 AND bucket = $2 AND failures <= 0",
        user_id,
        bucket
    )
    .map(|_| ())
}

/// A successful login from `bucket` starts its count again.
pub async fn clear(db: &Db, user_id: i64, bucket: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "DELETE FROM login_failures WHERE user_id = $1 AND bucket = $2",
        user_id,
        bucket
    )
    .map(|_| ())
}

/// Every bucket of a user starts again (as part of a change that records its own event).
pub async fn clear_all(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM login_failures WHERE user_id = $1", user_id).map(|_| ())
}

/// Unlocks a user: every bucket starts again, and `event` records it in the same transaction.
pub async fn unlock(db: &Db, event: &Event, user_id: i64) -> Result<(), sqlx::Error> {
    crate::execute_audited!(
        db,
        event,
        "DELETE FROM login_failures WHERE user_id = $1",
        user_id
    )
    .map(|_| ())
}

/// How many of a user's devices are remembered.
pub const DEVICES_KEPT: i64 = 10;

/// Remembers a browser that has logged in as `user_id`; returns its id.
/// Whether `user_id` has signed in from any browser that is still remembered.
pub async fn has_devices(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM known_devices WHERE user_id = $1)"
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)
}

pub async fn add_device(db: &Db, user_id: i64, secret_hash: &str) -> Result<i64, sqlx::Error> {
    let at = now();
    let id: i64 = on_db!(db, |pool| sqlx::query_scalar(
        "INSERT INTO known_devices (user_id, secret_hash, created_at, last_used_at)
         VALUES ($1, $2, $3, $3) RETURNING id"
    )
    .bind(user_id)
    .bind(secret_hash)
    .bind(at)
    .fetch_one(pool)
    .await)?;
    execute!(
        db,
        "DELETE FROM known_devices WHERE user_id = $1 AND id NOT IN
             (SELECT id FROM known_devices WHERE user_id = $1
              ORDER BY last_used_at DESC, id DESC LIMIT $2)",
        user_id,
        DEVICES_KEPT
    )?;
    // A forgotten device's count goes with it: its cookie now counts as a stranger's.
    execute!(
        db,
        "DELETE FROM login_failures WHERE user_id = $1 AND bucket LIKE 'device:%'
             AND bucket NOT IN (SELECT 'device:' || id FROM known_devices WHERE user_id = $1)",
        user_id
    )?;
    Ok(id)
}

/// The stored hash of device `id` of `user_id`, if it is remembered.
pub async fn device_hash(db: &Db, user_id: i64, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT secret_hash FROM known_devices WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)
}

/// Notes that device `id` logged in again.
pub async fn touch_device(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE known_devices SET last_used_at = $2 WHERE id = $1",
        id,
        now()
    )
    .map(|_| ())
}
