//! The OVHcloud-compatible API (`/1.0`): the official python and node clients' lifecycles, then
//! what the clients cannot show: secrets at rest, the clock window, tampered bodies, both signed
//! URL forms, keys ending with their user, bad input in OVH's error shape, the validation page
//! without JavaScript and the command line.

use reqwest::Method;
use serde_json::{Value, json};

use crate::compat::run_client;
use crate::helpers::{Browser, RealServer, TestApp, spawn_app, unique};
use steward::compat::ovh::signature;

/// An OVHcloud application: key and secret.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub(crate) key: String,
    pub(crate) secret: String,
}

pub(crate) async fn create_application(browser: &Browser) -> App {
    let location = browser
        .call_for_location(
            "create_ovh_application",
            &[("name", "Compat"), ("description", "tests")],
        )
        .await
        .expect("create_ovh_application");
    let revealed = browser.take_reveal(&location).await;
    let app = &revealed["OvhApplication"];
    App {
        key: app["application_key"].as_str().expect("key").to_owned(),
        secret: app["application_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
    }
}

/// Requests a consumer key with `rules` (method, path): (key, validation id).
pub(crate) async fn request_key(
    app: &TestApp,
    application: &App,
    rules: &[(&str, &str)],
) -> (String, String) {
    let rules: Vec<Value> = rules
        .iter()
        .map(|(m, p)| json!({ "method": m, "path": p }))
        .collect();
    let response = reqwest::Client::new()
        .post(format!("{}/1.0/auth/credential", app.base))
        .header("X-Ovh-Application", &application.key)
        .json(&json!({ "accessRules": rules, "redirection": null, "allowedIPs": null }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["state"], "pendingValidation", "{body}");
    let url = body["validationUrl"].as_str().expect("validationUrl");
    let validation = url
        .rsplit_once("/ovh/authorize/")
        .expect("a Steward validation page")
        .1
        .to_owned();
    assert!(
        url.starts_with(&format!("{}/ovh/authorize/", app.base)),
        "{url}"
    );
    (
        body["consumerKey"].as_str().expect("key").to_owned(),
        validation,
    )
}

/// A consumer key with `rules`, authorized by `browser`'s user.
pub(crate) async fn authorized_key(
    app: &TestApp,
    browser: &Browser,
    application: &App,
    rules: &[(&str, &str)],
) -> String {
    let (key, validation) = request_key(app, application, rules).await;
    browser
        .call("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect("authorized");
    key
}

pub(crate) const EVERYTHING: [(&str, &str); 4] = [
    ("GET", "/*"),
    ("POST", "/*"),
    ("PUT", "/*"),
    ("DELETE", "/*"),
];

pub(crate) fn now() -> i64 {
    steward::server::db::now()
}

/// A signed call: the URL signed is `signed_url` (the client's form), the body sent is `body`
/// unless `sent` says otherwise.
pub(crate) struct Call<'a> {
    method: Method,
    path: &'a str,
    body: &'a str,
    sent: Option<&'a str>,
    timestamp: i64,
    pub(crate) signed_url: Option<String>,
    /// The client's address, as a trusted proxy passes it on.
    pub(crate) forwarded_for: Option<&'a str>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, path: &'a str, body: &'a str) -> Self {
        Self {
            method,
            path,
            body,
            sent: None,
            timestamp: now(),
            signed_url: None,
            forwarded_for: None,
        }
    }

    pub(crate) async fn send(&self, app: &TestApp, application: &App, key: &str) -> (u16, Value) {
        let url = format!("{}/1.0{}", app.base, self.path);
        let signed_url = self.signed_url.clone().unwrap_or_else(|| url.clone());
        let timestamp = self.timestamp.to_string();
        let sig = signature(
            &application.secret,
            key,
            self.method.as_str(),
            &signed_url,
            self.body.as_bytes(),
            &timestamp,
        );
        let mut request = reqwest::Client::new()
            .request(self.method.clone(), url)
            .header("X-Ovh-Application", &application.key)
            .header("X-Ovh-Consumer", key)
            .header("X-Ovh-Timestamp", &timestamp)
            .header("X-Ovh-Signature", sig);
        if let Some(address) = self.forwarded_for {
            request = request.header("X-Forwarded-For", address);
        }
        let sent = self.sent.unwrap_or(self.body);
        if !sent.is_empty() {
            request = request
                .header("Content-Type", "application/json")
                .body(sent.to_owned());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, body)
    }
}

pub(crate) async fn get(app: &TestApp, application: &App, key: &str, path: &str) -> (u16, Value) {
    Call::new(Method::GET, path, "")
        .send(app, application, key)
        .await
}

pub(crate) fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["errorCode"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        body["httpCode"]
            .as_str()
            .is_some_and(|c| c.starts_with(&status.to_string())),
        "{body}"
    );
}

/// A main account's holder with an application and a key authorized for everything.
async fn setup(app: &TestApp) -> (Browser, String, App, String) {
    let (holder, account) = app.signed_up(&unique("Ovh")).await;
    let application = create_application(&holder).await;
    let key = authorized_key(app, &holder, &application, &EVERYTHING).await;
    (holder, account, application, key)
}

/// Runs `tests/compat/ovh_node.mjs` with node, from `tests/compat` (its node_modules).
async fn run_node(args: &[&str]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat");
    assert!(
        dir.join("node_modules/@ovhcloud/node-ovh").exists(),
        "run `npm ci` in {} to install the node client",
        dir.display()
    );
    let output = tokio::process::Command::new("node")
        .arg(dir.join("ovh_node.mjs"))
        .args(args)
        .current_dir(&dir)
        .output()
        .await
        .expect("run node");
    assert!(
        output.status.success(),
        "ovh_node.mjs failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_official_ovh_python_client_runs_its_whole_lifecycle() {
    let app = spawn_app().await;
    let (holder, _, application, key) = setup(&app).await;
    let read_only = authorized_key(&app, &holder, &application, &[("GET", "/me/identity/*")]).await;
    let revoked = authorized_key(&app, &holder, &application, &EVERYTHING).await;
    let keys = holder.call("list_ovh_keys", &[]).await.expect("list");
    let newest = keys["consumer_keys"][0]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    holder
        .call("revoke_ovh_consumer_key", &[("id", &newest)])
        .await
        .expect("revoked");
    run_client(
        "ovh_client.py",
        &[
            &app.base,
            &application.key,
            &application.secret,
            &key,
            &read_only,
            &revoked,
        ],
    )
    .await;
}

#[tokio::test]
async fn the_official_ovh_node_client_manages_users() {
    let app = spawn_app().await;
    let (_, _, application, key) = setup(&app).await;
    let port = app.base.rsplit_once(':').expect("port").1.to_owned();
    run_node(&[
        "127.0.0.1",
        &port,
        &application.key,
        &application.secret,
        &key,
    ])
    .await;
}

#[tokio::test]
async fn the_secret_and_consumer_keys_are_not_stored_in_clear() {
    let app = spawn_app().await;
    let (_, _, application, key) = setup(&app).await;
    let (sealed, stored_key): (Vec<u8>, String) = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as("SELECT secret_sealed, application_key FROM ovh_applications")
            .fetch_one(pool)
            .await
    })
    .expect("application row");
    assert_eq!(stored_key, application.key);
    let secret = application.secret.as_bytes();
    assert!(!sealed.windows(secret.len()).any(|w| w == secret));
    let rows: Vec<(String, String, String, String)> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT key_hash, validation_id, access_rules, redirection FROM ovh_consumer_keys",
        )
        .fetch_all(pool)
        .await
    })
    .expect("key rows");
    assert_eq!(rows.len(), 1);
    let (hash, validation, rules, redirection) = &rows[0];
    assert_eq!(hash, &steward::server::infra::secrets::token_hash(&key));
    for column in [hash, validation, rules, redirection] {
        assert!(
            !column.contains(&key),
            "the consumer key is stored in clear"
        );
        assert!(!column.contains(&application.secret));
    }
    // And the sealed secret still opens, bound to its application key.
    let (status, _) = get(&app, &application, &key, "/me/identity/user").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_server_time_is_a_bare_integer_and_unsigned() {
    let app = spawn_app().await;
    let response = reqwest::get(format!("{}/1.0/auth/time", app.base))
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("body");
    let time: i64 = text.trim().parse().expect("a bare integer");
    assert!((time - now()).abs() <= 5, "{text}");
}

#[tokio::test]
async fn timestamps_more_than_five_minutes_off_are_refused() {
    let app = spawn_app().await;
    let (_, _, application, key) = setup(&app).await;
    for at in [i64::MIN, i64::MAX] {
        let mut call = Call::new(Method::GET, "/me/identity/user", "");
        call.timestamp = at;
        assert_error(
            &call.send(&app, &application, &key).await,
            400,
            "QUERY_TIME_OUT",
        );
    }
    for skew in [-301, 301, -3600, 86_400] {
        let mut call = Call::new(Method::GET, "/me/identity/user", "");
        call.timestamp = now() + skew;
        assert_error(
            &call.send(&app, &application, &key).await,
            400,
            "QUERY_TIME_OUT",
        );
    }
    for skew in [-240, 240] {
        let mut call = Call::new(Method::GET, "/me/identity/user", "");
        call.timestamp = now() + skew;
        let (status, body) = call.send(&app, &application, &key).await;
        assert_eq!(status, 200, "{skew}: {body}");
    }
}

#[tokio::test]
async fn a_signature_over_another_body_or_path_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (_, _, application, key) = setup(&app).await;
    let signed = r#"{"description":"Signed"}"#;
    let mut call = Call::new(Method::POST, "/me/subAccount", signed);
    call.sent = Some(r#"{"description":"Tampered"}"#);
    assert_error(
        &call.send(&app, &application, &key).await,
        400,
        "INVALID_SIGNATURE",
    );
    // The same bytes re-serialized (spaces) are another body too.
    call.sent = Some(r#"{"description": "Signed"}"#);
    assert_error(
        &call.send(&app, &application, &key).await,
        400,
        "INVALID_SIGNATURE",
    );
    let mut other_path = Call::new(Method::GET, "/me/subAccount", "");
    other_path.signed_url = Some(format!("{}/1.0/me/identity/user", app.base));
    assert_error(
        &other_path.send(&app, &application, &key).await,
        400,
        "INVALID_SIGNATURE",
    );
    let (status, ids) = get(&app, &application, &key, "/me/subAccount").await;
    assert_eq!(
        (status, ids),
        (200, json!([])),
        "a refused call created something"
    );
    let (status, id) = Call::new(Method::POST, "/me/subAccount", signed)
        .send(&app, &application, &key)
        .await;
    assert_eq!(status, 200, "{id}");
    assert!(id.is_i64());
}

#[tokio::test]
async fn both_signed_url_forms_are_accepted() {
    let app = spawn_app().await;
    let (_, _, application, key) = setup(&app).await;
    let port = app.base.rsplit_once(':').expect("port").1;
    let path = "/me/identity/user?x=1";
    for url in [
        // python: the endpoint as registered, port included.
        format!("http://127.0.0.1:{port}/1.0{path}"),
        // node: https, the host without its port.
        format!("https://127.0.0.1/1.0{path}"),
    ] {
        let mut call = Call::new(Method::GET, path, "");
        call.signed_url = Some(url.clone());
        let (status, body) = call.send(&app, &application, &key).await;
        assert_eq!(status, 200, "{url}: {body}");
    }
    let mut call = Call::new(Method::GET, path, "");
    call.signed_url = Some(format!("http://evil.example/1.0{path}"));
    assert_error(
        &call.send(&app, &application, &key).await,
        400,
        "INVALID_SIGNATURE",
    );
}

#[tokio::test]
async fn a_disabled_users_consumer_key_stops_working() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Ovh")).await;
    let dora = app.user_in(&holder, &account, "dora", "ADMIN").await;
    let application = create_application(&dora).await;
    let key = authorized_key(&app, &dora, &application, &EVERYTHING).await;
    let (status, logins) = get(&app, &application, &key, "/me/identity/user").await;
    assert_eq!(status, 200);
    assert_eq!(logins, json!(["dora"]));
    holder
        .call(
            "set_user_disabled",
            &[("login", "dora"), ("disabled", "true")],
        )
        .await
        .expect("disabled");
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "INVALID_KEY",
    );
    holder
        .call(
            "set_user_disabled",
            &[("login", "dora"), ("disabled", "false")],
        )
        .await
        .expect("enabled");
    // Disabling ended the key for good: enabling the user again does not revive it.
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "INVALID_CREDENTIAL",
    );
}

#[tokio::test]
async fn a_key_granted_by_a_user_ends_when_that_user_is_disabled() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Ovh")).await;
    let application = create_application(&holder).await;
    let dora = app.user_in(&holder, &account, "dora", "ADMIN").await;
    let key = authorized_key(&app, &dora, &application, &EVERYTHING).await;
    assert_eq!(
        get(&app, &application, &key, "/me/identity/user").await.0,
        200
    );
    holder
        .call(
            "set_user_disabled",
            &[("login", "dora"), ("disabled", "true")],
        )
        .await
        .expect("disabled");
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "INVALID_CREDENTIAL",
    );
}

#[tokio::test]
async fn bad_input_gets_ovhs_error_shape_and_changes_nothing() {
    let app = spawn_app().await;
    let (_, _, application, key) = setup(&app).await;
    let post = |body: &'static str| Call::new(Method::POST, "/me/identity/user", body);
    assert_error(
        &post("{not json").send(&app, &application, &key).await,
        400,
        "INVALID_PARAMETERS",
    );
    assert_error(
        &post(r#"{"login":"x""#).send(&app, &application, &key).await,
        400,
        "INVALID_PARAMETERS",
    );
    assert_error(
        &post(r#"{"login":42,"email":"a@example.com","password":"Quartz-Lantern-Meadow-97"}"#)
            .send(&app, &application, &key)
            .await,
        400,
        "INVALID_PARAMETERS",
    );
    assert_error(
        &post("[]").send(&app, &application, &key).await,
        400,
        "INVALID_PARAMETERS",
    );
    let big = format!(
        r#"{{"login":"big","description":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    let answer = Call::new(Method::POST, "/me/identity/user", &big)
        .send(&app, &application, &key)
        .await;
    assert_error(&answer, 413, "PAYLOAD_TOO_LARGE");
    let secret_in_error = post(r#"{"login":"eve","email":"e@example.com","password":"Sentinel1"}"#)
        .send(&app, &application, &key)
        .await;
    assert!(!secret_in_error.1.to_string().contains("Sentinel1"));
    let (_, logins) = get(&app, &application, &key, "/me/identity/user").await;
    assert_eq!(logins, json!([]), "a refused call created a user");
    // Unknown paths and methods under /1.0 answer in the same shape.
    assert_error(
        &get(&app, &application, &key, "/nothing/here").await,
        404,
        "NOT_FOUND",
    );
    let response = reqwest::Client::new()
        .patch(format!("{}/1.0/me/identity/user", app.base))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errorCode"], "METHOD_NOT_ALLOWED");
    // A credential request with bad rules, or none.
    for body in [
        json!({}),
        json!({"accessRules": []}),
        json!({"accessRules": [{"method": "GET"}]}),
        json!({"accessRules": "GET /*"}),
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}/1.0/auth/credential", app.base))
            .header("X-Ovh-Application", &application.key)
            .json(&body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.expect("JSON");
        assert_eq!(answer["errorCode"], "INVALID_PARAMETERS", "{answer}");
    }
    let unknown = reqwest::Client::new()
        .post(format!("{}/1.0/auth/credential", app.base))
        .header("X-Ovh-Application", "0123456789abcdef")
        .json(&json!({"accessRules": [{"method": "GET", "path": "/*"}]}))
        .send()
        .await
        .expect("request");
    assert_eq!(unknown.status(), 403);
}

#[tokio::test]
async fn a_pending_key_is_refused_until_authorized_and_then_acts_as_its_user() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Ovh")).await;
    let application = create_application(&holder).await;
    let (key, validation) = request_key(&app, &application, &[("GET", "/me/*")]).await;
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "NOT_CREDENTIAL",
    );
    // A user with the role None authorizes it: the key reads, and writes nothing.
    let nina = app.user_in(&holder, &account, "nina", "UNPRIVILEGED").await;
    // The page without JavaScript: the rules, an Authorize button, a plain form post.
    let page = nina.get(&format!("/ovh/authorize/{validation}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("GET /me/*") && html.contains("Authorize") && html.contains("Compat"),
        "{html}"
    );
    let posted = nina
        .post_form(
            "authorize_ovh_consumer_key",
            &format!("/ovh/authorize/{validation}"),
            &[("id", &validation)],
        )
        .await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let html = nina
        .get(&format!("/ovh/authorize/{validation}"))
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Authorized"), "{html}");
    assert_eq!(
        get(&app, &application, &key, "/me/identity/user").await.1,
        json!(["nina"])
    );
    let (status, _) = Call::new(
        Method::POST,
        "/me/identity/group",
        r#"{"name":"x","role":"NONE"}"#,
    )
    .send(&app, &application, &key)
    .await;
    assert_eq!(status, 403, "the rules do not allow POST");
    // Authorized once: nobody else can take it, not even its own user again.
    assert!(
        holder
            .call("authorize_ovh_consumer_key", &[("id", &validation)])
            .await
            .is_err()
    );
    assert!(
        nina.call("authorize_ovh_consumer_key", &[("id", &validation)])
            .await
            .is_err()
    );
    // An application's redirection is followed after the authorization.
    let (_, validation) = {
        let response = reqwest::Client::new()
            .post(format!("{}/1.0/auth/credential", app.base))
            .header("X-Ovh-Application", &application.key)
            .json(&json!({"accessRules": [{"method": "GET", "path": "/*"}], "redirection": "https://app.example/done"}))
            .send()
            .await
            .expect("request");
        let body: Value = response.json().await.expect("JSON");
        let url = body["validationUrl"].as_str().expect("url").to_owned();
        (body, url.rsplit_once('/').expect("id").1.to_owned())
    };
    let location = holder
        .call_for_location("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect("authorized");
    assert_eq!(location, "https://app.example/done");
    // A token of role None cannot authorize for its user's whole role.
    let location = holder
        .call_for_location(
            "create_api_token",
            &[
                ("name", "none"),
                ("description", ""),
                ("role", "none"),
                ("expires", ""),
            ],
        )
        .await
        .expect("token");
    let token = holder.take_reveal(&location).await["ApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (_, validation) = request_key(&app, &application, &EVERYTHING).await;
    let refused = reqwest::Client::new()
        .post(format!("{}/api/authorize_ovh_consumer_key", app.base))
        .header("Authorization", format!("APIKey {token}"))
        .header("Accept", "application/json")
        .form(&[("id", &validation)])
        .send()
        .await
        .expect("request");
    assert!(!refused.status().is_success());
}

#[tokio::test]
async fn the_command_line_creates_applications_and_validates_keys() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Ovh")).await;
    app.user_in(&holder, &account, "carl", "DEFAULT").await;
    let steward = |args: &[&str]| app.cli(args);
    let out = steward(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--kind",
        "ovh-application",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let application = App {
        key: created["application_key"].as_str().expect("key").to_owned(),
        secret: created["application_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
    };
    let (key, _) = request_key(&app, &application, &EVERYTHING).await;
    assert_error(
        &get(&app, &application, &key, "/me/identity/user").await,
        403,
        "NOT_CREDENTIAL",
    );
    let user = format!("{account}/carl");
    let out = steward(&[
        "ovh",
        "validate-consumer-key",
        "--key",
        &key,
        "--user",
        &user,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).expect("JSON"),
        json!({"state": "validated"})
    );
    let (status, logins) = get(&app, &application, &key, "/me/identity/user").await;
    assert_eq!(status, 200);
    assert_eq!(logins, json!(["carl"]));
    // carl is a User: reading works, managing users does not.
    let (status, body) = Call::new(Method::DELETE, "/me/identity/user/carl", "")
        .send(&app, &application, &key)
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["errorCode"], "FORBIDDEN");
    let again = steward(&[
        "ovh",
        "validate-consumer-key",
        "--key",
        &key,
        "--user",
        &account,
    ]);
    assert!(!again.status.success());
    assert!(!String::from_utf8_lossy(&again.stderr).contains(&key));
    let unknown = steward(&[
        "ovh",
        "validate-consumer-key",
        "--key",
        "nope",
        "--user",
        &account,
    ]);
    assert!(!unknown.status.success());
}

#[tokio::test]
async fn each_accounts_rate_limit_answers_too_many_requests() {
    let app = spawn_app().await;
    let (_, account, application, key) = setup(&app).await;
    let account_pk = app.account_pk(&account).await;
    steward::execute!(
        &app.state.db,
        "UPDATE accounts SET rate_limit = 3 WHERE id = $1",
        account_pk
    )
    .expect("limit lowered");
    let mut refused = None;
    for _ in 0..10 {
        let answer = get(&app, &application, &key, "/me/identity/user").await;
        if answer.0 != 200 {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("the limit is enforced");
    assert_error(&refused, 429, "TOO_MANY_REQUESTS");
    assert_eq!(refused.1["httpCode"], "429 Too Many Requests");
}

const SENTINEL: &str = "Sentinel-Ovh-Canary-6620";

/// The real binary at the most verbose logging: no application secret, consumer key or
/// password sent through the OVHcloud API reaches the log, nor the database in clear.
#[tokio::test]
async fn no_ovh_secret_reaches_the_log_or_the_database_in_clear() {
    let mut server = RealServer::start("trace", &[]).await;
    let base = server.base.clone();
    let holder = server.browser();
    holder
        .call(
            "signup",
            &[
                ("company", "Lantern Works"),
                ("email", "c@canary.example"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await
        .expect("signed up");
    let application = create_application(&holder).await;
    // The spawned server, reached like a TestApp for the helpers.
    let rules: Vec<Value> = EVERYTHING
        .iter()
        .map(|(m, p)| json!({ "method": m, "path": p }))
        .collect();
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/1.0/auth/credential"))
        .header("X-Ovh-Application", &application.key)
        .json(&json!({ "accessRules": rules }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    let key = answer["consumerKey"].as_str().expect("key").to_owned();
    let validation = answer["validationUrl"]
        .as_str()
        .and_then(|u| u.rsplit_once('/'))
        .expect("url")
        .1
        .to_owned();
    holder
        .call("authorize_ovh_consumer_key", &[("id", &validation)])
        .await
        .expect("authorized");
    let send = |body: String, secret: String, key: String| {
        let base = base.clone();
        let application_key = application.key.clone();
        async move {
            let url = format!("{base}/1.0/me/identity/user");
            let timestamp = now().to_string();
            let sig = signature(&secret, &key, "POST", &url, body.as_bytes(), &timestamp);
            reqwest::Client::new()
                .post(url)
                .header("X-Ovh-Application", application_key)
                .header("X-Ovh-Consumer", key)
                .header("X-Ovh-Timestamp", timestamp)
                .header("X-Ovh-Signature", sig)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .expect("request")
                .status()
        }
    };
    let user =
        json!({"login": "watcher", "email": "w@example.com", "password": SENTINEL}).to_string();
    assert_eq!(
        send(user.clone(), application.secret.clone(), key.clone()).await,
        200
    );
    let weak =
        json!({"login": "weak", "email": "w@example.com", "password": "password"}).to_string();
    assert_eq!(
        send(weak, application.secret.clone(), key.clone()).await,
        400
    );
    // A wrong secret and a wrong key are refused without being echoed anywhere.
    assert_eq!(
        send(
            user.clone(),
            format!("{}x", application.secret),
            key.clone()
        )
        .await,
        400
    );
    assert_eq!(
        send(user, application.secret.clone(), format!("{key}x")).await,
        403
    );
    let log = server.stop();
    assert!(
        log.contains("OVHcloud consumer key authorized"),
        "the log has the events"
    );
    for secret in [SENTINEL, application.secret.as_str(), key.as_str()] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
    let database = server.database_bytes();
    assert!(!database.is_empty());
    for secret in [SENTINEL, application.secret.as_str(), key.as_str()] {
        assert!(
            !database
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "a secret is stored in clear"
        );
    }
}
