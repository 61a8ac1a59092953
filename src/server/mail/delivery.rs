//! The worker that delivers the outbox over SMTP (lettre). It wakes when a mail is queued and
//! every few seconds; a mail the SMTP server does not take (down, refusing, timing out) stays
//! queued and is tried again later, each failure doubling the wait, until it is given up after
//! [`MAX_ATTEMPTS`]. With several servers, a mail is claimed before it is sent, so that one
//! server sends it.

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

use crate::server::db;
use crate::server::db::mail_store::DueMail;
use crate::server::infra::config::MailConfig;
use crate::server::mail::outbox;
use crate::server::web::state::AppState;

/// Attempts after which a mail is given up (about three hours with the default wait).
pub const MAX_ATTEMPTS: i32 = 10;
/// How long a claimed mail is left to the server that claimed it.
const LEASE_SECONDS: i64 = 120;
/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(3600);
/// How often the outbox is looked at when nothing wakes the worker.
const POLL: Duration = Duration::from_secs(5);
/// The longest an SMTP answer is kept.
const MAX_ERROR: usize = 500;

/// The wait before attempt `attempts + 1`, after `attempts` failures.
pub fn backoff(first: Duration, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    first.saturating_mul(1 << doublings).min(MAX_WAIT)
}

/// Starts the worker when mail is on; it runs for as long as the server does.
pub fn spawn(state: AppState) -> anyhow::Result<()> {
    let Some(config) = state.config.mail.clone() else {
        return Ok(());
    };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.transport_url)
        .map_err(|e| anyhow::anyhow!("STEWARD_SMTP_URL is not usable: {e}"))?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|_| anyhow::anyhow!("STEWARD_MAIL_FROM is not an address"))?;
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&state, &config, &transport, &from).await {
                tracing::warn!(error = %e, "cannot read the mail outbox; trying again later");
            }
            tokio::select! {
                () = state.mail_wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    });
    Ok(())
}

async fn deliver_due(
    state: &AppState,
    config: &MailConfig,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> Result<(), sqlx::Error> {
    for mail in db::mail_store::due(&state.db, 20).await? {
        if !db::mail_store::claim(&state.db, &mail, db::now() + LEASE_SECONDS).await? {
            continue;
        }
        let outcome = attempt(state, transport, from, &mail).await;
        match outcome {
            Ok(()) => {
                db::mail_store::mark_sent(&state.db, &mail.id).await?;
                tracing::info!(mail = %mail.id, "mail sent");
            }
            Err(Failure { error, permanent }) => {
                let attempts = mail.attempts + 1;
                let retry_at = (!permanent && attempts < MAX_ATTEMPTS).then(|| {
                    let wait = backoff(config.retry_after, attempts);
                    db::now() + i64::try_from(wait.as_secs()).unwrap_or(3600)
                });
                let error: String = error.chars().take(MAX_ERROR).collect();
                tracing::warn!(mail = %mail.id, attempts, error = %error, retry = retry_at.is_some(), "mail not sent");
                db::mail_store::mark_failed(&state.db, &mail.id, &error, retry_at).await?;
            }
        }
    }
    Ok(())
}

struct Failure {
    error: String,
    /// Trying again cannot help (the mail itself is wrong).
    permanent: bool,
}

impl Failure {
    fn permanent(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            permanent: true,
        }
    }
}

async fn attempt(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: &DueMail,
) -> Result<(), Failure> {
    let sealed = mail
        .sealed
        .as_deref()
        .ok_or_else(|| Failure::permanent("the message is no longer kept"))?;
    let bodies = outbox::open(&state.server_key, &mail.id, sealed)
        .map_err(|_| Failure::permanent("the message does not open with the server key"))?;
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|_| Failure::permanent("the recipient is not an address"))?;
    let message = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(bodies.text, bodies.html))
        .map_err(|e| Failure::permanent(e.to_string()))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| Failure {
            error: e.to_string(),
            permanent: false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_doubles_the_wait_up_to_an_hour() {
        let first = Duration::from_secs(30);
        assert_eq!(backoff(first, 1), Duration::from_secs(30));
        assert_eq!(backoff(first, 2), Duration::from_secs(60));
        assert_eq!(backoff(first, 4), Duration::from_secs(240));
        assert_eq!(backoff(first, 9), MAX_WAIT);
        assert_eq!(backoff(first, i32::MAX), MAX_WAIT);
        assert_eq!(backoff(first, 0), first);
    }
}
