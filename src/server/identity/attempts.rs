//! Attempts at a user's secrets, limited (SECURITY.md rules 5, 11, 25, 26).
//!
//! Every check of a password or a code, at login or from a signed-in session, first reserves an
//! attempt: the failure is counted before the secret is checked, so a burst of parallel guesses
//! gets no more checks than the policy's free attempts, and a refused attempt is answered
//! unchecked without extending any lock.
//!
//! Attempts count per user and per source. A browser that has logged in as the user before
//! carries a device cookie (OWASP's "device cookies") and counts in a bucket of its own;
//! everyone else shares the strangers' bucket. A stranger's flood locks the strangers out, not
//! the owner's own browser.

use axum::http::{HeaderMap, HeaderValue, header};
use tower_sessions::cookie::{Cookie, SameSite};

use crate::domain::event::{Action, Event, Outcome};
use crate::error::AppError;
use crate::server::db;
use crate::server::db::activity_store;
use crate::server::db::throttle_store::Reservation;
use crate::server::identity::caller::Caller;
use crate::server::identity::caller::Via;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

/// The strangers' bucket: attempts from browsers without a device cookie for the user.
pub const STRANGERS: &str = "";

/// How long a browser stays known without logging in again.
const DEVICE_DAYS: i64 = 180;
/// How many users one browser remembers.
const DEVICES_PER_BROWSER: usize = 4;

fn device_cookie_name(state: &AppState) -> &'static str {
    // `__Host-`: only this host, over https, on `/`, like the session cookie.
    if state.config.cookie_secure {
        "__Host-steward-device"
    } else {
        "steward-device"
    }
}

/// One user's entry in the device cookie: `USER-DEVICE-SECRET`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DeviceEntry {
    user_id: i64,
    device_id: i64,
    secret: String,
}

impl DeviceEntry {
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '-');
        let user_id = parts.next()?.parse().ok()?;
        let device_id = parts.next()?.parse().ok()?;
        let secret = parts.next()?;
        (secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self {
            user_id,
            device_id,
            secret: secret.to_owned(),
        })
    }

    fn render(&self) -> String {
        format!("{}-{}-{}", self.user_id, self.device_id, self.secret)
    }
}

/// The entries of the request's device cookie (at most a few, each well-formed).
fn device_entries(state: &AppState, headers: &HeaderMap) -> Vec<DeviceEntry> {
    let name = device_cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_owned()))
        .filter_map(Result::ok)
        .filter(|c| c.name() == name)
        .flat_map(|c| {
            c.value()
                .split('.')
                .take(DEVICES_PER_BROWSER)
                .filter_map(DeviceEntry::parse)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The bucket an attempt at `user_id`'s secrets counts in: the browser's own when its device
/// cookie holds a valid entry for this user, else the strangers'.
pub async fn bucket(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
) -> Result<String, AppError> {
    for entry in device_entries(state, headers)
        .into_iter()
        .filter(|e| e.user_id == user_id)
    {
        if let Some(stored) =
            db::throttle_store::device_hash(&state.db, user_id, entry.device_id).await?
            && crate::server::infra::secrets::same_hash(
                &crate::server::infra::secrets::token_hash(&entry.secret),
                &stored,
            )
        {
            return Ok(format!("device:{}", entry.device_id));
        }
    }
    Ok(STRANGERS.to_owned())
}

/// Remembers this browser as one that logged in as `user_id`: the response sets (or refreshes)
/// the device cookie, keeping the browser's entries for other users.
pub async fn remember_device(
    state: &AppState,
    headers: &HeaderMap,
    user_id: i64,
    bucket: &str,
) -> Result<(), AppError> {
    let mut entries = device_entries(state, headers);
    let known = bucket
        .strip_prefix("device:")
        .and_then(|id| id.parse::<i64>().ok());
    let entry = match known.and_then(|id| {
        entries
            .iter()
            .find(|e| e.user_id == user_id && e.device_id == id)
            .cloned()
    }) {
        Some(entry) => {
            db::throttle_store::touch_device(&state.db, entry.device_id).await?;
            entry
        }
        None => {
            let secret = crate::server::infra::secrets::random_hex(16);
            let hash = crate::server::infra::secrets::token_hash(&secret);
            let device_id = db::throttle_store::add_device(&state.db, user_id, &hash).await?;
            DeviceEntry {
                user_id,
                device_id,
                secret,
            }
        }
    };
    entries.retain(|e| e.user_id != user_id);
    entries.insert(0, entry);
    entries.truncate(DEVICES_PER_BROWSER);
    let value = entries
        .iter()
        .map(DeviceEntry::render)
        .collect::<Vec<_>>()
        .join(".");
    let cookie = Cookie::build((device_cookie_name(state), value))
        .path("/")
        .http_only(true)
        .secure(state.config.cookie_secure)
        .same_site(SameSite::Strict)
        .max_age(tower_sessions::cookie::time::Duration::days(DEVICE_DAYS))
        .build();
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie.to_string()),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
    Ok(())
}

/// Reserves an attempt at `user_id`'s secret from `bucket`.
pub async fn reserve(
    state: &AppState,
    user_id: i64,
    bucket: &str,
) -> Result<Reservation, AppError> {
    Ok(db::throttle_store::reserve(
        &state.db,
        user_id,
        bucket,
        &state.config.throttle,
        db::now(),
    )
    .await?)
}

/// The request's headers, from inside a server function.
pub fn request_headers() -> HeaderMap {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .map(|parts| parts.headers)
        .unwrap_or_default()
}

/// Checks a secret of the signed-in caller (their current password, a code) as one limited
/// attempt: `check` runs only when the attempt is granted, and `right` says from its outcome
/// whether the secret was right.
///
/// A stolen session must not become an oracle for the password: wrong answers count in the same
/// limiter as logins, and once the limiter refuses, or the failures reach the lock, the session
/// ends and the answer is [`AppError::TooManyAttempts`] (which the caller's audited event
/// records).
pub async fn check_own_secret<T>(
    state: &AppState,
    caller: &Caller,
    check: impl Future<Output = Result<T, AppError>>,
    right: impl Fn(&T) -> bool,
) -> Result<T, AppError> {
    let headers = request_headers();
    let bucket = bucket(state, &headers, caller.user_id()).await?;
    let failures = match reserve(state, caller.user_id(), &bucket).await? {
        Reservation::Granted { failures } => failures,
        Reservation::Refused { .. } => {
            end_session(state, caller).await?;
            return Err(AppError::TooManyAttempts);
        }
    };
    let outcome = match check.await {
        Ok(outcome) => outcome,
        Err(err) => {
            // Not checked after all (the hashing queue was full, the database went away): not
            // a failure.
            db::throttle_store::release(&state.db, caller.user_id(), &bucket).await?;
            return Err(err);
        }
    };
    if right(&outcome) {
        db::throttle_store::clear(&state.db, caller.user_id(), &bucket).await?;
    } else if failures >= i64::from(state.config.throttle.lock_after) {
        // This very failure locked the login: the user hears of it, as after failed logins.
        let event = Event::by(caller, Action::SessionEnd, caller.login_id());
        let reservation = Reservation::Granted { failures };
        let event = lock_notice(state, event, caller.user_id(), &reservation).await;
        activity_store::record(&state.db, &event, Outcome::Failure, "locked").await?;
        end_session(state, caller).await?;
        return Err(AppError::TooManyAttempts);
    }
    Ok(outcome)
}

async fn end_session(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    if caller.via() == Via::Session {
        let session = crate::server::identity::current::session().await?;
        crate::server::identity::sessions::end_current(state, &session).await?;
    }
    Ok(())
}

/// A failed attempt's event, with a notice when this very failure locked the login: sent once
/// per lock, not for the refused attempts that follow.
pub async fn lock_notice(
    state: &AppState,
    event: Event,
    user_id: i64,
    reservation: &Reservation,
) -> Event {
    let policy = &state.config.throttle;
    match reservation {
        Reservation::Granted { failures } if *failures == i64::from(policy.lock_after) => {
            let about = NoticeAbout::Locked {
                attempts: policy.lock_after,
                minutes: u32::try_from(policy.lock_for.as_secs().div_ceil(60)).unwrap_or(u32::MAX),
            };
            notices::attach(state, event, user_id, about).await
        }
        _ => event,
    }
}
