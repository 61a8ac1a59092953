use super::*;
use std::collections::BTreeSet;

fn keys(lang: Lang) -> BTreeSet<&'static str> {
    lang.entries().iter().map(|(k, _)| *k).collect()
}

#[test]
fn every_catalogue_is_sorted_without_duplicates() {
    for lang in Lang::ALL {
        for pair in lang.entries().windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "{}: {:?} must come before {:?} (sorted, no duplicates)",
                lang.code(),
                pair[1].0,
                pair[0].0
            );
        }
    }
}

#[test]
fn every_key_is_in_every_language() {
    let english = keys(Lang::En);
    for lang in Lang::ALL {
        let other = keys(lang);
        let missing: Vec<_> = english.difference(&other).collect();
        let extra: Vec<_> = other.difference(&english).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
        assert!(
            extra.is_empty(),
            "{} has keys English lacks: {extra:?}",
            lang.code()
        );
    }
}

fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

#[test]
fn every_translation_has_the_same_placeholders() {
    for (key, english) in Lang::En.entries() {
        for lang in Lang::ALL {
            let text = lang.t(key);
            assert_eq!(
                placeholders(text),
                placeholders(english),
                "{} {key}: {text:?}",
                lang.code()
            );
            assert!(!text.trim().is_empty(), "{} {key} is empty", lang.code());
        }
    }
}

/// The keys the source uses: the literal after each `.t(`, `.tf(` and `key!(`.
fn keys_used_in(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in [".t(\"", ".tf(\"", "key!(\""] {
        for (start, _) in source.match_indices(marker) {
            let rest = &source[start + marker.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_owned());
            }
        }
    }
    found
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_key_the_source_uses_is_in_the_catalogues() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() > 20,
        "the source tree was not found at {root:?}"
    );
    let english = keys(Lang::En);
    let mut missing = BTreeSet::new();
    for file in files {
        // This file's own examples are not the interface's.
        if file.ends_with("i18n/tests.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        for key in keys_used_in(&source) {
            if !english.contains(key.as_str()) {
                missing.insert(format!("{key} ({})", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys missing from the catalogues: {missing:#?}"
    );
}

#[test]
fn the_scanner_finds_keys_in_calls_and_markers() {
    let source = r#"lang.t("nav.users") lang.tf("a.b", &[]) key!("c.d") t(x)"#;
    assert_eq!(keys_used_in(source), ["nav.users", "a.b", "c.d"]);
}

#[test]
fn unknown_keys_pass_through_and_placeholders_are_filled() {
    assert_eq!(Lang::Fr.t("Not a key at all"), "Not a key at all");
    assert_eq!(
        Lang::En.tf("{who} and {who}", &[("who", "Ann")]),
        "Ann and Ann"
    );
}

#[test]
fn accept_language_is_negotiated_by_quality() {
    assert_eq!(Lang::negotiate(""), Lang::En);
    assert_eq!(Lang::negotiate("fr-CA"), Lang::Fr);
    assert_eq!(Lang::negotiate("fr-FR,fr;q=0.9,en;q=0.8"), Lang::Fr);
    assert_eq!(Lang::negotiate("en;q=0.5, fr;q=0.9"), Lang::Fr);
    assert_eq!(Lang::negotiate("de-DE,de;q=0.9"), Lang::En);
    assert_eq!(Lang::negotiate("de, fr;q=0.3"), Lang::Fr);
    assert_eq!(Lang::negotiate("fr;q=0, en"), Lang::En);
    assert_eq!(Lang::negotiate("EN-gb, fr"), Lang::En);
    assert_eq!(Lang::negotiate("*"), Lang::En);
}

#[test]
fn codes_round_trip() {
    for lang in Lang::ALL {
        assert_eq!(Lang::from_code(lang.code()), Some(lang));
    }
    assert_eq!(Lang::from_code("de"), None);
    assert_eq!(Lang::Fr.native_name(), "Français");
}

#[test]
fn numbers_are_grouped_by_language() {
    assert_eq!(Lang::En.number(1_234_567), "1,234,567");
    assert_eq!(Lang::Fr.number(1_234_567), "1\u{202f}234\u{202f}567");
    assert_eq!(Lang::En.number(999), "999");
    assert_eq!(Lang::En.number(-1000), "-1,000");
    assert_eq!(Lang::Fr.number(0), "0");
    assert_eq!(Lang::En.number(i64::MIN), "-9,223,372,036,854,775,808");
}

#[test]
fn dates_are_written_by_language_in_utc() {
    // 2026-11-22 14:39:00 UTC
    let t = 1_795_358_340;
    assert_eq!(Lang::En.date(t), "22 Nov 2026");
    assert_eq!(Lang::Fr.date(t), "22 nov. 2026");
    assert_eq!(Lang::En.datetime(t), "22 Nov 2026, 14:39 UTC");
    assert_eq!(Lang::Fr.datetime(t), "22 nov. 2026 à 14:39 UTC");
    assert_eq!(Lang::Fr.date(1_796_083_200), "1er déc. 2026");
    assert_eq!(Lang::En.datetime(0), "1 Jan 1970, 00:00 UTC");
    assert_eq!(Lang::En.date(951_782_400), "29 Feb 2000");
    assert_eq!(Lang::En.datetime(-1), "31 Dec 1969, 23:59 UTC");
}
