//! The password policy (SECURITY.md rules 1 and 2): 8 to 128 characters, no composition rules,
//! a zxcvbn score of at least 3 by default, nothing from a bundled list of common and breached
//! passwords, and no words taken from the account's own context.
//!
//! The policy returns every reason at once, as data, so that a form can show them all beside the
//! field while the password is typed and the server can refuse with the same reasons.

use serde::{Deserialize, Serialize};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;
/// The default zxcvbn score a password must reach (0 to 4).
pub const DEFAULT_MIN_SCORE: u8 = 3;

/// The verdict on one password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordFeedback {
    /// zxcvbn's score, 0 (trivial) to 4 (strong); 0 when the password was not scored.
    pub score: u8,
    /// Every reason the password is refused, or suggestions when it is accepted but could be
    /// better. Empty for a good password.
    pub reasons: Vec<String>,
    pub acceptable: bool,
}

/// The most context words a password is compared with: a company, an address, an ID and a login
/// give a handful; more only costs time.
pub const MAX_CONTEXT_WORDS: usize = 32;

/// Words that a password must not contain: parts of the company name, the e-mail address, the
/// account ID, the login, and the product name. Short fragments are ignored, since every password
/// contains some two-letter sequence of something.
///
/// Linear in the input, and at most [`MAX_CONTEXT_WORDS`] words of at most
/// [`MAX_LEN`] characters: whatever a caller sends, the checks that follow stay small.
pub fn context_words(inputs: &[&str]) -> Vec<String> {
    let mut words = vec!["steward".to_owned()];
    let mut seen = std::collections::HashSet::new();
    seen.insert("steward".to_owned());
    for input in inputs {
        let lower = input.trim().to_lowercase();
        let digits: String = lower.chars().filter(char::is_ascii_digit).collect();
        let candidates = lower
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_owned)
            .chain(std::iter::once(digits));
        for word in candidates {
            if words.len() >= MAX_CONTEXT_WORDS {
                return words;
            }
            let length = word.chars().count();
            if (4..=MAX_LEN).contains(&length) && seen.insert(word.clone()) {
                words.push(word);
            }
        }
    }
    words
}

#[cfg(feature = "ssr")]
mod policy {
    use super::*;
    use std::collections::HashSet;
    use std::sync::LazyLock;

    /// The 11,611 passwords of 8 characters or more among the 30,000 most common ones in public
    /// breach corpora (taken from zxcvbn's frequency list), lower-cased.
    static COMMON: LazyLock<HashSet<&'static str>> =
        LazyLock::new(|| include_str!("common_passwords.txt").lines().collect());

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct PasswordPolicy {
        pub min_score: u8,
    }

    impl Default for PasswordPolicy {
        fn default() -> Self {
            Self {
                min_score: DEFAULT_MIN_SCORE,
            }
        }
    }

    impl PasswordPolicy {
        /// Judges `password` against the policy. `context` holds what the account already knows
        /// about its owner (company, e-mail, account ID, login); see [`context_words`].
        pub fn evaluate(&self, password: &str, context: &[&str]) -> PasswordFeedback {
            let mut reasons = Vec::new();
            let length = password.chars().count();
            if length < MIN_LEN {
                reasons.push(crate::key!("password.reason.too_short").to_owned());
            }
            if length > MAX_LEN {
                reasons.push(crate::key!("password.reason.too_long").to_owned());
                // zxcvbn's cost grows with length; a password this long is refused anyway.
                return PasswordFeedback {
                    score: 0,
                    reasons,
                    acceptable: false,
                };
            }
            let lower = password.to_lowercase();
            if COMMON.contains(lower.as_str()) {
                reasons.push(crate::key!("password.reason.common").to_owned());
            }
            let words = context_words(context);
            let found: Vec<&str> = words
                .iter()
                .map(String::as_str)
                .filter(|w| lower.contains(w))
                .collect();
            if !found.is_empty() {
                // The matched word is part of the password: it is not repeated in the message,
                // which may travel in a redirect URL when JavaScript is off.
                reasons.push(crate::key!("password.reason.context").to_owned());
            }
            let word_refs: Vec<&str> = words.iter().map(String::as_str).collect();
            let entropy = zxcvbn::zxcvbn(password, &word_refs);
            let score: u8 = entropy.score().into();
            if score < self.min_score && length > 0 {
                reasons.push(crate::key!("password.reason.guessable").to_owned());
            }
            if let Some(feedback) = entropy.feedback() {
                if let Some(warning) = feedback.warning() {
                    reasons.push(warning_key(warning).to_owned());
                }
                reasons.extend(
                    feedback
                        .suggestions()
                        .iter()
                        .map(|s| suggestion_key(*s).to_owned()),
                );
            }
            let acceptable = length >= MIN_LEN
                && score >= self.min_score
                && !COMMON.contains(lower.as_str())
                && found.is_empty();
            reasons.dedup();
            PasswordFeedback {
                score,
                reasons,
                acceptable,
            }
        }
    }
}

#[cfg(feature = "ssr")]
pub use policy::PasswordPolicy;

/// zxcvbn's advice, as catalogue keys (its own text is English only).
#[cfg(feature = "ssr")]
fn warning_key(warning: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning;
    match warning {
        Warning::StraightRowsOfKeysAreEasyToGuess => crate::key!("password.zxcvbn.straight_rows"),
        Warning::ShortKeyboardPatternsAreEasyToGuess => {
            crate::key!("password.zxcvbn.short_patterns")
        }
        Warning::RepeatsLikeAaaAreEasyToGuess => crate::key!("password.zxcvbn.repeats"),
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            crate::key!("password.zxcvbn.repeated_groups")
        }
        Warning::ThisIsATop10Password => crate::key!("password.zxcvbn.top10"),
        Warning::ThisIsATop100Password => crate::key!("password.zxcvbn.top100"),
        Warning::ThisIsACommonPassword => crate::key!("password.zxcvbn.very_common"),
        Warning::ThisIsSimilarToACommonlyUsedPassword => {
            crate::key!("password.zxcvbn.similar_common")
        }
        Warning::SequencesLikeAbcAreEasyToGuess => crate::key!("password.zxcvbn.sequences"),
        Warning::RecentYearsAreEasyToGuess => crate::key!("password.zxcvbn.recent_years"),
        Warning::AWordByItselfIsEasyToGuess => crate::key!("password.zxcvbn.single_word"),
        Warning::DatesAreOftenEasyToGuess => crate::key!("password.zxcvbn.dates"),
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => crate::key!("password.zxcvbn.names"),
        Warning::CommonNamesAndSurnamesAreEasyToGuess => {
            crate::key!("password.zxcvbn.common_names")
        }
    }
}

#[cfg(feature = "ssr")]
fn suggestion_key(suggestion: zxcvbn::feedback::Suggestion) -> &'static str {
    use zxcvbn::feedback::Suggestion;
    match suggestion {
        Suggestion::UseAFewWordsAvoidCommonPhrases => crate::key!("password.zxcvbn.few_words"),
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => {
            crate::key!("password.zxcvbn.no_symbols_needed")
        }
        Suggestion::AddAnotherWordOrTwo => crate::key!("password.zxcvbn.more_words"),
        Suggestion::CapitalizationDoesntHelpVeryMuch => crate::key!("password.zxcvbn.capitals"),
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            crate::key!("password.zxcvbn.all_caps")
        }
        Suggestion::ReversedWordsArentMuchHarderToGuess => crate::key!("password.zxcvbn.reversed"),
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
            crate::key!("password.zxcvbn.substitutions")
        }
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
            crate::key!("password.zxcvbn.longer_pattern")
        }
        Suggestion::AvoidRepeatedWordsAndCharacters => crate::key!("password.zxcvbn.avoid_repeats"),
        Suggestion::AvoidSequences => crate::key!("password.zxcvbn.avoid_sequences"),
        Suggestion::AvoidRecentYears => crate::key!("password.zxcvbn.avoid_recent_years"),
        Suggestion::AvoidYearsThatAreAssociatedWithYou => {
            crate::key!("password.zxcvbn.avoid_your_years")
        }
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => {
            crate::key!("password.zxcvbn.avoid_your_dates")
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    /// The verdict, its reasons in English (they are catalogue keys) as a reader sees them.
    fn check(password: &str) -> PasswordFeedback {
        english(
            PasswordPolicy::default().evaluate(password, &["Acme Widgets", "jane@acme.example"]),
        )
    }

    fn english(mut verdict: PasswordFeedback) -> PasswordFeedback {
        for reason in &mut verdict.reasons {
            *reason = crate::i18n::Lang::En.tf(reason, &[]);
        }
        verdict
    }

    fn mentions_length(verdict: &PasswordFeedback) -> bool {
        verdict
            .reasons
            .iter()
            .any(|r| r.contains("at least 8") || r.contains("at most 128"))
    }

    #[test]
    fn length_limits_follow_the_policy_table() {
        // 7 characters: too short, even when random.
        let seven = check("q7#Zp2L");
        assert!(!seven.acceptable);
        assert!(seven.reasons.iter().any(|r| r.contains("at least 8")));
        // 8 characters meet the length rule (zxcvbn then judges their strength on its own).
        assert!(!mentions_length(&check("q7#Zp2Lw")));
        // Ten random characters of mixed kinds are strong enough.
        assert!(check("q7#Zp2Lw9x").acceptable, "{:?}", check("q7#Zp2Lw9x"));
        // 64 and 128 characters are allowed; 129 are not.
        let sixty_four: String = "Horse battery staple ".repeat(4).chars().take(64).collect();
        assert!(check(&sixty_four).acceptable);
        let long: String = "correct-horse-battery-staple-"
            .repeat(5)
            .chars()
            .take(128)
            .collect();
        assert!(check(&long).acceptable);
        let too_long: String = "correct-horse-battery-staple-"
            .repeat(5)
            .chars()
            .take(129)
            .collect();
        let verdict = check(&too_long);
        assert!(!verdict.acceptable);
        assert!(verdict.reasons.iter().any(|r| r.contains("at most 128")));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Seven emoji are 28 bytes but 7 characters: too short.
        assert!(
            check("🦀🐙🦑🐳🦈🐡🐠")
                .reasons
                .iter()
                .any(|r| r.contains("at least 8"))
        );
        // Emoji and inner spaces are allowed and count as characters.
        assert!(
            check("🦀 walrus 🐙 teapot").acceptable,
            "{:?}",
            check("🦀 walrus 🐙 teapot")
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["password123", "PASSWORD1", "qwertyuiop", "iloveyou1"] {
            let verdict = check(common);
            assert!(!verdict.acceptable, "{common}");
        }
        assert!(
            check("Password1")
                .reasons
                .iter()
                .any(|r| r.contains("most common"))
        );
    }

    #[test]
    fn words_from_the_account_context_are_refused_without_repeating_them() {
        let verdict = check("Widgets-Quasar-Forever-91");
        assert!(!verdict.acceptable);
        assert!(
            verdict.reasons.iter().any(|r| r.contains("company name")),
            "{:?}",
            verdict.reasons
        );
        assert!(
            !verdict
                .reasons
                .iter()
                .any(|r| r.to_lowercase().contains("widgets"))
        );
        assert!(!check("Steward-Quasar-Forever-91").acceptable);
    }

    #[test]
    fn weak_passwords_get_every_reason_zxcvbn_gives() {
        let verdict = check("aaaaaaaaaa");
        assert!(!verdict.acceptable);
        assert!(verdict.score < 3);
        assert!(verdict.reasons.len() >= 2, "{:?}", verdict.reasons);
    }

    #[test]
    fn the_minimum_score_is_configurable() {
        let lenient = PasswordPolicy { min_score: 1 };
        let strict = PasswordPolicy { min_score: 4 };
        let password = "kestrel-window";
        assert!(lenient.evaluate(password, &[]).acceptable);
        assert!(!strict.evaluate("q7#Zp2Lw", &[]).acceptable);
    }

    #[test]
    fn context_words_are_capped_whatever_is_sent() {
        let many: String = (0..50_000).map(|i| format!("word{i} ")).collect();
        let long = "x".repeat(10_000);
        let words = context_words(&[many.as_str(), long.as_str()]);
        assert_eq!(words.len(), MAX_CONTEXT_WORDS);
        assert!(words.iter().all(|w| w.chars().count() <= MAX_LEN));
        let words = context_words(&[long.as_str()]);
        assert_eq!(
            words,
            vec!["steward".to_owned()],
            "a word past MAX_LEN is ignored"
        );
    }

    #[test]
    fn context_words_skip_short_fragments_and_keep_digits_of_ids() {
        let words = context_words(&["AB Foods", "jo@ab.example", "1234-567-89"]);
        assert!(words.contains(&"foods".to_owned()));
        assert!(words.contains(&"example".to_owned()));
        assert!(words.contains(&"123456789".to_owned()));
        assert!(!words.contains(&"ab".to_owned()));
    }
}
