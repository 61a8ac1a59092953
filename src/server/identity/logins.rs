//! Creating main accounts and logging in: the services behind the sign-up page, the login form
//! and `steward account create`.

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::domain::event::Outcome;
use crate::domain::{AccountId, CompanyName, Email, LoginId};
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::db::account_store::CreateAccountError;
use crate::server::db::account_store::NewAccount;
use crate::server::db::activity_store;
use crate::server::db::throttle_store::Reservation;
use crate::server::identity::address_check;
use crate::server::identity::attempts;
use crate::server::identity::auth_session::AuthSession;
use crate::server::identity::sessions;
use crate::server::identity::sessions::Client;
use crate::server::infra::hashing::Verified;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::metrics::LoginResult;
use crate::server::web::state::AppState;

pub const COMPANY_TAKEN: &str = crate::key!("accounts.error.company_taken");

/// The result of a successful sign-up.
pub struct CreatedAccount {
    pub account_id: AccountId,
    pub holder_user_id: i64,
    pub security_stamp: String,
}

/// Validates every field (reporting all problems at once), then creates the account and its
/// holder. Nothing is written unless everything is valid.
pub async fn create_account(
    state: &AppState,
    company: &str,
    email: &str,
    password: String,
    via: &'static str,
) -> Result<CreatedAccount, AppError> {
    let mut errors = FieldErrors::default();
    let company = errors.check("company", CompanyName::parse(company));
    let email = errors.check("email", Email::parse(email));
    let context = [
        company.as_ref().map_or("", CompanyName::as_str),
        email.as_ref().map_or("", Email::as_str),
    ];
    state
        .check_password(&mut errors, "password", &password, &context)
        .await?;
    errors.into_result()?;
    let (Some(company), Some(email)) = (company, email) else {
        return Err(AppError::field("form", crate::key!("error.correct_form")));
    };

    let password_hash = state.hasher.hash(password).await?;
    let security_stamp = crate::server::infra::secrets::security_stamp();
    // Account IDs are drawn at random; on the rare collision, draw again.
    for _ in 0..8 {
        let account_id = crate::server::infra::secrets::account_id();
        let new = NewAccount {
            code: account_id.as_str(),
            company: company.as_str(),
            company_key: &company.key(),
            parent_id: None,
            profile: None,
            credentials: None,
            holder_email: email.as_str(),
            holder_password_hash: &password_hash,
            holder_security_stamp: &security_stamp,
            claims_company: false,
        };
        match db::account_store::create(&state.db, &Event::sign_up(via), &new).await {
            Ok(db::account_store::CreatedIds { holder_user_id, .. }) => {
                tracing::info!(account = %account_id, "account created");
                super::email_verification::send_after_change(state, holder_user_id, None).await;
                return Ok(CreatedAccount {
                    account_id,
                    holder_user_id,
                    security_stamp,
                });
            }
            Err(CreateAccountError::CodeTaken) => continue,
            Err(CreateAccountError::CompanyTaken) => {
                return Err(AppError::field("company", COMPANY_TAKEN));
            }
            Err(CreateAccountError::Db(e)) => return Err(e.into()),
        }
    }
    Err(crate::server::web::failures::internal(anyhow::anyhow!(
        "no free account ID after 8 draws"
    )))
}

/// A failed login as a user that does not exist, recorded in the account when the account
/// does: an administrator sees someone trying logins.
async fn record_unknown_login(state: &AppState, id: &LoginId) -> Result<(), AppError> {
    if let Some((account_pk, root_pk)) =
        db::account_store::keys_of_code(&state.db, id.account.as_str()).await?
    {
        let event = Event::login(account_pk, root_pk, None, &id.to_string(), Action::Login);
        activity_store::record(&state.db, &event, Outcome::Failure, "unknown user").await?;
    }
    Ok(())
}

/// Why a user who proved who they are still may not log in to the panel, as the activity log
/// says it; `None`: nothing holds them back.
fn held_back(candidate: &db::user_store::LoginCandidate) -> Option<&'static str> {
    if candidate.out_of_window {
        Some("outside validity")
    } else if candidate.disabled || !candidate.account_enabled {
        Some("disabled")
    } else if !candidate.console_login {
        Some("console login off")
    } else {
        None
    }
}

/// Where a correct password leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginStep {
    /// Logged in.
    Done,
    /// The user has two-factor authentication: a code must follow.
    SecondFactor,
}

/// Checks the login ID and password and starts a session, or the second step for a user with
/// two-factor authentication. Every failure is the same `LoginFailed`, after the same amount of
/// hashing work.
pub async fn log_in(
    state: &AppState,
    session: &AuthSession,
    client: &Client,
    login_id: &str,
    password: String,
) -> Result<LoginStep, AppError> {
    let parsed = LoginId::parse(login_id);
    let candidate = match &parsed {
        Some(id) => {
            let login_key = id.login.as_ref().map(|l| l.key());
            db::user_store::find_login_candidate(
                &state.db,
                id.account.as_str(),
                login_key.as_deref(),
            )
            .await?
        }
        None => None,
    };
    // The attempt is counted before the password is checked, so that a burst of parallel
    // guesses gets no more checks than the free attempts (SECURITY.md rule 5).
    let headers = attempts::request_headers();
    let reserved = match &candidate {
        Some(c) => {
            let bucket = attempts::bucket(state, &headers, c.user_id).await?;
            let reservation = attempts::reserve(state, c.user_id, &bucket).await?;
            Some((bucket, reservation))
        }
        None => None,
    };
    let granted = matches!(reserved, Some((_, Reservation::Granted { .. })));
    // A refused attempt is not checked at all, yet costs the same hashing time as any other
    // and gets the same answer: locked looks exactly like wrong (SECURITY.md rule 6).
    let stored = candidate
        .as_ref()
        .filter(|_| granted)
        .map(|c| c.password_hash.clone());
    let verified = match state.hasher.verify(password, stored).await {
        Ok(verified) => verified,
        Err(err) => {
            // Not checked after all (the hashing queue was full): not a failure.
            if let (Some(c), Some((bucket, Reservation::Granted { .. }))) = (&candidate, &reserved)
            {
                db::throttle_store::release(&state.db, c.user_id, bucket).await?;
            }
            return Err(err.into());
        }
    };
    let (Some(candidate), Some((bucket, reservation))) = (candidate, reserved) else {
        state.metrics.login(LoginResult::Failure);
        if let Some(id) = &parsed {
            record_unknown_login(state, id).await?;
        }
        return Err(AppError::LoginFailed);
    };
    // Only a well-formed login ID of an existing user gets here: the text is an ID, not a
    // password typed into the wrong box.
    let login_text = parsed.as_ref().map(LoginId::to_string).unwrap_or_default();
    let event = Event::login(
        candidate.account_pk,
        candidate.root_pk,
        Some(candidate.user_id),
        &login_text,
        Action::Login,
    );
    if let Reservation::Refused { .. } = reservation {
        tracing::info!(user_id = candidate.user_id, "login refused unchecked");
        activity_store::record(&state.db, &event, Outcome::Failure, "locked").await?;
        state.metrics.login(LoginResult::refused(true));
        return Err(AppError::LoginFailed);
    }
    if !verified.ok() {
        tracing::info!(user_id = candidate.user_id, "login failed");
        let event = attempts::lock_notice(state, event, candidate.user_id, &reservation).await;
        activity_store::record(&state.db, &event, Outcome::Failure, "wrong password").await?;
        state.metrics.login(LoginResult::refused(false));
        return Err(AppError::LoginFailed);
    }
    // After the password, so that a refused address costs the same time and says nothing
    // about the login or the password.
    if let Err(refusal) = address_check::judge(candidate.ip_policy.as_deref()) {
        db::throttle_store::release(&state.db, candidate.user_id, &bucket).await?;
        activity_store::record(&state.db, &event, Outcome::Failure, &refusal.detail()).await?;
        state.metrics.login(LoginResult::Failure);
        return Err(AppError::LoginFailed);
    }
    if let Some(reason) = held_back(&candidate) {
        db::throttle_store::release(&state.db, candidate.user_id, &bucket).await?;
        activity_store::record(&state.db, &event, Outcome::Failure, reason).await?;
        state.metrics.login(LoginResult::Failure);
        return Err(AppError::LoginFailed);
    }
    let rehashed = match &verified {
        Verified::YesRehashed(hash) => Some(hash.as_str()),
        _ => None,
    };
    if candidate.totp_enabled {
        // The right password is not a failure, but the count stays until the code is right too:
        // re-entering the password never buys more guesses at the code.
        db::throttle_store::release(&state.db, candidate.user_id, &bucket).await?;
        // The password step of a two-step login: its own event; the code step records another.
        match rehashed {
            Some(hash) => {
                db::user_store::record_login(&state.db, &event, candidate.user_id, Some(hash))
                    .await?;
            }
            None => {
                activity_store::record(&state.db, &event, Outcome::Success, "code required").await?
            }
        }
        session
            .begin_second_factor(candidate.user_id, &candidate.security_stamp, &bucket)
            .await?;
        state.metrics.login(LoginResult::SecondFactor);
        return Ok(LoginStep::SecondFactor);
    }
    db::throttle_store::clear(&state.db, candidate.user_id, &bucket).await?;
    let event = new_browser_notice(state, event, candidate.user_id, &bucket).await?;
    db::user_store::record_login(&state.db, &event, candidate.user_id, rehashed).await?;
    sessions::start(
        state,
        session,
        client,
        candidate.user_id,
        &candidate.security_stamp,
    )
    .await?;
    attempts::remember_device(state, &headers, candidate.user_id, &bucket).await?;
    state.metrics.login(LoginResult::Success);
    Ok(LoginStep::Done)
}

/// What the second login step brings.
#[derive(Debug, Clone, Copy)]
pub enum SecondFactor<'a> {
    /// A TOTP code or a recovery code.
    Code(&'a str),
    /// A security key's answer (JSON) to the options of `passkeys::second_factor_options`.
    Key(&'a str),
}

/// The second login step: a code or a key for the login the session holds. Wrong codes count
/// against the same limiter as wrong passwords, from the same bucket (SECURITY.md rule 11), and
/// are counted before they are checked. Where the account requires a key of this user and they
/// have one, a code is refused.
pub async fn log_in_second_factor(
    state: &AppState,
    session: &AuthSession,
    client: &Client,
    proof: SecondFactor<'_>,
) -> Result<(), AppError> {
    let Some(pending) = session.pending_login().await? else {
        state.metrics.login(LoginResult::Failure);
        return Err(AppError::LoginFailed);
    };
    let Some(caller_row) = db::user_store::find_caller(&state.db, pending.user_id).await? else {
        return Err(AppError::LoginFailed);
    };
    if let SecondFactor::Code(_) = proof
        && crate::server::identity::caller::key_required(&caller_row)
        && caller_row.has_key
    {
        return Err(AppError::field(
            "code",
            crate::key!("login.code.key_required"),
        ));
    }
    let Some((account_pk, root_pk, login_id)) =
        db::user_store::identity(&state.db, pending.user_id).await?
    else {
        return Err(AppError::LoginFailed);
    };
    let action = match proof {
        SecondFactor::Code(_) => Action::LoginCode,
        SecondFactor::Key(_) => Action::LoginKey,
    };
    let event = Event::login(
        account_pk,
        root_pk,
        Some(pending.user_id),
        &login_id,
        action,
    );
    let reservation = attempts::reserve(state, pending.user_id, &pending.bucket).await?;
    let throttled = matches!(reservation, Reservation::Refused { .. });
    let accepted = !throttled
        && match proof {
            SecondFactor::Code(code) => {
                crate::server::identity::two_factor::verify_second_factor(
                    state,
                    &event,
                    pending.user_id,
                    code,
                )
                .await?
            }
            SecondFactor::Key(answer) => {
                crate::server::identity::passkeys::accept_second_factor(
                    state,
                    session,
                    pending.user_id,
                    answer,
                )
                .await?
            }
        };
    if !accepted {
        tracing::info!(user_id = pending.user_id, throttled, "second factor failed");
        let detail = match (throttled, proof) {
            (true, _) => "locked",
            (false, SecondFactor::Code(_)) => "wrong code",
            (false, SecondFactor::Key(_)) => "key refused",
        };
        let event = attempts::lock_notice(state, event, pending.user_id, &reservation).await;
        activity_store::record(&state.db, &event, Outcome::Failure, detail).await?;
        state.metrics.login(LoginResult::refused(throttled));
        return Err(AppError::LoginFailed);
    }
    db::throttle_store::clear(&state.db, pending.user_id, &pending.bucket).await?;
    // The stamp from the password step: a user disabled meanwhile gets a dead session.
    let headers = attempts::request_headers();
    let login = Completed {
        user_id: pending.user_id,
        stamp: &pending.stamp,
        bucket: &pending.bucket,
    };
    complete(state, session, client, &headers, event, login).await
}

/// A login whose every step passed.
struct Completed<'a> {
    user_id: i64,
    stamp: &'a str,
    bucket: &'a str,
}

/// Records the login (with a notice for a new browser), starts the session and remembers the
/// browser.
async fn complete(
    state: &AppState,
    session: &AuthSession,
    client: &Client,
    headers: &http::HeaderMap,
    event: Event,
    login: Completed<'_>,
) -> Result<(), AppError> {
    let event = new_browser_notice(state, event, login.user_id, login.bucket).await?;
    db::user_store::record_login(&state.db, &event, login.user_id, None).await?;
    sessions::start(state, session, client, login.user_id, login.stamp).await?;
    attempts::remember_device(state, headers, login.user_id, login.bucket).await?;
    state.metrics.login(LoginResult::Success);
    Ok(())
}

/// Signs in with a passkey alone (it verified its user with a PIN or a fingerprint, and it is
/// bound to this site). `login_id`, when given, is what the user typed in the login field: the
/// passkey must be theirs (the account ID alone: a user of that account). Every refusal is the
/// same `LoginFailed`.
pub async fn log_in_with_passkey(
    state: &AppState,
    session: &AuthSession,
    client: &Client,
    login_id: &str,
    answer: &str,
) -> Result<(), AppError> {
    let refused = |state: &AppState| {
        state.metrics.login(LoginResult::Failure);
        AppError::LoginFailed
    };
    let Some(user_id) =
        crate::server::identity::passkeys::accept_passwordless(state, session, answer).await?
    else {
        return Err(refused(state));
    };
    let Some((account_pk, root_pk, own_login)) =
        db::user_store::identity(&state.db, user_id).await?
    else {
        return Err(refused(state));
    };
    let event = Event::login(
        account_pk,
        root_pk,
        Some(user_id),
        &own_login,
        Action::LoginPasskey,
    );
    let typed = login_id.trim();
    let own = LoginId::parse(&own_login);
    let matches = typed.is_empty()
        || LoginId::parse(typed).is_some_and(|typed| match (&typed.login, &own) {
            (None, Some(own)) => typed.account == own.account,
            (Some(_), Some(own)) => typed.to_string() == own.to_string(),
            (_, None) => false,
        });
    if !matches {
        activity_store::record(
            &state.db,
            &event,
            Outcome::Failure,
            "passkey of another login",
        )
        .await?;
        return Err(refused(state));
    }
    let Some(candidate) = (match &own {
        Some(id) => {
            let login_key = id.login.as_ref().map(|l| l.key());
            db::user_store::find_login_candidate(
                &state.db,
                id.account.as_str(),
                login_key.as_deref(),
            )
            .await?
        }
        None => None,
    }) else {
        return Err(refused(state));
    };
    if let Err(refusal) = address_check::judge(candidate.ip_policy.as_deref()) {
        activity_store::record(&state.db, &event, Outcome::Failure, &refusal.detail()).await?;
        return Err(refused(state));
    }
    if let Some(reason) = held_back(&candidate) {
        activity_store::record(&state.db, &event, Outcome::Failure, reason).await?;
        return Err(refused(state));
    }
    let headers = attempts::request_headers();
    let bucket = attempts::bucket(state, &headers, user_id).await?;
    let login = Completed {
        user_id,
        stamp: &candidate.security_stamp,
        bucket: &bucket,
    };
    complete(state, session, client, &headers, event, login).await
}

/// A successful login's event, with a notice when the browser never signed in as this user
/// while the user has signed in before from another one (their very first login is their own
/// set-up, not news).
async fn new_browser_notice(
    state: &AppState,
    event: Event,
    user_id: i64,
    bucket: &str,
) -> Result<Event, AppError> {
    if bucket != attempts::STRANGERS || !db::throttle_store::has_devices(&state.db, user_id).await?
    {
        return Ok(event);
    }
    Ok(notices::attach(state, event, user_id, NoticeAbout::NewBrowser).await)
}
