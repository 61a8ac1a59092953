//! Users who should not last: a validity window per user ("valid from" / "valid until", whole
//! days in UTC), and the account's policies that disable users inactive for some days and let
//! temporary passwords expire. Outside the window, or with an expired temporary password, a
//! user cannot log in and their sessions and credentials stop working (see
//! `db::user_store::out_of_window!`); inactive users are disabled, by the hourly sweep, with an
//! event each.

use time::macros::format_description;

use crate::domain::event::{Action, Event};
use crate::error::{AppError, FieldErrors};
use crate::key;
use crate::server::db;
use crate::server::db::policy_store::Policies;
use crate::server::identity::capabilities::Admin;
use crate::server::web::state::AppState;

/// The longest a policy may say, in days (ten years).
pub const MAX_DAYS: i32 = 3650;

/// The start of `day` (`YYYY-MM-DD`) in UTC, in Unix seconds; `Ok(None)` for an empty field.
fn start_of_day(day: &str) -> Result<Option<i64>, ()> {
    let day = day.trim();
    if day.is_empty() {
        return Ok(None);
    }
    let date =
        time::Date::parse(day, format_description!("[year]-[month]-[day]")).map_err(|_| ())?;
    Ok(Some(date.midnight().assume_utc().unix_timestamp()))
}

/// Sets `login`'s validity window: from the start of `from`, until the end of `until` (either
/// may be empty). An Administrator cannot hold themselves back.
pub async fn set_validity(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    from: &str,
    until: &str,
) -> Result<(), AppError> {
    let caller = admin.caller();
    let user = super::find(state, caller, login).await?;
    let mut problems = FieldErrors::default();
    let from = start_of_day(from).unwrap_or_else(|()| {
        problems.add("valid_from", key!("users.error.day"));
        None
    });
    // "Until 31 December" includes that day.
    let until = start_of_day(until)
        .map(|day| day.map(|start| start + 86_400))
        .unwrap_or_else(|()| {
            problems.add("valid_until", key!("users.error.day"));
            None
        });
    if let (Some(from), Some(until)) = (from, until)
        && until <= from
    {
        problems.add("valid_until", key!("users.error.until_before_from"));
    }
    if caller.user_id() == user.id {
        problems.add("form", key!("users.error.own_validity"));
    }
    problems.into_result()?;
    let event = Event::by(caller, Action::UserValidity, &user.login);
    if db::policy_store::set_validity(&state.db, &event, caller.account_pk(), user.id, from, until)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A policy field: empty is off; otherwise whole days from 1 to [`MAX_DAYS`].
fn days(problems: &mut FieldErrors, field: &'static str, text: &str) -> Option<i32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<i32>() {
        Ok(n) if (1..=MAX_DAYS).contains(&n) => Some(n),
        _ => {
            problems.add(field, key!("policy.error.days"));
            None
        }
    }
}

pub async fn policies(state: &AppState, account_pk: i64) -> Result<Policies, AppError> {
    Ok(db::policy_store::policies(&state.db, account_pk).await?)
}

/// Sets the account's policies for inactive users and temporary passwords.
pub async fn set_policies(
    state: &AppState,
    admin: Admin<'_>,
    inactive_days: &str,
    temp_password_days: &str,
) -> Result<(), AppError> {
    let mut problems = FieldErrors::default();
    let policies = Policies {
        inactive_days: days(&mut problems, "inactive_days", inactive_days),
        temp_password_days: days(&mut problems, "temp_password_days", temp_password_days),
    };
    problems.into_result()?;
    let caller = admin.caller();
    let event = Event::by(caller, Action::SignInPolicy, caller.account_id().as_str());
    db::policy_store::set_policies(&state.db, &event, caller.account_pk(), policies).await?;
    Ok(())
}

/// Disables the users the inactivity policies hold back at `now`, each with an event by the
/// policy; returns how many.
pub async fn disable_inactive(db: &db::Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let batch = db::policy_store::inactive(db, now, 500).await?;
        for user in &batch {
            let event = Event {
                actor: "inactivity policy".to_owned(),
                via: "policy",
                ..Event::command_line(
                    user.account_pk,
                    user.root_pk,
                    Action::UserDisable,
                    user.login.clone(),
                )
            };
            if db::policy_store::disable_inactive(db, &event, user, now).await? {
                total += 1;
            }
        }
        if batch.len() < 500 {
            return Ok(total);
        }
    }
}

/// Runs [`disable_inactive`] at start-up and then every hour; a failed round is logged and the
/// next one tries again.
pub fn spawn_inactivity_sweep(db: db::Db) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match disable_inactive(&db, db::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(disabled = n, "inactive users disabled"),
                Err(e) => tracing::warn!(error = %e, "cannot disable inactive users"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::start_of_day;

    #[test]
    fn days_are_read_in_utc_and_garbage_is_refused() {
        assert_eq!(start_of_day(""), Ok(None));
        assert_eq!(start_of_day("1970-01-02"), Ok(Some(86_400)));
        assert_eq!(start_of_day(" 2026-12-07 "), Ok(Some(1_796_601_600)));
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "tomorrow",
            "07/12/2026",
            "2026-12-07T10:00",
        ] {
            assert_eq!(start_of_day(bad), Err(()), "{bad}");
        }
    }
}
