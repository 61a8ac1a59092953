//! Secrets at rest on disk: the data directory, the SQLite files and the server key are the
//! owner's alone. Steward makes them so when it creates them, says so in its log when it finds
//! them looser, and refuses a server key that others can read.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::helpers::RealServer;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The real server with its data in `dir/data`, a directory it has to create.
async fn start_in_data_subdirectory() -> RealServer {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = format!("sqlite://{}/steward.db", data.display());
    let data = data.display().to_string();
    RealServer::start_on(dir, url, "info", &[("STEWARD_DATA_DIR", data.as_str())]).await
}

#[tokio::test]
async fn a_new_data_directory_and_its_files_are_readable_by_their_owner_only() {
    let mut server = start_in_data_subdirectory().await;
    // A request that writes, so that the write-ahead log exists.
    server
        .browser()
        .call(
            "signup",
            &[
                ("company", "Private Files Ltd"),
                ("email", "p@private.example"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await
        .unwrap();
    let data = server.dir.path().join("data");
    assert_eq!(mode(&data), 0o700);
    for file in [
        "steward.db",
        "steward.db-wal",
        "steward.db-shm",
        "server.key",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    let log = server.stop();
    assert!(!log.contains("open to other users"), "{log}");
}

#[tokio::test]
async fn looser_permissions_found_at_start_are_reported_in_the_log_and_left_alone() {
    let mut server = start_in_data_subdirectory().await;
    server.kill();
    let data = server.dir.path().join("data");
    set_mode(&data, 0o755);
    set_mode(&data.join("steward.db"), 0o644);
    assert!(server.restart().await);
    let log = server.stop();
    for path in [data.clone(), data.join("steward.db")] {
        let line = log
            .lines()
            .find(|l| l.contains("WARN") && l.contains(&path.display().to_string()))
            .unwrap_or_else(|| panic!("no warning about {}:\n{log}", path.display()));
        assert!(
            line.contains("chmod"),
            "the warning says how to fix it: {line}"
        );
    }
    // Files Steward did not create are the operator's: reported, not changed.
    assert_eq!(mode(&data), 0o755);
    assert_eq!(mode(&data.join("steward.db")), 0o644);
}

#[tokio::test]
async fn a_server_key_others_can_read_stops_the_start_with_how_to_fix_it() {
    let app = crate::helpers::spawn_app().await;
    let key = app._data_dir.path().join("server.key");
    assert_eq!(mode(&key), 0o600);
    set_mode(&key, 0o644);
    let out = app.cli(&["migrate"]);
    assert!(!out.status.success(), "it must not start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&key.display().to_string()), "{stderr}");
    assert!(stderr.contains("chmod 600"), "{stderr}");
    set_mode(&key, 0o600);
    let out = app.cli(&["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
