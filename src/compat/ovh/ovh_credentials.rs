//! The server's time and the consumer-key request (POST /auth/credential).

use super::*;
use crate::domain::ip_rules::IpPolicy;

/// `GET /auth/time`: the server's Unix time, a bare integer.
pub(super) async fn time() -> Answer {
    ok(json!(db::now()))
}

#[derive(Debug, Deserialize)]
pub(super) struct RuleBody {
    pub(super) method: String,
    pub(super) path: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CredentialBody {
    pub(super) access_rules: Option<Vec<RuleBody>>,
    #[serde(default)]
    pub(super) redirection: Option<String>,
    #[serde(default, rename = "allowedIPs")]
    pub(super) allowed_ips: Option<Vec<String>>,
}

/// `POST /auth/credential`: a pending consumer key with its access rules, and the Steward page
/// where a logged-in user grants it.
pub(super) async fn request_credential(State(state): State<AppState>, req: Signed) -> Answer {
    let app = application(&state, &req).await?;
    let body: CredentialBody = req.json()?;
    let bad = |message: String| refuse(StatusCode::BAD_REQUEST, "INVALID_PARAMETERS", message);
    let rules = body.access_rules.unwrap_or_default();
    if rules.is_empty() || rules.len() > service::MAX_RULES {
        return Err(bad(format!(
            "accessRules: give 1 to {} rules of the form {{\"method\": \"GET\", \"path\": \"/me/*\"}}.",
            service::MAX_RULES
        )));
    }
    let rules = rules
        .iter()
        .map(|r| AccessRule::parse(&r.method, &r.path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("accessRules: {e}")))?;
    let ranges = body.allowed_ips.unwrap_or_default().join(",");
    let allowed = IpPolicy::only_from(&ranges).map_err(|bad_ranges| {
        bad(format!(
            "allowedIPs: give IPv4 or IPv6 addresses or ranges in CIDR notation (at most {}); \
             not understood: {}",
            crate::domain::ip_rules::MAX_RULES,
            bad_ranges.join(", ")
        ))
    })?;
    kit::count::<Ovh>(&state, app.account_pk).await?;
    let redirection = body.redirection.unwrap_or_default();
    let stored = allowed.and_then(|a| a.to_stored());
    let created = service::request_consumer_key(
        &state,
        app.id,
        &rules,
        redirection.trim(),
        stored.as_deref(),
    )
    .await?;
    let base = state.config.public_url.as_ref().map_or_else(
        || {
            // Without a public URL: the host the client called, when it is a plain host name.
            let scheme = if state.config.cookie_secure {
                "https"
            } else {
                "http"
            };
            let host = Some(req.host.trim())
                .filter(|h| !h.is_empty())
                .filter(|h| {
                    h.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                    })
                })
                .map_or_else(|| state.config.site_addr.to_string(), str::to_owned);
            format!("{scheme}://{host}")
        },
        |url| url.origin(),
    );
    ok(json!({
        "validationUrl": format!("{base}/ovh/authorize/{}", created.validation_id),
        "consumerKey": created.consumer_key,
        "state": "pendingValidation",
    }))
}

/// `GET /auth/currentCredential`: the consumer key the call is signed with, as OVHcloud's
/// `api.Credential` shows it.
pub(super) async fn current_credential(State(state): State<AppState>, req: Signed) -> Answer {
    let (_, application, key) = authenticate_with_key(&state, &req).await?;
    ok(credential_json(&CredentialView {
        id: key.id,
        application_id: application.id,
        rules: &key.rules,
        created_at: key.created_at,
        last_used_at: key.last_used_at,
        validated: true,
        allowed_ips: key.allowed_ips.as_deref(),
    }))
}

/// A consumer key as OVHcloud's `api.Credential` shows it.
pub(super) struct CredentialView<'a> {
    pub(super) id: i64,
    pub(super) application_id: i64,
    pub(super) rules: &'a [AccessRule],
    pub(super) created_at: i64,
    pub(super) last_used_at: Option<i64>,
    pub(super) validated: bool,
    pub(super) allowed_ips: Option<&'a str>,
}

pub(super) fn credential_json(key: &CredentialView<'_>) -> Value {
    let rules: Vec<Value> = key
        .rules
        .iter()
        .map(|rule| json!({"method": rule.method, "path": rule.path}))
        .collect();
    let allowed_ips = key
        .allowed_ips
        .map(|stored| IpPolicy::from_stored(Some(stored)).ranges());
    json!({
        "credentialId": key.id,
        "applicationId": key.application_id,
        "creation": rfc3339(key.created_at),
        "expiration": Value::Null,
        "lastUse": key.last_used_at.map(rfc3339),
        "ovhSupport": false,
        "rules": rules,
        "status": if key.validated { "validated" } else { "pendingValidation" },
        "allowedIPs": allowed_ips,
    })
}
