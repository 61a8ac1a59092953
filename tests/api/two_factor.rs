//! Two-factor authentication over HTTP (SECURITY.md rules 8 to 13): enrolment, the second login
//! step, replay, recovery codes, throttled codes, sealed seeds.

use serde_json::Value;
use steward::i18n::Lang;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with, unique};
use sha2::{Digest, Sha256};
use steward::domain::generated::normalize_recovery_code;
use steward::domain::totp::Totp;
use steward::error::AppError;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The authenticator app: computes the current code from the key the page shows.
pub(crate) fn app_code(key: &str) -> String {
    let seed = totp_rs::Secret::Encoded(key.replace(' ', ""))
        .to_bytes()
        .unwrap();
    let totp = Totp::new(seed, "test").unwrap();
    totp.code_at_step(Totp::step_of(now()))
}

/// Enrols the browser's user; returns the key and the recovery codes.
pub async fn enrol(browser: &Browser) -> (String, Vec<String>) {
    browser.call("begin_two_factor", &[]).await.unwrap();
    let status = browser.call("two_factor_status", &[]).await.unwrap();
    let key = status["pending"]["key"].as_str().unwrap().to_owned();
    assert!(
        status["pending"]["qr_svg"]
            .as_str()
            .unwrap()
            .starts_with("<svg")
    );
    assert!(
        status["pending"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Steward:")
    );
    let location = browser
        .call_for_location(
            "confirm_two_factor",
            &[("password", PASSWORD), ("code", &app_code(&key))],
        )
        .await
        .unwrap();
    let revealed = browser.take_reveal(&location).await;
    let codes = revealed["RecoveryCodes"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (key, codes)
}

/// Lets the current step's code be used again (tests cannot wait 30 seconds for the next one).
pub(crate) async fn forget_last_step(app: &TestApp) {
    steward::execute!(&app.state.db, "UPDATE users SET totp_last_step = NULL").unwrap();
}

pub(crate) async fn password_step(app: &TestApp, account: &str) -> Browser {
    let browser = app.browser();
    let location = browser
        .call_for_location("login", &[("account_id", account), ("password", PASSWORD)])
        .await
        .unwrap();
    assert_eq!(location, "/login/code");
    assert_eq!(
        browser.me().await,
        Value::Null,
        "a correct password alone opens nothing"
    );
    browser
}

#[tokio::test]
async fn enrolment_needs_the_password_and_a_correct_code_and_shows_ten_recovery_codes_once() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Enrol")).await;
    holder.call("begin_two_factor", &[]).await.unwrap();
    let key = holder.call("two_factor_status", &[]).await.unwrap()["pending"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let err = holder
        .call(
            "confirm_two_factor",
            &[("password", "wrong"), ("code", "000000")],
        )
        .await
        .unwrap_err();
    assert!(
        err.for_field("password", Lang::En).is_some() && err.for_field("code", Lang::En).is_some(),
        "{err:?}"
    );
    assert_eq!(
        holder.call("two_factor_status", &[]).await.unwrap()["enabled"],
        false,
        "not on before a correct code"
    );

    let location = holder
        .call_for_location(
            "confirm_two_factor",
            &[("password", PASSWORD), ("code", &app_code(&key))],
        )
        .await
        .unwrap();
    let codes = holder.take_reveal(&location).await;
    assert_eq!(
        codes["RecoveryCodes"]["codes"].as_array().unwrap().len(),
        10
    );
    assert_eq!(
        holder.take_reveal(&location).await,
        Value::Null,
        "shown once"
    );
    let status = holder.call("two_factor_status", &[]).await.unwrap();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 10);
    assert_eq!(status["pending"], Value::Null);
}

#[tokio::test]
async fn after_the_password_a_code_completes_the_login_under_a_new_session_id_and_only_once() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Second")).await;
    let (key, _) = enrol(&holder).await;
    forget_last_step(&app).await;

    let browser = password_step(&app, &account).await;
    let halfway = browser.cookie_header().unwrap();
    let code = app_code(&key);
    browser
        .call("login_code", &[("code", &code)])
        .await
        .unwrap();
    assert_eq!(browser.me().await["account_id"], account);
    assert_ne!(
        browser.cookie_header().unwrap(),
        halfway,
        "a new session id after the second factor"
    );

    // The same code in a fresh login is refused: it was accepted once.
    let again = password_step(&app, &account).await;
    assert_eq!(
        again
            .call("login_code", &[("code", &code)])
            .await
            .unwrap_err(),
        AppError::LoginFailed
    );
    assert_eq!(again.me().await, Value::Null);
}

#[tokio::test]
async fn of_two_concurrent_submissions_of_one_code_exactly_one_succeeds() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Race Code")).await;
    let (key, _) = enrol(&holder).await;
    forget_last_step(&app).await;
    let first = password_step(&app, &account).await;
    let second = password_step(&app, &account).await;
    let code = app_code(&key);
    let form = [("code", code.as_str())];
    let (a, b) = tokio::join!(
        first.call("login_code", &form),
        second.call("login_code", &form)
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
}

#[tokio::test]
async fn a_recovery_code_logs_in_once() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Recovery")).await;
    let (_, codes) = enrol(&holder).await;
    let browser = password_step(&app, &account).await;
    // Typed in capitals with spaces: still the same code.
    let typed = format!(" {} ", codes[3].to_uppercase());
    browser
        .call("login_code", &[("code", &typed)])
        .await
        .unwrap();
    assert_eq!(browser.me().await["account_id"], account);
    assert_eq!(
        holder.call("two_factor_status", &[]).await.unwrap()["recovery_codes_left"],
        9
    );
    let again = password_step(&app, &account).await;
    assert_eq!(
        again
            .call("login_code", &[("code", &codes[3])])
            .await
            .unwrap_err(),
        AppError::LoginFailed
    );
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    let app = spawn_app_with(crate::helpers::lock_after_three_failures).await;
    let (holder, account) = app.signed_up(&unique("Throttled Code")).await;
    let (key, _) = enrol(&holder).await;
    forget_last_step(&app).await;
    let browser = password_step(&app, &account).await;
    for _ in 0..3 {
        assert_eq!(
            browser
                .call("login_code", &[("code", "000000")])
                .await
                .unwrap_err(),
            AppError::LoginFailed
        );
    }
    assert_eq!(
        browser
            .call("login_code", &[("code", &app_code(&key))])
            .await
            .unwrap_err(),
        AppError::LoginFailed
    );
}

#[tokio::test]
async fn disabling_and_new_recovery_codes_need_the_password_and_a_current_code() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Disable")).await;
    let (key, old_codes) = enrol(&holder).await;
    forget_last_step(&app).await;
    let err = holder
        .call(
            "new_recovery_codes",
            &[("password", "nope"), ("code", &app_code(&key))],
        )
        .await
        .unwrap_err();
    assert!(err.for_field("password", Lang::En).is_some());
    forget_last_step(&app).await;
    let location = holder
        .call_for_location(
            "new_recovery_codes",
            &[("password", PASSWORD), ("code", &app_code(&key))],
        )
        .await
        .unwrap();
    let new_codes = holder.take_reveal(&location).await["RecoveryCodes"]["codes"].clone();
    assert_ne!(new_codes[0].as_str().unwrap(), old_codes[0]);
    let browser = password_step(&app, &account).await;
    assert!(
        browser
            .call("login_code", &[("code", &old_codes[0])])
            .await
            .is_err(),
        "old codes stop working"
    );

    forget_last_step(&app).await;
    let err = holder
        .call(
            "disable_two_factor",
            &[("password", PASSWORD), ("code", "123456")],
        )
        .await
        .unwrap_err();
    assert!(err.for_field("code", Lang::En).is_some());
    holder
        .call(
            "disable_two_factor",
            &[("password", PASSWORD), ("code", &app_code(&key))],
        )
        .await
        .unwrap();
    assert_eq!(
        holder.call("two_factor_status", &[]).await.unwrap()["enabled"],
        false
    );
    let plain = app.browser();
    let location = plain
        .call_for_location("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .unwrap();
    assert_eq!(location, "/");
}

#[tokio::test]
async fn seeds_and_recovery_codes_are_not_stored_in_clear() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Sealed")).await;
    let (key, codes) = enrol(&holder).await;
    let seed = totp_rs::Secret::Encoded(key.replace(' ', ""))
        .to_bytes()
        .unwrap();
    let (sealed, hashes): (Vec<u8>, Vec<String>) = steward::on_db!(&app.state.db, |pool| async {
        let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM totp_authenticators")
            .fetch_one(pool)
            .await?;
        let hashes: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
            .fetch_all(pool)
            .await?;
        Ok::<_, sqlx::Error>((sealed, hashes))
    }
    .await)
    .unwrap();
    assert!(!sealed.windows(seed.len()).any(|w| w == seed.as_slice()));
    assert_eq!(hashes.len(), 10);
    for code in &codes {
        let normalized = normalize_recovery_code(code);
        let bare = hex::encode(Sha256::digest(normalized.as_bytes()));
        assert!(
            hashes
                .iter()
                .all(|h| !h.contains(&normalized) && !h.contains(&bare)),
            "neither in clear nor a bare SHA-256, which anyone can compute"
        );
    }
    for hash in &hashes {
        // An HMAC-SHA256 keyed with the server key, and which key.
        let parts: Vec<&str> = hash.split('$').collect();
        assert_eq!(parts.len(), 3, "{hash}");
        assert_eq!(parts[0], "hmac-sha256");
        assert_eq!(parts[1].len(), 16, "the key id: {hash}");
        assert_eq!(parts[2].len(), 64, "{hash}");
    }
}

#[tokio::test]
async fn an_administrator_turns_off_a_users_two_factor_and_ends_their_sessions() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Lost Phone")).await;
    let user = app.user_in(&holder, &account, "phoneless", "DEFAULT").await;
    enrol(&user).await;
    assert_eq!(
        holder
            .call("get_user", &[("login", "phoneless")])
            .await
            .unwrap()["totp_enabled"],
        true
    );
    holder
        .call("turn_off_user_two_factor", &[("login", "phoneless")])
        .await
        .unwrap();
    assert_eq!(user.me().await, Value::Null, "their sessions end");
    assert_eq!(
        holder
            .call("get_user", &[("login", "phoneless")])
            .await
            .unwrap()["totp_enabled"],
        false
    );
    let again = app.browser();
    let location = again
        .call_for_location(
            "login",
            &[
                ("account_id", &format!("{account}/phoneless")),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap();
    assert_eq!(location, "/", "the password alone logs in again");
    assert!(
        holder
            .call("turn_off_user_two_factor", &[("login", "phoneless")])
            .await
            .is_ok(),
        "idempotent"
    );
    // Not on oneself: that takes the password and a code on the Security page.
    let deputy = app.user_in(&holder, &account, "deputy", "ADMIN").await;
    let err = deputy
        .call("turn_off_user_two_factor", &[("login", "deputy")])
        .await
        .unwrap_err();
    assert!(
        err.for_field("form", Lang::En)
            .unwrap()
            .contains("Security page")
    );
}

#[tokio::test]
async fn the_policy_takes_users_without_two_factor_to_enrolment_and_nothing_else_opens() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Policy")).await;
    let regular = app.user_in(&holder, &account, "regular", "DEFAULT").await;
    let deputy = app.user_in(&holder, &account, "deputy", "ADMIN").await;

    assert_eq!(
        regular
            .call("set_two_factor_policy", &[("administrators", "on")])
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    holder
        .call("set_two_factor_policy", &[("administrators", "on")])
        .await
        .unwrap();
    let status = holder.call("two_factor_status", &[]).await.unwrap();
    assert_eq!(status["policy"]["administrators"], true);
    assert_eq!(status["policy"]["everyone"], false);

    // Administrators without 2FA (the holder included) must enrol first; others carry on.
    assert_eq!(deputy.me().await["must_enrol_two_factor"], true);
    assert_eq!(
        deputy.call("list_users", &[]).await.unwrap_err(),
        AppError::TwoFactorRequired
    );
    assert_eq!(regular.me().await["must_enrol_two_factor"], false);
    assert!(regular.call("list_users", &[]).await.is_ok());

    enrol(&deputy).await;
    assert_eq!(deputy.me().await["must_enrol_two_factor"], false);
    assert!(deputy.call("list_users", &[]).await.is_ok());

    // For everyone: now the regular user too.
    enrol(&holder).await;
    holder
        .call(
            "set_two_factor_policy",
            &[("administrators", "on"), ("everyone", "on")],
        )
        .await
        .unwrap();
    assert_eq!(
        regular.call("list_users", &[]).await.unwrap_err(),
        AppError::TwoFactorRequired
    );
    assert!(
        regular.call("two_factor_status", &[]).await.is_ok(),
        "enrolment itself stays open"
    );
}

#[tokio::test]
async fn a_recovery_code_stored_as_a_bare_sha256_before_the_upgrade_still_works_once() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Legacy Codes")).await;
    enrol(&holder).await;
    let legacy = hex::encode(Sha256::digest(b"legacycode0001"));
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash)
             SELECT id, $1 FROM users WHERE totp_enabled",
        )
        .bind(&legacy)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .unwrap();
    let browser = password_step(&app, &account).await;
    browser
        .call("login_code", &[("code", "LEGACY-CODE-0001")])
        .await
        .unwrap();
    assert_eq!(browser.me().await["account_id"], account);
    let again = password_step(&app, &account).await;
    assert_eq!(
        again
            .call("login_code", &[("code", "legacy-code-0001")])
            .await
            .unwrap_err(),
        AppError::LoginFailed
    );
}

/// Several named authenticator apps, as OVHcloud's manager offers: each one's codes log in, the
/// list says when each was added and last used, one is removed with the password and a code,
/// and the last one is not (turning two-factor authentication off is its own action).
#[tokio::test]
async fn a_user_keeps_several_named_authenticator_apps() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Several Apps")).await;
    let (phone, codes) = enrol(&holder).await;
    assert_eq!(codes.len(), 10);

    holder.call("begin_two_factor", &[]).await.unwrap();
    let status = holder.call("two_factor_status", &[]).await.unwrap();
    assert_eq!(
        status["enabled"], true,
        "still on while another app is added"
    );
    let tablet = status["pending"]["key"].as_str().unwrap().to_owned();
    assert_ne!(tablet, phone);
    let long_name = "x".repeat(65);
    let refused = holder
        .call(
            "confirm_two_factor",
            &[
                ("password", PASSWORD),
                ("code", &app_code(&tablet)),
                ("name", &long_name),
            ],
        )
        .await
        .unwrap_err();
    assert!(refused.for_field("name", Lang::En).is_some(), "{refused:?}");
    let wrong_app = holder
        .call(
            "confirm_two_factor",
            &[
                ("password", PASSWORD),
                ("code", &app_code(&phone)),
                ("name", "Tablet"),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        wrong_app.for_field("code", Lang::En).is_some(),
        "the new app's code, not the old one's"
    );
    let location = holder
        .call_for_location(
            "confirm_two_factor",
            &[
                ("password", PASSWORD),
                ("code", &app_code(&tablet)),
                ("name", "  Tablet  "),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        location, "/security?authenticator=added",
        "no new recovery codes"
    );
    let status = holder.call("two_factor_status", &[]).await.unwrap();
    let apps = status["authenticators"].as_array().unwrap().clone();
    assert_eq!(apps.len(), 2);
    assert_eq!(apps[0]["name"], "", "the first app keeps the default name");
    assert_eq!(apps[1]["name"], "Tablet");
    assert_eq!(status["recovery_codes_left"], 10);
    assert_eq!(status["pending"], Value::Null);

    // Either app's code completes a login.
    for key in [&phone, &tablet] {
        forget_last_step(&app).await;
        let browser = password_step(&app, &account).await;
        browser
            .call("login_code", &[("code", &app_code(key))])
            .await
            .expect("logged in");
    }

    // Removing the phone's app needs the password and a code; then its codes stop working.
    let phone_id = apps[0]["id"].as_i64().unwrap().to_string();
    forget_last_step(&app).await;
    let refused = holder
        .call(
            "remove_authenticator",
            &[
                ("id", &phone_id),
                ("password", "wrong"),
                ("code", &app_code(&tablet)),
            ],
        )
        .await
        .unwrap_err();
    assert!(refused.for_field("password", Lang::En).is_some());
    forget_last_step(&app).await;
    holder
        .call_for_location(
            "remove_authenticator",
            &[
                ("id", &phone_id),
                ("password", PASSWORD),
                ("code", &app_code(&tablet)),
            ],
        )
        .await
        .expect("removed");
    forget_last_step(&app).await;
    let browser = password_step(&app, &account).await;
    assert!(
        browser
            .call("login_code", &[("code", &app_code(&phone))])
            .await
            .is_err()
    );
    forget_last_step(&app).await;
    let tablet_id = holder.call("two_factor_status", &[]).await.unwrap()["authenticators"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let last = holder
        .call(
            "remove_authenticator",
            &[
                ("id", &tablet_id),
                ("password", PASSWORD),
                ("code", &app_code(&tablet)),
            ],
        )
        .await
        .unwrap_err();
    // Said above the form, since it is about no one field.
    assert_eq!(
        last.for_form(Lang::En),
        last.for_field("form", Lang::En),
        "{last:?}"
    );
    assert!(last.for_form(Lang::En).is_some(), "{last:?}");
    assert!(matches!(last, AppError::Invalid(_)), "{last:?}");
    // Another user's app is not found.
    let (stranger, _) = app.signed_up(&unique("Stranger Apps")).await;
    enrol(&stranger).await;
    assert!(matches!(
        stranger
            .call(
                "remove_authenticator",
                &[
                    ("id", &tablet_id),
                    ("password", PASSWORD),
                    ("code", "000000")
                ],
            )
            .await,
        Err(AppError::NotFound)
    ));
    let events: Vec<String> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar(
            "SELECT action FROM activity WHERE action LIKE 'two_factor.%_authenticator'
               AND result = 'success' ORDER BY id",
        )
        .fetch_all(pool)
        .await
    })
    .unwrap();
    assert_eq!(
        events,
        [
            "two_factor.add_authenticator",
            "two_factor.remove_authenticator"
        ]
    );
}
