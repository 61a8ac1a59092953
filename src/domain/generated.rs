//! Generated secrets people have to read and type: no look-alike characters (0/O, 1/l/I).

/// 54 characters without look-alikes.
pub const READABLE: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A password of four groups of five readable characters, `xxxxx-xxxxx-xxxxx-xxxxx`: about 115
/// bits, always accepted by the password policy, and easy to read out. `pick(n)` must return a
/// uniformly random index below `n` from a CSPRNG.
pub fn readable_password(mut pick: impl FnMut(usize) -> usize) -> String {
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..5)
                .map(|_| char::from(READABLE[pick(READABLE.len()) % READABLE.len()]))
                .collect()
        })
        .collect();
    groups.join("-")
}

/// Lower-case letters and digits without look-alikes: recovery codes are typed in a hurry.
pub const RECOVERY: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A recovery code, `xxxx-xxxx-xxxx` (about 59 bits).
pub fn recovery_code(mut pick: impl FnMut(usize) -> usize) -> String {
    let groups: Vec<String> = (0..3)
        .map(|_| {
            (0..4)
                .map(|_| char::from(RECOVERY[pick(RECOVERY.len()) % RECOVERY.len()]))
                .collect()
        })
        .collect();
    groups.join("-")
}

/// The form a recovery code is compared in: lower case, without spaces or dashes.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_have_the_readable_shape() {
        let mut n = 0usize;
        let password = readable_password(|len| {
            n = (n * 31 + 7) % len;
            n
        });
        assert_eq!(password.len(), 23);
        assert_eq!(password.matches('-').count(), 3);
        assert!(
            password
                .bytes()
                .filter(|b| *b != b'-')
                .all(|b| READABLE.contains(&b))
        );
        for look_alike in ['0', 'O', '1', 'l', 'I'] {
            assert!(!password.contains(look_alike));
        }
    }

    #[test]
    fn recovery_codes_are_typed_forgivingly() {
        let mut n = 0usize;
        let code = recovery_code(|len| {
            n = (n + 5) % len;
            n
        });
        assert_eq!(code.len(), 14);
        assert_eq!(
            normalize_recovery_code(&format!(" {} ", code.to_uppercase())),
            code.replace('-', "")
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn generated_passwords_pass_the_policy() {
        use rand::Rng;
        let policy = crate::domain::password_policy::PasswordPolicy::default();
        for _ in 0..20 {
            let password = readable_password(|n| rand::rngs::OsRng.gen_range(0..n));
            assert!(
                policy
                    .evaluate(&password, &["Acme", "a@acme.example"])
                    .acceptable,
                "{password}"
            );
        }
    }
}
