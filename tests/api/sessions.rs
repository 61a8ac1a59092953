//! The list of sessions (SECURITY.md rule 16): each login is listed with its browser and
//! address, the current one marked, and each can be ended on its own.

use serde_json::Value;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, unique};
use steward::error::AppError;

async fn log_in_with_agent(app: &TestApp, account: &str, user_agent: &str) -> Browser {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap();
    let browser = Browser {
        client,
        jar,
        base: app.base.clone(),
    };
    browser
        .call("login", &[("account_id", account), ("password", PASSWORD)])
        .await
        .unwrap();
    browser
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36";

#[tokio::test]
async fn each_login_is_listed_with_its_browser_and_address_and_this_one_is_marked() {
    let app = spawn_app().await;
    let (_, account) = app.signed_up(&unique("Listed")).await;
    let firefox = log_in_with_agent(&app, &account, FIREFOX).await;
    let _chrome = log_in_with_agent(&app, &account, CHROME).await;
    let list = firefox.call("list_sessions", &[]).await.unwrap();
    let sessions = list.as_array().unwrap();
    assert_eq!(sessions.len(), 3, "sign-up, Firefox and Chrome");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["browser"], "Firefox on Linux");
    assert!(sessions.iter().any(|s| s["browser"] == "Chrome on Windows"));
    assert!(sessions.iter().all(|s| s["ip"] == "127.0.0.1"));
}

#[tokio::test]
async fn ending_a_session_logs_that_browser_out_and_only_that_one() {
    let app = spawn_app().await;
    let (first, account) = app.signed_up(&unique("Ender")).await;
    let second = log_in_with_agent(&app, &account, CHROME).await;
    let list = first.call("list_sessions", &[]).await.unwrap();
    let other = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    first.call("end_session", &[("id", &other)]).await.unwrap();
    assert_eq!(
        second.me().await,
        Value::Null,
        "the ended session is logged out"
    );
    assert_eq!(
        first.me().await["account_id"],
        account,
        "this one continues"
    );
    assert_eq!(
        first
            .call("end_session", &[("id", &other)])
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

#[tokio::test]
async fn end_all_other_sessions_keeps_only_this_one() {
    let app = spawn_app().await;
    let (first, account) = app.signed_up(&unique("Others")).await;
    let second = log_in_with_agent(&app, &account, CHROME).await;
    let third = log_in_with_agent(&app, &account, FIREFOX).await;
    third.call("end_other_sessions", &[]).await.unwrap();
    assert_eq!(first.me().await, Value::Null);
    assert_eq!(second.me().await, Value::Null);
    assert_eq!(third.me().await["account_id"], account);
    assert_eq!(
        third
            .call("list_sessions", &[])
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn nobody_ends_or_sees_another_users_sessions() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Private")).await;
    let user = app.user_in(&holder, &account, "someone", "ADMIN").await;
    let holder_sessions = holder.call("list_sessions", &[]).await.unwrap();
    let holder_session = holder_sessions[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        user.call("end_session", &[("id", &holder_session)])
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(holder.me().await["account_id"], account);
    let theirs = user.call("list_sessions", &[]).await.unwrap();
    assert!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != holder_session.as_str())
    );
}

#[tokio::test]
async fn sessions_ended_by_a_password_change_leave_the_list() {
    let app = spawn_app().await;
    let (first, account) = app.signed_up(&unique("Changed")).await;
    let _second = log_in_with_agent(&app, &account, CHROME).await;
    first
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Amber-Kettle-Glacier-63"),
                ("confirm_password", "Amber-Kettle-Glacier-63"),
            ],
        )
        .await
        .unwrap();
    let list = first.call("list_sessions", &[]).await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["current"], true);
}

/// The session id a browser's cookie carries.
fn session_cookie(browser: &Browser) -> String {
    let header = browser.cookie_header().expect("a cookie");
    header
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|c| c.strip_prefix("steward="))
        .expect("the session cookie")
        .to_owned()
}

#[tokio::test]
async fn the_database_keeps_only_a_hash_of_each_session_cookie() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Hashed")).await;
    let user = app.user_in(&holder, &account, "watched", "DEFAULT").await;
    let cookies = [session_cookie(&holder), session_cookie(&user)];
    assert_ne!(cookies[0], cookies[1]);
    for (place, contents) in app.database_contents().await {
        for cookie in &cookies {
            assert!(
                !contents.contains(cookie.as_str()),
                "a session cookie in {place}"
            );
        }
    }

    // Sessions work as before: they open the panel, end from another user, and log out.
    assert_eq!(holder.me().await["account_id"], account);
    assert_eq!(user.me().await["login_id"], format!("{account}/watched"));
    holder
        .call("end_user_sessions", &[("login", "watched")])
        .await
        .unwrap();
    assert_eq!(user.me().await, Value::Null);
    let again = log_in_with_agent(&app, &format!("{account}/watched"), FIREFOX).await;
    assert_eq!(again.me().await["login_id"], format!("{account}/watched"));
    again.call("end_other_sessions", &[]).await.unwrap();
    assert_eq!(again.me().await["login_id"], format!("{account}/watched"));
    holder.call("logout", &[]).await.unwrap();
    assert_eq!(holder.me().await, Value::Null);
    // A logged-out cookie sent again opens nothing.
    let stale = reqwest::header::HeaderValue::from_str(&format!("steward={}", cookies[0])).unwrap();
    assert_eq!(
        crate::helpers::call_with_cookie(&app.base, "whoami", &stale).await,
        Value::Null
    );
}
