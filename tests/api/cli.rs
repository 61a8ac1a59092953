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
    let mut config = steward::server::config::Config::for_database(url, dir.path().to_path_buf());
    config.cookie_secure = false;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("steward")
        .build();
    let state = steward::server::state::AppState::open(config, options)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(steward::server::app::serve(
        listener,
        steward::server::app::router(state.clone()),
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
