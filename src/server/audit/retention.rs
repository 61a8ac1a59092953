//! How long the activity log keeps events: older ones are pruned at start-up and every hour.

use crate::server::db;
use crate::server::db::Db;

/// Deletes the events older than `days` days, a batch at a time; returns how many went.
pub async fn prune(db: &Db, days: u32, now: i64) -> Result<u64, sqlx::Error> {
    const BATCH: i64 = 5_000;
    let before = now - i64::from(days) * 86_400;
    let mut total = 0;
    loop {
        let gone = db::activity_store::prune(db, before, BATCH).await?;
        total += gone;
        if gone < BATCH as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

/// Prunes the activity log at start-up and then every hour, for as long as the server runs.
pub fn spawn_retention(db: Db, days: u32) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match prune(&db, days, db::now()).await {
                Ok(0) => {}
                Ok(gone) => tracing::info!(gone, days, "pruned old activity"),
                Err(e) => tracing::warn!(error = %e, "cannot prune the activity log"),
            }
        }
    });
}
