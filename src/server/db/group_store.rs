//! Groups: where a user's privilege comes from.

use crate::domain::Role;
use crate::domain::event::Event;
use crate::on_db;
use crate::server::db::Db;
use crate::server::db::is_unique_violation;
use crate::server::db::now;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub description: String,
    pub built_in: bool,
    pub members: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT: &str =
    "SELECT g.id, g.name, g.role, g.description, g.built_in, g.created_at, g.updated_at,
                             g.user_count AS members
                      FROM user_groups g";

/// Inserts one group: `$1` account, `$2` name, `$3` name key, `$4` role code, `$5` description,
/// `$6` built in, `$7` time. Returns the id.
pub const INSERT: &str = "INSERT INTO user_groups (account_id, name, name_key, role, description, built_in, created_at, updated_at)
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";

pub async fn list(db: &Db, account_pk: i64) -> Result<Vec<GroupRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE g.account_id = $1 ORDER BY g.built_in DESC, g.name_key");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(account_pk)
        .fetch_all(pool)
        .await)
}

pub async fn find_by_name(
    db: &Db,
    account_pk: i64,
    name_key: &str,
) -> Result<Option<GroupRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE g.account_id = $1 AND g.name_key = $2");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(account_pk)
        .bind(name_key)
        .fetch_optional(pool)
        .await)
}

pub enum InsertGroupError {
    NameTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for InsertGroupError {
    fn from(e: sqlx::Error) -> Self {
        if is_unique_violation(
            &e,
            "user_groups_name_key",
            "user_groups.account_id, user_groups.name_key",
        ) {
            Self::NameTaken
        } else {
            Self::Db(e)
        }
    }
}

pub async fn insert(
    db: &Db,
    event: &Event,
    account_pk: i64,
    name: &str,
    role: &str,
    description: &str,
) -> Result<i64, InsertGroupError> {
    let at = now();
    crate::audited_tx!(db, event, |conn| {
        sqlx::query_scalar(INSERT)
            .bind(account_pk)
            .bind(name)
            .bind(name.to_ascii_lowercase())
            .bind(role)
            .bind(description)
            .bind(false)
            .bind(at)
            .fetch_one(&mut *conn)
            .await
            .map_err(InsertGroupError::from)
    })
}

pub enum DeleteGroupError {
    NotFound,
    BuiltIn,
    InUse,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for DeleteGroupError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

/// Deletes a custom group that nobody is in.
pub async fn delete(
    db: &Db,
    event: &Event,
    account_pk: i64,
    group_id: i64,
) -> Result<(), DeleteGroupError> {
    crate::audited_tx!(db, event, |conn| {
        let row: Option<(bool, i64)> = sqlx::query_as(
            "SELECT g.built_in, (SELECT COUNT(*) FROM users u WHERE u.group_id = g.id)
             FROM user_groups g WHERE g.id = $1 AND g.account_id = $2",
        )
        .bind(group_id)
        .bind(account_pk)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            None => Err(DeleteGroupError::NotFound),
            Some((true, _)) => Err(DeleteGroupError::BuiltIn),
            Some((false, n)) if n > 0 => Err(DeleteGroupError::InUse),
            Some(_) => {
                sqlx::query("DELETE FROM user_groups WHERE id = $1")
                    .bind(group_id)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }
        }
    })
}

pub enum UpdateGroupError {
    NotFound,
    /// A built-in group keeps its role.
    BuiltIn,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for UpdateGroupError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

/// Changes a group's role and description. When the role changes, every member's sessions and
/// API credentials end (their privilege changed); a built-in group's role never changes.
pub async fn update(
    db: &Db,
    event: &Event,
    account_pk: i64,
    group_id: i64,
    role: &str,
    description: &str,
) -> Result<(), UpdateGroupError> {
    let at = now();
    crate::audited_tx!(db, event, |conn| {
        let row: Option<(bool, String)> = sqlx::query_as(
            "SELECT built_in, role FROM user_groups WHERE id = $1 AND account_id = $2",
        )
        .bind(group_id)
        .bind(account_pk)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            None => Err(UpdateGroupError::NotFound),
            Some((true, current)) if current != role => Err(UpdateGroupError::BuiltIn),
            Some((_, current)) => {
                sqlx::query(
                    "UPDATE user_groups SET role = $2, description = $3, updated_at = $4 WHERE id = $1",
                )
                .bind(group_id)
                .bind(role)
                .bind(description)
                .bind(at)
                .execute(&mut *conn)
                .await?;
                if current != role {
                    sqlx::query(
                        "UPDATE users SET security_stamp = $2 WHERE group_id = $1 AND NOT is_holder",
                    )
                    .bind(group_id)
                    .bind(crate::server::infra::secrets::security_stamp())
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }
        }
    })
}
