//! How much input a request may carry (SECURITY.md rule 27): the whole body of a server-function
//! call, and each of its fields. Checked before any server function runs, so that no step of
//! one (a password hash, the password checker) ever works on more than these.
//!
//! The domain types refuse shorter values still (a login, a company name, a description): these
//! limits only bound the work a stranger can ask for.

/// The largest body of a server-function call. The largest form, "Add several users" with its
/// rows full, stays far below it; the provider-compatible APIs use the same limit.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest password accepted anywhere, in bytes. New passwords are refused past
/// `password::MAX_LEN` characters; this bounds what a login or a check hashes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The longest context sent with a password check (company, e-mail, login, space-separated).
pub const MAX_CONTEXT_BYTES: usize = 512;

/// The longest second-factor code: a TOTP code or a recovery code, with room for spaces.
pub const MAX_CODE_BYTES: usize = 64;

/// The longest local path to return to after logging in.
pub const MAX_NEXT_BYTES: usize = 2048;

/// Any other field: every name, address and description is shorter.
pub const MAX_FIELD_BYTES: usize = 4096;

/// The largest value a form field named `name` may hold, in bytes. A field of a nested form
/// (`form[description]`, `rows[3][password]`) is judged by its own name.
pub fn max_field_bytes(name: &str) -> usize {
    match leaf(name) {
        "password" | "current_password" | "new_password" | "confirm_password" => MAX_PASSWORD_BYTES,
        "context" => MAX_CONTEXT_BYTES,
        "code" => MAX_CODE_BYTES,
        "next" => MAX_NEXT_BYTES,
        _ => MAX_FIELD_BYTES,
    }
}

/// `rows[3][password]` → `password`; `login` → `login`.
pub fn leaf(name: &str) -> &str {
    name.rsplit('[')
        .next()
        .map_or(name, |last| last.trim_end_matches(']'))
}

/// The rows the "Add several users" form offers (the server takes at most as many).
pub const BULK_ROWS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_are_judged_by_their_own_name() {
        assert_eq!(leaf("rows[3][password]"), "password");
        assert_eq!(leaf("form[description]"), "description");
        assert_eq!(leaf("login"), "login");
        assert_eq!(max_field_bytes("rows[0][password]"), MAX_PASSWORD_BYTES);
        assert_eq!(max_field_bytes("context"), MAX_CONTEXT_BYTES);
        assert_eq!(max_field_bytes("form[name]"), MAX_FIELD_BYTES);
    }

    #[test]
    fn every_field_fits_in_a_body() {
        for name in ["password", "context", "code", "next", "description"] {
            assert!(max_field_bytes(name) < MAX_BODY_BYTES, "{name}");
        }
    }
}
