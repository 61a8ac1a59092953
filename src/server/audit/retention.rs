//! How long the activity log keeps events: older ones are pruned at start-up and every hour,
//! with the list of mail sent (or given up) as long ago.

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

/// The lock that makes one server at a time prune ("STWDPRUN" in ASCII).
pub const PRUNE_LOCK: i64 = 0x5354_5744_5052_554E;

/// Prunes unless another server is pruning right now; `None` when it is.
pub async fn prune_once(db: &Db, days: u32, now: i64) -> Result<Option<u64>, sqlx::Error> {
    let Some(held) = db.try_exclusive(PRUNE_LOCK).await? else {
        return Ok(None);
    };
    let pruned = async {
        let gone = prune(db, days, now).await?;
        db::mail_store::prune(db, now - i64::from(days) * 86_400).await?;
        Ok(gone)
    }
    .await;
    held.release().await?;
    pruned.map(Some)
}

/// Prunes the activity log at start-up and then every hour, for as long as the server runs; a
/// failed round is logged and the next one tries again.
pub fn spawn_retention(db: Db, days: u32) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match prune_once(&db, days, db::now()).await {
                Ok(None) => tracing::debug!("another server is pruning the activity log"),
                Ok(Some(0)) => {}
                Ok(Some(gone)) => tracing::info!(gone, days, "pruned old activity"),
                Err(e) => tracing::warn!(error = %e, "cannot prune the activity log"),
            }
        }
    });
}
