//! IP rules: an account's ordered ranges and default, applied at login, on every session
//! request and to every API credential, with the client's address as a trusted proxy on the
//! loopback passes it on (`X-Forwarded-For`); an Administrator cannot shut their own address
//! out by saving; every refusal is on the record.

use serde_json::Value;
use std::sync::Arc;

use crate::api_keys::{create_token, rotate_account, token_of};
use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app_with, unique};
use steward::error::AppError;
use steward::i18n::Lang;
use steward::server::infra::config::Config;
use steward::server::infra::trusted_proxies::{ProxyHeader, TrustedProxies};

const OFFICE: &str = "198.51.100.7";
const ELSEWHERE: &str = "203.0.113.9";

fn behind_proxy(config: &mut Config) {
    config.trusted_proxies =
        TrustedProxies::parse("127.0.0.1/32, ::1", ProxyHeader::XForwardedFor).unwrap();
}

/// `browser`'s cookies, sent from `ip`: the same browser after it moved.
fn from(browser: &Browser, ip: &str) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().unwrap());
    Browser {
        client: reqwest::Client::builder()
            .default_headers(headers)
            .cookie_provider(Arc::clone(&browser.jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        jar: Arc::clone(&browser.jar),
        base: browser.base.clone(),
    }
}

async fn log_in(
    app: &TestApp,
    ip: &str,
    login_id: &str,
    password: &str,
) -> Result<Value, AppError> {
    let browser = from(&app.browser(), ip);
    browser
        .call("login", &[("account_id", login_id), ("password", password)])
        .await
}

async fn save(admin: &Browser, default: &str, rules: &str) -> Result<Value, AppError> {
    admin
        .call("set_ip_rules", &[("default", default), ("rules", rules)])
        .await
}

/// The status of a Gcore call made with `token` from `ip`.
async fn with_token(app: &TestApp, token: &str, ip: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/iam/users", app.base))
        .header("authorization", format!("APIKey {token}"))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// `(detail, ip)` of every refusal by IP rules, in order.
async fn refusals(app: &TestApp) -> Vec<(String, String, String)> {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT action, detail, ip FROM activity
             WHERE detail LIKE 'IP rule%' ORDER BY id",
        )
        .fetch_all(pool)
        .await
    })
    .unwrap()
}

fn fields(error: &AppError) -> Vec<String> {
    match error {
        AppError::Invalid(list) => list.iter().map(|f| f.field.clone()).collect(),
        other => panic!("not a field error: {other:?}"),
    }
}

#[tokio::test]
async fn rules_turn_away_logins_sessions_and_credentials_from_other_addresses() {
    let app = spawn_app_with(behind_proxy).await;
    let (holder, account) = app.signed_up(&unique("Walled")).await;
    let holder = from(&holder, OFFICE);
    let dora = app.user_in(&holder, &account, "dora", "DEFAULT").await;
    let dora = from(&dora, ELSEWHERE);
    assert!(dora.call("list_sessions", &[]).await.is_ok());
    let token = token_of(&create_token(&holder, "Deploy", "admin", "").await.unwrap());
    assert_eq!(with_token(&app, &token, ELSEWHERE).await, 200);

    save(
        &holder,
        "DENY",
        "DENY 198.51.100.99 Kiosk\nACCEPT 198.51.100.0/24 Office",
    )
    .await
    .expect("saved");
    let view = holder.call("ip_rules", &[]).await.unwrap();
    assert_eq!(view["default"], "DENY");
    assert_eq!(view["your_address"], OFFICE);
    assert_eq!(view["rules"][1]["range"], "198.51.100.0/24");
    assert_eq!(
        view["text"],
        "DENY 198.51.100.99/32 Kiosk\nACCEPT 198.51.100.0/24 Office"
    );

    // Dora's session, from elsewhere, ends; back at the office her old cookie stays dead.
    assert!(matches!(
        dora.call("list_sessions", &[]).await,
        Err(AppError::Unauthenticated)
    ));
    assert!(
        from(&dora, "198.51.100.8")
            .call("list_sessions", &[])
            .await
            .is_err()
    );

    // A refused login looks exactly like a wrong password.
    let dora_id = format!("{account}/dora");
    let refused = log_in(&app, ELSEWHERE, &dora_id, PASSWORD)
        .await
        .unwrap_err();
    let wrong = log_in(&app, "198.51.100.8", &dora_id, "not-her-password")
        .await
        .unwrap_err();
    assert_eq!(refused, wrong);
    assert!(
        log_in(&app, "198.51.100.99", &dora_id, PASSWORD)
            .await
            .is_err(),
        "rule 1"
    );
    assert!(
        log_in(&app, "198.51.100.8", &dora_id, PASSWORD)
            .await
            .is_ok()
    );

    // The token works only from the office.
    assert_eq!(with_token(&app, &token, ELSEWHERE).await, 401);
    assert_eq!(with_token(&app, &token, "198.51.100.8").await, 200);
    // So do the account's credentials (Vobiz's `X-Auth-ID`), which act as the holder.
    let credentials = rotate_account(&holder).await.unwrap();
    let auth_id = credentials["auth_id"].as_str().unwrap();
    let auth_token = credentials["auth_token"].as_str().unwrap();
    let with_credentials = async |ip: &str| {
        reqwest::Client::new()
            .get(format!(
                "{}/api/v1/accounts/{auth_id}/sub-accounts/",
                app.base
            ))
            .header("x-auth-id", auth_id)
            .header("x-auth-token", auth_token)
            .header("x-forwarded-for", ip)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(with_credentials(ELSEWHERE).await, 401);
    assert_eq!(with_credentials("198.51.100.8").await, 200);

    let recorded = refusals(&app).await;
    assert_eq!(
        recorded,
        [
            (
                "access.ip_refused".into(),
                "IP rules: default deny".into(),
                ELSEWHERE.into()
            ),
            (
                "login".into(),
                "IP rules: default deny".into(),
                ELSEWHERE.into()
            ),
            (
                "login".into(),
                "IP rule 1 (Kiosk)".into(),
                "198.51.100.99".into()
            ),
            (
                "access.ip_refused".into(),
                "IP rules: default deny".into(),
                ELSEWHERE.into()
            ),
            (
                "access.ip_refused".into(),
                "IP rules: default deny".into(),
                ELSEWHERE.into()
            ),
        ]
    );
    let changed: i64 = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM activity WHERE action = 'account.ip_rules'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(changed, 1);

    // Open again: everyone is let in.
    save(&holder, "ACCEPT", "").await.expect("opened");
    assert_eq!(with_token(&app, &token, ELSEWHERE).await, 200);
    assert!(log_in(&app, ELSEWHERE, &dora_id, PASSWORD).await.is_ok());
}

#[tokio::test]
async fn an_administrator_cannot_save_rules_that_refuse_their_own_address() {
    let app = spawn_app_with(behind_proxy).await;
    let (holder, _) = app.signed_up(&unique("Careful")).await;
    let holder = from(&holder, "2001:db8:1::5");
    let own_range = save(&holder, "ACCEPT", "DENY 2001:db8::/32 Lab")
        .await
        .unwrap_err();
    assert_eq!(fields(&own_range), ["rules"]);
    let by_default = save(&holder, "DENY", "ACCEPT 198.51.100.0/24")
        .await
        .unwrap_err();
    assert_eq!(fields(&by_default), ["rules"]);
    let unreadable = save(
        &holder,
        "MAYBE",
        "ALLOW 10.0.0.0/8\nACCEPT 10.0.0.0/33\nDENY 10.1.0.0/16 ok",
    )
    .await
    .unwrap_err();
    assert_eq!(fields(&unreadable), ["default", "rules", "rules"]);
    assert_eq!(
        unreadable.for_field("rules", Lang::En).unwrap(),
        "Line 1: start with ACCEPT or DENY. Line 2: enter an address or a range such as \
         203.0.113.0/24 or 2001:db8::/32."
    );
    assert_eq!(
        own_range.for_field("rules", Lang::En).unwrap(),
        "Rule 1 would refuse your own address, 2001:db8:1::5. Add a rule that accepts it \
         above, so that you keep access."
    );
    let long = format!("ACCEPT 10.0.0.0/8 {}", "x".repeat(256));
    let too_long = save(&holder, "ACCEPT", &long).await.unwrap_err();
    assert_eq!(
        too_long.for_field("rules", Lang::En).unwrap(),
        "Line 1: keep the description under 255 characters."
    );
    let view = holder.call("ip_rules", &[]).await.unwrap();
    assert_eq!(view["rules"], Value::Array(vec![]), "nothing was saved");
    assert_eq!(view["default"], "ACCEPT");

    // Its own range accepted first, the rest denied: saved, and it keeps working.
    save(
        &holder,
        "DENY",
        "ACCEPT 2001:db8:1::/48 Home\nDENY 2001:db8::/32 Lab",
    )
    .await
    .expect("saved");
    assert!(holder.call("ip_rules", &[]).await.is_ok());
}

#[tokio::test]
async fn only_administrators_read_or_change_the_rules() {
    let app = spawn_app_with(behind_proxy).await;
    let (holder, account) = app.signed_up(&unique("Ruled")).await;
    let user = app.user_in(&holder, &account, "uma", "DEFAULT").await;
    assert!(matches!(
        user.call("ip_rules", &[]).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        save(&user, "DENY", "").await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn a_sub_accounts_rules_hold_for_its_own_logins_and_for_the_parent_managing_it() {
    let app = spawn_app_with(behind_proxy).await;
    let (holder, _) = app.signed_up(&unique("Parent")).await;
    let holder = from(&holder, OFFICE);
    let form = [
        ("form[name]", "Lab"),
        ("form[email]", "lab@example.com"),
        ("form[password]", PASSWORD),
        ("form[enabled]", "on"),
    ];
    let location = holder
        .call_for_location("create_sub_account", &form)
        .await
        .expect("sub-account");
    let sub = holder.take_reveal(&location).await;
    let sub_id = sub["AccountCredentials"]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub_pk = sub["AccountCredentials"]["sub_account"].as_i64().unwrap();
    let lab = from(&app.browser(), "192.0.2.10");
    lab.call("login", &[("account_id", &sub_id), ("password", PASSWORD)])
        .await
        .expect("the sub-account's holder logs in");
    save(&lab, "DENY", "ACCEPT 192.0.2.0/24 Lab network")
        .await
        .expect("saved");

    // The parent's rules are open, but managing the sub-account from the office is refused.
    holder
        .call("manage_sub_account", &[("id", &sub_pk.to_string())])
        .await
        .expect("manage");
    let inside = holder.call("ip_rules", &[]).await.unwrap();
    assert_eq!(
        inside["rules"],
        Value::Array(vec![]),
        "still in the parent's account: {inside}"
    );
    // From the lab network the parent's Administrator works inside.
    let at_lab = from(&holder, "192.0.2.20");
    at_lab
        .call("manage_sub_account", &[("id", &sub_pk.to_string())])
        .await
        .expect("manage");
    let inside = at_lab.call("ip_rules", &[]).await.unwrap();
    assert_eq!(inside["rules"][0]["range"], "192.0.2.0/24");
    assert!(
        log_in(&app, ELSEWHERE, &sub_id, PASSWORD).await.is_err(),
        "the sub-account's holder, from elsewhere"
    );
}

#[tokio::test]
async fn a_token_limited_to_some_ranges_works_only_from_them() {
    let app = spawn_app_with(behind_proxy).await;
    let (holder, _) = app.signed_up(&unique("Pinned")).await;
    let form = |ranges: &'static str| {
        [
            ("name", "Pinned"),
            ("description", ""),
            ("role", "admin"),
            ("expires", ""),
            ("allowed_ips", ranges),
        ]
    };
    let create = async |ranges: &'static str| {
        holder
            .call_for_location("create_api_token", &form(ranges))
            .await
    };
    let refused = create("10.0.0.0/8, office").await.unwrap_err();
    assert_eq!(fields(&refused), ["allowed_ips"]);
    let location = create("198.51.100.0/24, 2001:db8::/32").await.unwrap();
    let token = token_of(&holder.take_reveal(&location).await["ApiToken"]);
    assert_eq!(with_token(&app, &token, "198.51.100.4").await, 200);
    assert_eq!(with_token(&app, &token, "2001:db8::9").await, 200);
    assert_eq!(with_token(&app, &token, ELSEWHERE).await, 401);
    let keys = holder.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(
        keys["tokens"][0]["allowed_ips"],
        serde_json::json!(["198.51.100.0/24", "2001:db8::/32"])
    );
    let recorded = refusals(&app).await;
    assert!(recorded.is_empty(), "{recorded:?}");
    let credential: Vec<(String, String)> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as("SELECT detail, ip FROM activity WHERE action = 'access.ip_refused'")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(
        credential,
        [(
            "IP ranges of the credential".to_owned(),
            ELSEWHERE.to_owned()
        )]
    );
}

/// OVHcloud's `allowedIPs` on a consumer-key request: stored, enforced, and returned by
/// `GET /auth/currentCredential`; a range that cannot be read is refused in OVHcloud's shape.
#[tokio::test]
async fn an_ovh_consumer_key_honours_its_allowed_ips() {
    use crate::ovh::{Call, EVERYTHING, create_application};
    use reqwest::Method;
    let app = spawn_app_with(behind_proxy).await;
    let (holder, _) = app.signed_up(&unique("Consumer")).await;
    let application = create_application(&holder).await;
    let request = |allowed: Value| {
        let rules: Vec<Value> = EVERYTHING
            .iter()
            .map(|(m, p)| serde_json::json!({ "method": m, "path": p }))
            .collect();
        reqwest::Client::new()
            .post(format!("{}/1.0/auth/credential", app.base))
            .header("X-Ovh-Application", &application.key)
            .json(&serde_json::json!({ "accessRules": rules, "allowedIPs": allowed }))
            .send()
    };
    let refused = request(serde_json::json!(["198.51.100.0/24", "nowhere"]))
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errorCode"], "INVALID_PARAMETERS", "{body}");

    let body: Value = request(serde_json::json!(["198.51.100.0/24", "2001:db8::/32"]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = body["consumerKey"].as_str().unwrap().to_owned();
    let validation = body["validationUrl"]
        .as_str()
        .unwrap()
        .rsplit_once("/ovh/authorize/")
        .unwrap()
        .1
        .to_owned();
    holder
        .call("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect("authorized");

    let mut call = Call::new(Method::GET, "/auth/currentCredential", "");
    call.forwarded_for = Some("198.51.100.30");
    let (status, credential) = call.send(&app, &application, &key).await;
    assert_eq!(status, 200, "{credential}");
    assert_eq!(
        credential["allowedIPs"],
        serde_json::json!(["198.51.100.0/24", "2001:db8::/32"])
    );
    assert_eq!(credential["status"], "validated");
    assert_eq!(credential["rules"][0]["path"], "/*");
    call.forwarded_for = Some(ELSEWHERE);
    let (status, refused) = call.send(&app, &application, &key).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["errorCode"], "INVALID_CREDENTIAL");
}

/// The office's address changed and every Administrator is refused: the operator lets every
/// address in again, on the record.
#[tokio::test]
async fn the_operator_opens_an_account_whose_administrators_are_all_refused() {
    let app = spawn_app_with(behind_proxy).await;
    let (holder, account) = app.signed_up(&unique("Moved")).await;
    let holder = from(&holder, OFFICE);
    save(&holder, "DENY", "ACCEPT 198.51.100.0/24 Old office")
        .await
        .expect("saved");
    assert!(log_in(&app, ELSEWHERE, &account, PASSWORD).await.is_err());

    let shown = app.cli(&["account", "ip-rules", &account]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(
        shown,
        serde_json::json!({
            "account_id": account,
            "default": "DENY",
            "rules": ["ACCEPT 198.51.100.0/24 Old office"],
        })
    );
    let cleared = app.cli(&["account", "ip-rules", &account, "--clear"]);
    assert!(
        cleared.status.success(),
        "{}",
        String::from_utf8_lossy(&cleared.stderr)
    );
    let cleared: Value = serde_json::from_slice(&cleared.stdout).unwrap();
    assert_eq!(cleared["default"], "ACCEPT");
    assert_eq!(cleared["rules"], serde_json::json!([]));
    assert!(log_in(&app, ELSEWHERE, &account, PASSWORD).await.is_ok());
    let by_operator: i64 = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM activity WHERE action = 'account.ip_rules' AND via = 'cli'",
        )
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(by_operator, 1);
    let unknown = app.cli(&["account", "ip-rules", "9999-999-99", "--clear"]);
    assert!(!unknown.status.success());
}

/// A page rendered on the server (no JavaScript, or the first load) is judged like any other
/// request: from a refused address the session ends and no data is rendered.
#[tokio::test]
async fn a_page_rendered_on_the_server_is_judged_by_the_rules_too() {
    let app = spawn_app_with(behind_proxy).await;
    let (holder, account) = app.signed_up(&unique("Rendered")).await;
    let holder = from(&holder, OFFICE);
    let page = holder.get("/security/ip-rules").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(OFFICE),
        "the page names the address it was asked from"
    );
    app.user_in(&holder, &account, "zoe", "DEFAULT").await;
    save(&holder, "DENY", "ACCEPT 198.51.100.0/24 Office")
        .await
        .expect("saved");

    let away = from(&holder, ELSEWHERE);
    let page = away.get("/users").await;
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("zoe"),
        "no user listed from a refused address"
    );
    let recorded = refusals(&app).await;
    assert_eq!(
        recorded,
        [(
            "access.ip_refused".to_owned(),
            "IP rules: default deny".to_owned(),
            ELSEWHERE.to_owned()
        )]
    );
    assert!(
        matches!(
            holder.call("list_sessions", &[]).await,
            Err(AppError::Unauthenticated)
        ),
        "the session ended"
    );
}
