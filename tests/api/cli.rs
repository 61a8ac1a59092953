//! The command line, run as a real process against a test database.

use crate::helpers::{PASSWORD, fresh_database_url};
use std::io::Write;
use std::process::{Command, Stdio};

fn steward(url: &str, dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_DATA_DIR", dir)
        .env_remove("STEWARD_SERVER_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run steward");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn account_create_prints_only_the_account_id_and_the_holder_can_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(&dir).await;
    let args = [
        "account",
        "create",
        "--company",
        "Scripted Ltd",
        "--email",
        "ops@scripted.example",
        "--password-stdin",
    ];
    let out = steward(&url, dir.path(), &args, &format!("{PASSWORD}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let id = stdout.strip_suffix('\n').expect("one line");
    assert!(steward::domain::AccountId::parse(id).is_ok(), "{stdout:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains(PASSWORD));

    // The same company again: refused with the sign-up page's message, nothing on stdout.
    let again = steward(&url, dir.path(), &args, &format!("{PASSWORD}\n"));
    assert!(!again.status.success());
    assert!(again.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("Company with this name already exists")
    );

    // The account works in the panel.
    let mut config =
        steward::server::infra::config::Config::for_database(url, dir.path().to_path_buf());
    config.cookie_secure = false;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("steward")
        .build();
    let state = steward::server::web::state::AppState::open(config, options)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(steward::server::router::serve(
        listener,
        steward::server::router::router(state.clone()),
    ));
    let app = crate::helpers::TestApp {
        base,
        state,
        _data_dir: dir,
    };
    let browser = app.browser();
    browser
        .call("login", &[("account_id", id), ("password", PASSWORD)])
        .await
        .expect("login");
}

#[tokio::test]
async fn account_create_refuses_a_weak_password_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(&dir).await;
    let out = steward(
        &url,
        dir.path(),
        &[
            "account",
            "create",
            "--company",
            "Weak Co",
            "--email",
            "w@weak.example",
            "--password-stdin",
        ],
        "password1\n",
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("password:"), "{stderr}");
    assert!(
        !stderr.contains("password1"),
        "the password must not be echoed: {stderr}"
    );
}

#[tokio::test]
async fn migrate_can_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(&dir).await;
    for _ in 0..2 {
        let out = steward(&url, dir.path(), &["migrate"], "");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Serves the panel on the database the command line wrote to (as the operator's running
/// server would).
async fn serve_database(url: &str, dir: tempfile::TempDir) -> crate::helpers::TestApp {
    let mut config = steward::server::infra::config::Config::for_database(
        url.to_owned(),
        dir.path().to_path_buf(),
    );
    config.cookie_secure = false;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("steward")
        .build();
    let state = steward::server::web::state::AppState::open(config, options)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(steward::server::router::serve(
        listener,
        steward::server::router::router(state.clone()),
    ));
    crate::helpers::TestApp {
        base,
        state,
        _data_dir: dir,
    }
}

/// Creates a main account from the command line and returns its account ID.
fn cli_account(url: &str, dir: &std::path::Path, company: &str) -> String {
    let out = steward(
        url,
        dir,
        &[
            "account",
            "create",
            "--company",
            company,
            "--email",
            "ops@cli.example",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

/// The one JSON object a successful command prints, checked to have exactly `keys`.
fn json_line(out: &std::process::Output, keys: &[&str]) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let line = stdout.strip_suffix('\n').expect("a line");
    assert!(!line.contains('\n'), "one line: {stdout:?}");
    let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
    let mut found: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    found.sort_unstable();
    let mut expected = keys.to_vec();
    expected.sort_unstable();
    assert_eq!(found, expected, "{line}");
    value
}

/// A refused command: non-zero exit, nothing on stdout, and stderr says `why`.
fn assert_refused(out: &std::process::Output, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "succeeded: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains(why), "{why:?} not in {stderr}");
}

fn text(value: &serde_json::Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {value}"))
        .to_owned()
}

const SUB_PASSWORD: &str = "Copper-Lantern-Meadow-77";

#[tokio::test]
async fn sub_account_create_prints_its_credentials_once_and_they_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let url = fresh_database_url(&dir).await;
    let parent = cli_account(&url, &path, "Cli Parent Ltd");

    let out = steward(
        &url,
        &path,
        &[
            "sub-account",
            "create",
            "--parent",
            &parent,
            "--name",
            "Cli Team",
            "--description",
            "Made by a script",
            "--email",
            "team@cli.example",
            "--phone",
            "+44 20 7946 0000",
            "--rate-limit",
            "500",
            "--no-cdr",
            "--kyc-mode",
            "customer_use",
            "--business-type",
            "trust",
            "--password-stdin",
        ],
        &format!("{SUB_PASSWORD}\n"),
    );
    let created = json_line(&out, &["id", "account_id", "auth_id", "auth_token"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let auth_token = text(&created, "auth_token");
    assert!(!stderr.contains(&auth_token), "the token is only on stdout");
    assert!(!stderr.contains(SUB_PASSWORD));
    let id = created["id"].as_i64().expect("numeric id");
    let account_id = text(&created, "account_id");
    assert!(steward::domain::AccountId::parse(&account_id).is_ok());
    let auth_id = text(&created, "auth_id");
    assert!(crate::api_keys::is_auth_id(&auth_id, "SA_"), "{auth_id}");
    assert!(auth_token.len() >= 32);

    // Created disabled, without a password, with calls refused.
    let out = steward(
        &url,
        &path,
        &[
            "sub-account",
            "create",
            "--parent",
            &parent,
            "--name",
            "Cli Dormant",
            "--no-calls",
            "--disabled",
        ],
        "",
    );
    let dormant = json_line(&out, &["id", "account_id", "auth_id", "auth_token"]);

    let app = serve_database(&url, dir).await;
    // Stored as its parent's sub-account, with a hash in place of the token.
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        bool,
        bool,
        String,
        bool,
        bool,
        String,
    );
    let row: Row = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_as(
            "SELECT a.code, a.company, a.auth_id, a.auth_token_hash, a.rate_limit, a.allow_calls,
                    a.allow_cdr, a.kyc_mode, a.kyc_calls_blocked, a.enabled, p.code
             FROM accounts a JOIN accounts p ON p.id = a.parent_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
    })
    .unwrap();
    let (code, name, stored_id, hash, rate, calls, cdr, kyc, blocked, enabled, parent_code) = row;
    assert_eq!(code, account_id);
    assert_eq!(name, "Cli Team");
    assert_eq!(stored_id.as_deref(), Some(auth_id.as_str()));
    let hash = hash.expect("a stored hash");
    assert_ne!(hash, auth_token);
    assert!(!hash.contains(&auth_token));
    assert_eq!(
        hash,
        steward::server::infra::secrets::token_hash(&auth_token)
    );
    assert_eq!(
        (rate, calls, cdr, kyc.as_str(), blocked, enabled),
        (500, true, false, "customer_use", true, true)
    );
    assert_eq!(parent_code, parent);

    // The credentials and the holder's password work over HTTP.
    let cred = crate::api_keys::Cred::Account {
        auth_id: &auth_id,
        token: &auth_token,
    };
    let me = crate::api_keys::whoami_with(&app.base, cred).await;
    assert_eq!(me["login_id"], account_id.as_str());
    assert_eq!(me["is_sub_account"], true);
    let holder = app.browser();
    holder
        .call(
            "login",
            &[("account_id", &account_id), ("password", SUB_PASSWORD)],
        )
        .await
        .expect("the sub-account holder logs in");
    // The parent sees both, with their settings.
    let admin = app.browser();
    admin
        .call("login", &[("account_id", &parent), ("password", PASSWORD)])
        .await
        .unwrap();
    let page = admin.call("list_sub_accounts", &[]).await.unwrap();
    assert_eq!(page["total"], 2);
    let detail = admin
        .call("get_sub_account", &[("id", &dormant["id"].to_string())])
        .await
        .unwrap();
    assert_eq!(detail["name"], "Cli Dormant");
    assert_eq!(detail["enabled"], false);
    assert_eq!(detail["calls"], false);
    assert_eq!(detail["cdr"], true);
    assert_eq!(detail["rate_limit"], 1000);
    // Created disabled: its credentials open nothing.
    let dormant_id = text(&dormant, "auth_id");
    let dormant_token = text(&dormant, "auth_token");
    crate::api_keys::assert_dead(
        &app.base,
        crate::api_keys::Cred::Account {
            auth_id: &dormant_id,
            token: &dormant_token,
        },
    )
    .await;
}

#[tokio::test]
async fn sub_account_create_refuses_bad_input_with_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let url = fresh_database_url(&dir).await;
    let parent = cli_account(&url, &path, "Cli Strict Ltd");
    let create = |parent: &str, name: &str, extra: &[&str]| {
        let mut args = vec!["sub-account", "create", "--parent", parent, "--name", name];
        args.extend_from_slice(extra);
        steward(&url, &path, &args, "")
    };

    for rate in ["0", "100001", "abc"] {
        assert_refused(
            &create(&parent, "Bad Rate", &["--rate-limit", rate]),
            "rate_limit",
        );
    }
    assert_refused(
        &create(&parent, "Bad Phone", &["--phone", "12345"]),
        "phone",
    );
    assert_refused(
        &create(&parent, "No Email", &["--kyc-mode", "customer_use"]),
        "email",
    );
    assert_refused(
        &create(&parent, "Bad Kyc", &["--kyc-mode", "business"]),
        "kyc_mode",
    );
    assert_refused(
        &create(&parent, "Bad Type", &["--business-type", "corporation"]),
        "business_type",
    );
    // An unknown parent, a malformed one.
    let unknown = if parent == "1111-111-11" {
        "2222-222-22"
    } else {
        "1111-111-11"
    };
    assert_refused(&create(unknown, "Orphan", &[]), "no account");
    assert_refused(&create("not-an-id", "Orphan", &[]), "not an account ID");

    // A sub-account as parent: sub-accounts do not nest.
    let out = create(&parent, "Cli Child", &[]);
    let child = json_line(&out, &["id", "account_id", "auth_id", "auth_token"]);
    let child_id = text(&child, "account_id");
    assert_refused(&create(&child_id, "Grandchild", &[]), "sub-account");
    // A taken name, whatever its case.
    assert_refused(
        &create(&parent, "CLI CHILD", &[]),
        "name: A sub-account with this name",
    );

    // Only the one good sub-account exists.
    let app = serve_database(&url, dir).await;
    let count: i64 = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE parent_id IS NOT NULL")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn credentials_create_issues_account_credentials_and_personal_tokens() {
    use crate::api_keys::{Cred, assert_dead, whoami_with};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let url = fresh_database_url(&dir).await;
    let account = cli_account(&url, &path, "Cli Creds Ltd");
    let app = serve_database(&url, dir).await;
    let run = |args: &[&str]| steward(&url, &path, args, "");

    // Account credentials: MA_ for a main account, rotated by a second run.
    let out = run(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--kind",
        "account",
    ]);
    let first = json_line(&out, &["auth_id", "auth_token"]);
    let auth_id = text(&first, "auth_id");
    assert!(crate::api_keys::is_auth_id(&auth_id, "MA_"), "{auth_id}");
    let first_token = text(&first, "auth_token");
    let old = Cred::Account {
        auth_id: &auth_id,
        token: &first_token,
    };
    assert_eq!(
        whoami_with(&app.base, old).await["login_id"],
        account.as_str()
    );
    let out = run(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--kind",
        "account",
    ]);
    let second = json_line(&out, &["auth_id", "auth_token"]);
    assert_eq!(text(&second, "auth_id"), auth_id);
    let second_token = text(&second, "auth_token");
    assert_ne!(second_token, first_token);
    assert_dead(&app.base, old).await;
    let me = whoami_with(
        &app.base,
        Cred::Account {
            auth_id: &auth_id,
            token: &second_token,
        },
    )
    .await;
    assert_eq!(me["is_holder"], true);
    assert_refused(
        &run(&[
            "credentials",
            "create",
            "--account",
            "1111-111-11",
            "--kind",
            "account",
        ]),
        "no account",
    );
    assert_refused(
        &run(&[
            "credentials",
            "create",
            "--account",
            &account,
            "--kind",
            "account",
            "--role",
            "user",
        ]),
        "--kind token",
    );

    // A personal token of the holder: an Administrator by default.
    let out = run(&[
        "credentials",
        "create",
        "--account",
        &account,
        "--kind",
        "token",
        "--name",
        "Deploys",
    ]);
    let token = json_line(&out, &["id", "token"]);
    let holder_token = text(&token, "token");
    assert!(
        holder_token.starts_with(&format!("{}_", token["id"])),
        "{token}"
    );
    let me = whoami_with(&app.base, Cred::ApiKey(&holder_token)).await;
    assert_eq!(me["login_id"], account.as_str());
    assert_eq!(me["role"], "Administrator");

    // A user with the None privilege (added in the running panel).
    let holder = app.browser();
    holder
        .call("login", &[("account_id", &account), ("password", PASSWORD)])
        .await
        .unwrap();
    holder
        .call(
            "create_user",
            &[
                ("login", "viewer"),
                ("email", "viewer@cli.example"),
                ("group", "UNPRIVILEGED"),
                ("description", ""),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap();
    let token_for = |user: &str, extra: &[&str]| {
        let mut args = vec![
            "credentials",
            "create",
            "--account",
            &account,
            "--kind",
            "token",
            "--user",
            user,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    assert_refused(&token_for("viewer", &["--role", "admin"]), "role");
    assert_refused(&token_for("viewer", &["--role", "user"]), "role");
    assert_refused(&token_for("nobody", &[]), "no such user");
    assert_refused(
        &token_for("viewer", &["--expires", "2000-01-01"]),
        "expires",
    );
    let out = token_for("viewer", &["--expires", "2999-12-31"]);
    let viewer = json_line(&out, &["id", "token"]);
    let viewer_token = text(&viewer, "token");
    let me = whoami_with(&app.base, Cred::ApiKey(&viewer_token)).await;
    assert_eq!(me["login_id"], format!("{account}/viewer"));
    assert_eq!(me["role"], "None");

    // The refusals created no token: the viewer has exactly one.
    let viewer_browser = app.browser();
    viewer_browser
        .call(
            "login",
            &[
                ("account_id", &format!("{account}/viewer")),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap();
    let keys = viewer_browser.call("list_api_keys", &[]).await.unwrap();
    assert_eq!(keys["tokens"].as_array().unwrap().len(), 1, "{keys}");
    // Only hashes are stored.
    let hashes: Vec<String> = steward::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar("SELECT secret_hash FROM api_tokens")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(hashes.len(), 2);
    for token in [&holder_token, &viewer_token] {
        let secret = token.split_once('_').expect("<id>_<secret>").1;
        assert!(
            hashes.iter().all(|h| !h.contains(secret)),
            "{token} stored in clear"
        );
    }
}
