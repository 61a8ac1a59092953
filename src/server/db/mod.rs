//! The database: SQLite (embedded, the default) or PostgreSQL (for several app servers), chosen
//! by URL. Queries are written once in the SQL both dialects share, with `$1` placeholders, and
//! run on either pool through [`on_db!`] and [`in_tx!`].

pub mod account_store;
pub mod activity_store;
pub mod api_token_store;
pub mod email_verification_store;
pub mod group_store;
pub mod ip_policy_store;
pub mod language_store;
pub mod mail_store;
pub mod member_store;
pub mod ovh_key_store;
pub mod passkey_store;
pub mod password_reset_store;
pub mod policy_store;
pub mod reveal_store;
pub mod sealed;
pub mod session_store;
pub mod sub_account_store;
pub mod tencent_key_store;
pub mod throttle_store;
pub mod two_factor_store;
pub mod user_access_store;
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

/// A lock held across servers (see [`Db::try_exclusive`]), until [`Exclusive::release`]. Dropped
/// instead, it is released once its connection rolls back, which sqlx does on the connection's
/// next use: soon, not at once.
#[must_use = "release the lock when the work is done"]
pub struct Exclusive(Option<sqlx::Transaction<'static, sqlx::Postgres>>);

impl Exclusive {
    /// Releases the lock now.
    pub async fn release(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Some(tx) => tx.rollback().await,
            None => Ok(()),
        }
    }
}

impl Db {
    /// Opens the database named by `url`, creating an SQLite file (and its directory) if needed.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, None).await
    }

    /// [`Db::connect`] with at most `max_connections` connections (default: 8 on SQLite, which
    /// has one writer anyway, and 16 on PostgreSQL).
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections.unwrap_or(16))
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
            .max_connections(max_connections.unwrap_or(8))
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

    /// Takes the lock named `lock` if no other server holds it; it is held until the guard is
    /// released. Work that must run on one server at a time (the hourly prune) takes it. On
    /// PostgreSQL it is a transaction-scoped advisory lock, released with its connection even
    /// if the server dies; SQLite serves one server only, so it is always granted.
    pub async fn try_exclusive(&self, lock: i64) -> Result<Option<Exclusive>, sqlx::Error> {
        match self {
            Self::Sqlite(_) => Ok(Some(Exclusive(None))),
            Self::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let granted: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                    .bind(lock)
                    .fetch_one(&mut *tx)
                    .await?;
                Ok(granted.then_some(Exclusive(Some(tx))))
            }
        }
    }

    /// The file an `sqlite:` URL names; `None` for PostgreSQL or an in-memory database.
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        if !url.starts_with("sqlite:") {
            return None;
        }
        let options = SqliteConnectOptions::from_str(url).ok()?;
        let file = options.get_filename();
        (file != std::path::Path::new(":memory:")).then(|| file.to_path_buf())
    }

    /// Closes every connection (SQLite then folds its journal back into the file).
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }

    /// Writes a consistent copy of an SQLite database to `path` while it is in use
    /// (`VACUUM INTO`: one read transaction, so writers go on). PostgreSQL has `pg_dump`.
    pub async fn sqlite_copy_to(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let Self::Sqlite(pool) = self else {
            anyhow::bail!(
                "`steward backup` copies SQLite databases; back up PostgreSQL with pg_dump (README: Backups)"
            );
        };
        let path = path
            .to_str()
            .context("the backup path is not valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// SQLite's own check of every page and index: `ok`, or what is wrong.
    pub async fn sqlite_integrity(&self) -> anyhow::Result<String> {
        let Self::Sqlite(pool) = self else {
            anyhow::bail!("not an SQLite database");
        };
        let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(pool)
            .await?;
        Ok(lines.join("; "))
    }

    /// The newest migration applied to this database (0 for an empty one), and the newest the
    /// binary knows: a database from a newer Steward has a higher first number.
    pub async fn schema_versions(&self) -> anyhow::Result<(i64, i64)> {
        let (applied, known) = match self {
            Self::Sqlite(pool) => (
                sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
                    .fetch_one(pool)
                    .await,
                sqlx::migrate!("migrations/sqlite")
                    .iter()
                    .map(|m| m.version)
                    .max(),
            ),
            Self::Postgres(pool) => (
                sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
                    .fetch_one(pool)
                    .await,
                sqlx::migrate!("migrations/postgres")
                    .iter()
                    .map(|m| m.version)
                    .max(),
            ),
        };
        Ok((applied.ok().flatten().unwrap_or(0), known.unwrap_or(0)))
    }

    /// `sqlite` or `postgresql`, for the operator.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgresql",
        }
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
