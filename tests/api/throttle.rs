//! Login throttling over HTTP (SECURITY.md rules 5, 6, 25 and 26): attempts are counted before
//! they are checked, so a burst gets no more checks than the free attempts; a throttled login
//! looks exactly like a wrong password; a refused attempt never extends a lock; a stranger's
//! flood does not lock the owner out of their own browser; a signed-in session is no oracle.

use std::time::Duration;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with, unique};
use steward::domain::throttle_policy::ThrottlePolicy;
use steward::error::AppError;

/// The strangers' failures in a row (the bucket of browsers the user never logged in from) of
/// the first account's holder.
async fn failures(app: &TestApp) -> Option<i64> {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar(
            "SELECT f.failures FROM login_failures f
             WHERE f.bucket = '' AND f.user_id =
                   (SELECT MIN(id) FROM users WHERE is_holder)",
        )
        .fetch_optional(pool)
        .await
    })
    .unwrap()
}

/// How many failed events of `action` the activity log holds with `detail`.
async fn failed_events(app: &TestApp, action: &str, detail: &str) -> i64 {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM activity WHERE action = $1 AND result = 'failure' AND detail = $2",
        )
        .bind(action)
        .bind(detail)
        .fetch_one(pool)
        .await
    })
    .unwrap()
}

/// Five free attempts, then locked for an hour: a burst has nothing to wait out. The hashing
/// queue takes the whole burst, so that every attempt reaches the limiter.
fn five_then_locked(config: &mut steward::server::infra::config::Config) {
    config.throttle = ThrottlePolicy {
        free_attempts: 5,
        lock_after: 5,
        lock_for: Duration::from_secs(3600),
        ..Default::default()
    };
    config.hash_queue = steward::server::infra::hashing::QueueBound {
        max_waiting: 1_000,
        max_wait: Duration::from_secs(120),
    };
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

async fn login(browser: &Browser, account_id: &str, password: &str) -> Result<(), AppError> {
    browser
        .call(
            "login",
            &[("account_id", account_id), ("password", password)],
        )
        .await
        .map(|_| ())
}

#[tokio::test]
async fn of_150_parallel_wrong_passwords_only_the_free_attempts_are_checked() {
    let app = spawn_app_with(five_then_locked).await;
    let (_, account) = app.signed_up(&unique("Race")).await;
    let attempts: Vec<_> = (0..150)
        .map(|_| {
            let browser = app.browser();
            let account = account.clone();
            tokio::spawn(async move { login(&browser, &account, "wrong-password-1").await })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap().unwrap_err(), AppError::LoginFailed);
    }
    assert_eq!(
        failed_events(&app, "login", "wrong password").await,
        5,
        "checked"
    );
    assert_eq!(
        failed_events(&app, "login", "locked").await,
        145,
        "refused unchecked"
    );
    assert_eq!(failures(&app).await, Some(5));
    // Locked now: even the right password is refused.
    assert_eq!(
        login(&app.browser(), &account, PASSWORD).await.unwrap_err(),
        AppError::LoginFailed
    );
}

#[tokio::test]
async fn of_100_parallel_wrong_codes_only_the_free_attempts_are_checked() {
    let app = spawn_app_with(five_then_locked).await;
    let (holder, account) = app.signed_up(&unique("Code Race")).await;
    crate::two_factor::enrol(&holder).await;
    let browser = app.browser();
    assert_eq!(
        browser
            .call_for_location("login", &[("account_id", &account), ("password", PASSWORD)])
            .await
            .unwrap(),
        "/login/code"
    );
    let browser = std::sync::Arc::new(browser);
    let attempts: Vec<_> = (0..100)
        .map(|i| {
            let browser = browser.clone();
            // Recovery-code shaped guesses and digits both count.
            let code = if i % 2 == 0 {
                format!("{:06}", i)
            } else {
                format!("guess-{i:04}")
            };
            tokio::spawn(async move { browser.call("login_code", &[("code", &code)]).await })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap().unwrap_err(), AppError::LoginFailed);
    }
    let checked = failed_events(&app, "login.code", "wrong code").await;
    assert!(checked <= 5, "{checked} codes were checked");
    assert_eq!(
        failed_events(&app, "login.code", "locked").await,
        100 - checked
    );
}

#[tokio::test]
async fn attempts_refused_by_the_limiter_do_not_extend_the_lock() {
    let app = spawn_app_with(|config| {
        config.throttle = ThrottlePolicy {
            free_attempts: 3,
            lock_after: 3,
            lock_for: Duration::from_secs(4),
            ..Default::default()
        };
    })
    .await;
    let (_, account) = app.signed_up(&unique("Short Lock")).await;
    for _ in 0..3 {
        raw_login(&app, &account, "not-the-password").await;
    }
    let locked_at = tokio::time::Instant::now();
    // A stranger keeps trying while the lock lasts (it ends 3 to 4 seconds after it began, as
    // times are whole seconds): none of it is checked or counted, so none of it extends the lock.
    while locked_at.elapsed() < Duration::from_millis(2500) {
        raw_login(&app, &account, "not-the-password").await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failures(&app).await, Some(3));
    tokio::time::sleep_until(locked_at + Duration::from_millis(4200)).await;
    login(&app.browser(), &account, PASSWORD)
        .await
        .expect("the lock ended when it was due");
}

#[tokio::test]
async fn a_strangers_flood_leaves_the_owners_known_browser_able_to_log_in() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (owner, account) = app.signed_up(&unique("Known Device")).await;
    // The owner's browser has logged in before: it carries a device cookie.
    owner.call("logout", &[]).await.unwrap();
    login(&owner, &account, PASSWORD).await.unwrap();
    owner.call("logout", &[]).await.unwrap();

    for _ in 0..30 {
        raw_login(&app, &account, "stranger-guess").await;
    }
    // Strangers are locked out, even with the right password...
    assert_eq!(
        login(&app.browser(), &account, PASSWORD).await.unwrap_err(),
        AppError::LoginFailed
    );
    // ...the owner's own browser is not.
    login(&owner, &account, PASSWORD)
        .await
        .expect("the owner's known browser logs in");
    assert!(!owner.me().await.is_null());
}

#[tokio::test]
async fn a_known_browser_that_guesses_wrong_is_locked_on_its_own() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (owner, account) = app.signed_up(&unique("Own Bucket")).await;
    owner.call("logout", &[]).await.unwrap();
    login(&owner, &account, PASSWORD).await.unwrap();
    owner.call("logout", &[]).await.unwrap();
    for _ in 0..3 {
        assert!(login(&owner, &account, "typo-typo-typo").await.is_err());
    }
    assert_eq!(
        login(&owner, &account, PASSWORD).await.unwrap_err(),
        AppError::LoginFailed,
        "the device's own bucket is locked"
    );
    assert_eq!(failures(&app).await, None, "strangers' bucket untouched");
    login(&app.browser(), &account, PASSWORD)
        .await
        .expect("another browser is not locked by it");
}

#[tokio::test]
async fn a_forged_device_cookie_counts_as_a_stranger() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (_, account) = app.signed_up(&unique("Forged")).await;
    for _ in 0..3 {
        raw_login(&app, &account, "stranger-guess").await;
    }
    let response = app
        .browser()
        .client
        .post(format!("{}/api/login", app.base))
        .header("accept", "application/json")
        .header(
            "cookie",
            "steward-device=1-1-0123456789abcdef0123456789abcdef",
        )
        .form(&[("account_id", account.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(!response.status().is_success());
    assert!(response.text().await.unwrap().contains("LoginFailed"));
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
    assert_eq!(wrong.0, 401, "a failed login is 401");
    assert!(wrong.1.contains("LoginFailed"));
    assert_eq!(
        failures(&app).await,
        Some(3),
        "the refused attempt is not counted"
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
    login(&app.browser(), &account, PASSWORD).await.unwrap();
    assert_eq!(failures(&app).await, None);
}

#[tokio::test]
async fn thirty_wrong_current_passwords_from_a_session_are_refused_and_end_it() {
    let app = spawn_app_with(five_then_locked).await;
    let (holder, account) = app.signed_up(&unique("Oracle")).await;
    let mut answers = Vec::new();
    for i in 0..30 {
        let guess = format!("Guess-Number-{i}-Horse");
        answers.push(
            holder
                .call(
                    "change_password",
                    &[
                        ("current_password", guess.as_str()),
                        ("new_password", "Brand-New-Orbit-Canyon-77"),
                        ("confirm_password", "Brand-New-Orbit-Canyon-77"),
                    ],
                )
                .await
                .unwrap_err(),
        );
        if answers.last() != Some(&answers[0]) {
            break;
        }
    }
    assert!(matches!(answers[0], AppError::Invalid(_)), "{answers:?}");
    // The fifth wrong guess reaches the lock: the answer says so and the session is gone.
    assert_eq!(answers.len(), 5, "{answers:?}");
    assert_eq!(answers[4], AppError::TooManyAttempts);
    assert!(holder.me().await.is_null(), "the session has ended");
    assert_eq!(
        holder.call("list_users", &[]).await.unwrap_err(),
        AppError::Unauthenticated
    );
    // The guesses counted in the same limiter as logins, in the bucket of the browser that
    // signed up (a known device).
    let counted: i64 = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT failures FROM login_failures WHERE bucket LIKE 'device:%'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(counted, 5);
    // A stranger is not locked out by it; the owner's own browser is, until the lock ends.
    assert!(failures(&app).await.is_none());
    assert!(
        holder
            .call("login", &[("account_id", &account), ("password", PASSWORD)])
            .await
            .is_err()
    );
}

#[tokio::test]
async fn wrong_codes_for_new_recovery_codes_are_limited_too() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (holder, _) = app.signed_up(&unique("Codes Oracle")).await;
    crate::two_factor::enrol(&holder).await;
    let mut last = None;
    for _ in 0..5 {
        last = Some(
            holder
                .call(
                    "new_recovery_codes",
                    &[("password", PASSWORD), ("code", "123456")],
                )
                .await
                .unwrap_err(),
        );
        if last == Some(AppError::TooManyAttempts) {
            break;
        }
    }
    assert_eq!(last, Some(AppError::TooManyAttempts));
    assert!(holder.me().await.is_null(), "the session has ended");
}

/// Locks `login_id` out with three wrong passwords from strangers (under
/// `lock_after_three_failures`) and checks that the right one is then refused.
async fn lock_out(app: &TestApp, login_id: &str) {
    for _ in 0..3 {
        raw_login(app, login_id, "stranger-guess").await;
    }
    assert_eq!(
        login(&app.browser(), login_id, PASSWORD).await.unwrap_err(),
        AppError::LoginFailed,
        "{login_id} is locked"
    );
}

fn locked_until_of(page: &serde_json::Value, login: &str) -> serde_json::Value {
    page["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == login)
        .map(|u| u["locked_until"].clone())
        .unwrap_or_else(|| panic!("{login} listed: {page}"))
}

#[tokio::test]
async fn an_administrator_sees_a_locked_user_and_unlocks_them() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (admin, account) = app.signed_up(&unique("Unlocker")).await;
    let reader = app.user_in(&admin, &account, "reader", "DEFAULT").await;
    app.user_in(&admin, &account, "locked.out", "DEFAULT").await;
    let login_id = format!("{account}/locked.out");
    lock_out(&app, &login_id).await;

    let page = admin.call("list_users", &[]).await.unwrap();
    assert!(locked_until_of(&page, "locked.out").is_i64(), "{page}");
    assert!(locked_until_of(&page, "reader").is_null());

    // Only an Administrator of the account may unlock.
    assert_eq!(
        reader
            .call("unlock_user", &[("login", "locked.out")])
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let (stranger_admin, _) = app.signed_up(&unique("Elsewhere")).await;
    assert_eq!(
        stranger_admin
            .call("unlock_user", &[("login", "locked.out")])
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert!(login(&app.browser(), &login_id, PASSWORD).await.is_err());

    admin
        .call("unlock_user", &[("login", "locked.out")])
        .await
        .unwrap();
    let page = admin.call("list_users", &[]).await.unwrap();
    assert!(locked_until_of(&page, "locked.out").is_null());
    login(&app.browser(), &login_id, PASSWORD)
        .await
        .expect("unlocked");
    let unlocks: i64 = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM activity WHERE action = 'user.unlock' AND result = 'success'
             AND target = 'locked.out' AND actor_user_id IS NOT NULL",
        )
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(unlocks, 1);
}

#[tokio::test]
async fn a_password_reset_by_an_administrator_unlocks() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (admin, account) = app.signed_up(&unique("Reset Unlock")).await;
    app.user_in(&admin, &account, "forgot.it", "DEFAULT").await;
    let login_id = format!("{account}/forgot.it");
    lock_out(&app, &login_id).await;
    let location = admin
        .call_for_location("reset_user_password", &[("login", "forgot.it")])
        .await
        .unwrap();
    let revealed = admin.take_reveal(&location).await;
    let temporary = revealed["PasswordReset"]["credential"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    login(&app.browser(), &login_id, &temporary)
        .await
        .expect("the new password works at once");
}

#[tokio::test]
async fn the_operator_unlocks_the_account_holder_from_the_command_line() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (_, account) = app.signed_up(&unique("Operator Unlock")).await;
    lock_out(&app, &account).await;

    let unknown = app.cli(&["user", "unlock", &format!("{account}/nobody")]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user"));

    let output = app.cli(&["user", "unlock", &account]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["unlocked"], account.as_str());
    login(&app.browser(), &account, PASSWORD)
        .await
        .expect("the holder logs in again");
    let via: String = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT via FROM activity WHERE action = 'user.unlock'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(via, "cli");
}

#[tokio::test]
async fn a_user_keeps_their_ten_latest_browsers_and_a_forgotten_ones_count_goes_with_it() {
    let app = spawn_app().await;
    let (_, account) = app.signed_up(&unique("Many Browsers")).await;
    let first = app.browser();
    login(&first, &account, PASSWORD).await.unwrap();
    assert!(login(&first, &account, "one-typo-here").await.is_err());
    let device_rows = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            steward::on_db!(&db, |pool| {
                sqlx::query_as::<_, (i64, i64)>(
                    "SELECT (SELECT COUNT(*) FROM known_devices),
                            (SELECT COUNT(*) FROM login_failures WHERE bucket LIKE 'device:%')",
                )
                .fetch_one(pool)
                .await
            })
            .unwrap()
        }
    };
    // The browser that signed up, and the first one: each remembered, one with a typo counted.
    assert_eq!(device_rows(&app).await, (2, 1));
    for _ in 0..10 {
        login(&app.browser(), &account, PASSWORD).await.unwrap();
    }
    let (devices, counts) = device_rows(&app).await;
    assert_eq!(devices, steward::server::db::throttle_store::DEVICES_KEPT);
    assert_eq!(counts, 0, "the forgotten browser's count went with it");
}
