//! An event of the activity log as data: who did what, to what, from where. Services build one
//! (see `server::identity::events` for the constructors that read the caller and the request)
//! and hand it to the database function that makes the change, which writes both in one
//! transaction. An event holds names and ids, never a secret or a value the user typed into a
//! password or code field.

pub use crate::domain::actions::Action;

/// Whether an attempt worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// Where a request came from, as the activity log and the sessions list keep it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub id: String,
    pub ip: String,
    pub user_agent: String,
    /// Which API the request speaks: `panel` (pages and server functions), or one of the
    /// provider-compatible dialects.
    pub dialect: &'static str,
}

/// One event, before it is written: everything but its time and result.
#[derive(Debug, Clone)]
pub struct Event {
    /// The account where it happened.
    pub account_pk: i64,
    /// The top-level account above it (itself when it has no parent).
    pub root_pk: i64,
    pub actor_user_id: Option<i64>,
    /// The actor's login ID, `command line`, or the login ID someone tried to log in as.
    pub actor: String,
    /// How the actor was authenticated: `session`, `token`, `account-credentials`,
    /// `ovh-consumer-key`, `tencent-access-key`, `password` (a login) or `cli`; prefixed by the
    /// API dialect when the request came through one (`ovh/ovh-consumer-key`).
    pub via: &'static str,
    pub key_id: Option<String>,
    /// The caller's own account ID while they act in one of its sub-accounts.
    pub acting_from: Option<String>,
    pub action: Action,
    pub target: String,
    pub request: RequestMeta,
    /// A security notice to the user the event concerns, queued in the same transaction as the
    /// event (see `server::mail::notices`): it goes if and only if the event is written.
    pub notice: Option<Notice>,
}

/// A mail ready to queue: its bodies are sealed with the server key by whoever built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: String,
    pub account_pk: i64,
    /// What it is about, for the Administrators' list of outgoing mail.
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub sealed: Vec<u8>,
}

impl Event {
    /// This event, in the account `account_pk` just created, by its holder.
    pub fn in_new_account(&self, account_pk: i64, holder_user_id: i64, account_id: &str) -> Self {
        Self {
            account_pk,
            root_pk: account_pk,
            actor_user_id: Some(holder_user_id),
            actor: account_id.to_owned(),
            target: account_id.to_owned(),
            notice: None,
            ..self.clone()
        }
    }

    /// The same event about another target (each row of a bulk creation).
    pub fn about(&self, target: impl Into<String>) -> Self {
        Self {
            target: bounded(target.into()),
            notice: None,
            ..self.clone()
        }
    }

    /// The same event, sending `notice` with it when there is one.
    pub fn with_notice(self, notice: Option<Notice>) -> Self {
        Self { notice, ..self }
    }

    /// The same event for another action (a password reset that is also an unlock).
    pub fn doing(&self, action: Action) -> Self {
        Self {
            action,
            notice: None,
            ..self.clone()
        }
    }
}

/// The longest target kept: a name or an id, never a whole submitted field.
pub const MAX_TARGET: usize = 128;

pub fn bounded(text: String) -> String {
    if text.chars().count() <= MAX_TARGET {
        text
    } else {
        text.chars().take(MAX_TARGET).collect()
    }
}

/// Whether a database write changed something worth an event: `false` for an update that found
/// nothing to update.
pub trait Happened {
    fn happened(&self) -> bool;
}

impl Happened for () {
    fn happened(&self) -> bool {
        true
    }
}

impl Happened for bool {
    fn happened(&self) -> bool {
        *self
    }
}

impl Happened for u64 {
    fn happened(&self) -> bool {
        *self > 0
    }
}

impl Happened for i64 {
    fn happened(&self) -> bool {
        true
    }
}

impl<T> Happened for Option<T> {
    fn happened(&self) -> bool {
        self.is_some()
    }
}
