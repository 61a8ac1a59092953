use crate::helpers::{PASSWORD, spawn_app, unique};

#[tokio::test]
async fn a_cross_site_post_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let browser = app.browser();
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let response = browser
            .client
            .post(format!("{}/api/signup", app.base))
            .header(name, value)
            .form(&[
                ("company", unique("Evil").as_str()),
                ("email", "e@evil.example"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{name}");
    }
    assert_eq!(
        steward::server::db::account_store::count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_same_origin_post_from_the_panel_is_accepted() {
    let app = spawn_app().await;
    let response = app
        .browser()
        .client
        .post(format!("{}/api/signup", app.base))
        .header("sec-fetch-site", "same-origin")
        .header("origin", app.base.as_str())
        .header("accept", "application/json")
        .form(&[
            ("company", unique("Friendly").as_str()),
            ("email", "f@friendly.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn server_functions_do_not_run_over_get() {
    let app = spawn_app().await;
    let response = app.browser().get("/api/logout").await;
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn every_response_carries_the_security_headers_even_a_404() {
    let app = spawn_app().await;
    for path in ["/login", "/no-such-page", "/healthz"] {
        let response = app.browser().get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
    }
    assert_eq!(app.browser().get("/no-such-page").await.status(), 404);
}

#[tokio::test]
async fn a_page_admits_only_scripts_with_its_own_nonce() {
    let app = spawn_app().await;
    let first = app.browser().get("/login").await;
    let csp = first.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = first.text().await.unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce");
    assert!(nonce.len() >= 16);
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()])
        .collect();
    assert!(!scripts.is_empty());
    for script in scripts {
        assert!(script.contains(&format!("nonce=\"{nonce}\"")), "{script}");
    }
    let second = app.browser().get("/login").await;
    assert!(
        !second.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(nonce),
        "a fresh nonce per response"
    );
}

/// Signs up a new company and returns the raw response, to read its headers.
async fn sign_up_response(app: &crate::helpers::TestApp) -> reqwest::Response {
    let company = unique("Cookie");
    app.browser()
        .client
        .post(format!("{}/api/signup", app.base))
        .header("accept", "application/json")
        .form(&[
            ("company", company.as_str()),
            ("email", "c@cookie.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap()
}

/// The `Set-Cookie` header of the response that sets the cookie `name`.
fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", response.headers()))
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let response = sign_up_response(&app).await;
    let cookie = set_cookie(&response, "steward");
    assert!(cookie.starts_with("steward="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    // The owner's browser is remembered: the device cookie is script-proof and never cross-site.
    let device = set_cookie(&response, "steward-device");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(device.contains(attribute), "{device}");
    }
}

#[tokio::test]
async fn with_secure_cookies_the_cookie_is_host_prefixed_and_secure() {
    let app = crate::helpers::spawn_app_with(|c| c.cookie_secure = true).await;
    let response = sign_up_response(&app).await;
    let cookie = set_cookie(&response, "__Host-steward");
    assert!(cookie.starts_with("__Host-steward="), "{cookie}");
    let device = set_cookie(&response, "__Host-steward-device");
    assert!(
        device.contains("Secure") && !device.contains("Domain"),
        "{device}"
    );
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes_only() {
    let app = spawn_app().await;
    app.signed_up(&unique("Hashy")).await;
    let hash: String = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT password_hash FROM users")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout() {
    let app =
        crate::helpers::spawn_app_with(|c| c.session_idle = std::time::Duration::from_secs(1))
            .await;
    let (browser, account) = app.signed_up(&unique("Idle")).await;
    assert_eq!(browser.me().await["account_id"], account);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(browser.me().await, serde_json::Value::Null);
}

#[tokio::test]
async fn a_session_in_use_outlives_the_idle_timeout_and_ends_once_left_idle() {
    let app =
        crate::helpers::spawn_app_with(|c| c.session_idle = std::time::Duration::from_secs(2))
            .await;
    let (browser, account) = app.signed_up(&unique("Busy")).await;
    // Five seconds of use, well past the two-second idle timeout, one page every half second.
    for step in 0..10 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(browser.me().await["account_id"], account, "step {step}");
    }
    let page = browser.get("/users").await;
    assert_eq!(page.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_eq!(browser.me().await, serde_json::Value::Null);
}

#[tokio::test]
async fn a_busy_session_still_ends_at_the_absolute_timeout() {
    let app =
        crate::helpers::spawn_app_with(|c| c.session_max = std::time::Duration::from_secs(2)).await;
    let (browser, account) = app.signed_up(&unique("Absolute")).await;
    // Active all along: the idle timeout never applies, the absolute one does.
    for _ in 0..3 {
        assert_eq!(browser.me().await["account_id"], account);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    assert_eq!(browser.me().await, serde_json::Value::Null);
}

/// `/login` as a browser without JavaScript shows it after a failed submission: the error of
/// the `login` server function, carried in the address (`?__path=...&__err=<base64 JSON>`).
async fn login_page_with_error(app: &crate::helpers::TestApp, error_json: &str) -> String {
    use base64::Engine;
    let err = base64::engine::general_purpose::URL_SAFE
        .encode(error_json)
        .replace('=', "%3D");
    let response = app
        .browser()
        .get(&format!("/login?__path=/api/login&__err={err}"))
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn an_error_crafted_into_the_address_shows_no_text_of_the_attackers() {
    let app = spawn_app().await;
    // A real refusal, without JavaScript, still reads as it should.
    let response = app
        .browser()
        .post_form(
            "login",
            "/login",
            &[("account_id", "1234-567-89"), ("password", "wrong")],
        )
        .await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    let path = location.strip_prefix(&app.base).unwrap_or(&location);
    let page = app.browser().get(path).await.text().await.unwrap();
    assert!(page.contains("Incorrect account ID or password."));

    // A catalogue key with a plain value is shown as the catalogue says.
    let page = login_page_with_error(
        &app,
        r#"{"Invalid":[{"field":"login","key":"users.error.login_taken","args":[["login","bob"]]}]}"#,
    )
    .await;
    assert!(page.contains("A user with the ID bob already exists."));

    for crafted in [
        // Text that is no catalogue key.
        r#"{"Invalid":[{"field":"account_id","key":"ATTACKER: call +1 555 0100 to unlock","args":[]}]}"#,
        // A real key carrying a sentence in its value.
        r#"{"Invalid":[{"field":"form","key":"users.error.login_taken","args":[["login","ATTACKER call 555 0100"]]}]}"#,
        // A real key with a value for a placeholder it does not have.
        r#"{"Invalid":[{"field":"form","key":"users.error.too_many_rows","args":[["max","10"],["login","ATTACKER"]]}]}"#,
        // A reference that is no reference.
        r#"{"Internal":{"reference":"ATTACKER call 555 0100"}}"#,
        r#"{"Transport":"ATTACKER call 555 0100"}"#,
    ] {
        let page = login_page_with_error(&app, crafted).await;
        assert!(!page.contains("ATTACKER"), "{crafted}");
        assert!(!page.contains("555 0100"), "{crafted}");
        assert!(
            page.contains("role=\"alert\""),
            "a generic message instead: {crafted}"
        );
    }
}
