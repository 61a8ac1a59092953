//! Accounts: one row per main account (and, later, per sub-account).

use super::{Db, groups, is_unique_violation, now};
use crate::domain::Role;
use crate::domain::privilege::BUILT_IN_GROUPS;
use crate::{in_tx, on_db};

/// What a new main account is made of; the holder's password is already hashed.
pub struct NewMainAccount<'a> {
    pub code: &'a str,
    pub company: &'a str,
    pub company_key: &'a str,
    pub holder_email: &'a str,
    pub holder_password_hash: &'a str,
    pub holder_security_stamp: &'a str,
}

#[derive(Debug)]
pub enum CreateAccountError {
    CompanyTaken,
    /// The random account ID is already used: draw another and try again.
    CodeTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for CreateAccountError {
    fn from(err: sqlx::Error) -> Self {
        if is_unique_violation(&err, "accounts_company_key", "accounts.company_key") {
            Self::CompanyTaken
        } else if is_unique_violation(&err, "accounts_code", "accounts.code") {
            Self::CodeTaken
        } else {
            Self::Db(err)
        }
    }
}

/// Creates the account, its built-in groups and its holder (in `ADMIN`) in one transaction:
/// all exist, or none.
/// Returns the holder's user id.
pub async fn create_main_account(
    db: &Db,
    new: &NewMainAccount<'_>,
) -> Result<i64, CreateAccountError> {
    let at = now();
    in_tx!(db, |conn| {
        let (account_id,): (i64,) = sqlx::query_as(
            "INSERT INTO accounts (code, company, company_key, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(new.code)
        .bind(new.company)
        .bind(new.company_key)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
        let mut admin_group = None;
        for (name, role, description) in BUILT_IN_GROUPS {
            let (group_id,): (i64,) = sqlx::query_as(groups::INSERT)
                .bind(account_id)
                .bind(name)
                .bind(name.to_ascii_lowercase())
                .bind(role.code())
                .bind(description)
                .bind(true)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?;
            if role == Role::Administrator {
                admin_group = Some(group_id);
            }
        }
        let (user_id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (account_id, is_holder, group_id, email, password_hash, security_stamp,
                                created_at, updated_at, password_updated_at)
             VALUES ($1, TRUE, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
        )
        .bind(account_id)
        .bind(admin_group)
        .bind(new.holder_email)
        .bind(new.holder_password_hash)
        .bind(new.holder_security_stamp)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
        Ok::<i64, CreateAccountError>(user_id)
    })
}

/// The number of accounts (tests check that a refused sign-up created nothing).
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts"
    )
    .fetch_one(pool)
    .await)
}
