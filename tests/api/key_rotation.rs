//! `steward key rotate`: a new server key, every sealed value sealed again under it in one
//! transaction, the old key kept for what it still opens; afterwards every secret still works
//! (a TOTP login, a recovery code, an enrolment under way, an OVH signature, a Tencent
//! signature, a one-time reveal).

use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;

use crate::helpers::{PASSWORD, TestApp, spawn_app, unique};
use crate::two_factor::{app_code, enrol, forget_last_step, password_step};
use steward::server::infra::crypto::sealed_key_id;

/// Every sealed value in the database, by column, with the key id it names.
async fn sealed_values(app: &TestApp) -> Vec<(&'static str, Option<String>)> {
    let mut found = Vec::new();
    for (column, sql) in [
        (
            "totp_authenticators.sealed",
            "SELECT sealed FROM totp_authenticators",
        ),
        (
            "users.totp_pending_sealed",
            "SELECT totp_pending_sealed FROM users WHERE totp_pending_sealed IS NOT NULL",
        ),
        ("reveals.sealed", "SELECT sealed FROM reveals"),
        (
            "ovh_applications.secret_sealed",
            "SELECT secret_sealed FROM ovh_applications",
        ),
        (
            "tencent_access_keys.secret_key_sealed",
            "SELECT secret_key_sealed FROM tencent_access_keys",
        ),
        (
            "server_key_check.sealed",
            "SELECT sealed FROM server_key_check",
        ),
    ] {
        let values: Vec<Vec<u8>> = steward::on_db!(&app.state.db, |pool| {
            sqlx::query_scalar(sql).fetch_all(pool).await
        })
        .expect(column);
        found.extend(values.iter().map(|v| (column, sealed_key_id(v))));
    }
    found
}

fn rotate(app: &TestApp) -> Value {
    let out = app.cli(&["key", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON summary")
}

#[tokio::test]
async fn rotation_seals_every_secret_again_under_a_new_key_and_all_of_them_still_work() {
    let app = spawn_app().await;
    let (holder, account) = app.signed_up(&unique("Rotation")).await;
    let (totp_key, codes) = enrol(&holder).await;
    let enrolling = app.user_in(&holder, &account, "enrolling", "DEFAULT").await;
    enrolling.call("begin_two_factor", &[]).await.unwrap();
    let pending_key = enrolling.call("two_factor_status", &[]).await.unwrap()["pending"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let application = crate::ovh::create_application(&holder).await;
    let consumer =
        crate::ovh::authorized_key(&app, &holder, &application, &crate::ovh::EVERYTHING).await;
    let tencent = crate::tencent::create_key(&holder).await;
    // A secret waiting on its one-time reveal.
    let waiting = holder
        .call_for_location(
            "create_api_token",
            &[
                ("name", "waiting"),
                ("description", ""),
                ("role", "user"),
                ("expires", ""),
            ],
        )
        .await
        .unwrap();

    let key_file = app._data_dir.path().join("server.key");
    let old_file = std::fs::read_to_string(&key_file).unwrap();
    let before = sealed_values(&app).await;
    assert_eq!(before.len(), 6, "one value of each kind: {before:?}");
    let old_id = before[0].1.clone().expect("a key id");
    assert!(
        before.iter().all(|(_, id)| id.as_ref() == Some(&old_id)),
        "{before:?}"
    );

    let summary = rotate(&app);
    let new_id = summary["key_id"]
        .as_str()
        .expect("the new key id")
        .to_owned();
    assert_ne!(new_id, old_id);
    assert_eq!(summary["sealed_again"], 6, "{summary}");
    let after = sealed_values(&app).await;
    assert!(
        after
            .iter()
            .all(|(_, id)| id.as_deref() == Some(new_id.as_str())),
        "{after:?}"
    );
    let new_file = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(
        new_file.lines().next(),
        old_file.lines().next(),
        "a new current key"
    );
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        !summary.to_string().contains(old_file.trim()),
        "no key is printed"
    );

    // The running server reads the new key file when it meets the new key id.
    forget_last_step(&app).await;
    let browser = password_step(&app, &account).await;
    browser
        .call("login_code", &[("code", &app_code(&totp_key))])
        .await
        .expect("a TOTP login after the rotation");
    assert_eq!(browser.me().await["account_id"], account);
    let browser = password_step(&app, &account).await;
    browser
        .call("login_code", &[("code", &codes[0])])
        .await
        .expect("a recovery code made under the old key");
    enrolling
        .call_for_location(
            "confirm_two_factor",
            &[("password", PASSWORD), ("code", &app_code(&pending_key))],
        )
        .await
        .expect("the enrolment under way completes");
    let (status, me) = crate::ovh::get(&app, &application, &consumer, "/me/identity/user").await;
    assert_eq!(status, 200, "an OVH signature after the rotation: {me}");
    crate::tencent::assert_ok(
        &crate::tencent::call(&app.base, &tencent, "ListUsers", json!({})).await,
    );
    let revealed = holder.take_reveal(&waiting).await;
    assert!(revealed["ApiToken"]["token"].is_string(), "{revealed}");

    // A second rotation opens everything with the key file alone, and moves on again.
    let again = rotate(&app);
    assert_ne!(again["key_id"], summary["key_id"]);
    let browser = password_step(&app, &account).await;
    browser
        .call("login_code", &[("code", &codes[1])])
        .await
        .expect("recovery codes keep working after two rotations");
}

#[tokio::test]
async fn rotation_refuses_a_key_given_in_the_environment_and_changes_nothing() {
    let app = spawn_app().await;
    let (holder, _) = app.signed_up(&unique("Env Key")).await;
    enrol(&holder).await;
    let before = sealed_values(&app).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["key", "rotate"])
        .env("STEWARD_DATABASE_URL", &app.state.config.database_url)
        .env("STEWARD_DATA_DIR", app._data_dir.path())
        .env("STEWARD_SERVER_KEY", "00".repeat(32))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("STEWARD_SERVER_KEY"), "{stderr}");
    assert!(!stderr.contains(&"00".repeat(32)), "{stderr}");
    assert_eq!(sealed_values(&app).await, before);
}
