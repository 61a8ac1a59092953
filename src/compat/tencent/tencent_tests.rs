//! Tests of the Tencent Cloud CAM dialect: signatures, parameters, bad input.

use super::*;

#[test]
fn hmac_sha256_matches_rfc_4231() {
    assert_eq!(
        hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // Test case 6: a key longer than the block.
    assert_eq!(
        hex::encode(hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        )),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

#[test]
fn signatures_match_the_official_sdk() {
    // Computed with tencentcloud-sdk-python-common 3.1.195 (`Sign.sign_tc3`).
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert("host", "127.0.0.1:3000".parse().unwrap());
    let uri: Uri = "/".parse().unwrap();
    let canonical = canonical_request(
        &uri,
        &headers,
        &["content-type", "host"],
        br#"{"Name": "alice"}"#,
        None,
    )
    .unwrap();
    assert_eq!(
        signature(
            "SECRETKEYexample0123456789abcdef",
            "2026-11-22",
            "1795348800",
            &canonical
        ),
        "7c7fdb6e480c571fb8cddab2eeccc905b7feda0011e225c29a73b625882a4f96"
    );
    assert_eq!(utc_date(1_795_348_800).as_deref(), Some("2026-11-22"));
}

#[test]
fn the_authorization_header_is_read_strictly() {
    let sig = "a".repeat(64);
    let good = format!(
        "TC3-HMAC-SHA256 Credential=AKIDx/2026-11-22/cam/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
    );
    assert_eq!(
        Authorization::parse(&good),
        Some(Authorization {
            secret_id: "AKIDx",
            date: "2026-11-22",
            service: "cam",
            signed_headers: vec!["content-type", "host"],
            signature: &sig,
        })
    );
    for bad in [
        good.replace("TC3-HMAC-SHA256 ", "TC3-HMAC-SHA1 "),
        good.replace("tc3_request", "tc4_request"),
        good.replace("/cam/", "/cam/x/"),
        good.replace(&sig, "abc"),
        good.replace("content-type;host", "Content-Type;host"),
        good.replace("content-type;host", "content-type;;host"),
        format!("{good}, Signature={sig}"),
        format!("{good}, Extra=1"),
        "TC3-HMAC-SHA256".to_owned(),
        String::new(),
    ] {
        assert_eq!(Authorization::parse(&bad), None, "{bad}");
    }
}

#[test]
fn parameters_are_checked_without_repeating_values() {
    let refused = Params::parse(br#"{"Name": "x", "Secret": "hunter2"}"#, &["Name"]).unwrap_err();
    assert_eq!(refused.code, code::UNKNOWN_PARAMETER);
    assert!(refused.message.contains("Secret") && !refused.message.contains("hunter2"));
    let refused = Params::parse(b"{\"Name\": \"hunter2", &["Name"]).unwrap_err();
    assert_eq!(refused.code, code::INVALID_PARAMETER);
    assert!(!refused.message.contains("hunter2"), "{}", refused.message);
    let params = Params::parse(
        br#"{"Name": 7, "UseApi": 2, "Page": 0}"#,
        &["Name", "UseApi", "Page"],
    )
    .unwrap();
    assert_eq!(
        params.text("Name").unwrap_err().code,
        code::INVALID_PARAMETER
    );
    assert_eq!(
        params.flag("UseApi").unwrap_err().code,
        code::INVALID_PARAMETER
    );
    assert_eq!(params.page(20, 200).unwrap_err().code, code::PARAM_ERROR);
    assert_eq!(
        params.required_text("Email").unwrap_err().code,
        code::MISSING_PARAMETER
    );
    assert!(Params::parse(b"", &[]).is_ok());
    assert_eq!(
        Params::parse(b"[1]", &[]).unwrap_err().code,
        code::INVALID_PARAMETER
    );
}

/// Bad input: the Authorization header and the body are read without panicking whatever
/// they hold, what the SDK sends is accepted, and refusals never repeat a value.
mod properties {
    use super::*;
    use crate::compat::kit::bad_input;
    use proptest::prelude::*;

    /// The header as `tencentcloud-sdk-python-common` writes it (`sign_tc3` in
    /// `abstract_client.py`).
    fn sdk_header(secret_id: &str, date: &str, signed: &str, signature: &str) -> String {
        format!(
            "TC3-HMAC-SHA256 Credential={secret_id}/{date}/cam/tc3_request, SignedHeaders={signed}, Signature={signature}"
        )
    }

    fn headers(host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        headers.insert(header::HOST, host.parse().unwrap());
        headers
    }

    fn host() -> impl Strategy<Value = String> {
        prop_oneof![
            "127\\.0\\.0\\.1:[1-9][0-9]{1,4}",
            "[a-z]{1,12}\\.example",
            Just("cam.tencentcloudapi.com".to_owned()),
        ]
    }

    proptest! {
        #[test]
        fn any_authorization_header_is_read_without_panicking(value in any::<String>()) {
            let _ = Authorization::parse(&value);
        }

        #[test]
        fn headers_close_to_the_format_are_read_without_panicking(
            value in "TC3-HMAC-SHA256 ?((Credential|SignedHeaders|Signature|[A-Za-z]{0,3})=[A-Za-z0-9/;_=-]{0,70},? ?){0,4}",
        ) {
            if let Some(auth) = Authorization::parse(&value) {
                prop_assert_eq!(auth.signature.len(), 64);
                prop_assert!(auth.signature.bytes().all(|b| b.is_ascii_hexdigit()));
                prop_assert!(!auth.secret_id.is_empty());
            }
        }

        #[test]
        fn damaged_sdk_headers_are_read_without_panicking(
            secret_id in "AKID[a-zA-Z0-9]{32}",
            signature in "[0-9a-f]{64}",
            at in any::<prop::sample::Index>(),
            c in any::<char>(),
            delete in any::<bool>(),
        ) {
            let mut value = sdk_header(&secret_id, "2026-11-22", "content-type;host", &signature);
            let chars: Vec<char> = value.chars().collect();
            let at = at.index(chars.len());
            value = if delete {
                chars.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, c)| *c).collect()
            } else {
                chars[..at].iter().chain(std::iter::once(&c)).chain(&chars[at..]).collect()
            };
            let _ = Authorization::parse(&value);
        }

        #[test]
        fn what_the_sdk_sends_is_accepted_and_verifies(
            secret_id in "AKID[a-zA-Z0-9]{32}",
            secret_key in "[a-zA-Z0-9]{32}",
            timestamp in 1_500_000_000i64..4_000_000_000,
            host in host(),
            body in prop_oneof![
                "\\{\"Name\": \"[a-z]{1,12}\"\\}",
                any::<String>(),
            ],
            damage in any::<Option<(prop::sample::Index, u8)>>(),
        ) {
            // The SDK signs the body it sends, dated with the timestamp's UTC day.
            let date = utc_date(timestamp).unwrap_or_default();
            prop_assert_eq!(date.len(), 10);
            let headers = headers(&host);
            let uri: Uri = "/".parse().unwrap();
            let signed = ["content-type", "host"];
            let canonical = canonical_request(&uri, &headers, &signed, body.as_bytes(), None).unwrap();
            let sent = signature(&secret_key, &date, &timestamp.to_string(), &canonical);
            let value = sdk_header(&secret_id, &date, "content-type;host", &sent);
            let auth = Authorization::parse(&value);
            prop_assert_eq!(auth, Some(Authorization {
                secret_id: &secret_id,
                date: &date,
                service: "cam",
                signed_headers: signed.to_vec(),
                signature: &sent,
            }));
            // The server recomputes the signature from the body as received.
            let mut received = body.into_bytes();
            if let Some((at, x)) = damage {
                if received.is_empty() {
                    received.push(x);
                } else {
                    let at = at.index(received.len());
                    received[at] = received[at].wrapping_add(x.max(1));
                }
            }
            let canonical = canonical_request(&uri, &headers, &signed, &received, None).unwrap();
            let expected = signature(&secret_key, &date, &timestamp.to_string(), &canonical);
            prop_assert_eq!(expected == sent, damage.is_none());
        }

        #[test]
        fn bodies_are_accepted_or_refused_without_repeating_them(
            (secret, bytes) in bad_input::body(&[
                "Name", "Remark", "ConsoleLogin", "UseApi", "Password", "NeedResetPassword",
                "PhoneNum", "CountryCode", "Email", "Force", "GroupName", "Page", "Rp",
                "Keyword", "Info", "Uid", "GroupId", "PolicyId", "AttachUin",
                "AttachGroupId", "Scope",
            ]),
        ) {
            for action in Action::ALL {
                let known = action.parameters();
                let params = match Params::parse(&bytes, known) {
                    Ok(params) => params,
                    Err(refusal) => {
                        bad_input::check_message(&secret, &refusal.message)?;
                        continue;
                    }
                };
                // Reading a parameter as any type answers or refuses; it never panics.
                for name in known {
                    for refusal in [
                        params.text(name).err(),
                        params.int(name).err(),
                        params.flag(name).err(),
                        params.list(name).err(),
                        params.required_text(name).err(),
                        params.required_int(name).err(),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        bad_input::check_message(&secret, &refusal.message)?;
                    }
                }
                if let Err(refusal) = params.page(20, 200) {
                    bad_input::check_message(&secret, &refusal.message)?;
                }
            }
            bad_input::check_body::<Value>(&secret, &bytes)?;
        }
    }
}
