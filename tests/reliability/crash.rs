//! Crash: Steward is killed with SIGKILL at random moments while users and sub-accounts are being
//! created, restarted on the same database, and the database is checked. Every creation the
//! server acknowledged must be there, whole: a user with a password hash, a sub-account with
//! its credentials, holder, groups and activity event; nothing half-made or orphaned.
//!
//! `STEWARD_CRASH_ROUNDS` kills (5 by default; `make reliability` runs 100).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::fixture::{self, Outcome, Tenant};
use crate::helpers::{RealServer, fresh_database_url};
use steward::server::db::Db;

/// Concurrent creators of each kind.
const WORKERS: usize = 3;

/// Acknowledged creations, and answers that were neither success nor a lost connection.
#[derive(Default)]
struct Tally {
    users: Vec<String>,
    sub_accounts: Vec<String>,
    refused: Vec<String>,
}

#[tokio::test]
async fn killing_the_server_mid_write_loses_no_acknowledged_creation_and_leaves_nothing_half_made()
{
    let rounds = fixture::env_number("STEWARD_CRASH_ROUNDS", 5);
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(&dir).await;
    let mut server = RealServer::start_on(dir, database_url, "warn", &[]).await;
    let (tenant, _holder) = fixture::tenant(&server).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut acknowledged = Tally::default();
    for round in 0..rounds {
        let tally = Arc::new(Mutex::new(Tally::default()));
        let mut workers = tokio::task::JoinSet::new();
        for worker in 0..WORKERS {
            for kind in [Kind::User, Kind::SubAccount] {
                workers.spawn(create_until_lost(
                    client.clone(),
                    server.base.clone(),
                    tenant.clone(),
                    kind,
                    format!("r{round}-w{worker}"),
                    Arc::clone(&tally),
                ));
            }
        }
        // Anywhere from before the first commit to well into the load.
        tokio::time::sleep(Duration::from_millis(50 + fixture::random_below(1500))).await;
        server.kill();
        while let Some(done) = workers.join_next().await {
            done.expect("worker");
        }
        let mut tally = Arc::try_unwrap(tally)
            .ok()
            .expect("workers done")
            .into_inner()
            .expect("tally");
        assert!(
            tally.refused.is_empty(),
            "round {round}: refused while running: {:?}",
            tally.refused
        );
        acknowledged.users.append(&mut tally.users);
        acknowledged.sub_accounts.append(&mut tally.sub_accounts);
        assert!(
            server.restart().await,
            "round {round}: no restart after the kill:\n{}",
            server.log()
        );
        check(&server.database_url, &tenant, &acknowledged, round).await;
    }
    eprintln!(
        "crash: {rounds} kills; {} users and {} sub-accounts acknowledged, all found whole",
        acknowledged.users.len(),
        acknowledged.sub_accounts.len()
    );
    // Otherwise the rounds proved nothing.
    assert!(
        !acknowledged.users.is_empty() && !acknowledged.sub_accounts.is_empty(),
        "{} users and {} sub-accounts acknowledged in {rounds} rounds",
        acknowledged.users.len(),
        acknowledged.sub_accounts.len()
    );
    let log = server.stop();
    assert!(!log.contains("panicked"), "{log}");
}

#[derive(Clone, Copy)]
enum Kind {
    User,
    SubAccount,
}

/// Creates one new user or sub-account after another until the server stops answering.
async fn create_until_lost(
    client: reqwest::Client,
    base: String,
    tenant: Tenant,
    kind: Kind,
    prefix: String,
    tally: Arc<Mutex<Tally>>,
) {
    for n in 0.. {
        let name = format!("{prefix}-{n}");
        let outcome = match kind {
            Kind::User => fixture::create_user(&client, &base, &tenant, &name).await,
            Kind::SubAccount => fixture::create_sub_account(&client, &base, &tenant, &name).await,
        };
        let mut tally = tally.lock().expect("tally");
        match (outcome, kind) {
            (Outcome::Acknowledged, Kind::User) => tally.users.push(name),
            (Outcome::Acknowledged, Kind::SubAccount) => tally.sub_accounts.push(name),
            (Outcome::Refused(status, body), _) => {
                tally.refused.push(format!("{name}: {status} {body}"));
                return;
            }
            (Outcome::Lost, _) => return,
        }
    }
}

/// Each query counts rows that must not exist.
const NOTHING_HALF_MADE: &[(&str, &str)] = &[
    (
        "users without a password hash",
        "SELECT COUNT(*) FROM users WHERE password_hash NOT LIKE '$argon2id$%'",
    ),
    (
        "sub-accounts without credentials",
        "SELECT COUNT(*) FROM accounts WHERE parent_id IS NOT NULL
         AND (auth_id IS NULL OR auth_token_hash IS NULL OR auth_token_hash = ''
              OR credentials_at IS NULL)",
    ),
    (
        "accounts without exactly one holder",
        "SELECT COUNT(*) FROM accounts a
         WHERE (SELECT COUNT(*) FROM users u WHERE u.account_id = a.id AND u.is_holder) <> 1",
    ),
    (
        "accounts without their built-in groups",
        "SELECT COUNT(*) FROM accounts a
         WHERE (SELECT COUNT(*) FROM user_groups g WHERE g.account_id = a.id AND g.built_in) <> 3",
    ),
    (
        "users of a missing account",
        "SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = u.account_id)",
    ),
    (
        "users in a missing group or another account's",
        "SELECT COUNT(*) FROM users u WHERE NOT EXISTS
         (SELECT 1 FROM user_groups g WHERE g.id = u.group_id AND g.account_id = u.account_id)",
    ),
    (
        "groups of a missing account",
        "SELECT COUNT(*) FROM user_groups g WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = g.account_id)",
    ),
    (
        "sub-accounts of a missing parent",
        "SELECT COUNT(*) FROM accounts s WHERE s.parent_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM accounts p WHERE p.id = s.parent_id)",
    ),
    (
        "API tokens of a missing user",
        "SELECT COUNT(*) FROM api_tokens t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id)",
    ),
    (
        "users added without their activity event",
        "SELECT COUNT(*) FROM users u WHERE NOT u.is_holder AND NOT EXISTS
         (SELECT 1 FROM activity e WHERE e.account_id = u.account_id AND e.action = 'user.create'
          AND e.result = 'success' AND e.target_key = u.login_key)",
    ),
    (
        "sub-accounts created without their activity event",
        "SELECT COUNT(*) FROM accounts s WHERE s.parent_id IS NOT NULL AND NOT EXISTS
         (SELECT 1 FROM activity e WHERE e.account_id = s.parent_id AND e.action = 'sub_account.create'
          AND e.result = 'success' AND e.target_key = s.company_key)",
    ),
    (
        "accounts whose kept user count differs from their users",
        "SELECT COUNT(*) FROM accounts a WHERE a.user_count <>
         (SELECT COUNT(*) FROM users u WHERE u.account_id = a.id AND NOT u.is_holder)",
    ),
    (
        "groups whose kept user count differs from their users",
        "SELECT COUNT(*) FROM user_groups g WHERE g.user_count <>
         (SELECT COUNT(*) FROM users u WHERE u.group_id = g.id AND NOT u.is_holder)",
    ),
];

async fn check(database_url: &str, tenant: &Tenant, acknowledged: &Tally, round: u64) {
    let db = Db::connect(database_url).await.expect("database");
    let (logins, names): (Vec<String>, Vec<String>) = steward::on_db!(&db, |pool| async {
        let logins = sqlx::query_scalar(
            "SELECT u.login_key FROM users u JOIN accounts a ON a.id = u.account_id
             WHERE a.code = $1 AND NOT u.is_holder",
        )
        .bind(&tenant.account_id)
        .fetch_all(pool)
        .await?;
        let names = sqlx::query_scalar(
            "SELECT s.company FROM accounts s JOIN accounts p ON p.id = s.parent_id
             WHERE p.code = $1",
        )
        .bind(&tenant.account_id)
        .fetch_all(pool)
        .await?;
        Ok::<_, sqlx::Error>((logins, names))
    }
    .await)
    .expect("read back");
    let lost_users: Vec<_> = acknowledged
        .users
        .iter()
        .filter(|login| !logins.contains(login))
        .collect();
    let lost_sub_accounts: Vec<_> = acknowledged
        .sub_accounts
        .iter()
        .filter(|name| !names.contains(name))
        .collect();
    assert!(
        lost_users.is_empty() && lost_sub_accounts.is_empty(),
        "round {round}: acknowledged but gone: users {lost_users:?}, sub-accounts {lost_sub_accounts:?}"
    );
    for (what, sql) in NOTHING_HALF_MADE {
        let found: i64 = steward::on_db!(&db, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(found, 0, "round {round}: {found} {what}");
    }
    if let Db::Sqlite(pool) = &db {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(pool)
            .await
            .expect("integrity check");
        assert_eq!(integrity, "ok", "round {round}");
        let broken_keys = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(pool)
            .await
            .expect("foreign key check");
        assert!(broken_keys.is_empty(), "round {round}: broken foreign keys");
    }
    steward::on_db!(&db, |pool| pool.close().await);
}
