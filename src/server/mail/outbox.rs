//! Queuing mail: a message is sealed with the server key (its link is a secret) and handed to the
//! transaction of the change that sends it, so that the mail goes if and only if the change
//! happens (see `db::mail_store`).

use crate::server::infra::crypto::ServerKey;
use crate::server::mail::messages::Message;

/// What is sealed: both bodies.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Bodies {
    pub text: String,
    pub html: String,
}

/// A sealed mail ready to queue, with its id.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub id: String,
    pub subject: String,
    pub sealed: Vec<u8>,
}

/// The context a mail is sealed with (`steward key rotate` gives it again).
pub fn context(id: &str) -> String {
    format!("mail:{id}")
}

/// Seals `message` under a new id.
pub fn seal(key: &ServerKey, message: Message) -> anyhow::Result<Sealed> {
    let id = crate::server::infra::secrets::random_hex(16);
    let bodies = serde_json::to_vec(&Bodies {
        text: message.text,
        html: message.html,
    })?;
    let sealed = key.encrypt(&bodies, &context(&id))?;
    Ok(Sealed {
        id,
        subject: message.subject,
        sealed,
    })
}

/// Opens the bodies of the mail `id`.
pub fn open(key: &ServerKey, id: &str, sealed: &[u8]) -> anyhow::Result<Bodies> {
    let clear = key.decrypt(sealed, &context(id))?;
    Ok(serde_json::from_slice(&clear)?)
}
