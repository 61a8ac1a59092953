//! Security notices: the user hears by mail of a sign-in from a new browser, a password changed,
//! two-factor authentication turned off, a new API credential and a lock, once each, from the
//! transaction of the change; a change that fails sends nothing; without mail nothing is queued.

use crate::api_keys::create_token;
use crate::helpers::mail_server::{MailServer, mail_to};
use crate::helpers::{
    Browser, PASSWORD, TestApp, lock_after_three_failures, spawn_app, spawn_app_with, unique,
};
use crate::two_factor::enrol;

const NEW_PASSWORD: &str = "Harbor-Quill-Meadow-77";

/// The outbox's notices, as `(kind, recipient)`, sorted.
async fn notices(app: &TestApp) -> Vec<(String, String)> {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT kind, recipient FROM mail_outbox WHERE kind LIKE 'notice_%'
             ORDER BY kind, recipient",
        )
        .fetch_all(pool)
        .await
    })
    .unwrap()
}

/// Not the verification link a new user is also sent.
fn is_notice(message: &serde_json::Value) -> bool {
    message["text"]
        .as_str()
        .is_some_and(|t| !t.contains("/verify-email/"))
}

fn kinds_to(list: &[(String, String)], to: &str) -> Vec<String> {
    list.iter()
        .filter(|(_, r)| r == to)
        .map(|(k, _)| k.clone())
        .collect()
}

async fn log_in(browser: &Browser, login_id: &str, password: &str) -> bool {
    browser
        .call("login", &[("account_id", login_id), ("password", password)])
        .await
        .is_ok()
}

#[tokio::test]
async fn a_sign_in_from_a_browser_never_seen_is_told_by_mail_but_not_the_first_or_a_known_one() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Watchful")).await;
    holder
        .call(
            "create_user",
            &[
                ("login", "ines"),
                ("email", "ines@example.com"),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap();
    let login_id = format!("{account}/ines");
    let first = app.browser();
    assert!(log_in(&first, &login_id, PASSWORD).await);
    assert!(
        log_in(&first, &login_id, PASSWORD).await,
        "the same browser again"
    );
    assert_eq!(
        kinds_to(&notices(&app).await, "ines@example.com"),
        Vec::<String>::new()
    );

    let stranger = app.browser();
    assert!(log_in(&stranger, &login_id, PASSWORD).await);
    assert_eq!(
        kinds_to(&notices(&app).await, "ines@example.com"),
        ["notice_new_browser"]
    );
    // The real mail: what, which login, from where; no password.
    let message = smtp
        .wait_for(|m| {
            m["to"]
                .as_array()
                .is_some_and(|t| t.iter().any(|r| r == "ines@example.com"))
                && is_notice(m)
        })
        .await;
    let text = message["text"].as_str().unwrap();
    assert_eq!(message["subject"], "New sign-in to Steward");
    assert!(text.contains(&login_id), "{text}");
    assert!(text.contains("127.0.0.1"), "{text}");
    assert!(text.contains("/security"), "{text}");
    assert!(!message["raw"].as_str().unwrap().contains(PASSWORD));
    // That browser is known from now on.
    assert!(log_in(&stranger, &login_id, PASSWORD).await);
    assert_eq!(kinds_to(&notices(&app).await, "ines@example.com").len(), 1);
}

#[tokio::test]
async fn a_changed_password_turned_off_two_factor_and_a_new_token_are_told_to_the_user() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Noticed")).await;
    let jo = app.user_in(&holder, &account, "jo", "DEFAULT").await;
    enrol(&jo).await;

    // A change that fails sends nothing.
    let wrong = jo
        .call(
            "change_password",
            &[
                ("current_password", "not-the-password"),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert!(wrong.is_err());
    assert_eq!(
        kinds_to(&notices(&app).await, "jo@example.com"),
        Vec::<String>::new()
    );

    jo.call(
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("confirm_password", NEW_PASSWORD),
        ],
    )
    .await
    .unwrap();
    holder
        .call("turn_off_user_two_factor", &[("login", "jo")])
        .await
        .unwrap();
    holder
        .call("reset_user_password", &[("login", "jo")])
        .await
        .unwrap();
    create_token(&holder, "Nightly export", "none", "")
        .await
        .unwrap();

    let all = notices(&app).await;
    assert_eq!(
        kinds_to(&all, "jo@example.com"),
        [
            "notice_password",
            "notice_password",
            "notice_two_factor_off"
        ]
    );
    assert_eq!(kinds_to(&all, "holder@acme.example"), ["notice_credential"]);

    // Done by an Administrator: the notice says who.
    let off = smtp
        .wait_for(|m| m["subject"] == "Two-factor authentication turned off")
        .await;
    assert!(
        off["text"]
            .as_str()
            .unwrap()
            .contains(&format!("By: {account}"))
    );
    let token = smtp
        .wait_for(|m| m["subject"] == "New API credential on Steward")
        .await;
    assert!(token["text"].as_str().unwrap().contains("Nightly export"));
}

#[tokio::test]
async fn a_lock_is_told_once_in_the_users_language() {
    let smtp = MailServer::start();
    let app = spawn_app_with(|config| {
        mail_to(smtp.port)(config);
        lock_after_three_failures(config);
    })
    .await;
    let (holder, account) = app.signed_up(&unique("Guarded")).await;
    let lea = app.user_in(&holder, &account, "lea", "DEFAULT").await;
    drop(lea);
    steward::server::db::language_store::set(&app.state.db, user_id(&app, "lea").await, "fr")
        .await
        .unwrap();
    let login_id = format!("{account}/lea");
    for _ in 0..6 {
        assert!(!log_in(&app.browser(), &login_id, "wrong-password-x").await);
    }
    assert_eq!(
        kinds_to(&notices(&app).await, "lea@example.com"),
        ["notice_locked"]
    );
    let message = smtp
        .wait_for(|m| m["to"][0] == "lea@example.com" && is_notice(m))
        .await;
    assert_eq!(
        message["subject"],
        "Votre identifiant Steward a été verrouillé"
    );
    assert!(message["text"].as_str().unwrap().contains("3 tentatives"));
}

/// Wrong current passwords inside a session lock the login as failed logins do: the session
/// ends, and the user hears of the lock once.
#[tokio::test]
async fn a_lock_from_wrong_current_passwords_in_a_session_is_told_once() {
    let smtp = MailServer::start();
    let app = spawn_app_with(|config| {
        mail_to(smtp.port)(config);
        lock_after_three_failures(config);
    })
    .await;
    let (holder, account) = app.signed_up(&unique("Guessed")).await;
    let mia = app.user_in(&holder, &account, "mia", "DEFAULT").await;
    for _ in 0..5 {
        let refused = mia
            .call(
                "change_password",
                &[
                    ("current_password", "wrong-password-x"),
                    ("new_password", NEW_PASSWORD),
                    ("confirm_password", NEW_PASSWORD),
                ],
            )
            .await;
        assert!(refused.is_err());
    }
    assert_eq!(
        kinds_to(&notices(&app).await, "mia@example.com"),
        ["notice_locked"]
    );
    let message = smtp
        .wait_for(|m| m["to"][0] == "mia@example.com" && is_notice(m))
        .await;
    assert_eq!(message["subject"], "Your Steward login was locked");
    assert!(
        mia.call("list_sessions", &[]).await.is_err(),
        "the session ended"
    );
}

async fn user_id(app: &TestApp, login: &str) -> i64 {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(login)
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

#[tokio::test]
async fn without_mail_nothing_is_queued() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Mailless")).await;
    let kim = app.user_in(&holder, &account, "kim", "DEFAULT").await;
    kim.call(
        "change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("confirm_password", NEW_PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert!(log_in(&app.browser(), &format!("{account}/kim"), NEW_PASSWORD).await);
    assert_eq!(notices(&app).await, Vec::new());
}
