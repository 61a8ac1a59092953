//! The server key, and encryption at rest of the secrets that a signature protocol needs in
//! clear (an OVH application secret, a Tencent SecretKey, a TOTP seed).
//!
//! XChaCha20-Poly1305: a random 192-bit nonce per message is safe for any number of messages,
//! and the associated data binds each ciphertext to the row it belongs to, so a ciphertext
//! copied into another row does not decrypt.

use anyhow::{Context, bail};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use std::path::Path;

const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct ServerKey {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(hex_key.trim()).ok().filter(|b| b.len() == 32);
        let Some(bytes) = bytes else {
            bail!("the server key must be 64 hexadecimal digits (32 bytes)");
        };
        Ok(Self {
            cipher: XChaCha20Poly1305::new_from_slice(&bytes)?,
        })
    }

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self {
            cipher: XChaCha20Poly1305::new(&bytes.into()),
        }
    }

    /// The key given in the configuration, else the one in `DATA_DIR/server.key`, else a new one
    /// written there readable by its owner only. A key file that other users can read is
    /// refused: the key may no longer be a secret.
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(key) = configured {
            return Self::from_hex(key).context("STEWARD_SERVER_KEY is invalid");
        }
        super::files::private_dir(data_dir)?;
        let path = data_dir.join("server.key");
        match std::fs::read_to_string(&path) {
            Ok(contents) => {
                if let Some(mode) = super::files::open_to_others(&path) {
                    bail!(
                        "{} is open to other users (mode {mode:o}), so the server key may no longer be secret; \
                         Steward will not use it. Make it its owner's only with `chmod 600 {}`, and if anyone \
                         else could have read it, replace the key.",
                        path.display(),
                        path.display()
                    );
                }
                Self::from_hex(&contents).with_context(|| format!("{} is invalid", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                OsRng.fill_bytes(&mut bytes);
                write_private(&path, hex::encode(bytes).as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                tracing::info!(path = %path.display(), "generated a new server key");
                Ok(Self {
                    cipher: XChaCha20Poly1305::new(&bytes.into()),
                })
            }
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Encrypts `plaintext`; `context` (for example `"totp:42"`) must be given again to decrypt.
    pub fn encrypt(&self, plaintext: &[u8], context: &str) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn decrypt(&self, sealed: &[u8], context: &str) -> anyhow::Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            bail!("ciphertext too short");
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("decryption failed: wrong key or context"))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_round_trips_only_with_its_own_context() {
        let key = ServerKey::generate();
        let sealed = key.encrypt(b"seed", "totp:1").unwrap();
        assert_ne!(&sealed[NONCE_LEN..], b"seed");
        assert_eq!(key.decrypt(&sealed, "totp:1").unwrap(), b"seed");
        assert!(key.decrypt(&sealed, "totp:2").is_err());
        assert!(ServerKey::generate().decrypt(&sealed, "totp:1").is_err());
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
    fn a_malformed_configured_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(ServerKey::load_or_create(Some("abcd"), dir.path()).is_err());
        let good = "00".repeat(32);
        assert!(ServerKey::load_or_create(Some(&good), dir.path()).is_ok());
        assert!(!dir.path().join("server.key").exists());
    }
}
