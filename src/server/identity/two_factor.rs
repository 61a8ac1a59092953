//! Two-factor authentication with TOTP (SECURITY.md rules 8 to 12): enrolment, the second login
//! step, recovery codes. Seeds are 160 bits from the OS CSPRNG, sealed with the server key, and
//! active only after a correct code; changing anything requires the current password.

use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::domain::generated::{normalize_recovery_code, recovery_code};
use crate::domain::totp::{SEED_BYTES, Totp, qr_svg};
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::db::now;
use crate::server::identity::caller::Caller;
use crate::server::identity::capabilities::Admin;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

pub const RECOVERY_CODES: usize = 10;

pub struct Enrolment {
    pub key: String,
    pub uri: String,
    pub qr_svg: String,
}

/// One of the user's authenticator apps, as the Security page lists it.
pub struct Authenticator {
    pub id: i64,
    /// Empty: the default name, in the reader's language.
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The longest name of an authenticator app.
pub const NAME_MAX: usize = 64;

pub struct Status {
    pub enabled: bool,
    /// A seed waiting for its first code: the first app, or another one.
    pub pending: Option<Enrolment>,
    pub authenticators: Vec<Authenticator>,
    pub recovery_codes_left: i64,
    pub policy: Policy,
}

pub use crate::server::db::two_factor_store::Policy;

fn context(kind: &str, user_id: i64) -> String {
    format!("{kind}:{user_id}")
}

/// A recovery code as stored: an HMAC-SHA256 keyed with the server key, naming the key. A
/// bare hash of a code this short could be reversed by guessing from a copy of the database;
/// the HMAC cannot be computed without the key.
fn hash_recovery_code(state: &AppState, code: &str) -> String {
    state
        .server_key
        .recovery_code_hash(&normalize_recovery_code(code))
}

/// Every form `code` may be stored in: its HMAC under each of the server's keys (the retired
/// ones verify codes issued before a rotation), and the bare SHA-256 of codes issued before
/// HMACs. Those are kept and accepted once each, as every code is, until the user's codes are
/// renewed: they cannot be converted, since only the user has the codes.
fn stored_forms(state: &AppState, code: &str) -> Vec<String> {
    let normalized = normalize_recovery_code(code);
    let mut forms = state.server_key.recovery_code_hashes(&normalized);
    forms.push(hex::encode(Sha256::digest(normalized.as_bytes())));
    forms
}

/// Ten new recovery codes, and their stored forms.
pub fn fresh_recovery_codes(state: &AppState) -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| recovery_code(|n| OsRng.gen_range(0..n)))
        .collect();
    let hashes = codes.iter().map(|c| hash_recovery_code(state, c)).collect();
    (codes, hashes)
}

async fn row(
    state: &AppState,
    user_id: i64,
) -> Result<db::two_factor_store::TwoFactorRow, AppError> {
    db::two_factor_store::find(&state.db, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)
}

fn open(
    state: &AppState,
    sealed: &[u8],
    kind: &str,
    user_id: i64,
    label: &str,
) -> Result<Totp, AppError> {
    let seed = state.server_key.decrypt(sealed, &context(kind, user_id))?;
    Totp::new(seed, label).map_err(|e| AppError::from(anyhow::Error::new(e)))
}

pub async fn status(state: &AppState, caller: &Caller) -> Result<Status, AppError> {
    let row = row(state, caller.user_id()).await?;
    let pending = match &row.totp_pending_sealed {
        Some(sealed) => {
            let totp = open(
                state,
                sealed,
                "totp-pending",
                caller.user_id(),
                &caller.login_id(),
            )?;
            let uri = totp.uri();
            Some(Enrolment {
                key: totp.key_for_humans(),
                qr_svg: qr_svg(&uri).unwrap_or_default(),
                uri,
            })
        }
        None => None,
    };
    let policy = db::two_factor_store::policy(&state.db, caller.account_pk()).await?;
    let authenticators = db::two_factor_store::authenticators(&state.db, caller.user_id())
        .await?
        .into_iter()
        .map(|a| Authenticator {
            id: a.id,
            name: a.name,
            created_at: a.created_at,
            last_used_at: a.last_used_at,
        })
        .collect();
    Ok(Status {
        enabled: row.totp_enabled,
        pending,
        authenticators,
        recovery_codes_left: row.recovery_codes_left,
        policy,
    })
}

/// Sets who in the caller's account must use two-factor authentication, and whether
/// Administrators must use a key. Those without what they need are taken to enrolment on their
/// next request.
pub async fn set_policy(
    state: &AppState,
    admin: Admin<'_>,
    policy: Policy,
) -> Result<(), AppError> {
    let caller = admin.caller();
    let event = Event::by(caller, Action::TwoFactorPolicy, policy_label(policy));
    let account_pk = caller.account_pk();
    let work = db::two_factor_store::set_policy(&state.db, &event, account_pk, policy);
    audited(&state.db, &event, async { Ok(work.await?) }).await?;
    tracing::info!(account = %admin.caller().account_id(), ?policy, "two-factor policy set");
    Ok(())
}

/// How a policy reads in the activity log.
fn policy_label(policy: Policy) -> &'static str {
    match (
        policy.administrators,
        policy.everyone,
        policy.keys_for_administrators,
    ) {
        (_, true, true) => "required of everyone, keys of administrators",
        (_, false, true) => "keys required of administrators",
        (_, true, false) => "required of everyone",
        (true, false, false) => "required of administrators",
        (false, false, false) => "optional",
    }
}

/// Draws a new seed and keeps it, sealed, until a correct code confirms it: the first
/// authenticator app, or another one once two-factor authentication is on.
pub async fn begin(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    let mut seed = vec![0u8; SEED_BYTES];
    OsRng.fill_bytes(&mut seed);
    let sealed = state
        .server_key
        .encrypt(&seed, &context("totp-pending", caller.user_id()))?;
    db::two_factor_store::set_pending(&state.db, caller.user_id(), &sealed).await?;
    Ok(())
}

/// Checks the password and a code as one limited attempt (SECURITY.md rule 26), reporting both
/// fields' problems at once. `code_ok` checks the code; it runs only when the attempt is granted.
pub async fn check_password_and_code(
    state: &AppState,
    caller: &Caller,
    password: String,
    code_ok: impl Future<Output = Result<bool, AppError>>,
) -> Result<(), AppError> {
    let check = async {
        let code_ok = code_ok.await?;
        let password_ok = crate::server::identity::own_password::password_matches(
            state,
            caller.user_id(),
            password,
        )
        .await?;
        Ok((password_ok, code_ok))
    };
    let (password_ok, code_ok) =
        crate::server::identity::attempts::check_own_secret(state, caller, check, |(p, c)| {
            *p && *c
        })
        .await?;
    let mut errors = FieldErrors::default();
    if !password_ok {
        errors.add("password", crate::key!("password.error.wrong_current"));
    }
    if !code_ok {
        errors.add("code", crate::key!("security.error.bad_code"));
    }
    errors.into_result()
}

/// The name the user gives an authenticator app: trimmed, at most [`NAME_MAX`] characters.
fn app_name(problems: &mut FieldErrors, name: &str) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        problems.add("name", crate::key!("security.error.app_name"));
    }
    name
}

/// Confirms the pending seed with a code: turns two-factor authentication on with it (and
/// returns the recovery codes, to be shown once), or, when it is on, adds it as another
/// authenticator app (and returns `None`).
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    password: String,
    code: &str,
    name: &str,
) -> Result<Option<Vec<String>>, AppError> {
    let adding = row(state, caller.user_id()).await?.totp_enabled;
    let action = if adding {
        Action::TwoFactorAdd
    } else {
        Action::TwoFactorEnable
    };
    let event = Event::by(caller, action, caller.login_id());
    audited(
        &state.db,
        &event,
        confirm_as(state, caller, password, code, name, &event),
    )
    .await
}

async fn confirm_as(
    state: &AppState,
    caller: &Caller,
    password: String,
    code: &str,
    name: &str,
    event: &Event,
) -> Result<Option<Vec<String>>, AppError> {
    let row = row(state, caller.user_id()).await?;
    let Some(sealed) = row.totp_pending_sealed else {
        return Err(AppError::field(
            "form",
            crate::key!("security.error.start_again"),
        ));
    };
    let mut problems = FieldErrors::default();
    let name = app_name(&mut problems, name);
    problems.into_result()?;
    let seed = state
        .server_key
        .decrypt(&sealed, &context("totp-pending", caller.user_id()))?;
    let totp = Totp::new(seed.clone(), &caller.login_id())
        .map_err(|e| AppError::from(anyhow::Error::new(e)))?;
    // A new seed's code replays nothing (the pending seed is confirmed once): no earlier step
    // of another app holds it back.
    let step = totp.accept(code, now(), None);
    let code_ok = step.is_some();
    check_password_and_code(state, caller, password, async move { Ok(code_ok) }).await?;
    // Sealed again for its new role: a pending seed's ciphertext does not open as an active one.
    let active = state
        .server_key
        .encrypt(&seed, &context("totp", caller.user_id()))?;
    let new = db::two_factor_store::NewAuthenticator {
        sealed: &active,
        name: &name,
        step: step.unwrap_or_default(),
    };
    if row.totp_enabled {
        db::two_factor_store::add_authenticator(&state.db, event, caller.user_id(), &new).await?;
        tracing::info!(user_id = caller.user_id(), "authenticator app added");
        return Ok(None);
    }
    let (codes, hashes) = fresh_recovery_codes(state);
    db::two_factor_store::enable(&state.db, event, caller.user_id(), &new, &hashes).await?;
    tracing::info!(
        user_id = caller.user_id(),
        "two-factor authentication enabled"
    );
    Ok(Some(codes))
}

/// Accepts a TOTP code (once) from any of the user's authenticator apps.
async fn accept_totp(state: &AppState, user_id: i64, code: &str) -> Result<bool, AppError> {
    let row = row(state, user_id).await?;
    if !row.totp_enabled {
        return Ok(false);
    }
    for app in db::two_factor_store::authenticators(&state.db, user_id).await? {
        let totp = open(state, &app.sealed, "totp", user_id, "")?;
        if let Some(step) = totp.accept(code, now(), row.totp_last_step) {
            let claimed = db::two_factor_store::claim_step(&state.db, user_id, step).await?;
            if claimed {
                db::two_factor_store::touch_authenticator(&state.db, app.id).await?;
            }
            return Ok(claimed);
        }
    }
    Ok(false)
}

/// Removes authenticator app `id` (not the last one: turning two-factor authentication off is
/// its own action), with the password and a code.
pub async fn remove_authenticator(
    state: &AppState,
    caller: &Caller,
    id: i64,
    password: String,
    code: &str,
) -> Result<(), AppError> {
    let event = Event::by(
        caller,
        Action::TwoFactorRemove,
        format!("authenticator {id}"),
    );
    audited(&state.db, &event, async {
        let apps = db::two_factor_store::authenticators(&state.db, caller.user_id()).await?;
        if !apps.iter().any(|a| a.id == id) {
            return Err(AppError::NotFound);
        }
        if apps.len() < 2 {
            return Err(AppError::field(
                "form",
                crate::key!("security.error.last_authenticator"),
            ));
        }
        let code_ok = accept_totp(state, caller.user_id(), code);
        check_password_and_code(state, caller, password, code_ok).await?;
        if !db::two_factor_store::remove_authenticator(&state.db, &event, caller.user_id(), id)
            .await?
        {
            return Err(AppError::field(
                "form",
                crate::key!("security.error.last_authenticator"),
            ));
        }
        tracing::info!(user_id = caller.user_id(), "authenticator app removed");
        Ok(())
    })
    .await
}

/// The second login step: a current TOTP code, or an unused recovery code (which records
/// `event` as the code's use).
pub async fn verify_second_factor(
    state: &AppState,
    event: &Event,
    user_id: i64,
    code: &str,
) -> Result<bool, AppError> {
    if code
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| c.is_ascii_digit())
    {
        return accept_totp(state, user_id, code).await;
    }
    let event = event.doing(Action::RecoveryCodeUsed);
    let mut used = false;
    for hash in stored_forms(state, code) {
        if db::two_factor_store::use_recovery_code(&state.db, &event, user_id, &hash).await? {
            used = true;
            break;
        }
    }
    if used {
        tracing::info!(user_id, "recovery code used");
    }
    Ok(used)
}

pub async fn disable(
    state: &AppState,
    caller: &Caller,
    password: String,
    code: &str,
) -> Result<(), AppError> {
    let event = Event::by(caller, Action::TwoFactorDisable, caller.login_id());
    audited(&state.db, &event, async {
        let code_ok = verify_second_factor(state, &event, caller.user_id(), code);
        check_password_and_code(state, caller, password, code_ok).await?;
        let event = notices::attach(
            state,
            event.clone(),
            caller.user_id(),
            NoticeAbout::TwoFactorOff,
        )
        .await;
        db::two_factor_store::disable(&state.db, &event, caller.user_id(), false).await?;
        tracing::info!(
            user_id = caller.user_id(),
            "two-factor authentication disabled"
        );
        Ok(())
    })
    .await
}

pub async fn new_recovery_codes(
    state: &AppState,
    caller: &Caller,
    password: String,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let event = Event::by(caller, Action::RecoveryCodesRenew, caller.login_id());
    audited(&state.db, &event, async {
        let code_ok = verify_second_factor(state, &event, caller.user_id(), code);
        check_password_and_code(state, caller, password, code_ok).await?;
        let (codes, hashes) = fresh_recovery_codes(state);
        db::two_factor_store::replace_recovery_codes(&state.db, &event, caller.user_id(), &hashes)
            .await?;
        Ok(codes)
    })
    .await
}
