//! `GET /api/openapi.json`: an OpenAPI 3.1 description of the provider-compatible routes, so
//! that a team can see at a glance what Steward answers and how each dialect authenticates.

use axum::Json;
use serde_json::{Value, json};

/// One operation: its summary, security scheme and answers.
fn op(summary: &str, scheme: &str, tag: &str, success: &str) -> Value {
    json!({
        "summary": summary,
        "tags": [tag],
        "security": if scheme == "none" { json!([]) } else { json!([{ scheme: [] }]) },
        "responses": {
            success: { "description": "Success" },
            "400": { "description": "Invalid input, in the dialect's error shape" },
            "401": { "description": "Missing or invalid credentials" },
            "403": { "description": "Not allowed for this caller" },
            "404": { "description": "Not found (or another account's)" },
            "429": { "description": "The account's API rate limit is exceeded" },
        },
    })
}

/// Every documented route: (path, method, summary, security scheme, tag, success status).
pub const ROUTES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/",
        "post",
        "Create a sub-account; its auth_token is returned once",
        "vobizAuth",
        "Vobiz",
        "201",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/",
        "get",
        "List sub-accounts (page, size, active_only)",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/{id}",
        "get",
        "Get a sub-account",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/{id}",
        "put",
        "Update a sub-account",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/api/v1/accounts/{auth_id}/sub-accounts/{id}",
        "delete",
        "Delete a sub-account, its users and credentials",
        "vobizAuth",
        "Vobiz",
        "200",
    ),
    (
        "/iam/clients/create",
        "post",
        "Create a sub-account named by a company no other account has",
        "gcoreApiKey",
        "Gcore",
        "201",
    ),
    (
        "/iam/clients/me",
        "get",
        "The caller's account",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens",
        "post",
        "Create an API token; the token is returned once",
        "gcoreApiKey",
        "Gcore",
        "201",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens",
        "get",
        "List API tokens",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens/{tokenId}",
        "get",
        "Get an API token",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/v2/clients/{clientId}/tokens/{tokenId}",
        "delete",
        "Revoke an API token",
        "gcoreApiKey",
        "Gcore",
        "204",
    ),
    (
        "/iam/users",
        "get",
        "List users (limit, offset)",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/users/{userId}",
        "get",
        "Get a user",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/users/{userId}",
        "patch",
        "Update a user's e-mail and name",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/clients/invite_user",
        "post",
        "Invite a user",
        "gcoreApiKey",
        "Gcore",
        "200",
    ),
    (
        "/iam/clients/{clientId}/client-users/{userId}",
        "delete",
        "Remove a user",
        "gcoreApiKey",
        "Gcore",
        "204",
    ),
    (
        "/1.0/auth/time",
        "get",
        "The server's time, for signing",
        "none",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/auth/credential",
        "post",
        "Request a consumer key; the user validates it at validationUrl",
        "ovhApplication",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/auth/currentCredential",
        "get",
        "The consumer key the call is signed with: rules, dates, allowedIPs",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/subAccount",
        "get",
        "List sub-accounts",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/subAccount",
        "post",
        "Create a sub-account",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/subAccount/{id}",
        "get",
        "Get a sub-account",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/subAccount/{id}/createConsumerKey",
        "post",
        "Mint a consumer key acting in a sub-account",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/user",
        "get",
        "List users",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/user",
        "post",
        "Create a user",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/user/{login}",
        "get",
        "Get a user",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/user/{login}",
        "put",
        "Update a user",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/user/{login}",
        "delete",
        "Remove a user",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/user/{login}/enable",
        "post",
        "Enable a user",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/user/{login}/disable",
        "post",
        "Disable a user",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/group",
        "get",
        "List groups",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/group",
        "post",
        "Create a group",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/group/{group}",
        "get",
        "Get a group",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/group/{group}",
        "put",
        "Change a group's role or description",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/1.0/me/identity/group/{group}",
        "delete",
        "Delete an empty group",
        "ovhSignature",
        "OVHcloud",
        "200",
    ),
    (
        "/",
        "post",
        "Tencent Cloud CAM: the action named in X-TC-Action (AddUser, ListUsers, ...)",
        "tencentTc3",
        "Tencent Cloud CAM",
        "200",
    ),
];

pub async fn document() -> Json<Value> {
    let mut paths = serde_json::Map::new();
    for (path, method, summary, scheme, tag, success) in ROUTES {
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        entry[*method] = op(summary, scheme, tag, success);
    }
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Steward provider-compatible APIs",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The account, sub-account and user APIs of OVHcloud, Tencent Cloud CAM, Gcore and Vobiz, served so that those providers' official clients work against Steward. Request bodies are limited to 64 KiB; every account has a per-minute API rate limit.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "vobizAuth": {
                    "type": "apiKey", "in": "header", "name": "X-Auth-ID",
                    "description": "The main account's auth_id (MA_...) with its token in X-Auth-Token.",
                },
                "ovhApplication": {
                    "type": "apiKey", "in": "header", "name": "X-Ovh-Application",
                    "description": "An OVH application key made on the API keys page.",
                },
                "ovhSignature": {
                    "type": "apiKey", "in": "header", "name": "X-Ovh-Signature",
                    "description": "X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp and X-Ovh-Signature: $1$ + sha1(secret+consumer key+method+URL+body+timestamp).",
                },
                "tencentTc3": {
                    "type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "TC3-HMAC-SHA256 Credential=<SecretId>/<date>/cam/tc3_request, SignedHeaders=content-type;host, Signature=<hex>",
                },
                "gcoreApiKey": {
                    "type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "APIKey <id>_<secret>: a personal API token.",
                },
            },
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::ROUTES;

    /// The routes a dialect's `routes()` declares, as (path with `{}` for each parameter,
    /// method), read from its source: `.route(PATH, get(..).post(..))`, where PATH is a literal
    /// or a `const` of the same file.
    fn declared(source: &str) -> Vec<(String, String)> {
        let constant = |name: &str| {
            let marker = format!("const {name}: &str = \"");
            source
                .split_once(&marker)
                .and_then(|(_, rest)| rest.split_once('"').map(|(value, _)| value.to_owned()))
        };
        let mut found = Vec::new();
        for call in source.split(".route(").skip(1) {
            let call = call.trim_start();
            // The arguments up to the call's closing parenthesis.
            let mut depth = 1;
            let end = call
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(call.len(), |(i, _)| i);
            let call = &call[..end];
            let (path, methods) = call.split_once(',').unwrap_or((call, ""));
            let path = path.trim();
            let path = match path.strip_prefix('"') {
                Some(literal) => literal.trim_end_matches('"').to_owned(),
                None => constant(path).unwrap_or_else(|| panic!("unknown path {path}")),
            };
            let path = normalise(&path);
            for method in ["get", "post", "put", "patch", "delete"] {
                let called = methods.contains(&format!("{method}("))
                    || methods.contains(&format!(".{method}("));
                if called {
                    found.push((path.clone(), method.to_owned()));
                }
            }
        }
        found
    }

    /// `/iam/users/{user_id}` and `/iam/users/{userId}` alike: `/iam/users/{}`.
    fn normalise(path: &str) -> String {
        let mut out = String::new();
        let mut in_param = false;
        for c in path.trim_end_matches('/').chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push_str("{}");
                }
                '}' => in_param = false,
                _ if !in_param => out.push(c),
                _ => {}
            }
        }
        if out.is_empty() { "/".to_owned() } else { out }
    }

    /// SECURITY.md rule 17: every route a dialect serves is documented, and so is called by
    /// every kind of caller in the integration tests that walk the document
    /// (`compat::the_openapi_document_lists_routes_that_exist`, anonymous; the dialects' own
    /// tests and the isolation matrix, with credentials).
    #[test]
    fn every_route_a_dialect_serves_is_in_the_document() {
        let documented: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(path, method, ..)| (normalise(path), (*method).to_owned()))
            .collect();
        let mut undocumented = Vec::new();
        for (dialect, source) in [
            ("gcore", include_str!("gcore/mod.rs")),
            ("vobiz", include_str!("vobiz/mod.rs")),
            ("ovh", include_str!("ovh/mod.rs")),
            ("tencent", include_str!("tencent/mod.rs")),
        ] {
            let routes = declared(source);
            assert!(!routes.is_empty(), "{dialect}: no routes read");
            undocumented.extend(
                routes
                    .into_iter()
                    .filter(|route| !documented.contains(route))
                    .map(|(path, method)| format!("{dialect}: {method} {path}")),
            );
        }
        assert!(
            undocumented.is_empty(),
            "routes served but missing from the OpenAPI document: {undocumented:?}"
        );
    }
}
