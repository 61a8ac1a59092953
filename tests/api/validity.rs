//! Users who should not last: a validity window (outside it no login, no session, no token),
//! the "expired" filter, temporary passwords that expire, and the inactivity policy that
//! disables users with an event; bad dates and days are refused and change nothing.

use serde_json::Value;

use crate::api_keys::{Cred, assert_dead, create_token, token_of, whoami_with};
use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;
use steward::server::manage::users::validity::disable_inactive;

const DAY: i64 = 86_400;

fn day(offset_days: i64) -> String {
    steward::i18n::iso_date(steward::server::db::now() + offset_days * DAY)
}

async fn set_window(
    holder: &Browser,
    login: &str,
    from: &str,
    until: &str,
) -> Result<Value, AppError> {
    holder
        .call(
            "set_user_validity",
            &[
                ("login", login),
                ("valid_from", from),
                ("valid_until", until),
            ],
        )
        .await
}

async fn logs_in(app: &TestApp, login_id: &str) -> bool {
    app.browser()
        .call("login", &[("account_id", login_id), ("password", PASSWORD)])
        .await
        .is_ok()
}

fn fields(error: &AppError) -> Vec<String> {
    match error {
        AppError::Invalid(list) => list.iter().map(|f| f.field.clone()).collect(),
        other => panic!("not a field error: {other:?}"),
    }
}

/// The list's logins for a query (`status` = `EXPIRED`...).
async fn listed(holder: &Browser, query: &[(&str, &str)]) -> Vec<String> {
    let form: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (format!("query[{k}]"), (*v).to_owned()))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = holder.call("list_users", &form).await.unwrap();
    page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn outside_the_window_a_user_cannot_log_in_and_their_session_and_tokens_stop() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Window")).await;
    let vic = app.user_in(&holder, &account, "vic", "ADMIN").await;
    let token = token_of(&create_token(&vic, "ci", "admin", "").await.unwrap());
    let login_id = format!("{account}/vic");

    // Ended yesterday: everything stops at once.
    set_window(&holder, "vic", "", &day(-1))
        .await
        .expect("saved");
    assert!(!logs_in(&app, &login_id).await);
    assert_eq!(vic.me().await, Value::Null, "the open session ended");
    assert_dead(&app.base, Cred::ApiKey(&token)).await;
    assert_eq!(listed(&holder, &[("status", "EXPIRED")]).await, ["vic"]);
    let row = holder.call("get_user", &[("login", "vic")]).await.unwrap();
    assert_eq!(row["expired"], true);

    // Until today (the whole day): back.
    set_window(&holder, "vic", "", &day(0)).await.unwrap();
    assert!(logs_in(&app, &login_id).await);
    assert_ne!(
        whoami_with(&app.base, Cred::ApiKey(&token)).await,
        Value::Null
    );
    assert!(listed(&holder, &[("status", "EXPIRED")]).await.is_empty());

    // Not started yet.
    set_window(&holder, "vic", &day(1), "").await.unwrap();
    assert!(!logs_in(&app, &login_id).await);
    // No bounds.
    set_window(&holder, "vic", "", "").await.unwrap();
    assert!(logs_in(&app, &login_id).await);
}

#[tokio::test]
async fn bad_dates_are_refused_beside_their_field_and_nobody_limits_themselves_or_others() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Dates")).await;
    let wes = app.user_in(&holder, &account, "wes", "ADMIN").await;
    for (from, until, field) in [
        ("tomorrow", "", "valid_from"),
        ("", "2026-02-30", "valid_until"),
        (&day(3) as &str, &day(1) as &str, "valid_until"),
        (&"9".repeat(10_000) as &str, "", "valid_from"),
    ] {
        let refused = set_window(&holder, "wes", from, until).await.unwrap_err();
        assert_eq!(fields(&refused), [field], "{from:.20} {until}");
    }
    assert!(
        logs_in(&app, &format!("{account}/wes")).await,
        "nothing changed"
    );
    // An Administrator cannot hold themselves back.
    let own = set_window(&wes, "wes", "", &day(-1)).await.unwrap_err();
    assert_eq!(fields(&own), ["form"]);
    // Another account's Administrator finds nobody; a User may not.
    let (stranger, _) = app.signed_up(&unique("Far Away")).await;
    assert_eq!(
        set_window(&stranger, "wes", "", &day(-1)).await.err(),
        Some(AppError::NotFound)
    );
    let user = app.user_in(&holder, &account, "xia", "DEFAULT").await;
    assert_eq!(
        set_window(&user, "wes", "", &day(-1)).await.err(),
        Some(AppError::Forbidden)
    );
    assert!(logs_in(&app, &format!("{account}/wes")).await);
}

#[tokio::test]
async fn a_temporary_password_expires_after_the_accounts_limit() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Temporary")).await;
    for bad in ["0", "3651", "soon", "-4"] {
        let refused = holder
            .call(
                "set_sign_in_policies",
                &[("inactive_days", ""), ("temp_password_days", bad)],
            )
            .await
            .unwrap_err();
        assert_eq!(fields(&refused), ["temp_password_days"], "{bad}");
    }
    holder
        .call(
            "set_sign_in_policies",
            &[("inactive_days", ""), ("temp_password_days", "3")],
        )
        .await
        .unwrap();
    let policies = holder.call("sign_in_policies", &[]).await.unwrap();
    assert_eq!(policies["temp_password_days"], 3);
    holder
        .call(
            "create_user",
            &[
                ("login", "yan"),
                ("email", "yan@example.com"),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", PASSWORD),
                ("require_change", "on"),
            ],
        )
        .await
        .unwrap();
    let login_id = format!("{account}/yan");
    assert!(logs_in(&app, &login_id).await, "fresh: it works");
    steward::execute!(
        &app.state.db,
        "UPDATE users SET password_updated_at = password_updated_at - 4 * 86400 WHERE login = 'yan'"
    )
    .unwrap();
    assert!(!logs_in(&app, &login_id).await, "four days old: expired");
    // The policy off, it works again.
    holder
        .call(
            "set_sign_in_policies",
            &[("inactive_days", ""), ("temp_password_days", "")],
        )
        .await
        .unwrap();
    assert!(logs_in(&app, &login_id).await);
}

#[tokio::test]
async fn the_inactivity_policy_disables_users_with_an_event_and_enabling_restarts_the_count() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Inactive")).await;
    app.user_in(&holder, &account, "zoe", "DEFAULT").await;
    app.user_in(&holder, &account, "abe", "DEFAULT").await;
    let now = steward::server::db::now();
    // Nothing happens without the policy.
    assert_eq!(
        disable_inactive(&app.state.db, now + 100 * DAY)
            .await
            .unwrap(),
        0
    );
    holder
        .call(
            "set_sign_in_policies",
            &[("inactive_days", "30"), ("temp_password_days", "")],
        )
        .await
        .unwrap();
    assert_eq!(disable_inactive(&app.state.db, now).await.unwrap(), 0);
    // Zoe last signed in 40 days ago; Abe 10 days ago.
    steward::execute!(
        &app.state.db,
        "UPDATE users SET last_login_at = $1, created_at = $1 WHERE login = 'zoe'",
        now - 40 * DAY
    )
    .unwrap();
    steward::execute!(
        &app.state.db,
        "UPDATE users SET last_login_at = $1, created_at = $2 WHERE login = 'abe'",
        now - 10 * DAY,
        now - 50 * DAY
    )
    .unwrap();
    // Two sweeps at once (two servers): Zoe is disabled once, with one event.
    let (a, b) = tokio::join!(
        disable_inactive(&app.state.db, now),
        disable_inactive(&app.state.db, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let zoe = holder.call("get_user", &[("login", "zoe")]).await.unwrap();
    assert_eq!(zoe["status"], "DISABLED");
    assert!(!logs_in(&app, &format!("{account}/zoe")).await);
    let abe = holder.call("get_user", &[("login", "abe")]).await.unwrap();
    assert_eq!(abe["status"], "OK");
    let events = holder
        .call("list_activity", &[("query[action]", "user.disable")])
        .await
        .unwrap();
    assert_eq!(
        events.to_string().matches("inactivity policy").count(),
        1,
        "{events}"
    );

    // Enabled again: the count starts over, so the next sweep leaves Zoe alone.
    holder
        .call(
            "set_user_disabled",
            &[("login", "zoe"), ("disabled", "false")],
        )
        .await
        .unwrap();
    assert_eq!(disable_inactive(&app.state.db, now + 60).await.unwrap(), 0);
    assert!(logs_in(&app, &format!("{account}/zoe")).await);
}
