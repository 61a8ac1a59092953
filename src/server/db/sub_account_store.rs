//! Sub-accounts, always reached through their parent: a query names the parent it is allowed
//! to look under, so another account's sub-account is simply not found.

use crate::domain::event::Event;
use crate::on_db;
use crate::server::db::Db;
use crate::server::db::account_store::CreateAccountError;
use crate::server::db::account_store::SubAccountProfile;
use crate::server::db::now;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubAccountRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub contact_email: String,
    pub phone: String,
    pub rate_limit: i64,
    pub allow_calls: bool,
    pub allow_cdr: bool,
    pub kyc_mode: String,
    pub kyc_calls_blocked: bool,
    pub business_type: String,
    pub enabled: bool,
    pub auth_id: Option<String>,
    pub credentials_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Delegated users (the holder not counted).
    pub users: i64,
    pub holder_user_id: i64,
    /// The holder verified an address, and it is still the contact address.
    pub email_verified: bool,
}

const SELECT: &str = "SELECT a.id, a.code, a.company AS name, a.description, a.contact_email, a.phone,
                             a.rate_limit, a.allow_calls, a.allow_cdr, a.kyc_mode, a.kyc_calls_blocked,
                             a.business_type, a.enabled, a.auth_id, a.credentials_at, a.created_at,
                             a.updated_at,
                             a.user_count AS users,
                             (SELECT u.id FROM users u WHERE u.account_id = a.id AND u.is_holder) AS holder_user_id,
                             EXISTS (SELECT 1 FROM users u
                                     WHERE u.account_id = a.id AND u.is_holder
                                       AND u.email = a.contact_email
                                       AND u.email_verified_at IS NOT NULL) AS email_verified
                      FROM accounts a";

/// One page of `parent`'s sub-accounts, newest first, and how many match in all. `search` is
/// lower-case text to find in the name, the account ID or the description.
pub async fn list(
    db: &Db,
    parent: i64,
    search: Option<&str>,
    enabled_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SubAccountRow>, i64), sqlx::Error> {
    let pattern = search.map(|s| {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let filter =
        "a.parent_id = $1 AND (a.enabled OR NOT $3) AND (CAST($2 AS TEXT) IS NULL OR a.company_key LIKE $2 ESCAPE '\\'
                  OR a.code LIKE $2 ESCAPE '\\' OR lower(a.description) LIKE $2 ESCAPE '\\')";
    let page_sql = format!(
        "{SELECT} WHERE {filter} ORDER BY a.created_at DESC, a.id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 1000),
        offset.max(0)
    );
    let count_sql = format!("SELECT COUNT(*) FROM accounts a WHERE {filter}");
    on_db!(db, |pool| {
        let rows = sqlx::query_as(&page_sql)
            .bind(parent)
            .bind(&pattern)
            .bind(enabled_only)
            .fetch_all(pool)
            .await?;
        let total = sqlx::query_scalar(&count_sql)
            .bind(parent)
            .bind(&pattern)
            .bind(enabled_only)
            .fetch_one(pool)
            .await?;
        Ok((rows, total))
    })
}

/// Sub-account `id` of `parent`; `None` when it is not one of `parent`'s.
pub async fn find(db: &Db, parent: i64, id: i64) -> Result<Option<SubAccountRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.parent_id = $1 AND a.id = $2");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(parent)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Changes the name and settings (not `enabled` or the KYC block, which have their own
/// actions). Returns false when `id` is not one of `parent`'s sub-accounts.
pub async fn update(
    db: &Db,
    event: &Event,
    parent: i64,
    id: i64,
    name: &str,
    name_key: &str,
    profile: &SubAccountProfile,
) -> Result<bool, CreateAccountError> {
    const SQL: &str = "UPDATE accounts SET company = $3, company_key = $4, description = $5,
                              contact_email = $6, phone = $7, rate_limit = $8, allow_calls = $9,
                              allow_cdr = $10, business_type = $11, updated_at = $12,
                              kyc_calls_blocked = CASE WHEN kyc_mode = $13 THEN kyc_calls_blocked ELSE $14 END,
                              kyc_mode = $13
                       WHERE parent_id = $1 AND id = $2";
    let n = crate::execute_audited!(
        db,
        event,
        SQL,
        parent,
        id,
        name,
        name_key,
        &profile.description,
        &profile.contact_email,
        &profile.phone,
        profile.rate_limit,
        profile.allow_calls,
        profile.allow_cdr,
        profile.business_type,
        now(),
        profile.kyc_mode,
        profile.kyc_calls_blocked,
    )?;
    Ok(n == 1)
}

pub async fn set_enabled(
    db: &Db,
    event: &Event,
    parent: i64,
    id: i64,
    enabled: bool,
) -> Result<bool, sqlx::Error> {
    let n = crate::execute_audited!(
        db,
        event,
        "UPDATE accounts SET enabled = $3, updated_at = $4 WHERE parent_id = $1 AND id = $2",
        parent,
        id,
        enabled,
        now()
    )?;
    Ok(n == 1)
}

/// Lifts the "calls blocked until KYC" flag.
pub async fn complete_kyc(
    db: &Db,
    event: &Event,
    parent: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let n = crate::execute_audited!(
        db,
        event,
        "UPDATE accounts SET kyc_calls_blocked = FALSE, updated_at = $3 WHERE parent_id = $1 AND id = $2",
        parent,
        id,
        now()
    )?;
    Ok(n == 1)
}

/// Deletes the sub-account with its users, groups, tokens and credentials, in one transaction.
pub async fn delete(db: &Db, event: &Event, parent: i64, id: i64) -> Result<bool, sqlx::Error> {
    crate::audited_tx!(db, event, |conn| {
        // Users first: their group rows are referenced without a cascade.
        sqlx::query(
            "DELETE FROM users WHERE account_id = (SELECT id FROM accounts WHERE parent_id = $1 AND id = $2)",
        )
        .bind(parent)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        let n = sqlx::query("DELETE FROM accounts WHERE parent_id = $1 AND id = $2")
            .bind(parent)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        Ok::<bool, sqlx::Error>(n == 1)
    })
}
