//! Users: the account holder and delegated users, who log in and hold sessions.

use crate::domain::Role;
use crate::domain::event::Event;
use crate::server::db::Db;
use crate::server::db::is_unique_violation;
use crate::server::db::now;
use crate::{execute_audited, on_db};

/// What login needs to decide: the hash, and whether the user may log in at all.
#[derive(Debug, sqlx::FromRow)]
pub struct LoginCandidate {
    pub user_id: i64,
    pub account_pk: i64,
    pub root_pk: i64,
    pub password_hash: String,
    pub disabled: bool,
    pub account_enabled: bool,
    pub security_stamp: String,
    pub totp_enabled: bool,
    /// May log in to the panel (CAM's ConsoleLogin).
    pub console_login: bool,
    /// Outside the validity window, or holding an expired temporary password.
    pub out_of_window: bool,
    /// The account's IP rules (`domain::ip_rules::IpPolicy`, stored), `None` when open.
    pub ip_policy: Option<String>,
}

/// Whether a user (`u`, of account `a`) is held back at `$N` (now): before "valid from", from
/// "valid until", or with a temporary password older than the account allows. Never the holder.
macro_rules! out_of_window {
    ($now:literal) => {
        concat!(
            "(NOT u.is_holder AND ((u.valid_from IS NOT NULL AND u.valid_from > ",
            $now,
            ")
               OR (u.valid_until IS NOT NULL AND u.valid_until <= ",
            $now,
            ")
               OR (u.password_change_required AND a.temp_password_days IS NOT NULL
                   AND u.password_updated_at <= ",
            $now,
            " - a.temp_password_days * 86400)))
             AS out_of_window"
        )
    };
}

/// Finds the user who would log in as `account_code` (the holder) or `account_code/login`.
pub async fn find_login_candidate(
    db: &Db,
    account_code: &str,
    login_key: Option<&str>,
) -> Result<Option<LoginCandidate>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT u.id AS user_id, a.id AS account_pk, COALESCE(a.parent_id, a.id) AS root_pk,
                u.password_hash, u.disabled,
                (a.enabled AND COALESCE(p.enabled, TRUE)) AS account_enabled,
                u.security_stamp, u.totp_enabled, u.console_login, a.ip_policy, ",
        out_of_window!("$3"),
        "
         FROM users u
         JOIN accounts a ON a.id = u.account_id
         LEFT JOIN accounts p ON p.id = a.parent_id
         WHERE a.code = $1
                         AND ((CAST($2 AS TEXT) IS NULL AND u.is_holder)
                              OR u.login_key = CAST($2 AS TEXT))"
    );
    on_db!(db, |pool| {
        sqlx::query_as(SQL)
            .bind(account_code)
            .bind(login_key)
            .bind(now())
            .fetch_optional(pool)
            .await
    })
}

/// Everything the panel needs about the person behind a session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallerRow {
    pub user_id: i64,
    pub account_pk: i64,
    pub account_code: String,
    pub company: String,
    pub account_enabled: bool,
    pub account_created_at: i64,
    pub is_holder: bool,
    pub login: Option<String>,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub disabled: bool,
    pub password_change_required: bool,
    pub security_stamp: String,
    pub totp_enabled: bool,
    pub require_2fa_admins: bool,
    pub require_2fa_all: bool,
    /// The account requires Administrators to sign in with a security key or passkey.
    pub require_key_admins: bool,
    /// The user has at least one security key or passkey.
    pub has_key: bool,
    /// May log in to the panel (CAM's ConsoleLogin): without it, sessions open nothing.
    pub console_login: bool,
    pub parent_pk: Option<i64>,
    /// A sub-account whose parent is disabled is off too.
    pub parent_enabled: bool,
    /// Outside the validity window, or holding an expired temporary password.
    pub out_of_window: bool,
    /// The account's IP rules, stored; `None` when every address may come in.
    pub ip_policy: Option<String>,
}

pub async fn find_caller(db: &Db, user_id: i64) -> Result<Option<CallerRow>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT u.id AS user_id, a.id AS account_pk, a.code AS account_code, a.company,
                              a.enabled AS account_enabled, a.created_at AS account_created_at,
                              u.is_holder, u.login, u.email, g.role, u.disabled,
                              u.password_change_required, u.security_stamp, u.totp_enabled, a.require_2fa_admins, a.require_2fa_all,
                              a.require_key_admins,
                              EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id) AS has_key,
                              u.console_login,
                              a.parent_id AS parent_pk, COALESCE(p.enabled, TRUE) AS parent_enabled, a.ip_policy, ",
        out_of_window!("$2"),
        "
                       FROM users u
                       JOIN accounts a ON a.id = u.account_id
                       LEFT JOIN accounts p ON p.id = a.parent_id
                       JOIN user_groups g ON g.id = u.group_id
                       WHERE u.id = $1"
    );
    on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(now())
        .fetch_optional(pool)
        .await)
}

/// Where a user belongs and how they log in: (account, top-level account, login ID).
pub async fn identity(db: &Db, user_id: i64) -> Result<Option<(i64, i64, String)>, sqlx::Error> {
    const SQL: &str = "SELECT u.account_id, COALESCE(a.parent_id, a.id), a.code, u.login
                       FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = $1";
    let row: Option<(i64, i64, String, Option<String>)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|(account, root, code, login)| {
        let login_id = match login {
            Some(login) => format!("{code}/{login}"),
            None => code,
        };
        (account, root, login_id)
    }))
}

/// Notes a successful login, and stores a stronger hash when the parameters have risen.
pub async fn record_login(
    db: &Db,
    event: &Event,
    user_id: i64,
    new_hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET last_login_at = $2, last_login_ip = $4,
                              password_hash = COALESCE(CAST($3 AS TEXT), password_hash)
                       WHERE id = $1";
    let ip = Some(event.request.ip.as_str()).filter(|ip| !ip.is_empty());
    execute_audited!(db, event, SQL, user_id, now(), new_hash, ip).map(|_| ())
}

/// A delegated user as User management lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub email: String,
    pub group_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub description: String,
    pub disabled: bool,
    pub password_change_required: bool,
    pub totp_enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub password_updated_at: i64,
    pub last_login_at: Option<i64>,
    pub last_login_ip: Option<String>,
    /// May log in to the panel (CAM's ConsoleLogin); API keys work either way.
    pub console_login: bool,
    /// Failed attempts in a row from strangers (browsers the user never logged in from), and
    /// when the last one was: whether the user is locked out.
    pub failures: i64,
    pub last_failure_at: i64,
    /// The user followed a link mailed to their current address.
    pub email_verified: bool,
    /// Invited and yet to choose a password: until when the newest invitation link works.
    pub invitation_expires_at: Option<i64>,
    pub invited: bool,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

const SELECT_USER: &str =
    "SELECT u.id, u.login, u.email, g.name AS group_name, g.role, u.description,
                                  u.disabled, u.password_change_required, u.totp_enabled,
                                  u.created_at, u.updated_at, u.password_updated_at, u.last_login_at,
                                  u.last_login_ip, u.console_login,
                                  COALESCE(f.failures, 0) AS failures,
                                  COALESCE(f.last_failure_at, 0) AS last_failure_at,
                                  (u.email_verified_at IS NOT NULL) AS email_verified,
                                  (SELECT MAX(r.expires_at) FROM password_resets r
                                   WHERE r.user_id = u.id AND r.purpose = 'invitation'
                                     AND r.used_at IS NULL) AS invitation_expires_at,
                                  (u.invited_at IS NOT NULL) AS invited, u.valid_from, u.valid_until
                           FROM users u JOIN user_groups g ON g.id = u.group_id
                           LEFT JOIN login_failures f ON f.user_id = u.id AND f.bucket = ''";

/// How the user list is narrowed, ordered and cut into pages. Every field is already checked.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Lower-case text to find in the login, e-mail or description.
    pub search: Option<String>,
    pub group_id: Option<i64>,
    /// `OK`, `DISABLED`, `PASSWORD_CHANGE_REQUIRED`, `INVITED` (yet to choose a password) or
    /// `EXPIRED` (past "valid until").
    pub status: Option<&'static str>,
    pub sort: UserSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    Login,
    Email,
    Privilege,
    Status,
    Created,
    PasswordChanged,
    LastLogin,
}

impl UserSort {
    fn column(self) -> &'static str {
        match self {
            Self::Login => "u.login_key",
            Self::Email => "lower(u.email)",
            Self::Privilege => "g.name_key",
            Self::Status => {
                "(CASE WHEN u.disabled THEN 2 WHEN u.password_change_required THEN 1 ELSE 0 END)"
            }
            Self::Created => "u.created_at",
            Self::PasswordChanged => "u.password_updated_at",
            Self::LastLogin => "COALESCE(u.last_login_at, 0)",
        }
    }
}

enum Bind {
    Int(i64),
    Text(String),
}

/// One page of the account's delegated users (never the holder), and how many match in all.
pub async fn list(
    db: &Db,
    account_pk: i64,
    filter: &UserFilter,
) -> Result<(Vec<UserRow>, i64), sqlx::Error> {
    let mut clauses = vec!["u.account_id = $1".to_owned(), "NOT u.is_holder".to_owned()];
    let mut binds = vec![Bind::Int(account_pk)];
    if let Some(search) = &filter.search {
        let escaped = search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        binds.push(Bind::Text(format!("%{escaped}%")));
        let n = binds.len();
        clauses.push(format!(
            "(u.login_key LIKE ${n} ESCAPE '\\' OR lower(u.email) LIKE ${n} ESCAPE '\\' \
             OR lower(u.description) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if let Some(group_id) = filter.group_id {
        binds.push(Bind::Int(group_id));
        clauses.push(format!("u.group_id = ${}", binds.len()));
    }
    match filter.status {
        Some("OK") => clauses.push("NOT u.disabled AND NOT u.password_change_required".to_owned()),
        Some("DISABLED") => clauses.push("u.disabled".to_owned()),
        Some("INVITED") => clauses.push("u.invited_at IS NOT NULL".to_owned()),
        Some("EXPIRED") => clauses.push(format!(
            "u.valid_until IS NOT NULL AND u.valid_until <= {}",
            now()
        )),
        Some("PASSWORD_CHANGE_REQUIRED") => {
            clauses.push("NOT u.disabled AND u.password_change_required".to_owned())
        }
        _ => {}
    }
    let where_sql = clauses.join(" AND ");
    let direction = if filter.descending { "DESC" } else { "ASC" };
    let page_sql = format!(
        "{SELECT_USER} WHERE {where_sql} ORDER BY {} {direction}, u.id {direction} LIMIT {} OFFSET {}",
        filter.sort.column(),
        filter.limit.clamp(1, 1000),
        filter.offset.max(0),
    );
    // Unfiltered, the total is the account's own count, which the database keeps (migration
    // 0010); filtered, the matching rows are counted.
    let unfiltered =
        filter.search.is_none() && filter.group_id.is_none() && filter.status.is_none();
    let count_sql = if unfiltered {
        "SELECT user_count FROM accounts WHERE id = $1".to_owned()
    } else {
        format!("SELECT COUNT(*) FROM users u WHERE {where_sql}")
    };
    on_db!(db, |pool| {
        let mut page = sqlx::query_as::<_, UserRow>(&page_sql);
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for bind in &binds {
            (page, count) = match bind {
                Bind::Int(v) => (page.bind(*v), count.bind(*v)),
                Bind::Text(v) => (page.bind(v.clone()), count.bind(v.clone())),
            };
        }
        Ok((page.fetch_all(pool).await?, count.fetch_one(pool).await?))
    })
}

/// A delegated user of this account by login (case-insensitive); never the holder.
pub async fn find_by_login(
    db: &Db,
    account_pk: i64,
    login_key: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let sql =
        format!("{SELECT_USER} WHERE u.account_id = $1 AND u.login_key = $2 AND NOT u.is_holder");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(account_pk)
        .bind(login_key)
        .fetch_optional(pool)
        .await)
}

pub struct NewUser<'a> {
    pub login: &'a str,
    pub login_key: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub group_id: i64,
    pub description: &'a str,
    pub password_change_required: bool,
}

#[derive(Debug)]
pub enum InsertUserError {
    LoginTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for InsertUserError {
    fn from(err: sqlx::Error) -> Self {
        if is_unique_violation(&err, "users_login_key", "users.account_id, users.login_key") {
            Self::LoginTaken
        } else {
            Self::Db(err)
        }
    }
}

pub async fn insert(
    db: &Db,
    event: &Event,
    account_pk: i64,
    new: &NewUser<'_>,
) -> Result<i64, InsertUserError> {
    const SQL: &str = "INSERT INTO users (account_id, is_holder, login, login_key, email, password_hash, group_id,
                                          description, password_change_required, security_stamp,
                                          created_at, updated_at, password_updated_at)
                       SELECT $1, FALSE, $2, $3, $4, $5, g.id, $7, $8, $9, $10, $10, $10
                       FROM user_groups g WHERE g.id = $6 AND g.account_id = $1
                       RETURNING id";
    let at = now();
    let stamp = crate::server::infra::secrets::security_stamp();
    let row: Option<i64> = crate::audited_tx!(db, event, |conn| {
        sqlx::query_scalar(SQL)
            .bind(account_pk)
            .bind(new.login)
            .bind(new.login_key)
            .bind(new.email)
            .bind(new.password_hash)
            .bind(new.group_id)
            .bind(new.description)
            .bind(new.password_change_required)
            .bind(&stamp)
            .bind(at)
            .fetch_optional(&mut *conn)
            .await
            .map_err(InsertUserError::from)
    })?;
    row.ok_or(InsertUserError::Db(sqlx::Error::RowNotFound))
}

/// Changes e-mail, group and description. When the group changes, the user's sessions end
/// (their privileges changed). Returns false when the user is not in this account.
pub async fn update_profile(
    db: &Db,
    event: &Event,
    account_pk: i64,
    user_id: i64,
    email: &str,
    group_id: i64,
    description: &str,
) -> Result<bool, sqlx::Error> {
    // A new address is not verified yet.
    const SQL: &str = "UPDATE users SET email = $3, description = $5, updated_at = $6,
                              email_verified_at = CASE WHEN email = $3 THEN email_verified_at ELSE NULL END,
                              security_stamp = CASE WHEN group_id = $4 THEN security_stamp ELSE $7 END,
                              group_id = $4
                       WHERE id = $2 AND account_id = $1 AND NOT is_holder
                         AND EXISTS (SELECT 1 FROM user_groups g WHERE g.id = $4 AND g.account_id = $1)";
    let stamp = crate::server::infra::secrets::security_stamp();
    let done = execute_audited!(
        db,
        event,
        SQL,
        account_pk,
        user_id,
        email,
        group_id,
        description,
        now(),
        &stamp
    )?;
    Ok(done == 1)
}

/// Sets a new password hash. Every session of the user ends, except that the caller may then
/// log the current one back in with the returned stamp.
pub async fn set_password(
    db: &Db,
    event: &Event,
    account_pk: i64,
    user_id: i64,
    password_hash: &str,
    change_required: bool,
) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "UPDATE users SET password_hash = $3, password_change_required = $4,
                              password_updated_at = $5, updated_at = $5, security_stamp = $6
                       WHERE id = $2 AND account_id = $1";
    let stamp = crate::server::infra::secrets::security_stamp();
    let done = execute_audited!(
        db,
        event,
        SQL,
        account_pk,
        user_id,
        password_hash,
        change_required,
        now(),
        &stamp
    )?;
    Ok((done == 1).then_some(stamp))
}

/// Ends every session of a user by replacing their security stamp.
pub async fn rotate_stamp(
    db: &Db,
    event: &Event,
    account_pk: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET security_stamp = $3 WHERE id = $2 AND account_id = $1";
    Ok(execute_audited!(
        db,
        event,
        SQL,
        account_pk,
        user_id,
        crate::server::infra::secrets::security_stamp()
    )? == 1)
}

/// Removes a delegated user for good; their sessions die with them.
pub async fn delete(
    db: &Db,
    event: &Event,
    account_pk: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM users WHERE id = $2 AND account_id = $1 AND NOT is_holder";
    Ok(execute_audited!(db, event, SQL, account_pk, user_id)? == 1)
}

/// The stored hash of a user's password, to check their current password.
pub async fn password_hash(db: &Db, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })
}
