//! Tests of the server key: sealing, files, rotation.

use super::*;

/// How values were sealed before they named their key.
fn legacy_seal(key: &ServerKey, plaintext: &[u8], context: &str) -> Vec<u8> {
    let sealed = key.encrypt(plaintext, context).unwrap();
    sealed[MAGIC.len() + KEY_ID_LEN..].to_vec()
}

#[test]
fn a_secret_round_trips_only_with_its_own_context() {
    let key = ServerKey::generate();
    let sealed = key.encrypt(b"seed", "totp:1").unwrap();
    assert!(!sealed.windows(4).any(|w| w == b"seed"));
    assert_eq!(key.decrypt(&sealed, "totp:1").unwrap(), b"seed");
    assert!(key.decrypt(&sealed, "totp:2").is_err());
    assert!(ServerKey::generate().decrypt(&sealed, "totp:1").is_err());
    assert!(key.decrypt(b"short", "totp:1").is_err());
}

#[test]
fn a_sealed_value_names_its_key() {
    let key = ServerKey::generate();
    let sealed = key.encrypt(b"x", "c").unwrap();
    assert_eq!(sealed_key_id(&sealed), Some(key.key_id()));
    assert_eq!(key.key_id().len(), 16);
    assert_eq!(sealed_key_id(b"SK1\0short"), None);
}

#[test]
fn values_sealed_before_keys_had_ids_still_open() {
    let key = ServerKey::generate();
    let legacy = legacy_seal(&key, b"old", "totp:7");
    assert_eq!(key.decrypt(&legacy, "totp:7").unwrap(), b"old");
    assert!(key.decrypt(&legacy, "totp:8").is_err());
    assert_eq!(
        key.rotated().decrypt(&legacy, "totp:7").unwrap(),
        b"old",
        "with a retired key too"
    );
}

#[test]
fn after_a_rotation_the_new_key_seals_and_the_old_one_still_opens() {
    let old = ServerKey::generate();
    let before = old.encrypt(b"before", "c").unwrap();
    let new = old.rotated();
    assert_ne!(new.key_id(), old.key_id());
    assert_eq!(new.key_ids()[1], old.key_id());
    assert_eq!(new.decrypt(&before, "c").unwrap(), b"before");
    let after = new.encrypt(b"after", "c").unwrap();
    assert_eq!(sealed_key_id(&after), Some(new.key_id()));
    assert!(
        old.decrypt(&after, "c").is_err(),
        "the old key alone cannot"
    );
    let trimmed = new.retaining(|_| false);
    assert_eq!(trimmed.key_ids(), vec![new.key_id()]);
    assert!(trimmed.decrypt(&before, "c").is_err());
}

#[test]
fn recovery_codes_are_hmacs_naming_their_key_and_verify_under_retired_keys() {
    let old = ServerKey::generate();
    let stored = old.recovery_code_hash("abcd1234");
    assert_eq!(recovery_hash_key_id(&stored), Some(old.key_id().as_str()));
    let bare = hex::encode(Sha256::digest(b"abcd1234"));
    assert!(!stored.contains(&bare));
    assert_eq!(stored.len(), "hmac-sha256$".len() + 16 + 1 + 64);
    assert_ne!(ServerKey::generate().recovery_code_hash("abcd1234"), stored);
    let new = old.rotated();
    assert!(new.recovery_code_hashes("abcd1234").contains(&stored));
    assert_ne!(new.recovery_code_hash("abcd1234"), stored);
    assert_eq!(recovery_hash_key_id(&bare), None);
}

#[test]
fn the_key_file_is_created_once_with_owner_only_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let first = ServerKey::load_or_create(None, dir.path()).unwrap();
    let sealed = first.encrypt(b"x", "c").unwrap();
    let again = ServerKey::load_or_create(None, dir.path()).unwrap();
    assert_eq!(again.decrypt(&sealed, "c").unwrap(), b"x");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("server.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    ServerKey::load_or_create(None, dir.path()).unwrap();
    let path = dir.path().join("server.key");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = ServerKey::load_or_create(None, dir.path()).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("chmod 600"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
}

#[test]
fn a_running_server_reads_the_key_file_again_after_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let running = ServerKey::load_or_create(None, dir.path()).unwrap();
    let before = running.encrypt(b"before", "c").unwrap();
    let rotated = ServerKey::load_or_create(None, dir.path())
        .unwrap()
        .rotated();
    rotated.write_file().unwrap();
    let after = rotated.encrypt(b"after", "c").unwrap();
    assert_eq!(running.decrypt(&after, "c").unwrap(), b"after");
    assert_eq!(
        running.key_id(),
        rotated.key_id(),
        "and seals with the new key"
    );
    assert_eq!(running.decrypt(&before, "c").unwrap(), b"before");
    let file = std::fs::read_to_string(dir.path().join("server.key")).unwrap();
    assert_eq!(file.lines().count(), 2, "the new key, then the old one");
}

#[test]
fn a_malformed_configured_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(ServerKey::load_or_create(Some("abcd"), dir.path()).is_err());
    let good = "00".repeat(32);
    assert!(ServerKey::load_or_create(Some(&good), dir.path()).is_ok());
    assert!(!dir.path().join("server.key").exists());
}
