//! E-mail verification: a link mailed when an address is given (sign-up, a new user, a new
//! sub-account) or changed, and on request; following it verifies the address it was sent to,
//! once, and only while that is still the user's address; the users list, the Gcore and Vobiz
//! views tell the truth.

use serde_json::{Value, json};
use std::time::Duration;

use crate::compat::{account_with_credentials, token_of};
use crate::helpers::mail_server::{MailServer, link_to};
use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with, unique};
use steward::error::AppError;
use steward::server::infra::config::Config;
use steward::server::infra::public_url::PublicUrl;

const PUBLIC: &str = "https://panel.example.com";

fn mail_to(port: u16) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        crate::helpers::mail_server::mail_to(port)(config);
        config.public_url = Some(PublicUrl::parse(PUBLIC).unwrap());
    }
}

fn verify_link(text: &str) -> Option<String> {
    link_to(text, "/verify-email/")
}

/// The tokens of every verification link mailed to `to` so far.
fn tokens_to(smtp: &MailServer, to: &str) -> Vec<String> {
    smtp.messages()
        .iter()
        .filter(|m| {
            m["to"]
                .as_array()
                .is_some_and(|t| t.iter().any(|r| r == to))
        })
        .filter_map(|m| m["text"].as_str().and_then(verify_link))
        .map(|link| link.rsplit_once("/verify-email/").unwrap().1.to_owned())
        .collect()
}

/// Waits for the `n`th verification link mailed to `to` and returns its token.
async fn nth_token_to(smtp: &MailServer, to: &str, n: usize) -> String {
    for _ in 0..100 {
        let tokens = tokens_to(smtp, to);
        if tokens.len() >= n {
            return tokens[n - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no verification link {n} to {to}: {:#?}", smtp.messages());
}

async fn link_state(app: &TestApp, token: &str) -> Value {
    app.browser()
        .call("email_verification_link", &[("token", token)])
        .await
        .unwrap()
}

async fn verify(app: &TestApp, token: &str) -> Result<Value, AppError> {
    app.browser()
        .call("verify_email", &[("token", token)])
        .await
}

async fn verified(browser: &Browser) -> bool {
    browser.call("email_status", &[]).await.unwrap()["verified"] == Value::Bool(true)
}

async fn listed_verified(holder: &Browser, login: &str) -> bool {
    let page = holder.call("list_users", &[]).await.unwrap();
    let user = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == login)
        .unwrap_or_else(|| panic!("{login} in {page}"));
    user["email_verified"] == Value::Bool(true)
}

#[tokio::test]
async fn signing_up_mails_a_link_that_verifies_the_address_once_and_only_by_its_button() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, _) = app.signed_up(&unique("Verified")).await;
    assert!(!verified(&holder).await);
    let token = nth_token_to(&smtp, "holder@acme.example", 1).await;
    let message = &smtp.messages()[0];
    assert!(
        message["html"]
            .as_str()
            .unwrap()
            .contains(&format!("{PUBLIC}/verify-email/{token}"))
    );
    assert!(!message["raw"].as_str().unwrap().contains(PASSWORD));

    // Opening the page (a mail scanner does) changes nothing.
    assert_eq!(
        link_state(&app, &token).await,
        json!({"Pending": {"email": "holder@acme.example"}})
    );
    assert!(!verified(&holder).await);

    verify(&app, &token).await.expect("verified");
    assert!(verified(&holder).await);
    assert_eq!(link_state(&app, &token).await, json!("Verified"));
    assert!(verify(&app, &token).await.is_err(), "the link works once");
    assert!(verify(&app, "not-a-token").await.is_err());
    assert_eq!(link_state(&app, "not-a-token").await, json!("Expired"));

    // Verified, there is nothing more to send.
    assert!(holder.call("send_email_verification", &[]).await.is_err());
}

#[tokio::test]
async fn a_new_user_is_sent_a_link_and_a_changed_address_must_be_verified_again() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Changing")).await;
    app.user_in(&holder, &account, "vera", "DEFAULT").await;
    assert!(!listed_verified(&holder, "vera").await);
    let first = nth_token_to(&smtp, "vera@example.com", 1).await;
    verify(&app, &first).await.expect("verified");
    assert!(listed_verified(&holder, "vera").await);

    // Saving the same address keeps it verified; a new one is unverified and gets a link.
    let edit = |email: &'static str| {
        let holder = &holder;
        async move {
            holder
                .call(
                    "update_user",
                    &[
                        ("login", "vera"),
                        ("email", email),
                        ("group", "DEFAULT"),
                        ("description", "edited"),
                    ],
                )
                .await
                .unwrap();
        }
    };
    edit("vera@example.com").await;
    assert!(listed_verified(&holder, "vera").await);
    edit("vera@new.example").await;
    assert!(!listed_verified(&holder, "vera").await);
    let second = nth_token_to(&smtp, "vera@new.example", 1).await;

    // A link to an address the user no longer has verifies nothing.
    edit("vera@third.example").await;
    assert_eq!(link_state(&app, &second).await, json!("Expired"));
    assert!(verify(&app, &second).await.is_err());
    assert!(!listed_verified(&holder, "vera").await);
    let third = nth_token_to(&smtp, "vera@third.example", 1).await;
    verify(&app, &third).await.expect("verified");
    assert!(listed_verified(&holder, "vera").await);
}

#[tokio::test]
async fn a_user_asks_for_a_link_again_three_times_an_hour_and_never_without_mail() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, _) = app.signed_up(&unique("Again")).await;
    // Sign-up sent the first; two more, then the allowance is used up.
    for _ in 0..2 {
        holder
            .call_for_location("send_email_verification", &[])
            .await
            .expect("sent");
    }
    let refused = holder
        .call("send_email_verification", &[])
        .await
        .unwrap_err();
    assert!(format!("{refused:?}").contains("verify_email.too_many"));
    let last = nth_token_to(&smtp, "holder@acme.example", 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(tokens_to(&smtp, "holder@acme.example").len(), 3);
    verify(&app, &last).await.expect("any of them verifies");

    let plain = spawn_app().await;
    let (holder, _) = plain.signed_up(&unique("No Mail")).await;
    let status = holder.call("email_status", &[]).await.unwrap();
    assert_eq!(status["by_mail"], false);
    assert!(holder.call("send_email_verification", &[]).await.is_err());
    let queued: i64 = steward::on_db!(&plain.state.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM email_verifications")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(queued, 0);
}

#[tokio::test]
async fn a_password_chosen_with_a_mailed_link_verifies_the_address() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Reset Verifies")).await;
    app.browser()
        .call("request_password_reset", &[("login_id", &account)])
        .await
        .unwrap();
    let message = smtp
        .wait_for(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains("/login/reset/"))
        })
        .await;
    let text = message["text"].as_str().unwrap();
    let link = crate::helpers::mail_server::reset_link(text).unwrap();
    let token = link.rsplit_once("/login/reset/").unwrap().1;
    let new = "Harbor-Quill-Meadow-77";
    app.browser()
        .call(
            "complete_password_reset",
            &[
                ("token", token),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await
        .unwrap();
    drop(holder);
    let browser = app.browser();
    browser
        .call("login", &[("account_id", &account), ("password", new)])
        .await
        .unwrap();
    assert!(verified(&browser).await);
}

#[tokio::test]
async fn the_gcore_and_vobiz_views_say_whether_the_address_is_verified() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, auth_id, token) = account_with_credentials(&app).await;
    let api_token = token_of(&holder, "admin").await;
    let gcore_activated = || async {
        let users: Value = reqwest::Client::new()
            .get(format!("{}/iam/users", app.base))
            .header("authorization", format!("APIKey {api_token}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        users["results"][0]["activated"].clone()
    };
    assert_eq!(gcore_activated().await, json!(false));
    let first = nth_token_to(&smtp, "holder@acme.example", 1).await;
    verify(&app, &first).await.unwrap();
    assert_eq!(gcore_activated().await, json!(true));

    // A Vobiz sub-account: its contact address gets a link too.
    let created = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/accounts/{auth_id}/sub-accounts/",
            app.base
        ))
        .header("x-auth-id", &auth_id)
        .header("x-auth-token", &token)
        .json(&json!({"name": unique("Branch"), "email": "branch@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    let vobiz_verified = || async {
        let list: Value = reqwest::Client::new()
            .get(format!(
                "{}/api/v1/accounts/{auth_id}/sub-accounts/",
                app.base
            ))
            .header("x-auth-id", &auth_id)
            .header("x-auth-token", &token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list["sub_accounts"][0]["email_verified"].clone()
    };
    assert_eq!(vobiz_verified().await, json!(false));
    let branch = nth_token_to(&smtp, "branch@example.com", 1).await;
    verify(&app, &branch).await.unwrap();
    assert_eq!(vobiz_verified().await, json!(true));
}
