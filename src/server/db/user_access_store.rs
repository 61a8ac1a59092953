//! Whether a delegated user may get in: disabled or enabled, and whether they may log in to the
//! panel at all (Tencent Cloud CAM's ConsoleLogin; their API credentials work either way).

use crate::domain::event::Event;
use crate::execute_audited;
use crate::server::db::Db;
use crate::server::db::now;

/// Disables or enables a delegated user; disabling ends their sessions at once.
pub async fn set_disabled(
    db: &Db,
    event: &Event,
    account_pk: i64,
    user_id: i64,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET disabled = $3, updated_at = $4,
                              enabled_at = CASE WHEN $3 THEN enabled_at ELSE $4 END,
                              security_stamp = CASE WHEN $3 THEN $5 ELSE security_stamp END
                       WHERE id = $2 AND account_id = $1 AND NOT is_holder";
    let stamp = crate::server::infra::secrets::security_stamp();
    let done = execute_audited!(db, event, SQL, account_pk, user_id, disabled, now(), &stamp)?;
    Ok(done == 1)
}

/// Lets a delegated user log in to the panel, or not. Their open sessions stop opening
/// anything at once (the session check reads it), while their API credentials keep working.
pub async fn set_console_login(
    db: &Db,
    event: &Event,
    account_pk: i64,
    user_id: i64,
    allowed: bool,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET console_login = $3, updated_at = $4
                       WHERE id = $2 AND account_id = $1 AND NOT is_holder";
    let done = execute_audited!(db, event, SQL, account_pk, user_id, allowed, now())?;
    Ok(done == 1)
}
