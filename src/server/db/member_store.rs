//! Every user of an account, the holder included, as the providers' APIs list them.

use crate::domain::Role;
use crate::on_db;
use crate::server::db::Db;

/// Any user of the account, the holder included, as the compatible APIs list them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub is_holder: bool,
    pub login: Option<String>,
    pub email: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub disabled: bool,
    pub totp_enabled: bool,
    pub created_at: i64,
    pub email_verified: bool,
    /// The language the user chose (`en`, `fr`); `None` until they choose.
    pub language: Option<String>,
}

const SELECT_MEMBER: &str =
    "SELECT u.id, u.is_holder, u.login, u.email, u.description, g.role, u.disabled,
                                    u.totp_enabled, u.created_at,
                                    (u.email_verified_at IS NOT NULL) AS email_verified,
                                    u.language
                             FROM users u JOIN user_groups g ON g.id = u.group_id";

/// One page of the account's users (holder first, then by creation), and how many there are.
pub async fn list_members(
    db: &Db,
    account_pk: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<MemberRow>, i64), sqlx::Error> {
    let sql = format!(
        "{SELECT_MEMBER} WHERE u.account_id = $1
         ORDER BY u.is_holder DESC, u.created_at, u.id LIMIT {} OFFSET {}",
        limit.clamp(1, 1000),
        offset.max(0)
    );
    on_db!(db, |pool| {
        let rows = sqlx::query_as(&sql)
            .bind(account_pk)
            .fetch_all(pool)
            .await?;
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE account_id = $1")
            .bind(account_pk)
            .fetch_one(pool)
            .await?;
        Ok((rows, total))
    })
}

/// User `user_id` of the account, the holder included.
pub async fn find_member(
    db: &Db,
    account_pk: i64,
    user_id: i64,
) -> Result<Option<MemberRow>, sqlx::Error> {
    let sql = format!("{SELECT_MEMBER} WHERE u.account_id = $1 AND u.id = $2");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(account_pk)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}
