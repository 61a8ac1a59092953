//! The address people and API clients reach the panel at (`STEWARD_PUBLIC_URL`), which behind a
//! reverse proxy is not the address Steward listens on nor the `Host` the proxy sends.
//!
//! It is the origin the cross-site check compares `Origin` with, the host OVHcloud and Tencent
//! Cloud signatures are checked against, and the base of the links Steward hands out (an OVHcloud
//! `validationUrl`).

/// An origin: `http` or `https`, and a host with its port unless it is the scheme's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    https: bool,
    /// Lower-case, such as `panel.example.com` or `127.0.0.1:8443`.
    host: String,
}

impl PublicUrl {
    /// Reads `https://panel.example.com` (a trailing `/` is allowed); refuses a path, a query,
    /// credentials and other schemes, which would make an origin no browser sends.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let wrong = |why: &str| {
            format!("STEWARD_PUBLIC_URL must be an origin such as https://panel.example.com: {why}")
        };
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| wrong("it has no scheme"))?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(wrong("the scheme is neither http nor https")),
        };
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if host.is_empty() {
            return Err(wrong("it has no host"));
        }
        if host.contains(['/', '?', '#']) {
            return Err(wrong("it has a path, a query or a fragment"));
        }
        if host.contains('@') {
            return Err(wrong("it has credentials"));
        }
        let authority: http::uri::Authority =
            host.parse().map_err(|_| wrong("the host is not valid"))?;
        let default_port = if https { 443 } else { 80 };
        let name = authority.host().to_ascii_lowercase();
        let host = match authority.port_u16() {
            Some(port) if port != default_port => format!("{name}:{port}"),
            _ => name,
        };
        Ok(Self { https, host })
    }

    /// `https://panel.example.com`, with no trailing `/`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme(), self.host)
    }

    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// The host and, unless it is the default, the port: what a client sends in `Host`.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Whether a browser's `Origin` header names this origin (case and default ports aside).
    pub fn is_origin(&self, origin: &str) -> bool {
        Self::parse(origin).is_ok_and(|other| other == *self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_normalised() {
        let url = PublicUrl::parse("HTTPS://Panel.Example.com:443/").unwrap();
        assert_eq!(url.origin(), "https://panel.example.com");
        assert_eq!(url.host(), "panel.example.com");
        let url = PublicUrl::parse("https://127.0.0.1:8443").unwrap();
        assert_eq!(url.host(), "127.0.0.1:8443");
        assert!(url.is_https());
        let url = PublicUrl::parse("http://[::1]:3000").unwrap();
        assert_eq!(url.origin(), "http://[::1]:3000");
    }

    #[test]
    fn what_is_not_an_origin_is_refused() {
        for bad in [
            "",
            "panel.example.com",
            "ftp://panel.example.com",
            "https://",
            "https://panel.example.com/app",
            "https://panel.example.com?x=1",
            "https://user:pw@panel.example.com",
            "https://pan el.example.com",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn origins_compare_as_browsers_send_them() {
        let url = PublicUrl::parse("https://panel.example.com").unwrap();
        assert!(url.is_origin("https://panel.example.com"));
        assert!(url.is_origin("https://PANEL.example.com:443"));
        assert!(!url.is_origin("http://panel.example.com"));
        assert!(!url.is_origin("https://panel.example.com:8443"));
        assert!(!url.is_origin("https://evil.example"));
        assert!(!url.is_origin("null"));
    }
}
