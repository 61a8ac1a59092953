//! Values the server sends as codes or optional times, in the words of the page's language.

use crate::i18n::Lang;

/// A role's name (`None`, `User`, `Administrator`, as the server sends it) in `lang`.
pub fn role_text(lang: Lang, role: &str) -> &'static str {
    crate::domain::Role::parse(role).map_or_else(|_| lang.t(role), |r| lang.t(r.key()))
}

/// When something last happened, or "Never".
pub fn time_or_never(lang: Lang, at: Option<i64>) -> String {
    at.map_or_else(|| lang.t("users.never").to_owned(), |at| lang.datetime(at))
}
