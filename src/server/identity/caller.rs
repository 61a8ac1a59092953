//! Who is calling, and what they may do. The session or the credential says who, never the
//! request (SECURITY.md rule 18); what they may do is handed out as capabilities (see
//! `capabilities.rs`).
//!
//! Three ways in: the session cookie of a logged-in browser; a personal API token
//! (`Authorization: APIKey <id>_<secret>`, or `Bearer`), acting as its user with at most the
//! token's role; and account API credentials (`X-Auth-ID` + `X-Auth-Token`), acting as the
//! account's holder. A request that presents a credential is judged by it alone.

use axum::http::HeaderMap;

use crate::domain::{AccountId, Role, credential};
use crate::error::AppError;
use crate::server::db;
use crate::server::db::user_store::CallerRow;
use crate::server::identity::address_check;
use crate::server::identity::auth_session::AuthSession;
use crate::server::web::state::AppState;

/// An authenticated caller. Only this module makes one, after checking the session or the
/// credential against the database; holding one is proof of who is asking.
#[derive(Debug, Clone)]
pub struct Caller {
    user_id: i64,
    /// The account the caller works in: their own, or the sub-account they manage.
    account_pk: i64,
    account_id: AccountId,
    company: String,
    account_created_at: i64,
    is_holder: bool,
    login: Option<String>,
    email: String,
    /// The holder is always an Administrator, whatever their group says; a token has at most
    /// its own role.
    role: Role,
    /// Logged in with a temporary password: nothing opens until a new one is chosen.
    password_change_required: bool,
    /// The account's policy requires two-factor authentication of this user, who has none yet:
    /// nothing opens until they enrol.
    must_enrol_two_factor: bool,
    /// Set when the caller's own account is a sub-account (which has no sub-accounts).
    parent_pk: Option<i64>,
    /// Set while an Administrator manages one of their sub-accounts: the account they come
    /// from. What they do is done by them, in the sub-account.
    acting_from: Option<HomeAccount>,
    via: Via,
    /// `1234-567-89` or `1234-567-89/login`: always the caller's own login ID.
    login_id: String,
    /// The IP rules of the caller's own account, stored (`None`: open).
    ip_policy: Option<String>,
    #[expect(
        dead_code,
        reason = "its only job is to make `Caller` impossible to build elsewhere"
    )]
    checked: SessionChecked,
}

/// The account an acting Administrator belongs to.
#[derive(Debug, Clone)]
pub struct HomeAccount {
    pub account_pk: i64,
    pub account_id: AccountId,
    pub company: String,
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    /// A personal API token, by id.
    Token(i64),
    /// The account's API credentials.
    AccountCredentials,
    /// An OVHcloud consumer key, by id.
    OvhConsumerKey(i64),
    /// A Tencent Cloud access key, by id.
    TencentAccessKey(i64),
}

/// Private: only this module can state that a session was checked.
#[derive(Debug, Clone)]
struct SessionChecked;

impl Caller {
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn account_pk(&self) -> i64 {
        self.account_pk
    }

    pub fn account_id(&self) -> &AccountId {
        &self.account_id
    }

    pub fn company(&self) -> &str {
        &self.company
    }

    pub fn account_created_at(&self) -> i64 {
        self.account_created_at
    }

    pub fn is_holder(&self) -> bool {
        self.is_holder
    }

    pub fn login(&self) -> Option<&str> {
        self.login.as_deref()
    }

    pub fn email(&self) -> &str {
        &self.email
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn password_change_required(&self) -> bool {
        self.password_change_required
    }

    pub fn must_enrol_two_factor(&self) -> bool {
        self.must_enrol_two_factor
    }

    pub fn parent_pk(&self) -> Option<i64> {
        self.parent_pk
    }

    pub fn acting_from(&self) -> Option<&HomeAccount> {
        self.acting_from.as_ref()
    }

    pub fn via(&self) -> Via {
        self.via
    }

    /// `1234-567-89` for the holder, `1234-567-89/login` for a delegated user.
    pub fn login_id(&self) -> String {
        self.login_id.clone()
    }
}

/// A credential found in the request's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    Token(String),
    Account { auth_id: String, token: String },
}

/// The credential the request carries, if any.
pub fn presented(headers: &HeaderMap) -> Option<Presented> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(auth_id) = text("x-auth-id") {
        return Some(Presented::Account {
            auth_id: auth_id.to_owned(),
            token: text("x-auth-token").unwrap_or_default().to_owned(),
        });
    }
    let authorization = text("authorization")?;
    let (scheme, token) = authorization.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("apikey") || scheme.eq_ignore_ascii_case("bearer"))
        .then(|| Presented::Token(token.trim().to_owned()))
}

/// The caller a credential stands for, or `None` when it is unknown, wrong, expired, revoked,
/// or its user or account can no longer act.
pub async fn caller_from_credential(
    state: &AppState,
    presented: &Presented,
) -> Result<Option<Caller>, AppError> {
    match presented {
        Presented::Token(token) => {
            let Some(id) = credential::personal_token_id(token) else {
                return Ok(None);
            };
            let Some(check) = db::api_token_store::find_for_check(&state.db, id).await? else {
                return Ok(None);
            };
            let secret = token
                .split_once(['_', '$'])
                .map_or("", |(_, secret)| secret);
            let fresh = check.expires_at.is_none_or(|at| db::now() < at);
            if !crate::server::infra::secrets::same_hash(
                &crate::server::infra::secrets::token_hash(secret),
                &check.secret_hash,
            ) || !fresh
            {
                return Ok(None);
            }
            // A token limited to some ranges, used from elsewhere, is turned away on the
            // record like any refused address.
            let token_limit = check.allowed_ips.as_deref();
            let token_role = check.role;
            let caller = api_caller(
                state,
                check.user_id,
                Some(&check.user_stamp),
                Via::Token(id),
                token_role,
            )
            .await?;
            let Some(caller) = caller else {
                return Ok(None);
            };
            if address_check::judge(token_limit).is_err() {
                let why = address_check::OUTSIDE_CREDENTIAL_RANGES;
                address_check::record_refusal(state, &caller, why).await?;
                return Ok(None);
            }
            db::api_token_store::touch(&state.db, id).await?;
            Ok(Some(caller))
        }
        Presented::Account { auth_id, token } => {
            if !credential::is_auth_id(auth_id) {
                return Ok(None);
            }
            let Some(account) = db::account_store::find_by_auth_id(&state.db, auth_id).await?
            else {
                return Ok(None);
            };
            let matches = account.auth_token_hash.as_deref().is_some_and(|stored| {
                crate::server::infra::secrets::same_hash(
                    &crate::server::infra::secrets::token_hash(token),
                    stored,
                )
            });
            if !matches || !account.enabled || !account.parent_enabled {
                return Ok(None);
            }
            // They act as the holder: they hold only while whoever issued them still could.
            if let Some(issuer) = account.auth_issued_by
                && !still_administrator(state, issuer).await?
            {
                return Ok(None);
            }
            api_caller(
                state,
                account.holder_user_id,
                None,
                Via::AccountCredentials,
                Role::Administrator,
            )
            .await
        }
    }
}

/// The caller for an API credential that has already been checked and belongs to `user_id`:
/// `None` when the user or their account can no longer act, or when the user's security stamp
/// is no longer `stamp` (password or privilege changed since the credential was made). The
/// role is the user's, capped at `role_cap`.
pub async fn api_caller(
    state: &AppState,
    user_id: i64,
    stamp: Option<&str>,
    via: Via,
    role_cap: Role,
) -> Result<Option<Caller>, AppError> {
    let row = db::user_store::find_caller(&state.db, user_id)
        .await?
        .filter(|r| usable(r) && stamp.is_none_or(|s| s == r.security_stamp));
    let Some(mut caller) = row.and_then(|r| into_caller(r, via)) else {
        return Ok(None);
    };
    caller.role = caller.role.min(role_cap);
    if let Err(refusal) = address_check::judge(caller.ip_policy.as_deref()) {
        address_check::record_refusal(state, &caller, &refusal.detail()).await?;
        return Ok(None);
    }
    Ok(Some(caller))
}

/// Whether `user_id` exists, can act, and is an Administrator (or the holder) of their account.
async fn still_administrator(state: &AppState, user_id: i64) -> Result<bool, AppError> {
    Ok(db::user_store::find_caller(&state.db, user_id)
        .await?
        .filter(usable)
        .and_then(|row| into_caller(row, Via::Session))
        .is_some_and(|caller| caller.role == Role::Administrator))
}

fn usable(row: &CallerRow) -> bool {
    !row.disabled && !row.out_of_window && row.account_enabled && row.parent_enabled
}

/// The caller behind `session`, or `None` when the session is anonymous, expired, or no longer
/// valid (user removed or disabled, account disabled, password or privilege changed since).
/// An invalid session is deleted on the way.
pub async fn caller(state: &AppState, session: &AuthSession) -> Result<Option<Caller>, AppError> {
    let Some(user) = session.user().await? else {
        return Ok(None);
    };
    let max_age = i64::try_from(state.config.session_max.as_secs()).unwrap_or(i64::MAX);
    let row = if db::now().saturating_sub(user.logged_in_at) > max_age {
        None
    } else {
        db::user_store::find_caller(&state.db, user.user_id).await?
    };
    let valid = row.filter(|r| r.security_stamp == user.stamp && usable(r));
    // Ended from the list of sessions (or by logging out elsewhere): no longer valid either.
    let valid = match valid {
        Some(row)
            if crate::server::identity::sessions::still_open(
                state,
                session,
                &user.handle,
                user.user_id,
            )
            .await? =>
        {
            Some(row)
        }
        _ => None,
    };
    let caller = valid.and_then(|r| into_caller(r, Via::Session));
    // From an address the account's IP rules refuse: the session ends, once, on the record.
    let caller = match caller {
        Some(caller) => match address_check::judge(caller.ip_policy.as_deref()) {
            Ok(()) => Some(caller),
            Err(refusal) => {
                address_check::record_refusal(state, &caller, &refusal.detail()).await?;
                db::session_store::forget(&state.db, &user.handle, user.user_id).await?;
                None
            }
        },
        None => None,
    };
    match caller {
        Some(caller) => match session.acting_in().await? {
            Some(sub_pk) => act_in(state, session, caller, sub_pk).await.map(Some),
            None => Ok(Some(caller)),
        },
        None => {
            session.log_out().await?;
            Ok(None)
        }
    }
}

/// The caller moved into sub-account `sub_pk` of their account, if they still may (they are an
/// Administrator of its parent, and it still exists); otherwise the session stops acting.
async fn act_in(
    state: &AppState,
    session: &AuthSession,
    mut caller: Caller,
    sub_pk: i64,
) -> Result<Caller, AppError> {
    let sub = if caller.role == Role::Administrator {
        db::sub_account_store::find(&state.db, caller.account_pk, sub_pk).await?
    } else {
        None
    };
    let Some((sub, code)) = sub.and_then(|s| AccountId::parse(&s.code).ok().map(|c| (s, c))) else {
        session.stop_acting().await?;
        return Ok(caller);
    };
    // The sub-account's own IP rules hold for whoever manages it, too.
    let sub_policy = db::ip_policy_store::get(&state.db, sub.id).await?;
    if let Err(refusal) = address_check::judge(sub_policy.as_deref()) {
        let mut inside = caller.clone();
        inside.account_pk = sub.id;
        inside.parent_pk = Some(caller.account_pk);
        address_check::record_refusal(state, &inside, &refusal.detail()).await?;
        session.stop_acting().await?;
        return Ok(caller);
    }
    caller.acting_from = Some(HomeAccount {
        account_pk: caller.account_pk,
        account_id: std::mem::replace(&mut caller.account_id, code),
        company: std::mem::replace(&mut caller.company, sub.name),
    });
    caller.parent_pk = Some(caller.account_pk);
    caller.account_pk = sub.id;
    caller.account_created_at = sub.created_at;
    caller.is_holder = false;
    Ok(caller)
}

/// Whether the account's policy requires this user to sign in with a security key or passkey
/// (a phishing-resistant factor): Administrators, when the account says so.
pub fn key_required(row: &CallerRow) -> bool {
    row.require_key_admins && Role::of_member(row.is_holder, row.role) == Role::Administrator
}

fn into_caller(row: CallerRow, via: Via) -> Option<Caller> {
    // A user kept out of the panel (CAM's ConsoleLogin=0) still acts through API credentials.
    if via == Via::Session && !row.console_login {
        return None;
    }
    let role = Role::of_member(row.is_holder, row.role);
    let required = row.require_2fa_all || (row.require_2fa_admins && role == Role::Administrator);
    let key_missing = key_required(&row) && !row.has_key;
    let account_id = AccountId::parse(&row.account_code).ok()?;
    let login_id = match &row.login {
        Some(login) => format!("{account_id}/{login}"),
        None => account_id.to_string(),
    };
    Some(Caller {
        user_id: row.user_id,
        account_pk: row.account_pk,
        account_id,
        company: row.company,
        account_created_at: row.account_created_at,
        is_holder: row.is_holder,
        login: row.login,
        email: row.email,
        role,
        password_change_required: row.password_change_required,
        must_enrol_two_factor: (required && !row.totp_enabled) || key_missing,
        parent_pk: row.parent_pk,
        acting_from: None,
        via,
        login_id,
        ip_policy: row.ip_policy,
        checked: SessionChecked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn credentials_are_read_from_their_headers() {
        assert_eq!(presented(&headers(&[])), None);
        assert_eq!(
            presented(&headers(&[("authorization", "APIKey 12_secret")])),
            Some(Presented::Token("12_secret".into()))
        );
        assert_eq!(
            presented(&headers(&[("authorization", "Bearer 12_secret")])),
            Some(Presented::Token("12_secret".into()))
        );
        assert_eq!(presented(&headers(&[("authorization", "Basic abc")])), None);
        assert_eq!(
            presented(&headers(&[
                ("x-auth-id", "SA_ABCDEFGHJK"),
                ("x-auth-token", "t")
            ])),
            Some(Presented::Account {
                auth_id: "SA_ABCDEFGHJK".into(),
                token: "t".into()
            })
        );
    }
}
