//! Login throttling over HTTP (SECURITY.md rules 5 and 6): every failure counts, even fifty at
//! once, and a throttled login looks exactly like a wrong password.

use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with, unique};
use steward::error::AppError;

async fn failures(app: &TestApp) -> Option<i64> {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT failures FROM login_failures")
            .fetch_optional(pool)
            .await
    })
    .unwrap()
}

/// The raw answer to a login attempt: status and body, as an attacker sees them.
async fn raw_login(app: &TestApp, account_id: &str, password: &str) -> (u16, String) {
    let response = app
        .browser()
        .client
        .post(format!("{}/api/login", app.base))
        .header("accept", "application/json")
        .form(&[("account_id", account_id), ("password", password)])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn fifty_wrong_passwords_sent_at_once_are_all_counted() {
    let app = spawn_app().await;
    let (_, account) = app.signed_up(&unique("Race")).await;
    let attempts: Vec<_> = (0..50)
        .map(|_| {
            let browser = app.browser();
            let account = account.clone();
            tokio::spawn(async move {
                browser
                    .call(
                        "login",
                        &[("account_id", &account), ("password", "wrong-password-1")],
                    )
                    .await
            })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap().unwrap_err(), AppError::LoginFailed);
    }
    assert_eq!(failures(&app).await, Some(50));
    // Locked now: even the right password is refused.
    assert_eq!(
        app.browser()
            .call("login", &[("account_id", &account), ("password", PASSWORD)])
            .await
            .unwrap_err(),
        AppError::LoginFailed
    );
}

#[tokio::test]
async fn locked_disabled_unknown_and_wrong_all_answer_exactly_alike() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (holder, account) = app.signed_up(&unique("Locked")).await;
    app.user_in(&holder, &account, "gone.quiet", "DEFAULT")
        .await;
    holder
        .call(
            "set_user_disabled",
            &[("login", "gone.quiet"), ("disabled", "true")],
        )
        .await
        .unwrap();

    let wrong = raw_login(&app, &account, "not-the-password").await;
    let unknown_account = raw_login(&app, "9999-999-99", PASSWORD).await;
    let unknown_login = raw_login(&app, &format!("{account}/nobody"), PASSWORD).await;
    let disabled = raw_login(&app, &format!("{account}/gone.quiet"), PASSWORD).await;
    for _ in 0..2 {
        raw_login(&app, &account, "not-the-password").await;
    }
    let locked_right_password = raw_login(&app, &account, PASSWORD).await;
    for (name, answer) in [
        ("unknown account", &unknown_account),
        ("unknown login", &unknown_login),
        ("disabled", &disabled),
        ("locked", &locked_right_password),
    ] {
        assert_eq!(answer, &wrong, "{name}");
    }
    assert_eq!(wrong.0, 500, "server function errors keep one status");
    assert!(wrong.1.contains("LoginFailed"));
    assert_eq!(
        failures(&app).await,
        Some(4),
        "the refused attempt counts too"
    );
}

#[tokio::test]
async fn a_successful_login_starts_the_count_again() {
    let app = spawn_app().await;
    let (_, account) = app.signed_up(&unique("Reset")).await;
    for _ in 0..4 {
        raw_login(&app, &account, "not-the-password").await;
    }
    assert_eq!(failures(&app).await, Some(4));
    app.browser()
        .call("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .unwrap();
    assert_eq!(failures(&app).await, None);
}
