//! Behind a reverse proxy: the public URL (`STEWARD_PUBLIC_URL`) is the origin browsers post
//! from and the address clients sign, and the client's address comes from a forwarding header
//! only when a trusted proxy (`STEWARD_TRUSTED_PROXIES`) sent it.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app_with, unique};
use crate::ovh::{App as OvhApp, Call, EVERYTHING, create_application};
use steward::server::infra::client_limits::ClientLimitConfig;
use steward::server::infra::config::Config;
use steward::server::infra::public_url::PublicUrl;
use steward::server::infra::trusted_proxies::{ProxyHeader, TrustedProxies};

const PUBLIC: &str = "https://panel.example.com";

/// nginx on this host in front of Steward, reached at [`PUBLIC`].
fn behind_nginx(config: &mut Config) {
    config.public_url = Some(PublicUrl::parse(PUBLIC).unwrap());
    config.trusted_proxies =
        TrustedProxies::parse("127.0.0.1/32, ::1", ProxyHeader::XForwardedFor).unwrap();
}

/// A browser as the proxy passes it on: its page's origin, and the address chain nginx's
/// `$proxy_add_x_forwarded_for` makes (what the client wrote, then the address nginx saw).
fn browser_via_proxy(app: &TestApp, forwarded_for: &str) -> Browser {
    Browser::with_headers(
        &app.base,
        &[("origin", PUBLIC), ("x-forwarded-for", forwarded_for)],
    )
}

async fn sign_up(browser: &Browser) -> String {
    browser
        .call(
            "signup",
            &[
                ("company", &unique("Proxied")),
                ("email", "holder@acme.example"),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect("sign-up through the proxy")
        .as_str()
        .expect("account id")
        .to_owned()
}

fn ips_of(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|row| row[field].as_str().expect("an address").to_owned())
        .collect()
}

#[tokio::test]
async fn behind_a_trusted_proxy_sessions_and_activity_show_the_clients_address() {
    let app = spawn_app_with(behind_nginx).await;
    // The client wrote 10.9.9.9 itself; nginx appended the address it saw.
    let browser = browser_via_proxy(&app, "10.9.9.9, 198.51.100.9");
    sign_up(&browser).await;
    let sessions = browser.call("list_sessions", &[]).await.unwrap();
    assert_eq!(ips_of(&sessions, "ip"), ["198.51.100.9"]);
    let activity = browser.call("list_activity", &[]).await.unwrap();
    let ips = ips_of(&activity["events"], "ip");
    assert!(!ips.is_empty());
    assert!(ips.iter().all(|ip| ip == "198.51.100.9"), "{ips:?}");
}

#[tokio::test]
async fn from_a_peer_that_is_not_a_trusted_proxy_the_header_is_not_believed() {
    let app = spawn_app_with(|config| {
        behind_nginx(config);
        // The proxy is elsewhere: this test's requests come straight from 127.0.0.1.
        config.trusted_proxies =
            TrustedProxies::parse("10.0.0.0/8", ProxyHeader::XForwardedFor).unwrap();
    })
    .await;
    let browser = browser_via_proxy(&app, "198.51.100.9");
    sign_up(&browser).await;
    let sessions = browser.call("list_sessions", &[]).await.unwrap();
    assert_eq!(ips_of(&sessions, "ip"), ["127.0.0.1"]);
}

async fn login_status(browser: &Browser, account: &str) -> u16 {
    browser
        .client
        .post(format!("{}/api/login", browser.base))
        .header("accept", "application/json")
        .form(&[("account_id", account), ("password", "not-the-password")])
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

fn two_logins_a_minute(config: &mut Config) {
    config.client_limits = ClientLimitConfig {
        logins_per_minute: 2,
        ..ClientLimitConfig::unlimited()
    };
}

#[tokio::test]
async fn per_client_limits_count_the_forwarded_client_behind_a_trusted_proxy() {
    let app = spawn_app_with(|config| {
        behind_nginx(config);
        two_logins_a_minute(config);
    })
    .await;
    let account = sign_up(&browser_via_proxy(&app, "198.51.100.1")).await;
    let first = browser_via_proxy(&app, "198.51.100.2");
    assert_eq!(login_status(&first, &account).await, 401);
    assert_eq!(login_status(&first, &account).await, 401);
    assert_eq!(login_status(&first, &account).await, 429);
    // Another client behind the same proxy has its own allowance.
    let second = browser_via_proxy(&app, "198.51.100.3");
    assert_eq!(login_status(&second, &account).await, 401);
}

#[tokio::test]
async fn a_spoofed_forwarded_for_header_never_moves_a_rate_limit() {
    let app = spawn_app_with(|config| {
        behind_nginx(config);
        two_logins_a_minute(config);
        config.trusted_proxies =
            TrustedProxies::parse("10.0.0.0/8", ProxyHeader::XForwardedFor).unwrap();
    })
    .await;
    let account = sign_up(&browser_via_proxy(&app, "198.51.100.1")).await;
    let mut statuses = Vec::new();
    for n in 2..6 {
        let spoofer = browser_via_proxy(&app, &format!("198.51.100.{n}"));
        statuses.push(login_status(&spoofer, &account).await);
    }
    assert_eq!(statuses, [401, 401, 429, 429]);
}

async fn post_with_origin(app: &TestApp, origin: &str) -> u16 {
    let browser = Browser::with_headers(&app.base, &[("origin", origin)]);
    login_status(&browser, "1234-567-89").await
}

#[tokio::test]
async fn browser_posts_are_checked_against_the_public_url_not_the_host_header() {
    let app = spawn_app_with(behind_nginx).await;
    // nginx's plain proxy_pass sends `Host: 127.0.0.1:PORT`; the page was loaded from PUBLIC.
    assert_eq!(post_with_origin(&app, PUBLIC).await, 401);
    let host = app.base.clone();
    assert_eq!(
        post_with_origin(&app, &host).await,
        403,
        "the Host's origin"
    );
    assert_eq!(post_with_origin(&app, "https://evil.example").await, 403);
    assert_eq!(
        post_with_origin(&app, "http://panel.example.com").await,
        403,
        "another scheme"
    );
    // The browser's own word that the request is same-origin is enough.
    let same_origin = Browser::with_headers(&app.base, &[("sec-fetch-site", "same-origin")]);
    assert_eq!(login_status(&same_origin, "1234-567-89").await, 401);
    let cross = Browser::with_headers(&app.base, &[("sec-fetch-site", "cross-site")]);
    assert_eq!(login_status(&cross, "1234-567-89").await, 403);
}

/// Requests a consumer key and returns (validationUrl, consumer key).
async fn request_consumer_key(app: &TestApp, application: &OvhApp) -> (String, String) {
    let rules: Vec<Value> = EVERYTHING
        .iter()
        .map(|(method, path)| serde_json::json!({ "method": method, "path": path }))
        .collect();
    let body: Value = reqwest::Client::new()
        .post(format!("{}/1.0/auth/credential", app.base))
        .header("X-Ovh-Application", &application.key)
        .json(&serde_json::json!({ "accessRules": rules, "redirection": null }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    (
        body["validationUrl"]
            .as_str()
            .expect("validationUrl")
            .to_owned(),
        body["consumerKey"]
            .as_str()
            .expect("consumerKey")
            .to_owned(),
    )
}

#[tokio::test]
async fn ovh_clients_get_public_links_and_sign_the_public_url() {
    let app = spawn_app_with(behind_nginx).await;
    let holder = browser_via_proxy(&app, "198.51.100.9");
    sign_up(&holder).await;
    let application = create_application(&holder).await;
    let (url, key) = request_consumer_key(&app, &application).await;
    let validation = url
        .strip_prefix(&format!("{PUBLIC}/ovh/authorize/"))
        .unwrap_or_else(|| panic!("validationUrl {url} is not on the public URL"));
    holder
        .call("authorize_ovh_consumer_key", &[("id", validation)])
        .await
        .expect("authorized");
    let path = "/me/identity/user";
    let mut call = Call::new(Method::GET, path, "");
    call.signed_url = Some(format!("{PUBLIC}/1.0{path}"));
    let (status, body) = call.send(&app, &application, &key).await;
    assert_eq!(status, 200, "{body}");
    call.signed_url = Some(format!("https://evil.example/1.0{path}"));
    let (status, _) = call.send(&app, &application, &key).await;
    assert_eq!(status, 400);
}
