//! What a caller may read of the account they work in: its users, groups, credentials and keys,
//! always scoped by the caller (never by an id the request names). The server functions and the
//! dialects read through these, not through `db/` directly.

use crate::error::AppError;
use crate::server::db;
use crate::server::db::api_token_store::{AccountTokenRow, TokenRow};
use crate::server::db::group_store::GroupRow;
use crate::server::db::member_store::MemberRow;
use crate::server::db::ovh_key_store::{ApplicationRow, ConsumerKeyRow};
use crate::server::db::user_store::{UserFilter, UserRow};
use crate::server::identity::caller::Caller;
use crate::server::web::state::AppState;

/// The account's groups.
pub async fn groups(state: &AppState, caller: &Caller) -> Result<Vec<GroupRow>, AppError> {
    Ok(db::group_store::list(&state.db, caller.account_pk()).await?)
}

/// The account's group whose name has the key `name_key` (see `GroupName::key`).
pub async fn group_named(
    state: &AppState,
    caller: &Caller,
    name_key: &str,
) -> Result<Option<GroupRow>, AppError> {
    Ok(db::group_store::find_by_name(&state.db, caller.account_pk(), name_key).await?)
}

/// One page of the account's delegated users that `filter` selects, and how many there are.
pub async fn users(
    state: &AppState,
    caller: &Caller,
    filter: &UserFilter,
) -> Result<(Vec<UserRow>, i64), AppError> {
    Ok(db::user_store::list(&state.db, caller.account_pk(), filter).await?)
}

/// One page of the account's members, the holder included, and how many there are.
pub async fn members(
    state: &AppState,
    caller: &Caller,
    limit: i64,
    offset: i64,
) -> Result<(Vec<MemberRow>, i64), AppError> {
    Ok(db::member_store::list_members(&state.db, caller.account_pk(), limit, offset).await?)
}

/// The account's member with this id.
pub async fn member(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<Option<MemberRow>, AppError> {
    Ok(db::member_store::find_member(&state.db, caller.account_pk(), user_id).await?)
}

/// The logins of the account's delegated users.
pub async fn logins(state: &AppState, caller: &Caller) -> Result<Vec<String>, AppError> {
    Ok(db::ovh_key_store::logins(&state.db, caller.account_pk()).await?)
}

/// The login of the account's user `user_id`.
pub async fn login_of(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<Option<String>, AppError> {
    Ok(db::tencent_key_store::login_of(&state.db, caller.account_pk(), user_id).await?)
}

/// The ids of the account's sub-accounts.
pub async fn sub_account_ids(state: &AppState, caller: &Caller) -> Result<Vec<i64>, AppError> {
    Ok(db::ovh_key_store::sub_account_ids(&state.db, caller.account_pk()).await?)
}

/// The account's API credentials: the Auth ID and when it was issued.
pub async fn account_credentials(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<(String, i64)>, AppError> {
    Ok(db::account_store::credentials_of(&state.db, caller.account_pk()).await?)
}

/// The account's API tokens (only `user_id`'s when given).
pub async fn account_tokens(
    state: &AppState,
    caller: &Caller,
    user_id: Option<i64>,
) -> Result<Vec<AccountTokenRow>, AppError> {
    Ok(db::api_token_store::list_for_account(&state.db, caller.account_pk(), user_id).await?)
}

/// The account's API token `id`.
pub async fn account_token(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<Option<AccountTokenRow>, AppError> {
    Ok(db::api_token_store::find_in_account(&state.db, caller.account_pk(), id).await?)
}

/// The caller's own API tokens.
pub async fn own_tokens(state: &AppState, caller: &Caller) -> Result<Vec<TokenRow>, AppError> {
    Ok(db::api_token_store::list_for_user(&state.db, caller.user_id()).await?)
}

/// The caller's own OVHcloud applications.
pub async fn own_ovh_applications(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<ApplicationRow>, AppError> {
    Ok(db::ovh_key_store::list_applications(&state.db, caller.user_id()).await?)
}

/// The OVHcloud consumer keys granted to the caller.
pub async fn own_consumer_keys(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<ConsumerKeyRow>, AppError> {
    Ok(db::ovh_key_store::list_consumer_keys(&state.db, caller.user_id()).await?)
}
