//! Authentication: TC3-HMAC-SHA256, as Tencent Cloud's SDKs sign every request.

use super::*;

// Authentication: TC3-HMAC-SHA256.

pub(super) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request,
/// SignedHeaders=<a;b>, Signature=<hex>`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Authorization<'a> {
    pub(super) secret_id: &'a str,
    pub(super) date: &'a str,
    pub(super) service: &'a str,
    pub(super) signed_headers: Vec<&'a str>,
    pub(super) signature: &'a str,
}

impl<'a> Authorization<'a> {
    pub(super) fn parse(value: &'a str) -> Option<Self> {
        let rest = value.strip_prefix(ALGORITHM)?;
        if !rest.starts_with(' ') {
            return None;
        }
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (key, value) = part.trim().split_once('=')?;
            let slot = match key {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
        let mut scope = credential?.split('/');
        let (secret_id, date, service) = (scope.next()?, scope.next()?, scope.next()?);
        if scope.next()? != "tc3_request" || scope.next().is_some() || secret_id.is_empty() {
            return None;
        }
        let signed_headers: Vec<&str> = signed?.split(';').collect();
        let header_names_ok = signed_headers.iter().all(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        let signature = signature?;
        let signature_ok =
            signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit());
        (header_names_ok && signature_ok).then_some(Self {
            secret_id,
            date,
            service,
            signed_headers,
            signature,
        })
    }
}

/// The caller the request's signature proves, or the CAM error saying why not.
pub(super) async fn authenticate(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, Refusal> {
    let value = header_text(headers, "authorization").ok_or_else(|| {
        refuse(
            code::INVALID_AUTHORIZATION,
            "Sign the request with TC3-HMAC-SHA256: the Authorization header is missing.",
        )
    })?;
    let auth = Authorization::parse(value).ok_or_else(|| {
        refuse(
            code::INVALID_AUTHORIZATION,
            "The Authorization header must read `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/cam/tc3_request, SignedHeaders=content-type;host, Signature=<64 hex digits>`.",
        )
    })?;
    if header_text(headers, "x-tc-token").is_some() {
        return Err(refuse(
            code::TOKEN_FAILURE,
            "Steward issues no temporary credentials: sign with an access key and send no X-TC-Token.",
        ));
    }
    let timestamp_text = header_text(headers, "x-tc-timestamp").ok_or_else(|| {
        refuse(
            code::MISSING_PARAMETER,
            "The X-TC-Timestamp header is missing.",
        )
    })?;
    let timestamp: i64 = timestamp_text.parse().map_err(|_| {
        refuse(
            code::INVALID_PARAMETER,
            "X-TC-Timestamp must be the Unix time in seconds.",
        )
    })?;
    if db::now().abs_diff(timestamp) > MAX_SKEW {
        return Err(refuse(
            code::SIGNATURE_EXPIRE,
            "The signature has expired: X-TC-Timestamp is more than five minutes from the server's time. Check the client's clock.",
        ));
    }
    if Some(auth.date) != utc_date(timestamp).as_deref() {
        return Err(refuse(
            code::INVALID_AUTHORIZATION,
            "The credential's date must be the UTC date of X-TC-Timestamp.",
        ));
    }
    if auth.service != SERVICE {
        return Err(refuse(
            code::INVALID_AUTHORIZATION,
            "The credential's service must be cam.",
        ));
    }
    if !["content-type", "host"]
        .iter()
        .all(|h| auth.signed_headers.contains(h))
    {
        return Err(refuse(
            code::INVALID_AUTHORIZATION,
            "SignedHeaders must include content-type and host.",
        ));
    }
    if header_text(headers, "x-tc-content-sha256")
        .is_some_and(|v| v.eq_ignore_ascii_case("UNSIGNED-PAYLOAD"))
    {
        return Err(refuse(
            code::SIGNATURE_FAILURE,
            "Steward does not accept unsigned payloads: sign the body.",
        ));
    }
    if !tencent_keys::is_secret_id(auth.secret_id) {
        return Err(refuse(
            code::INVALID_SECRET_ID,
            "The SecretId is not one Steward issues (AKID and 32 letters or digits).",
        ));
    }
    let key = tencent_keys::find(state, auth.secret_id)
        .await?
        .ok_or_else(|| {
            refuse(
                code::SECRET_ID_NOT_FOUND,
                "The SecretId does not exist: the key may have been deleted.",
            )
        })?;
    // The client signed the host it sent the request to: the `Host` header, or behind a proxy
    // that rewrites it, the public URL's host.
    let presented = auth.signature.to_ascii_lowercase();
    let public_host = state.config.public_url.as_ref().map(|url| url.host());
    let mut signed_as = vec![None];
    if public_host.is_some() && public_host != header_text(headers, "host") {
        signed_as.push(public_host);
    }
    let mut matched = false;
    for host in signed_as {
        let canonical = canonical_request(uri, headers, &auth.signed_headers, body, host)?;
        let expected = signature(&key.secret_key, auth.date, timestamp_text, &canonical);
        matched |= crate::server::infra::secrets::same_hash(&expected, &presented);
    }
    if !matched {
        return Err(refuse(
            code::SIGNATURE_FAILURE,
            "The signature does not match: check the SecretKey and how the request was signed.",
        ));
    }
    let caller = tencent_keys::caller(state, &key).await?.ok_or_else(|| {
        refuse(
            code::SECRET_ID_NOT_FOUND,
            "This key no longer works: its user was disabled or removed, or their password or privilege changed after it was made.",
        )
    })?;
    Ok(caller)
}

/// `YYYY-MM-DD` in UTC.
pub(super) fn utc_date(unix_seconds: i64) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()?
        .format(&format)
        .ok()
}

/// `POST\n/\n<query>\n<name:value\n for each signed header>\n<signed headers>\n<sha256 of body>`,
/// header values trimmed and lower-cased. `host`, when given, stands for the `Host` header.
pub(super) fn canonical_request(
    uri: &Uri,
    headers: &HeaderMap,
    signed: &[&str],
    body: &[u8],
    host: Option<&str>,
) -> Result<String, Refusal> {
    let mut canonical_headers = String::new();
    for name in signed {
        let value = match *name {
            "host" => host
                .or_else(|| header_text(headers, "host"))
                .or_else(|| uri.authority().map(|a| a.as_str())),
            other => header_text(headers, other),
        }
        .ok_or_else(|| {
            refuse(
                code::INVALID_AUTHORIZATION,
                format!("The signed header {name} is missing or not text."),
            )
        })?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.to_ascii_lowercase()));
    }
    Ok(format!(
        "POST\n{}\n{}\n{canonical_headers}\n{}\n{}",
        uri.path(),
        uri.query().unwrap_or_default(),
        signed.join(";"),
        hex::encode(Sha256::digest(body))
    ))
}

/// The hex TC3-HMAC-SHA256 signature of `canonical` made at `timestamp` on `date`.
pub(super) fn signature(secret_key: &str, date: &str, timestamp: &str, canonical: &str) -> String {
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{date}/{SERVICE}/tc3_request\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, SERVICE.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104).
pub(super) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}
