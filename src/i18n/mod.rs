//! The interface's languages: English and French. Every text a person reads comes from one
//! catalogue per language (`en.rs`, `fr.rs`), looked up by a dotted key (`nav.users`,
//! `error.login_failed`). Dates and numbers are written the way each language writes them.
//!
//! Pages read the language with [`use_lang`]: on the server it comes from the request (see
//! `server::i18n`), in the browser from `<html lang>`, which the server wrote.
//!
//! A key that travels as data (a field error, a domain error's message) is wrapped in the
//! `key!` macro where it is written, so that the catalogue test finds it in the source as it
//! finds the literal keys of `t` and `tf` calls: a key missing from a catalogue fails the tests.

mod en;
mod fr;

use serde::{Deserialize, Serialize};

/// Marks a string literal as a catalogue key carried in data; it expands to the literal.
#[macro_export]
macro_rules! key {
    ($key:literal) => {
        $key
    };
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 code, as in `<html lang>` and the `steward_lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Self::ALL
            .into_iter()
            .find(|lang| code.trim().eq_ignore_ascii_case(lang.code()))
    }

    /// The language's name in itself, as the language switch offers it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Fr => "Français",
        }
    }

    /// The best of our languages for an `Accept-Language` header (`fr-CA,fr;q=0.9,en;q=0.8`):
    /// the one with the highest quality, the first listed on a tie; English when none fits.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            let Some(lang) = Lang::from_code(primary) else {
                continue;
            };
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map_or(Lang::En, |(lang, _)| lang)
    }

    fn entries(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::En => en::ENTRIES,
            Self::Fr => fr::ENTRIES,
        }
    }

    fn lookup(self, key: &str) -> Option<&'static str> {
        let entries = self.entries();
        entries
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| entries[i].1)
    }

    /// The catalogue's text for `key` in this language (English when this language lacks it),
    /// or `None` when `key` is in no catalogue.
    pub fn text(self, key: &str) -> Option<&'static str> {
        self.lookup(key).or_else(|| Lang::En.lookup(key))
    }

    /// The text of `key` in this language; the English text when this language lacks it (a
    /// test sees that it never does); the key itself for anything else, so that text which is
    /// not a key (a message from elsewhere) passes through unchanged.
    pub fn t(self, key: &str) -> &'static str {
        self.lookup(key)
            .or_else(|| Lang::En.lookup(key))
            .unwrap_or_else(|| leak_free_passthrough(key))
    }

    /// [`Lang::t`] with `{name}` placeholders replaced by `args`.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let text = match self.lookup(key).or_else(|| Lang::En.lookup(key)) {
            Some(text) => text.to_owned(),
            None => key.to_owned(),
        };
        fill(&text, args)
    }

    /// `1,234,567` in English, `1 234 567` (narrow no-break spaces) in French.
    pub fn number(self, n: i64) -> String {
        let separator = match self {
            Self::En => ",",
            Self::Fr => "\u{202f}",
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(c);
        }
        out
    }

    /// A day in UTC: `22 Nov 2026`, `22 nov. 2026` (`1er déc. 2026`).
    pub fn date(self, unix_secs: i64) -> String {
        let (year, month, day) = civil_from_days(unix_secs.div_euclid(86_400));
        let month_name = match self {
            Self::En => EN_MONTHS[month as usize - 1],
            Self::Fr => FR_MONTHS[month as usize - 1],
        };
        let day = match (self, day) {
            (Self::Fr, 1) => "1er".to_owned(),
            _ => day.to_string(),
        };
        format!("{day} {month_name} {year}")
    }

    /// A moment in UTC, to the minute: `22 Nov 2026, 14:39 UTC`, `22 nov. 2026 à 14:39 UTC`.
    pub fn datetime(self, unix_secs: i64) -> String {
        let seconds = unix_secs.rem_euclid(86_400);
        let (hour, minute) = (seconds / 3600, seconds % 3600 / 60);
        let joiner = match self {
            Self::En => ",",
            Self::Fr => " à",
        };
        format!("{}{joiner} {hour:02}:{minute:02} UTC", self.date(unix_secs))
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const FR_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// Text that is not a catalogue key is shown as it is. `t` returns `&'static str` so that views
/// can take it anywhere a literal goes: the few such texts are interned once each, up to a
/// bound (text from a request must not grow memory without end; errors use [`Lang::tf`]).
fn leak_free_passthrough(text: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let Ok(mut seen) = SEEN.get_or_init(Default::default).lock() else {
        return "";
    };
    if let Some(known) = seen.get(text) {
        return known;
    }
    if seen.len() >= 512 {
        return "";
    }
    let interned: &'static str = Box::leak(text.to_owned().into_boxed_str());
    seen.insert(interned);
    interned
}

/// Replaces each `{name}` in `text` by its value in `args`; unknown placeholders stay.
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The UTC day of `unix_secs` as `YYYY-MM-DD`, the value of a date field.
pub fn iso_date(unix_secs: i64) -> String {
    let (year, month, day) = civil_from_days(unix_secs.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The year, month (1–12) and day (1–31) of a day counted from 1970-01-01, in the proleptic
/// Gregorian calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// An error whose message is in the catalogues: the domain's refusals, shown beside the field
/// they concern in the reader's language. (Their `Display` stays English, for logs and the
/// provider-compatible APIs.)
pub trait MessageKey {
    fn key(&self) -> &'static str;
}

/// The language of the page being rendered (English when none was provided).
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

#[cfg(test)]
mod tests;
