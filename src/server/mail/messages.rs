//! The mail Steward sends, in the recipient's language, as plain text and HTML. Every string
//! comes from the catalogues; the only secret a mail may carry is a single-use link.

use crate::i18n::Lang;

/// A message ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The five characters HTML gives a meaning to, escaped: all that a value placed between tags
/// or in a quoted attribute needs (a crate for these five lines would add nothing).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Paragraphs around one link, in both forms.
fn with_link(
    lang: Lang,
    subject: String,
    before: &[String],
    link: &str,
    after: &[String],
) -> Message {
    let mut text = String::new();
    for paragraph in before {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    text.push_str(link);
    text.push_str("\n\n");
    for paragraph in after {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    text.push_str("-- \nSteward\n");
    let paragraphs = |list: &[String]| {
        list.iter()
            .map(|p| format!("<p>{}</p>", escape(p)))
            .collect::<String>()
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body>{before}<p><a href=\"{href}\">{href}</a></p>{after}<p>-- <br>Steward</p></body></html>",
        lang = lang.code(),
        title = escape(&subject),
        before = paragraphs(before),
        href = escape(link),
        after = paragraphs(after),
    );
    Message {
        subject,
        text,
        html,
    }
}

/// "Forgot your password?": the link to choose a new one, valid `minutes`.
pub fn password_reset(lang: Lang, login_id: &str, link: &str, minutes: u32) -> Message {
    let minutes = minutes.to_string();
    with_link(
        lang,
        lang.t("mail.reset.subject").to_owned(),
        &[
            lang.tf("mail.reset.intro", &[("login", login_id)]),
            lang.t("mail.reset.action").to_owned(),
        ],
        link,
        &[
            lang.tf("mail.reset.expiry", &[("minutes", &minutes)]),
            lang.t("mail.reset.not_you").to_owned(),
        ],
    )
}

/// The link that verifies an address given for `login_id`, valid `hours`.
pub fn email_verification(lang: Lang, login_id: &str, link: &str, hours: i64) -> Message {
    let hours = hours.to_string();
    with_link(
        lang,
        lang.t("mail.verify.subject").to_owned(),
        &[
            lang.tf("mail.verify.intro", &[("login", login_id)]),
            lang.t("mail.verify.action").to_owned(),
        ],
        link,
        &[
            lang.tf("mail.verify.expiry", &[("hours", &hours)]),
            lang.t("mail.verify.not_you").to_owned(),
        ],
    )
}

/// An invitation to `company`'s panel as `login_id`: the link to choose a password, valid
/// `days`.
pub fn invitation(lang: Lang, login_id: &str, company: &str, link: &str, days: i64) -> Message {
    let days = days.to_string();
    with_link(
        lang,
        lang.tf("mail.invite.subject", &[("company", company)]),
        &[
            lang.tf(
                "mail.invite.intro",
                &[("company", company), ("login", login_id)],
            ),
            lang.t("mail.invite.action").to_owned(),
        ],
        link,
        &[
            lang.tf("mail.invite.expiry", &[("days", &days)]),
            lang.t("mail.invite.not_you").to_owned(),
        ],
    )
}

/// Sign-in details for `login_id`, sent to an address an Administrator typed: where the panel
/// is, the login ID, and a link to choose a password (never the password itself).
pub fn sign_in_details(lang: Lang, login_id: &str, panel: &str, link: &str, days: i64) -> Message {
    let days = days.to_string();
    with_link(
        lang,
        lang.t("mail.details.subject").to_owned(),
        &[
            lang.tf(
                "mail.details.intro",
                &[("panel", panel), ("login", login_id)],
            ),
            lang.t("mail.details.action").to_owned(),
        ],
        link,
        &[
            lang.tf("mail.invite.expiry", &[("days", &days)]),
            lang.t("mail.details.not_you").to_owned(),
        ],
    )
}

/// What a security notice tells the user about their login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeAbout<'a> {
    /// Signed in from a browser that had not signed in as this login before.
    NewBrowser,
    PasswordChanged,
    TwoFactorOff,
    /// A new API credential, described (`API token “deploy”`).
    CredentialCreated(&'a str),
    /// Locked after `attempts` failures in a row, for `minutes`.
    Locked {
        attempts: u32,
        minutes: u32,
    },
}

impl NoticeAbout<'_> {
    /// The outbox's `kind` of the mail.
    pub fn kind(self) -> &'static str {
        match self {
            Self::NewBrowser => "notice_new_browser",
            Self::PasswordChanged => "notice_password",
            Self::TwoFactorOff => "notice_two_factor_off",
            Self::CredentialCreated(_) => "notice_credential",
            Self::Locked { .. } => "notice_locked",
        }
    }
}

/// The facts a notice gives: which login, when, from where, and who acted when it was not the
/// user themselves.
#[derive(Debug, Clone, Copy)]
pub struct NoticeFacts<'a> {
    pub login_id: &'a str,
    pub at: i64,
    pub address: &'a str,
    pub user_agent: &'a str,
    pub by: Option<&'a str>,
}

/// A security notice: what happened, the facts, and a link to the security page. It carries no
/// secret: the link is the panel's own address.
pub fn notice(lang: Lang, about: NoticeAbout<'_>, facts: &NoticeFacts<'_>, link: &str) -> Message {
    let login = [("login", facts.login_id)];
    let (subject, intro) = match about {
        NoticeAbout::NewBrowser => (
            lang.t("mail.notice.new_browser.subject"),
            lang.tf("mail.notice.new_browser.intro", &login),
        ),
        NoticeAbout::PasswordChanged => (
            lang.t("mail.notice.password.subject"),
            lang.tf("mail.notice.password.intro", &login),
        ),
        NoticeAbout::TwoFactorOff => (
            lang.t("mail.notice.two_factor_off.subject"),
            lang.tf("mail.notice.two_factor_off.intro", &login),
        ),
        NoticeAbout::CredentialCreated(what) => (
            lang.t("mail.notice.credential.subject"),
            lang.tf(
                "mail.notice.credential.intro",
                &[("login", facts.login_id), ("what", what)],
            ),
        ),
        NoticeAbout::Locked { attempts, minutes } => (
            lang.t("mail.notice.locked.subject"),
            lang.tf(
                "mail.notice.locked.intro",
                &[
                    ("login", facts.login_id),
                    ("attempts", &attempts.to_string()),
                    ("minutes", &minutes.to_string()),
                ],
            ),
        ),
    };
    let mut before = vec![
        intro,
        lang.tf("mail.notice.when", &[("when", &lang.datetime(facts.at))]),
    ];
    if !facts.address.is_empty() {
        let browser = crate::domain::user_agent::describe_in(facts.user_agent, lang);
        before.push(lang.tf(
            "mail.notice.from",
            &[("address", facts.address), ("browser", &browser)],
        ));
    }
    if let Some(by) = facts.by {
        before.push(lang.tf("mail.notice.by", &[("actor", by)]));
    }
    let check = match about {
        NoticeAbout::Locked { .. } => "mail.notice.check_locked",
        _ => "mail.notice.check",
    };
    before.push(lang.t(check).to_owned());
    with_link(lang, subject.to_owned(), &before, link, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_mail_carries_the_link_in_both_forms_and_both_languages() {
        let link = "https://panel.example.com/login/reset/abc123";
        for lang in [Lang::En, Lang::Fr] {
            let mail = password_reset(lang, "1234-567-89/ana", link, 30);
            assert!(mail.text.contains(link), "{lang:?}: {}", mail.text);
            assert!(
                mail.html.contains(&format!("href=\"{link}\"")),
                "{}",
                mail.html
            );
            assert!(mail.text.contains("1234-567-89/ana"));
            assert!(mail.text.contains("30"));
            assert!(!mail.subject.is_empty());
        }
        let en = password_reset(Lang::En, "x", link, 30);
        let fr = password_reset(Lang::Fr, "x", link, 30);
        assert_ne!(en.subject, fr.subject);
    }

    #[test]
    fn link_mails_name_the_login_and_carry_the_link_in_both_languages() {
        let link = "https://panel.example.com/verify-email/abc123";
        for lang in [Lang::En, Lang::Fr] {
            let mails = [
                email_verification(lang, "1234-567-89/ana", link, 48),
                invitation(lang, "1234-567-89/ana", "Acme <Ltd>", link, 7),
                sign_in_details(
                    lang,
                    "1234-567-89/ana",
                    "https://panel.example.com",
                    link,
                    7,
                ),
            ];
            for mail in mails {
                assert!(mail.text.contains(link), "{lang:?}: {}", mail.text);
                assert!(mail.html.contains(&format!("href=\"{link}\"")));
                assert!(mail.text.contains("1234-567-89/ana"), "{}", mail.text);
                assert!(!mail.html.contains("<Ltd>"), "{}", mail.html);
            }
        }
        let en = invitation(Lang::En, "x", "Acme", link, 7);
        let fr = invitation(Lang::Fr, "x", "Acme", link, 7);
        assert!(en.subject.contains("Acme") && fr.subject.contains("Acme"));
        assert_ne!(en.subject, fr.subject);
        assert!(
            sign_in_details(Lang::En, "x", "https://panel.example.com", link, 7)
                .text
                .contains("https://panel.example.com with the login ID x")
        );
    }

    #[test]
    fn values_cannot_write_html() {
        let mail = password_reset(Lang::En, "<b>x</b>", "https://x/\"><script>", 30);
        assert!(!mail.html.contains("<b>x"), "{}", mail.html);
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;b&gt;x&lt;/b&gt;"));
    }

    fn facts(by: Option<&str>) -> NoticeFacts<'_> {
        NoticeFacts {
            login_id: "1234-567-89/ana",
            at: 1_796_000_000,
            address: "203.0.113.9",
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
            by,
        }
    }

    #[test]
    fn every_notice_says_what_when_and_from_where_in_both_languages() {
        let link = "https://panel.example.com/security";
        let all = [
            NoticeAbout::NewBrowser,
            NoticeAbout::PasswordChanged,
            NoticeAbout::TwoFactorOff,
            NoticeAbout::CredentialCreated("API token “deploy”"),
            NoticeAbout::Locked {
                attempts: 10,
                minutes: 15,
            },
        ];
        for lang in [Lang::En, Lang::Fr] {
            let mut subjects = std::collections::HashSet::new();
            for about in all {
                let mail = notice(lang, about, &facts(None), link);
                assert!(subjects.insert(mail.subject.clone()), "{}", mail.subject);
                assert!(mail.text.contains("1234-567-89/ana"), "{}", mail.text);
                assert!(mail.text.contains("203.0.113.9"), "{}", mail.text);
                assert!(mail.text.contains("Firefox"), "{}", mail.text);
                assert!(mail.text.contains("UTC"), "{}", mail.text);
                assert!(mail.text.contains(link));
                assert!(
                    !mail.text.contains("{"),
                    "a placeholder is left: {}",
                    mail.text
                );
            }
            let credential = notice(lang, all[3], &facts(None), link);
            assert!(credential.text.contains("deploy"));
            let locked = notice(lang, all[4], &facts(None), link);
            assert!(locked.text.contains("10") && locked.text.contains("15"));
        }
        let by = notice(
            Lang::En,
            NoticeAbout::TwoFactorOff,
            &facts(Some("1234-567-89")),
            link,
        );
        assert!(by.text.contains("By: 1234-567-89"), "{}", by.text);
        let fr = notice(Lang::Fr, NoticeAbout::TwoFactorOff, &facts(None), link);
        let en = notice(Lang::En, NoticeAbout::TwoFactorOff, &facts(None), link);
        assert_ne!(fr.subject, en.subject);
    }
}
