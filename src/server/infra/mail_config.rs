//! Outgoing mail's settings: the SMTP server (`STEWARD_SMTP_URL`) in lettre's words, and the
//! sender.

use std::time::Duration;

/// Where and as whom Steward sends mail.
#[derive(Clone)]
pub struct MailConfig {
    /// In lettre's form (`smtp://...?tls=required`); it may hold the SMTP password.
    pub transport_url: String,
    pub from: String,
    pub retry_after: Duration,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// `STEWARD_SMTP_URL` in lettre's words: `smtp+starttls://` is `smtp://` with STARTTLS
/// required; `smtp://` and `smtps://` are lettre's own.
pub fn lettre_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("smtp+starttls://") {
        let separator = if rest.contains('?') { '&' } else { '?' };
        return Ok(format!("smtp://{rest}{separator}tls=required"));
    }
    anyhow::ensure!(
        url.starts_with("smtp://") || url.starts_with("smtps://"),
        "STEWARD_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://"
    );
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_become_lettres() {
        assert_eq!(
            lettre_url("smtp+starttls://u:p@mail.example.com:587").unwrap(),
            "smtp://u:p@mail.example.com:587?tls=required"
        );
        assert_eq!(
            lettre_url("smtp+starttls://mail.example.com?pool=false").unwrap(),
            "smtp://mail.example.com?pool=false&tls=required"
        );
        assert_eq!(
            lettre_url(" smtps://mail.example.com ").unwrap(),
            "smtps://mail.example.com"
        );
        assert_eq!(
            lettre_url("smtp://127.0.0.1:25").unwrap(),
            "smtp://127.0.0.1:25"
        );
        assert!(lettre_url("http://mail.example.com").is_err());
    }
}
