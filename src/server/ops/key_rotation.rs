//! `steward key rotate`: a new server key, and every sealed value sealed again under it.
//!
//! 1. The key file gets the new key first and the old keys after it (written at once, readable
//!    by its owner only). A running server that meets a value sealed with the new key reads the
//!    file again, and the old keys still open what is not sealed again yet.
//! 2. Every sealed value is opened and sealed with the new key, in one transaction: all or none.
//! 3. The file keeps, besides the new key, the key it replaces (servers that have not read the
//!    file again still seal with it) and every key that recovery codes are HMACs under (an HMAC
//!    cannot be computed again without the code, which only its user has). Older keys go.
//!
//! A key given in `STEWARD_SERVER_KEY` is not rotated: this command can only change the file.

use anyhow::{Context, bail};

use crate::server::db;
use crate::server::web::state::AppState;

/// What a rotation did, for the operator.
#[derive(Debug, Clone)]
pub struct Rotation {
    /// The new key's id (not the key).
    pub key_id: String,
    pub sealed_again: db::sealed::Counts,
    /// The ids of the older keys the file keeps.
    pub kept: Vec<String>,
}

pub async fn rotate(state: &AppState) -> anyhow::Result<Rotation> {
    if state.config.server_key.is_some() {
        bail!(
            "the server key comes from STEWARD_SERVER_KEY (or --server-key), which this command \
             cannot change: rotation replaces the key file DATA_DIR/server.key. To rotate, put \
             that key on the first line of {} (mode 600), unset STEWARD_SERVER_KEY, and run \
             `steward key rotate` again",
            state.config.data_dir.join("server.key").display()
        );
    }
    let old = &state.server_key;
    let previous = old.key_id();
    let next = old.rotated();
    next.write_file().context("cannot write the new key file")?;
    let sealed_again = db::sealed::seal_all_again(
        &state.db,
        |sealed, context| next.decrypt(sealed, context),
        |clear, context| next.encrypt(clear, context),
    )
    .await
    .context(
        "nothing was sealed again (the key file now lists a new key first; the old keys after it still open everything)",
    )?;
    let in_use = db::sealed::recovery_code_key_ids(&state.db).await?;
    let kept = next.retaining(|id| id == previous || in_use.iter().any(|used| used == id));
    kept.write_file()
        .context("cannot write the key file without the keys no longer needed")?;
    let rotation = Rotation {
        key_id: kept.key_id(),
        sealed_again,
        kept: kept.key_ids().into_iter().skip(1).collect(),
    };
    tracing::info!(
        key_id = %rotation.key_id,
        sealed_again = rotation.sealed_again.total(),
        kept = rotation.kept.len(),
        "server key rotated"
    );
    Ok(rotation)
}
