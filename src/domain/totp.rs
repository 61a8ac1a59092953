//! Time-based one-time passwords (RFC 6238, SHA-1, 6 digits, 30-second steps), as authenticator
//! apps compute them. Pure: the caller passes the time and the last step already used, so
//! replay and clock-skew rules are testable.

use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECONDS: i64 = 30;
/// 160 bits, the size RFC 4226 recommends for HMAC-SHA-1.
pub const SEED_BYTES: usize = 20;
const DIGITS: usize = 6;
pub const ISSUER: &str = "Steward";

pub struct Totp {
    inner: TOTP,
    seed: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid TOTP seed or label")]
pub struct InvalidTotp;

impl Totp {
    /// `label` is what the authenticator app shows: the user's `ACCOUNT-ID/login`.
    pub fn new(seed: Vec<u8>, label: &str) -> Result<Self, InvalidTotp> {
        Self::with_digits(seed, label, DIGITS)
    }

    fn with_digits(seed: Vec<u8>, label: &str, digits: usize) -> Result<Self, InvalidTotp> {
        let inner = TOTP::new(
            Algorithm::SHA1,
            digits,
            0,
            30,
            seed.clone(),
            Some(ISSUER.to_owned()),
            label.to_owned(),
        )
        .map_err(|_| InvalidTotp)?;
        Ok(Self { inner, seed })
    }

    pub fn step_of(unix_seconds: i64) -> i64 {
        unix_seconds.div_euclid(STEP_SECONDS)
    }

    pub fn code_at_step(&self, step: i64) -> String {
        self.inner
            .generate(u64::try_from(step.max(0) * STEP_SECONDS).unwrap_or(0))
    }

    /// The step `code` belongs to, if it is the code of the current or the previous step and
    /// that step is later than `last_used` (a code is accepted once: RFC 6238 section 5.2).
    pub fn accept(&self, code: &str, now: i64, last_used: Option<i64>) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = Self::step_of(now);
        [current, current - 1]
            .into_iter()
            .filter(|step| last_used.is_none_or(|last| *step > last))
            .find(|step| constant_time_eq(code.as_bytes(), self.code_at_step(*step).as_bytes()))
    }

    /// The `otpauth://totp/...` URI an authenticator app imports.
    pub fn uri(&self) -> String {
        self.inner.get_url()
    }

    /// The seed in base32, in groups of four, for typing it in by hand.
    pub fn key_for_humans(&self) -> String {
        let encoded = Secret::Raw(self.seed.clone()).to_encoded().to_string();
        let chars: Vec<char> = encoded.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `text` as a QR code, drawn as an inline SVG (no image service, no JavaScript).
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let size = qr.size() + border * 2;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"200\" height=\"200\" \
         role=\"img\" aria-label=\"QR code for your authenticator app\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_seed() -> Vec<u8> {
        b"12345678901234567890".to_vec()
    }

    #[test]
    fn rfc_6238_appendix_b_sha1_vectors_pass() {
        let totp = Totp::with_digits(rfc_seed(), "test", 8).unwrap();
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp.code_at_step(Totp::step_of(time)), expected, "T={time}");
        }
    }

    #[test]
    fn the_current_and_the_previous_step_are_accepted_and_no_other() {
        let totp = Totp::new(rfc_seed(), "1234-567-89/jo").unwrap();
        let now = 1_800_000_015;
        let step = Totp::step_of(now);
        assert_eq!(totp.accept(&totp.code_at_step(step), now, None), Some(step));
        assert_eq!(
            totp.accept(&totp.code_at_step(step - 1), now, None),
            Some(step - 1)
        );
        assert_eq!(totp.accept(&totp.code_at_step(step - 2), now, None), None);
        assert_eq!(totp.accept(&totp.code_at_step(step + 1), now, None), None);
    }

    #[test]
    fn a_code_is_accepted_once_and_never_an_older_one_after_it() {
        let totp = Totp::new(rfc_seed(), "x").unwrap();
        let now = 1_800_000_015;
        let step = Totp::step_of(now);
        let code = totp.code_at_step(step);
        let used = totp.accept(&code, now, None).unwrap();
        assert_eq!(totp.accept(&code, now, Some(used)), None, "replayed");
        assert_eq!(
            totp.accept(&totp.code_at_step(step - 1), now, Some(used)),
            None,
            "older than the last"
        );
    }

    #[test]
    fn malformed_codes_are_refused_and_spaces_ignored() {
        let totp = Totp::new(rfc_seed(), "x").unwrap();
        let now = 1_800_000_015;
        let code = totp.code_at_step(Totp::step_of(now));
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(totp.accept(&spaced, now, None).is_some());
        for bad in ["", "12345", "1234567", "abcdef", "12 34 5"] {
            assert_eq!(totp.accept(bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn the_uri_names_steward_and_the_login_id_and_the_key_is_grouped() {
        let totp = Totp::new(rfc_seed(), "1234-567-89/jo").unwrap();
        let uri = totp.uri();
        assert!(
            uri.starts_with("otpauth://totp/Steward:1234-567-89%2Fjo?"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Steward"));
        assert_eq!(
            totp.key_for_humans(),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg("otpauth://totp/Steward:x?secret=ABC").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("aria-label"));
    }
}
