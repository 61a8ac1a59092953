//! OVHcloud consumer keys across accounts: the redirection an application asks for must be
//! an absolute http(s) address.

use serde_json::{Value, json};

use crate::helpers::{Browser, TestApp, spawn_app, unique};
use crate::ovh::App;

async fn application_named(browser: &Browser, name: &str, description: &str) -> App {
    let location = browser
        .call_for_location(
            "create_ovh_application",
            &[("name", name), ("description", description)],
        )
        .await
        .expect("create_ovh_application");
    let revealed = browser.take_reveal(&location).await;
    let app = &revealed["OvhApplication"];
    App {
        key: app["application_key"].as_str().expect("key").to_owned(),
        secret: app["application_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
    }
}

/// `POST /1.0/auth/credential` with one rule and `redirection` as sent.
async fn request_with_redirection(
    app: &TestApp,
    application: &App,
    redirection: Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/1.0/auth/credential", app.base))
        .header("X-Ovh-Application", &application.key)
        .json(&json!({
            "accessRules": [{"method": "GET", "path": "/*"}],
            "redirection": redirection,
            "allowedIPs": null,
        }))
        .send()
        .await
        .expect("request")
}

async fn consumer_key_rows(app: &TestApp) -> i64 {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM ovh_consumer_keys")
            .fetch_one(pool)
            .await
    })
    .expect("count")
}

#[tokio::test]
async fn a_redirection_that_is_not_an_absolute_http_address_is_refused_when_requested() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Redirects")).await;
    let application = application_named(&holder, "Redirecting", "").await;
    for bad in [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative/path",
        "//evil.example/",
        "evil.example",
        "ftp://files.example/",
        "https://",
        "https:///path",
        "http:evil.example",
        "https:/evil.example",
        "https:\\\\evil.example",
        "https://evil.example\\@good.example/",
        "https://good.example@evil.example/",
        "https://exa mple.com/",
        "https://example.com/\u{0}",
        "https://example.com:99999/",
    ] {
        let answer = request_with_redirection(&app, &application, json!(bad)).await;
        assert_eq!(answer.status(), 400, "{bad:?}");
        let body: Value = answer.json().await.expect("OVH's error shape");
        assert_eq!(body["errorCode"], "INVALID_PARAMETERS", "{bad:?}: {body}");
        assert_eq!(body["httpCode"], "400 Bad Request");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("redirection")),
            "{body}"
        );
    }
    assert_eq!(
        consumer_key_rows(&app).await,
        0,
        "a refused request left a key"
    );
    for good in [
        json!("https://app.example/done"),
        json!("http://127.0.0.1:8080/callback?state=abc"),
        json!("HTTPS://App.Example/Done"),
        json!("https://[::1]:8443/cb#frag"),
        json!(""),
        Value::Null,
    ] {
        let answer = request_with_redirection(&app, &application, good.clone()).await;
        assert_eq!(answer.status(), 200, "{good}");
    }
}
