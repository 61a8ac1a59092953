//! Conformance: the providers' official clients (pinned in `tests/compat/requirements.txt`,
//! installed by `make test-tools` into `~/.cache/steward/venv`) run their whole lifecycle against
//! a spawned Steward, on SQLite and on PostgreSQL.

use crate::helpers::{Browser, TestApp, spawn_app, unique};

/// The Python with the official clients: `STEWARD_COMPAT_PYTHON`, else the venv `make
/// test-tools` creates.
fn python() -> std::path::PathBuf {
    if let Ok(path) = std::env::var("STEWARD_COMPAT_PYTHON") {
        return path.into();
    }
    let home = std::env::var("HOME").expect("HOME");
    let path = std::path::Path::new(&home).join(".cache/steward/venv/bin/python");
    assert!(
        path.exists(),
        "{} is missing: run `make test-tools` to install the official clients",
        path.display()
    );
    path
}

/// Runs `tests/compat/<script>` with `args`, from an empty directory (the Vobiz client reads a
/// `.env` from where it runs), and fails with its output unless it succeeds.
pub async fn run_client(script: &str, args: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat")
        .join(script);
    let output = tokio::process::Command::new(python())
        .arg(&script)
        .args(args)
        .current_dir(dir.path())
        .output()
        .await
        .expect("run the client");
    assert!(
        output.status.success(),
        "{} failed:\n{}\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new main account with API credentials: (holder's browser, auth_id, auth_token).
pub(crate) async fn account_with_credentials(app: &TestApp) -> (Browser, String, String) {
    let (holder, _) = app.signed_up(&unique("Compat")).await;
    let location = holder
        .call_for_location("rotate_account_credentials", &[])
        .await
        .expect("credentials");
    let revealed = holder.take_reveal(&location).await;
    let credentials = &revealed["AccountCredentials"];
    (
        holder,
        credentials["auth_id"].as_str().expect("auth_id").to_owned(),
        credentials["auth_token"]
            .as_str()
            .expect("token")
            .to_owned(),
    )
}

#[tokio::test]
async fn the_official_vobiz_client_manages_sub_accounts() {
    let app = spawn_app().await;
    let (_holder, auth_id, token) = account_with_credentials(&app).await;
    let (_other, other_auth_id, _) = account_with_credentials(&app).await;
    run_client(
        "vobiz_client.py",
        &[&app.base, &auth_id, &token, &other_auth_id],
    )
    .await;
}

/// A personal API token of `browser`'s user with `role` (`none`, `user` or `admin`).
pub(crate) async fn token_of(browser: &Browser, role: &str) -> String {
    let location = browser
        .call_for_location(
            "create_api_token",
            &[
                ("name", "compat"),
                ("description", ""),
                ("role", role),
                ("expires", ""),
            ],
        )
        .await
        .expect("token");
    browser.take_reveal(&location).await["ApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

#[tokio::test]
async fn the_official_gcore_client_manages_clients_tokens_and_users() {
    let app = spawn_app().await;
    let (holder, _, _) = account_with_credentials(&app).await;
    let other_company = unique("Taken Co");
    app.signed_up(&other_company).await;
    let admin = token_of(&holder, "admin").await;
    let none = token_of(&holder, "none").await;
    run_client(
        "gcore_client.py",
        &[&app.base, &admin, &none, &other_company],
    )
    .await;
}

#[tokio::test]
async fn the_openapi_document_lists_routes_that_exist() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    // An unknown path under /1.0 is "not found", so a documented one answering otherwise exists.
    let unknown = client
        .get(format!("{}/1.0/me/nothing-here", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(unknown.status(), 404);
    assert!(paths.len() >= 10, "{paths:?}");
    for (path, operations) in paths {
        let concrete = path
            .replace("{auth_id}", "MA_ABCDEFGHJK")
            .replace("{login}", "someone")
            .replace("{group}", "DEFAULT")
            .replace("{clientId}", "1")
            .replace("{tokenId}", "1")
            .replace("{userId}", "1")
            .replace("{id}", "1");
        for method in operations.as_object().expect("operations").keys() {
            let method =
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let response = client
                .request(method.clone(), format!("{}{concrete}", app.base))
                .header("content-type", "application/json")
                .header("x-tc-action", "ListUsers")
                .header("x-tc-version", "2019-01-16")
                .body("{}")
                .send()
                .await
                .expect("request");
            let status = response.status();
            if concrete.starts_with("/1.0/") {
                // OVHcloud: only the clock is unsigned; a signed route without its headers is
                // refused (not "not found", which unknown paths under /1.0 answer).
                let body: serde_json::Value = response.json().await.expect("JSON");
                if concrete == "/1.0/auth/time" {
                    assert_eq!(status, 200);
                    assert!(body.is_i64(), "{body}");
                } else {
                    assert_eq!(status, 403, "{method} {concrete}: {body}");
                    assert!(body["errorCode"].is_string(), "{body}");
                }
                continue;
            }
            if concrete == "/" {
                // Tencent Cloud CAM answers every error with HTTP 200 and an envelope.
                let body: serde_json::Value = response.json().await.expect("JSON");
                assert_eq!(status, 200);
                let code = body["Response"]["Error"]["Code"]
                    .as_str()
                    .unwrap_or_default();
                assert!(code.starts_with("AuthFailure"), "POST /: {body}");
                continue;
            }
            assert_eq!(
                status, 401,
                "{method} {concrete}: a documented route answers an anonymous call with 401"
            );
        }
    }
}

/// A request with the account's credentials to the Vobiz sub-accounts list.
async fn vobiz(
    app: &TestApp,
    method: reqwest::Method,
    auth_id: &str,
    token: &str,
    body: Option<Vec<u8>>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(
            method,
            format!("{}/api/v1/accounts/{auth_id}/sub-accounts/", app.base),
        )
        .header("x-auth-id", auth_id)
        .header("x-auth-token", token)
        .header("content-type", "application/json");
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn bad_bodies_get_the_dialects_error_shape_and_change_nothing() {
    let app = spawn_app().await;
    let (_holder, auth_id, token) = account_with_credentials(&app).await;
    let post = reqwest::Method::POST;
    for (body, status) in [
        (b"{\"name\": ".to_vec(), 400),
        (b"not json".to_vec(), 400),
        (b"{\"name\": \"x\", \"rate_limit\": \"lots\"}".to_vec(), 400),
        (b"{\"name\": 42}".to_vec(), 400),
        (b"[]".to_vec(), 400),
        (
            format!(
                "{{\"name\": \"big\", \"description\": \"{}\"}}",
                "x".repeat(70 * 1024)
            )
            .into_bytes(),
            413,
        ),
    ] {
        let (got, answer) = vobiz(&app, post.clone(), &auth_id, &token, Some(body)).await;
        assert_eq!(got, status, "{answer}");
        let message = answer["error"].as_str().expect("an error message");
        assert!(
            !message.is_empty() && !message.contains("lots"),
            "{message}"
        );
    }
    let (status, list) = vobiz(&app, reqwest::Method::GET, &auth_id, &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 0, "nothing was created");

    // Gcore's shape for the same kind of mistakes.
    let (holder, _, _) = account_with_credentials(&app).await;
    let api_token = token_of(&holder, "admin").await;
    let response = reqwest::Client::new()
        .post(format!("{}/iam/clients/create", app.base))
        .header("authorization", format!("APIKey {api_token}"))
        .header("content-type", "application/json")
        .body("{\"company\": [1, 2]}")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let answer: serde_json::Value = response.json().await.expect("JSON");
    assert!(
        answer["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{answer}"
    );
}

#[tokio::test]
async fn an_accounts_rate_limit_is_enforced_per_minute_with_the_dialects_429() {
    let app = spawn_app().await;
    let (holder, auth_id, token) = account_with_credentials(&app).await;
    let api_token = token_of(&holder, "admin").await;
    let set_limit = |limit: i64| {
        let db = app.state.db.clone();
        let auth_id = auth_id.clone();
        async move {
            steward::on_db!(&db, |pool| {
                sqlx::query("UPDATE accounts SET rate_limit = $1 WHERE auth_id = $2")
                    .bind(limit)
                    .bind(&auth_id)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })
            .expect("set the limit");
        }
    };
    set_limit(3).await;
    let (first, _) = vobiz(&app, reqwest::Method::GET, &auth_id, &token, None).await;
    assert_eq!(first, 200, "under the limit");
    // This minute and the next are used up, as other app servers would have counted them.
    let minute = steward::server::db::now().div_euclid(60);
    steward::on_db!(&app.state.db, |pool| {
        sqlx::query(
            "UPDATE api_request_counts SET requests = 3
             WHERE account_id = (SELECT id FROM accounts WHERE auth_id = $1)",
        )
        .bind(&auth_id)
        .execute(pool)
        .await
        .expect("use up this minute");
        sqlx::query(
            "INSERT INTO api_request_counts (account_id, minute, requests)
             SELECT id, $2, 3 FROM accounts WHERE auth_id = $1",
        )
        .bind(&auth_id)
        .bind(minute + 1)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .expect("use up the limit");
    let (status, answer) = vobiz(&app, reqwest::Method::GET, &auth_id, &token, None).await;
    assert_eq!(status, 429, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|m| m.contains("Rate limit"))
    );
    let response = reqwest::Client::new()
        .get(format!("{}/iam/users", app.base))
        .header("authorization", format!("APIKey {api_token}"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        429,
        "the limit is the account's, whatever the dialect"
    );
    let answer: serde_json::Value = response.json().await.expect("JSON");
    assert!(answer["message"].as_str().is_some());
    // Raising the limit lets requests through again at once.
    set_limit(1000).await;
    let (status, _) = vobiz(&app, reqwest::Method::GET, &auth_id, &token, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn every_dialect_refuses_a_user_who_must_enrol_in_two_factor_authentication() {
    let app = spawn_app().await;
    let (holder, auth_id, token) = account_with_credentials(&app).await;
    // Credentials of each dialect, made before the policy.
    let api_token = token_of(&holder, "admin").await;
    let tencent = crate::tencent::create_key(&holder).await;
    let application = crate::ovh::create_application(&holder).await;
    let consumer =
        crate::ovh::authorized_key(&app, &holder, &application, &crate::ovh::EVERYTHING).await;
    holder
        .call("set_two_factor_policy", &[("administrators", "on")])
        .await
        .expect("policy set");
    assert_eq!(holder.me().await["must_enrol_two_factor"], true);

    // Vobiz: the account's credentials act as its holder, who has not enrolled.
    let (status, answer) = vobiz(&app, reqwest::Method::GET, &auth_id, &token, None).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|m| m.contains("two-factor")),
        "{answer}"
    );
    let body = br#"{"name": "Refused Ltd", "email": "r@refused.example"}"#.to_vec();
    let (status, _) = vobiz(&app, reqwest::Method::POST, &auth_id, &token, Some(body)).await;
    assert_eq!(status, 403);
    // Gcore, OVHcloud and Tencent Cloud answer the same refusal in their own shapes.
    let gcore = reqwest::Client::new()
        .get(format!("{}/iam/users", app.base))
        .header("authorization", format!("APIKey {api_token}"))
        .send()
        .await
        .expect("request");
    assert_eq!(gcore.status(), 403);
    let (status, answer) =
        crate::ovh::get(&app, &application, &consumer, "/me/identity/user").await;
    assert_eq!(status, 403, "{answer}");
    let answer =
        crate::tencent::call(&app.base, &tencent, "ListUsers", serde_json::json!({})).await;
    assert_eq!(
        answer["Error"]["Code"], "AuthFailure.UnauthorizedOperation",
        "{answer}"
    );
    for message in [
        answer["Error"]["Message"].clone(),
        crate::ovh::get(&app, &application, &consumer, "/me/identity/user")
            .await
            .1["message"]
            .clone(),
    ] {
        assert_eq!(
            message,
            steward::compat::kit::TWO_FACTOR_PENDING,
            "one rule, one message"
        );
    }

    // Enrolled, the same credentials work again, and nothing was made meanwhile.
    crate::two_factor::enrol(&holder).await;
    let (status, list) = vobiz(&app, reqwest::Method::GET, &auth_id, &token, None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 0, "nothing was created while refused");
    let (status, _) = crate::ovh::get(&app, &application, &consumer, "/me/identity/user").await;
    assert_eq!(status, 200);
}
