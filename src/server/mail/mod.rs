//! Outgoing mail: the messages in each language (`messages`), queued in the database with the
//! change that sends them (`outbox`), and delivered over SMTP by a worker that retries
//! (`delivery`). A mail's bodies are sealed with the server key until they are sent.

pub mod delivery;
pub mod messages;
pub mod notices;
pub mod outbox;
