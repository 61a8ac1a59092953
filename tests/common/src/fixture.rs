//! What the crash and load tests share: an account to work in, with an administrator's API
//! token and account credentials, and the creations they fire at the server.

use reqwest::header::ACCEPT;
use serde_json::json;

use crate::{Browser, PASSWORD, RealServer, unique};
use steward::server::db::Db;

/// A main account with the means to create users (an Administrator's API token, for server
/// functions) and sub-accounts (account credentials, for the Vobiz API).
#[derive(Clone)]
pub struct Tenant {
    pub account_id: String,
    pub api_token: String,
    pub auth_id: String,
    pub auth_token: String,
}

/// Signs up a new account on `server` and gives it credentials. Its API rate limit is raised
/// so that the suite measures the server, not the limiter.
pub async fn tenant(server: &RealServer) -> (Tenant, Browser) {
    let browser = server.browser();
    let account_id = browser
        .call(
            "signup",
            &[
                ("company", &unique("Reliable")),
                ("email", "holder@reliable.example"),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect("sign-up")
        .as_str()
        .expect("account id")
        .to_owned();
    let location = browser
        .call_for_location(
            "create_api_token",
            &[
                ("name", "reliability"),
                ("description", ""),
                ("role", "admin"),
                ("expires", ""),
            ],
        )
        .await
        .expect("API token");
    let api_token = browser.take_reveal(&location).await["ApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let location = browser
        .call_for_location("rotate_account_credentials", &[])
        .await
        .expect("account credentials");
    let revealed = browser.take_reveal(&location).await;
    let credentials = &revealed["AccountCredentials"];
    let tenant = Tenant {
        account_id,
        api_token,
        auth_id: credentials["auth_id"].as_str().expect("auth_id").to_owned(),
        auth_token: credentials["auth_token"]
            .as_str()
            .expect("auth_token")
            .to_owned(),
    };
    let db = Db::connect(&server.database_url).await.expect("database");
    steward::on_db!(&db, |pool| {
        sqlx::query("UPDATE accounts SET rate_limit = 1000000000 WHERE code = $1")
            .bind(&tenant.account_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("raise the rate limit");
    steward::on_db!(&db, |pool| pool.close().await);
    (tenant, browser)
}

/// What became of one request.
#[derive(Debug)]
pub enum Outcome {
    /// A 2xx answer arrived in full: the server has promised the write.
    Acknowledged,
    /// The server answered something else.
    Refused(u16, String),
    /// No answer (the server died or the connection broke): the write may or may not exist.
    Lost,
}

async fn outcome(response: Result<reqwest::Response, reqwest::Error>) -> Outcome {
    let Ok(response) = response else {
        return Outcome::Lost;
    };
    let status = response.status();
    match response.text().await {
        Ok(_) if status.is_success() => Outcome::Acknowledged,
        Ok(body) => Outcome::Refused(status.as_u16(), body),
        Err(_) => Outcome::Lost,
    }
}

/// A user `login` in the tenant's account, through the `create_user` server function.
pub async fn create_user(
    client: &reqwest::Client,
    base: &str,
    tenant: &Tenant,
    login: &str,
) -> Outcome {
    let email = format!("{login}@reliable.example");
    let response = client
        .post(format!("{base}/api/create_user"))
        .header(ACCEPT, "application/json")
        .bearer_auth(&tenant.api_token)
        .form(&[
            ("login", login),
            ("email", &email),
            ("group", "DEFAULT"),
            ("description", ""),
            ("password", PASSWORD),
        ])
        .send()
        .await;
    outcome(response).await
}

/// A sub-account `name` of the tenant's account, through the Vobiz API.
pub async fn create_sub_account(
    client: &reqwest::Client,
    base: &str,
    tenant: &Tenant,
    name: &str,
) -> Outcome {
    let response = client
        .post(format!(
            "{base}/api/v1/accounts/{}/sub-accounts/",
            tenant.auth_id
        ))
        .header("x-auth-id", &tenant.auth_id)
        .header("x-auth-token", &tenant.auth_token)
        .json(&json!({ "name": name }))
        .send()
        .await;
    outcome(response).await
}

/// A number from the environment, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
        Err(_) => default,
    }
}

/// A random number below `bound` (the standard library's randomly keyed hasher is enough).
pub fn random_below(bound: u64) -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(bound) % bound
}
