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

    #[cfg(feature = "ssr")]
    #[test]
    fn generated_passwords_pass_the_policy() {
        use rand::Rng;
        let policy = crate::domain::password::PasswordPolicy::default();
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
