//! Authentication: the application key, the consumer key and the SHA-1 signature python-ovh and node-ovh send with every call.

use super::*;

/// What a handler needs of the request to check its signature: method, address, headers and
/// the raw body (over 64 KiB: OVH's error shape).
pub struct Signed {
    pub(super) method: Method,
    pub(super) path_and_query: String,
    pub(super) path: String,
    /// The `Host` header, else the address's authority (HTTP/2).
    pub(super) host: String,
    /// `STEWARD_PUBLIC_URL`'s origin: behind a proxy, the address the client signed.
    pub(super) public_origin: Option<String>,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

impl FromRequest<AppState> for Signed {
    type Rejection = Refusal;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let uri = req
            .extensions()
            .get::<OriginalUri>()
            .map_or_else(|| req.uri().clone(), |o| o.0.clone());
        let method = req.method().clone();
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await.map_err(|_| {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "The request body is over 64 KiB.",
            )
        })?;
        Ok(Self {
            method,
            path_and_query: uri
                .path_and_query()
                .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned()),
            path: uri.path().to_owned(),
            host: headers
                .get("host")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
                .unwrap_or_default(),
            public_origin: state.config.public_url.as_ref().map(|url| url.origin()),
            headers,
            body,
        })
    }
}

impl Signed {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The body as JSON of type `T` (an empty body as `{}`), or a 400 that says what is wrong
    /// without echoing any value.
    pub(super) fn json<T: DeserializeOwned>(&self) -> Result<T, Refusal> {
        let body = if self.body.iter().all(u8::is_ascii_whitespace) {
            Bytes::from_static(b"{}")
        } else {
            self.body.clone()
        };
        kit::json_body(Ok(body))
            .map_err(|bad| refuse(bad.status, "INVALID_PARAMETERS", bad.message))
    }

    /// Whether `presented` is this request's signature with the application's `secret`, the
    /// consumer key and the timestamp as sent, at any of the addresses a client may sign.
    pub(super) fn signed_with(
        &self,
        secret: &str,
        consumer: &str,
        timestamp: &str,
        presented: &str,
    ) -> bool {
        let method = self.method.as_str();
        self.signed_urls().iter().any(|url| {
            same(
                presented,
                &signature(secret, consumer, method, url, &self.body, timestamp),
            )
        })
    }

    /// The addresses a client may have signed: the public URL's, and `http` or `https` with the
    /// `Host` header as sent or without its port.
    pub(super) fn signed_urls(&self) -> Vec<String> {
        let host = self.host.trim();
        let mut hosts = vec![host.to_owned()];
        let bare = host_without_port(host);
        if bare != host {
            hosts.push(bare.to_owned());
        }
        let mut urls: Vec<String> = self
            .public_origin
            .iter()
            .map(|origin| format!("{origin}{}", self.path_and_query))
            .collect();
        for scheme in ["http", "https"] {
            for host in &hosts {
                urls.push(format!("{scheme}://{host}{}", self.path_and_query));
            }
        }
        urls
    }
}

/// `host` without a `:port` (IPv6 literals keep their brackets).
pub(super) fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}

/// `$1$` + hex SHA-1 of the signed fields joined by `+`.
pub fn signature(
    secret: &str,
    consumer_key: &str,
    method: &str,
    url: &str,
    body: &[u8],
    timestamp: &str,
) -> String {
    let mut message = Vec::with_capacity(
        secret.len() + consumer_key.len() + method.len() + url.len() + body.len() + 32,
    );
    for (i, part) in [
        secret.as_bytes(),
        consumer_key.as_bytes(),
        method.as_bytes(),
        url.as_bytes(),
        body,
        timestamp.as_bytes(),
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            message.push(b'+');
        }
        message.extend_from_slice(part);
    }
    format!("$1${}", hex::encode(sha1(&message)))
}

/// SHA-1, which OVH's `$1$` signature uses.
pub(super) fn sha1(message: &[u8]) -> [u8; 20] {
    use sha1::{Digest, Sha1};
    Sha1::digest(message).into()
}

pub(super) fn same(a: &str, b: &str) -> bool {
    crate::server::infra::secrets::same_hash(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
}

pub(super) fn invalid_key() -> Refusal {
    refuse(
        StatusCode::FORBIDDEN,
        "INVALID_KEY",
        "This application key is invalid.",
    )
}

pub(super) fn invalid_credential() -> Refusal {
    refuse(
        StatusCode::FORBIDDEN,
        "INVALID_CREDENTIAL",
        "This credential is not valid: unknown, revoked, or its user can no longer act.",
    )
}

/// The application named by `X-Ovh-Application`, if its owner can still act.
pub(super) async fn application(
    state: &AppState,
    req: &Signed,
) -> Result<service::Application, Refusal> {
    let key = req.header("x-ovh-application").ok_or_else(invalid_key)?;
    service::find_application(state, key)
        .await?
        .filter(|app| app.owner_active)
        .ok_or_else(invalid_key)
}

/// The caller behind a signed request: the signature, the clock, the consumer key, its user,
/// its access rules and the account's rate limit are all checked, in that order.
pub(super) async fn authenticate(
    state: &AppState,
    req: &Signed,
) -> Result<(Caller, service::Application), Refusal> {
    let (caller, application, _) = authenticate_with_key(state, req).await?;
    Ok((caller, application))
}

/// [`authenticate`], with the consumer key the call is signed with.
pub(super) async fn authenticate_with_key(
    state: &AppState,
    req: &Signed,
) -> Result<(Caller, service::Application, service::GrantedKey), Refusal> {
    let app = application(state, req).await?;
    let consumer = req.header("x-ovh-consumer").ok_or_else(|| {
        refuse(
            StatusCode::FORBIDDEN,
            "NOT_CREDENTIAL",
            "You must login first: send X-Ovh-Consumer, X-Ovh-Timestamp and X-Ovh-Signature.",
        )
    })?;
    let timestamp = req.header("x-ovh-timestamp").unwrap_or_default();
    let Ok(at) = timestamp.parse::<i64>() else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "INVALID_SIGNATURE",
            "X-Ovh-Timestamp must be the Unix time in seconds.",
        ));
    };
    let presented = req.header("x-ovh-signature").unwrap_or_default();
    if !req.signed_with(&app.secret, consumer, timestamp, presented) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "INVALID_SIGNATURE",
            "Invalid signature.",
        ));
    }
    if at.abs_diff(db::now()) > MAX_CLOCK_SKEW.unsigned_abs() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "QUERY_TIME_OUT",
            "Query out of time: X-Ovh-Timestamp is more than 5 minutes from the server's time (see GET /auth/time).",
        ));
    }
    let key = service::find_consumer_key(state, app.id, consumer)
        .await?
        .ok_or_else(invalid_credential)?;
    let ConsumerKey::Granted(key) = key else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "NOT_CREDENTIAL",
            "This consumer key is waiting for validation: open its validationUrl and authorize it.",
        ));
    };
    let caller = service::caller(state, &app, &key)
        .await?
        .ok_or_else(invalid_credential)?;
    let caller = kit::admit::<Ovh>(state, caller).await?;
    let path = req.path.strip_prefix("/1.0").unwrap_or(&req.path);
    // `/auth/*` concerns the key itself (what it is, logging it out): any key may ask.
    if !path.starts_with("/auth/") && !service::allowed(&key.rules, req.method.as_str(), path) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "NOT_GRANTED_CALL",
            "This call has not been granted.",
        ));
    }
    Ok((caller, app, key))
}

/// OVHcloud's answers to the refusals every dialect shares.
pub(super) struct Ovh;

impl kit::Dialect for Ovh {
    type Refusal = Refusal;

    fn two_factor_pending() -> Refusal {
        refuse(StatusCode::FORBIDDEN, "FORBIDDEN", kit::TWO_FACTOR_PENDING)
    }

    fn rate_limited() -> Refusal {
        refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "Rate limit exceeded: too many API requests this minute.",
        )
    }
}
