//! The database: SQLite (embedded, the default) or PostgreSQL (for several app servers), chosen
//! by URL. Queries are written once in the SQL both dialects share, with `$1` placeholders, and
//! run on either pool through [`on_db!`] and [`in_tx!`].

pub mod account_store;
pub mod activity_store;
pub mod api_token_store;
pub mod group_store;
pub mod language_store;
pub mod ovh_key_store;
pub mod reveal_store;
pub mod sealed;
pub mod session_store;
pub mod sub_account_store;
pub mod tencent_key_store;
pub mod throttle_store;
pub mod two_factor_store;
pub mod user_store;

use anyhow::Context;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds. The body is compiled once
/// per database, so it must be valid for both.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool) => $body,
            $crate::server::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs one statement with its binds on either database; yields `Result<u64, sqlx::Error>`,
/// the number of rows it touched.
#[macro_export]
macro_rules! execute {
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::on_db!($db, |pool| {
            sqlx::query($sql)$(.bind($bind))*.execute(pool).await.map(|r| r.rows_affected())
        })
    };
}

/// Runs `$body` (an expression returning `Result<T, E>` where `E: From<sqlx::Error>`) inside a
/// write transaction with `$conn` bound to its connection, committing on `Ok`. SQLite write
/// transactions begin `IMMEDIATE`, so two writers queue on the busy timeout instead of failing
/// with "database is locked" when the second one upgrades its read lock.
#[macro_export]
macro_rules! in_tx {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let $conn = &mut *tx;
                let value = $body;
                if value.is_ok() {
                    tx.commit().await?;
                }
                value
            }
            $crate::server::db::Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let $conn = &mut *tx;
                let value = $body;
                if value.is_ok() {
                    tx.commit().await?;
                }
                value
            }
        }
    };
}

impl Db {
    /// Opens the database named by `url`, creating an SQLite file (and its directory) if needed.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect(url)
                .await
                .context("cannot connect to PostgreSQL")?;
            return Ok(Self::Postgres(pool));
        }
        if !url.starts_with("sqlite:") {
            anyhow::bail!("unsupported database URL: use sqlite://PATH or postgres://...");
        }
        let options = SqliteConnectOptions::from_str(url)
            .context("invalid SQLite URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Pages are read through one shared mapping of the file instead of being copied
            // into each connection's own cache: eight connections no longer hold eight copies
            // of the busiest pages, and reads skip a copy.
            .pragma("mmap_size", "268435456");
        // The database holds sealed secrets and password hashes: its directory and files are
        // their owner's alone (see `files`).
        let file = options.get_filename();
        if file != std::path::Path::new(":memory:") {
            if let Some(dir) = file.parent()
                && !dir.as_os_str().is_empty()
            {
                crate::server::infra::files::private_dir(dir)?;
            }
            crate::server::infra::files::private_file(file)?;
            for journal in ["-wal", "-shm"] {
                let mut path = file.as_os_str().to_owned();
                path.push(journal);
                crate::server::infra::files::report_if_open(std::path::Path::new(&path), 0o600);
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("cannot open the SQLite database")?;
        Ok(Self::Sqlite(pool))
    }

    /// Applies the migrations embedded in the binary. Any failure is returned: the server must
    /// not start on a half-migrated schema.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(pool) => {
                sqlx::migrate!("migrations/sqlite").run(pool).await?;
                tower_sessions_sqlx_store::SqliteStore::new(pool.clone())
                    .migrate()
                    .await?;
            }
            Self::Postgres(pool) => {
                sqlx::migrate!("migrations/postgres").run(pool).await?;
                tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
                    .migrate()
                    .await?;
            }
        }
        Ok(())
    }

    /// Answers whether the database responds (for `/healthz`).
    pub async fn ping(&self) -> bool {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .is_ok())
    }
}

/// Connection-level failures: the database is down or unreachable, not the request at fault.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    matches!(
        err,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
    ) || matches!(err, sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("08") || c == "57P01" || c == "57P03"))
}

/// Whether `err` is a violation of the unique index `index` (named the same on both databases;
/// SQLite reports the indexed columns instead, given as `table.column`).
pub fn is_unique_violation(err: &sqlx::Error, index: &str, sqlite_columns: &str) -> bool {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            db.constraint() == Some(index) || db.message().contains(sqlite_columns)
        }
        _ => false,
    }
}

/// Seconds since the Unix epoch: how every time is stored, identically on both databases.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
