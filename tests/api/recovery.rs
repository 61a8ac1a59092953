//! Mail and "Forgot your password?": links sent through a real SMTP server (aiosmtpd, started
//! per test), read back from it and followed; the outbox when the SMTP server is down or
//! refusing; the operator's link; and what an attacker learns (nothing).

use serde_json::Value;
use std::time::Duration;

use crate::helpers::mail_server::{MailServer, free_port, reset_link};
use crate::helpers::{
    Browser, PASSWORD, TestApp, lock_after_three_failures, spawn_app, spawn_app_with, unique,
};
use crate::two_factor::{app_code, enrol, forget_last_step};
use steward::error::AppError;
use steward::server::infra::config::Config;
use steward::server::infra::public_url::PublicUrl;

const NEW_PASSWORD: &str = "Harbor-Quill-Meadow-77";
const PUBLIC: &str = "https://panel.example.com";

fn mail_to(port: u16) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        crate::helpers::mail_server::mail_to(port)(config);
        config.public_url = Some(PublicUrl::parse(PUBLIC).unwrap());
    }
}

async fn ask(app: &TestApp, login_id: &str) -> Result<Value, AppError> {
    app.browser()
        .call("request_password_reset", &[("login_id", login_id)])
        .await
}

/// Waits for the link mailed to `to` and returns it with the whole message.
async fn link_for(smtp: &MailServer, to: &str) -> (String, Value) {
    let message = smtp
        .wait_for(|m| {
            m["to"]
                .as_array()
                .is_some_and(|t| t.iter().any(|r| r == to))
                && m["text"].as_str().and_then(reset_link).is_some()
        })
        .await;
    let text = message["text"].as_str().expect("a text part");
    let link = reset_link(text).unwrap_or_else(|| panic!("no link in {text}"));
    (link, message)
}

fn token_of(link: &str) -> String {
    link.rsplit_once("/login/reset/").unwrap().1.to_owned()
}

async fn choose(app: &TestApp, token: &str, password: &str) -> Result<Value, AppError> {
    app.browser()
        .call(
            "complete_password_reset",
            &[
                ("token", token),
                ("new_password", password),
                ("confirm_password", password),
            ],
        )
        .await
}

async fn logs_in(app: &TestApp, login_id: &str, password: &str) -> Option<String> {
    app.browser()
        .call_for_location("login", &[("account_id", login_id), ("password", password)])
        .await
        .ok()
}

/// The fields an error is about (each once).
fn field_of(error: &AppError) -> Vec<String> {
    match error {
        AppError::Invalid(fields) => {
            let mut names: Vec<String> = fields.iter().map(|f| f.field.clone()).collect();
            names.dedup();
            names
        }
        other => panic!("not a field error: {other:?}"),
    }
}

#[tokio::test]
async fn a_forgotten_password_is_chosen_again_with_a_link_sent_by_mail() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (holder, account) = app.signed_up(&unique("Forgetful")).await;
    ask(&app, &account).await.expect("asked");
    let (link, message) = link_for(&smtp, "holder@acme.example").await;
    assert!(
        link.starts_with(&format!("{PUBLIC}/login/reset/")),
        "{link}"
    );
    assert!(message["html"].as_str().unwrap().contains(&link));
    assert!(
        message["from"]
            .as_str()
            .unwrap()
            .contains("panel@steward.test")
    );
    assert!(!message["raw"].as_str().unwrap().contains(PASSWORD));
    let token = token_of(&link);
    let usable = app
        .browser()
        .call("password_reset_link", &[("token", &token)])
        .await
        .unwrap();
    assert_eq!(
        usable,
        serde_json::json!({"invitation": false, "login_id": account})
    );

    // A weak password, or two that differ, are refused and leave the link usable.
    let weak = choose(&app, &token, "password1").await.unwrap_err();
    assert_eq!(field_of(&weak), ["new_password"]);
    let differ = app
        .browser()
        .call(
            "complete_password_reset",
            &[
                ("token", &token),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", "something-else"),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(&differ), ["confirm_password"]);

    choose(&app, &token, NEW_PASSWORD).await.expect("chosen");
    assert_eq!(holder.me().await, Value::Null, "every session ended");
    assert_eq!(logs_in(&app, &account, PASSWORD).await, None);
    assert_eq!(
        logs_in(&app, &account, NEW_PASSWORD).await.as_deref(),
        Some("/")
    );

    // The link works once.
    let again = choose(&app, &token, "Another-Strong-Pass-91")
        .await
        .unwrap_err();
    assert_eq!(field_of(&again), ["new_password"]);
    let usable = app
        .browser()
        .call("password_reset_link", &[("token", &token)])
        .await
        .unwrap();
    assert_eq!(usable, Value::Null);

    // The token is nowhere in clear: the database keeps its hash, the outbox nothing once sent.
    let stored: Vec<String> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT token_hash FROM password_resets")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&token));
    let bodies: Vec<Option<Vec<u8>>> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT sealed FROM mail_outbox WHERE kind = 'password_reset'")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(bodies, [None], "a sent mail's bodies are not kept");
}

#[tokio::test]
async fn the_answer_is_the_same_whether_or_not_the_login_exists() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (_, account) = app.signed_up(&unique("Quiet")).await;
    let known = ask(&app, &account).await;
    let unknown_user = ask(&app, &format!("{account}/nobody")).await;
    let unknown_account = ask(&app, "9999-999-99").await;
    let malformed = ask(&app, "not an id").await;
    assert!(known.is_ok());
    assert_eq!(known, unknown_user);
    assert_eq!(known, unknown_account);
    assert_eq!(known, malformed);
    smtp.wait_for(is_reset).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(resets(&smtp), 1, "only the real login got a link");
}

/// A known login must not answer later than an unknown one: the lookup, the token, the sealed
/// mail and the write happen after the answer. Here the table of links is locked while both ask:
/// both answers come back at once, and the link goes once the lock is gone.
#[tokio::test]
async fn the_answer_does_not_wait_for_the_link_to_be_made() {
    use steward::server::db::Db;
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (_, account) = app.signed_up(&unique("Prompt")).await;
    let within = |answer| tokio::time::timeout(Duration::from_secs(5), answer);
    match &app.state.db {
        Db::Sqlite(pool) => {
            let lock = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            let known = within(ask(&app, &account)).await.expect("answered at once");
            let unknown = within(ask(&app, &format!("{account}/nobody")))
                .await
                .expect("answered at once");
            assert_eq!(known.unwrap(), unknown.unwrap());
            lock.rollback().await.unwrap();
        }
        Db::Postgres(pool) => {
            let mut lock = pool.begin().await.unwrap();
            sqlx::query("LOCK TABLE password_resets IN ACCESS EXCLUSIVE MODE")
                .execute(&mut *lock)
                .await
                .unwrap();
            let known = within(ask(&app, &account)).await.expect("answered at once");
            let unknown = within(ask(&app, &format!("{account}/nobody")))
                .await
                .expect("answered at once");
            assert_eq!(known.unwrap(), unknown.unwrap());
            lock.rollback().await.unwrap();
        }
    }
    let (link, _) = link_for(&smtp, "holder@acme.example").await;
    choose(&app, &token_of(&link), NEW_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_locked_delegated_user_with_two_factor_recovers_and_the_code_is_still_asked() {
    let smtp = MailServer::start();
    let app = spawn_app_with(|config| {
        mail_to(smtp.port)(config);
        lock_after_three_failures(config);
    })
    .await;
    let (holder, account) = app.signed_up(&unique("Locked")).await;
    let dora = app.user_in(&holder, &account, "dora", "DEFAULT").await;
    let (key, _) = enrol(&dora).await;
    let login_id = format!("{account}/dora");
    for _ in 0..4 {
        assert_eq!(logs_in(&app, &login_id, "wrong-password-x").await, None);
    }
    assert_eq!(logs_in(&app, &login_id, PASSWORD).await, None, "locked");
    ask(&app, &login_id).await.unwrap();
    let (link, _) = link_for(&smtp, "dora@example.com").await;
    choose(&app, &token_of(&link), NEW_PASSWORD).await.unwrap();
    let browser = app.browser();
    let location = browser
        .call_for_location(
            "login",
            &[("account_id", &login_id), ("password", NEW_PASSWORD)],
        )
        .await
        .expect("unlocked");
    assert_eq!(
        location, "/login/code",
        "two-factor authentication is still asked"
    );
    forget_last_step(&app).await;
    browser
        .call("login_code", &[("code", &app_code(&key))])
        .await
        .expect("the code completes the login");
}

#[tokio::test]
async fn a_flood_of_requests_sends_three_links_an_hour() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (_, account) = app.signed_up(&unique("Flooded")).await;
    // At once: the links are made after the answers, side by side.
    let answers = futures::future::join_all((0..8).map(|_| ask(&app, &account))).await;
    assert!(answers.iter().all(Result::is_ok));
    for _ in 0..50 {
        if resets(&smtp) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(resets(&smtp), 3);
}

fn is_reset(message: &Value) -> bool {
    message["text"].as_str().and_then(reset_link).is_some()
}

/// How many password links the SMTP server took (sign-up also mails a verification link).
fn resets(smtp: &MailServer) -> usize {
    smtp.messages().iter().filter(|m| is_reset(m)).count()
}

/// The password link in the Administrators' list of outgoing mail, once it is queued (it is
/// made after the answer to the request).
async fn reset_in_outbox(holder: &Browser) -> Value {
    for _ in 0..100 {
        let list = holder.call("list_mail", &[]).await.unwrap();
        if let Some(mail) = list
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "password_reset")
        {
            return mail.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no password link in the outbox")
}

#[tokio::test]
async fn a_mail_waits_while_the_smtp_server_is_down_or_refusing_and_goes_once_it_takes_it() {
    let port = free_port();
    let app = spawn_app_with(mail_to(port)).await;
    let (holder, account) = app.signed_up(&unique("Patient")).await;
    ask(&app, &account).await.unwrap();
    // Nothing listens: the mail stays queued with the connection's failure.
    let failed_once = |mail: &Value| mail["attempts"].as_i64().unwrap_or(0) >= 1;
    for _ in 0..100 {
        if failed_once(&reset_in_outbox(&holder).await) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mail = reset_in_outbox(&holder).await;
    assert_eq!(mail["state"], "queued", "{mail}");
    assert!(
        mail["last_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{mail}"
    );
    assert_eq!(mail["kind"], "password_reset");
    assert_eq!(mail["recipient"], "holder@acme.example");

    // A server that answers 451: still queued, with its answer.
    let mut refusing = MailServer::start_on(port, true);
    for _ in 0..150 {
        let mail = reset_in_outbox(&holder).await;
        if mail["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("451"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mail = reset_in_outbox(&holder).await;
    assert!(
        mail["last_error"].as_str().unwrap().contains("451"),
        "{mail}"
    );
    assert_eq!(mail["state"], "queued");
    refusing.stop();

    // It takes it: the mail goes, and its link works.
    let smtp = MailServer::start_on(port, false);
    let (link, _) = link_for(&smtp, "holder@acme.example").await;
    // The worker marks it sent once the server's answer is in, just after the server has it.
    let mut mail = reset_in_outbox(&holder).await;
    for _ in 0..100 {
        if mail["state"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        mail = reset_in_outbox(&holder).await;
    }
    assert_eq!(mail["state"], "sent", "{mail}");
    choose(&app, &token_of(&link), NEW_PASSWORD).await.unwrap();
    assert!(logs_in(&app, &account, NEW_PASSWORD).await.is_some());
}

#[tokio::test]
async fn without_mail_the_pages_say_so_and_the_operator_hands_out_a_link() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Offline")).await;
    let by_mail = app.browser().call("recovery_by_mail", &[]).await.unwrap();
    assert_eq!(by_mail, Value::Bool(false));
    let refused = ask(&app, &account).await.unwrap_err();
    assert_eq!(field_of(&refused), ["login_id"]);
    assert_eq!(holder.call("list_mail", &[]).await.unwrap(), Value::Null);

    let out = app.cli(&["user", "reset-password", &account]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let link = printed["link"].as_str().unwrap();
    assert_eq!(printed["expires_minutes"], 30);
    choose(&app, &token_of(link), NEW_PASSWORD).await.unwrap();
    assert!(logs_in(&app, &account, NEW_PASSWORD).await.is_some());
    let unknown = app.cli(&["user", "reset-password", &format!("{account}/nobody")]);
    assert!(!unknown.status.success());
    assert!(unknown.stdout.is_empty());
}

#[tokio::test]
async fn an_expired_link_is_refused_and_changes_nothing() {
    let smtp = MailServer::start();
    let app = spawn_app_with(mail_to(smtp.port)).await;
    let (_, account) = app.signed_up(&unique("Late")).await;
    ask(&app, &account).await.unwrap();
    let (link, _) = link_for(&smtp, "holder@acme.example").await;
    steward::execute!(&app.state.db, "UPDATE password_resets SET expires_at = 0").unwrap();
    let late = choose(&app, &token_of(&link), NEW_PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(field_of(&late), ["new_password"]);
    assert!(
        logs_in(&app, &account, PASSWORD).await.is_some(),
        "the password stays"
    );
}

/// SECURITY.md rules 22 and 23, for recovery: with the most verbose logging, no link's token
/// (to choose a password, to verify an address, an invitation, sign-in details), even in the
/// path of the page it opens, nor a password chosen with one reaches the log, and none is in
/// the database files.
#[tokio::test]
async fn no_link_token_or_chosen_password_reaches_the_log_or_the_database_in_clear() {
    const CHOSEN: &str = "Sentinel-Recovered-Canary-6620";
    const INVITED_CHOSEN: &str = "Sentinel-Invited-Canary-4471";
    let smtp = MailServer::start();
    let url = smtp.url();
    let mut server = crate::helpers::RealServer::start(
        "trace",
        &[
            ("STEWARD_SMTP_URL", url.as_str()),
            ("STEWARD_MAIL_FROM", "Steward <panel@steward.test>"),
        ],
    )
    .await;
    let holder = server.browser();
    let account = holder
        .call(
            "signup",
            &[
                ("company", "Basalt Works"),
                ("email", "ops@basalt.example"),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    server
        .browser()
        .call("request_password_reset", &[("login_id", &account)])
        .await
        .unwrap();
    let (link, _) = link_for(&smtp, "ops@basalt.example").await;
    let token = token_of(&link);
    // The pages the links open, as a browser opens them: their paths hold the tokens.
    let page = server.browser().get(&format!("/login/reset/{token}")).await;
    assert_eq!(page.status(), 200);
    let verification = smtp
        .wait_for(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains("/verify-email/"))
        })
        .await;
    let text = verification["text"].as_str().unwrap();
    let verify_token: String = text[text.find("/verify-email/").unwrap() + 14..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let page = server
        .browser()
        .get(&format!("/verify-email/{verify_token}"))
        .await;
    assert_eq!(page.status(), 200);
    server
        .browser()
        .call("verify_email", &[("token", &verify_token)])
        .await
        .unwrap();
    server
        .browser()
        .call(
            "complete_password_reset",
            &[
                ("token", &token),
                ("new_password", CHOSEN),
                ("confirm_password", CHOSEN),
            ],
        )
        .await
        .unwrap();
    // An invitation, accepted; sign-in details sent to another address (the reset ended the
    // holder's session: they log in again).
    let holder = server.browser();
    holder
        .call("login", &[("account_id", &account), ("password", CHOSEN)])
        .await
        .unwrap();
    holder
        .call(
            "create_user",
            &[
                ("login", "gus"),
                ("email", "gus@basalt.example"),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", ""),
                ("invite", "on"),
            ],
        )
        .await
        .unwrap();
    let (invitation, _) = link_for(&smtp, "gus@basalt.example").await;
    let invitation = token_of(&invitation);
    let page = server
        .browser()
        .get(&format!("/login/reset/{invitation}"))
        .await;
    assert_eq!(page.status(), 200);
    server
        .browser()
        .call(
            "complete_password_reset",
            &[
                ("token", &invitation),
                ("new_password", INVITED_CHOSEN),
                ("confirm_password", INVITED_CHOSEN),
            ],
        )
        .await
        .unwrap();
    holder
        .call(
            "send_sign_in_details",
            &[
                ("login", &format!("{account}/gus")),
                ("email", "desk@basalt.example"),
            ],
        )
        .await
        .unwrap();
    let (details, _) = link_for(&smtp, "desk@basalt.example").await;
    let details = token_of(&details);

    let database = server.database_bytes();
    let log = server.stop();
    for secret in [
        token.as_str(),
        verify_token.as_str(),
        invitation.as_str(),
        details.as_str(),
        CHOSEN,
        INVITED_CHOSEN,
    ] {
        assert!(!log.contains(secret), "{secret} is in the log");
        assert!(
            !database
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "{secret} is in the database files"
        );
    }
    assert!(log.contains("mail sent"), "the delivery is logged");
}

fn cli_json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

/// `steward user list|disable-2fa|disable|enable`: the operator's way in, each change an event
/// done by the command line.
#[tokio::test]
async fn the_operator_lists_users_turns_off_a_lost_second_factor_and_disables_and_enables() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Rescued")).await;
    let dora = app.user_in(&holder, &account, "dora", "DEFAULT").await;
    enrol(&dora).await;
    let login_id = format!("{account}/dora");

    let listed = cli_json(&app.cli(&["user", "list", &account]));
    assert_eq!(listed["account_id"], account.as_str());
    let users = listed["users"].as_array().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["login"], "dora");
    assert_eq!(users[0]["two_factor"], true);
    assert!(!listed.to_string().contains("argon2"), "no hash is printed");

    let off = cli_json(&app.cli(&["user", "disable-2fa", &login_id]));
    assert_eq!(off["two_factor_off"], login_id.as_str());
    assert_eq!(dora.me().await, Value::Null, "her sessions ended");
    assert_eq!(
        logs_in(&app, &login_id, PASSWORD).await.as_deref(),
        Some("/")
    );

    cli_json(&app.cli(&["user", "disable", &login_id]));
    assert_eq!(logs_in(&app, &login_id, PASSWORD).await, None);
    // A link for a disabled user would not open: the operator is told to enable them first.
    let dead_link = app.cli(&["user", "reset-password", &login_id]);
    assert!(!dead_link.status.success());
    assert!(dead_link.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&dead_link.stderr).contains("steward user enable"),
        "{}",
        String::from_utf8_lossy(&dead_link.stderr)
    );
    cli_json(&app.cli(&["user", "enable", &login_id]));
    assert!(logs_in(&app, &login_id, PASSWORD).await.is_some());

    // A password typed by the operator: checked against the policy, then set.
    let typed = |password: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(crate::helpers::steward_binary())
            .args(["user", "reset-password", &login_id, "--password-stdin"])
            .env("STEWARD_DATABASE_URL", &app.state.config.database_url)
            .env("STEWARD_DATA_DIR", app._data_dir.path())
            .env_remove("STEWARD_SERVER_KEY")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = typed("dora");
    assert!(!weak.status.success(), "a weak password is refused");
    assert!(weak.stdout.is_empty());
    let set = cli_json(&typed(NEW_PASSWORD));
    assert_eq!(set["password_set"], login_id.as_str());
    assert!(logs_in(&app, &login_id, NEW_PASSWORD).await.is_some());

    let holder_off = app.cli(&["user", "disable", &account]);
    assert!(!holder_off.status.success(), "the holder is never disabled");
    assert!(holder_off.stdout.is_empty());
    let nobody = app.cli(&["user", "disable", &format!("{account}/nobody")]);
    assert!(!nobody.status.success());

    let activity = holder.call("list_activity", &[]).await.unwrap();
    let by_cli: Vec<&str> = activity["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "command line")
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "two_factor.disable",
        "user.disable",
        "user.enable",
        "user.password_reset",
    ] {
        assert!(by_cli.contains(&action), "{action} missing from {by_cli:?}");
    }
}
