//! What the operator names on the command line, found in the database: accounts and users, and
//! the capabilities the operator holds over them.

use crate::domain::{AccountId, LoginName, Role};
use crate::server::db;
use crate::server::identity::capabilities::MainAccountAdmin;
use crate::server::web::state::AppState;

/// The account with this ID.
pub async fn account(state: &AppState, account_id: &str) -> anyhow::Result<i64> {
    let id = AccountId::parse(account_id)
        .map_err(|_| anyhow::anyhow!("{account_id:?} is not an account ID (1234-567-89)"))?;
    db::account_store::find_by_code(&state.db, id.as_str())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account {id}"))
}

/// The main account with this ID (sub-accounts have no sub-accounts).
pub async fn main_account(
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<MainAccountAdmin<'static>> {
    let pk = account(state, account_id).await?;
    if db::account_store::parent_of(&state.db, pk).await?.is_some() {
        anyhow::bail!("{account_id} is a sub-account: sub-accounts have no sub-accounts");
    }
    Ok(MainAccountAdmin::operator(pk))
}

/// The user `login` of the account (its holder when `None`), and their role.
pub async fn user(
    state: &AppState,
    account_id: &str,
    login: Option<&str>,
) -> anyhow::Result<(i64, Role)> {
    account(state, account_id).await?;
    let key = match login {
        Some(login) => Some(
            LoginName::parse(login)
                .map_err(|e| anyhow::anyhow!("--user: {e}"))?
                .key(),
        ),
        None => None,
    };
    let candidate = db::user_store::find_login_candidate(&state.db, account_id, key.as_deref())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no such user in {account_id}"))?;
    let row = db::user_store::find_caller(&state.db, candidate.user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no such user in {account_id}"))?;
    if row.disabled {
        anyhow::bail!("this user is disabled");
    }
    let role = Role::of_member(row.is_holder, row.role);
    Ok((candidate.user_id, role))
}
