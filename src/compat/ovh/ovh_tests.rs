//! Tests of the OVHcloud dialect: signatures, access rules, bad input.

use super::*;

#[test]
fn sha1_matches_fips_vectors() {
    assert_eq!(
        hex::encode(sha1(b"abc")),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        hex::encode(sha1(b"")),
        "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    );
    assert_eq!(
        hex::encode(sha1(
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        )),
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
    );
    assert_eq!(
        hex::encode(sha1(&[b'a'; 1_000_000])),
        "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
    );
}

#[test]
fn signatures_follow_the_clients() {
    // python: "+".join([secret, ck, method, url, body, ts]) hashed with SHA-1.
    let sig = signature("s", "c", "GET", "http://h/1.0/x", b"", "1");
    assert_eq!(
        sig,
        format!("$1${}", hex::encode(sha1(b"s+c+GET+http://h/1.0/x++1")))
    );
    assert!(same(&sig, &sig.to_ascii_uppercase()));
}

#[test]
fn ports_are_dropped_from_hosts() {
    assert_eq!(host_without_port("127.0.0.1:8080"), "127.0.0.1");
    assert_eq!(host_without_port("example.com"), "example.com");
    assert_eq!(host_without_port("[::1]:8080"), "[::1]");
    assert_eq!(host_without_port("[::1]"), "[::1]");
}

/// Bad input: signatures are checked on whatever arrives without panicking, a correctly
/// signed request verifies, and changing any one signed part makes it fail.
mod properties {
    use super::*;
    use crate::compat::kit::bad_input;
    use proptest::prelude::*;

    const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

    fn request(method: &str, host: &str, path_and_query: &str, body: &[u8]) -> Signed {
        let path = path_and_query
            .split_once('?')
            .map_or(path_and_query, |(path, _)| path);
        Signed {
            method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
            path_and_query: path_and_query.to_owned(),
            path: path.to_owned(),
            host: host.to_owned(),
            public_origin: None,
            headers: HeaderMap::new(),
            body: Bytes::copy_from_slice(body),
        }
    }

    /// Behind nginx's plain `proxy_pass` the `Host` is the upstream's; the client signed the
    /// public URL.
    #[test]
    fn a_call_signed_for_the_public_url_verifies_behind_a_proxy() {
        let url = "https://panel.example.com/1.0/me/identity/user";
        let sent = signature("secret", "ck", "GET", url, b"", "1700000000");
        let mut received = request("GET", "127.0.0.1:3000", "/1.0/me/identity/user", b"");
        assert!(!received.signed_with("secret", "ck", "1700000000", &sent));
        received.public_origin = Some("https://panel.example.com".to_owned());
        assert!(received.signed_with("secret", "ck", "1700000000", &sent));
        assert!(!received.signed_with("other", "ck", "1700000000", &sent));
    }

    /// A call as a client makes it: what it signs and what the server receives.
    #[derive(Debug, Clone)]
    struct Call {
        secret: String,
        consumer: String,
        method: &'static str,
        host: String,
        path_and_query: String,
        body: Vec<u8>,
        timestamp: i64,
        /// The node client signs `https://` and the host without its port.
        node: bool,
    }

    impl Call {
        fn signature(&self) -> String {
            let url = if self.node {
                format!(
                    "https://{}{}",
                    host_without_port(&self.host),
                    self.path_and_query
                )
            } else {
                format!("http://{}{}", self.host, self.path_and_query)
            };
            signature(
                &self.secret,
                &self.consumer,
                self.method,
                &url,
                &self.body,
                &self.timestamp.to_string(),
            )
        }

        fn received(&self) -> Signed {
            request(self.method, &self.host, &self.path_and_query, &self.body)
        }

        fn verifies(&self, req: &Signed, presented: &str) -> bool {
            req.signed_with(
                &self.secret,
                &self.consumer,
                &self.timestamp.to_string(),
                presented,
            )
        }
    }

    fn call() -> impl Strategy<Value = Call> {
        let body = prop_oneof![
            Just(Vec::new()),
            "\\{\"login\":\"[a-z.]{1,12}\",\"email\":\"[a-z]{1,8}@example.com\"\\}"
                .prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 1..128),
        ];
        (
            "[a-zA-Z0-9]{32}",
            "[a-zA-Z0-9]{32}",
            proptest::sample::select(&METHODS[..]),
            prop_oneof![
                "127\\.0\\.0\\.1:[1-9][0-9]{1,4}",
                "[a-z]{1,10}\\.example",
                Just("[::1]:8080".to_owned()),
            ],
            "/1\\.0/me/identity/(user|group)(/[a-zA-Z0-9._-]{1,16})?(\\?[a-z]{1,5}=[a-z0-9]{0,5})?",
            body,
            1_500_000_000i64..2_100_000_000,
            any::<bool>(),
        )
            .prop_map(
                |(secret, consumer, method, host, path_and_query, body, timestamp, node)| Call {
                    secret,
                    consumer,
                    method,
                    host,
                    path_and_query,
                    body,
                    timestamp,
                    node,
                },
            )
    }

    /// One change to a signed part of the request.
    #[derive(Debug, Clone)]
    enum Mutation {
        Method(usize),
        Path(char),
        Host(char),
        Body(prop::sample::Index, u8),
        Timestamp(i64),
        Signature(prop::sample::Index, u8),
        Secret(char),
        Consumer(char),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (1..METHODS.len()).prop_map(Mutation::Method),
            proptest::char::range('!', '~').prop_map(Mutation::Path),
            proptest::char::range('a', 'z').prop_map(Mutation::Host),
            (any::<prop::sample::Index>(), 1..=u8::MAX).prop_map(|(i, x)| Mutation::Body(i, x)),
            prop_oneof![-400i64..0, 1i64..400].prop_map(Mutation::Timestamp),
            (any::<prop::sample::Index>(), 1..16u8).prop_map(|(i, x)| Mutation::Signature(i, x)),
            proptest::char::range('a', 'z').prop_map(Mutation::Secret),
            proptest::char::range('a', 'z').prop_map(Mutation::Consumer),
        ]
    }

    proptest! {
        #[test]
        fn a_correctly_signed_request_verifies(call in call()) {
            let signature = call.signature();
            prop_assert!(call.verifies(&call.received(), &signature));
            // Hex digits compare without regard to case.
            prop_assert!(call.verifies(&call.received(), &signature.to_ascii_uppercase()));
        }

        #[test]
        fn changing_any_signed_part_breaks_the_signature(call in call(), change in mutation()) {
            let mut signature = call.signature();
            let mut server = call.clone();
            let mut req = call.received();
            match change {
                Mutation::Method(shift) => {
                    let at = METHODS.iter().position(|m| *m == call.method).unwrap_or(0);
                    let other = METHODS[(at + shift) % METHODS.len()];
                    req = request(other, &call.host, &call.path_and_query, &call.body);
                }
                Mutation::Path(c) => {
                    req = request(call.method, &call.host, &format!("{}{c}", call.path_and_query), &call.body);
                }
                Mutation::Host(c) => {
                    req = request(call.method, &format!("{c}{}", call.host), &call.path_and_query, &call.body);
                }
                Mutation::Body(at, x) => {
                    let mut body = call.body.clone();
                    if body.is_empty() {
                        body.push(x);
                    } else {
                        body[at.index(call.body.len())] ^= x;
                    }
                    req = request(call.method, &call.host, &call.path_and_query, &body);
                }
                Mutation::Timestamp(delta) => server.timestamp += delta,
                Mutation::Signature(at, shift) => {
                    // A different hex digit in one place of the 40 after `$1$`.
                    let at = 3 + at.index(40);
                    let digit = u8::from_str_radix(&signature[at..=at], 16).unwrap_or(0);
                    let other = char::from_digit(u32::from((digit + shift) % 16), 16).unwrap_or('0');
                    signature.replace_range(at..=at, &other.to_string());
                }
                Mutation::Secret(c) => server.secret.push(c),
                Mutation::Consumer(c) => server.consumer.push(c),
            }
            prop_assert!(!server.verifies(&req, &signature));
        }

        #[test]
        fn any_headers_and_body_are_checked_without_panicking(
            host in any::<String>(),
            path_and_query in "/[ -~]{0,64}",
            body in proptest::collection::vec(any::<u8>(), 0..256),
            timestamp in any::<String>(),
            presented in prop_oneof![any::<String>(), "\\$1\\$[0-9a-fA-F]{0,41}"],
            consumer in any::<String>(),
        ) {
            let req = request("POST", &host, &path_and_query, &body);
            prop_assert!(!req.signed_with("secret", &consumer, &timestamp, &presented));
            let bare = host_without_port(&host);
            prop_assert!(host.starts_with(bare));
        }

        #[test]
        fn bodies_are_accepted_or_refused_without_repeating_them(
            (secret, bytes) in bad_input::body(&[
                "login", "email", "password", "group", "description", "name", "role",
                "accessRules", "method", "path", "redirection", "allowedIPs",
            ]),
        ) {
            let req = request("POST", "127.0.0.1:3000", "/1.0/me/identity/user", &bytes);
            fn check<T: DeserializeOwned>(req: &Signed, secret: &str) -> Result<(), TestCaseError> {
                if let Err(refusal) = req.json::<T>() {
                    prop_assert_eq!(refusal.status, StatusCode::BAD_REQUEST);
                    prop_assert_eq!(refusal.code, "INVALID_PARAMETERS");
                    bad_input::check_message(secret, &refusal.message)?;
                }
                Ok(())
            }
            check::<CredentialBody>(&req, &secret)?;
            check::<SubAccountBody>(&req, &secret)?;
            check::<NewUserBody>(&req, &secret)?;
            check::<UpdateUserBody>(&req, &secret)?;
            check::<GroupBody>(&req, &secret)?;
            bad_input::check_body::<CredentialBody>(&secret, &bytes)?;
            bad_input::check_body::<SubAccountBody>(&secret, &bytes)?;
            bad_input::check_body::<NewUserBody>(&secret, &bytes)?;
            bad_input::check_body::<UpdateUserBody>(&secret, &bytes)?;
            bad_input::check_body::<GroupBody>(&secret, &bytes)?;
        }
    }
}
