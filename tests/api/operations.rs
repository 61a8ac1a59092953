//! What an operator relies on: the server key checked against the database, secrets read from
//! files, work that runs on one server at a time, and SQLite backups taken while the server runs
//! and restored into a fresh data directory.

use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::helpers::{Browser, PASSWORD, RealServer, fresh_database_url, spawn_app};

/// Runs the `steward` command line with exactly `env` on top of a clean environment for it.
fn steward(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env_remove("STEWARD_SERVER_KEY")
        .env_remove("STEWARD_DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("run steward")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn hex_key(byte: u8) -> String {
    format!("{byte:02x}").repeat(32)
}

#[tokio::test]
async fn a_server_started_with_another_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(&dir).await;
    let first = hex_key(0x11);
    let with_key = |key: &str| {
        steward(
            &["migrate"],
            &[
                ("STEWARD_DATABASE_URL", url.as_ref()),
                ("STEWARD_DATA_DIR", dir.path().as_os_str()),
                ("STEWARD_SERVER_KEY", key.as_ref()),
            ],
        )
    };
    let out = with_key(&first);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = with_key(&hex_key(0x22));
    assert!(!out.status.success(), "another key was accepted");
    let message = stderr(&out);
    assert!(message.contains("another server key"), "{message}");
    assert!(!message.contains(&hex_key(0x22)), "the key is not printed");
    // The right key still works: the refusal changed nothing.
    let out = with_key(&first);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test]
async fn secrets_can_come_from_files_and_never_from_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(&dir).await;
    let url_file = dir.path().join("database-url");
    std::fs::write(&url_file, format!("{url}\n")).unwrap();
    let key_file = dir.path().join("server-key");
    std::fs::write(&key_file, format!("{}\n", hex_key(0x33))).unwrap();
    let run = |extra: &[(&str, &std::ffi::OsStr)]| {
        let mut env: Vec<(&str, &std::ffi::OsStr)> = vec![
            ("STEWARD_DATA_DIR", dir.path().as_os_str()),
            ("STEWARD_DATABASE_URL_FILE", url_file.as_os_str()),
        ];
        env.extend_from_slice(extra);
        steward(&["migrate"], &env)
    };
    let out = run(&[("STEWARD_SERVER_KEY_FILE", key_file.as_os_str())]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The same key given directly opens the same database: the file's newline is not part of it.
    let key = hex_key(0x33);
    let out = run(&[("STEWARD_SERVER_KEY", key.as_ref())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&[
        ("STEWARD_SERVER_KEY", key.as_ref()),
        ("STEWARD_SERVER_KEY_FILE", key_file.as_os_str()),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not both"), "{}", stderr(&out));
    let missing = dir.path().join("nowhere");
    let out = run(&[("STEWARD_SERVER_KEY_FILE", missing.as_os_str())]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("STEWARD_SERVER_KEY_FILE"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn exclusive_work_runs_on_one_server_at_a_time() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let held = db.try_exclusive(42).await.unwrap();
    assert!(held.is_some());
    let second = db.try_exclusive(42).await.unwrap();
    if matches!(db, steward::server::db::Db::Postgres(_)) {
        assert!(second.is_none(), "two holders of one lock");
        assert!(
            db.try_exclusive(43).await.unwrap().is_some(),
            "another lock is free"
        );
        held.unwrap().release().await.unwrap();
        let again = db.try_exclusive(42).await.unwrap();
        assert!(again.is_some(), "released");
        // While another server prunes, this one does not.
        let pruning = db
            .try_exclusive(steward::server::audit::retention::PRUNE_LOCK)
            .await
            .unwrap()
            .unwrap();
        let skipped =
            steward::server::audit::retention::prune_once(db, 365, steward::server::db::now())
                .await
                .unwrap();
        assert_eq!(skipped, None, "two servers pruning at once");
        pruning.release().await.unwrap();
    } else {
        // SQLite serves one server: there is no one else to wait for.
        assert!(second.is_some());
    }
    // Mail sent or given up long ago is forgotten with the old events; queued mail stays.
    let (_, account) = app.signed_up(&crate::helpers::unique("Pruned")).await;
    let account_pk = app.account_pk(&account).await;
    for (id, state, created) in [
        ("old-sent", "sent", 1),
        ("old-queued", "queued", 1),
        ("new-sent", "sent", steward::server::db::now()),
    ] {
        steward::execute!(
            db,
            "INSERT INTO mail_outbox (id, account_id, kind, recipient, subject, state, attempts,
                                      next_attempt_at, created_at)
             VALUES ($1, $2, 'password_reset', 'a@example.com', 's', $3, 1, $4, $4)",
            id,
            account_pk,
            state,
            created
        )
        .unwrap();
    }
    let pruned = steward::server::audit::retention::prune_once(db, 365, steward::server::db::now())
        .await
        .unwrap();
    assert_eq!(pruned, Some(0), "no event is old enough to go");
    let left: Vec<String> = steward::on_db!(db, |pool| {
        sqlx::query_scalar("SELECT id FROM mail_outbox ORDER BY id")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(left, ["new-sent", "old-queued"]);
}

fn cli_env(server: &RealServer) -> Vec<(&'static str, &std::ffi::OsStr)> {
    vec![
        ("STEWARD_DATA_DIR", server.dir.path().as_os_str()),
        ("STEWARD_DATABASE_URL", server.database_url.as_ref()),
    ]
}

async fn create_user(holder: &Browser, login: &str) {
    holder
        .call(
            "create_user",
            &[
                ("login", login),
                ("email", &format!("{login}@example.com")),
                ("group", "DEFAULT"),
                ("description", ""),
                ("password", PASSWORD),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("{login} not created: {e:?}"));
}

async fn logs_in(server: &RealServer, user: &str) -> bool {
    server
        .browser()
        .call("login", &[("account_id", user), ("password", PASSWORD)])
        .await
        .is_ok()
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_into_a_fresh_data_directory() {
    let mut server = RealServer::start("warn", &[]).await;
    let holder = server.browser();
    let account = holder
        .call(
            "signup",
            &[
                ("company", "Backed Up"),
                ("email", "holder@acme.example"),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect("sign-up")
        .as_str()
        .unwrap()
        .to_owned();
    // Users are created one after another for as long as the backup runs; those acknowledged
    // before it started must be in it.
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let running = Arc::new(AtomicBool::new(true));
    let load = {
        let (acknowledged, running) = (acknowledged.clone(), running.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while running.load(Ordering::SeqCst) {
                let login = format!("user.{n}");
                create_user(&holder, &login).await;
                acknowledged.lock().unwrap().push(login);
                n += 1;
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 4 {
        assert!(!load.is_finished(), "the load stopped");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let target = tempfile::tempdir().unwrap();
    let file = target.path().join("steward-backup.db");
    let env = cli_env(&server);
    let out = {
        let file = file.clone();
        let env: Vec<(String, std::ffi::OsString)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &std::ffi::OsStr)> = env
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_os_str()))
                .collect();
            steward(&["backup", "--to", file.to_str().unwrap()], &env)
        })
        .await
        .unwrap()
    };
    running.store(false, Ordering::SeqCst);
    load.await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(printed["bytes"].as_u64().unwrap() > 0, "{printed}");
    assert!(stderr(&out).contains("server key"), "the key reminder");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A second backup never overwrites the first.
    let again = steward(&["backup", "--to", file.to_str().unwrap()], &env);
    assert!(!again.status.success());
    server.stop();

    // A fresh data directory: without the key the backup is refused, and nothing is written.
    let fresh = tempfile::tempdir().unwrap();
    let fresh_url = format!("sqlite://{}/steward.db", fresh.path().display());
    let restore = |extra: &[(&str, &std::ffi::OsStr)]| {
        let mut env: Vec<(&str, &std::ffi::OsStr)> = vec![
            ("STEWARD_DATA_DIR", fresh.path().as_os_str()),
            ("STEWARD_DATABASE_URL", fresh_url.as_ref()),
        ];
        env.extend_from_slice(extra);
        steward(&["restore", "--from", file.to_str().unwrap()], &env)
    };
    let out = restore(&[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no server key"), "{}", stderr(&out));
    let wrong = hex_key(0x44);
    let out = restore(&[("STEWARD_SERVER_KEY", wrong.as_ref())]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("server key"), "{}", stderr(&out));
    assert!(
        !fresh.path().join("steward.db").exists(),
        "nothing replaced"
    );
    // Not a database at all.
    let junk = target.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    std::fs::copy(
        server.dir.path().join("server.key"),
        fresh.path().join("server.key"),
    )
    .unwrap();
    std::fs::set_permissions(
        fresh.path().join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let out = steward(
        &["restore", "--from", junk.to_str().unwrap()],
        &[
            ("STEWARD_DATA_DIR", fresh.path().as_os_str()),
            ("STEWARD_DATABASE_URL", fresh_url.as_ref()),
        ],
    );
    assert!(!out.status.success());
    assert!(
        !fresh.path().join("steward.db").exists(),
        "nothing replaced"
    );

    // With the key saved beside it, the backup is restored and serves.
    let out = restore(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restored = RealServer::start_on(fresh, fresh_url, "warn", &[]).await;
    for login in &before {
        assert!(
            logs_in(&restored, &format!("{account}/{login}")).await,
            "{login} was acknowledged before the backup and cannot log in after the restore"
        );
    }
    assert!(logs_in(&restored, &account).await, "the holder logs in");
}

#[tokio::test]
async fn the_start_up_line_says_what_is_served_and_warns_about_settings_that_clash() {
    let mut server = RealServer::start(
        "info",
        &[
            ("STEWARD_PUBLIC_URL", "http://panel.example.com"),
            ("STEWARD_COOKIE_SECURE", "true"),
            ("STEWARD_SIGNUP", "closed"),
        ],
    )
    .await;
    let log = server.stop();
    let line = log
        .lines()
        .find(|l| l.contains("Steward serving http://panel.example.com"))
        .unwrap_or_else(|| panic!("no start-up line in:\n{log}"));
    for said in [
        "database=\"sqlite\"",
        "signup=\"closed\"",
        "cookies=\"Secure\"",
    ] {
        assert!(line.contains(said), "{said} missing from {line}");
    }
    assert!(
        log.contains("session cookies are Secure but STEWARD_PUBLIC_URL is http"),
        "{log}"
    );
}

#[tokio::test]
async fn a_public_url_that_is_not_an_origin_stops_the_server_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = steward(
        &["migrate"],
        &[
            ("STEWARD_DATA_DIR", dir.path().as_os_str()),
            (
                "STEWARD_PUBLIC_URL",
                "https://panel.example.com/steward".as_ref(),
            ),
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("STEWARD_PUBLIC_URL"),
        "{}",
        stderr(&out)
    );
    let out = steward(
        &["migrate"],
        &[
            ("STEWARD_DATA_DIR", dir.path().as_os_str()),
            (
                "STEWARD_TRUSTED_PROXIES",
                "10.0.0.0/8, proxy.internal".as_ref(),
            ),
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("proxy.internal"), "{}", stderr(&out));
}
