//! Conformance: the providers' official clients (pinned in `tests/compat/requirements.txt`,
//! installed by `make test-tools` into `~/.cache/steward/venv`) run their whole lifecycle against
//! a spawned Steward, on SQLite and on PostgreSQL.

use crate::helpers::{Browser, TestApp, spawn_app, unique};

/// The Python with the official clients: `STEWARD_COMPAT_PYTHON`, else the venv `make
/// test-tools` creates.
fn python() -> std::path::PathBuf {
    if let Ok(path) = std::env::var("STEWARD_COMPAT_PYTHON") {
        return path.into();
    }
    let home = std::env::var("HOME").expect("HOME");
    let path = std::path::Path::new(&home).join(".cache/steward/venv/bin/python");
    assert!(
        path.exists(),
        "{} is missing: run `make test-tools` to install the official clients",
        path.display()
    );
    path
}

/// Runs `tests/compat/<script>` with `args`, from an empty directory (the Vobiz client reads a
/// `.env` from where it runs), and fails with its output unless it succeeds.
pub async fn run_client(script: &str, args: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat")
        .join(script);
    let output = tokio::process::Command::new(python())
        .arg(&script)
        .args(args)
        .current_dir(dir.path())
        .output()
        .await
        .expect("run the client");
    assert!(
        output.status.success(),
        "{} failed:\n{}\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new main account with API credentials: (holder's browser, auth_id, auth_token).
async fn account_with_credentials(app: &TestApp) -> (Browser, String, String) {
    let (holder, _) = app.signed_up(&unique("Compat")).await;
    let location = holder
        .call_for_location("rotate_account_credentials", &[])
        .await
        .expect("credentials");
    let revealed = holder.take_reveal(&location).await;
    let credentials = &revealed["AccountCredentials"];
    (
        holder,
        credentials["auth_id"].as_str().expect("auth_id").to_owned(),
        credentials["auth_token"]
            .as_str()
            .expect("token")
            .to_owned(),
    )
}

#[tokio::test]
async fn the_official_vobiz_client_manages_sub_accounts() {
    let app = spawn_app().await;
    let (_holder, auth_id, token) = account_with_credentials(&app).await;
    let (_other, other_auth_id, _) = account_with_credentials(&app).await;
    run_client(
        "vobiz_client.py",
        &[&app.base, &auth_id, &token, &other_auth_id],
    )
    .await;
}

/// A personal API token of `browser`'s user with `role` (`none`, `user` or `admin`).
async fn token_of(browser: &Browser, role: &str) -> String {
    let location = browser
        .call_for_location(
            "create_api_token",
            &[
                ("name", "compat"),
                ("description", ""),
                ("role", role),
                ("expires", ""),
            ],
        )
        .await
        .expect("token");
    browser.take_reveal(&location).await["ApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

#[tokio::test]
async fn the_official_gcore_client_manages_clients_tokens_and_users() {
    let app = spawn_app().await;
    let (holder, _, _) = account_with_credentials(&app).await;
    let other_company = unique("Taken Co");
    app.signed_up(&other_company).await;
    let admin = token_of(&holder, "admin").await;
    let none = token_of(&holder, "none").await;
    run_client("gcore_client.py", &[&app.base, &admin, &none, &other_company]).await;
}
