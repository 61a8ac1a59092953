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
    fn values_cannot_write_html() {
        let mail = password_reset(Lang::En, "<b>x</b>", "https://x/\"><script>", 30);
        assert!(!mail.html.contains("<b>x"), "{}", mail.html);
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;b&gt;x&lt;/b&gt;"));
    }
}
