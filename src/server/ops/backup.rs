//! `steward backup` and `steward restore`: a consistent copy of the SQLite database taken while
//! the server runs, and putting one back once it has been checked. PostgreSQL is backed up with
//! its own tools (`pg_dump`, `pg_restore`; README: Backups).
//!
//! A backup holds sealed secrets (TOTP seeds, application secrets) that open only with the server
//! key, which is not in it: the key must be saved too, apart from the backups.

use anyhow::Context;
use std::path::{Path, PathBuf};

use crate::server::db::Db;
use crate::server::infra::config::Config;
use crate::server::infra::crypto::ServerKey;

/// What `steward backup` wrote.
#[derive(Debug, Clone)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    /// The id (not the key) of the server key the backup's secrets are sealed with, when this
    /// command can read it.
    pub key_id: Option<String>,
}

/// What `steward restore` did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub database: PathBuf,
    /// Where the database it replaced was moved, if there was one.
    pub previous: Option<PathBuf>,
}

/// `path` with `suffix` appended to its file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Copies the configured SQLite database to `to`, which must not exist: written under a
/// temporary name and renamed, so that `to` is whole or absent; readable by its owner only.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<Backup> {
    let Some(file) = Db::sqlite_file(&config.database_url) else {
        anyhow::bail!(
            "`steward backup` copies SQLite databases; back up PostgreSQL with pg_dump (README: Backups)"
        );
    };
    anyhow::ensure!(
        file.is_file(),
        "there is no database at {} to back up",
        file.display()
    );
    anyhow::ensure!(
        !to.exists(),
        "{} exists: a backup never overwrites a file, choose another name",
        to.display()
    );
    let partial = beside(to, ".partial");
    // A partial copy left by an interrupted backup.
    let _ = std::fs::remove_file(&partial);
    // Created empty and private first: SQLite writes into an empty file and keeps its mode, so
    // the copy of the secrets is never readable by others, not even for a moment.
    crate::server::infra::files::private_file(&partial)?;
    let db = Db::connect_with(&config.database_url, Some(1)).await?;
    let copied = db.sqlite_copy_to(&partial).await;
    db.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e.context(format!("cannot write {}", partial.display())));
    }
    std::fs::rename(&partial, to)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), to.display()))?;
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    let key_id = ServerKey::load_existing(config.server_key.as_deref(), &config.data_dir)
        .ok()
        .map(|key| key.key_id());
    Ok(Backup {
        path: to.to_owned(),
        bytes,
        key_id,
    })
}

/// Puts the backup `from` in place of the configured SQLite database, after checking it: SQLite's
/// integrity check, a Steward schema no newer than this binary's (older ones are migrated), and
/// secrets that open with the configured server key. Until every check passes nothing is
/// replaced; then the current database is kept beside it as `*.before-restore-TIME`. Every
/// server using the database must be stopped first.
pub async fn restore(config: &Config, from: &Path) -> anyhow::Result<Restored> {
    let Some(target) = Db::sqlite_file(&config.database_url) else {
        anyhow::bail!(
            "`steward restore` restores SQLite backups; restore PostgreSQL with pg_restore (README: Backups)"
        );
    };
    anyhow::ensure!(from.is_file(), "{} is not a file", from.display());
    let key = ServerKey::load_existing(config.server_key.as_deref(), &config.data_dir)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::server::infra::files::private_dir(dir)?;
    }
    let staging = beside(&target, ".restoring");
    remove_database(&staging);
    crate::server::infra::files::private_file(&staging)?;
    copy_into(from, &staging)
        .with_context(|| format!("cannot copy {} to {}", from.display(), staging.display()))?;
    if let Err(e) = check_staged(&staging, &key).await {
        remove_database(&staging);
        return Err(e.context(format!(
            "{} was not restored; nothing was changed",
            from.display()
        )));
    }
    let previous = target.exists().then(|| {
        beside(
            &target,
            &format!(".before-restore-{}", crate::server::db::now()),
        )
    });
    if let Some(previous) = &previous {
        move_database(&target, previous)?;
    }
    move_database(&staging, &target)?;
    Ok(Restored {
        database: target,
        previous,
    })
}

/// The checks of [`restore`], on the copy about to replace the database.
async fn check_staged(staging: &Path, key: &ServerKey) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", staging.display());
    let db = Db::connect_with(&url, Some(1)).await?;
    let checked = async {
        let integrity = db
            .sqlite_integrity()
            .await
            .context("the file is not an SQLite database")?;
        anyhow::ensure!(
            integrity == "ok",
            "SQLite's integrity check failed: {integrity}"
        );
        let (applied, known) = db.schema_versions().await?;
        anyhow::ensure!(applied > 0, "the file is not a Steward database");
        anyhow::ensure!(
            applied <= known,
            "the backup comes from a newer Steward (schema {applied}, this one knows {known}): \
             restore it with that version"
        );
        db.migrate().await?;
        crate::server::db::sealed::check_server_key(
            &db,
            |sealed, context| key.decrypt(sealed, context),
            |clear, context| key.encrypt(clear, context),
        )
        .await
        .context("the backup's secrets do not open with the configured server key: use the key saved with the backup")
    }
    .await;
    db.close().await;
    checked
}

/// Copies `from` into the existing file `to`, keeping `to`'s mode (`std::fs::copy` would give it
/// `from`'s).
fn copy_into(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = std::fs::File::open(from)?;
    let mut target = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(to)?;
    std::io::copy(&mut source, &mut target)?;
    target.sync_all()
}

/// Renames an SQLite database with its journal files.
fn move_database(from: &Path, to: &Path) -> anyhow::Result<()> {
    for suffix in ["-wal", "-shm"] {
        let journal = beside(from, suffix);
        if journal.exists() {
            std::fs::rename(&journal, beside(to, suffix))
                .with_context(|| format!("cannot move {}", journal.display()))?;
        }
    }
    std::fs::rename(from, to)
        .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(beside(path, suffix));
    }
}
