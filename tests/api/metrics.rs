//! `GET /metrics`: off by default; on, Prometheus text with requests by route template and
//! status, their latency, logins by result and the live sessions, and nothing secret.

use std::collections::BTreeMap;

use steward::server::infra::config::Config;
use steward::server::infra::config::MetricsMode;

use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with, unique};

fn metrics_on(config: &mut Config) {
    config.metrics = MetricsMode::On;
}

/// Scrapes `/metrics` and checks it is the text format.
async fn scrape(app: &TestApp) -> String {
    let response = reqwest::get(format!("{}/metrics", app.base)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text().await.unwrap()
}

/// Every sample, `name{labels}` -> value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}

fn requests(method: &str, route: &str, status: u16) -> String {
    format!(
        "steward_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}}"
    )
}

async fn get_status(app: &TestApp, path: &str) -> u16 {
    app.browser().get(path).await.status().as_u16()
}

#[tokio::test]
async fn metrics_are_not_served_unless_turned_on() {
    let app = spawn_app().await;
    let response = app.browser().get("/metrics").await;
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    assert!(!body.contains("steward_http_requests_total"));
}

#[tokio::test]
async fn requests_are_counted_by_method_route_template_and_status() {
    let app = spawn_app_with(metrics_on).await;
    for _ in 0..3 {
        assert_eq!(get_status(&app, "/healthz").await, 200);
    }
    let edit = get_status(&app, "/users/john.smith/edit").await;
    assert_eq!(get_status(&app, "/users/mary.jones/edit").await, edit);
    let vobiz = get_status(&app, "/api/v1/accounts/MA_LEAKYAUTHID42/sub-accounts/").await;
    assert_eq!(
        get_status(&app, "/no-such-page/secret-path-part").await,
        404
    );

    let text = scrape(&app).await;
    let samples = samples(&text);
    assert_eq!(samples[&requests("GET", "/healthz", 200)], 3.0);
    assert_eq!(samples[&requests("GET", "/users/{login}/edit", edit)], 2.0);
    assert_eq!(
        samples[&requests("GET", "/api/v1/accounts/{auth_id}/sub-accounts/", vobiz)],
        1.0
    );
    assert_eq!(samples[&requests("GET", "unmatched", 404)], 1.0);
    for raw in [
        "john.smith",
        "mary.jones",
        "MA_LEAKYAUTHID42",
        "secret-path-part",
    ] {
        assert!(!text.contains(raw), "{raw} leaked into the metrics");
    }
    // A scrape is counted once it is answered: the next scrape shows it.
    assert!(!samples.contains_key(&requests("GET", "/metrics", 200)));
    let samples = self::samples(&scrape(&app).await);
    assert_eq!(samples[&requests("GET", "/metrics", 200)], 1.0);
}

#[tokio::test]
async fn every_routes_histogram_is_cumulative_and_counts_its_requests() {
    let app = spawn_app_with(metrics_on).await;
    let (browser, _) = app.signed_up(&unique("Histogram")).await;
    for path in ["/healthz", "/users", "/security", "/nowhere", "/healthz"] {
        browser.get(path).await;
    }
    let text = scrape(&app).await;
    let samples = samples(&text);
    assert!(text.contains("# TYPE steward_http_request_duration_seconds histogram"));

    let mut routes = 0;
    for (series, count) in &samples {
        let Some(labels) = series.strip_prefix("steward_http_request_duration_seconds_count")
        else {
            continue;
        };
        routes += 1;
        let route_label = labels.trim_start_matches('{').trim_end_matches('}');
        // The buckets, in the order they are listed, never decrease and end at the count.
        let buckets: Vec<(String, f64)> = text
            .lines()
            .filter_map(|l| {
                let rest = l.strip_prefix(&format!(
                    "steward_http_request_duration_seconds_bucket{{{route_label},le=\""
                ))?;
                let (le, value) = rest.split_once("\"} ")?;
                Some((le.to_owned(), value.parse().unwrap()))
            })
            .collect();
        assert_eq!(buckets.len(), 14, "13 bounds and +Inf for {route_label}");
        assert_eq!(buckets[0].0, "0.001");
        assert_eq!(buckets[12].0, "10");
        assert_eq!(buckets[13], ("+Inf".to_owned(), *count));
        assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1));
        let bounds: Vec<f64> = buckets[..13]
            .iter()
            .map(|(le, _)| le.parse().unwrap())
            .collect();
        assert!(bounds.windows(2).all(|w| w[0] < w[1]));
        // The count is every request to the route, whatever its method and status.
        let counted: f64 = samples
            .iter()
            .filter(|(s, _)| {
                s.starts_with("steward_http_requests_total{")
                    && s.contains(&format!(",{route_label},"))
            })
            .map(|(_, v)| v)
            .sum();
        assert_eq!(counted, *count, "requests to {route_label}");
        let sum = samples[&format!("steward_http_request_duration_seconds_sum{{{route_label}}}")];
        assert!(sum >= 0.0);
    }
    assert!(routes >= 5, "signup, healthz, users, security, unmatched…");
    assert_eq!(
        samples["steward_http_request_duration_seconds_count{route=\"/healthz\"}"],
        2.0
    );
}

#[tokio::test]
async fn logins_are_counted_by_result() {
    let app = spawn_app_with(metrics_on).await;
    let (_, account) = app.signed_up(&unique("Logins")).await;
    let browser = app.browser();
    let log_in = |account: &str, password: &str| {
        let form = [
            ("account_id", account.to_owned()),
            ("password", password.to_owned()),
        ];
        let browser = &browser;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.call("login", &form).await
        }
    };
    assert!(log_in(&account, "Wrong-Password-Entirely-1").await.is_err());
    assert!(log_in(&account, PASSWORD).await.is_ok());
    assert!(log_in("0000-000-00", PASSWORD).await.is_err());

    let text = scrape(&app).await;
    let samples = samples(&text);
    let logins = |result: &str| samples[&format!("steward_logins_total{{result=\"{result}\"}}")];
    assert_eq!(
        logins("failure"),
        2.0,
        "a wrong password and an unknown account"
    );
    assert_eq!(logins("success"), 1.0, "sign-up is not a login");
    assert_eq!(logins("locked"), 0.0);
    assert_eq!(logins("second_factor"), 0.0);
    assert!(!text.contains(PASSWORD));
    assert!(!text.contains("Wrong-Password-Entirely-1"));
    assert!(!text.contains(&account));
}

#[tokio::test]
async fn a_locked_login_is_counted_as_locked_even_with_the_right_password() {
    let app = spawn_app_with(|config| {
        metrics_on(config);
        crate::helpers::lock_after_three_failures(config);
    })
    .await;
    let (_, account) = app.signed_up(&unique("Locked")).await;
    let browser = app.browser();
    for password in [
        "Wrong-1-aaaaaaaa",
        "Wrong-2-bbbbbbbb",
        "Wrong-3-cccccccc",
        "Wrong-4-dddd",
    ] {
        assert!(
            browser
                .call("login", &[("account_id", &account), ("password", password)])
                .await
                .is_err()
        );
    }
    assert!(
        browser
            .call("login", &[("account_id", &account), ("password", PASSWORD)])
            .await
            .is_err()
    );
    let samples = samples(&scrape(&app).await);
    let logins = |result: &str| samples[&format!("steward_logins_total{{result=\"{result}\"}}")];
    // Two free failures, then a one-second wait (the third attempt may or may not fall in it),
    // then the lock: the fourth and the right password are certainly refused unchecked.
    assert_eq!(logins("failure") + logins("locked"), 5.0);
    assert!(logins("locked") >= 2.0);
    assert!(logins("failure") >= 2.0);
    assert_eq!(logins("success"), 0.0);
}

#[tokio::test]
async fn a_second_factor_login_counts_the_password_step_then_the_success() {
    let app = spawn_app_with(metrics_on).await;
    let (holder, account) = app.signed_up(&unique("TwoStep")).await;
    let (_, codes) = crate::two_factor::enrol(&holder).await;
    let browser = app.browser();
    browser
        .call("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .unwrap();
    assert!(
        browser
            .call("login_code", &[("code", "not-a-code")])
            .await
            .is_err()
    );
    browser
        .call("login_code", &[("code", &codes[0])])
        .await
        .unwrap();
    let text = scrape(&app).await;
    let samples = samples(&text);
    let logins = |result: &str| samples[&format!("steward_logins_total{{result=\"{result}\"}}")];
    assert_eq!(logins("second_factor"), 1.0);
    assert_eq!(logins("failure"), 1.0);
    assert_eq!(logins("success"), 1.0);
    assert!(!text.contains(&codes[0]));
}

#[tokio::test]
async fn active_sessions_are_the_logged_in_sessions() {
    let app = spawn_app_with(metrics_on).await;
    let active = |text: String| samples(&text)["steward_active_sessions"];
    assert_eq!(active(scrape(&app).await), 0.0);
    // Sign-up logs the holder in: one session; a second browser logs in: two.
    let (first, account) = app.signed_up(&unique("Sessions")).await;
    let second = app.browser();
    second
        .call("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .unwrap();
    // An anonymous visit has a session cookie at most, not a login.
    app.browser().get("/login").await;
    assert_eq!(active(scrape(&app).await), 2.0);
    second.call("logout", &[]).await.unwrap();
    assert_eq!(active(scrape(&app).await), 1.0);
    first.call("logout", &[]).await.unwrap();
    assert_eq!(active(scrape(&app).await), 0.0);
}

#[tokio::test]
async fn with_a_token_configured_only_its_bearer_may_scrape() {
    const TOKEN: &str = "metrics-token-0123456789abcdef";
    let app = spawn_app_with(|config| {
        metrics_on(config);
        config.metrics_token_hash = Some(steward::server::infra::secrets::token_hash(TOKEN));
    })
    .await;
    let url = format!("{}/metrics", app.base);
    let client = reqwest::Client::new();
    let without = client.get(&url).send().await.unwrap();
    assert_eq!(without.status(), 401);
    assert_eq!(without.headers()["www-authenticate"], "Bearer");
    let wrong = client
        .get(&url)
        .bearer_auth("metrics-token-0123456789abcdeX")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = client.get(&url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(right.status(), 200);
    let text = right.text().await.unwrap();
    assert!(text.contains(
        "steward_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"401\"} 2"
    ));
    assert!(!text.contains(TOKEN));
}
