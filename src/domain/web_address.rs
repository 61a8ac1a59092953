//! Web addresses a browser may be sent to on a third party's word (an OVHcloud application's
//! `redirection`): absolute `http://` or `https://` addresses with a host, nothing else. Browsers
//! forgive a lot (`https:evil.example`, backslashes for slashes, `user@host`), so anything whose
//! meaning a person could misread is refused rather than repaired: what the page shows is then
//! exactly where the browser goes.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The redirection must be an absolute http:// or https:// address with a host, of at most 2048 characters, without spaces, backslashes or a user name."
)]
pub struct InvalidWebAddress;

impl crate::i18n::MessageKey for InvalidWebAddress {
    fn key(&self) -> &'static str {
        crate::key!("field.web_address.invalid")
    }
}

impl WebAddress {
    pub const MAX_LEN: usize = 2048;

    /// Accepts `http://host[:port][/path][?query][#fragment]` (and `https`), the scheme in any
    /// case (kept in lower case), the host a name, an IPv4 address or a bracketed IPv6 address.
    pub fn parse(input: &str) -> Result<Self, InvalidWebAddress> {
        let input = input.trim();
        if input.len() > Self::MAX_LEN || !input.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        {
            return Err(InvalidWebAddress);
        }
        let (scheme, rest) = input.split_once("://").ok_or(InvalidWebAddress)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(InvalidWebAddress);
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if !valid_authority(&rest[..end]) {
            return Err(InvalidWebAddress);
        }
        Ok(Self(format!("{scheme}://{rest}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `host[:port]`, without user information.
fn valid_authority(authority: &str) -> bool {
    let (host_ok, port) = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((inside, after)) => {
                let ipv6 = inside.contains(':')
                    && inside
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
                match after {
                    "" => (ipv6, None),
                    _ => (ipv6, Some(after.strip_prefix(':').unwrap_or(""))),
                }
            }
            None => (false, None),
        },
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let name = host.bytes().any(|b| b.is_ascii_alphanumeric())
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
                && !host.starts_with(['.', '-']);
            (name, port)
        }
    };
    let port_ok = port.is_none_or(|p| {
        p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65_535).contains(&n))
    });
    host_ok && port_ok
}

impl fmt::Display for WebAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for WebAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_and_https_addresses_are_accepted_with_the_scheme_in_lower_case() {
        for (input, kept) in [
            ("https://app.example/done", "https://app.example/done"),
            (
                "http://127.0.0.1:8080/cb?state=a&b=c",
                "http://127.0.0.1:8080/cb?state=a&b=c",
            ),
            ("HTTPS://App.Example/Done", "https://App.Example/Done"),
            ("https://[::1]:8443/cb#frag", "https://[::1]:8443/cb#frag"),
            ("https://[::1]", "https://[::1]"),
            ("  https://app.example  ", "https://app.example"),
            ("https://app.example?x=1", "https://app.example?x=1"),
            ("https://my_host.example:1/", "https://my_host.example:1/"),
        ] {
            assert_eq!(
                WebAddress::parse(input).map(|a| a.to_string()),
                Ok(kept.to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn everything_else_is_refused() {
        let long = format!("https://app.example/{}", "a".repeat(WebAddress::MAX_LEN));
        for input in [
            "",
            "javascript:alert(1)",
            "JavaScript://%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "/relative",
            "//evil.example/",
            "evil.example",
            "ftp://files.example/",
            "https://",
            "https:///path",
            "https://?x",
            "http:evil.example",
            "https:/evil.example",
            "https:\\\\evil.example",
            "https://evil.example\\@good.example/",
            "https://good.example@evil.example/",
            "https://user:pass@good.example/",
            "https://exa mple.com/",
            "https://example.com/\u{0}",
            "https://example.com/\u{7f}",
            "https://exämple.com/",
            "https://example.com:99999/",
            "https://example.com:0/",
            "https://example.com:/",
            "https://example.com:80:80/",
            "https://[::1/",
            "https://[]/",
            "https://[evil.example]/",
            "https://[::1]x/",
            "https://.example/",
            "https://-/",
            "https://%65vil.example/",
            long.as_str(),
        ] {
            assert_eq!(
                WebAddress::parse(input),
                Err(InvalidWebAddress),
                "{input:?}"
            );
        }
    }
}
