//! The account's API rate limit covers every request made with an API credential: the
//! provider dialects, the panel's server functions and the activity CSV alike.

use serde_json::Value;

use crate::compat::account_with_credentials;
use crate::compat::token_of;
use crate::helpers::TestApp;
use steward::error::AppError;

async fn set_limit(app: &TestApp, auth_id: &str, limit: i64) {
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query("UPDATE accounts SET rate_limit = $1 WHERE auth_id = $2")
            .bind(limit)
            .bind(auth_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("set the limit");
}

/// `POST /api/whoami` with `header: value`: (status, Retry-After, body).
async fn whoami(app: &TestApp, credential: &[(&str, &str)]) -> (u16, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/whoami", app.base))
        .header("accept", "application/json");
    for (name, value) in credential {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    (status, retry_after, response.json().await.expect("JSON"))
}

fn assert_rate_limited(answer: &(u16, Option<String>, Value)) {
    let (status, retry_after, body) = answer;
    let error: AppError = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"));
    let AppError::RateLimited { retry_after: wait } = error else {
        panic!("not refused for the rate limit: {body}");
    };
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(retry_after.as_deref(), Some(wait.to_string().as_str()));
    assert_eq!(*status, 429);
}

#[tokio::test]
async fn server_functions_called_with_an_api_credential_count_against_the_rate_limit() {
    let app = crate::helpers::spawn_app().await;
    let (holder, auth_id, auth_token) = account_with_credentials(&app).await;
    let token = token_of(&holder, "admin").await;
    let bearer = format!("Bearer {token}");
    let with_token = [("authorization", bearer.as_str())];
    let with_credentials = [
        ("x-auth-id", auth_id.as_str()),
        ("x-auth-token", auth_token.as_str()),
    ];
    set_limit(&app, &auth_id, 3).await;

    let first = whoami(&app, &with_token).await;
    assert_eq!(first.0, 200, "{first:?}");
    assert!(
        first.2["login_id"].is_string(),
        "the token's user: {first:?}"
    );
    let second = whoami(&app, &with_credentials).await;
    assert_eq!(second.0, 200, "{second:?}");
    let third = whoami(&app, &with_token).await;
    assert_eq!(third.0, 200, "{third:?}");

    // The fourth request of the minute, whichever credential: refused, with when to retry.
    assert_rate_limited(&whoami(&app, &with_token).await);
    assert_rate_limited(&whoami(&app, &with_credentials).await);
    let csv = reqwest::Client::new()
        .get(format!("{}/activity.csv", app.base))
        .header("authorization", bearer.as_str())
        .send()
        .await
        .expect("request");
    assert_eq!(csv.status(), 429);
    let wait: u64 = csv.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));

    // The panel in a browser is not an API client: its session is not counted.
    assert!(holder.call("list_users", &[]).await.is_ok());
    assert!(holder.get("/activity.csv").await.status().is_success());

    // Raising the limit lets requests through at once.
    set_limit(&app, &auth_id, 1000).await;
    assert_eq!(whoami(&app, &with_token).await.0, 200);
    let csv = reqwest::Client::new()
        .get(format!("{}/activity.csv", app.base))
        .header("authorization", bearer.as_str())
        .send()
        .await
        .expect("request");
    assert_eq!(csv.status(), 200);
}
