use crate::helpers::{PASSWORD, call_with_cookie, spawn_app, unique};
use steward::error::AppError;
use steward::i18n::Lang;

#[tokio::test]
async fn the_holder_logs_in_with_the_account_id() {
    let app = spawn_app().await;
    let (_, account_id) = app.signed_up(&unique("Initech")).await;

    let browser = app.browser();
    assert_eq!(browser.me().await, serde_json::Value::Null);
    browser
        .call(
            "login",
            &[("account_id", &account_id), ("password", PASSWORD)],
        )
        .await
        .expect("login");
    assert_eq!(browser.me().await["account_id"], account_id);
}

#[tokio::test]
async fn the_account_id_may_be_typed_without_dashes() {
    let app = spawn_app().await;
    let (_, account_id) = app.signed_up(&unique("Hooli")).await;
    let browser = app.browser();
    let digits = account_id.replace('-', "");
    browser
        .call("login", &[("account_id", &digits), ("password", PASSWORD)])
        .await
        .expect("login");
}

#[tokio::test]
async fn every_login_failure_gives_the_same_generic_error() {
    let app = spawn_app().await;
    let (_, account_id) = app.signed_up(&unique("Umbrella")).await;
    let browser = app.browser();
    let attempts = [
        (account_id.as_str(), "Velvet-Orbit-Canyon-4"), // the password minus its last character
        (account_id.as_str(), "velvet-orbit-canyon-42"),
        ("9999-999-99", PASSWORD),                   // unknown account
        ("not an id", PASSWORD),                     // malformed
        (&format!("{account_id}/nobody"), PASSWORD), // unknown user
        ("", ""),
    ];
    for (id, password) in attempts {
        let err = browser
            .call("login", &[("account_id", id), ("password", password)])
            .await
            .expect_err("refused");
        assert_eq!(err, AppError::LoginFailed, "{id}");
        assert_eq!(err.message(Lang::En), "Incorrect account ID or password.");
    }
    assert_eq!(browser.me().await, serde_json::Value::Null);
}

#[tokio::test]
async fn logging_out_kills_the_session_on_the_server() {
    let app = spawn_app().await;
    let (browser, account_id) = app.signed_up(&unique("Stark")).await;
    let stolen = browser.cookie_header().expect("session cookie");
    assert_eq!(
        call_with_cookie(&app.base, "whoami", &stolen).await["account_id"],
        account_id
    );

    browser.call("logout", &[]).await.expect("logout");
    assert_eq!(browser.me().await, serde_json::Value::Null);
    // The old cookie, replayed, opens nothing: the session is gone from the store.
    assert_eq!(
        call_with_cookie(&app.base, "whoami", &stolen).await,
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn logging_in_issues_a_new_session_id_and_the_old_one_dies() {
    let app = spawn_app().await;
    let (browser, account_id) = app.signed_up(&unique("Wayne")).await;
    let before = browser.cookie_header().expect("cookie");
    browser
        .call(
            "login",
            &[("account_id", &account_id), ("password", PASSWORD)],
        )
        .await
        .expect("login");
    let after = browser.cookie_header().expect("cookie");
    assert_ne!(before, after);
    assert_eq!(
        call_with_cookie(&app.base, "whoami", &before).await,
        serde_json::Value::Null
    );
    assert_eq!(
        call_with_cookie(&app.base, "whoami", &after).await["account_id"],
        account_id
    );
}

#[tokio::test]
async fn without_javascript_a_login_form_redirects_home_or_back_with_the_error() {
    let app = spawn_app().await;
    let (_, account_id) = app.signed_up(&unique("Tyrell")).await;
    let browser = app.browser();

    let wrong = browser
        .post_form(
            "login",
            "/login",
            &[("account_id", &account_id), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong.status(), 302);
    let location = wrong.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("/login") && location.contains("__err="),
        "{location}"
    );
    // The login page rendered at that address shows the generic error.
    let path = location.trim_start_matches(&app.base);
    let page = browser.get(path).await.text().await.unwrap();
    assert!(
        page.contains("Incorrect account ID or password."),
        "error not rendered"
    );

    let right = browser
        .post_form(
            "login",
            "/login",
            &[("account_id", &account_id), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status(), 302);
    assert_eq!(right.headers()["location"], "/");
    let home = browser.get("/").await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains(&account_id));
}

#[tokio::test]
async fn pages_behind_login_send_anonymous_visitors_to_the_login_page() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/users",
        "/sub-accounts",
        "/security",
        "/api-keys",
        "/activity",
    ] {
        let response = app.browser().get(path).await;
        assert_eq!(response.status(), 302, "{path}");
        let expected = if path == "/" {
            "/login".to_owned()
        } else {
            format!("/login?next={path}")
        };
        assert_eq!(response.headers()["location"], expected.as_str(), "{path}");
    }
    assert_eq!(app.browser().get("/login").await.status(), 200);
}

#[tokio::test]
async fn login_returns_to_the_page_that_asked_for_it_and_only_on_this_site() {
    let app = spawn_app().await;
    let (_, account) = app.signed_up(&unique("Return")).await;
    let visitor = app.browser();
    let response = visitor.get("/sub-accounts?q=blue").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"],
        "/login?next=/sub-accounts%3Fq%3Dblue"
    );
    let location = visitor
        .call_for_location(
            "login",
            &[
                ("account_id", &account),
                ("password", PASSWORD),
                ("next", "/sub-accounts?q=blue"),
            ],
        )
        .await
        .expect("logged in");
    assert_eq!(location, "/sub-accounts?q=blue");
    for foreign in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let location = app
            .browser()
            .call_for_location(
                "login",
                &[
                    ("account_id", &account),
                    ("password", PASSWORD),
                    ("next", foreign),
                ],
            )
            .await
            .expect("logged in");
        assert_eq!(location, "/", "{foreign}");
    }
}
