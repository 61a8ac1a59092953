//! The Tencent Cloud CAM-compatible API (`POST /`, TC3-HMAC-SHA256): the official client's whole
//! lifecycle, then what the client cannot show: the SecretKey sealed at rest, keys ending with
//! their user, expired or tampered requests, malformed and oversized bodies, the rate limit, the
//! command line and the API keys page.

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Browser, PASSWORD, RealServer, spawn_app, spawn_app_with, unique};

/// An access key: SecretId and SecretKey.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    id: String,
    secret: String,
}

/// Creates an access key as `browser`'s user and takes its one-time reveal.
pub(crate) async fn create_key(browser: &Browser) -> Key {
    let location = browser
        .call_for_location("create_tencent_key", &[])
        .await
        .expect("create_tencent_key");
    let revealed = browser.take_reveal(&location).await;
    let key = &revealed["TencentAccessKey"];
    Key {
        id: key["secret_id"].as_str().expect("secret_id").to_owned(),
        secret: key["secret_key"].as_str().expect("secret_key").to_owned(),
    }
}

/// The id of `browser`'s user's key `secret_id`, from the list.
async fn key_id(browser: &Browser, secret_id: &str) -> i64 {
    let keys = browser.call("list_tencent_keys", &[]).await.expect("list");
    keys.as_array()
        .expect("a list")
        .iter()
        .find(|k| k["secret_id"] == secret_id)
        .and_then(|k| k["id"].as_i64())
        .expect("the key is listed")
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// A request as the SDK signs it, with what may be changed for a test.
struct Signed<'a> {
    key: &'a Key,
    action: &'a str,
    /// What is signed.
    body: &'a [u8],
    /// What is sent (the signed body unless a test tampers with it).
    sent: Option<&'a [u8]>,
    timestamp: i64,
    signed_headers: &'a str,
    /// The host signed, when not the one the request is sent to (behind a proxy).
    signed_host: Option<&'a str>,
}

impl<'a> Signed<'a> {
    fn new(key: &'a Key, action: &'a str, body: &'a [u8]) -> Self {
        Self {
            key,
            action,
            body,
            sent: None,
            timestamp: time::OffsetDateTime::now_utc().unix_timestamp(),
            signed_headers: "content-type;host",
            signed_host: None,
        }
    }

    fn authorization(&self, host: &str) -> String {
        let hex_sha = |data: &[u8]| hex::encode(Sha256::digest(data));
        let canonical_headers = match self.signed_headers {
            "content-type;host" => format!("content-type:application/json\nhost:{host}\n"),
            "content-type" => "content-type:application/json\n".to_owned(),
            other => panic!("no canonical headers for {other}"),
        };
        let canonical = format!(
            "POST\n/\n\n{canonical_headers}\n{}\n{}",
            self.signed_headers,
            hex_sha(self.body)
        );
        let date = time::OffsetDateTime::from_unix_timestamp(self.timestamp)
            .unwrap()
            .date()
            .to_string();
        let to_sign = format!(
            "TC3-HMAC-SHA256\n{}\n{date}/cam/tc3_request\n{}",
            self.timestamp,
            hex_sha(canonical.as_bytes())
        );
        let k_date = hmac(
            format!("TC3{}", self.key.secret).as_bytes(),
            date.as_bytes(),
        );
        let k_service = hmac(&k_date, b"cam");
        let k_signing = hmac(&k_service, b"tc3_request");
        let signature = hex::encode(hmac(&k_signing, to_sign.as_bytes()));
        format!(
            "TC3-HMAC-SHA256 Credential={}/{date}/cam/tc3_request, SignedHeaders={}, Signature={signature}",
            self.key.id, self.signed_headers
        )
    }

    /// Sends it and returns the `Response` object, after checking the envelope: HTTP 200 and
    /// `Content-Type: application/json` exactly, whatever happened.
    async fn send(&self, base: &str) -> Value {
        let host = self
            .signed_host
            .unwrap_or_else(|| base.trim_start_matches("http://"));
        let response = reqwest::Client::new()
            .post(format!("{base}/"))
            .header(CONTENT_TYPE, "application/json")
            .header("authorization", self.authorization(host))
            .header("x-tc-action", self.action)
            .header("x-tc-version", "2019-01-16")
            .header("x-tc-timestamp", self.timestamp.to_string())
            .body(self.sent.unwrap_or(self.body).to_vec())
            .send()
            .await
            .expect("request");
        envelope(response).await
    }
}

/// The `Response` of a CAM answer, which must be HTTP 200 with `Content-Type: application/json`.
async fn envelope(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/json",
        "the SDK needs exactly this Content-Type"
    );
    let body: Value = response.json().await.expect("a JSON body");
    let answer = body["Response"].clone();
    assert!(
        answer["RequestId"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{body}"
    );
    answer
}

pub(crate) async fn call(base: &str, key: &Key, action: &str, params: Value) -> Value {
    let body = params.to_string();
    Signed::new(key, action, body.as_bytes()).send(base).await
}

fn error_code(answer: &Value) -> &str {
    answer["Error"]["Code"].as_str().unwrap_or("")
}

#[track_caller]
pub(crate) fn assert_ok(answer: &Value) {
    assert!(answer["Error"].is_null(), "expected success: {answer}");
}

#[track_caller]
fn assert_refused(answer: &Value, code: &str) {
    assert_eq!(error_code(answer), code, "{answer}");
    assert!(
        answer["Error"]["Message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{answer}"
    );
}

/// A user of the account as the panel shows them, or `None` once removed.
async fn panel_user(holder: &Browser, login: &str) -> Option<Value> {
    match holder.call("get_user", &[("login", login)]).await {
        Ok(user) => Some(user),
        Err(steward::error::AppError::NotFound) => None,
        Err(other) => panic!("get_user {login}: {other:?}"),
    }
}

#[tokio::test]
async fn the_official_tencent_client_manages_users_and_groups() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Tencent")).await;
    let nina = app.user_in(&holder, &account, "nina", "UNPRIVILEGED").await;
    let admin_key = create_key(&holder).await;
    let none_key = create_key(&nina).await;
    let deleted = create_key(&holder).await;
    let id = key_id(&holder, &deleted.id).await;
    holder
        .call_for_location("delete_tencent_key", &[("id", &id.to_string())])
        .await
        .expect("deleted");

    crate::compat::run_client(
        "tencent_client.py",
        &[
            &app.base,
            &admin_key.id,
            &admin_key.secret,
            &none_key.id,
            &none_key.secret,
            &deleted.id,
            &deleted.secret,
        ],
    )
    .await;

    // What the client did, as the panel sees it.
    assert!(panel_user(&holder, "alice").await.is_none());
    assert!(panel_user(&holder, "henry").await.is_none());
    let bob = panel_user(&holder, "bob").await.expect("bob");
    assert_eq!(bob["group"], "ADMIN", "{bob}");
    assert_eq!(bob["status"], "PASSWORD_CHANGE_REQUIRED", "{bob}");
    let carol = panel_user(&holder, "carol").await.expect("carol");
    // ops was made with None, then given AdministratorAccess.
    assert_eq!(carol["group"], "ops", "{carol}");
    assert_eq!(carol["role"], "Administrator", "{carol}");
    assert_eq!(carol["status"], "OK", "{carol}");
    assert_eq!(carol["email"], "carol@new.example", "{carol}");
    assert_eq!(carol["description"], "Day shift", "{carol}");
    let dave = panel_user(&holder, "dave").await.expect("dave");
    assert_eq!(dave["group"], "DEFAULT", "{dave}");
    // The password the client chose, with no change required.
    assert_eq!(dave["status"], "OK", "{dave}");
    for refused in ["erin", "frank", "gina", "mallory", "not a name!"] {
        assert!(panel_user(&holder, refused).await.is_none(), "{refused}");
    }
    let groups = holder.call("list_groups", &[]).await.unwrap();
    let ops = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "ops")
        .expect("ops");
    assert_eq!(ops["role"], "Administrator", "{ops}");
    assert_eq!(ops["description"], "Operations", "{ops}");
    // carol's password is the one the client chose.
    let carol_browser = app.browser();
    carol_browser
        .call(
            "login",
            &[
                ("account_id", &format!("{account}/carol")),
                ("password", "Copper-Harbor-Violin-19"),
            ],
        )
        .await
        .expect("carol logs in");
    // dave (ConsoleLogin=0) has the right password, and is still kept out of the panel, with
    // the answer any failed login gets; once let in, his login's address is CAM's
    // RecentlyLoginIP.
    let dave_login = [
        ("account_id", format!("{account}/dave")),
        ("password", "Quartz-Meadow-Lantern-77".to_owned()),
    ];
    let dave_login: Vec<(&str, &str)> = dave_login.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let kept_out = app.browser().call("login", &dave_login).await;
    assert_eq!(kept_out.unwrap_err(), steward::error::AppError::LoginFailed);
    let got = call(&app.base, &admin_key, "GetUser", json!({"Name": "dave"})).await;
    assert_eq!(got["RecentlyLoginIP"], "", "{got}");
    let let_in = call(
        &app.base,
        &admin_key,
        "UpdateUser",
        json!({"Name": "dave", "ConsoleLogin": 1}),
    )
    .await;
    assert!(let_in["Error"].is_null(), "{let_in}");
    app.browser()
        .call("login", &dave_login)
        .await
        .expect("dave logs in");
    let got = call(&app.base, &admin_key, "GetUser", json!({"Name": "dave"})).await;
    assert_eq!(got["RecentlyLoginIP"], "127.0.0.1", "{got}");
    assert_eq!(got["ConsoleLogin"], 1, "{got}");
}

#[tokio::test]
async fn the_secret_key_is_sealed_at_rest() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Sealed")).await;
    let key = create_key(&holder).await;
    // It works...
    assert_ok(&call(&app.base, &key, "ListUsers", json!({})).await);
    // ...yet it is nowhere in the database in clear, nor hex-encoded.
    let needles = [key.secret.clone(), hex::encode(&key.secret)];
    for (place, haystack) in app.database_contents().await {
        for needle in &needles {
            assert!(
                !haystack.contains(needle.as_str()),
                "the SecretKey is in clear in {place}"
            );
        }
    }
    // It is there sealed with the server key, bound to its SecretId.
    let sealed: Vec<u8> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT secret_key_sealed FROM tencent_access_keys WHERE secret_id = $1")
            .bind(&key.id)
            .fetch_one(pool)
            .await
    })
    .unwrap();
    let clear = app
        .state
        .server_key
        .decrypt(&sealed, &format!("tencent:{}", key.id))
        .unwrap();
    assert_eq!(clear, key.secret.as_bytes());
    assert!(
        app.state
            .server_key
            .decrypt(&sealed, "tencent:AKIDanother")
            .is_err()
    );
    // The reveal was shown once: the list and the page never show the SecretKey.
    let list = holder.call("list_tencent_keys", &[]).await.unwrap();
    assert!(!list.to_string().contains(&key.secret), "{list}");
    assert!(list.to_string().contains(&key.id), "{list}");
    let page = holder.get("/api-keys").await.text().await.unwrap();
    assert!(page.contains("Tencent Cloud access keys"));
    assert!(page.contains(&key.id));
    assert!(!page.contains(&key.secret));
}

#[tokio::test]
async fn a_key_stops_working_when_its_user_is_disabled_or_deletes_it() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Disabled")).await;
    let kim = app.user_in(&holder, &account, "kim", "ADMIN").await;
    let key = create_key(&kim).await;
    let created = call(
        &app.base,
        &key,
        "AddUser",
        json!({"Name": "lee", "Email": "lee@example.com"}),
    )
    .await;
    assert_ok(&created);
    assert!(created["Password"].as_str().is_some(), "{created}");

    holder
        .call(
            "set_user_disabled",
            &[("login", "kim"), ("disabled", "true")],
        )
        .await
        .unwrap();
    let refused = call(&app.base, &key, "ListUsers", json!({})).await;
    assert_refused(&refused, "AuthFailure.SecretIdNotFound");
    // Enabling kim again does not bring back a key made before.
    holder
        .call(
            "set_user_disabled",
            &[("login", "kim"), ("disabled", "false")],
        )
        .await
        .unwrap();
    let refused = call(&app.base, &key, "ListUsers", json!({})).await;
    assert_refused(&refused, "AuthFailure.SecretIdNotFound");

    // A new key works, until kim deletes it; nobody else can delete it.
    let kim = app.browser();
    kim.call(
        "login",
        &[
            ("account_id", &format!("{account}/kim")),
            ("password", PASSWORD),
        ],
    )
    .await
    .unwrap();
    let fresh = create_key(&kim).await;
    assert_ok(&call(&app.base, &fresh, "ListUsers", json!({})).await);
    let id = key_id(&kim, &fresh.id).await.to_string();
    assert_eq!(
        holder.call("delete_tencent_key", &[("id", &id)]).await,
        Err(steward::error::AppError::NotFound)
    );
    assert_ok(&call(&app.base, &fresh, "ListUsers", json!({})).await);
    kim.call_for_location("delete_tencent_key", &[("id", &id)])
        .await
        .unwrap();
    let refused = call(&app.base, &fresh, "ListUsers", json!({})).await;
    assert_refused(&refused, "AuthFailure.SecretIdNotFound");
}

/// Behind nginx's plain `proxy_pass` the `Host` is the upstream's; the SDK signed the public host.
#[tokio::test]
async fn behind_a_proxy_the_public_host_is_the_signed_one() {
    let app = spawn_app_with(|config| {
        config.public_url = Some(
            steward::server::infra::public_url::PublicUrl::parse("https://cam.example.com")
                .unwrap(),
        );
    })
    .await;
    let (holder, _) = app.signed_up(&unique("CamProxy")).await;
    let key = create_key(&holder).await;
    let mut call = Signed::new(&key, "ListUsers", b"{}");
    call.signed_host = Some("cam.example.com");
    let answer = call.send(&app.base).await;
    assert!(answer.get("Error").is_none(), "{answer}");
    call.signed_host = Some("evil.example.com");
    assert_refused(&call.send(&app.base).await, "AuthFailure.SignatureFailure");
    // The host the request was sent to still verifies (a client inside the network).
    call.signed_host = None;
    assert!(call.send(&app.base).await.get("Error").is_none());
}

#[tokio::test]
async fn expired_timestamps_and_tampered_requests_are_refused() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Tamper")).await;
    let key = create_key(&holder).await;
    let body = br#"{"Name": "tess", "Email": "tess@example.com"}"#;
    let tampered = br#"{"Name": "tess", "Email": "evil@example.com"}"#;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    // Well outside the 300-second window: a second or two of a busy machine between reading the
    // clock here and the server's check must not bring a request back in.
    for skew in [-330, 330, -86_400] {
        let mut old = Signed::new(&key, "AddUser", body);
        old.timestamp = now + skew;
        assert_refused(&old.send(&app.base).await, "AuthFailure.SignatureExpire");
    }
    let mut changed = Signed::new(&key, "AddUser", body);
    changed.sent = Some(tampered);
    assert_refused(
        &changed.send(&app.base).await,
        "AuthFailure.SignatureFailure",
    );
    let mut unsigned_host = Signed::new(&key, "AddUser", body);
    unsigned_host.signed_headers = "content-type";
    assert_refused(
        &unsigned_host.send(&app.base).await,
        "AuthFailure.InvalidAuthorization",
    );
    let wrong = Key {
        id: key.id.clone(),
        secret: "x".repeat(32),
    };
    assert_refused(
        &Signed::new(&wrong, "AddUser", body).send(&app.base).await,
        "AuthFailure.SignatureFailure",
    );
    assert!(
        panel_user(&holder, "tess").await.is_none(),
        "a refused request wrote"
    );

    // Within five minutes, and untouched: accepted.
    let mut recent = Signed::new(&key, "AddUser", body);
    recent.timestamp = now - 200;
    assert_ok(&recent.send(&app.base).await);
    let tess = panel_user(&holder, "tess").await.expect("tess");
    assert_eq!(tess["email"], "tess@example.com");
}

#[tokio::test]
async fn malformed_bodies_get_a_cam_error_envelope_and_change_nothing() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Malformed")).await;
    let key = create_key(&holder).await;

    let cases: [(&[u8], &str); 5] = [
        (b"{\"Name\": \"uma\", ", "InvalidParameter"),
        (b"[\"Name\"]", "InvalidParameter"),
        (
            br#"{"Name": "uma", "Email": "uma@example.com", "UseApi": "yes"}"#,
            "InvalidParameter",
        ),
        (
            br#"{"Name": "uma", "Email": "uma@example.com", "Admin": true}"#,
            "UnknownParameter",
        ),
        (br#"{"Email": "uma@example.com"}"#, "MissingParameter"),
    ];
    for (body, code) in cases {
        let answer = Signed::new(&key, "AddUser", body).send(&app.base).await;
        assert_refused(&answer, code);
        assert!(
            !answer.to_string().contains("yes"),
            "a value is echoed: {answer}"
        );
    }
    // 70 KiB: over the limit, refused before anything is read.
    let big = format!(
        r#"{{"Name": "uma", "Email": "uma@example.com", "Remark": "{}"}}"#,
        "r".repeat(70 * 1024)
    );
    let answer = Signed::new(&key, "AddUser", big.as_bytes())
        .send(&app.base)
        .await;
    assert_refused(&answer, "RequestSizeLimitExceeded");
    assert!(panel_user(&holder, "uma").await.is_none());

    // Unsigned, unknown action, another version: still CAM's envelope.
    let raw = |headers: Vec<(&'static str, String)>| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/", app.base))
            .header(CONTENT_TYPE, "application/json")
            .body("{}");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request
    };
    let answer = envelope(
        raw(vec![("x-tc-action", "ListUsers".into())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_refused(&answer, "AuthFailure.InvalidAuthorization");
    let answer = envelope(
        raw(vec![(
            "authorization",
            "TC3-HMAC-SHA256 Credential=nonsense".into(),
        )])
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_refused(&answer, "AuthFailure.InvalidAuthorization");
    assert_refused(
        &call(&app.base, &key, "DescribeInstances", json!({})).await,
        "InvalidAction",
    );
    // The panel's own page is still at GET /.
    let home = holder.get("/").await;
    assert_eq!(home.status(), 200);
    assert!(
        home.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn the_accounts_rate_limit_answers_request_limit_exceeded() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Limited")).await;
    let key = create_key(&holder).await;
    steward::execute!(
        &app.state.db,
        "UPDATE accounts SET rate_limit = 3 WHERE code = $1",
        &account
    )
    .unwrap();
    let mut codes = Vec::new();
    for _ in 0..7 {
        let answer = call(&app.base, &key, "ListUsers", json!({})).await;
        codes.push(error_code(&answer).to_owned());
    }
    // Three a minute: even if a new minute starts on the way, some are refused.
    let refused = codes
        .iter()
        .filter(|c| *c == "RequestLimitExceeded")
        .count();
    let answered = codes.iter().filter(|c| c.is_empty()).count();
    assert_eq!(refused + answered, codes.len(), "{codes:?}");
    assert!(refused >= 1 && answered >= 3, "{codes:?}");
    assert!(codes[..3].iter().all(String::is_empty), "{codes:?}");
}

#[tokio::test]
async fn a_key_of_a_user_who_is_no_administrator_reads_only_and_tokens_cannot_mint_keys() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Readers")).await;
    let ulla = app.user_in(&holder, &account, "ulla", "DEFAULT").await;
    let key = create_key(&ulla).await;
    let got = call(&app.base, &key, "GetUser", json!({"Name": "ulla"})).await;
    assert_ok(&got);
    assert_eq!(got["Name"], "ulla");
    for (action, params) in [
        (
            "AddUser",
            json!({"Name": "vic", "Email": "vic@example.com"}),
        ),
        ("UpdateUser", json!({"Name": "ulla", "Remark": "promoted"})),
        ("CreateGroup", json!({"GroupName": "mine"})),
        ("AttachUserPolicy", json!({"PolicyId": 1, "AttachUin": 1})),
        ("DeleteUser", json!({"Name": "ulla", "Force": 1})),
    ] {
        assert_refused(
            &call(&app.base, &key, action, params).await,
            "AuthFailure.UnauthorizedOperation",
        );
    }
    let ulla_now = panel_user(&holder, "ulla").await.expect("ulla");
    assert_eq!(ulla_now["description"], "");
    assert_eq!(ulla_now["group"], "DEFAULT");

    // A personal token acts with at most its role; a key would act with the user's whole role,
    // so only a logged-in browser makes keys.
    let location = holder
        .call_for_location(
            "create_api_token",
            &[
                ("name", "reader"),
                ("description", ""),
                ("role", "none"),
                ("expires", ""),
            ],
        )
        .await
        .unwrap();
    let token = holder.take_reveal(&location).await["ApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = reqwest::Client::new()
        .post(format!("{}/api/create_tencent_key", app.base))
        .header("authorization", format!("APIKey {token}"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(!response.status().is_success());
    let error: steward::error::AppError = response.json().await.unwrap();
    assert_eq!(error, steward::error::AppError::Forbidden);
}

#[tokio::test]
async fn without_javascript_the_page_creates_and_deletes_keys() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("No script")).await;
    let created = holder
        .post_form("create_tencent_key", "/api-keys", &[])
        .await;
    assert!(created.status().is_redirection(), "{}", created.status());
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/reveal/"), "{location}");
    let page = holder.get(&location).await.text().await.unwrap();
    assert!(page.contains("SecretKey"));
    let list = holder.call("list_tencent_keys", &[]).await.unwrap();
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let secret_id = list[0]["secret_id"].as_str().unwrap().to_owned();
    assert!(page.contains(&secret_id));
    // A second visit shows nothing.
    let again = holder.get(&location).await.text().await.unwrap();
    assert!(!again.contains(&secret_id));

    let page = holder.get("/api-keys").await.text().await.unwrap();
    assert!(page.contains(&secret_id) && page.contains("Delete access key"));
    let deleted = holder
        .post_form("delete_tencent_key", "/api-keys", &[("id", &id)])
        .await;
    assert!(deleted.status().is_redirection(), "{}", deleted.status());
    assert_eq!(
        deleted.headers()["location"].to_str().unwrap(),
        "/api-keys?tencent_deleted=1"
    );
    let page = holder
        .get("/api-keys?tencent_deleted=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Access key deleted."));
    assert!(!page.contains(&secret_id));
}

#[tokio::test]
async fn the_command_line_creates_an_access_key_for_a_user() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Cli Tencent")).await;
    app.user_in(&holder, &account, "nina", "UNPRIVILEGED").await;
    let run = |args: &[&str]| app.cli(args);
    let out = run(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--user",
        "nina",
        "--kind",
        "tencent-access-key",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    let fields: Vec<&String> = printed.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["secret_id", "secret_key"], "{printed}");
    let key = Key {
        id: printed["secret_id"].as_str().unwrap().to_owned(),
        secret: printed["secret_key"].as_str().unwrap().to_owned(),
    };
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&key.secret));
    let me = call(&app.base, &key, "GetUser", json!({"Name": "nina"})).await;
    assert_ok(&me);
    assert_refused(
        &call(
            &app.base,
            &key,
            "AddUser",
            json!({"Name": "x", "Email": "x@example.com"}),
        )
        .await,
        "AuthFailure.UnauthorizedOperation",
    );
    // The holder's, by default: an Administrator.
    let out = run(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--kind",
        "tencent-access-key",
    ]);
    let printed: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    let key = Key {
        id: printed["secret_id"].as_str().unwrap().to_owned(),
        secret: printed["secret_key"].as_str().unwrap().to_owned(),
    };
    assert_ok(
        &call(
            &app.base,
            &key,
            "AddUser",
            json!({"Name": "xavier", "Email": "x@example.com"}),
        )
        .await,
    );
    let refused = run(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--kind",
        "tencent-access-key",
        "--role",
        "none",
    ]);
    assert!(!refused.status.success());
    assert!(refused.stdout.is_empty());
}

#[tokio::test]
async fn no_secret_key_or_password_reaches_the_log_or_the_database_in_clear() {
    const CHOSEN: &str = "Sentinel-Tencent-Chosen-4471";
    const PICKED: &str = "Sentinel-Tencent-Given-9022";
    let mut server = RealServer::start("trace", &[]).await;
    let base = server.base.clone();
    let holder = server.browser();
    holder
        .call(
            "signup",
            &[
                ("company", "Granite Works Ltd"),
                ("email", "o@granite.example"),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap();
    let key = create_key(&holder).await;
    let with_password = call(
        &base,
        &key,
        "AddUser",
        json!({"Name": "picked", "Email": "c@granite.example", "Password": CHOSEN}),
    )
    .await;
    assert_ok(&with_password);
    let generated = call(
        &base,
        &key,
        "AddUser",
        json!({"Name": "generated", "Email": "g@granite.example", "UseApi": 1}),
    )
    .await;
    assert_ok(&generated);
    let password = generated["Password"].as_str().unwrap().to_owned();
    let new_key = Key {
        id: generated["SecretId"].as_str().unwrap().to_owned(),
        secret: generated["SecretKey"].as_str().unwrap().to_owned(),
    };
    assert_ok(&call(&base, &new_key, "GetUser", json!({"Name": "generated"})).await);
    // A password an Administrator chooses through UpdateUser: kept only as a hash.
    let chosen = call(
        &base,
        &key,
        "UpdateUser",
        json!({"Name": "picked", "Password": PICKED}),
    )
    .await;
    assert_ok(&chosen);
    assert!(!chosen.to_string().contains(PICKED));
    let wrong = Key {
        id: key.id.clone(),
        secret: "Sentinel-Tencent-WrongKey-00000".to_owned(),
    };
    assert_refused(
        &call(&base, &wrong, "ListUsers", json!({})).await,
        "AuthFailure.SignatureFailure",
    );

    let log = server.stop();
    assert!(
        log.contains("Tencent Cloud access key created"),
        "the log is empty"
    );
    let secrets = [
        key.secret.as_str(),
        new_key.secret.as_str(),
        password.as_str(),
        CHOSEN,
        PICKED,
        "Sentinel-Tencent-WrongKey-00000",
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "a secret reached the log");
    }
    let database = String::from_utf8_lossy(&server.database_bytes()).into_owned();
    for secret in secrets {
        assert!(
            !database.contains(secret),
            "a secret is in clear in the database"
        );
    }
}

#[tokio::test]
async fn a_burst_of_create_access_key_stops_at_two_keys_a_user() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Burst Keys")).await;
    // The holder's first key, made in the panel; CAM allows one more.
    let key = create_key(&holder).await;
    let answers = futures::future::join_all(
        (0..6).map(|_| call(&app.base, &key, "CreateAccessKey", json!({}))),
    )
    .await;
    let made = answers.iter().filter(|a| a["Error"].is_null()).count();
    assert_eq!(made, 1, "{answers:?}");
    for refused in answers.iter().filter(|a| !a["Error"].is_null()) {
        assert_refused(refused, "OperationDenied.AccessKeyOverLimit");
    }
    let listed = call(&app.base, &key, "ListAccessKeys", json!({})).await;
    assert_eq!(
        listed["AccessKeys"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );
}
