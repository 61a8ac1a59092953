//! Where a page may send a visitor back to after they log in.

/// `next` when it is a path on this site (`/ovh/authorize/…?x=1`), else `None`: never another
/// site (`//evil.example`, `/\evil.example`, `https://…`), never a control character.
pub fn local_path(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 1024
        && !next.chars().any(char::is_control);
    local.then_some(next)
}

/// What a query value (or a `data:` address) keeps as it is: letters, digits, the unreserved
/// `-_.~`, and `/`, so that a path stays readable; everything else is percent-encoded.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes `value` for a query string: the one encoder of the panel's links.
pub fn encode_query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_returned_to() {
        assert_eq!(
            local_path("/ovh/authorize/ab12"),
            Some("/ovh/authorize/ab12")
        );
        assert_eq!(local_path("/users?q=jo&page=2"), Some("/users?q=jo&page=2"));
        for bad in [
            "",
            "users",
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(2000))), None);
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/users?q=a b&x=1"),
            "/users%3Fq%3Da%20b%26x%3D1"
        );
    }
}
