//! Every column that holds a value sealed with the server key, for `steward key rotate`: the
//! TOTP seeds (active and being enrolled), the one-time reveals waiting to be shown, the OVHcloud
//! application secrets, the Tencent Cloud SecretKeys, the bodies of mail not sent yet and the
//! server key check. Each is sealed with the context its
//! service gives it (see each service's `context`), which the rotation must give again.

use crate::in_tx;
use crate::server::db::Db;

/// How many values of each column were sealed again.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts(pub Vec<(&'static str, u64)>);

impl Counts {
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

/// Seals every sealed value again, in one transaction: `open` gives a value's plaintext (with
/// any key), `seal` seals it anew (with the new key). A value that changed meanwhile (another
/// server sealed it again) is left as it is: it was sealed with a key still in the key file.
/// Any value that does not open aborts it all: nothing changes.
pub async fn seal_all_again(
    db: &Db,
    open: impl Fn(&[u8], &str) -> anyhow::Result<Vec<u8>>,
    seal: impl Fn(&[u8], &str) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Counts> {
    let again = |sealed: &[u8], context: &str, what: &str| -> anyhow::Result<Vec<u8>> {
        let clear = open(sealed, context)
            .map_err(|e| e.context(format!("a row's {what} does not open with the server keys")))?;
        seal(&clear, context)
    };
    /// One sealed column: `$select` yields (key, the text its context is made of, sealed),
    /// `$update` takes (new, key, old).
    macro_rules! reseal {
        ($conn:ident, $counts:ident, $name:literal, $key:ty, $select:literal, $update:literal, $context:expr) => {{
            let rows: Vec<($key, String, Vec<u8>)> =
                sqlx::query_as($select).fetch_all(&mut *$conn).await?;
            let mut n = 0;
            for (key, text, sealed) in rows {
                let context: String = $context(&text);
                // The row is not named: a reveal's key is a single-use link.
                let fresh = again(&sealed, &context, $name)?;
                sqlx::query($update)
                    .bind(&fresh)
                    .bind(&key)
                    .bind(&sealed)
                    .execute(&mut *$conn)
                    .await?;
                n += 1;
            }
            $counts.push(($name, n));
        }};
    }
    let counts = in_tx!(db, |conn| {
        async {
            let mut counts = Vec::new();
            reseal!(
                conn,
                counts,
                "totp_authenticators.sealed",
                i64,
                "SELECT id, CAST(user_id AS TEXT), sealed FROM totp_authenticators",
                "UPDATE totp_authenticators SET sealed = $1 WHERE id = $2 AND sealed = $3",
                |user_id: &str| format!("totp:{user_id}")
            );
            reseal!(
                conn,
                counts,
                "users.totp_pending_sealed",
                i64,
                "SELECT id, CAST(id AS TEXT), totp_pending_sealed FROM users WHERE totp_pending_sealed IS NOT NULL",
                "UPDATE users SET totp_pending_sealed = $1 WHERE id = $2 AND totp_pending_sealed = $3",
                |id: &str| format!("totp-pending:{id}")
            );
            // Reveals are keyed by their text id: the row is found by it directly.
            reseal!(
                conn,
                counts,
                "reveals.sealed",
                String,
                "SELECT id, id, sealed FROM reveals",
                "UPDATE reveals SET sealed = $1 WHERE id = $2 AND sealed = $3",
                |id: &str| format!("reveal:{id}")
            );
            reseal!(
                conn,
                counts,
                "ovh_applications.secret_sealed",
                i64,
                "SELECT id, application_key, secret_sealed FROM ovh_applications",
                "UPDATE ovh_applications SET secret_sealed = $1 WHERE id = $2 AND secret_sealed = $3",
                |key: &str| format!("ovh-app:{key}")
            );
            reseal!(
                conn,
                counts,
                "tencent_access_keys.secret_key_sealed",
                i64,
                "SELECT id, secret_id, secret_key_sealed FROM tencent_access_keys",
                "UPDATE tencent_access_keys SET secret_key_sealed = $1 WHERE id = $2 AND secret_key_sealed = $3",
                |secret_id: &str| format!("tencent:{secret_id}")
            );
            reseal!(
                conn,
                counts,
                "mail_outbox.sealed",
                String,
                "SELECT id, id, sealed FROM mail_outbox WHERE sealed IS NOT NULL",
                "UPDATE mail_outbox SET sealed = $1 WHERE id = $2 AND sealed = $3",
                |id: &str| format!("mail:{id}")
            );
            reseal!(
                conn,
                counts,
                "server_key_check.sealed",
                i64,
                "SELECT id, CAST(id AS TEXT), sealed FROM server_key_check",
                "UPDATE server_key_check SET sealed = $1 WHERE id = $2 AND sealed = $3",
                |_: &str| KEY_CHECK_CONTEXT.to_owned()
            );
            Ok::<_, anyhow::Error>(counts)
        }
        .await
    })?;
    Ok(Counts(counts))
}

const KEY_CHECK_CONTEXT: &str = "server-key-check";
const KEY_CHECK_CLEAR: &[u8] = b"Steward server key check";

/// Refuses a server key that is not the database's: the first server to use the database seals a
/// constant with its key; every later start must open it (`open`, with any key of the key file),
/// or nothing starts, before a secret is sealed under a key the other servers lack.
pub async fn check_server_key(
    db: &Db,
    open: impl Fn(&[u8], &str) -> anyhow::Result<Vec<u8>>,
    seal: impl Fn(&[u8], &str) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<()> {
    let fresh = seal(KEY_CHECK_CLEAR, KEY_CHECK_CONTEXT)?;
    let stored: Vec<u8> = crate::on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO server_key_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&fresh)
        .execute(pool)
        .await?;
        sqlx::query_scalar("SELECT sealed FROM server_key_check WHERE id = 1")
            .fetch_one(pool)
            .await
    })?;
    match open(&stored, KEY_CHECK_CONTEXT) {
        Ok(clear) if clear == KEY_CHECK_CLEAR => Ok(()),
        _ => anyhow::bail!(
            "this database was written with another server key: its secrets would not open, and \
             secrets sealed now would not open on the other servers. Start every server of one \
             database with the same key (STEWARD_SERVER_KEY, STEWARD_SERVER_KEY_FILE or the key \
             file DATA_DIR/server.key); nothing was changed"
        ),
    }
}

/// The ids of the keys that recovery codes are HMACs under (`hmac-sha256$<key id>$...`).
pub async fn recovery_code_key_ids(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    crate::on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT DISTINCT substr(code_hash, 13, 16) FROM recovery_codes
             WHERE code_hash LIKE 'hmac-sha256$%'",
        )
        .fetch_all(pool)
        .await
    })
}
