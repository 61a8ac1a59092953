//! Invitations instead of passwords: a user added (one, ten, or through Gcore's `invite_user`)
//! is mailed a link to choose their password; the invitation is pending until then, can be
//! sent again (the old link stops working) or withdrawn, and expires. "Send sign-in details"
//! mails a login ID and a link, never the password, to a typed address.

use serde_json::{Value, json};
use std::time::Duration;

use crate::compat::{account_with_credentials, token_of};
use crate::helpers::mail_server::{MailServer, mail_to, reset_link};
use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with, unique};
use steward::error::AppError;

const CHOSEN: &str = "Harbor-Quill-Meadow-77";

/// The password links mailed to `to` so far, as tokens, oldest first (by the server's order).
fn links_to(smtp: &MailServer, to: &str) -> Vec<(String, Value)> {
    smtp.messages()
        .into_iter()
        .filter(|m| {
            m["to"]
                .as_array()
                .is_some_and(|t| t.iter().any(|r| r == to))
        })
        .filter_map(|m| {
            let link = m["text"].as_str().and_then(reset_link)?;
            Some((link.rsplit_once("/login/reset/").unwrap().1.to_owned(), m))
        })
        .collect()
}

async fn nth_link_to(smtp: &MailServer, to: &str, n: usize) -> (String, Value) {
    for _ in 0..100 {
        let links = links_to(smtp, to);
        if links.len() >= n {
            return links[n - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no link {n} to {to}: {:#?}", smtp.messages());
}

async fn invite(holder: &Browser, login: &str) -> Result<String, AppError> {
    holder
        .call_for_location(
            "create_user",
            &[
                ("login", login),
                ("email", &format!("{login}@example.com")),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", ""),
                ("invite", "on"),
            ],
        )
        .await
}

async fn choose(app: &TestApp, token: &str) -> Result<Value, AppError> {
    app.browser()
        .call(
            "complete_password_reset",
            &[
                ("token", token),
                ("new_password", CHOSEN),
                ("confirm_password", CHOSEN),
            ],
        )
        .await
}

async fn row(holder: &Browser, login: &str) -> Option<Value> {
    let page = holder.call("list_users", &[]).await.unwrap();
    page["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == login)
        .cloned()
}

async fn logs_in(app: &TestApp, login_id: &str, password: &str) -> bool {
    app.browser()
        .call("login", &[("account_id", login_id), ("password", password)])
        .await
        .is_ok()
}

#[tokio::test]
async fn an_invited_user_chooses_their_password_with_the_link_and_nothing_is_revealed() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Inviting")).await;
    let location = invite(&holder, "nina").await.expect("invited");
    assert_eq!(location, "/users?invited=nina", "no password to reveal");
    let listed = row(&holder, "nina").await.unwrap();
    assert_eq!(listed["invited"], true);
    assert_eq!(listed["invitation_expired"], false);
    assert_eq!(listed["status"], "OK");

    let (token, mail) = nth_link_to(&smtp, "nina@example.com", 1).await;
    let login_id = format!("{account}/nina");
    assert!(mail["subject"].as_str().unwrap().contains("invited"));
    assert!(mail["text"].as_str().unwrap().contains(&login_id));
    assert!(mail["text"].as_str().unwrap().contains("7 days"));
    // Only the invitation: no separate verification link, the invitation verifies.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!smtp.messages().iter().any(|m| {
        m["to"][0] == "nina@example.com"
            && m["text"].as_str().unwrap_or("").contains("/verify-email/")
    }));
    let link = app
        .browser()
        .call("password_reset_link", &[("token", &token)])
        .await
        .unwrap();
    assert_eq!(link, json!({"invitation": true, "login_id": login_id}));
    assert!(!logs_in(&app, &login_id, PASSWORD).await);

    choose(&app, &token).await.expect("chosen");
    assert!(logs_in(&app, &login_id, CHOSEN).await);
    let listed = row(&holder, "nina").await.unwrap();
    assert_eq!(listed["invited"], false);
    assert_eq!(
        listed["email_verified"], true,
        "the invitation's mailbox answered"
    );
    assert!(choose(&app, &token).await.is_err(), "the link works once");
}

#[tokio::test]
async fn an_invitation_is_sent_again_withdrawn_and_expires() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Pending")).await;
    invite(&holder, "omar").await.unwrap();
    let (first, _) = nth_link_to(&smtp, "omar@example.com", 1).await;
    holder
        .call("resend_invitation", &[("login", "omar")])
        .await
        .expect("resent");
    let (second, _) = nth_link_to(&smtp, "omar@example.com", 2).await;
    assert_ne!(first, second);
    assert!(choose(&app, &first).await.is_err(), "the old link stopped");

    // Expired: the list says so; a resend gives a working link again.
    steward::execute!(&app.state.db, "UPDATE password_resets SET expires_at = 1").unwrap();
    assert_eq!(
        row(&holder, "omar").await.unwrap()["invitation_expired"],
        true
    );
    assert!(choose(&app, &second).await.is_err());
    holder
        .call("resend_invitation", &[("login", "omar")])
        .await
        .unwrap();
    let (third, _) = nth_link_to(&smtp, "omar@example.com", 3).await;
    assert_eq!(
        row(&holder, "omar").await.unwrap()["invitation_expired"],
        false
    );

    // Withdrawn: the user is gone, and so is the link.
    holder
        .call("revoke_invitation", &[("login", "omar")])
        .await
        .expect("withdrawn");
    assert!(row(&holder, "omar").await.is_none());
    assert!(choose(&app, &third).await.is_err());

    // A user who has a password has no invitation to send or withdraw.
    app.user_in(&holder, &account, "pia", "DEFAULT").await;
    for endpoint in ["resend_invitation", "revoke_invitation"] {
        assert!(matches!(
            holder.call(endpoint, &[("login", "pia")]).await,
            Err(AppError::Invalid(_))
        ));
    }
    assert!(row(&holder, "pia").await.is_some());
    // Another account's Administrator finds nothing.
    invite(&holder, "quinn").await.unwrap();
    let (stranger, _) = app.signed_up(&unique("Stranger")).await;
    assert!(matches!(
        stranger
            .call("revoke_invitation", &[("login", "quinn")])
            .await,
        Err(AppError::NotFound)
    ));
    assert!(row(&holder, "quinn").await.is_some());
}

#[tokio::test]
async fn ten_users_are_invited_at_once_and_without_mail_an_invitation_is_refused() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, _) = app.signed_up(&unique("Bulk Invite")).await;
    let mut form: Vec<(String, String)> = Vec::new();
    for i in 0..10 {
        form.push((format!("rows[{i}][login]"), format!("bulk{i}")));
        form.push((format!("rows[{i}][email]"), format!("bulk{i}@example.com")));
        form.push((format!("rows[{i}][group]"), "DEFAULT".to_owned()));
        form.push((format!("rows[{i}][description]"), String::new()));
    }
    form.push(("invite".to_owned(), "on".to_owned()));
    let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let location = holder
        .call_for_location("create_users", &borrowed)
        .await
        .unwrap();
    let revealed = holder.take_reveal(&location).await;
    let created = revealed["NewUsers"]["created"].as_array().unwrap();
    assert_eq!(created.len(), 10);
    assert!(created.iter().all(|c| c["password"] == ""), "{revealed}");
    for i in 0..10 {
        nth_link_to(&smtp, &format!("bulk{i}@example.com"), 1).await;
    }

    let plain = spawn_app().await;
    let (holder, _) = plain.signed_up(&unique("No Mail Invite")).await;
    let refused = invite(&holder, "rui").await.unwrap_err();
    match refused {
        AppError::Invalid(fields) => assert_eq!(fields[0].field, "invite"),
        other => panic!("{other:?}"),
    }
    assert!(row(&holder, "rui").await.is_none(), "nothing was created");
}

#[tokio::test]
async fn sign_in_details_go_to_a_typed_address_with_a_link_and_never_the_password() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Details")).await;
    let location = holder
        .call_for_location(
            "create_user",
            &[
                ("login", "sam"),
                ("email", "sam@example.com"),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", ""),
            ],
        )
        .await
        .unwrap();
    let revealed = holder.take_reveal(&location).await;
    let generated = revealed["NewUsers"]["created"][0]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    let login_id = format!("{account}/sam");
    let bad = holder
        .call(
            "send_sign_in_details",
            &[("login", &login_id), ("email", "not an address")],
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, AppError::Invalid(_)));
    holder
        .call(
            "send_sign_in_details",
            &[("login", &login_id), ("email", "sam.private@example.net")],
        )
        .await
        .expect("sent");
    let (token, mail) = nth_link_to(&smtp, "sam.private@example.net", 1).await;
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains(&login_id), "{text}");
    assert!(
        text.contains(&app.base) || text.contains("http://"),
        "{text}"
    );
    assert!(!mail["raw"].as_str().unwrap().contains(&generated));
    choose(&app, &token).await.expect("chosen");
    assert!(logs_in(&app, &login_id, CHOSEN).await);
    let listed = row(&holder, "sam").await.unwrap();
    assert_eq!(
        listed["email_verified"], false,
        "a typed address is not the user's own"
    );
    // A user of another account is not found.
    let (stranger, _) = app.signed_up(&unique("Elsewhere")).await;
    assert!(matches!(
        stranger
            .call(
                "send_sign_in_details",
                &[("login", &login_id), ("email", "x@example.com")]
            )
            .await,
        Err(AppError::NotFound)
    ));
}

/// An Administrator cannot flood a mailbox: five invitations or sign-in details an hour reach
/// one address (a new user's invitation counts, and is always sent), even sent all at once; past them the form says to wait and nothing is sent.
#[tokio::test]
async fn one_address_gets_five_invitations_or_sign_in_details_an_hour() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Flood")).await;
    invite(&holder, "uma").await.unwrap();
    holder
        .call("resend_invitation", &[("login", "uma")])
        .await
        .expect("resent");
    let login_id = format!("{account}/uma");
    let form = [("login", login_id.as_str()), ("email", "uma@example.com")];
    let answers =
        futures::future::join_all((0..6).map(|_| holder.call("send_sign_in_details", &form))).await;
    let refused: Vec<&AppError> = answers.iter().filter_map(|a| a.as_ref().err()).collect();
    // The invitation and its resend count: three more go.
    assert_eq!(refused.len(), 3, "{answers:?}");
    for error in refused {
        let AppError::Invalid(fields) = error else {
            panic!("{error:?}")
        };
        assert_eq!(fields[0].field, "email");
    }
    let refused = holder
        .call("resend_invitation", &[("login", "uma")])
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Invalid(_)), "{refused:?}");
    let queued = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'uma@example.com'",
        )
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(queued, 5);
    // Another address is not held back.
    holder
        .call(
            "send_sign_in_details",
            &[("login", &login_id), ("email", "uma.home@example.net")],
        )
        .await
        .expect("another address");
}

#[tokio::test]
async fn gcore_invite_user_sends_a_real_invitation() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, _, _) = account_with_credentials(&app).await;
    let api_token = token_of(&holder, "admin").await;
    let users: Value = reqwest::Client::new()
        .get(format!("{}/iam/users", app.base))
        .header("authorization", format!("APIKey {api_token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client = users["results"][0]["client"].as_i64().unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/iam/clients/invite_user", app.base))
        .header("authorization", format!("APIKey {api_token}"))
        .json(&json!({
            "client_id": client,
            "email": "tara@example.com",
            "name": "Tara",
            "user_role": {"id": 2, "name": "Users"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let (token, _) = nth_link_to(&smtp, "tara@example.com", 1).await;
    let link = app
        .browser()
        .call("password_reset_link", &[("token", &token)])
        .await
        .unwrap();
    assert_eq!(link["invitation"], true);
    assert_eq!(row(&holder, "tara").await.unwrap()["invited"], true);
}
