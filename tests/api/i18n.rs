use reqwest::header::{ACCEPT_LANGUAGE, LOCATION, SET_COOKIE};

use crate::helpers::{Browser, PASSWORD, spawn_app, unique};
use steward::error::AppError;
use steward::i18n::Lang;

async fn page(browser: &Browser, path: &str, accept_language: Option<&str>) -> String {
    let mut request = browser.client.get(format!("{}{path}", browser.base));
    if let Some(value) = accept_language {
        request = request.header(ACCEPT_LANGUAGE, value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn switch(browser: &Browser, lang: &str, next: &str) -> reqwest::Response {
    browser
        .client
        .post(format!("{}/language", browser.base))
        .form(&[("lang", lang), ("next", next)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_speak_the_browsers_language_and_english_by_default() {
    let app = spawn_app().await;
    let browser = app.browser();

    let english = page(&browser, "/login", None).await;
    assert!(english.contains(r#"<html lang="en""#), "{english}");
    assert!(english.contains("Log in to Steward"));

    let french = page(&browser, "/login", Some("fr-CA,fr;q=0.9,en;q=0.5")).await;
    assert!(french.contains(r#"<html lang="fr""#), "{french}");
    assert!(french.contains("Connexion à Steward"));
    assert!(french.contains("Mot de passe"));

    let other = page(&browser, "/signup", Some("de-DE,de;q=0.9")).await;
    assert!(other.contains("Create a Steward account"));
}

#[tokio::test]
async fn the_switch_sets_the_cookie_and_follows_the_user_to_a_new_browser() {
    let app = spawn_app().await;
    let company = unique("Polyglot");
    let (browser, account_id) = app.signed_up(&company).await;
    assert!(page(&browser, "/", None).await.contains("My account"));

    let switched = switch(&browser, "fr", "/users?q=x").await;
    assert_eq!(switched.status(), 303);
    assert_eq!(switched.headers()[LOCATION], "/users?q=x");
    let cookie = switched.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("steward_lang=fr;"), "{cookie}");
    let users = page(&browser, "/users", None).await;
    assert!(users.contains("Gestion des utilisateurs"), "{users}");
    assert!(users.contains("Mon compte"));

    // A new browser, with no cookie and an English Accept-Language: logging in brings the
    // saved choice back.
    let fresh = app.browser();
    assert!(
        page(&fresh, "/login", Some("en"))
            .await
            .contains("Log in to Steward")
    );
    fresh
        .call(
            "login",
            &[("account_id", &account_id), ("password", PASSWORD)],
        )
        .await
        .unwrap();
    let home = page(&fresh, "/", Some("en")).await;
    assert!(home.contains(r#"<html lang="fr""#), "{home}");
    assert!(home.contains("Mon compte"));

    // Back to English from there: saved too.
    switch(&fresh, "en", "/").await;
    let again = app.browser();
    again
        .call(
            "login",
            &[("account_id", &account_id), ("password", PASSWORD)],
        )
        .await
        .unwrap();
    assert!(page(&again, "/", Some("fr")).await.contains("My account"));
}

#[tokio::test]
async fn the_switch_stays_on_this_site_and_refuses_other_sites() {
    let app = spawn_app().await;
    let browser = app.browser();
    let away = switch(&browser, "fr", "//evil.example/x").await;
    assert_eq!(away.status(), 303);
    assert_eq!(away.headers()[LOCATION], "/");

    let unknown = switch(&browser, "xx", "/login").await;
    assert_eq!(unknown.status(), 303);
    assert!(unknown.headers().get(SET_COOKIE).is_none());

    let forged = browser
        .client
        .post(format!("{}/language", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("lang", "fr"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn validation_errors_come_back_in_the_readers_language() {
    let app = spawn_app().await;

    // With JavaScript: the error carries keys, translated where it is shown.
    let err = app
        .browser()
        .call(
            "signup",
            &[
                ("company", &unique("Lingua")),
                ("email", "not-an-email"),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap_err();
    let AppError::Invalid(_) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        err.for_field("email", Lang::En).as_deref(),
        Some("Enter an e-mail address such as name@example.com.")
    );
    assert_eq!(
        err.for_field("email", Lang::Fr).as_deref(),
        Some("Saisissez une adresse e-mail, par exemple nom@exemple.com.")
    );

    // Without JavaScript: the page the form returns to is rendered in French.
    let browser = app.browser();
    switch(&browser, "fr", "/signup").await;
    let refused = browser
        .post_form(
            "signup",
            "/signup",
            &[
                ("company", &unique("Lingua")),
                ("email", "not-an-email"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status(), 302);
    let location = refused.headers()[LOCATION].to_str().unwrap().to_owned();
    let path = location.trim_start_matches(&app.base).to_owned();
    let html = browser.get(&path).await.text().await.unwrap();
    assert!(
        html.contains("Saisissez une adresse e-mail, par exemple nom@exemple.com."),
        "{html}"
    );
}

#[tokio::test]
async fn a_language_chosen_before_signing_up_is_kept_and_none_is_imposed_otherwise() {
    let app = spawn_app().await;
    let chooser = app.browser();
    switch(&chooser, "fr", "/signup").await;
    let id = chooser
        .call(
            "signup",
            &[
                ("company", &unique("Francophone")),
                ("email", "holder@acme.example"),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap();
    let fresh = app.browser();
    fresh
        .call(
            "login",
            &[("account_id", id.as_str().unwrap()), ("password", PASSWORD)],
        )
        .await
        .unwrap();
    assert!(page(&fresh, "/", Some("en")).await.contains("Mon compte"));

    // Signed up without choosing: each browser keeps its own language.
    let (_, other) = app.signed_up(&unique("Neutral")).await;
    let french_browser = app.browser();
    french_browser
        .call("login", &[("account_id", &other), ("password", PASSWORD)])
        .await
        .unwrap();
    assert!(
        page(&french_browser, "/", Some("fr"))
            .await
            .contains("Mon compte")
    );
}
