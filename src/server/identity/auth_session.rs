//! The login session: a typed view of the tower-sessions `Session`, and the layer that stores
//! sessions in Steward's own database.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

use crate::server::db::now;
use crate::server::infra::config::Config;

const KEY: &str = "auth";
/// Set between a correct password and the second factor: who is half-way through logging in.
const PENDING: &str = "second_factor";
/// Set while an Administrator manages one of their account's sub-accounts: its id.
const ACTING: &str = "acting_in";

/// What a session remembers about its user. The stamp must still match the user's: changing a
/// user's password, privilege or status replaces the stamp and so ends every session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub user_id: i64,
    pub stamp: String,
    pub logged_in_at: i64,
    /// The id of this login's row in `user_sessions`.
    pub handle: String,
}

/// A login waiting for its second factor. Not a login: nothing opens with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub user_id: i64,
    pub stamp: String,
    pub started_at: i64,
    /// Where the password step's attempt counted: the code step counts in the same bucket.
    #[serde(default)]
    pub bucket: String,
}

/// How long the second step may take.
pub const PENDING_SECONDS: i64 = 300;

pub struct AuthSession(pub Session);

impl AuthSession {
    /// Starts an authenticated session under a new id (SECURITY.md rule 13): an id seen before
    /// login, perhaps planted by an attacker, is worthless after it.
    pub async fn log_in(&self, user_id: i64, stamp: &str, handle: &str) -> anyhow::Result<()> {
        self.0.cycle_id().await?;
        self.0.remove_value(PENDING).await?;
        self.0.remove_value(ACTING).await?;
        let user = SessionUser {
            user_id,
            stamp: stamp.to_owned(),
            logged_in_at: now(),
            handle: handle.to_owned(),
        };
        self.0.insert(KEY, user).await?;
        Ok(())
    }

    /// Records a correct password for a user with two-factor authentication, under a new id.
    pub async fn begin_second_factor(
        &self,
        user_id: i64,
        stamp: &str,
        bucket: &str,
    ) -> anyhow::Result<()> {
        self.0.cycle_id().await?;
        self.0.remove_value(KEY).await?;
        let pending = PendingLogin {
            user_id,
            stamp: stamp.to_owned(),
            started_at: now(),
            bucket: bucket.to_owned(),
        };
        self.0.insert(PENDING, pending).await?;
        Ok(())
    }

    /// The login waiting for its second factor, if it has not expired.
    pub async fn pending_login(&self) -> anyhow::Result<Option<PendingLogin>> {
        let pending: Option<PendingLogin> = self.0.get(PENDING).await?;
        Ok(pending.filter(|p| now() - p.started_at <= PENDING_SECONDS))
    }

    /// Deletes the session from the store: its cookie no longer opens anything.
    pub async fn log_out(&self) -> anyhow::Result<()> {
        self.0.flush().await?;
        Ok(())
    }

    /// Saves the session at the end of this request, which pushes its idle deadline (in the
    /// store and in the cookie's `Max-Age`) back to a full idle period from now. An unchanged
    /// session is otherwise not written, so its deadline would stay where the last change put it.
    pub fn keep_alive(&self) {
        self.0.set_expiry(self.0.expiry());
    }

    pub async fn user(&self) -> anyhow::Result<Option<SessionUser>> {
        Ok(self.0.get(KEY).await?)
    }

    /// From now on, the panel shows sub-account `sub_account_pk` (checked on every request).
    pub async fn act_in(&self, sub_account_pk: i64) -> anyhow::Result<()> {
        self.0.insert(ACTING, sub_account_pk).await?;
        Ok(())
    }

    pub async fn acting_in(&self) -> anyhow::Result<Option<i64>> {
        Ok(self.0.get(ACTING).await?)
    }

    /// Back to the user's own account.
    pub async fn stop_acting(&self) -> anyhow::Result<()> {
        self.0.remove_value(ACTING).await?;
        Ok(())
    }

    /// Keeps the state of a WebAuthn ceremony (a challenge and what it expects) until its
    /// answer comes back. It stays on the server: the cookie carries only the session id.
    pub async fn begin_ceremony<T: Serialize>(
        &self,
        ceremony: Ceremony,
        state: &T,
    ) -> anyhow::Result<()> {
        let pending = PendingCeremony {
            state: serde_json::to_value(state)?,
            started_at: now(),
        };
        self.0.insert(ceremony.key(), pending).await?;
        Ok(())
    }

    /// Takes a ceremony's state out of the session before its answer is checked, so that an
    /// answer can be checked against it only once; `None` if there is none or it has expired.
    pub async fn take_ceremony<T: DeserializeOwned>(
        &self,
        ceremony: Ceremony,
    ) -> anyhow::Result<Option<T>> {
        let pending: Option<PendingCeremony> = self.0.remove(ceremony.key()).await?;
        match pending.filter(|p| now() - p.started_at <= PENDING_SECONDS) {
            Some(p) => Ok(Some(serde_json::from_value(p.state)?)),
            None => Ok(None),
        }
    }
}

/// The WebAuthn ceremonies a session can have under way, one of each kind at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    /// Registering a security key or passkey.
    Register,
    /// A key as the second login step.
    SecondFactor,
    /// Signing in with a passkey, without a password.
    Passwordless,
}

impl Ceremony {
    fn key(self) -> &'static str {
        match self {
            Self::Register => "webauthn_register",
            Self::SecondFactor => "webauthn_second_factor",
            Self::Passwordless => "webauthn_passwordless",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct PendingCeremony {
    state: serde_json::Value,
    started_at: i64,
}

/// The session layer for `store`, configured from `config`: HttpOnly, SameSite=Lax (Strict
/// would drop the cookie on the first click from an e-mail link), Secure with the `__Host-`
/// prefix unless serving plain http, and an idle timeout. The store sees only hashes of the
/// session ids ([`HashedIds`]).
pub fn layer<S: SessionStore + ExpiredDeletion + Clone>(
    store: S,
    config: &Config,
) -> SessionManagerLayer<HashedIds<S>> {
    let idle =
        CookieDuration::seconds(i64::try_from(config.session_idle.as_secs()).unwrap_or(1800));
    let store = HashedIds(store);
    tokio::spawn(sweep_expired(
        store.clone(),
        std::time::Duration::from_secs(300),
    ));
    SessionManagerLayer::new(store)
        .with_name(config.session_cookie_name())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.cookie_secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Deletes the expired sessions every `period` for as long as the server runs. A failed round (the
/// database away for a moment) is logged and the next one tries again: tower-sessions' own loop
/// ends at its first error, after which expired sessions would pile up for good.
pub async fn sweep_expired<S: ExpiredDeletion>(store: S, period: std::time::Duration) {
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate: the store was just migrated, there is nothing to sweep.
    every.tick().await;
    loop {
        every.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "cannot delete expired sessions; trying again later");
        }
    }
}

/// A session store that keeps each session under a hash of its id, never the id itself: the id
/// is the cookie's value, so a copy of the database (a backup, a dump) must not be a way into
/// every open session. The id has 128 random bits, so a plain SHA-256 cannot be reversed or
/// guessed (as for API tokens, `secrets::token_hash`).
#[derive(Debug, Clone)]
pub struct HashedIds<S>(pub S);

/// The id a session is stored under: the first 128 bits of the SHA-256 of its id.
pub fn stored_id(id: &Id) -> Id {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.0.to_le_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    Id(i128::from_le_bytes(first))
}

fn stored(record: &Record) -> Record {
    Record {
        id: stored_id(&record.id),
        ..record.clone()
    }
}

#[async_trait::async_trait]
impl<S: SessionStore> SessionStore for HashedIds<S> {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let mut hashed = stored(record);
            let wanted = hashed.id;
            self.0.create(&mut hashed).await?;
            if hashed.id == wanted {
                return Ok(());
            }
            // The hash was taken and the store drew an id of its own, which no cookie can
            // reach: drop that record and draw a new id.
            self.0.delete(&hashed.id).await?;
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.0.save(&stored(record)).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        Ok(self.0.load(&stored_id(id)).await?.map(|mut record| {
            record.id = *id;
            record
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0.delete(&stored_id(id)).await
    }
}

#[async_trait::async_trait]
impl<S: ExpiredDeletion> ExpiredDeletion for HashedIds<S> {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.0.delete_expired().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::MemoryStore;

    fn record(id: Id) -> Record {
        Record {
            id,
            data: Default::default(),
            expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
                + CookieDuration::minutes(5),
        }
    }

    #[tokio::test]
    async fn the_inner_store_sees_only_the_hash_and_the_session_reads_back_under_its_id() {
        let inner = MemoryStore::default();
        let store = HashedIds(inner.clone());
        let mut created = record(Id::default());
        store.create(&mut created).await.unwrap();
        let id = created.id;
        assert!(inner.load(&id).await.unwrap().is_none(), "not under the id");
        let kept = inner.load(&stored_id(&id)).await.unwrap().unwrap();
        assert_eq!(kept.id, stored_id(&id));
        let loaded = store.load(&id).await.unwrap().unwrap();
        assert_eq!(loaded.id, id, "the session keeps its own id");
        store.save(&loaded).await.unwrap();
        store.delete(&id).await.unwrap();
        assert!(store.load(&id).await.unwrap().is_none());
        assert!(inner.load(&stored_id(&id)).await.unwrap().is_none());
        assert_ne!(stored_id(&id), id);
    }

    /// A store whose sweep fails its first rounds, as during a database outage.
    #[derive(Debug, Clone, Default)]
    struct Flaky(std::sync::Arc<std::sync::atomic::AtomicU32>, MemoryStore);

    #[async_trait::async_trait]
    impl SessionStore for Flaky {
        async fn save(&self, record: &Record) -> session_store::Result<()> {
            self.1.save(record).await
        }
        async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
            self.1.load(id).await
        }
        async fn delete(&self, id: &Id) -> session_store::Result<()> {
            self.1.delete(id).await
        }
    }

    #[async_trait::async_trait]
    impl ExpiredDeletion for Flaky {
        async fn delete_expired(&self) -> session_store::Result<()> {
            let round = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if round < 2 {
                Err(session_store::Error::Backend("database away".to_owned()))
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test]
    async fn the_sweep_outlives_failed_rounds() {
        let store = Flaky::default();
        let rounds = store.0.clone();
        let sweep = tokio::spawn(sweep_expired(store, std::time::Duration::from_millis(5)));
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while rounds.load(std::sync::atomic::Ordering::SeqCst) < 5 {
            assert!(!sweep.is_finished(), "the sweep stopped after a failure");
            assert!(tokio::time::Instant::now() < deadline, "the sweep stalled");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        sweep.abort();
    }
}
