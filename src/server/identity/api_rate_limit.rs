//! Each account's API rate limit (requests per minute), counted in the database so that
//! several app servers agree. Every request made with an API credential counts: the provider
//! dialects (`compat::kit::admit`), the panel's server functions and the activity CSV
//! (`identity::current::caller_from_request`).

use crate::server::db;
use crate::server::db::Db;
use crate::{execute, on_db};

/// Counts one API request for `account_pk` in the current minute; false when that goes over
/// the account's limit (the request must then be refused with the dialect's 429).
pub async fn admit(db: &Db, account_pk: i64) -> Result<bool, sqlx::Error> {
    const COUNT: &str =
        "INSERT INTO api_request_counts (account_id, minute, requests) VALUES ($1, $2, 1)
                         ON CONFLICT (account_id, minute)
                         DO UPDATE SET requests = api_request_counts.requests + 1
                         RETURNING requests";
    let minute = db::now().div_euclid(60);
    let (requests, limit): (i64, i64) = on_db!(db, |pool| {
        let requests: i64 = sqlx::query_scalar(COUNT)
            .bind(account_pk)
            .bind(minute)
            .fetch_one(pool)
            .await?;
        let limit: i64 = sqlx::query_scalar("SELECT rate_limit FROM accounts WHERE id = $1")
            .bind(account_pk)
            .fetch_one(pool)
            .await?;
        Ok::<_, sqlx::Error>((requests, limit))
    })?;
    if requests == 1 {
        // The first request of a new minute clears the account's older counts.
        execute!(
            db,
            "DELETE FROM api_request_counts WHERE account_id = $1 AND minute < $2",
            account_pk,
            minute
        )?;
    }
    Ok(requests <= limit)
}

/// Seconds until the next minute starts counting afresh (1 to 60), for `Retry-After`.
pub fn retry_after(now: i64) -> u64 {
    (60 - now.rem_euclid(60)).unsigned_abs()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refused_request_may_retry_when_the_next_minute_starts() {
        assert_eq!(super::retry_after(120), 60);
        assert_eq!(super::retry_after(121), 59);
        assert_eq!(super::retry_after(179), 1);
        assert_eq!(super::retry_after(-1), 1);
    }
}
