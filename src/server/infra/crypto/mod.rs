//! The server key, and encryption at rest of the secrets that a signature protocol needs in
//! clear (an OVH application secret, a Tencent SecretKey, a TOTP seed, a one-time reveal).
//!
//! XChaCha20-Poly1305: a random 192-bit nonce per message is safe for any number of messages,
//! and the associated data binds each ciphertext to the row it belongs to, so a ciphertext
//! copied into another row does not decrypt.
//!
//! The key can be replaced (`steward key rotate`): a sealed value names the key that sealed it
//! (`SK1\0`, an 8-byte key id, then the nonce and the ciphertext), and the key file lists the
//! current key first and then the retired keys still needed, which only open and verify. Values
//! sealed before keys had ids (the nonce and the ciphertext alone) are tried with every key.
//! A running server reads the file again when it changes, so it follows a rotation without a
//! restart.

#[cfg(test)]
mod crypto_tests;

use anyhow::{Context, bail};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// What a sealed value that names its key starts with.
const MAGIC: &[u8; 4] = b"SK1\0";
const KEY_ID_LEN: usize = 8;
/// How a recovery code's HMAC is stored: `hmac-sha256$<key id>$<hex>`.
const RECOVERY_PREFIX: &str = "hmac-sha256";

/// One 256-bit key.
struct Key {
    id: [u8; KEY_ID_LEN],
    secret: [u8; 32],
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn new(secret: [u8; 32]) -> Self {
        // The id is a hash of the key: it names the key without revealing it.
        let digest = Sha256::new()
            .chain_update(b"steward server key id\0")
            .chain_update(secret)
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Self {
            id,
            cipher: XChaCha20Poly1305::new(&secret.into()),
            secret,
        }
    }

    fn random() -> Self {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        Self::new(secret)
    }

    fn from_hex(text: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(text.trim()).ok();
        let Some(secret) = bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()) else {
            bail!("the server key must be 64 hexadecimal digits (32 bytes)");
        };
        Ok(Self::new(secret))
    }

    fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// HMAC-SHA256 of `message` under a key derived from this one for that purpose alone, so
    /// that one key never serves two algorithms.
    fn mac(&self, message: &[u8]) -> String {
        let derived = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).map(|m| {
            m.chain_update(b"steward recovery codes")
                .finalize()
                .into_bytes()
        });
        let Ok(derived) = derived else {
            return String::new();
        };
        <Hmac<Sha256> as Mac>::new_from_slice(&derived)
            .map(|m| hex::encode(m.chain_update(message).finalize().into_bytes()))
            .unwrap_or_default()
    }

    fn open(&self, nonce_and_body: &[u8], context: &str) -> Option<Vec<u8>> {
        if nonce_and_body.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, body) = nonce_and_body.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .ok()
    }
}

/// The key that seals, and the retired keys that only open what they sealed.
struct Keyring {
    current: Key,
    retired: Vec<Key>,
}

impl Keyring {
    fn of(keys: Vec<Key>) -> Option<Self> {
        let mut keys = keys.into_iter();
        Some(Self {
            current: keys.next()?,
            retired: keys.collect(),
        })
    }

    fn single(key: Key) -> Self {
        Self {
            current: key,
            retired: Vec::new(),
        }
    }

    fn current(&self) -> &Key {
        &self.current
    }

    /// The current key first.
    fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.current).chain(&self.retired)
    }

    fn find(&self, id: &[u8]) -> Option<&Key> {
        self.keys().find(|k| k.id == id)
    }

    fn parse(contents: &str) -> anyhow::Result<Self> {
        let keys = contents
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(Key::from_hex)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Self::of(keys).context("the server key must be 64 hexadecimal digits (32 bytes)")
    }

    fn file_contents(&self) -> String {
        self.keys()
            .map(|k| format!("{}\n", hex::encode(k.secret)))
            .collect()
    }
}

/// The key file as last read: its keys, and what it looked like then.
struct Loaded {
    ring: Arc<Keyring>,
    seen: Option<FileStamp>,
}

/// Enough of a file's metadata to notice that it was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<std::time::SystemTime>,
    len: u64,
    inode: u64,
}

impl FileStamp {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Self {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode,
        })
    }
}

#[derive(Clone)]
pub struct ServerKey {
    /// The key file, when the keys come from one (not from `STEWARD_SERVER_KEY`).
    file: Option<Arc<PathBuf>>,
    loaded: Arc<RwLock<Loaded>>,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    fn with(ring: Keyring, file: Option<Arc<PathBuf>>, seen: Option<FileStamp>) -> Self {
        Self {
            file,
            loaded: Arc::new(RwLock::new(Loaded {
                ring: Arc::new(ring),
                seen,
            })),
        }
    }

    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        let key = Key::from_hex(hex_key)?;
        Ok(Self::with(Keyring::single(key), None, None))
    }

    pub fn generate() -> Self {
        Self::with(Keyring::single(Key::random()), None, None)
    }

    /// The key given in the configuration, else the ones in `DATA_DIR/server.key`, else a new
    /// one written there readable by its owner only. A key file that other users can read is
    /// refused: the key may no longer be a secret.
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(key) = configured {
            return Self::from_hex(key).context("STEWARD_SERVER_KEY is invalid");
        }
        crate::server::infra::files::private_dir(data_dir)?;
        let path = data_dir.join("server.key");
        match read_key_file(&path) {
            Ok((ring, seen)) => Ok(Self::with(ring, Some(Arc::new(path)), Some(seen))),
            Err(KeyFileError::Missing) => {
                let ring = Keyring::single(Key::random());
                write_private(&path, ring.file_contents().as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                tracing::info!(path = %path.display(), "generated a new server key");
                let seen = FileStamp::of(&path);
                Ok(Self::with(ring, Some(Arc::new(path)), seen))
            }
            Err(KeyFileError::Other(e)) => Err(e),
        }
    }

    /// The key given in the configuration, else the key file; unlike [`ServerKey::load_or_create`]
    /// it never writes one (`steward restore` changes nothing before the backup is checked).
    pub fn load_existing(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(key) = configured {
            return Self::from_hex(key).context("STEWARD_SERVER_KEY is invalid");
        }
        let path = data_dir.join("server.key");
        match read_key_file(&path) {
            Ok((ring, seen)) => Ok(Self::with(ring, Some(Arc::new(path)), Some(seen))),
            Err(KeyFileError::Missing) => anyhow::bail!(
                "no server key: put the key saved with the backup in {} (mode 600), or set \
                 STEWARD_SERVER_KEY or STEWARD_SERVER_KEY_FILE",
                path.display()
            ),
            Err(KeyFileError::Other(e)) => Err(e),
        }
    }

    fn ring(&self) -> Arc<Keyring> {
        self.loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .ring
            .clone()
    }

    /// Reads the key file again if it changed since it was read (`steward key rotate` replaced
    /// it); the keys in memory stay when it cannot be read.
    fn refresh(&self) {
        let Some(path) = self.file.as_deref() else {
            return;
        };
        let now = FileStamp::of(path);
        let seen = self
            .loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .seen
            .clone();
        if now.is_none() || now == seen {
            return;
        }
        match read_key_file(path) {
            Ok((ring, seen)) => {
                tracing::info!(path = %path.display(), key_id = %ring.current().id_hex(), "the server key file changed: read it again");
                *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = Loaded {
                    ring: Arc::new(ring),
                    seen: Some(seen),
                };
            }
            Err(KeyFileError::Missing) => {}
            Err(KeyFileError::Other(e)) => {
                tracing::warn!(error = %format!("{e:#}"), "cannot read the changed server key file; keeping the keys in memory");
            }
        }
    }

    /// The current key's id (16 hex digits): not secret, it names the key.
    pub fn key_id(&self) -> String {
        self.ring().current().id_hex()
    }

    /// Every key's id, the current one first.
    pub fn key_ids(&self) -> Vec<String> {
        self.ring().keys().map(Key::id_hex).collect()
    }

    /// The key file these keys come from, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref().map(PathBuf::as_path)
    }

    /// Encrypts `plaintext` with the current key; `context` (for example `"totp:42"`) must be
    /// given again to decrypt.
    pub fn encrypt(&self, plaintext: &[u8], context: &str) -> anyhow::Result<Vec<u8>> {
        self.refresh();
        let ring = self.ring();
        let key = ring.current();
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = key
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = Vec::with_capacity(MAGIC.len() + KEY_ID_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&key.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn decrypt(&self, sealed: &[u8], context: &str) -> anyhow::Result<Vec<u8>> {
        if let Some((id, body)) = split_tagged(sealed) {
            if self.ring().find(id).is_none() {
                // Sealed with a key this process has not read yet: a rotation happened.
                self.refresh();
            }
            if let Some(clear) = self.ring().find(id).and_then(|key| key.open(body, context)) {
                return Ok(clear);
            }
        }
        // Sealed before keys had ids (or a random nonce that looks like an id): every key.
        self.ring()
            .keys()
            .find_map(|key| key.open(sealed, context))
            .ok_or_else(|| anyhow::anyhow!("decryption failed: wrong key or context"))
    }

    /// How a recovery code (normalized) is stored: an HMAC-SHA256 under the current key.
    pub fn recovery_code_hash(&self, normalized: &str) -> String {
        self.refresh();
        recovery_hash(self.ring().current(), normalized)
    }

    /// What a recovery code (normalized) may be stored as: its HMAC under each key, the
    /// current one first.
    pub fn recovery_code_hashes(&self, normalized: &str) -> Vec<String> {
        self.refresh();
        self.ring()
            .keys()
            .map(|key| recovery_hash(key, normalized))
            .collect()
    }

    /// These keys behind a new, random current key, for the same file (which
    /// [`ServerKey::write_file`] then replaces).
    pub fn rotated(&self) -> Self {
        let ring = self.ring();
        self.sibling(Keyring {
            current: Key::random(),
            retired: ring.keys().map(|k| Key::new(k.secret)).collect(),
        })
    }

    /// `ring` for the same file, which it must not read back before writing it.
    fn sibling(&self, ring: Keyring) -> Self {
        let seen = self.file().and_then(FileStamp::of);
        Self::with(ring, self.file.clone(), seen)
    }

    /// The current key and the retired keys for which `keep` (given their id) says yes.
    pub fn retaining(&self, keep: impl Fn(&str) -> bool) -> Self {
        let ring = self.ring();
        self.sibling(Keyring {
            current: Key::new(ring.current.secret),
            retired: ring
                .retired
                .iter()
                .filter(|k| keep(&k.id_hex()))
                .map(|k| Key::new(k.secret))
                .collect(),
        })
    }

    /// Replaces the key file with these keys, at once (a new file renamed over the old one) and
    /// readable by its owner only.
    pub fn write_file(&self) -> anyhow::Result<()> {
        let Some(path) = self.file() else {
            bail!("these keys come from no key file");
        };
        let contents = self.ring().file_contents();
        let partial = path.with_extension(format!(
            "key.new-{}",
            crate::server::infra::secrets::random_hex(4)
        ));
        write_private(&partial, contents.as_bytes())
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| {
            let _ = std::fs::remove_file(&partial);
            format!("cannot replace {}", path.display())
        })?;
        // These keys are what the file says now: no need to read it back.
        self.loaded
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .seen = FileStamp::of(path);
        Ok(())
    }
}

fn recovery_hash(key: &Key, normalized: &str) -> String {
    format!(
        "{RECOVERY_PREFIX}${}${}",
        key.id_hex(),
        key.mac(normalized.as_bytes())
    )
}

/// The key id of a recovery code's stored hash, when it is an HMAC.
pub fn recovery_hash_key_id(stored: &str) -> Option<&str> {
    let rest = stored.strip_prefix(RECOVERY_PREFIX)?.strip_prefix('$')?;
    rest.split_once('$').map(|(id, _)| id)
}

/// The key id (16 hex digits) a sealed value names, if it names one.
pub fn sealed_key_id(sealed: &[u8]) -> Option<String> {
    split_tagged(sealed).map(|(id, _)| hex::encode(id))
}

fn split_tagged(sealed: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = sealed.strip_prefix(MAGIC.as_slice())?;
    (rest.len() >= KEY_ID_LEN + NONCE_LEN + TAG_LEN).then(|| rest.split_at(KEY_ID_LEN))
}

enum KeyFileError {
    Missing,
    Other(anyhow::Error),
}

/// The keys in `path`, refused when other users can read or change the file.
fn read_key_file(path: &Path) -> Result<(Keyring, FileStamp), KeyFileError> {
    // Noted before reading: a change after this is seen by the next `refresh`.
    let seen = FileStamp::of(path).unwrap_or(FileStamp {
        modified: None,
        len: 0,
        inode: 0,
    });
    let contents = match std::fs::read_to_string(path) {
        Ok(contents) => contents,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyFileError::Missing),
        Err(e) => {
            return Err(KeyFileError::Other(
                anyhow::Error::new(e).context(format!("cannot read {}", path.display())),
            ));
        }
    };
    if let Some(mode) = crate::server::infra::files::open_to_others(path) {
        return Err(KeyFileError::Other(anyhow::anyhow!(
            "{} is open to other users (mode {mode:o}), so the server key may no longer be secret; \
             Steward will not use it. Make it its owner's only with `chmod 600 {}`, and if anyone \
             else could have read it, run `steward key rotate` afterwards.",
            path.display(),
            path.display()
        )));
    }
    let ring = Keyring::parse(&contents)
        .map_err(|e| KeyFileError::Other(e.context(format!("{} is invalid", path.display()))))?;
    Ok((ring, seen))
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
