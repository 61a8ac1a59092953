//! The shapes of API credentials: account credentials (`MA_` or `SA_` and ten upper-case
//! letters or digits, with a token) and personal API tokens (`<id>_<secret>`).

use super::generated::READABLE;

/// Upper-case letters and digits without look-alikes, for `auth_id`s.
pub const AUTH_ID_CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Characters of a secret: 32 readable characters carry about 184 bits.
pub const SECRET_LEN: usize = 32;

/// Whose account credentials these are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthIdKind {
    MainAccount,
    SubAccount,
}

impl AuthIdKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::MainAccount => "MA_",
            Self::SubAccount => "SA_",
        }
    }
}

/// A new `auth_id`, e.g. `SA_7KQ2M9XWBD`. `pick(n)` must return a uniformly random index below
/// `n` from a CSPRNG.
pub fn auth_id(kind: AuthIdKind, mut pick: impl FnMut(usize) -> usize) -> String {
    let mut id = kind.prefix().to_owned();
    id.extend(
        (0..10).map(|_| char::from(AUTH_ID_CHARS[pick(AUTH_ID_CHARS.len()) % AUTH_ID_CHARS.len()])),
    );
    id
}

/// Whether `input` has the shape of an `auth_id` (so that a malformed one is refused before
/// any database work).
pub fn is_auth_id(input: &str) -> bool {
    let rest = input
        .strip_prefix("MA_")
        .or_else(|| input.strip_prefix("SA_"));
    rest.is_some_and(|r| r.len() == 10 && r.bytes().all(|b| AUTH_ID_CHARS.contains(&b)))
}

/// A new secret: an account credential's token, or the part of a personal token after `_`.
pub fn secret(mut pick: impl FnMut(usize) -> usize) -> String {
    (0..SECRET_LEN)
        .map(|_| char::from(READABLE[pick(READABLE.len()) % READABLE.len()]))
        .collect()
}

/// A personal API token as it is handed out: `<id>_<secret>`.
pub fn personal_token(id: i64, secret: &str) -> String {
    format!("{id}_{secret}")
}

/// The id of a personal token, when `token` has the shape `<id>_<secret>` (or the older
/// `<id>$<secret>`).
pub fn personal_token_id(token: &str) -> Option<i64> {
    let (id, secret) = token.split_once(['_', '$'])?;
    let well_formed = !id.is_empty()
        && id.len() <= 18
        && id.bytes().all(|b| b.is_ascii_digit())
        && secret.len() == SECRET_LEN
        && secret.bytes().all(|b| READABLE.contains(&b));
    if well_formed { id.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> impl FnMut(usize) -> usize {
        let mut n = 0usize;
        move |len| {
            n = (n * 31 + 7) % len;
            n
        }
    }

    #[test]
    fn auth_ids_have_their_prefix_and_ten_characters() {
        let main = auth_id(AuthIdKind::MainAccount, counter());
        let sub = auth_id(AuthIdKind::SubAccount, counter());
        assert!(main.starts_with("MA_") && main.len() == 13, "{main}");
        assert!(sub.starts_with("SA_") && sub.len() == 13, "{sub}");
        assert!(is_auth_id(&main) && is_auth_id(&sub));
        for bad in [
            "",
            "SA_",
            "XA_ABCDEFGHJK",
            "SA_abcdefghjk",
            "SA_ABCDEFGHJKL",
            "SA_ABCDEFGHJ0",
        ] {
            assert!(!is_auth_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn personal_tokens_carry_their_id() {
        let secret = secret(counter());
        assert_eq!(secret.len(), SECRET_LEN);
        let token = personal_token(42, &secret);
        assert_eq!(personal_token_id(&token), Some(42));
        assert_eq!(personal_token_id(&format!("42${secret}")), Some(42));
        for bad in [
            String::new(),
            "42".to_owned(),
            format!("_{secret}"),
            format!("x2_{secret}"),
            format!("42_{}", &secret[1..]),
            format!("42_{}0", &secret[1..]),
            format!("99999999999999999999_{secret}"),
        ] {
            assert_eq!(personal_token_id(&bad), None, "{bad:?}");
        }
    }
}
