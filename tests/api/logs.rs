//! SECURITY.md rules 22 and 23: no password, TOTP seed, recovery code, API token or credential
//! reaches a log line, and none is stored in clear. The real
//! binary runs with the most verbose logging while flows carry sentinel secrets; then the log and
//! the database files are searched for them.

use crate::helpers::{PASSWORD, RealServer};

const SIGNUP: &str = "Sentinel-Signup-Canary-7391";
const WRONG: &str = "Sentinel-Wrong-Canary-2846";
const USER: &str = "Sentinel-User-Canary-5530";
const CHANGED: &str = "Sentinel-Changed-Canary-8812";
const CHECKED: &str = "Sentinel-Checked-Canary-4417";

#[tokio::test]
async fn no_password_reaches_the_log_or_the_database_in_clear() {
    let mut server = RealServer::start("trace", &[]).await;
    let base = server.base.clone();
    let new_browser = || server.browser();

    let holder = new_browser();
    let account = holder
        .call(
            "signup",
            &[
                ("company", "Obsidian Ltd"),
                ("email", "o@obsidian.example"),
                ("password", SIGNUP),
            ],
        )
        .await
        .unwrap();
    let account = account.as_str().unwrap().to_owned();
    holder
        .call("check_password", &[("password", CHECKED), ("context", "")])
        .await
        .unwrap();
    let _ = new_browser()
        .call("login", &[("account_id", &account), ("password", WRONG)])
        .await;
    let _ = new_browser()
        .call(
            "login",
            &[
                ("account_id", &format!("{account}/nobody")),
                ("password", WRONG),
            ],
        )
        .await;
    holder
        .call(
            "create_user",
            &[
                ("login", "watcher"),
                ("email", "w@obsidian.example"),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", USER),
            ],
        )
        .await
        .unwrap();
    let location = holder
        .call_for_location("reset_user_password", &[("login", "watcher")])
        .await
        .unwrap();
    let revealed = holder.take_reveal(&location).await;
    let temporary = revealed["PasswordReset"]["credential"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    let watcher = new_browser();
    watcher
        .call(
            "login",
            &[
                ("account_id", &format!("{account}/watcher")),
                ("password", &temporary),
            ],
        )
        .await
        .unwrap();
    watcher
        .call(
            "change_password",
            &[
                ("current_password", &temporary),
                ("new_password", CHANGED),
                ("confirm_password", CHANGED),
            ],
        )
        .await
        .unwrap();
    // A generated password left unread stays sealed in the database.
    let unread = holder
        .call_for_location("reset_user_password", &[("login", "watcher")])
        .await
        .unwrap();
    assert!(unread.starts_with("/reveal/"));

    // Two-factor authentication: the seed (as the key shown), a code and a recovery code.
    holder.call("begin_two_factor", &[]).await.unwrap();
    let key = holder.call("two_factor_status", &[]).await.unwrap()["pending"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let seed = totp_rs::Secret::Encoded(key.replace(' ', ""))
        .to_bytes()
        .unwrap();
    let totp = steward::domain::totp::Totp::new(seed.clone(), "x").unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = totp.code_at_step(steward::domain::totp::Totp::step_of(now));
    let location = holder
        .call_for_location(
            "confirm_two_factor",
            &[("password", SIGNUP), ("code", &code)],
        )
        .await
        .unwrap();
    let recovery = holder.take_reveal(&location).await["RecoveryCodes"]["codes"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let second = new_browser();
    second
        .call("login", &[("account_id", &account), ("password", SIGNUP)])
        .await
        .unwrap();
    let _ = second.call("login_code", &[("code", "000111")]).await;
    second
        .call("login_code", &[("code", &recovery)])
        .await
        .unwrap();

    // Sub-account credentials, account credentials and a personal token, each used once.
    const SUB_HOLDER: &str = "Sentinel-SubHolder-Canary-6604";
    let location = holder
        .call_for_location(
            "create_sub_account",
            &[
                ("form[name]", "Night shift"),
                ("form[enabled]", "on"),
                ("form[password]", SUB_HOLDER),
            ],
        )
        .await
        .unwrap();
    let sub = holder.take_reveal(&location).await["AccountCredentials"].clone();
    let sub_token = sub["auth_token"].as_str().unwrap().to_owned();
    let location = holder
        .call_for_location("rotate_account_credentials", &[])
        .await
        .unwrap();
    let main_token = holder.take_reveal(&location).await["AccountCredentials"]["auth_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let location = holder
        .call_for_location(
            "create_api_token",
            &[
                ("name", "sentinel"),
                ("description", ""),
                ("role", "none"),
                ("expires", ""),
            ],
        )
        .await
        .unwrap();
    let personal = holder.take_reveal(&location).await["ApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    for headers in [
        vec![("authorization", format!("APIKey {personal}"))],
        vec![
            ("x-auth-id", sub["auth_id"].as_str().unwrap().to_owned()),
            ("x-auth-token", sub_token.clone()),
        ],
        // A wrong token is refused without being echoed anywhere.
        vec![("authorization", format!("APIKey {personal}x"))],
    ] {
        let mut request = client
            .post(format!("{base}/api/whoami"))
            .header("accept", "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        assert!(request.send().await.unwrap().status().is_success());
    }

    let log = server.stop();
    assert!(
        log.contains("login failed"),
        "the log has the events, just not the secrets"
    );
    for secret in [
        SIGNUP,
        WRONG,
        USER,
        CHANGED,
        CHECKED,
        temporary.as_str(),
        PASSWORD,
        SUB_HOLDER,
    ] {
        assert!(!log.contains(secret), "a password reached the log");
    }
    let compact_key = key.replace(' ', "");
    let token_secret = personal.split_once('_').unwrap().1;
    for secret in [
        recovery.as_str(),
        compact_key.as_str(),
        sub_token.as_str(),
        main_token.as_str(),
        token_secret,
    ] {
        assert!(
            !log.contains(secret),
            "a code, key or token reached the log"
        );
    }
    let database = server.database_bytes();
    assert!(!database.is_empty());
    // The activity table is in the file, holding these flows: it is searched like the rest.
    for action in [
        "account.sign_up",
        "user.create",
        "two_factor.enable",
        "login.recovery_code",
        "password.change",
        "token.create",
        "credentials.reveal",
    ] {
        assert!(
            database
                .windows(action.len())
                .any(|w| w == action.as_bytes()),
            "no {action} event in the activity table"
        );
    }
    for secret in [
        SIGNUP,
        WRONG,
        compact_key.as_str(),
        USER,
        CHANGED,
        CHECKED,
        SUB_HOLDER,
        temporary.as_str(),
        recovery.as_str(),
        sub_token.as_str(),
        main_token.as_str(),
        token_secret,
    ] {
        assert!(
            !database
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "a secret is stored in clear"
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_that_the_json_log_lines_repeat() {
    let mut server = RealServer::start("info", &[("STEWARD_LOG_FORMAT", "json")]).await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    let generated = health.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 16, "{generated}");
    // A proxy's sane id is kept; anything else is replaced.
    let kept = client
        .get(format!("{base}/healthz"))
        .header("x-request-id", "edge-4f2a-9c1b")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "edge-4f2a-9c1b");
    let replaced = client
        .get(format!("{base}/healthz"))
        .header("x-request-id", "bad id\twith spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(replaced.headers()["x-request-id"], "bad id\twith spaces");
    // A failed login is logged inside its request, under its id.
    let account = client
        .post(format!("{base}/api/signup"))
        .header("accept", "application/json")
        .form(&[
            ("company", "Json Logs Ltd"),
            ("email", "j@json.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let failed = client
        .post(format!("{base}/api/login"))
        .header("accept", "application/json")
        .header("x-request-id", "login-attempt-0001")
        .form(&[
            ("account_id", account.as_str().unwrap()),
            ("password", "Wrong-Password-77"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.headers()["x-request-id"], "login-attempt-0001");
    let log = server.stop();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let failure = lines
        .iter()
        .find(|l| l["fields"]["message"] == "login failed")
        .unwrap_or_else(|| panic!("no login failure logged:\n{log}"));
    let request = failure["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find(|s| s["name"] == "request"))
        .unwrap_or_else(|| panic!("no request span: {failure}"));
    assert_eq!(request["id"], "login-attempt-0001", "{failure}");
    assert_eq!(request["path"], "/api/login", "{failure}");
    assert!(!log.contains("Wrong-Password-77") && !log.contains(PASSWORD));
}
