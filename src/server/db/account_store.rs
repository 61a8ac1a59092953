//! Accounts: one row per main account and per sub-account.

use crate::domain::Role;
use crate::domain::event::Event;
use crate::domain::event::Outcome;
use crate::domain::privilege::BUILT_IN_GROUPS;
use crate::server::db::Db;
use crate::server::db::group_store as groups;
use crate::server::db::is_unique_violation;
use crate::server::db::now;
use crate::{in_tx, on_db};

/// What a new account is made of; the holder's password is already hashed. A main account
/// has no parent, no profile and (until someone creates them) no API credentials.
pub struct NewAccount<'a> {
    pub code: &'a str,
    /// The company of a main account; the name of a sub-account.
    pub company: &'a str,
    pub company_key: &'a str,
    pub parent_id: Option<i64>,
    pub profile: Option<&'a SubAccountProfile>,
    /// `auth_id` and the SHA-256 of the token.
    pub credentials: Option<(&'a str, &'a str)>,
    pub holder_email: &'a str,
    pub holder_password_hash: &'a str,
    pub holder_security_stamp: &'a str,
    /// Whether the account claims its company name across all accounts (a Gcore client).
    pub claims_company: bool,
}

/// The settings a sub-account has beyond its name, every field already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAccountProfile {
    pub description: String,
    pub contact_email: String,
    pub phone: String,
    pub rate_limit: i64,
    pub allow_calls: bool,
    pub allow_cdr: bool,
    pub kyc_mode: &'static str,
    pub kyc_calls_blocked: bool,
    pub business_type: &'static str,
    pub enabled: bool,
}

impl Default for SubAccountProfile {
    fn default() -> Self {
        Self {
            description: String::new(),
            contact_email: String::new(),
            phone: String::new(),
            rate_limit: 1000,
            allow_calls: true,
            allow_cdr: true,
            kyc_mode: "personal_use",
            kyc_calls_blocked: false,
            business_type: "",
            enabled: true,
        }
    }
}

#[derive(Debug)]
pub enum CreateAccountError {
    /// The company name (main account) or the name among the parent's sub-accounts is taken.
    CompanyTaken,
    /// The random account ID or `auth_id` is already used: draw another and try again.
    CodeTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for CreateAccountError {
    fn from(err: sqlx::Error) -> Self {
        if is_unique_violation(&err, "accounts_company_key", "accounts.company_key")
            || is_unique_violation(&err, "company_claims_key", "company_claims.company_key")
            || is_unique_violation(
                &err,
                "accounts_sub_name",
                "accounts.parent_id, accounts.company_key",
            )
        {
            Self::CompanyTaken
        } else if is_unique_violation(&err, "accounts_code", "accounts.code")
            || is_unique_violation(&err, "accounts_auth_id", "accounts.auth_id")
        {
            Self::CodeTaken
        } else {
            Self::Db(err)
        }
    }
}

/// The ids of a new account and of its holder.
#[derive(Debug, Clone, Copy)]
pub struct CreatedIds {
    pub account_pk: i64,
    pub holder_user_id: i64,
}

/// Creates the account, its built-in groups and its holder (in `ADMIN`) in one transaction:
/// all exist, or none, and so does `event`. A sub-account's creation is recorded where `event`
/// says (the parent); a top-level account's in the new account itself, by its holder.
pub async fn create(
    db: &Db,
    event: &Event,
    new: &NewAccount<'_>,
) -> Result<CreatedIds, CreateAccountError> {
    let at = now();
    let default_profile = SubAccountProfile::default();
    let profile = new.profile.unwrap_or(&default_profile);
    let (auth_id, token_hash) = new.credentials.unzip();
    in_tx!(db, |conn| {
        let (account_pk,): (i64,) = sqlx::query_as(
            "INSERT INTO accounts (code, company, company_key, parent_id, enabled, created_at, updated_at,
                                   description, contact_email, phone, rate_limit, allow_calls, allow_cdr,
                                   kyc_mode, kyc_calls_blocked, business_type,
                                   auth_id, auth_token_hash, credentials_at, auth_issued_by)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                     CASE WHEN CAST($16 AS TEXT) IS NULL THEN NULL ELSE $6 END,
                     CASE WHEN CAST($16 AS TEXT) IS NULL THEN NULL ELSE $18 END)
             RETURNING id",
        )
        .bind(new.code)
        .bind(new.company)
        .bind(new.company_key)
        .bind(new.parent_id)
        .bind(profile.enabled)
        .bind(at)
        .bind(&profile.description)
        .bind(&profile.contact_email)
        .bind(&profile.phone)
        .bind(profile.rate_limit)
        .bind(profile.allow_calls)
        .bind(profile.allow_cdr)
        .bind(profile.kyc_mode)
        .bind(profile.kyc_calls_blocked)
        .bind(profile.business_type)
        .bind(auth_id)
        .bind(token_hash)
        // The credentials are issued by whoever creates the account with them.
        .bind(event.actor_user_id)
        .fetch_one(&mut *conn)
        .await?;
        if new.claims_company {
            sqlx::query("INSERT INTO company_claims (account_id, company_key) VALUES ($1, $2)")
                .bind(account_pk)
                .bind(new.company_key)
                .execute(&mut *conn)
                .await?;
        }
        let mut admin_group = None;
        for (name, role, description) in BUILT_IN_GROUPS {
            let (group_id,): (i64,) = sqlx::query_as(groups::INSERT)
                .bind(account_pk)
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
        let (holder_user_id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (account_id, is_holder, group_id, email, password_hash, security_stamp,
                                created_at, updated_at, password_updated_at)
             VALUES ($1, TRUE, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
        )
        .bind(account_pk)
        .bind(admin_group)
        .bind(new.holder_email)
        .bind(new.holder_password_hash)
        .bind(new.holder_security_stamp)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
        let event = match new.parent_id {
            Some(_) => event.clone(),
            None => event.in_new_account(account_pk, holder_user_id, new.code),
        };
        crate::record_in_tx!(conn, &event, Outcome::Success, "")?;
        Ok::<CreatedIds, CreateAccountError>(CreatedIds {
            account_pk,
            holder_user_id,
        })
    })
}

/// An account as its API credentials find it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CredentialRow {
    pub account_pk: i64,
    pub auth_token_hash: Option<String>,
    pub enabled: bool,
    /// A sub-account whose parent is disabled is off too.
    pub parent_enabled: bool,
    pub holder_user_id: i64,
    /// Who issued the credentials (see migration 0013); `None` for the operator.
    pub auth_issued_by: Option<i64>,
}

pub async fn find_by_auth_id(db: &Db, auth_id: &str) -> Result<Option<CredentialRow>, sqlx::Error> {
    const SQL: &str = "SELECT a.id AS account_pk, a.auth_token_hash, a.enabled,
                              COALESCE(p.enabled, TRUE) AS parent_enabled, u.id AS holder_user_id,
                              a.auth_issued_by
                       FROM accounts a
                       LEFT JOIN accounts p ON p.id = a.parent_id
                       JOIN users u ON u.account_id = a.id AND u.is_holder
                       WHERE a.auth_id = $1";
    on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(auth_id)
        .fetch_optional(pool)
        .await)
}

/// The user id of the account's holder.
pub async fn holder_of(db: &Db, account_pk: i64) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM users WHERE account_id = $1 AND is_holder"
    )
    .bind(account_pk)
    .fetch_optional(pool)
    .await)
}

/// The account's `auth_id` and when its token was last issued, if it has credentials.
pub async fn credentials_of(
    db: &Db,
    account_pk: i64,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    let row: Option<(Option<String>, Option<i64>)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT auth_id, credentials_at FROM accounts WHERE id = $1"
    )
    .bind(account_pk)
    .fetch_optional(pool)
    .await)?;
    Ok(row.and_then(|(id, at)| Some((id?, at.unwrap_or(0)))))
}

/// Gives the account a new token (and its `auth_id` if it had none: `new_auth_id` is used only
/// then), issued by `event`'s actor. The old token stops working with this statement. Returns
/// the `auth_id`, or `None` when no such account exists.
pub async fn issue_credentials(
    db: &Db,
    event: &Event,
    account_pk: i64,
    new_auth_id: &str,
    token_hash: &str,
) -> Result<Option<String>, CreateAccountError> {
    const SQL: &str = "UPDATE accounts SET auth_id = COALESCE(auth_id, $2), auth_token_hash = $3,
                              credentials_at = $4, auth_issued_by = $5
                       WHERE id = $1 RETURNING auth_id";
    crate::audited_tx!(db, event, |conn| {
        sqlx::query_scalar(SQL)
            .bind(account_pk)
            .bind(new_auth_id)
            .bind(token_hash)
            .bind(now())
            .bind(event.actor_user_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(CreateAccountError::from)
    })
}

/// Whether any account, main or sub-account, has this company name (lower-cased).
pub async fn company_taken(db: &Db, company_key: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM accounts WHERE company_key = $1 LIMIT 1"
    )
    .bind(company_key)
    .fetch_optional(pool)
    .await)?;
    Ok(found.is_some())
}

/// The database id of the account with this account ID.
pub async fn find_by_code(db: &Db, code: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM accounts WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(pool)
    .await)
}

/// Whether the account is a sub-account (which cannot have sub-accounts of its own).
pub async fn parent_of(db: &Db, account_pk: i64) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(Option<i64>,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT parent_id FROM accounts WHERE id = $1"
    )
    .bind(account_pk)
    .fetch_optional(pool)
    .await)?;
    Ok(row.and_then(|(p,)| p))
}

/// The number of accounts (tests check that a refused sign-up created nothing).
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts"
    )
    .fetch_one(pool)
    .await)
}

/// An account's key and its top-level account's, by account ID.
pub async fn keys_of_code(db: &Db, code: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT id, COALESCE(parent_id, id) FROM accounts WHERE code = $1";
    on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(code)
        .fetch_optional(pool)
        .await)
}
