use crate::helpers::{PASSWORD, spawn_app, spawn_app_with, unique};
use steward::error::AppError;
use steward::i18n::Lang;
use steward::server::infra::config::SignupMode;

fn is_account_id(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 11
        && b[4] == b'-'
        && b[8] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 8 || c.is_ascii_digit())
}

#[tokio::test]
async fn signing_up_creates_an_account_and_logs_its_holder_in() {
    let app = spawn_app().await;
    let company = unique("Acme");
    let (browser, account_id) = app.signed_up(&company).await;
    assert!(is_account_id(&account_id), "{account_id}");

    let me = browser.me().await;
    assert_eq!(me["account_id"], account_id);
    assert_eq!(me["login_id"], account_id);
    assert_eq!(me["company"], company);
    assert_eq!(me["is_holder"], true);

    let page = browser.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(&account_id));
}

#[tokio::test]
async fn a_company_name_is_taken_whatever_its_case() {
    let app = spawn_app().await;
    let company = unique("Globex");
    app.signed_up(&company).await;

    let again = app
        .browser()
        .call(
            "signup",
            &[
                ("company", &company.to_uppercase()),
                ("email", "x@globex.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let err = again.expect_err("duplicate company refused");
    assert_eq!(
        err.for_field("company", Lang::En).as_deref(),
        Some("Company with this name already exists")
    );
    assert_eq!(
        steward::server::db::account_store::count(&app.state.db)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once_and_nothing_is_created() {
    let app = spawn_app().await;
    let err = app
        .browser()
        .call(
            "signup",
            &[
                ("company", "   "),
                ("email", "not-an-email"),
                ("password", "password"),
            ],
        )
        .await
        .expect_err("refused");
    assert!(err.for_field("company", Lang::En).is_some());
    assert!(err.for_field("email", Lang::En).is_some());
    let password = err
        .for_field("password", Lang::En)
        .expect("password reasons");
    assert!(password.contains("most common"), "{password}");
    assert_eq!(
        steward::server::db::account_store::count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_password_made_of_the_company_name_is_refused() {
    let app = spawn_app().await;
    let err = app
        .browser()
        .call(
            "signup",
            &[
                ("company", "Zanzibar Logistics"),
                ("email", "a@b.example"),
                ("password", "Zanzibar-Logistics-2026!"),
            ],
        )
        .await
        .expect_err("refused");
    let message = err.for_field("password", Lang::En).unwrap();
    assert!(message.contains("company name"), "{message}");
    assert!(
        !message.to_lowercase().contains("zanzibar"),
        "the password leaks into the error: {message}"
    );
}

#[tokio::test]
async fn a_form_missing_a_field_is_a_clear_error_not_a_crash() {
    let app = spawn_app().await;
    let err = app
        .browser()
        .call("signup", &[("company", "Partial")])
        .await
        .expect_err("refused");
    assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn closed_sign_up_creates_nothing_and_the_page_says_so() {
    let app = spawn_app_with(|c| c.signup = SignupMode::Closed).await;
    let err = app
        .browser()
        .call(
            "signup",
            &[
                ("company", "Closed Co"),
                ("email", "a@closed.example"),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect_err("refused");
    assert_eq!(err, AppError::Disabled);
    assert_eq!(
        steward::server::db::account_store::count(&app.state.db)
            .await
            .unwrap(),
        0
    );
    let page = app.browser().get("/signup").await.text().await.unwrap();
    assert!(page.contains("Sign-up is closed"));
}

#[tokio::test]
async fn the_live_password_check_gives_the_same_verdict_as_sign_up() {
    let app = spawn_app().await;
    let browser = app.browser();
    let weak = browser
        .call(
            "check_password",
            &[("password", "password1"), ("context", "")],
        )
        .await
        .unwrap();
    assert_eq!(weak["acceptable"], false);
    assert!(!weak["reasons"].as_array().unwrap().is_empty());
    let strong = browser
        .call(
            "check_password",
            &[("password", PASSWORD), ("context", "Acme")],
        )
        .await
        .unwrap();
    assert_eq!(strong["acceptable"], true);
}
